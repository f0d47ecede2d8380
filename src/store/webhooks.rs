//! Environment webhooks: the storage trait and how a row reads.

use super::Result;
use crate::domain::EnvironmentId;
use crate::domain::environment::{Webhook, WebhookFields};
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Environment webhooks.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// `NotFound` when the environment does not exist.
    async fn create_webhook(&self, env: EnvironmentId, fields: &WebhookFields) -> Result<Webhook>;

    /// The environment's webhooks, ordered by id.
    async fn webhooks(&self, env: EnvironmentId) -> Result<Vec<Webhook>>;

    /// `NotFound` when there is no such webhook.
    async fn webhook(&self, id: i64) -> Result<Webhook>;

    /// Replaces url, secret and enabled; moves `updated_at`. `NotFound` when there is none.
    async fn update_webhook(&self, id: i64, fields: &WebhookFields) -> Result<Webhook>;

    /// `NotFound` when there is no such webhook.
    async fn delete_webhook(&self, id: i64) -> Result<()>;
}

pub(super) const COLUMNS: &str = "id, environment_id, url, secret, enabled, created_at, updated_at";

pub(super) fn webhook(row: &dyn Columns) -> Result<Webhook> {
    Ok(Webhook {
        id: row.get(0)?,
        environment_id: EnvironmentId(row.get(1)?),
        url: row.get(2)?,
        secret: row.get(3)?,
        enabled: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}
