//! Tags: labels a project puts on its features. Not audited, as upstream.

use rusqlite::{Connection, Row, Transaction, params};

use super::rows::exactly_one;
use crate::domain::feature::{NewTag, Tag};
use crate::domain::{FeatureId, ProjectId, TagId, new_uuid};
use crate::store::Result;

const COLUMNS: &str = "id, uuid, project_id, label, color, description, is_permanent";

fn tag(row: &Row<'_>) -> rusqlite::Result<Tag> {
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

pub(super) fn find(conn: &Connection, id: TagId) -> Result<Tag> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM tags WHERE id = ?"))?
        .query_row([id.0], tag)?)
}

pub(super) fn of(conn: &Connection, project: ProjectId) -> Result<Vec<Tag>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM tags WHERE project_id = ? ORDER BY id"
        ))?
        .query_map([project.0], tag)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(super) fn insert(tx: &Transaction<'_>, new: &NewTag) -> Result<Tag> {
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO tags (uuid, project_id, label, color, description, is_permanent)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )?
        .query_row(
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

pub(super) fn update(tx: &Transaction<'_>, id: TagId, new: &NewTag) -> Result<Tag> {
    exactly_one(
        tx.prepare_cached(
            "UPDATE tags SET label = ?, color = ?, description = ?, is_permanent = ? WHERE id = ?",
        )?
        .execute(params![
            new.label,
            new.color,
            new.description,
            new.is_permanent,
            id.0
        ])?,
    )?;
    find(tx, id)
}

pub(super) fn delete(tx: &Transaction<'_>, id: TagId) -> Result<()> {
    exactly_one(
        tx.prepare_cached("DELETE FROM tags WHERE id = ?")?
            .execute([id.0])?,
    )
}

/// Replaces the feature's tags; `NotFound` for a tag that is not the project's.
pub(super) fn set_feature_tags(
    tx: &Transaction<'_>,
    feature: FeatureId,
    project: ProjectId,
    tags: &[TagId],
) -> Result<()> {
    tx.prepare_cached("DELETE FROM feature_tags WHERE feature_id = ?")?
        .execute([feature.0])?;
    for t in distinct(tags) {
        exactly_one(
            tx.prepare_cached(
                "INSERT INTO feature_tags (feature_id, tag_id)
                 SELECT ?, id FROM tags WHERE id = ? AND project_id = ?",
            )?
            .execute([feature.0, t, project.0])?,
        )?;
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
