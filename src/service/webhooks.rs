//! Webhooks of environments and organisations, their delivery logs, and test posts.

use super::deliveries::{Attempt, Dispatcher, Sender};
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::environment::{Environment, Webhook, WebhookFields};
use crate::domain::webhook::{
    Delivery, OrganisationWebhook, OrganisationWebhookFields, TEST, Target, body,
};
use crate::domain::{OrganisationId, Page, PageRequest};

/// What `POST /api/v1/webhooks/test/` posts to, and for whom.
#[derive(Debug, Clone, PartialEq)]
pub enum TestScope {
    /// An environment, by API key or id.
    Environment(String),
    Organisation(OrganisationId),
}

fn validate(fields: &WebhookFields) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    check_url(&mut errors, &fields.url);
    if fields.secret.chars().count() > 255 {
        errors.add(
            "secret",
            "Ensure this field has no more than 255 characters.",
        );
    }
    errors.into_result()
}

fn validate_organisation(fields: &OrganisationWebhookFields) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    check_url(&mut errors, &fields.url);
    if fields.name.chars().count() > 100 {
        errors.add("name", "Ensure this field has no more than 100 characters.");
    }
    if fields.secret.chars().count() > 255 {
        errors.add(
            "secret",
            "Ensure this field has no more than 255 characters.",
        );
    }
    errors.into_result()
}

fn check_url(errors: &mut FieldErrors, url: &str) {
    check_url_as(errors, "url", url);
}

fn check_url_as(errors: &mut FieldErrors, field: &str, url: &str) {
    let url = url.trim();
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    let host = url.split("://").nth(1).unwrap_or_default();
    if !scheme_ok || host.is_empty() || url.chars().any(char::is_whitespace) {
        errors.add(field, "Enter a valid URL.");
    } else if url.chars().count() > 200 {
        errors.add(field, "Ensure this field has no more than 200 characters.");
    }
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

    /// One page of an environment webhook's deliveries, newest first.
    pub async fn webhook_deliveries(
        &self,
        caller: &Caller,
        api_key: &str,
        id: i64,
        page: PageRequest,
    ) -> ServiceResult<Page<Delivery>> {
        self.webhook(caller, api_key, id).await?;
        Ok(self.store.deliveries(Target::Environment(id), page).await?)
    }

    pub async fn organisation_webhooks(
        &self,
        caller: &Caller,
        org: OrganisationId,
    ) -> ServiceResult<Vec<OrganisationWebhook>> {
        self.require_org_admin(caller, org).await?;
        Ok(self.store.organisation_webhooks(org).await?)
    }

    pub async fn create_organisation_webhook(
        &self,
        caller: &Caller,
        org: OrganisationId,
        fields: OrganisationWebhookFields,
    ) -> ServiceResult<OrganisationWebhook> {
        self.require_org_admin(caller, org).await?;
        validate_organisation(&fields)?;
        Ok(self.store.create_organisation_webhook(org, &fields).await?)
    }

    /// A webhook of the organisation; others are `NotFound`.
    pub async fn organisation_webhook(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: i64,
    ) -> ServiceResult<OrganisationWebhook> {
        self.require_org_admin(caller, org).await?;
        let hook = self.store.organisation_webhook(id).await?;
        if hook.organisation_id != org {
            return Err(ServiceError::NotFound(None));
        }
        Ok(hook)
    }

    pub async fn update_organisation_webhook(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: i64,
        patch: OrganisationWebhookPatch,
    ) -> ServiceResult<OrganisationWebhook> {
        let hook = self.organisation_webhook(caller, org, id).await?;
        let fields = OrganisationWebhookFields {
            name: patch.name.unwrap_or(hook.name),
            url: patch.url.unwrap_or(hook.url),
            secret: patch.secret.unwrap_or(hook.secret),
            enabled: patch.enabled.unwrap_or(hook.enabled),
        };
        validate_organisation(&fields)?;
        Ok(self.store.update_organisation_webhook(id, &fields).await?)
    }

    pub async fn delete_organisation_webhook(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: i64,
    ) -> ServiceResult<()> {
        self.organisation_webhook(caller, org, id).await?;
        Ok(self.store.delete_organisation_webhook(id).await?)
    }

    /// One page of an organisation webhook's deliveries, newest first.
    pub async fn organisation_webhook_deliveries(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: i64,
        page: PageRequest,
    ) -> ServiceResult<Page<Delivery>> {
        self.organisation_webhook(caller, org, id).await?;
        Ok(self
            .store
            .deliveries(Target::Organisation(id), page)
            .await?)
    }

    /// Posts a `TEST` event to `url` now (not through the outbox), as the caller's webhook in
    /// `scope` would be posted: signed with `secret`, under the same address rules.
    pub async fn test_webhook(
        &self,
        caller: &Caller,
        url: &str,
        scope: TestScope,
        secret: &str,
    ) -> ServiceResult<Attempt> {
        let data = match &scope {
            TestScope::Organisation(org) => {
                self.require_org_admin(caller, *org).await?;
                serde_json::json!({"organisation": {"id": org.0}, "message": TEST_MESSAGE})
            }
            TestScope::Environment(key) => {
                let env = self.test_environment(caller, key).await?;
                serde_json::json!({
                    "environment": {"id": env.id.0, "name": env.settings.name},
                    "message": TEST_MESSAGE,
                })
            }
        };
        let mut errors = FieldErrors::default();
        check_url_as(&mut errors, "webhook_url", url);
        errors.into_result()?;
        let sender = Sender::new(&self.policy.webhooks);
        let text = body(TEST, data);
        Ok(sender
            .send(url.trim().to_string(), text, secret.to_string())
            .await)
    }

    /// The environment a test names by API key or id, if the caller administers it.
    async fn test_environment(&self, caller: &Caller, key: &str) -> ServiceResult<Environment> {
        if let Ok(id) = key.parse::<i64>() {
            let (_, env, access) = self
                .environment_by_id_for(caller, crate::domain::EnvironmentId(id), None)
                .await?;
            if !access.admin {
                return Err(ServiceError::Forbidden(None));
            }
            return Ok(env);
        }
        self.webhook_environment(caller, key).await
    }

    /// The dispatcher that sends this service's webhook deliveries; run it on the runtime.
    pub fn webhook_dispatcher(&self) -> Dispatcher {
        Dispatcher::new(
            self.store.clone(),
            self.clock.clone(),
            self.policy.webhooks.clone(),
            self.deliveries.clone(),
        )
    }
}

const TEST_MESSAGE: &str = "This is a test webhook from Flagstaff.";

/// The fields of an organisation webhook a PUT or PATCH names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrganisationWebhookPatch {
    pub name: Option<String>,
    pub url: Option<String>,
    pub secret: Option<String>,
    pub enabled: Option<bool>,
}
