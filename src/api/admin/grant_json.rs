//! The JSON of permission grants: as created or changed, and as the lists show them.

use poem_openapi::Object;

use super::accounts::UserOut;
use super::groups::GroupOut;
use crate::api::values::{Choice, PermissionKey};
use crate::domain::permission::{Grant, Grantee};
use crate::service::{GrantView, GranteeView};

/// A grant to a user, as creating or changing it answers it.
#[derive(Debug, Object)]
pub struct UserGrantOut {
    id: i64,
    user: i64,
    permissions: Vec<Choice<PermissionKey>>,
    admin: bool,
}

/// A grant to a group, as creating or changing it answers it.
#[derive(Debug, Object)]
pub struct GroupGrantOut {
    id: i64,
    group: i64,
    permissions: Vec<Choice<PermissionKey>>,
    admin: bool,
}

fn keys(g: &Grant) -> Vec<Choice<PermissionKey>> {
    g.permissions.iter().cloned().map(Choice::new).collect()
}

fn grantee_id(g: &Grant) -> i64 {
    match g.grantee {
        Grantee::User(u) => u.0,
        Grantee::Group(g) => g.0,
    }
}

impl From<Grant> for UserGrantOut {
    fn from(g: Grant) -> Self {
        UserGrantOut {
            id: g.id.0,
            user: grantee_id(&g),
            permissions: keys(&g),
            admin: g.admin,
        }
    }
}

impl From<Grant> for GroupGrantOut {
    fn from(g: Grant) -> Self {
        GroupGrantOut {
            id: g.id.0,
            group: grantee_id(&g),
            permissions: keys(&g),
            admin: g.admin,
        }
    }
}

/// A grant to a user as the lists show it: the user spelled out.
#[derive(Debug, Object)]
pub struct UserGrantListOut {
    id: i64,
    user: UserOut,
    permissions: Vec<Choice<PermissionKey>>,
    admin: bool,
}

/// A group grant of an environment as listed: the group with its members spelled out.
#[derive(Debug, Object)]
pub struct GroupGrantListOut {
    id: i64,
    group: GroupOut,
    permissions: Vec<Choice<PermissionKey>>,
    admin: bool,
}

/// A group as project and organisation grant lists show it: its members by id.
#[derive(Debug, Object)]
pub struct GroupWithIdsOut {
    id: i64,
    name: String,
    users: Vec<i64>,
    is_default: bool,
    external_id: Option<String>,
}

/// A group grant of a project or an organisation as listed.
#[derive(Debug, Object)]
pub struct GroupIdsGrantListOut {
    id: i64,
    group: GroupWithIdsOut,
    permissions: Vec<Choice<PermissionKey>>,
    admin: bool,
}

impl From<GrantView> for UserGrantListOut {
    fn from(v: GrantView) -> Self {
        let GranteeView::User(user) = v.grantee else {
            unreachable!("user grant lists hold user grants")
        };
        UserGrantListOut {
            id: v.grant.id.0,
            user: user.into(),
            permissions: keys(&v.grant),
            admin: v.grant.admin,
        }
    }
}

impl From<GrantView> for GroupGrantListOut {
    fn from(v: GrantView) -> Self {
        let GranteeView::Group(group) = v.grantee else {
            unreachable!("group grant lists hold group grants")
        };
        GroupGrantListOut {
            id: v.grant.id.0,
            group: group.into(),
            permissions: keys(&v.grant),
            admin: v.grant.admin,
        }
    }
}

impl From<GrantView> for GroupIdsGrantListOut {
    fn from(v: GrantView) -> Self {
        let GranteeView::Group(view) = v.grantee else {
            unreachable!("group grant lists hold group grants")
        };
        GroupIdsGrantListOut {
            id: v.grant.id.0,
            group: GroupWithIdsOut {
                id: view.group.id.0,
                name: view.group.name,
                users: view.members.iter().map(|(u, _)| u.id.0).collect(),
                is_default: view.group.is_default,
                external_id: view.group.external_id,
            },
            permissions: keys(&v.grant),
            admin: v.grant.admin,
        }
    }
}
