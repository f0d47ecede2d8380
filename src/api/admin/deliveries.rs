//! Webhook deliveries: each webhook's outbox and delivery log, and `/api/v1/webhooks/test/`.

use super::query_params::{Integer, Param};
use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::error::Answers;
use crate::api::pagination::{Paginated, page_request};
use crate::api::values::{Choice, IdOrKey, WebhookScopeType};
use crate::api::{Tag, datetime};
use crate::domain::OrganisationId;
use crate::domain::webhook::Delivery;
use crate::service::{Service, ServiceError, TestScope};

pub struct DeliveriesApi;

#[OpenApi(tag = "Tag::Webhooks")]
impl DeliveriesApi {
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
        page: Query<Param<Integer>>,
        page_size: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<DeliveryOut>>> {
        let request = page_request(page.0.into_text(), page_size.0.into_text(), 100)?;
        let found = svc
            .webhook_deliveries(auth.caller(), &api_key.0, id.0, request)
            .await?;
        Ok(Json(Paginated::page(req, request, found, Into::into)))
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
        page: Query<Param<Integer>>,
        page_size: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<DeliveryOut>>> {
        let request = page_request(page.0.into_text(), page_size.0.into_text(), 100)?;
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
    ) -> Result<WebhookTestResponse, Answers<404>> {
        let b = body.0;
        let scope = match b.scope.kind.as_str() {
            "organisation" => match b.scope.id.as_i64() {
                Some(id) => TestScope::Organisation(OrganisationId(id)),
                None => return Err(bad_scope_id().into()),
            },
            "environment" => match &*b.scope.id {
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
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    kind: Choice<WebhookScopeType>,
    /// The organisation's id, or the environment's id or API key.
    id: IdOrKey,
}

#[derive(Debug, Object, Deserialize)]
pub struct WebhookTestIn {
    #[oai(validator(max_length = 200, pattern = r"^https?://\S+$"))]
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
