//! Permissions: upstream's keys per level, grants to users and groups, groups and invitations.

use serde::Serialize;

use super::organisation::Role;
use super::{EnvironmentId, OrganisationId, ProjectId, Timestamp, UserId};

/// What a grant applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum GrantTarget {
    Organisation(OrganisationId),
    Project(ProjectId),
    Environment(EnvironmentId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct GroupId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct GrantId(pub i64);

/// Who a grant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Grantee {
    User(UserId),
    Group(GroupId),
}

/// Permission keys (and admin) granted on one target to one user or group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grant {
    pub id: GrantId,
    pub target: GrantTarget,
    pub grantee: Grantee,
    pub admin: bool,
    /// Sorted, without duplicates.
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub id: GroupId,
    pub organisation_id: OrganisationId,
    /// Unique within the organisation.
    pub name: String,
    /// New members of the organisation join default groups.
    pub is_default: bool,
    pub external_id: Option<String>,
    /// Ordered by user id.
    pub members: Vec<GroupMember>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupMember {
    pub user_id: UserId,
    pub group_admin: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewGroup {
    pub organisation_id: OrganisationId,
    pub name: String,
    pub is_default: bool,
    pub external_id: Option<String>,
}

/// An invitation for one email address; accepting it (by its hash) joins the organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invite {
    pub id: i64,
    pub organisation_id: OrganisationId,
    pub email: String,
    pub role: Role,
    pub hash: String,
    pub invited_by: Option<UserId>,
    pub date_created: Timestamp,
}

/// A reusable invitation link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InviteLink {
    pub id: i64,
    pub organisation_id: OrganisationId,
    pub role: Role,
    pub hash: String,
    pub date_created: Timestamp,
    pub expires_at: Option<Timestamp>,
}

/// A permission key as the permission-list endpoints describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermissionKey {
    pub key: &'static str,
    pub description: &'static str,
    pub supports_tag: bool,
}

const fn key(key: &'static str, description: &'static str, supports_tag: bool) -> PermissionKey {
    PermissionKey {
        key,
        description,
        supports_tag,
    }
}

pub const ORGANISATION_KEYS: &[PermissionKey] = &[
    key(
        "CREATE_PROJECT",
        "Allows the user to create projects in this organisation.",
        false,
    ),
    key(
        "MANAGE_USER_GROUPS",
        "Allows the user to manage the groups in the organisation and their members.",
        false,
    ),
];

pub const PROJECT_KEYS: &[PermissionKey] = &[
    key(
        "VIEW_PROJECT",
        "View permission for the given project.",
        false,
    ),
    key(
        "CREATE_ENVIRONMENT",
        "Ability to create an environment in the given project.",
        false,
    ),
    key(
        "DELETE_FEATURE",
        "Ability to delete features in the given project.",
        true,
    ),
    key(
        "CREATE_FEATURE",
        "Ability to create features in the given project.",
        false,
    ),
    key(
        "EDIT_FEATURE",
        "Ability to edit features in the given project.",
        true,
    ),
    key(
        "MANAGE_SEGMENTS",
        "Ability to manage segments in the given project.",
        false,
    ),
    key(
        "VIEW_AUDIT_LOG",
        "Allows the user to view the audit logs for this project.",
        false,
    ),
    key(
        "MANAGE_TAGS",
        "Allows the user to manage tags in the given project.",
        false,
    ),
    key(
        "MANAGE_PROJECT_LEVEL_CHANGE_REQUESTS",
        "Ability to manage change requests associated with a project.",
        false,
    ),
    key(
        "APPROVE_PROJECT_LEVEL_CHANGE_REQUESTS",
        "Ability to approve project level change requests.",
        false,
    ),
    key(
        "CREATE_PROJECT_LEVEL_CHANGE_REQUESTS",
        "Ability to create project level change requests.",
        false,
    ),
];

pub const ENVIRONMENT_KEYS: &[PermissionKey] = &[
    key(
        "VIEW_ENVIRONMENT",
        "View permission for the given environment.",
        false,
    ),
    key(
        "UPDATE_FEATURE_STATE",
        "Update the state or value for a given feature state.",
        true,
    ),
    key(
        "MANAGE_IDENTITIES",
        "Manage identities in the given environment.",
        false,
    ),
    key(
        "VIEW_IDENTITIES",
        "View identities in the given environment.",
        false,
    ),
    key(
        "CREATE_CHANGE_REQUEST",
        "Permission to create change requests in the given environment.",
        true,
    ),
    key(
        "APPROVE_CHANGE_REQUEST",
        "Permission to approve change requests in the given environment.",
        true,
    ),
    key(
        "MANAGE_SEGMENT_OVERRIDES",
        "Permission to manage segment overrides in the given environment.",
        false,
    ),
];

impl GrantTarget {
    /// The keys that may be granted on this kind of target.
    pub fn keys(&self) -> &'static [PermissionKey] {
        match self {
            GrantTarget::Organisation(_) => ORGANISATION_KEYS,
            GrantTarget::Project(_) => PROJECT_KEYS,
            GrantTarget::Environment(_) => ENVIRONMENT_KEYS,
        }
    }

    /// Whether `key` may be granted on this kind of target.
    pub fn knows(&self, key: &str) -> bool {
        self.keys().iter().any(|k| k.key == key)
    }
}

/// Sorts and de-duplicates a list of keys, the form grants are stored in.
pub fn normalise_keys(keys: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = keys
        .iter()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}
