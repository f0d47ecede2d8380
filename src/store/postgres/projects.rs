//! Projects of an organisation, in PostgreSQL.

use super::PostgresStore;
use super::Tx;
use super::audit::record;
use super::rows::{Conn, all, exec, one};
use crate::domain::audit::Audit;
use crate::domain::project::{Project, ProjectSettings};
use crate::domain::{OrganisationId, ProjectId, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::projects::{COLUMNS, project};
use crate::store::{ProjectStore, Result};
use async_trait::async_trait;

pub(super) async fn find(client: &impl Conn, id: ProjectId) -> Result<Project> {
    one(
        client,
        &format!("SELECT {COLUMNS} FROM projects WHERE id = $1"),
        &[&id.0],
        project,
    )
    .await
}

#[async_trait]
impl ProjectStore for PostgresStore {
    async fn create_project(
        &self,
        org: OrganisationId,
        settings: &ProjectSettings,
        audit: &Audit,
    ) -> Result<Project> {
        let (s, now) = (settings, self.now());
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let id: i64 = one(&tx, "INSERT INTO projects (uuid, organisation_id, created_date, name, hide_disabled_flags,
                     prevent_flag_defaults, enforce_feature_owners, enable_realtime_updates,
                     only_allow_lower_case_feature_names, feature_name_regex, stale_flags_limit_days,
                     minimum_change_request_approvals, max_segments_allowed, max_features_allowed,
                     max_segment_overrides_allowed)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id", &[
                    &new_uuid(),
                    &org.0,
                    &now,
                    &s.name,
                    &s.hide_disabled_flags,
                    &s.prevent_flag_defaults,
                    &s.enforce_feature_owners,
                    &s.enable_realtime_updates,
                    &s.only_allow_lower_case_feature_names,
                    &s.feature_name_regex,
                    &s.stale_flags_limit_days,
                    &s.minimum_change_request_approvals,
                    &s.max_segments_allowed,
                    &s.max_features_allowed,
                    &s.max_segment_overrides_allowed,
                ], |r| r.get(0)).await?;
        let created = find(&tx, ProjectId(id)).await?;
        let change = Change::created(
            audit,
            "Project",
            id,
            Some(&created.uuid),
            Scope::Project(created.id),
        );
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn project(&self, id: ProjectId) -> Result<Project> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn projects_of(&self, org: OrganisationId) -> Result<Vec<Project>> {
        let client = self.client().await?;
        all(
            &client,
            &format!("SELECT {COLUMNS} FROM projects WHERE organisation_id = $1 ORDER BY id"),
            &[&org.0],
            project,
        )
        .await
    }

    async fn update_project(
        &self,
        id: ProjectId,
        settings: &ProjectSettings,
        audit: &Audit,
    ) -> Result<Project> {
        let (s, now) = (settings, self.now());
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let before = find(&tx, id).await?;
        exec(
            &tx,
            "UPDATE projects SET name = $1, hide_disabled_flags = $2, prevent_flag_defaults = $3,
                     enforce_feature_owners = $4, enable_realtime_updates = $5,
                     only_allow_lower_case_feature_names = $6, feature_name_regex = $7,
                     stale_flags_limit_days = $8, minimum_change_request_approvals = $9,
                     max_segments_allowed = $10, max_features_allowed = $11,
                     max_segment_overrides_allowed = $12
                 WHERE id = $13",
            &[
                &s.name,
                &s.hide_disabled_flags,
                &s.prevent_flag_defaults,
                &s.enforce_feature_owners,
                &s.enable_realtime_updates,
                &s.only_allow_lower_case_feature_names,
                &s.feature_name_regex,
                &s.stale_flags_limit_days,
                &s.minimum_change_request_approvals,
                &s.max_segments_allowed,
                &s.max_features_allowed,
                &s.max_segment_overrides_allowed,
                &id.0,
            ],
        )
        .await?;
        let after = find(&tx, id).await?;
        let change = Change::updated(
            audit,
            "Project",
            id.0,
            Some(&after.uuid),
            Scope::Project(id),
            &before,
            &after,
        );
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(after)
    }

    async fn delete_project(&self, id: ProjectId, audit: &Audit) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let project = find(&tx, id).await?;
        let change = Change::deleted(
            audit,
            "Project",
            id.0,
            Some(&project.uuid),
            Scope::Project(id),
        );
        record(&tx, now, &change).await?;
        exec(&tx, "DELETE FROM projects WHERE id = $1", &[&id.0]).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
