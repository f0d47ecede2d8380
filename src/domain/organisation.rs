//! Organisations, their members and their API keys.

use serde::{Deserialize, Serialize};

use super::{OrgApiKeyId, OrganisationId, Timestamp, UserId};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub uuid: String,
    pub name: String,
    pub created_date: Timestamp,
    #[serde(flatten)]
    pub settings: OrganisationSettings,
}

/// The editable part of an organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganisationSettings {
    pub webhook_notification_email: Option<String>,
    pub restrict_project_create_to_admin: bool,
    /// Whether SDK trait writes are stored (upstream `persist_trait_data`).
    pub persist_trait_data: bool,
    pub stop_serving_flags: bool,
    pub force_2fa: bool,
    pub block_access_to_admin: bool,
    pub feature_analytics: bool,
}

impl Default for OrganisationSettings {
    fn default() -> Self {
        OrganisationSettings {
            webhook_notification_email: None,
            restrict_project_create_to_admin: false,
            persist_trait_data: true,
            stop_serving_flags: false,
            force_2fa: false,
            block_access_to_admin: false,
            feature_analytics: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewOrganisation {
    pub name: String,
    pub settings: OrganisationSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Role {
    Admin,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::User => "USER",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "ADMIN" => Some(Role::Admin),
            "USER" => Some(Role::User),
            _ => None,
        }
    }
}

/// A user's place in an organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Membership {
    pub user_id: UserId,
    pub organisation_id: OrganisationId,
    pub role: Role,
    pub date_joined: Timestamp,
}

/// An organisation API key. Only a hash of its secret is kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgApiKey {
    pub id: OrgApiKeyId,
    pub organisation_id: OrganisationId,
    /// The public part before the dot; unique.
    pub prefix: String,
    #[serde(skip)]
    pub hashed_key: String,
    pub name: String,
    pub created: Timestamp,
    pub revoked: bool,
    pub expiry_date: Option<Timestamp>,
    pub is_admin: bool,
    pub created_by: Option<UserId>,
}

impl OrgApiKey {
    pub fn has_expired(&self, now: Timestamp) -> bool {
        self.expiry_date.is_some_and(|at| at <= now)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewOrgApiKey {
    pub organisation_id: OrganisationId,
    pub prefix: String,
    pub hashed_key: String,
    pub name: String,
    pub expiry_date: Option<Timestamp>,
    pub is_admin: bool,
    pub created_by: Option<UserId>,
}

/// The fields of an API key that can change after creation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrgApiKeyPatch {
    pub name: Option<String>,
    pub revoked: Option<bool>,
    pub expiry_date: Option<Option<Timestamp>>,
}
