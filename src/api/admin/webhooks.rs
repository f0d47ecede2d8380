//! `/api/v1/environments/{env_key}/webhooks/…`: where an environment's flag changes are posted.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::{Created, NoContent};
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::{Tag, datetime};
use crate::domain::environment::{Webhook, WebhookFields};
use crate::service::Service;

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
    url: String,
    #[serde(default)]
    secret: String,
    enabled: Option<bool>,
}

#[derive(Debug, Object, Deserialize)]
pub struct WebhookUpdate {
    url: Option<String>,
    secret: Option<String>,
    enabled: Option<bool>,
}

#[OpenApi(tag = "Tag::Environments")]
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
}
