//! Environments and their server-side SDK keys.

use serde::Serialize;

use super::{EnvironmentId, ProjectId, ServerKeyId, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Environment {
    pub id: EnvironmentId,
    pub uuid: String,
    pub project_id: ProjectId,
    /// The client-side SDK key; unique across the installation.
    pub api_key: String,
    pub created_date: Timestamp,
    /// Moves on every change that can alter what the SDKs see.
    pub updated_at: Timestamp,
    #[serde(flatten)]
    pub settings: EnvironmentSettings,
}

/// The editable part of an environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvironmentSettings {
    /// Unique within the project.
    pub name: String,
    pub description: Option<String>,
    pub allow_client_traits: bool,
    /// `None` defers to the project's setting.
    pub hide_disabled_flags: Option<bool>,
    pub hide_sensitive_data: bool,
    pub use_identity_composite_key_for_hashing: bool,
    pub use_identity_overrides_in_local_eval: bool,
    pub minimum_change_request_approvals: Option<i32>,
    pub banner_text: Option<String>,
    pub banner_colour: Option<String>,
}

impl EnvironmentSettings {
    /// Upstream's defaults for a new environment.
    pub fn named(name: impl Into<String>) -> Self {
        EnvironmentSettings {
            name: name.into(),
            description: None,
            allow_client_traits: true,
            hide_disabled_flags: None,
            hide_sensitive_data: false,
            use_identity_composite_key_for_hashing: true,
            use_identity_overrides_in_local_eval: true,
            minimum_change_request_approvals: None,
            banner_text: None,
            banner_colour: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEnvironment {
    pub project_id: ProjectId,
    pub api_key: String,
    pub settings: EnvironmentSettings,
}

/// A server-side SDK key (`ser.…`) of an environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerKey {
    pub id: ServerKeyId,
    pub environment_id: EnvironmentId,
    /// Unique across the installation.
    pub key: String,
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub active: bool,
}

impl ServerKey {
    /// Whether SDK requests may use the key at `now` (Flagstaff checks; upstream does not).
    pub fn is_valid(&self, now: Timestamp) -> bool {
        self.active && self.expires_at.is_none_or(|at| at > now)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewServerKey {
    pub environment_id: EnvironmentId,
    pub key: String,
    pub name: String,
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServerKeyPatch {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub expires_at: Option<Option<Timestamp>>,
}

/// Where an environment's flag changes are posted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    pub id: i64,
    pub environment_id: EnvironmentId,
    pub url: String,
    /// Signs each delivery (HMAC-SHA256) when not empty.
    pub secret: String,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The settable part of a webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookFields {
    pub url: String,
    pub secret: String,
    pub enabled: bool,
}
