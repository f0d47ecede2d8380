use async_trait::async_trait;
use rusqlite::{Connection, Row, params};

use super::SqliteStore;
use super::rows::{exactly_one, get_ts, ts};
use crate::domain::EnvironmentId;
use crate::domain::environment::{Webhook, WebhookFields};
use crate::store::{Result, WebhookStore};

const COLUMNS: &str = "id, environment_id, url, secret, enabled, created_at, updated_at";

fn webhook(row: &Row<'_>) -> rusqlite::Result<Webhook> {
    Ok(Webhook {
        id: row.get(0)?,
        environment_id: EnvironmentId(row.get(1)?),
        url: row.get(2)?,
        secret: row.get(3)?,
        enabled: row.get(4)?,
        created_at: get_ts(row, 5)?,
        updated_at: get_ts(row, 6)?,
    })
}

fn find(conn: &Connection, id: i64) -> Result<Webhook> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM webhooks WHERE id = ?"))?
        .query_row([id], webhook)?)
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn create_webhook(&self, env: EnvironmentId, fields: &WebhookFields) -> Result<Webhook> {
        let (f, now) = (fields.clone(), self.now());
        self.write(move |tx| {
            Ok(tx
                .prepare_cached(&format!(
                    "INSERT INTO webhooks (environment_id, url, secret, enabled, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
                ))?
                .query_row(params![env.0, f.url, f.secret, f.enabled, ts(now), ts(now)], webhook)?)
        })
        .await
    }

    async fn webhooks(&self, env: EnvironmentId) -> Result<Vec<Webhook>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM webhooks WHERE environment_id = ? ORDER BY id"
            ))?
            .query_map([env.0], webhook)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn webhook(&self, id: i64) -> Result<Webhook> {
        self.read(move |c| find(c, id)).await
    }

    async fn update_webhook(&self, id: i64, fields: &WebhookFields) -> Result<Webhook> {
        let (f, now) = (fields.clone(), self.now());
        self.write(move |tx| {
            exactly_one(
                tx.prepare_cached("UPDATE webhooks SET url = ?, secret = ?, enabled = ?, updated_at = ? WHERE id = ?")?
                    .execute(params![f.url, f.secret, f.enabled, ts(now), id])?,
            )?;
            find(tx, id)
        })
        .await
    }

    async fn delete_webhook(&self, id: i64) -> Result<()> {
        self.write(move |tx| {
            exactly_one(
                tx.prepare_cached("DELETE FROM webhooks WHERE id = ?")?
                    .execute([id])?,
            )
        })
        .await
    }
}
