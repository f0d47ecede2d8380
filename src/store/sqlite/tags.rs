//! Tags: labels a project puts on its features. Not audited, as upstream.

use super::SqliteStore;
use super::Tx;
use super::rows::{all, exactly_one, exec, id_by_uuid, one};
use crate::domain::feature::{NewTag, Tag};
use crate::domain::{FeatureId, ProjectId, TagId, new_uuid};
use crate::store::tags::{COLUMNS, tag};
use crate::store::{Result, TagStore};
use async_trait::async_trait;
use rusqlite::{Connection, params};

pub(super) fn find(conn: &Connection, id: TagId) -> Result<Tag> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM tags WHERE id = ?"),
        [id.0],
        tag,
    )
}

pub(super) fn of(conn: &Connection, project: ProjectId) -> Result<Vec<Tag>> {
    all(
        conn,
        &format!("SELECT {COLUMNS} FROM tags WHERE project_id = ? ORDER BY id"),
        [project.0],
        tag,
    )
}

pub(super) fn insert(tx: &Tx<'_>, new: &NewTag) -> Result<Tag> {
    let id: i64 = one(
        tx,
        "INSERT INTO tags (uuid, project_id, label, color, description, is_permanent)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            new_uuid(),
            new.project_id.0,
            new.label,
            new.color,
            new.description,
            new.is_permanent
        ],
        |r| r.get(0),
    )?;
    find(tx, TagId(id))
}

pub(super) fn update(tx: &Tx<'_>, id: TagId, new: &NewTag) -> Result<Tag> {
    exactly_one(exec(
        tx,
        "UPDATE tags SET label = ?, color = ?, description = ?, is_permanent = ? WHERE id = ?",
        params![
            new.label,
            new.color,
            new.description,
            new.is_permanent,
            id.0
        ],
    )?)?;
    find(tx, id)
}

pub(super) fn delete(tx: &Tx<'_>, id: TagId) -> Result<()> {
    exactly_one(exec(tx, "DELETE FROM tags WHERE id = ?", [id.0])?)
}

/// Replaces the feature's tags; `NotFound` for a tag that is not the project's.
pub(super) fn set_feature_tags(
    tx: &Tx<'_>,
    feature: FeatureId,
    project: ProjectId,
    tags: &[TagId],
) -> Result<()> {
    exec(
        tx,
        "DELETE FROM feature_tags WHERE feature_id = ?",
        [feature.0],
    )?;
    for t in distinct(tags) {
        exactly_one(exec(
            tx,
            "INSERT INTO feature_tags (feature_id, tag_id)
                 SELECT ?, id FROM tags WHERE id = ? AND project_id = ?",
            [feature.0, t, project.0],
        )?)?;
    }
    Ok(())
}

/// The ids once each, in order.
pub(super) fn distinct(tags: &[TagId]) -> Vec<i64> {
    let mut ids: Vec<i64> = tags.iter().map(|t| t.0).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[async_trait]
impl TagStore for SqliteStore {
    async fn create_tag(&self, tag: &NewTag) -> Result<Tag> {
        let new = tag.clone();
        self.write(move |tx| insert(tx, &new)).await
    }

    async fn tag(&self, id: TagId) -> Result<Tag> {
        self.read(move |c| find(c, id)).await
    }

    async fn tag_by_uuid(&self, uuid: &str) -> Result<Tag> {
        let uuid = uuid.to_string();
        self.read(move |c| find(c, TagId(id_by_uuid(c, "tags", &uuid)?)))
            .await
    }

    async fn tags_of(&self, project: ProjectId) -> Result<Vec<Tag>> {
        self.read(move |c| of(c, project)).await
    }

    async fn update_tag(&self, id: TagId, tag: &NewTag) -> Result<Tag> {
        let new = tag.clone();
        self.write(move |tx| update(tx, id, &new)).await
    }

    async fn delete_tag(&self, id: TagId) -> Result<()> {
        self.write(move |tx| delete(tx, id)).await
    }
}
