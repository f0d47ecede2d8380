//! The query parameters of the features list, checked by name as DRF's query serializer does.

use super::query_params::{drf_bool, integer_into};
use crate::domain::feature::{FeatureQuery, FeatureSort};
use crate::domain::permission::GroupId;
use crate::domain::{EnvironmentId, SegmentId, TagId, UserId};
use crate::service::{FeatureContext, FieldErrors, ServiceError};

/// The list's query parameters, as given.
pub struct ListParams {
    pub search: Option<String>,
    pub sort_field: Option<String>,
    pub sort_direction: Option<String>,
    pub tags: Option<String>,
    pub tag_strategy: Option<String>,
    pub is_archived: Option<String>,
    pub owners: Option<String>,
    pub group_owners: Option<String>,
}

/// Comma-separated ids; blank means no filter.
fn comma_ids(errors: &mut FieldErrors, field: &str, text: Option<&str>) -> Option<Vec<i64>> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    let ids: Result<Vec<i64>, _> = text.split(',').map(|t| t.trim().parse()).collect();
    if ids.is_err() {
        errors.add(field, "Enter a comma-separated list of integer ids.");
    }
    ids.ok()
}

impl ListParams {
    pub fn query(self) -> Result<FeatureQuery, ServiceError> {
        let mut errors = FieldErrors::default();
        let sort = match self.sort_field.as_deref() {
            None | Some("created_date") => FeatureSort::CreatedDate,
            Some("name") => FeatureSort::Name,
            Some(other) => {
                errors.add("sort_field", format!("\"{other}\" is not a valid choice."));
                FeatureSort::CreatedDate
            }
        };
        let descending = match self.sort_direction.as_deref() {
            None | Some("ASC") => false,
            Some("DESC") => true,
            Some(other) => {
                errors.add(
                    "sort_direction",
                    format!("\"{other}\" is not a valid choice."),
                );
                false
            }
        };
        let tags_union = match self.tag_strategy.as_deref() {
            None | Some("INTERSECTION") => false,
            Some("UNION") => true,
            Some(other) => {
                errors.add(
                    "tag_strategy",
                    format!("\"{other}\" is not a valid choice."),
                );
                false
            }
        };
        let tags = match self.tags.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(Vec::new()),
            Some(list) => {
                let ids: Result<Vec<TagId>, _> = list
                    .split(',')
                    .map(|t| t.trim().parse().map(TagId))
                    .collect();
                if ids.is_err() {
                    errors.add("tags", "Tag IDs must be integers.");
                }
                ids.ok()
            }
        };
        let is_archived = match self.is_archived.as_deref() {
            None => None,
            Some(text) => {
                let parsed = drf_bool(text);
                if parsed.is_none() {
                    errors.add("is_archived", "Must be a valid boolean.");
                }
                parsed
            }
        };
        let owners = comma_ids(&mut errors, "owners", self.owners.as_deref());
        let group_owners = comma_ids(&mut errors, "group_owners", self.group_owners.as_deref());
        errors.into_result()?;
        Ok(FeatureQuery {
            search: self.search.filter(|s| !s.is_empty()),
            is_archived,
            tags,
            tags_union,
            owners: owners.map(|ids| ids.into_iter().map(UserId).collect()),
            group_owners: group_owners.map(|ids| ids.into_iter().map(GroupId).collect()),
            sort,
            descending,
        })
    }
}

/// `?environment=<id>&segment=<id>`: where to look at the features from.
pub fn context(
    environment: Option<String>,
    segment: Option<String>,
) -> Result<FeatureContext, ServiceError> {
    let mut errors = FieldErrors::default();
    let environment = integer_into(&mut errors, "environment", environment).map(EnvironmentId);
    let segment = integer_into(&mut errors, "segment", segment).map(SegmentId);
    errors.into_result()?;
    Ok(FeatureContext {
        environment,
        segment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Problem;

    #[test]
    fn list_parameters_are_checked_by_name() {
        let params = |tags: &str, archived: &str| ListParams {
            search: None,
            sort_field: Some("size".into()),
            sort_direction: None,
            tags: Some(tags.into()),
            tag_strategy: None,
            is_archived: Some(archived.into()),
            owners: Some("1, 2".into()),
            group_owners: Some("two".into()),
        };
        let Err(ServiceError::Invalid(Problem::Fields(errors))) = params("1,x", "maybe").query()
        else {
            panic!("expected field errors");
        };
        assert_eq!(errors.0["tags"], ["Tag IDs must be integers."]);
        assert_eq!(errors.0["is_archived"], ["Must be a valid boolean."]);
        assert_eq!(errors.0["sort_field"], ["\"size\" is not a valid choice."]);
        assert!(!errors.0.contains_key("owners"), "ids may have spaces");
        let ids = ["Enter a comma-separated list of integer ids."];
        assert_eq!(errors.0["group_owners"], ids);
    }
}
