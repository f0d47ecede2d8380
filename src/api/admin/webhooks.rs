//! Webhooks: `/api/v1/environments/{env_key}/webhooks/…` (an environment's flag changes),
//! `/api/v1/organisations/{id}/webhooks/…` (an organisation's audit log and flag changes), their
//! delivery logs, and `/api/v1/webhooks/test/`.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::{Created, NoContent};
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::{Paginated, page_request};
use crate::api::{Tag, datetime};
use crate::domain::OrganisationId;
use crate::domain::environment::{Webhook, WebhookFields};
use crate::domain::webhook::{Delivery, OrganisationWebhook, OrganisationWebhookFields};
use crate::service::{OrganisationWebhookPatch, Service, ServiceError, TestScope};

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

    /// An environment webhook's deliveries, newest first: the outbox and the delivery log.
    #[oai(
        path = "/api/v1/environments/:api_key/webhooks/:id/deliveries/",
        method = "get"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn deliveries(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        req: &Request,
        api_key: Path<String>,
        id: Path<i64>,
        page: Query<Option<String>>,
        page_size: Query<Option<String>>,
    ) -> poem::Result<Json<Paginated<DeliveryOut>>> {
        let request = page_request(page.0, page_size.0, 100)?;
        let found = svc
            .webhook_deliveries(auth.caller(), &api_key.0, id.0, request)
            .await?;
        Ok(Json(Paginated::page(req, request, found, Into::into)))
    }

    /// The organisation's webhooks (organisation admins).
    #[oai(path = "/api/v1/organisations/:id/webhooks/", method = "get")]
    async fn organisation_list(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Vec<OrganisationWebhookOut>>> {
        let hooks = svc
            .organisation_webhooks(auth.caller(), OrganisationId(id.0))
            .await?;
        Ok(Json(hooks.into_iter().map(Into::into).collect()))
    }

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

    /// An organisation webhook's deliveries, newest first: the outbox and the delivery log.
    #[oai(
        path = "/api/v1/organisations/:id/webhooks/:webhook/deliveries/",
        method = "get"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn organisation_deliveries(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        req: &Request,
        id: Path<i64>,
        webhook: Path<i64>,
        page: Query<Option<String>>,
        page_size: Query<Option<String>>,
    ) -> poem::Result<Json<Paginated<DeliveryOut>>> {
        let request = page_request(page.0, page_size.0, 100)?;
        let found = svc
            .organisation_webhook_deliveries(
                auth.caller(),
                OrganisationId(id.0),
                webhook.0,
                request,
            )
            .await?;
        Ok(Json(Paginated::page(req, request, found, Into::into)))
    }

    /// Posts a `TEST` event to a URL now, signed with the secret given, and tells how the
    /// receiver answered: 200 when it answered 2xx, 400 otherwise. Admins of the scope only.
    #[oai(path = "/api/v1/webhooks/test/", method = "post")]
    async fn test(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        body: Body<WebhookTestIn>,
    ) -> poem::Result<WebhookTestResponse> {
        let b = body.0;
        let scope = match b.scope.kind.as_str() {
            "organisation" => match b.scope.id.as_i64() {
                Some(id) => TestScope::Organisation(OrganisationId(id)),
                None => return Err(bad_scope_id().into()),
            },
            "environment" => match &b.scope.id {
                serde_json::Value::String(key) => TestScope::Environment(key.clone()),
                serde_json::Value::Number(n) => TestScope::Environment(n.to_string()),
                _ => return Err(bad_scope_id().into()),
            },
            _ => {
                return Err(ServiceError::invalid(
                    "scope",
                    "type must be \"organisation\" or \"environment\".",
                )
                .into());
            }
        };
        let attempt = svc
            .test_webhook(auth.caller(), &b.webhook_url, scope, &b.secret)
            .await?;
        let out = WebhookTestOut {
            status: attempt.code,
            detail: match (&attempt.error, attempt.code) {
                (Some(e), _) => e.clone(),
                (None, Some(code)) => format!("The webhook answered {code}."),
                (None, None) => "The webhook did not answer.".into(),
            },
        };
        Ok(if attempt.delivered() {
            WebhookTestResponse::Delivered(Json(out))
        } else {
            WebhookTestResponse::NotDelivered(Json(WebhookTestFailure {
                status: out.status,
                detail: Some(out.detail),
            }))
        })
    }
}

fn bad_scope_id() -> ServiceError {
    ServiceError::invalid(
        "scope",
        "id must be an organisation id, or an environment id or API key.",
    )
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
    name: String,
    url: String,
    #[serde(default)]
    #[oai(default)]
    secret: String,
    enabled: Option<bool>,
}

#[derive(Debug, Object, Deserialize)]
pub struct OrganisationWebhookUpdate {
    name: Option<String>,
    url: Option<String>,
    secret: Option<String>,
    enabled: Option<bool>,
}

/// One event posted (or to be posted) to one webhook.
#[derive(Debug, Object)]
pub struct DeliveryOut {
    id: i64,
    /// `FLAG_UPDATED`, `FLAG_DELETED` or `AUDIT_LOG_CREATED`.
    event_type: String,
    /// `pending` (in the outbox), `delivered` or `failed` (given up).
    status: String,
    /// Attempts made so far.
    attempts: i32,
    /// The receiver's status code on the last attempt, if it answered.
    response_code: Option<i32>,
    /// Why the last attempt failed, if it did.
    error: Option<String>,
    created_at: String,
    /// When the last attempt ended.
    updated_at: String,
    /// When a pending delivery is tried next.
    next_attempt_at: Option<String>,
    /// The body as posted.
    payload: String,
}

impl From<Delivery> for DeliveryOut {
    fn from(d: Delivery) -> Self {
        let pending = d.state == crate::domain::webhook::DeliveryState::Pending;
        DeliveryOut {
            id: d.id,
            event_type: d.event_type,
            status: d.state.as_str().into(),
            attempts: d.attempts,
            response_code: d.response_code,
            error: d.error,
            created_at: datetime(d.created_at),
            updated_at: datetime(d.updated_at),
            next_attempt_at: pending.then(|| datetime(d.next_attempt_at)),
            payload: d.payload,
        }
    }
}

/// Where a test post is made from.
#[derive(Debug, Object, Deserialize)]
pub struct WebhookTestScope {
    /// `organisation` or `environment`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    kind: String,
    /// The organisation's id, or the environment's id or API key.
    id: serde_json::Value,
}

#[derive(Debug, Object, Deserialize)]
pub struct WebhookTestIn {
    webhook_url: String,
    scope: WebhookTestScope,
    #[serde(default)]
    #[oai(default)]
    secret: String,
}

#[derive(Debug, Object)]
pub struct WebhookTestOut {
    /// The receiver's status code, if it answered.
    status: Option<i32>,
    detail: String,
}

/// A test post that did not get a 2xx. Bad input is a 400 too, with the fields named instead
/// (`{"webhook_url": ["Enter a valid URL."]}`), so neither field is required here.
#[derive(Debug, Object)]
pub struct WebhookTestFailure {
    /// The receiver's status code, if it answered.
    status: Option<i32>,
    detail: Option<String>,
}

#[derive(ApiResponse)]
pub enum WebhookTestResponse {
    /// The receiver answered 2xx.
    #[oai(status = 200)]
    Delivered(Json<WebhookTestOut>),
    /// The receiver answered otherwise, or could not be reached.
    #[oai(status = 400)]
    NotDelivered(Json<WebhookTestFailure>),
}
