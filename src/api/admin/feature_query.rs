//! The query parameters of the features list, checked by name as DRF's query serializer does.

use super::query_params::{drf_bool, integer_into};
use crate::domain::feature::{FeatureQuery, FeatureSort};
use crate::domain::{EnvironmentId, SegmentId, TagId};
use crate::service::{FeatureContext, FieldErrors, ServiceError};

/// The list's query parameters, as given.
pub struct ListParams {
    pub search: Option<String>,
    pub sort_field: Option<String>,
    pub sort_direction: Option<String>,
    pub tags: Option<String>,
    pub tag_strategy: Option<String>,
    pub is_archived: Option<String>,
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
        errors.into_result()?;
        Ok(FeatureQuery {
            search: self.search.filter(|s| !s.is_empty()),
            is_archived,
            tags,
            tags_union,
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

    #[test]
    fn list_parameters_are_checked_by_name() {
        let params = |tags: &str, archived: &str| ListParams {
            search: None,
            sort_field: Some("size".into()),
            sort_direction: None,
            tags: Some(tags.into()),
            tag_strategy: None,
            is_archived: Some(archived.into()),
        };
        let Err(ServiceError::Invalid(errors)) = params("1,x", "maybe").query() else {
            panic!("expected field errors");
        };
        assert_eq!(errors.0["tags"], ["Tag IDs must be integers."]);
        assert_eq!(errors.0["is_archived"], ["Must be a valid boolean."]);
        assert_eq!(errors.0["sort_field"], ["\"size\" is not a valid choice."]);
    }
}
