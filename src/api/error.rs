//! The one place that knows HTTP errors: every error becomes a Django REST Framework body.
//
// Service errors and poem's own errors become `{"detail": "..."}` or `{"field": ["..."]}`. The
// OpenAPI document declares these answers from here too (`declared`, `schemas`), with examples
// built by the functions that build the bodies.

use poem::http::StatusCode;
use poem::{Body, IntoResponse, Response};
use serde_json::{Value, json};

use crate::service::{FieldErrors, Problem, ServiceError};

const NOT_FOUND: &str = "Not found.";
const FORBIDDEN: &str = "You do not have permission to perform this action.";
const NO_CREDENTIALS: &str = "Authentication credentials were not provided.";
const UNAVAILABLE: &str = "The service is temporarily unavailable. Try again shortly.";

fn throttled(seconds: u64) -> String {
    format!("Request was throttled. Expected available in {seconds} seconds.")
}

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
                let mut response = detail(status, &throttled(*seconds));
                if let Ok(value) = poem::http::HeaderValue::from_str(&seconds.to_string()) {
                    response.headers_mut().insert("retry-after", value);
                }
                response
            }
            ServiceError::Unavailable(why) => {
                // The outage is logged once, by the service; this request only in debug.
                tracing::debug!(reason = %why, "the database is unavailable");
                let mut response = detail(status, UNAVAILABLE);
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

/// What an operation takes, as far as the errors it can be answered with go.
#[derive(Debug, Clone, Copy, Default)]
pub struct Takes {
    /// It asks for credentials: a management token or key (`management`) or an environment key.
    pub credentials: bool,
    pub management: bool,
    /// It names objects: path parameters, or query parameters that may name one.
    pub names_objects: bool,
    pub body: bool,
    /// It hashes a password (sign-in, or a body with a password), which is throttled.
    pub hashes_password: bool,
}

/// One error answer an operation declares: its status, when it is given, and its body's schema
/// (a name in [`schemas`]) with an example built as the answer is.
pub struct Declared {
    pub status: u16,
    pub description: &'static str,
    pub schema: &'static str,
    pub example: Value,
}

/// Every error status an operation can be answered with. A bad `Host` or query string is
/// refused before any handler, so every operation can answer 400, and every one that reads the
/// database 503.
pub fn declared(takes: Takes) -> Vec<Declared> {
    let mut out = vec![Declared {
        status: 400,
        description: "The input is not valid: each field with its messages, or a `detail`.",
        schema: "ValidationError",
        example: field_errors(&FieldErrors::one("name", "This field is required.")),
    }];
    if takes.management {
        out.push(Declared {
            status: 401,
            description: "No credentials, or credentials that are not valid.",
            schema: "ErrorDetail",
            example: detail_body(NO_CREDENTIALS),
        });
    }
    if takes.credentials {
        out.push(Declared {
            status: 403,
            description: "The credentials do not allow this.",
            schema: "ErrorDetail",
            example: detail_body(FORBIDDEN),
        });
    }
    if takes.names_objects {
        out.push(Declared {
            status: 404,
            description: "An object it names does not exist, or is not visible to the caller.",
            schema: "ErrorDetail",
            example: detail_body(NOT_FOUND),
        });
    }
    if takes.body {
        out.push(Declared {
            status: 413,
            description: "The body is over this part of the API's size limit.",
            schema: "ErrorDetail",
            example: detail_body(&format!(
                "Request body is too large: this endpoint accepts at most {} bytes.",
                1 << 20
            )),
        });
        out.push(Declared {
            status: 415,
            description: "The body is not JSON.",
            schema: "ErrorDetail",
            example: detail_body("Unsupported media type \"text/plain\" in request."),
        });
    }
    if takes.hashes_password {
        out.push(Declared {
            status: 429,
            description: "Too many attempts, or every password check is busy: see `Retry-After`.",
            schema: "ErrorDetail",
            example: detail_body(&throttled(30)),
        });
    }
    out.push(Declared {
        status: 503,
        description: "The database cannot be reached: try again after `Retry-After` seconds.",
        schema: "ErrorDetail",
        example: detail_body(UNAVAILABLE),
    });
    out
}

/// The schemas of the error bodies, as OpenAPI components.
pub fn schemas() -> Value {
    json!({
        "ErrorDetail": {
            "type": "object",
            "description": "An error told in one sentence.",
            "required": ["detail"],
            "properties": {"detail": {"type": "string"}},
        },
        "FieldErrors": {
            "type": "object",
            "description": "Bad input by field: each field names a list of messages (a nested \
                            object for nested input); `non_field_errors` is about the whole \
                            body, and `detail` is used when no field is to blame.",
            "properties": {
                "detail": {"type": "string"},
                "non_field_errors": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": {},
        },
        "ErrorList": {
            "type": "array",
            "description": "Bad input told as a list of messages.",
            "items": {"type": "string"},
        },
        "ValidationError": {
            "description": "Bad input, in one of the shapes Django REST Framework answers with.",
            "anyOf": [
                {"$ref": "#/components/schemas/FieldErrors"},
                {"$ref": "#/components/schemas/ErrorList"},
            ],
        },
    })
}

/// A handler's error that the operation declares with one more status than its inputs imply
/// (see [`declared`]): the first-run form's 404 once a user exists, say. Any service error
/// converts into it and answers as always.
pub struct Answers<const STATUS: u16>(poem::Error);

impl<const STATUS: u16> From<ServiceError> for Answers<STATUS> {
    fn from(err: ServiceError) -> Self {
        Answers(err.into())
    }
}

impl<const STATUS: u16> From<Answers<STATUS>> for poem::Error {
    fn from(answer: Answers<STATUS>) -> Self {
        answer.0
    }
}

impl<const STATUS: u16> poem_openapi::ApiResponse for Answers<STATUS> {
    fn meta() -> poem_openapi::registry::MetaResponses {
        use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaSchemaRef};
        poem_openapi::registry::MetaResponses {
            responses: vec![MetaResponse {
                description: match STATUS {
                    403 => "The request is refused as it stands.",
                    404 => "What it asks for is not, or no longer, here.",
                    _ => "An error.",
                },
                status: Some(STATUS),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: "application/json",
                    schema: MetaSchemaRef::Reference("ErrorDetail".into()),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        // The document then replaces it with the one in `schemas`, which says more.
        <ErrorDetail as poem_openapi::types::Type>::register(registry);
    }
}

/// `{"detail": …}`, registered for [`Answers`].
#[derive(poem_openapi::Object)]
struct ErrorDetail {
    detail: String,
}
