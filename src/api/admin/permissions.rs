//! Shapes shared by the permission endpoints of organisations, projects and environments.

use crate::api::values::{self, Choice};
use poem_openapi::Object;

use crate::domain::permission::PermissionKey;
use crate::service::Access;

/// A permission key that can be granted.
#[derive(Debug, Object)]
pub struct PermissionKeyOut {
    key: Choice<values::PermissionKey>,
    description: String,
    supports_tag: bool,
}

impl From<&PermissionKey> for PermissionKeyOut {
    fn from(k: &PermissionKey) -> Self {
        PermissionKeyOut {
            key: Choice::new(k.key),
            description: k.description.to_string(),
            supports_tag: k.supports_tag,
        }
    }
}

#[derive(Debug, Object)]
pub struct TagBasedPermission {
    permissions: Vec<Choice<values::PermissionKey>>,
    tags: Vec<i64>,
}

/// The caller's own permissions on one object.
#[derive(Debug, Object)]
pub struct MyPermissions {
    /// The keys held; an admin holds every key.
    permissions: Vec<Choice<values::PermissionKey>>,
    admin: bool,
    tag_based_permissions: Vec<TagBasedPermission>,
}

impl MyPermissions {
    pub fn of(access: &Access, keys: &[PermissionKey]) -> Self {
        let permissions = if access.admin {
            keys.iter().map(|k| Choice::new(k.key)).collect()
        } else {
            access.keys.iter().map(Choice::new).collect()
        };
        MyPermissions {
            permissions,
            admin: access.admin,
            tag_based_permissions: Vec::new(),
        }
    }
}
