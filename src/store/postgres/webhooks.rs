use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::{PostgresStore, exactly_one};
use crate::domain::EnvironmentId;
use crate::domain::environment::{Webhook, WebhookFields};
use crate::store::{Result, StoreError, WebhookStore};

const COLUMNS: &str = "id, environment_id, url, secret, enabled, created_at, updated_at";

fn webhook(row: &Row) -> Result<Webhook> {
    Ok(Webhook {
        id: row.try_get(0)?,
        environment_id: EnvironmentId(row.try_get(1)?),
        url: row.try_get(2)?,
        secret: row.try_get(3)?,
        enabled: row.try_get(4)?,
        created_at: row.try_get(5)?,
        updated_at: row.try_get(6)?,
    })
}

async fn find(client: &impl GenericClient, id: i64) -> Result<Webhook> {
    let stmt = client
        .prepare_cached(&format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1"))
        .await?;
    webhook(
        &client
            .query_opt(&stmt, &[&id])
            .await?
            .ok_or(StoreError::NotFound)?,
    )
}

#[async_trait]
impl WebhookStore for PostgresStore {
    async fn create_webhook(&self, env: EnvironmentId, fields: &WebhookFields) -> Result<Webhook> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "INSERT INTO webhooks (environment_id, url, secret, enabled, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
            ))
            .await?;
        let row = client
            .query_one(
                &stmt,
                &[
                    &env.0,
                    &fields.url,
                    &fields.secret,
                    &fields.enabled,
                    &self.now(),
                ],
            )
            .await?;
        webhook(&row)
    }

    async fn webhooks(&self, env: EnvironmentId) -> Result<Vec<Webhook>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM webhooks WHERE environment_id = $1 ORDER BY id"
            ))
            .await?;
        client
            .query(&stmt, &[&env.0])
            .await?
            .iter()
            .map(webhook)
            .collect()
    }

    async fn webhook(&self, id: i64) -> Result<Webhook> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn update_webhook(&self, id: i64, fields: &WebhookFields) -> Result<Webhook> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("UPDATE webhooks SET url = $1, secret = $2, enabled = $3, updated_at = $4 WHERE id = $5")
            .await?;
        exactly_one(
            client
                .execute(
                    &stmt,
                    &[
                        &fields.url,
                        &fields.secret,
                        &fields.enabled,
                        &self.now(),
                        &id,
                    ],
                )
                .await?,
        )?;
        find(&client, id).await
    }

    async fn delete_webhook(&self, id: i64) -> Result<()> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("DELETE FROM webhooks WHERE id = $1")
            .await?;
        exactly_one(client.execute(&stmt, &[&id]).await?)
    }
}
