//! Webhooks of an environment (its flag changes) and of an organisation (its audit log too).

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::{Created, NoContent};
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::Paginated;
use crate::api::{Tag, datetime};
use crate::domain::OrganisationId;
use crate::domain::environment::{Webhook, WebhookFields};
use crate::domain::webhook::{OrganisationWebhook, OrganisationWebhookFields};
use crate::service::{OrganisationWebhookPatch, Service};

pub struct WebhooksApi;

#[derive(Debug, Object)]
pub struct WebhookOut {
    id: i64,
    url: String,
    enabled: bool,
    created_at: String,
    updated_at: String,
    secret: String,
}

impl From<Webhook> for WebhookOut {
    fn from(w: Webhook) -> Self {
        WebhookOut {
            id: w.id,
            url: w.url,
            enabled: w.enabled,
            created_at: datetime(w.created_at),
            updated_at: datetime(w.updated_at),
            secret: w.secret,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct WebhookIn {
    #[oai(validator(max_length = 200, pattern = r"^https?://\S+$"))]
    url: String,
    #[serde(default)]
    #[oai(default)]
    #[oai(validator(max_length = 255))]
    secret: String,
    enabled: Option<bool>,
}

#[derive(Debug, Object, Deserialize)]
pub struct WebhookUpdate {
    #[oai(validator(max_length = 200, pattern = r"^https?://\S+$"))]
    url: Option<String>,
    #[oai(validator(max_length = 255))]
    secret: Option<String>,
    enabled: Option<bool>,
}

#[OpenApi(tag = "Tag::Webhooks")]
impl WebhooksApi {
    /// The environment's webhooks (environment admins).
    #[oai(path = "/api/v1/environments/:api_key/webhooks/", method = "get")]
    async fn list(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
    ) -> poem::Result<Json<Vec<WebhookOut>>> {
        let hooks = svc.webhooks(auth.caller(), &api_key.0).await?;
        Ok(Json(hooks.into_iter().map(Into::into).collect()))
    }

    /// Adds a webhook for the environment's flag changes (environment admins).
    #[oai(path = "/api/v1/environments/:api_key/webhooks/", method = "post")]
    async fn create(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        body: Body<WebhookIn>,
    ) -> poem::Result<Created<WebhookOut>> {
        let b = body.0;
        let fields = WebhookFields {
            url: b.url,
            secret: b.secret,
            enabled: b.enabled.unwrap_or(true),
        };
        Ok(Created::Created(Json(
            svc.create_webhook(auth.caller(), &api_key.0, fields)
                .await?
                .into(),
        )))
    }

    /// Replaces an environment webhook (environment admins).
    #[oai(path = "/api/v1/environments/:api_key/webhooks/:id/", method = "put")]
    async fn replace(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        body: Body<WebhookUpdate>,
    ) -> poem::Result<Json<WebhookOut>> {
        self.update(svc, auth, api_key, id, body).await
    }

    /// Changes some of an environment webhook's fields (environment admins).
    #[oai(path = "/api/v1/environments/:api_key/webhooks/:id/", method = "patch")]
    async fn update(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        body: Body<WebhookUpdate>,
    ) -> poem::Result<Json<WebhookOut>> {
        let b = body.0;
        let hook = svc
            .update_webhook(auth.caller(), &api_key.0, id.0, b.url, b.secret, b.enabled)
            .await?;
        Ok(Json(hook.into()))
    }

    /// Deletes an environment webhook and its delivery log (environment admins).
    #[oai(
        path = "/api/v1/environments/:api_key/webhooks/:id/",
        method = "delete"
    )]
    async fn delete(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_webhook(auth.caller(), &api_key.0, id.0).await?;
        Ok(NoContent::Done)
    }

    /// The organisation's webhooks (organisation admins).
    #[oai(path = "/api/v1/organisations/:id/webhooks/", method = "get")]
    async fn organisation_list(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Paginated<OrganisationWebhookOut>>> {
        let hooks = svc
            .organisation_webhooks(auth.caller(), OrganisationId(id.0))
            .await?;
        Ok(Json(Paginated::all(
            hooks.into_iter().map(Into::into).collect(),
        )))
    }

    /// Adds a webhook for the organisation's audit log (organisation admins).
    #[oai(path = "/api/v1/organisations/:id/webhooks/", method = "post")]
    async fn organisation_create(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        body: Body<OrganisationWebhookIn>,
    ) -> poem::Result<Created<OrganisationWebhookOut>> {
        let b = body.0;
        let fields = OrganisationWebhookFields {
            name: b.name,
            url: b.url,
            secret: b.secret,
            enabled: b.enabled.unwrap_or(true),
        };
        let hook = svc
            .create_organisation_webhook(auth.caller(), OrganisationId(id.0), fields)
            .await?;
        Ok(Created::Created(Json(hook.into())))
    }

    /// One organisation webhook (organisation admins).
    #[oai(path = "/api/v1/organisations/:id/webhooks/:webhook/", method = "get")]
    async fn organisation_get(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        webhook: Path<i64>,
    ) -> poem::Result<Json<OrganisationWebhookOut>> {
        let hook = svc
            .organisation_webhook(auth.caller(), OrganisationId(id.0), webhook.0)
            .await?;
        Ok(Json(hook.into()))
    }

    /// Replaces an organisation webhook (organisation admins).
    #[oai(path = "/api/v1/organisations/:id/webhooks/:webhook/", method = "put")]
    async fn organisation_replace(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        webhook: Path<i64>,
        body: Body<OrganisationWebhookUpdate>,
    ) -> poem::Result<Json<OrganisationWebhookOut>> {
        self.organisation_update(svc, auth, id, webhook, body).await
    }

    /// Changes some of an organisation webhook's fields (organisation admins).
    #[oai(
        path = "/api/v1/organisations/:id/webhooks/:webhook/",
        method = "patch"
    )]
    async fn organisation_update(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        webhook: Path<i64>,
        body: Body<OrganisationWebhookUpdate>,
    ) -> poem::Result<Json<OrganisationWebhookOut>> {
        let b = body.0;
        let patch = OrganisationWebhookPatch {
            name: b.name,
            url: b.url,
            secret: b.secret,
            enabled: b.enabled,
        };
        let hook = svc
            .update_organisation_webhook(auth.caller(), OrganisationId(id.0), webhook.0, patch)
            .await?;
        Ok(Json(hook.into()))
    }

    /// Deletes an organisation webhook and its delivery log (organisation admins).
    #[oai(
        path = "/api/v1/organisations/:id/webhooks/:webhook/",
        method = "delete"
    )]
    async fn organisation_delete(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        webhook: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_organisation_webhook(auth.caller(), OrganisationId(id.0), webhook.0)
            .await?;
        Ok(NoContent::Done)
    }
}

#[derive(Debug, Object)]
pub struct OrganisationWebhookOut {
    id: i64,
    name: String,
    url: String,
    enabled: bool,
    secret: String,
    created_at: String,
    updated_at: String,
}

impl From<OrganisationWebhook> for OrganisationWebhookOut {
    fn from(w: OrganisationWebhook) -> Self {
        OrganisationWebhookOut {
            id: w.id,
            name: w.name,
            url: w.url,
            enabled: w.enabled,
            secret: w.secret,
            created_at: datetime(w.created_at),
            updated_at: datetime(w.updated_at),
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct OrganisationWebhookIn {
    #[serde(default)]
    #[oai(default)]
    #[oai(validator(max_length = 100))]
    name: String,
    #[oai(validator(max_length = 200, pattern = r"^https?://\S+$"))]
    url: String,
    #[serde(default)]
    #[oai(default)]
    #[oai(validator(max_length = 255))]
    secret: String,
    enabled: Option<bool>,
}

#[derive(Debug, Object, Deserialize)]
pub struct OrganisationWebhookUpdate {
    #[oai(validator(max_length = 100))]
    name: Option<String>,
    #[oai(validator(max_length = 200, pattern = r"^https?://\S+$"))]
    url: Option<String>,
    #[oai(validator(max_length = 255))]
    secret: Option<String>,
    enabled: Option<bool>,
}
