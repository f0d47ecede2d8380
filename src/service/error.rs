//! What a use case can answer instead of a result. Only `api/error.rs` turns these into HTTP.

use std::collections::BTreeMap;

use crate::snapshot::SnapshotError;
use crate::store::StoreError;

/// Validation messages per field, as Django REST Framework reports them
/// (`non_field_errors` for the request as a whole).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    /// The first message about the field.
    pub fn message_of(&self, field: &str) -> Option<String> {
        self.0.get(field).and_then(|m| m.first()).cloned()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was added, else the errors.
    pub fn into_result(self) -> Result<(), ServiceError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::invalid_fields(self))
        }
    }
}

/// What is wrong with a request, in the shape upstream answers it with (400).
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Messages per field: `{"name": ["This field is required."]}`.
    Fields(FieldErrors),
    /// The request as a whole: `{"detail": "..."}`.
    Detail(String),
    /// A bare list of messages, `["..."]`, as some upstream views answer.
    List(Vec<String>),
    /// Nested field errors of the caller's making, answered as they are.
    Body(serde_json::Value),
}

/// The kinds of failure that mean different things to a caller; `api/error.rs` gives each its
/// status and body.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such object, or one the caller may not know about; upstream spells some texts.
    #[error("not found")]
    NotFound(Option<String>),
    /// The caller is known but not allowed; upstream spells some texts.
    #[error("permission denied")]
    Forbidden(Option<String>),
    /// No or bad credentials; the text says which.
    #[error("{0}")]
    Unauthenticated(String),
    /// Bad input.
    #[error("invalid input: {0:?}")]
    Invalid(Problem),
    /// Too many attempts; retry after this many seconds.
    #[error("throttled for {0}s")]
    Throttled(u64),
    /// The database cannot be reached right now.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A fault of ours; logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// Bad input in one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid_fields(FieldErrors::one(field, message))
    }

    /// Bad input in several fields.
    pub fn invalid_fields(errors: FieldErrors) -> Self {
        ServiceError::Invalid(Problem::Fields(errors))
    }

    /// Bad input as a whole (`{"detail": ...}`).
    pub fn bad_request(text: impl Into<String>) -> Self {
        ServiceError::Invalid(Problem::Detail(text.into()))
    }

    /// Bad input as a bare list of messages.
    pub fn bad_request_list(messages: Vec<String>) -> Self {
        ServiceError::Invalid(Problem::List(messages))
    }

    /// Bad input described by a body of the caller's making.
    pub fn invalid_body(body: serde_json::Value) -> Self {
        ServiceError::Invalid(Problem::Body(body))
    }

    /// Not found, with upstream's text for it.
    pub fn not_found_with(text: impl Into<String>) -> Self {
        ServiceError::NotFound(Some(text.into()))
    }

    /// Forbidden, with upstream's text for it.
    pub fn forbidden_with(text: impl Into<String>) -> Self {
        ServiceError::Forbidden(Some(text.into()))
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound(None),
            // Services check uniqueness themselves and phrase the message; a conflict that
            // reaches here lost a race and says so generically.
            StoreError::Conflict(what) => {
                tracing::debug!(constraint = %what, "a write lost a uniqueness race");
                ServiceError::invalid(
                    "non_field_errors",
                    "An object with these values already exists.",
                )
            }
            StoreError::Unavailable(why) => ServiceError::Unavailable(why),
            StoreError::Other(why) => ServiceError::Internal(why),
        }
    }
}

impl From<SnapshotError> for ServiceError {
    fn from(e: SnapshotError) -> Self {
        match e {
            SnapshotError::NotFound => ServiceError::NotFound(None),
            SnapshotError::Unavailable(why) => ServiceError::Unavailable(why),
            SnapshotError::Other(why) => ServiceError::Internal(why),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
