//! Tags: how a row reads.

use crate::domain::feature::Tag;
use crate::domain::{ProjectId, TagId};
use crate::store::Result;
use crate::store::rows::Columns;

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
