//! Environment webhooks, in SQLite.

use super::SqliteStore;
use super::rows::{all, exactly_one, exec, one, ts};
use crate::domain::EnvironmentId;
use crate::domain::environment::{Webhook, WebhookFields};
use crate::store::webhooks::{COLUMNS, webhook};
use crate::store::{Result, WebhookStore};
use async_trait::async_trait;
use rusqlite::{Connection, params};

fn find(conn: &Connection, id: i64) -> Result<Webhook> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM webhooks WHERE id = ?"),
        [id],
        webhook,
    )
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn create_webhook(&self, env: EnvironmentId, fields: &WebhookFields) -> Result<Webhook> {
        let (f, now) = (fields.clone(), self.now());
        self.write(move |tx| {
            one(tx, &format!(
                    "INSERT INTO webhooks (environment_id, url, secret, enabled, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
                ), params![env.0, f.url, f.secret, f.enabled, ts(now), ts(now)], webhook)
        })
        .await
    }

    async fn webhooks(&self, env: EnvironmentId) -> Result<Vec<Webhook>> {
        self.read(move |c| {
            all(
                c,
                &format!("SELECT {COLUMNS} FROM webhooks WHERE environment_id = ? ORDER BY id"),
                [env.0],
                webhook,
            )
        })
        .await
    }

    async fn webhook(&self, id: i64) -> Result<Webhook> {
        self.read(move |c| find(c, id)).await
    }

    async fn update_webhook(&self, id: i64, fields: &WebhookFields) -> Result<Webhook> {
        let (f, now) = (fields.clone(), self.now());
        self.write(move |tx| {
            exactly_one(exec(
                tx,
                "UPDATE webhooks SET url = ?, secret = ?, enabled = ?, updated_at = ? WHERE id = ?",
                params![f.url, f.secret, f.enabled, ts(now), id],
            )?)?;
            find(tx, id)
        })
        .await
    }

    async fn delete_webhook(&self, id: i64) -> Result<()> {
        self.write(move |tx| exactly_one(exec(tx, "DELETE FROM webhooks WHERE id = ?", [id])?))
            .await
    }
}
