//! `/api/v1/projects/…`: projects, and the permission keys of projects.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::environments::EnvironmentOut;
use super::permissions::{MyPermissions, PermissionKeyOut};
use super::{Created, NoContent};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::domain::permission::PROJECT_KEYS;
use crate::domain::project::Project;
use crate::domain::{OrganisationId, ProjectId};
use crate::service::{ProjectPatch, Service};

pub struct ProjectsApi;

#[derive(Debug, Object)]
pub struct ProjectOut {
    id: i64,
    uuid: String,
    name: String,
    organisation: i64,
    hide_disabled_flags: bool,
    enable_dynamo_db: bool,
    migration_status: String,
    use_edge_identities: bool,
    prevent_flag_defaults: bool,
    enable_realtime_updates: bool,
    only_allow_lower_case_feature_names: bool,
    feature_name_regex: Option<String>,
    show_edge_identity_overrides_for_feature: bool,
    stale_flags_limit_days: i32,
    edge_v2_migration_status: String,
    minimum_change_request_approvals: Option<i32>,
    enforce_feature_owners: bool,
}

impl From<Project> for ProjectOut {
    fn from(p: Project) -> Self {
        let s = p.settings;
        ProjectOut {
            id: p.id.0,
            uuid: p.uuid,
            name: s.name,
            organisation: p.organisation_id.0,
            hide_disabled_flags: s.hide_disabled_flags,
            enable_dynamo_db: false,
            migration_status: "NOT_APPLICABLE".into(),
            use_edge_identities: false,
            prevent_flag_defaults: s.prevent_flag_defaults,
            enable_realtime_updates: s.enable_realtime_updates,
            only_allow_lower_case_feature_names: s.only_allow_lower_case_feature_names,
            feature_name_regex: s.feature_name_regex,
            show_edge_identity_overrides_for_feature: false,
            stale_flags_limit_days: s.stale_flags_limit_days,
            edge_v2_migration_status: "NOT_STARTED".into(),
            minimum_change_request_approvals: s.minimum_change_request_approvals,
            enforce_feature_owners: s.enforce_feature_owners,
        }
    }
}

/// A project as retrieving it shows it: with its limits and its numbers of features and
/// segments (upstream's lists leave these out).
#[derive(Debug, Object)]
pub struct ProjectDetailOut {
    #[oai(flatten)]
    project: ProjectOut,
    max_segments_allowed: i32,
    max_features_allowed: i32,
    max_segment_overrides_allowed: i32,
    total_features: u64,
    total_segments: u64,
}

/// The writable project settings; all optional on update.
#[derive(Debug, Object, Deserialize)]
pub struct ProjectFields {
    #[oai(validator(min_length = 1, max_length = 2000, pattern = r"\S"))]
    name: Option<String>,
    hide_disabled_flags: Option<bool>,
    prevent_flag_defaults: Option<bool>,
    enforce_feature_owners: Option<bool>,
    enable_realtime_updates: Option<bool>,
    only_allow_lower_case_feature_names: Option<bool>,
    #[serde(default, with = "super::double_option")]
    feature_name_regex: Option<Option<String>>,
    #[oai(validator(minimum(value = "1")))]
    stale_flags_limit_days: Option<i32>,
    #[serde(default, with = "super::double_option")]
    #[oai(validator(minimum(value = "0")))]
    minimum_change_request_approvals: Option<Option<i32>>,
}

impl From<ProjectFields> for ProjectPatch {
    fn from(f: ProjectFields) -> Self {
        ProjectPatch {
            name: f.name,
            hide_disabled_flags: f.hide_disabled_flags,
            prevent_flag_defaults: f.prevent_flag_defaults,
            enforce_feature_owners: f.enforce_feature_owners,
            enable_realtime_updates: f.enable_realtime_updates,
            only_allow_lower_case_feature_names: f.only_allow_lower_case_feature_names,
            feature_name_regex: f.feature_name_regex,
            stale_flags_limit_days: f.stale_flags_limit_days,
            minimum_change_request_approvals: f.minimum_change_request_approvals,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct NewProjectIn {
    #[oai(validator(min_length = 1, max_length = 2000, pattern = r"\S"))]
    name: String,
    organisation: i64,
    #[serde(flatten)]
    #[oai(flatten)]
    settings: ProjectFields,
}

fn list(projects: Vec<Project>) -> Json<Vec<ProjectOut>> {
    Json(projects.into_iter().map(Into::into).collect())
}

#[OpenApi(tag = "Tag::Projects")]
impl ProjectsApi {
    /// The projects the caller may view, optionally of one organisation, or only the one with
    /// a given uuid.
    #[oai(path = "/api/v1/projects/", method = "get")]
    async fn list(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        organisation: Query<Option<i64>>,
        uuid: Query<Option<String>>,
    ) -> poem::Result<Json<Vec<ProjectOut>>> {
        let org = organisation.0.map(OrganisationId);
        Ok(list(
            svc.projects_matching(auth.caller(), org, uuid.0.as_deref())
                .await?,
        ))
    }

    /// Create a project; the caller becomes its admin.
    #[oai(path = "/api/v1/projects/", method = "post")]
    async fn create(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        body: Body<NewProjectIn>,
    ) -> poem::Result<Created<ProjectOut>> {
        let b = body.0;
        let mut patch = ProjectPatch::from(b.settings);
        patch.name = Some(b.name);
        let project = svc
            .create_project(auth.caller(), OrganisationId(b.organisation), patch)
            .await?;
        Ok(Created::Created(Json(project.into())))
    }

    /// The permission keys that can be granted on projects.
    #[oai(path = "/api/v1/projects/permissions/", method = "get")]
    async fn permission_keys(&self, _auth: AdminAuth) -> Json<Vec<PermissionKeyOut>> {
        Json(PROJECT_KEYS.iter().map(Into::into).collect())
    }

    /// A project by its uuid.
    #[oai(path = "/api/v1/projects/get-by-uuid/:uuid/", method = "get")]
    async fn by_uuid(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        uuid: Path<String>,
    ) -> poem::Result<Json<ProjectOut>> {
        Ok(Json(
            svc.project_by_uuid(auth.caller(), &uuid.0).await?.into(),
        ))
    }

    /// One project, with its numbers of features and segments.
    #[oai(path = "/api/v1/projects/:id/", method = "get")]
    async fn get(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<ProjectDetailOut>> {
        let (project, total_features, total_segments) = svc
            .project_with_totals(auth.caller(), ProjectId(id.0))
            .await?;
        let limits = &project.settings;
        Ok(Json(ProjectDetailOut {
            max_segments_allowed: limits.max_segments_allowed,
            max_features_allowed: limits.max_features_allowed,
            max_segment_overrides_allowed: limits.max_segment_overrides_allowed,
            project: project.into(),
            total_features,
            total_segments,
        }))
    }

    /// Replaces a project's name and settings (project admins).
    #[oai(path = "/api/v1/projects/:id/", method = "put")]
    async fn replace(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        body: Body<ProjectFields>,
    ) -> poem::Result<Json<ProjectOut>> {
        self.update(svc, auth, id, body).await
    }

    /// Change project settings (project admins).
    #[oai(path = "/api/v1/projects/:id/", method = "patch")]
    async fn update(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        body: Body<ProjectFields>,
    ) -> poem::Result<Json<ProjectOut>> {
        Ok(Json(
            svc.update_project(auth.caller(), ProjectId(id.0), body.0.into())
                .await?
                .into(),
        ))
    }

    /// Delete the project with its environments, features and segments.
    #[oai(path = "/api/v1/projects/:id/", method = "delete")]
    async fn delete(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_project(auth.caller(), ProjectId(id.0)).await?;
        Ok(NoContent::Done)
    }

    /// The project's environments that the caller may view, as a bare list.
    #[oai(path = "/api/v1/projects/:id/environments/", method = "get")]
    async fn environments(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Vec<EnvironmentOut>>> {
        let envs = svc.environments(auth.caller(), ProjectId(id.0)).await?;
        Ok(Json(envs.into_iter().map(Into::into).collect()))
    }

    /// The caller's own permissions on the project.
    #[oai(path = "/api/v1/projects/:id/my-permissions/", method = "get")]
    async fn my_permissions(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<MyPermissions>> {
        let access = svc
            .my_project_access(auth.caller(), ProjectId(id.0))
            .await?;
        Ok(Json(MyPermissions::of(&access, PROJECT_KEYS)))
    }

    /// The projects of an organisation that the caller may view.
    #[oai(path = "/api/v1/organisations/:id/projects/", method = "get")]
    async fn of_organisation(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Vec<ProjectOut>>> {
        Ok(list(
            svc.organisation_projects(auth.caller(), OrganisationId(id.0))
                .await?,
        ))
    }
}
