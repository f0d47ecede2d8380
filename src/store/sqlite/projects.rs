//! Projects of an organisation, in SQLite.

use super::SqliteStore;
use super::audit::record;
use super::rows::{all, exec, one, ts};
use crate::domain::audit::Audit;
use crate::domain::project::{Project, ProjectSettings};
use crate::domain::{OrganisationId, ProjectId, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::projects::{COLUMNS, project};
use crate::store::{ProjectStore, Result};
use async_trait::async_trait;
use rusqlite::{Connection, params};

pub(super) fn find(conn: &Connection, id: ProjectId) -> Result<Project> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM projects WHERE id = ?"),
        [id.0],
        project,
    )
}

#[async_trait]
impl ProjectStore for SqliteStore {
    async fn create_project(
        &self,
        org: OrganisationId,
        settings: &ProjectSettings,
        audit: &Audit,
    ) -> Result<Project> {
        let (s, audit, now) = (settings.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let id: i64 = one(tx, "INSERT INTO projects (uuid, organisation_id, created_date, name, hide_disabled_flags,
                         prevent_flag_defaults, enforce_feature_owners, enable_realtime_updates,
                         only_allow_lower_case_feature_names, feature_name_regex, stale_flags_limit_days,
                         minimum_change_request_approvals, max_segments_allowed, max_features_allowed,
                         max_segment_overrides_allowed)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", params![
                        new_uuid(),
                        org.0,
                        ts(now),
                        s.name,
                        s.hide_disabled_flags,
                        s.prevent_flag_defaults,
                        s.enforce_feature_owners,
                        s.enable_realtime_updates,
                        s.only_allow_lower_case_feature_names,
                        s.feature_name_regex,
                        s.stale_flags_limit_days,
                        s.minimum_change_request_approvals,
                        s.max_segments_allowed,
                        s.max_features_allowed,
                        s.max_segment_overrides_allowed,
                    ], |r| r.get(0))?;
            let created = find(tx, ProjectId(id))?;
            let change = Change::created(&audit, "Project", id, Some(&created.uuid), Scope::Project(created.id));
            record(tx, now, &change)?;
            Ok(created)
        })
        .await
    }

    async fn project(&self, id: ProjectId) -> Result<Project> {
        self.read(move |c| find(c, id)).await
    }

    async fn projects_of(&self, org: OrganisationId) -> Result<Vec<Project>> {
        self.read(move |c| {
            all(
                c,
                &format!("SELECT {COLUMNS} FROM projects WHERE organisation_id = ? ORDER BY id"),
                [org.0],
                project,
            )
        })
        .await
    }

    async fn update_project(
        &self,
        id: ProjectId,
        settings: &ProjectSettings,
        audit: &Audit,
    ) -> Result<Project> {
        let (s, audit, now) = (settings.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let before = find(tx, id)?;
            exec(tx, "UPDATE projects SET name = ?, hide_disabled_flags = ?, prevent_flag_defaults = ?,
                     enforce_feature_owners = ?, enable_realtime_updates = ?,
                     only_allow_lower_case_feature_names = ?, feature_name_regex = ?,
                     stale_flags_limit_days = ?, minimum_change_request_approvals = ?,
                     max_segments_allowed = ?, max_features_allowed = ?, max_segment_overrides_allowed = ?
                 WHERE id = ?", params![
                s.name,
                s.hide_disabled_flags,
                s.prevent_flag_defaults,
                s.enforce_feature_owners,
                s.enable_realtime_updates,
                s.only_allow_lower_case_feature_names,
                s.feature_name_regex,
                s.stale_flags_limit_days,
                s.minimum_change_request_approvals,
                s.max_segments_allowed,
                s.max_features_allowed,
                s.max_segment_overrides_allowed,
                id.0,
            ])?;
            let after = find(tx, id)?;
            let change = Change::updated(&audit, "Project", id.0, Some(&after.uuid), Scope::Project(id), &before, &after);
            record(tx, now, &change)?;
            Ok(after)
        })
        .await
    }

    async fn delete_project(&self, id: ProjectId, audit: &Audit) -> Result<()> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let project = find(tx, id)?;
            let change = Change::deleted(
                &audit,
                "Project",
                id.0,
                Some(&project.uuid),
                Scope::Project(id),
            );
            record(tx, now, &change)?;
            exec(tx, "DELETE FROM projects WHERE id = ?", [id.0])?;
            Ok(())
        })
        .await
    }
}
