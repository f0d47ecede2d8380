use async_trait::async_trait;

use super::Result;
use crate::domain::EnvironmentId;
use crate::domain::environment::{Webhook, WebhookFields};

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
