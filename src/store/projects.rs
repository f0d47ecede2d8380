//! Projects of an organisation: the storage trait and how a row reads.

use super::Result;
use crate::domain::audit::Audit;
use crate::domain::project::{Project, ProjectSettings};
use crate::domain::{OrganisationId, ProjectId};
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Projects.
#[async_trait]
pub trait ProjectStore: Send + Sync {
    /// `Conflict` when the organisation has a project of that name; `NotFound` when the
    /// organisation does not exist.
    async fn create_project(
        &self,
        org: OrganisationId,
        settings: &ProjectSettings,
        audit: &Audit,
    ) -> Result<Project>;

    /// `NotFound` when there is no such project.
    async fn project(&self, id: ProjectId) -> Result<Project>;

    /// The organisation's projects, ordered by id.
    async fn projects_of(&self, org: OrganisationId) -> Result<Vec<Project>>;

    /// Replaces the settings and moves `updated_at` of every environment of the project.
    /// `Conflict` on a taken name; `NotFound` when there is no such project.
    async fn update_project(
        &self,
        id: ProjectId,
        settings: &ProjectSettings,
        audit: &Audit,
    ) -> Result<Project>;

    /// Deletes the project with its environments, features, segments and identities.
    /// `NotFound` when there is no such project.
    async fn delete_project(&self, id: ProjectId, audit: &Audit) -> Result<()>;
}

pub(super) const COLUMNS: &str =
    "id, uuid, organisation_id, created_date, name, hide_disabled_flags,
    prevent_flag_defaults, enforce_feature_owners, enable_realtime_updates,
    only_allow_lower_case_feature_names, feature_name_regex, stale_flags_limit_days,
    minimum_change_request_approvals, max_segments_allowed, max_features_allowed,
    max_segment_overrides_allowed";

pub(super) fn project(row: &dyn Columns) -> Result<Project> {
    Ok(Project {
        id: ProjectId(row.get(0)?),
        uuid: row.get(1)?,
        organisation_id: OrganisationId(row.get(2)?),
        created_date: row.get(3)?,
        settings: ProjectSettings {
            name: row.get(4)?,
            hide_disabled_flags: row.get(5)?,
            prevent_flag_defaults: row.get(6)?,
            enforce_feature_owners: row.get(7)?,
            enable_realtime_updates: row.get(8)?,
            only_allow_lower_case_feature_names: row.get(9)?,
            feature_name_regex: row.get(10)?,
            stale_flags_limit_days: row.get(11)?,
            minimum_change_request_approvals: row.get(12)?,
            max_segments_allowed: row.get(13)?,
            max_features_allowed: row.get(14)?,
            max_segment_overrides_allowed: row.get(15)?,
        },
    })
}
