//! OFREP (OpenFeature Remote Evaluation Protocol v0.3.0): one flag or all of them.
//
// `POST /ofrep/v1/evaluate/flags/{key}` for one flag and `POST /ofrep/v1/evaluate/flags` for all
// of them (with an `ETag`), authenticated by an environment key in `X-API-Key` or
// `Authorization: Bearer`.

mod body;

use std::sync::Arc;

use md5::{Digest, Md5};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object, OpenApi, SecurityScheme};
use serde_json::Value;

use self::body::OfrepBody;
use crate::api::Tag;
use crate::api::values::Scalar;
use crate::service::{OfrepFlag, Service, ofrep_context};

/// An environment key (client-side, or server-side `ser.…`) in `X-API-Key`.
#[derive(SecurityScheme)]
#[oai(
    rename = "OFREP-Api-Key",
    ty = "api_key",
    key_name = "X-API-Key",
    key_in = "header",
    checker = "accept_key"
)]
pub struct OfrepApiKey(String);

async fn accept_key(_req: &Request, key: poem_openapi::auth::ApiKey) -> Option<String> {
    Some(key.key)
}

/// An environment key as a bearer token.
#[derive(SecurityScheme)]
#[oai(rename = "OFREP-Bearer", ty = "bearer", checker = "accept_bearer")]
pub struct OfrepBearer(String);

async fn accept_bearer(_req: &Request, bearer: poem_openapi::auth::Bearer) -> Option<String> {
    Some(bearer.token)
}

#[derive(SecurityScheme)]
pub enum OfrepAuth {
    ApiKey(OfrepApiKey),
    Bearer(OfrepBearer),
    #[oai(fallback)]
    Missing,
}

impl OfrepAuth {
    fn key(&self) -> Option<&str> {
        match self {
            OfrepAuth::ApiKey(OfrepApiKey(k)) | OfrepAuth::Bearer(OfrepBearer(k)) => Some(k),
            OfrepAuth::Missing => None,
        }
    }
}

/// A flag's evaluation.
#[derive(Debug, Object)]
pub struct OfrepSuccess {
    key: String,
    /// The feature's value, or whether it is enabled when it has none.
    value: Scalar,
    /// `STATIC`, `TARGETING_MATCH`, `SPLIT` or `DISABLED`.
    reason: String,
    /// The multivariate option's key, `control`, or `enabled`/`disabled`.
    variant: String,
}

impl From<OfrepFlag> for OfrepSuccess {
    fn from(f: OfrepFlag) -> Self {
        OfrepSuccess {
            key: f.key,
            value: f.value.into(),
            reason: f.reason.to_string(),
            variant: f.variant,
        }
    }
}

/// Why one flag could not be evaluated.
#[derive(Debug, Object)]
pub struct OfrepFlagError {
    key: String,
    /// `FLAG_NOT_FOUND`, `PARSE_ERROR`, `INVALID_CONTEXT`, `TARGETING_KEY_MISSING` or `GENERAL`.
    #[oai(rename = "errorCode")]
    error_code: String,
    #[oai(rename = "errorDetails")]
    error_details: Option<String>,
}

/// Why a whole request could not be evaluated.
#[derive(Debug, Object)]
pub struct OfrepRequestError {
    #[oai(rename = "errorCode")]
    error_code: String,
    #[oai(rename = "errorDetails")]
    error_details: Option<String>,
}

#[derive(Debug, Object)]
pub struct OfrepBulk {
    flags: Vec<OfrepSuccess>,
    /// Where to hear that the flags changed (client-side keys only): a Server-Sent Events
    /// stream of `refetchEvaluation` messages.
    #[oai(rename = "eventStreams", skip_serializing_if_is_none)]
    event_streams: Option<Vec<OfrepEventStream>>,
}

/// A stream of change events (OFREP `eventStreams`).
#[derive(Debug, Object)]
pub struct OfrepEventStream {
    /// Always `sse`.
    #[oai(rename = "type")]
    kind: String,
    endpoint: OfrepEndpoint,
}

/// An address on this server's origin.
#[derive(Debug, Object)]
pub struct OfrepEndpoint {
    #[oai(rename = "requestUri")]
    request_uri: String,
}

#[derive(ApiResponse)]
pub enum SingleAnswer {
    /// The flag's evaluation.
    #[oai(status = 200)]
    Ok(Json<OfrepSuccess>),
    /// A malformed body or context.
    #[oai(status = 400)]
    BadRequest(Json<OfrepFlagError>),
    /// No environment key.
    #[oai(status = 401)]
    Unauthorized(Json<OfrepRequestError>),
    /// The key names no environment that serves flags.
    #[oai(status = 403)]
    Forbidden(Json<OfrepRequestError>),
    /// No such flag for this key.
    #[oai(status = 404)]
    NotFound(Json<OfrepFlagError>),
}

#[derive(ApiResponse)]
pub enum BulkAnswer {
    /// Every flag's evaluation.
    #[oai(status = 200)]
    Ok(Json<OfrepBulk>, #[oai(header = "ETag")] String),
    /// Unchanged since the `ETag` sent in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
    /// A malformed body or context.
    #[oai(status = 400)]
    BadRequest(Json<OfrepRequestError>),
    /// No environment key.
    #[oai(status = 401)]
    Unauthorized(Json<OfrepRequestError>),
    /// The key names no environment that serves flags.
    #[oai(status = 403)]
    Forbidden(Json<OfrepRequestError>),
}

/// A request-level failure, before any flag is looked at.
enum Refusal {
    Parse(String),
    InvalidContext(String),
    Unauthorized,
    Forbidden,
}

impl Refusal {
    fn code(&self) -> &'static str {
        match self {
            Refusal::Parse(_) => "PARSE_ERROR",
            Refusal::InvalidContext(_) => "INVALID_CONTEXT",
            Refusal::Unauthorized | Refusal::Forbidden => "GENERAL",
        }
    }

    fn details(&self) -> String {
        match self {
            Refusal::Parse(d) | Refusal::InvalidContext(d) => d.clone(),
            Refusal::Unauthorized => {
                "an environment key is required in X-API-Key or Authorization: Bearer".into()
            }
            Refusal::Forbidden => "the key names no environment that serves flags".into(),
        }
    }

    fn request_error(&self) -> Json<OfrepRequestError> {
        Json(OfrepRequestError {
            error_code: self.code().into(),
            error_details: Some(self.details()),
        })
    }
}

/// The evaluated flags, or why there are none.
async fn evaluate(
    svc: &Service,
    auth: &OfrepAuth,
    body: OfrepBody,
) -> poem::Result<Result<Vec<OfrepFlag>, Refusal>> {
    let Some(key) = auth.key().map(str::trim).filter(|k| !k.is_empty()) else {
        return Ok(Err(Refusal::Unauthorized));
    };
    let Some(sdk) = svc.ofrep_environment(key).await? else {
        return Ok(Err(Refusal::Forbidden));
    };
    let body = match body.0 {
        Ok(body) => body,
        Err(e) => return Ok(Err(Refusal::Parse(e))),
    };
    let context = match &body {
        Value::Null => None,
        Value::Object(m) => m.get("context"),
        _ => return Ok(Err(Refusal::Parse("the body must be a JSON object".into()))),
    };
    let context = match ofrep_context(context) {
        Ok(c) => c,
        Err(e) => return Ok(Err(Refusal::InvalidContext(e))),
    };
    let flags = svc.ofrep_flags(&sdk, &context).await?;
    Ok(Ok(flags))
}

pub struct OfrepApi;

#[OpenApi(tag = "Tag::Sdk")]
impl OfrepApi {
    /// Evaluate one flag for the context (OFREP single-flag evaluation).
    #[oai(path = "/ofrep/v1/evaluate/flags/:key", method = "post")]
    async fn one(
        &self,
        svc: Data<&Arc<Service>>,
        auth: OfrepAuth,
        key: Path<String>,
        body: OfrepBody,
    ) -> poem::Result<SingleAnswer> {
        let flags = match evaluate(&svc, &auth, body).await? {
            Ok(flags) => flags,
            Err(refusal) => {
                return Ok(match refusal {
                    Refusal::Unauthorized => SingleAnswer::Unauthorized(refusal.request_error()),
                    Refusal::Forbidden => SingleAnswer::Forbidden(refusal.request_error()),
                    _ => SingleAnswer::BadRequest(Json(OfrepFlagError {
                        key: key.0,
                        error_code: refusal.code().into(),
                        error_details: Some(refusal.details()),
                    })),
                });
            }
        };
        Ok(match flags.into_iter().find(|f| f.key == key.0) {
            Some(flag) => SingleAnswer::Ok(Json(flag.into())),
            None => SingleAnswer::NotFound(Json(OfrepFlagError {
                error_details: Some(format!("flag '{}' was not found", key.0)),
                key: key.0,
                error_code: "FLAG_NOT_FOUND".into(),
            })),
        })
    }

    /// Evaluate every flag for the context (OFREP bulk evaluation); answers 304 when the
    /// result's `ETag` matches `If-None-Match`.
    #[oai(path = "/ofrep/v1/evaluate/flags", method = "post")]
    async fn all(
        &self,
        svc: Data<&Arc<Service>>,
        auth: OfrepAuth,
        #[oai(name = "If-None-Match")] if_none_match: Header<Option<String>>,
        body: OfrepBody,
    ) -> poem::Result<BulkAnswer> {
        let flags = match evaluate(&svc, &auth, body).await? {
            Ok(flags) => flags,
            Err(refusal) => {
                return Ok(match refusal {
                    Refusal::Unauthorized => BulkAnswer::Unauthorized(refusal.request_error()),
                    Refusal::Forbidden => BulkAnswer::Forbidden(refusal.request_error()),
                    _ => BulkAnswer::BadRequest(refusal.request_error()),
                });
            }
        };
        // A server-side key stays out of addresses (and so out of access logs).
        let event_streams = auth
            .key()
            .map(str::trim)
            .filter(|k| !k.starts_with("ser."))
            .map(|key| {
                vec![OfrepEventStream {
                    kind: "sse".into(),
                    endpoint: OfrepEndpoint {
                        request_uri: super::realtime::ofrep_stream_uri(key),
                    },
                }]
            });
        let bulk = OfrepBulk {
            flags: flags.into_iter().map(Into::into).collect(),
            event_streams,
        };
        let etag = etag(&bulk);
        let matches = if_none_match
            .0
            .is_some_and(|sent| sent.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
        Ok(if matches {
            BulkAnswer::NotModified(etag)
        } else {
            BulkAnswer::Ok(Json(bulk), etag)
        })
    }
}

/// A strong entity tag of the answer's content.
fn etag(bulk: &OfrepBulk) -> String {
    let mut hasher = Md5::new();
    for flag in &bulk.flags {
        hasher.update(flag.key.as_bytes());
        hasher.update([0]);
        hasher.update(flag.value.to_string().as_bytes());
        hasher.update([0]);
        hasher.update(flag.reason.as_bytes());
        hasher.update([0]);
        hasher.update(flag.variant.as_bytes());
        hasher.update([1]);
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("\"{digest}\"")
}
