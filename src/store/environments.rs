//! Environments of a project, cloned and deleted with their states: the trait and its row mapper.

use super::Result;
use crate::domain::audit::Audit;
use crate::domain::environment::{Environment, EnvironmentSettings, NewEnvironment};
use crate::domain::{EnvironmentId, ProjectId};
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Environments and their server-side keys.
#[async_trait]
pub trait EnvironmentStore: Send + Sync {
    /// Creates an environment and, for every feature of the project, its default state:
    /// enabled as the feature's `default_enabled`, valued by its typed `initial_value`
    /// (disabled and valueless when the project sets `prevent_flag_defaults`), with each
    /// multivariate option's default allocation. `Conflict` when the name is taken in the
    /// project or the API key anywhere; `NotFound` when the project does not exist.
    async fn create_environment(&self, env: &NewEnvironment, audit: &Audit) -> Result<Environment>;

    /// `NotFound` when there is no such environment.
    async fn environment(&self, id: EnvironmentId) -> Result<Environment>;

    /// The environment whose client-side key this is, if any.
    async fn environment_by_api_key(&self, api_key: &str) -> Result<Option<Environment>>;

    /// Every environment's id and `updated_at`, for checking cached snapshots.
    async fn environment_versions(&self) -> Result<Vec<(EnvironmentId, crate::domain::Timestamp)>>;

    /// The project's environments, ordered by id.
    async fn environments_of(&self, project: ProjectId) -> Result<Vec<Environment>>;

    /// Replaces the settings and moves `updated_at`. `Conflict` on a taken name.
    async fn update_environment(
        &self,
        id: EnvironmentId,
        settings: &EnvironmentSettings,
        audit: &Audit,
    ) -> Result<Environment>;

    /// Deletes the environment with its states, overrides, identities and keys.
    async fn delete_environment(&self, id: EnvironmentId, audit: &Audit) -> Result<()>;

    /// A new environment in the same project carrying a copy of every default state and
    /// segment override of `source` (identities and their overrides are not copied).
    /// `Conflict` when the name or key is taken.
    async fn clone_environment(
        &self,
        source: EnvironmentId,
        name: &str,
        api_key: &str,
        audit: &Audit,
    ) -> Result<Environment>;
}

pub(super) const COLUMNS: &str =
    "id, uuid, project_id, api_key, created_date, updated_at, name, description,
    allow_client_traits, hide_disabled_flags, hide_sensitive_data,
    use_identity_composite_key_for_hashing, use_identity_overrides_in_local_eval,
    minimum_change_request_approvals, banner_text, banner_colour";

pub(super) fn environment(row: &dyn Columns) -> Result<Environment> {
    Ok(Environment {
        id: EnvironmentId(row.get(0)?),
        uuid: row.get(1)?,
        project_id: ProjectId(row.get(2)?),
        api_key: row.get(3)?,
        created_date: row.get(4)?,
        updated_at: row.get(5)?,
        settings: EnvironmentSettings {
            name: row.get(6)?,
            description: row.get(7)?,
            allow_client_traits: row.get(8)?,
            hide_disabled_flags: row.get(9)?,
            hide_sensitive_data: row.get(10)?,
            use_identity_composite_key_for_hashing: row.get(11)?,
            use_identity_overrides_in_local_eval: row.get(12)?,
            minimum_change_request_approvals: row.get(13)?,
            banner_text: row.get(14)?,
            banner_colour: row.get(15)?,
        },
    })
}
