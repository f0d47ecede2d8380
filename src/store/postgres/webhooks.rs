//! Environment webhooks, in PostgreSQL.

use super::PostgresStore;
use super::rows::{Conn, all, exactly_one, exec, one};
use crate::domain::EnvironmentId;
use crate::domain::environment::{Webhook, WebhookFields};
use crate::store::webhooks::{COLUMNS, webhook};
use crate::store::{Result, WebhookStore};
use async_trait::async_trait;

async fn find(client: &impl Conn, id: i64) -> Result<Webhook> {
    one(
        client,
        &format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1"),
        &[&id],
        webhook,
    )
    .await
}

#[async_trait]
impl WebhookStore for PostgresStore {
    async fn create_webhook(&self, env: EnvironmentId, fields: &WebhookFields) -> Result<Webhook> {
        let client = self.client().await?;
        one(
            &client,
            &format!(
                "INSERT INTO webhooks (environment_id, url, secret, enabled, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
            ),
            &[
                &env.0,
                &fields.url,
                &fields.secret,
                &fields.enabled,
                &self.now(),
            ],
            webhook,
        )
        .await
    }

    async fn webhooks(&self, env: EnvironmentId) -> Result<Vec<Webhook>> {
        let client = self.client().await?;
        all(
            &client,
            &format!("SELECT {COLUMNS} FROM webhooks WHERE environment_id = $1 ORDER BY id"),
            &[&env.0],
            webhook,
        )
        .await
    }

    async fn webhook(&self, id: i64) -> Result<Webhook> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn update_webhook(&self, id: i64, fields: &WebhookFields) -> Result<Webhook> {
        let client = self.client().await?;
        exactly_one(
            exec(&client, "UPDATE webhooks SET url = $1, secret = $2, enabled = $3, updated_at = $4 WHERE id = $5", &[
                        &fields.url,
                        &fields.secret,
                        &fields.enabled,
                        &self.now(),
                        &id,
                    ]).await?,
        )?;
        find(&client, id).await
    }

    async fn delete_webhook(&self, id: i64) -> Result<()> {
        let client = self.client().await?;
        exactly_one(exec(&client, "DELETE FROM webhooks WHERE id = $1", &[&id]).await?)
    }
}
