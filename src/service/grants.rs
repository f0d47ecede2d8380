//! Granting permissions on organisations, projects and environments to users and groups.

use std::collections::HashMap;

use super::{Caller, FieldErrors, GroupView, Service, ServiceError, ServiceResult};
use crate::domain::OrganisationId;
use crate::domain::permission::{Grant, GrantId, GrantTarget, Grantee};
use crate::domain::user::User;

/// A grant with its grantee spelled out: the user's record, or the group with its members.
#[derive(Debug, Clone)]
pub struct GrantView {
    pub grant: Grant,
    pub grantee: GranteeView,
}

#[derive(Debug, Clone)]
pub enum GranteeView {
    User(User),
    Group(GroupView),
}

impl Service {
    /// The organisation a target belongs to, after checking the caller administers the target.
    async fn administered(
        &self,
        caller: &Caller,
        target: GrantTarget,
    ) -> ServiceResult<OrganisationId> {
        match target {
            GrantTarget::Organisation(org) => {
                self.require_org_admin(caller, org).await?;
                Ok(org)
            }
            GrantTarget::Project(id) => {
                let (project, access) = self.project_for(caller, id, None).await?;
                if !access.admin {
                    return Err(ServiceError::Forbidden(None));
                }
                Ok(project.organisation_id)
            }
            GrantTarget::Environment(id) => {
                let (project, _, access) = self.environment_by_id_for(caller, id, None).await?;
                if !access.admin {
                    return Err(ServiceError::Forbidden(None));
                }
                Ok(project.organisation_id)
            }
        }
    }

    /// The grants on a target, of users or of groups, with who holds each.
    pub async fn grants(
        &self,
        caller: &Caller,
        target: GrantTarget,
        to_groups: bool,
    ) -> ServiceResult<Vec<GrantView>> {
        let org = self.administered(caller, target).await?;
        let grants = self.store.grants(target).await?;
        let users = self.users_of(org).await?;
        // Group grants name each group with its members; user grants need no groups.
        let groups = if to_groups {
            self.store.groups_of(org).await?
        } else {
            Vec::new()
        };
        let groups: HashMap<_, _> = groups
            .into_iter()
            .map(|group| (group.id, GroupView::of(group, &users)))
            .collect();
        Ok(grants
            .into_iter()
            .filter(|g| matches!(g.grantee, Grantee::Group(_)) == to_groups)
            .filter_map(|grant| {
                let grantee = match grant.grantee {
                    Grantee::User(id) => GranteeView::User(users.get(&id)?.clone()),
                    Grantee::Group(id) => GranteeView::Group(groups.get(&id)?.clone()),
                };
                Some(GrantView { grant, grantee })
            })
            .collect())
    }

    async fn checked_grantee(&self, org: OrganisationId, grantee: Grantee) -> ServiceResult<()> {
        match grantee {
            Grantee::User(user) => {
                if self.store.membership(org, user).await?.is_none() {
                    return Err(ServiceError::invalid(
                        "user",
                        "Invalid pk - object does not exist.",
                    ));
                }
            }
            Grantee::Group(group) => match self.store.group(group).await {
                Ok(g) if g.organisation_id == org => {}
                Ok(_) | Err(crate::store::StoreError::NotFound) => {
                    return Err(ServiceError::invalid(
                        "group",
                        "Invalid pk - object does not exist.",
                    ));
                }
                Err(e) => return Err(e.into()),
            },
        }
        Ok(())
    }

    fn checked_keys(target: GrantTarget, keys: &[String]) -> ServiceResult<()> {
        let mut errors = FieldErrors::default();
        for key in keys {
            if !target.knows(key) {
                errors.add(
                    "permissions",
                    format!("\"{key}\" is not a valid permission key here."),
                );
            }
        }
        errors.into_result()
    }

    pub async fn create_grant(
        &self,
        caller: &Caller,
        target: GrantTarget,
        grantee: Grantee,
        admin: bool,
        keys: &[String],
    ) -> ServiceResult<Grant> {
        let org = self.administered(caller, target).await?;
        Self::checked_keys(target, keys)?;
        self.checked_grantee(org, grantee).await?;
        let field = match grantee {
            Grantee::User(_) => "user",
            Grantee::Group(_) => "group",
        };
        self.store
            .create_grant(target, grantee, admin, keys)
            .await
            .map_err(|e| match e {
                crate::store::StoreError::Conflict(_) => ServiceError::invalid(
                    field,
                    "This grantee already has permissions here; update them instead.",
                ),
                other => other.into(),
            })
    }

    /// A grant on the target; grants elsewhere are `NotFound`.
    async fn own_grant(&self, target: GrantTarget, id: GrantId) -> ServiceResult<Grant> {
        let grant = self.store.grant(target, id).await?;
        if grant.target != target {
            return Err(ServiceError::NotFound(None));
        }
        Ok(grant)
    }

    pub async fn update_grant(
        &self,
        caller: &Caller,
        target: GrantTarget,
        id: GrantId,
        admin: Option<bool>,
        keys: Option<Vec<String>>,
    ) -> ServiceResult<Grant> {
        self.administered(caller, target).await?;
        let grant = self.own_grant(target, id).await?;
        let keys = keys.unwrap_or(grant.permissions);
        Self::checked_keys(target, &keys)?;
        Ok(self
            .store
            .update_grant(target, id, admin.unwrap_or(grant.admin), &keys)
            .await?)
    }

    pub async fn delete_grant(
        &self,
        caller: &Caller,
        target: GrantTarget,
        id: GrantId,
    ) -> ServiceResult<()> {
        self.administered(caller, target).await?;
        self.own_grant(target, id).await?;
        Ok(self.store.delete_grant(target, id).await?)
    }
}
