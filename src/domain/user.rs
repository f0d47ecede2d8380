//! Users of the dashboard and the management API, and their login tokens.

use serde::Serialize;

use super::{Timestamp, UserId};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: UserId,
    pub uuid: String,
    /// Lower-cased; unique.
    pub email: String,
    /// An argon2 PHC string; `None` for a user who cannot log in with a password.
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub is_active: bool,
    pub is_superuser: bool,
    pub date_joined: Timestamp,
    pub last_login: Option<Timestamp>,
    pub sign_up_type: Option<String>,
    pub marketing_consent_given: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub email: String,
    pub password_hash: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub is_superuser: bool,
    pub sign_up_type: Option<String>,
    pub marketing_consent_given: bool,
}

/// The fields a user may change on themselves.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserPatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub marketing_consent_given: Option<bool>,
}

/// Normalises an email address for storage and lookup, as upstream does on sign-up.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Failed logins counted against one key (an account, or a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    pub failures: u32,
    pub locked_until: Option<Timestamp>,
}

impl LoginFailures {
    pub fn is_locked(&self, now: Timestamp) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}
