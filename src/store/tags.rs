//! Tags: how a row reads.

use crate::domain::feature::{NewTag, Tag};
use crate::domain::{ProjectId, TagId};
use crate::store::Result;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Tags of a project.
#[async_trait]
pub trait TagStore: Send + Sync {
    /// `NotFound` when the project does not exist.
    async fn create_tag(&self, tag: &NewTag) -> Result<Tag>;

    /// `NotFound` when there is no such tag.
    async fn tag(&self, id: TagId) -> Result<Tag>;

    /// `NotFound` when no tag has that uuid.
    async fn tag_by_uuid(&self, uuid: &str) -> Result<Tag>;

    /// The project's tags, ordered by id.
    async fn tags_of(&self, project: ProjectId) -> Result<Vec<Tag>>;

    /// Replaces label, colour, description and permanence (the project stays).
    async fn update_tag(&self, id: TagId, tag: &NewTag) -> Result<Tag>;

    /// Deletes the tag and removes it from every feature.
    async fn delete_tag(&self, id: TagId) -> Result<()>;
}

pub(super) const COLUMNS: &str = "id, uuid, project_id, label, color, description, is_permanent";

pub(super) fn tag(row: &dyn Columns) -> Result<Tag> {
    Ok(Tag {
        id: TagId(row.get(0)?),
        uuid: row.get(1)?,
        project_id: ProjectId(row.get(2)?),
        label: row.get(3)?,
        color: row.get(4)?,
        description: row.get(5)?,
        is_permanent: row.get(6)?,
    })
}
