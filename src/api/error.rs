//! The one place that knows HTTP errors: every error becomes a Django REST Framework body.
//
// Service errors and poem's own errors become `{"detail": "..."}` or `{"field": ["..."]}`.

use poem::http::StatusCode;
use poem::{Body, IntoResponse, Response};
use serde_json::{Value, json};

use crate::service::{FieldErrors, Problem, ServiceError};

const NOT_FOUND: &str = "Not found.";
const FORBIDDEN: &str = "You do not have permission to perform this action.";
const NO_CREDENTIALS: &str = "Authentication credentials were not provided.";

fn json_response(status: StatusCode, body: Value) -> Response {
    let mut response = Response::builder()
        .status(status)
        .content_type("application/json")
        .body(Body::from_vec(
            serde_json::to_vec(&body).unwrap_or_default(),
        ));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            "www-authenticate",
            poem::http::HeaderValue::from_static("Token"),
        );
    }
    response
}

/// A `{"detail": ...}` answer with `status`.
pub fn detail(status: StatusCode, text: &str) -> Response {
    json_response(status, detail_body(text))
}

pub fn field_errors(errors: &FieldErrors) -> Value {
    Value::Object(
        errors
            .0
            .iter()
            .map(|(field, messages)| (field.clone(), json!(messages)))
            .collect(),
    )
}

impl poem::error::ResponseError for ServiceError {
    fn status(&self) -> StatusCode {
        match self {
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServiceError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ServiceError::Invalid(_) => StatusCode::BAD_REQUEST,
            ServiceError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ServiceError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn as_response(&self) -> Response {
        let status = self.status();
        match self {
            ServiceError::NotFound(text) => detail(status, text.as_deref().unwrap_or(NOT_FOUND)),
            ServiceError::Forbidden(text) => detail(status, text.as_deref().unwrap_or(FORBIDDEN)),
            ServiceError::Unauthenticated(text) => detail(status, text),
            ServiceError::Invalid(Problem::Detail(text)) => detail(status, text),
            ServiceError::Invalid(Problem::Fields(errors)) => {
                json_response(status, field_errors(errors))
            }
            ServiceError::Invalid(Problem::List(messages)) => {
                json_response(status, json!(messages))
            }
            ServiceError::Invalid(Problem::Body(body)) => json_response(status, body.clone()),
            ServiceError::Throttled(seconds) => {
                let mut response = detail(
                    status,
                    &format!("Request was throttled. Expected available in {seconds} seconds."),
                );
                if let Ok(value) = poem::http::HeaderValue::from_str(&seconds.to_string()) {
                    response.headers_mut().insert("retry-after", value);
                }
                response
            }
            ServiceError::Unavailable(why) => {
                // The outage is logged once, by the service; this request only in debug.
                tracing::debug!(reason = %why, "the database is unavailable");
                let mut response = detail(
                    status,
                    "The service is temporarily unavailable. Try again shortly.",
                );
                response.headers_mut().insert(
                    "retry-after",
                    poem::http::HeaderValue::from(crate::service::RETRY_AFTER_SECONDS),
                );
                response
            }
            ServiceError::Internal(why) => {
                tracing::error!(error = %why, "internal error");
                detail(status, "A server error occurred.")
            }
        }
    }
}

/// A DRF `{"detail": ...}` body, for the answers upstream gives one with a 200.
pub fn detail_body(text: &str) -> Value {
    json!({ "detail": text })
}

/// The answer for a service error, for the layers that answer before a handler runs.
pub fn response(err: ServiceError) -> Response {
    poem::error::ResponseError::as_response(&err)
}

/// The 413 answer for a body over `limit` bytes.
pub fn too_large(limit: u64) -> Response {
    detail(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("Request body is too large: this endpoint accepts at most {limit} bytes."),
    )
}

/// Turns every error that reaches the top of the routes into a DRF-shaped response.
pub async fn to_response(err: poem::Error) -> Response {
    use poem::error::{MethodNotAllowedError, NotFoundError};
    use poem_openapi::error::{
        AuthorizationError, ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
        ParseRequestPayloadError,
    };
    if let Some(e) = err.downcast_ref::<ServiceError>() {
        return poem::error::ResponseError::as_response(e);
    }
    if let Some(e) = err.downcast_ref::<poem::error::ReadBodyError>()
        && let Some(limit) = super::limits::exceeded(e)
    {
        return too_large(limit);
    }
    if err.is::<NotFoundError>() || err.is::<ParsePathError>() {
        return detail(StatusCode::NOT_FOUND, NOT_FOUND);
    }
    if err.is::<AuthorizationError>() {
        return detail(StatusCode::UNAUTHORIZED, NO_CREDENTIALS);
    }
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return json_response(StatusCode::BAD_REQUEST, json!({ e.name: [e.reason] }));
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return detail(StatusCode::BAD_REQUEST, &e.reason);
    }
    if let Some(e) = err.downcast_ref::<ParseMultipartError>() {
        return detail(StatusCode::BAD_REQUEST, &e.reason);
    }
    if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        let text = match e {
            ContentTypeError::NotSupported { content_type } => {
                format!("Unsupported media type \"{content_type}\" in request.")
            }
            ContentTypeError::ExpectContentType => {
                "Unsupported media type \"\" in request.".to_string()
            }
        };
        return detail(StatusCode::UNSUPPORTED_MEDIA_TYPE, &text);
    }
    if err.is::<MethodNotAllowedError>() {
        return detail(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed.");
    }
    let status = err.status();
    if status.is_server_error() {
        tracing::error!(error = %err, "unhandled error");
        return detail(status, "A server error occurred.");
    }
    let text = status.canonical_reason().unwrap_or("Error").to_string();
    detail(status, &format!("{text}.")).into_response()
}

/// The answer to a request whose handler panicked: a JSON 500 like any other server error.
/// The panic itself is logged by the panic hook; only its message is repeated here.
pub fn panicked(payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "a request handler panicked");
    detail(
        StatusCode::INTERNAL_SERVER_ERROR,
        "A server error occurred.",
    )
}
