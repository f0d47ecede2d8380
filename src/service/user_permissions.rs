//! What one user holds on an organisation, project or environment, and where each comes from.
//
// What one user holds on an organisation, project or environment, and where each comes from:
// their own grant, their groups' grants, or being an organisation (or project) admin. Read
// by the user themself or by an admin of the object.

use std::collections::BTreeMap;

use super::{Access, Caller, Service, ServiceError, ServiceResult};
use crate::domain::organisation::Role;
use crate::domain::permission::{Grant, GrantTarget, Grantee, GroupId};
use crate::domain::project::Project;
use crate::domain::{OrganisationId, ProjectId, UserId};

/// Where one permission (or admin) comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derivation {
    /// The user's own grant gives it (an organisation admin holds everything directly).
    pub directly: bool,
    /// The groups, by id with their names, whose grants give it.
    pub groups: Vec<(GroupId, String)>,
}

impl Derivation {
    pub fn holds(&self) -> bool {
        self.directly || !self.groups.is_empty()
    }

    fn add(&mut self, group: Option<&(GroupId, String)>) {
        match group {
            None => self.directly = true,
            Some(g) if !self.groups.contains(g) => self.groups.push(g.clone()),
            Some(_) => {}
        }
    }
}

/// A user's permissions on one object, each with its sources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailedAccess {
    pub admin: Derivation,
    /// The keys granted, sorted.
    pub keys: BTreeMap<String, Derivation>,
}

impl DetailedAccess {
    /// What the user holds, sources left out.
    pub fn access(&self) -> Access {
        Access {
            admin: self.admin.holds(),
            keys: self.keys.keys().cloned().collect(),
        }
    }

    fn absorb(&mut self, grant: &Grant, group: Option<&(GroupId, String)>) {
        if grant.admin {
            self.admin.add(group);
        }
        for key in &grant.permissions {
            self.keys.entry(key.clone()).or_default().add(group);
        }
    }
}

/// Whether the caller is the user asked about.
fn is_self(caller: &Caller, user: UserId) -> bool {
    caller.user().is_some_and(|u| u.id == user)
}

impl Service {
    /// A member's permissions on the organisation: for its admins, or the user themself.
    /// `NotFound` for a user outside it.
    pub async fn user_organisation_access(
        &self,
        caller: &Caller,
        org: OrganisationId,
        user: UserId,
    ) -> ServiceResult<DetailedAccess> {
        let role = self.org_role(caller, org).await?;
        if !(role == Role::Admin || is_self(caller, user)) {
            return Err(ServiceError::Forbidden(None));
        }
        let membership = self
            .store
            .membership(org, user)
            .await?
            .ok_or(ServiceError::NotFound(None))?;
        let mut held = DetailedAccess::default();
        held.admin.directly = membership.role == Role::Admin;
        self.absorb_grants(&mut held, GrantTarget::Organisation(org), user)
            .await?;
        Ok(held)
    }

    /// A member's permissions on a project. Project admins may ask about anyone; with
    /// `self_allowed`, a user may ask about themself. `NotFound` for a user outside the
    /// project's organisation.
    pub async fn user_project_access(
        &self,
        caller: &Caller,
        project: ProjectId,
        user: UserId,
        self_allowed: bool,
    ) -> ServiceResult<DetailedAccess> {
        let (project, access) = self.project_for(caller, project, None).await?;
        if !(access.admin || (self_allowed && is_self(caller, user))) {
            return Err(ServiceError::Forbidden(None));
        }
        self.held_on_project(&project, user).await
    }

    /// A member's permissions on an environment (by client key): for the environment's
    /// admins, or the user themself. Project admin makes an environment admin.
    pub async fn user_environment_access(
        &self,
        caller: &Caller,
        api_key: &str,
        user: UserId,
    ) -> ServiceResult<DetailedAccess> {
        let (project, env, access) = self.environment_for(caller, api_key, None).await?;
        if !(access.admin || is_self(caller, user)) {
            return Err(ServiceError::Forbidden(None));
        }
        let on_project = self.held_on_project(&project, user).await?;
        let mut held = DetailedAccess {
            admin: on_project.admin,
            keys: BTreeMap::new(),
        };
        self.absorb_grants(&mut held, GrantTarget::Environment(env.id), user)
            .await?;
        Ok(held)
    }

    async fn held_on_project(
        &self,
        project: &Project,
        user: UserId,
    ) -> ServiceResult<DetailedAccess> {
        let membership = self
            .store
            .membership(project.organisation_id, user)
            .await?
            .ok_or(ServiceError::NotFound(None))?;
        let mut held = DetailedAccess::default();
        held.admin.directly = membership.role == Role::Admin;
        self.absorb_grants(&mut held, GrantTarget::Project(project.id), user)
            .await?;
        Ok(held)
    }

    async fn absorb_grants(
        &self,
        held: &mut DetailedAccess,
        target: GrantTarget,
        user: UserId,
    ) -> ServiceResult<()> {
        for grant in self.store.grants_for_user(target, user).await? {
            let group = match grant.grantee {
                Grantee::User(_) => None,
                Grantee::Group(id) => Some((id, self.store.group(id).await?.name)),
            };
            held.absorb(&grant, group.as_ref());
        }
        Ok(())
    }
}
