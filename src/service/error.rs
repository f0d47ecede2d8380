//! What a use case can answer instead of a result. Only `api/error.rs` turns these into HTTP.

use std::collections::BTreeMap;

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
            Err(ServiceError::Invalid(self))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such object, or one the caller may not know about.
    #[error("not found")]
    NotFound,
    /// 404 with a specific text (upstream spells some).
    #[error("{0}")]
    NotFoundDetail(String),
    /// The caller is known but not allowed.
    #[error("permission denied")]
    Forbidden,
    /// 403 with a specific text.
    #[error("{0}")]
    ForbiddenDetail(String),
    /// No or bad credentials; the text says which.
    #[error("{0}")]
    Unauthenticated(String),
    /// Bad input, per field.
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    /// Bad input as a whole (`{"detail": ...}`).
    #[error("{0}")]
    BadRequest(String),
    /// Bad input described by a body of the caller's making (nested field errors).
    #[error("invalid input: {0}")]
    InvalidBody(serde_json::Value),
    /// Bad input as a bare list of messages (`["..."]`), as some upstream views answer.
    #[error("{0:?}")]
    BadRequestList(Vec<String>),
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
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceError::Invalid(FieldErrors::one(field, message))
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
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

pub type ServiceResult<T> = Result<T, ServiceError>;
