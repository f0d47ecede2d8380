//! Groups of users in an organisation and their members.

use std::collections::HashMap;

use super::organisations::check_name;
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::permission::{Group, GroupId, NewGroup};
use crate::domain::user::User;
use crate::domain::{OrganisationId, UserId};
use crate::store::StoreError;

/// A group with its members' user records, each with whether they administer the group.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub group: Group,
    pub members: Vec<(User, bool)>,
}

const DUPLICATE_GROUP: &str = "A group with this name already exists in the organisation.";

fn group_conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => ServiceError::invalid("name", DUPLICATE_GROUP),
        other => other.into(),
    }
}

impl GroupView {
    /// The group with its members' records, from the organisation's users.
    pub(super) fn of(group: Group, users: &HashMap<UserId, User>) -> GroupView {
        GroupView {
            members: group
                .members
                .iter()
                .filter_map(|m| Some((users.get(&m.user_id)?.clone(), m.group_admin)))
                .collect(),
            group,
        }
    }
}

impl Service {
    /// The organisation's members' user records, by id.
    pub(super) async fn users_of(
        &self,
        org: OrganisationId,
    ) -> ServiceResult<HashMap<UserId, User>> {
        let members = self.store.members(org).await?;
        Ok(members
            .into_iter()
            .map(|(user, _)| (user.id, user))
            .collect())
    }

    /// The groups (of one organisation) with their members' user records.
    pub async fn group_views(&self, groups: Vec<Group>) -> ServiceResult<Vec<GroupView>> {
        let Some(org) = groups.first().map(|g| g.organisation_id) else {
            return Ok(Vec::new());
        };
        let users = self.users_of(org).await?;
        Ok(groups
            .into_iter()
            .map(|g| GroupView::of(g, &users))
            .collect())
    }

    /// Admins, and holders of `MANAGE_USER_GROUPS`, manage groups.
    async fn require_group_manager(
        &self,
        caller: &Caller,
        org: OrganisationId,
    ) -> ServiceResult<()> {
        if self
            .org_access(caller, org)
            .await?
            .allows("MANAGE_USER_GROUPS")
        {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(None))
        }
    }

    pub async fn groups(&self, caller: &Caller, org: OrganisationId) -> ServiceResult<Vec<Group>> {
        self.org_role(caller, org).await?;
        Ok(self.store.groups_of(org).await?)
    }

    /// The caller's own groups in the organisation.
    pub async fn my_groups(
        &self,
        caller: &Caller,
        org: OrganisationId,
    ) -> ServiceResult<Vec<Group>> {
        self.org_role(caller, org).await?;
        match caller.user() {
            Some(user) => Ok(self.store.groups_of_user(org, user.id).await?),
            None => Ok(Vec::new()),
        }
    }

    /// A group of the organisation; groups elsewhere are `NotFound`.
    pub async fn group(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: GroupId,
    ) -> ServiceResult<Group> {
        self.org_role(caller, org).await?;
        let group = self.store.group(id).await?;
        if group.organisation_id != org {
            return Err(ServiceError::NotFound(None));
        }
        Ok(group)
    }

    pub async fn create_group(
        &self,
        caller: &Caller,
        org: OrganisationId,
        name: &str,
        is_default: bool,
        external_id: Option<String>,
    ) -> ServiceResult<Group> {
        self.require_group_manager(caller, org).await?;
        let mut errors = FieldErrors::default();
        check_name(&mut errors, "name", name, 200);
        errors.into_result()?;
        let new = NewGroup {
            organisation_id: org,
            name: name.trim().to_string(),
            is_default,
            external_id,
        };
        self.store.create_group(&new).await.map_err(group_conflict)
    }

    pub async fn update_group(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: GroupId,
        name: Option<String>,
        is_default: Option<bool>,
    ) -> ServiceResult<Group> {
        self.require_group_manager(caller, org).await?;
        let group = self.group(caller, org, id).await?;
        let name = name.unwrap_or(group.name);
        let mut errors = FieldErrors::default();
        check_name(&mut errors, "name", &name, 200);
        errors.into_result()?;
        self.store
            .update_group(
                id,
                name.trim(),
                is_default.unwrap_or(group.is_default),
                group.external_id.as_deref(),
            )
            .await
            .map_err(group_conflict)
    }

    pub async fn delete_group(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: GroupId,
    ) -> ServiceResult<()> {
        self.require_group_manager(caller, org).await?;
        self.group(caller, org, id).await?;
        Ok(self.store.delete_group(id).await?)
    }

    /// Adds or removes members; every user must belong to the organisation.
    pub async fn change_group_members(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: GroupId,
        users: &[UserId],
        add: bool,
    ) -> ServiceResult<Group> {
        self.require_group_manager(caller, org).await?;
        self.group(caller, org, id).await?;
        if add {
            for user in users {
                if self.store.membership(org, *user).await?.is_none() {
                    return Err(ServiceError::invalid(
                        "user_ids",
                        format!("User {user} is not a member of this organisation."),
                    ));
                }
            }
            Ok(self.store.add_group_members(id, users).await?)
        } else {
            Ok(self.store.remove_group_members(id, users).await?)
        }
    }

    pub async fn set_group_admin(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: GroupId,
        user: UserId,
        admin: bool,
    ) -> ServiceResult<Group> {
        self.require_group_manager(caller, org).await?;
        self.group(caller, org, id).await?;
        Ok(self.store.set_group_admin(id, user, admin).await?)
    }
}
