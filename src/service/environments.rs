//! Environments and their server-side keys.

use super::organisations::check_name;
use super::secrets::random_alphanumeric;
use super::{Access, Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::ProjectId;
use crate::domain::audit::Audit;
use crate::domain::environment::{Environment, EnvironmentSettings, NewEnvironment};
use crate::domain::permission::{GrantTarget, Grantee};
use crate::store::StoreError;

/// The environment settings a request may change; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub allow_client_traits: Option<bool>,
    pub hide_disabled_flags: Option<Option<bool>>,
    pub hide_sensitive_data: Option<bool>,
    pub use_identity_composite_key_for_hashing: Option<bool>,
    pub use_identity_overrides_in_local_eval: Option<bool>,
    pub minimum_change_request_approvals: Option<Option<i32>>,
    pub banner_text: Option<Option<String>>,
    pub banner_colour: Option<Option<String>>,
}

impl EnvironmentPatch {
    fn apply(self, s: &mut EnvironmentSettings) {
        if let Some(v) = self.name {
            s.name = v.trim().to_string();
        }
        if let Some(v) = self.description {
            s.description = v;
        }
        if let Some(v) = self.allow_client_traits {
            s.allow_client_traits = v;
        }
        if let Some(v) = self.hide_disabled_flags {
            s.hide_disabled_flags = v;
        }
        if let Some(v) = self.hide_sensitive_data {
            s.hide_sensitive_data = v;
        }
        if let Some(v) = self.use_identity_composite_key_for_hashing {
            s.use_identity_composite_key_for_hashing = v;
        }
        if let Some(v) = self.use_identity_overrides_in_local_eval {
            s.use_identity_overrides_in_local_eval = v;
        }
        if let Some(v) = self.minimum_change_request_approvals {
            s.minimum_change_request_approvals = v;
        }
        if let Some(v) = self.banner_text {
            s.banner_text = v;
        }
        if let Some(v) = self.banner_colour {
            s.banner_colour = v;
        }
    }
}

const DUPLICATE: &str = "An environment with this name already exists.";

fn validate(s: &EnvironmentSettings) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    check_name(&mut errors, "name", &s.name, 2000);
    if s.description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 20_000)
    {
        errors.add(
            "description",
            "Ensure this field has no more than 20000 characters.",
        );
    }
    if s.banner_colour
        .as_ref()
        .is_some_and(|c| c.chars().count() > 7)
    {
        errors.add(
            "banner_colour",
            "Ensure this field has no more than 7 characters.",
        );
    }
    if s.banner_text
        .as_ref()
        .is_some_and(|t| t.chars().count() > 255)
    {
        errors.add(
            "banner_text",
            "Ensure this field has no more than 255 characters.",
        );
    }
    errors.into_result()
}

fn conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => ServiceError::invalid("non_field_errors", DUPLICATE),
        other => other.into(),
    }
}

/// A new client-side key: 22 letters and digits, like upstream's shortuuid.
fn new_client_key() -> ServiceResult<String> {
    random_alphanumeric(22)
}

impl Service {
    /// The environments of a project that the caller may view, by id.
    pub async fn environments(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> ServiceResult<Vec<Environment>> {
        let (project, access) = self.project_for(caller, project, None).await?;
        let mut visible = Vec::new();
        for env in self.store.environments_of(project.id).await? {
            if access.admin
                || self
                    .environment_access(caller, &project, &env)
                    .await?
                    .allows("VIEW_ENVIRONMENT")
            {
                visible.push(env);
            }
        }
        Ok(visible)
    }

    /// `GET /api/v1/environments/?project=`: a missing, malformed or unknown project is bad input
    /// there, as upstream answers it.
    pub async fn environments_of_param(
        &self,
        caller: &Caller,
        project: Option<&str>,
    ) -> ServiceResult<Vec<Environment>> {
        let invalid = || {
            ServiceError::bad_request_list(vec![
                "Invalid or missing value for project parameter.".into(),
            ])
        };
        let project = project
            .and_then(|p| p.parse::<i64>().ok())
            .ok_or_else(invalid)?;
        match self.environments(caller, ProjectId(project)).await {
            Err(ServiceError::NotFound(_)) => Err(invalid()),
            other => other,
        }
    }

    /// An environment the caller may view, by its uuid.
    pub async fn environment_by_uuid(
        &self,
        caller: &Caller,
        uuid: &str,
    ) -> ServiceResult<Environment> {
        for project in self.projects(caller, None).await? {
            if let Some(env) = self
                .environments(caller, project.id)
                .await?
                .into_iter()
                .find(|e| e.uuid == uuid)
            {
                return Ok(env);
            }
        }
        Err(ServiceError::NotFound(None))
    }

    pub async fn environment(&self, caller: &Caller, api_key: &str) -> ServiceResult<Environment> {
        Ok(self.environment_for(caller, api_key, None).await?.1)
    }

    /// The environment document, for a member who may view the environment.
    pub async fn environment_document(
        &self,
        caller: &Caller,
        api_key: &str,
    ) -> ServiceResult<bytes::Bytes> {
        let env = self.environment(caller, api_key).await?;
        let snapshot = self.snapshots.get(env.id).await?;
        Ok(self.snapshots.document(&snapshot).await?)
    }

    /// The environment with its number of segment overrides.
    pub async fn environment_with_totals(
        &self,
        caller: &Caller,
        api_key: &str,
    ) -> ServiceResult<(Environment, usize)> {
        let env = self.environment(caller, api_key).await?;
        let overrides = self.store.feature_segments(env.id, None).await?.len();
        Ok((env, overrides))
    }

    /// Creates an environment with a state for every feature; the creating user becomes its admin.
    pub async fn create_environment(
        &self,
        caller: &Caller,
        project: ProjectId,
        patch: EnvironmentPatch,
    ) -> ServiceResult<Environment> {
        // A project the caller cannot see is answered as one that does not exist.
        let (project, access) = match self.project_for(caller, project, None).await {
            Ok(found) => found,
            Err(ServiceError::NotFound(_) | ServiceError::Forbidden(_)) => {
                return Err(ServiceError::invalid(
                    "project",
                    "Invalid pk - object does not exist.",
                ));
            }
            Err(e) => return Err(e),
        };
        if !access.allows("CREATE_ENVIRONMENT") {
            return Err(ServiceError::Forbidden(None));
        }
        let mut settings = EnvironmentSettings::named(patch.name.clone().unwrap_or_default());
        patch.apply(&mut settings);
        validate(&settings)?;
        if self
            .store
            .environments_of(project.id)
            .await?
            .iter()
            .any(|e| e.settings.name == settings.name)
        {
            return Err(ServiceError::invalid("non_field_errors", DUPLICATE));
        }
        let new = NewEnvironment {
            project_id: project.id,
            api_key: new_client_key()?,
            settings,
        };
        let audit = Audit::new(
            caller.author(),
            format!("New Environment created: {}", new.settings.name),
        );
        let env = self
            .store
            .create_environment(&new, &audit)
            .await
            .map_err(conflict)?;
        if let Some(user) = caller.user() {
            self.store
                .create_grant(
                    GrantTarget::Environment(env.id),
                    Grantee::User(user.id),
                    true,
                    &[],
                )
                .await?;
        }
        Ok(env)
    }

    pub(super) async fn environment_admin(
        &self,
        caller: &Caller,
        api_key: &str,
    ) -> ServiceResult<(Environment, Access)> {
        let (_, env, access) = self.environment_for(caller, api_key, None).await?;
        if !access.admin {
            return Err(ServiceError::Forbidden(None));
        }
        Ok((env, access))
    }

    pub async fn update_environment(
        &self,
        caller: &Caller,
        api_key: &str,
        patch: EnvironmentPatch,
    ) -> ServiceResult<Environment> {
        let (env, _) = self.environment_admin(caller, api_key).await?;
        let mut settings = env.settings.clone();
        patch.apply(&mut settings);
        validate(&settings)?;
        let audit = Audit::new(
            caller.author(),
            format!("Environment updated: {}", settings.name),
        );
        let updated = self
            .store
            .update_environment(env.id, &settings, &audit)
            .await
            .map_err(conflict)?;
        Ok(updated)
    }

    pub async fn delete_environment(&self, caller: &Caller, api_key: &str) -> ServiceResult<()> {
        let (env, _) = self.environment_admin(caller, api_key).await?;
        let audit = Audit::new(
            caller.author(),
            format!("Environment deleted: {}", env.settings.name),
        );
        self.store.delete_environment(env.id, &audit).await?;
        Ok(())
    }

    /// A copy of the environment with all its feature states, under a new name and key.
    pub async fn clone_environment(
        &self,
        caller: &Caller,
        api_key: &str,
        name: &str,
    ) -> ServiceResult<Environment> {
        let (project, env, _) = self.environment_for(caller, api_key, None).await?;
        let on_project = self.project_access(caller, &project).await?;
        if !on_project.allows("CREATE_ENVIRONMENT") {
            return Err(ServiceError::Forbidden(None));
        }
        let mut errors = FieldErrors::default();
        check_name(&mut errors, "name", name, 2000);
        errors.into_result()?;
        let name = name.trim();
        if self
            .store
            .environments_of(project.id)
            .await?
            .iter()
            .any(|e| e.settings.name == name)
        {
            return Err(ServiceError::invalid("non_field_errors", DUPLICATE));
        }
        let audit = Audit::new(
            caller.author(),
            format!(
                "New Environment created: {name} (cloned from {})",
                env.settings.name
            ),
        );
        let copy = self
            .store
            .clone_environment(env.id, name, &new_client_key()?, &audit)
            .await
            .map_err(conflict)?;
        if let Some(user) = caller.user() {
            self.store
                .create_grant(
                    GrantTarget::Environment(copy.id),
                    Grantee::User(user.id),
                    true,
                    &[],
                )
                .await?;
        }
        Ok(copy)
    }

    pub async fn my_environment_access(
        &self,
        caller: &Caller,
        api_key: &str,
    ) -> ServiceResult<Access> {
        let env = self
            .store
            .environment_by_api_key(api_key)
            .await?
            .ok_or(ServiceError::NotFound(None))?;
        let project = self.store.project(env.project_id).await?;
        self.environment_access(caller, &project, &env).await
    }
}
