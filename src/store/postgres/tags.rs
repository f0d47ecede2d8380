//! Tags: labels a project puts on its features. Not audited, as upstream.

use super::PostgresStore;
use super::Tx;
use super::rows::{Conn, all, exactly_one, exec, id_by_uuid, one};
use crate::domain::feature::{NewTag, Tag};
use crate::domain::{FeatureId, ProjectId, TagId, new_uuid};
use crate::store::tags::{COLUMNS, tag};
use crate::store::{Result, TagStore};
use async_trait::async_trait;

pub(super) async fn find(client: &impl Conn, id: TagId) -> Result<Tag> {
    one(
        client,
        &format!("SELECT {COLUMNS} FROM tags WHERE id = $1"),
        &[&id.0],
        tag,
    )
    .await
}

pub(super) async fn of(client: &impl Conn, project: ProjectId) -> Result<Vec<Tag>> {
    all(
        client,
        &format!("SELECT {COLUMNS} FROM tags WHERE project_id = $1 ORDER BY id"),
        &[&project.0],
        tag,
    )
    .await
}

pub(super) async fn insert(tx: &Tx<'_>, new: &NewTag) -> Result<Tag> {
    let id: i64 = one(
        tx,
        "INSERT INTO tags (uuid, project_id, label, color, description, is_permanent)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        &[
            &new_uuid(),
            &new.project_id.0,
            &new.label,
            &new.color,
            &new.description,
            &new.is_permanent,
        ],
        |r| r.get(0),
    )
    .await?;
    find(tx, TagId(id)).await
}

pub(super) async fn update(tx: &Tx<'_>, id: TagId, new: &NewTag) -> Result<Tag> {
    exactly_one(
        exec(tx, "UPDATE tags SET label = $1, color = $2, description = $3, is_permanent = $4 WHERE id = $5", &[
                &new.label,
                &new.color,
                &new.description,
                &new.is_permanent,
                &id.0,
            ]).await?,
    )?;
    find(tx, id).await
}

pub(super) async fn delete(tx: &Tx<'_>, id: TagId) -> Result<()> {
    exactly_one(exec(tx, "DELETE FROM tags WHERE id = $1", &[&id.0]).await?)
}

/// Replaces the feature's tags; `NotFound` for a tag that is not the project's.
pub(super) async fn set_feature_tags(
    tx: &Tx<'_>,
    feature: FeatureId,
    project: ProjectId,
    tags: &[TagId],
) -> Result<()> {
    exec(
        tx,
        "DELETE FROM feature_tags WHERE feature_id = $1",
        &[&feature.0],
    )
    .await?;
    for t in distinct(tags) {
        exactly_one(
            exec(
                tx,
                "INSERT INTO feature_tags (feature_id, tag_id)
             SELECT $1, id FROM tags WHERE id = $2 AND project_id = $3",
                &[&feature.0, &t, &project.0],
            )
            .await?,
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

#[async_trait]
impl TagStore for PostgresStore {
    async fn create_tag(&self, tag: &NewTag) -> Result<Tag> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let created = insert(&tx, tag).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn tag(&self, id: TagId) -> Result<Tag> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn tag_by_uuid(&self, uuid: &str) -> Result<Tag> {
        let client = self.client().await?;
        find(&client, TagId(id_by_uuid(&client, "tags", uuid).await?)).await
    }

    async fn tags_of(&self, project: ProjectId) -> Result<Vec<Tag>> {
        let client = self.client().await?;
        of(&client, project).await
    }

    async fn update_tag(&self, id: TagId, tag: &NewTag) -> Result<Tag> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let updated = update(&tx, id, tag).await?;
        self.commit(tx).await?;
        Ok(updated)
    }

    async fn delete_tag(&self, id: TagId) -> Result<()> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        delete(&tx, id).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
