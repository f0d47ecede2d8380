//! Environment webhooks (their configuration; environment admins manage them).

use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::environment::{Environment, Webhook, WebhookFields};

fn validate(fields: &WebhookFields) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    let url = fields.url.trim();
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    let host = url.split("://").nth(1).unwrap_or_default();
    if !scheme_ok || host.is_empty() || url.chars().any(char::is_whitespace) {
        errors.add("url", "Enter a valid URL.");
    } else if url.chars().count() > 200 {
        errors.add("url", "Ensure this field has no more than 200 characters.");
    }
    if fields.secret.chars().count() > 255 {
        errors.add(
            "secret",
            "Ensure this field has no more than 255 characters.",
        );
    }
    errors.into_result()
}

impl Service {
    async fn webhook_environment(
        &self,
        caller: &Caller,
        api_key: &str,
    ) -> ServiceResult<Environment> {
        let (_, env, access) = self.environment_for(caller, api_key, None).await?;
        if !access.admin {
            return Err(ServiceError::Forbidden(None));
        }
        Ok(env)
    }

    pub async fn webhooks(&self, caller: &Caller, api_key: &str) -> ServiceResult<Vec<Webhook>> {
        let env = self.webhook_environment(caller, api_key).await?;
        Ok(self.store.webhooks(env.id).await?)
    }

    pub async fn create_webhook(
        &self,
        caller: &Caller,
        api_key: &str,
        fields: WebhookFields,
    ) -> ServiceResult<Webhook> {
        let env = self.webhook_environment(caller, api_key).await?;
        validate(&fields)?;
        Ok(self.store.create_webhook(env.id, &fields).await?)
    }

    /// A webhook of the environment; others are `NotFound`.
    pub async fn webhook(&self, caller: &Caller, api_key: &str, id: i64) -> ServiceResult<Webhook> {
        let env = self.webhook_environment(caller, api_key).await?;
        let hook = self.store.webhook(id).await?;
        if hook.environment_id != env.id {
            return Err(ServiceError::NotFound(None));
        }
        Ok(hook)
    }

    pub async fn update_webhook(
        &self,
        caller: &Caller,
        api_key: &str,
        id: i64,
        url: Option<String>,
        secret: Option<String>,
        enabled: Option<bool>,
    ) -> ServiceResult<Webhook> {
        let hook = self.webhook(caller, api_key, id).await?;
        let fields = WebhookFields {
            url: url.unwrap_or(hook.url),
            secret: secret.unwrap_or(hook.secret),
            enabled: enabled.unwrap_or(hook.enabled),
        };
        validate(&fields)?;
        Ok(self.store.update_webhook(id, &fields).await?)
    }

    pub async fn delete_webhook(
        &self,
        caller: &Caller,
        api_key: &str,
        id: i64,
    ) -> ServiceResult<()> {
        self.webhook(caller, api_key, id).await?;
        Ok(self.store.delete_webhook(id).await?)
    }
}
