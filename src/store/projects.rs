use async_trait::async_trait;

use super::Result;
use crate::domain::audit::Audit;
use crate::domain::project::{Project, ProjectSettings};
use crate::domain::{OrganisationId, ProjectId};

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
