//! Who may do what: organisation roles, and project and environment permissions.
//
// Who may do what: organisation roles, and project and environment permissions from the
// caller's own grants and their groups'. Organisation admins may do everything in their
// organisation; project admins everything in the project's environments.
//
// Objects in an organisation the caller does not belong to answer `NotFound`, so their
// existence does not leak; a member without the needed permission gets `Forbidden`.

use std::collections::BTreeSet;

use super::{Caller, Service, ServiceError, ServiceResult};
use crate::domain::environment::Environment;
use crate::domain::organisation::Role;
use crate::domain::permission::GrantTarget;
use crate::domain::project::Project;
use crate::domain::{EnvironmentId, OrganisationId, ProjectId};

/// What a caller holds on a project or environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    pub admin: bool,
    pub keys: BTreeSet<String>,
}

impl Access {
    pub fn full() -> Self {
        Access {
            admin: true,
            keys: BTreeSet::new(),
        }
    }

    pub fn allows(&self, key: &str) -> bool {
        self.admin || self.keys.contains(key)
    }

    fn absorb(&mut self, admin: bool, keys: &[String]) {
        self.admin |= admin;
        self.keys.extend(keys.iter().cloned());
    }
}

impl Service {
    /// The caller's role in the organisation; `NotFound` when they do not belong to it.
    pub async fn org_role(&self, caller: &Caller, org: OrganisationId) -> ServiceResult<Role> {
        match caller {
            Caller::ApiKey(key) if key.organisation_id == org && key.is_admin => Ok(Role::Admin),
            Caller::ApiKey(key) if key.organisation_id == org => Ok(Role::User),
            Caller::ApiKey(_) => Err(ServiceError::NotFound(None)),
            Caller::User(user) => match self.store.membership(org, user.id).await? {
                Some(m) => Ok(m.role),
                None => Err(ServiceError::NotFound(None)),
            },
        }
    }

    /// `Forbidden` for a member who is not an admin.
    pub async fn require_org_admin(
        &self,
        caller: &Caller,
        org: OrganisationId,
    ) -> ServiceResult<()> {
        match self.org_role(caller, org).await? {
            Role::Admin => Ok(()),
            Role::User => Err(ServiceError::Forbidden(None)),
        }
    }

    /// Organisation-level keys the caller holds (`CREATE_PROJECT`, `MANAGE_USER_GROUPS`).
    pub async fn org_access(&self, caller: &Caller, org: OrganisationId) -> ServiceResult<Access> {
        if self.org_role(caller, org).await? == Role::Admin {
            return Ok(Access::full());
        }
        self.granted(caller, GrantTarget::Organisation(org)).await
    }

    /// The caller's access to a project; `NotFound` outside their organisations.
    pub async fn project_access(
        &self,
        caller: &Caller,
        project: &Project,
    ) -> ServiceResult<Access> {
        if self.org_role(caller, project.organisation_id).await? == Role::Admin {
            return Ok(Access::full());
        }
        self.granted(caller, GrantTarget::Project(project.id)).await
    }

    /// The caller's access to an environment; project admins hold everything.
    pub async fn environment_access(
        &self,
        caller: &Caller,
        project: &Project,
        env: &Environment,
    ) -> ServiceResult<Access> {
        let on_project = self.project_access(caller, project).await?;
        if on_project.admin {
            return Ok(Access::full());
        }
        self.granted(caller, GrantTarget::Environment(env.id)).await
    }

    async fn granted(&self, caller: &Caller, target: GrantTarget) -> ServiceResult<Access> {
        let mut access = Access::default();
        if let Caller::User(user) = caller {
            for grant in self.store.grants_for_user(target, user.id).await? {
                access.absorb(grant.admin, &grant.permissions);
            }
        }
        Ok(access)
    }

    /// A project the caller may see (`VIEW_PROJECT`), holding `key` when one is named.
    pub async fn project_for(
        &self,
        caller: &Caller,
        id: ProjectId,
        key: Option<&str>,
    ) -> ServiceResult<(Project, Access)> {
        let project = self.store.project(id).await?;
        let access = self.project_access(caller, &project).await?;
        if !access.allows("VIEW_PROJECT") {
            return Err(ServiceError::Forbidden(None));
        }
        if let Some(key) = key
            && !access.allows(key)
        {
            return Err(ServiceError::Forbidden(None));
        }
        Ok((project, access))
    }

    /// An environment (by client key) the caller may see (`VIEW_ENVIRONMENT`), holding `key`
    /// when one is named; with its project.
    pub async fn environment_for(
        &self,
        caller: &Caller,
        api_key: &str,
        key: Option<&str>,
    ) -> ServiceResult<(Project, Environment, Access)> {
        let env = self
            .store
            .environment_by_api_key(api_key)
            .await?
            .ok_or(ServiceError::NotFound(None))?;
        self.environment_checked(caller, env, key).await
    }

    /// Like `environment_for`, by id.
    pub async fn environment_by_id_for(
        &self,
        caller: &Caller,
        id: EnvironmentId,
        key: Option<&str>,
    ) -> ServiceResult<(Project, Environment, Access)> {
        let env = self.store.environment(id).await?;
        self.environment_checked(caller, env, key).await
    }

    /// Whether the caller may see the project. A body naming an object of a project the
    /// caller cannot see is answered as for an id that names nothing, so that its existence
    /// does not leak; only a visible one may get a more specific message.
    pub(crate) async fn sees_project(&self, caller: &Caller, id: ProjectId) -> ServiceResult<bool> {
        match self.project_for(caller, id, None).await {
            Ok(_) => Ok(true),
            Err(ServiceError::NotFound(_) | ServiceError::Forbidden(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Like `sees_project`, for an environment and, when `keys` names any, what one of them
    /// lets the caller see in it.
    pub(crate) async fn sees_environment(
        &self,
        caller: &Caller,
        id: EnvironmentId,
        keys: &[&str],
    ) -> ServiceResult<bool> {
        match self.environment_by_id_for(caller, id, None).await {
            Ok((_, _, access)) => Ok(keys.is_empty() || keys.iter().any(|k| access.allows(k))),
            Err(ServiceError::NotFound(_) | ServiceError::Forbidden(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn environment_checked(
        &self,
        caller: &Caller,
        env: Environment,
        key: Option<&str>,
    ) -> ServiceResult<(Project, Environment, Access)> {
        let project = self.store.project(env.project_id).await?;
        let access = self.environment_access(caller, &project, &env).await?;
        if !access.allows("VIEW_ENVIRONMENT") {
            return Err(ServiceError::Forbidden(None));
        }
        if let Some(key) = key
            && !access.allows(key)
        {
            return Err(ServiceError::Forbidden(None));
        }
        Ok((project, env, access))
    }
}
