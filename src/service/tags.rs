//! Tags: labels a project puts on its features. Not audited, as upstream.

use super::organisations::check_name;
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::feature::{NewTag, Tag};
use crate::domain::{Page, PageRequest, ProjectId, TagId};
use crate::store::{Result as StoreResult, StoreError};

/// What a request sets on a tag; `None` leaves a field as it is (or at its default).
#[derive(Debug, Clone, Default)]
pub struct TagPatch {
    pub label: Option<String>,
    pub color: Option<String>,
    pub description: Option<Option<String>>,
    pub is_permanent: Option<bool>,
}

impl TagPatch {
    fn apply(self, tag: &mut NewTag) {
        if let Some(v) = self.label {
            tag.label = v.trim().to_string();
        }
        if let Some(v) = self.color {
            tag.color = v.trim().to_string();
        }
        if let Some(v) = self.description {
            tag.description = v;
        }
        if let Some(v) = self.is_permanent {
            tag.is_permanent = v;
        }
    }
}

fn validate(tag: &NewTag, patch: &TagPatch, creating: bool) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    if creating && patch.label.is_none() {
        errors.add("label", "This field is required.");
    } else {
        check_name(&mut errors, "label", &tag.label, 100);
    }
    if creating && patch.color.is_none() {
        errors.add("color", "This field is required.");
    } else {
        check_name(&mut errors, "color", &tag.color, 10);
    }
    if tag
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 512)
    {
        errors.add(
            "description",
            "Ensure this field has no more than 512 characters.",
        );
    }
    errors.into_result()
}

impl Service {
    /// One page of the project's tags, by id.
    pub async fn tags(
        &self,
        caller: &Caller,
        project: ProjectId,
        page: PageRequest,
    ) -> ServiceResult<Page<Tag>> {
        let (project, _) = self.project_for(caller, project, None).await?;
        Ok(Page::slice(self.store.tags_of(project.id).await?, page))
    }

    /// A tag of the project; tags of other projects are `NotFound`.
    pub async fn tag(&self, caller: &Caller, project: ProjectId, id: TagId) -> ServiceResult<Tag> {
        let (project, _) = self.project_for(caller, project, None).await?;
        self.own_tag(project.id, id).await
    }

    /// A tag of the project, by its uuid; tags of other projects are `NotFound`.
    pub async fn tag_by_uuid(
        &self,
        caller: &Caller,
        project: ProjectId,
        uuid: &str,
    ) -> ServiceResult<Tag> {
        let (project, _) = self.project_for(caller, project, None).await?;
        of_project(project.id, self.store.tag_by_uuid(uuid).await)
    }

    async fn own_tag(&self, project: ProjectId, id: TagId) -> ServiceResult<Tag> {
        of_project(project, self.store.tag(id).await)
    }

    pub async fn create_tag(
        &self,
        caller: &Caller,
        project: ProjectId,
        patch: TagPatch,
    ) -> ServiceResult<Tag> {
        let (project, _) = self
            .project_for(caller, project, Some("MANAGE_TAGS"))
            .await?;
        let mut tag = NewTag {
            project_id: project.id,
            label: String::new(),
            color: String::new(),
            description: None,
            is_permanent: false,
        };
        validate_and_apply(&mut tag, patch, true)?;
        Ok(self.store.create_tag(&tag).await?)
    }

    pub async fn update_tag(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: TagId,
        patch: TagPatch,
    ) -> ServiceResult<Tag> {
        let (project, _) = self
            .project_for(caller, project, Some("MANAGE_TAGS"))
            .await?;
        let current = self.own_tag(project.id, id).await?;
        let mut tag = NewTag {
            project_id: project.id,
            label: current.label,
            color: current.color,
            description: current.description,
            is_permanent: current.is_permanent,
        };
        validate_and_apply(&mut tag, patch, false)?;
        Ok(self.store.update_tag(id, &tag).await?)
    }

    pub async fn delete_tag(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: TagId,
    ) -> ServiceResult<()> {
        let (project, _) = self
            .project_for(caller, project, Some("MANAGE_TAGS"))
            .await?;
        self.own_tag(project.id, id).await?;
        Ok(self.store.delete_tag(id).await?)
    }
}

/// The tag found, when it is the project's.
fn of_project(project: ProjectId, found: StoreResult<Tag>) -> ServiceResult<Tag> {
    match found {
        Ok(tag) if tag.project_id == project => Ok(tag),
        Ok(_) | Err(StoreError::NotFound) => Err(ServiceError::NotFound(None)),
        Err(e) => Err(e.into()),
    }
}

fn validate_and_apply(tag: &mut NewTag, patch: TagPatch, creating: bool) -> ServiceResult<()> {
    let check = patch.clone();
    patch.apply(tag);
    validate(tag, &check, creating)
}

const OTHER_PROJECTS_TAGS: &str = "Selected Tags must be from the same Project as current Feature";

impl Service {
    /// Unknown tags, and tags of projects the caller cannot see, are named in `tags`; tags of
    /// another project the caller can see are refused as a whole.
    pub(super) async fn check_tags(
        &self,
        caller: &Caller,
        errors: &mut FieldErrors,
        project: ProjectId,
        tags: &[TagId],
    ) -> ServiceResult<()> {
        let mut foreign = false;
        for tag in tags {
            let seen_elsewhere = match self.store.tag(*tag).await {
                Ok(t) if t.project_id == project => continue,
                Ok(t) => self.sees_project(caller, t.project_id).await?,
                Err(StoreError::NotFound) => false,
                Err(e) => return Err(e.into()),
            };
            if seen_elsewhere {
                foreign = true;
            } else {
                errors.add(
                    "tags",
                    format!("Invalid pk \"{tag}\" - object does not exist."),
                );
            }
        }
        if foreign && errors.is_empty() {
            errors.add("non_field_errors", OTHER_PROJECTS_TAGS);
        }
        Ok(())
    }
}
