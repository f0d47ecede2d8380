//! `/api/v1/environments/…`: environments, cloning, the document, permission keys.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::permissions::{MyPermissions, PermissionKeyOut};
use super::query_params::{Integer, Required};
use super::{Created, NoContent};
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::Paginated;
use crate::api::{Tag, datetime};
use crate::domain::ProjectId;
use crate::domain::environment::Environment;
use crate::domain::permission::ENVIRONMENT_KEYS;
use crate::service::{EnvironmentPatch, Service};

pub struct EnvironmentsApi;

#[derive(Debug, Object)]
pub struct EnvironmentOut {
    id: i64,
    uuid: String,
    name: String,
    /// The client-side SDK key; environments are addressed by it.
    api_key: String,
    description: Option<String>,
    project: i64,
    minimum_change_request_approvals: Option<i32>,
    allow_client_traits: bool,
    banner_text: Option<String>,
    banner_colour: Option<String>,
    hide_disabled_flags: Option<bool>,
    use_mv_v2_evaluation: bool,
    use_identity_composite_key_for_hashing: bool,
    hide_sensitive_data: bool,
    use_v2_feature_versioning: bool,
    use_identity_overrides_in_local_eval: bool,
    is_creating: bool,
    updated_at: String,
    /// Always empty: Flagstaff has no metadata fields.
    metadata: Vec<serde_json::Value>,
}

impl From<Environment> for EnvironmentOut {
    fn from(e: Environment) -> Self {
        let s = e.settings;
        EnvironmentOut {
            id: e.id.0,
            uuid: e.uuid,
            name: s.name,
            api_key: e.api_key,
            description: s.description,
            project: e.project_id.0,
            minimum_change_request_approvals: s.minimum_change_request_approvals,
            allow_client_traits: s.allow_client_traits,
            banner_text: s.banner_text,
            banner_colour: s.banner_colour,
            hide_disabled_flags: s.hide_disabled_flags,
            use_mv_v2_evaluation: s.use_identity_composite_key_for_hashing,
            use_identity_composite_key_for_hashing: s.use_identity_composite_key_for_hashing,
            hide_sensitive_data: s.hide_sensitive_data,
            use_v2_feature_versioning: false,
            use_identity_overrides_in_local_eval: s.use_identity_overrides_in_local_eval,
            is_creating: false,
            updated_at: datetime(e.updated_at),
            metadata: Vec::new(),
        }
    }
}

/// The writable environment settings; all optional on update.
#[derive(Debug, Object, Deserialize)]
pub struct EnvironmentFields {
    #[oai(validator(min_length = 1, max_length = 2000, pattern = r"\S"))]
    name: Option<String>,
    #[serde(default, with = "super::double_option")]
    description: Option<Option<String>>,
    allow_client_traits: Option<bool>,
    #[serde(default, with = "super::double_option")]
    hide_disabled_flags: Option<Option<bool>>,
    hide_sensitive_data: Option<bool>,
    use_identity_composite_key_for_hashing: Option<bool>,
    use_identity_overrides_in_local_eval: Option<bool>,
    #[serde(default, with = "super::double_option")]
    minimum_change_request_approvals: Option<Option<i32>>,
    #[serde(default, with = "super::double_option")]
    banner_text: Option<Option<String>>,
    #[serde(default, with = "super::double_option")]
    #[oai(validator(max_length = 7))]
    banner_colour: Option<Option<String>>,
}

impl From<EnvironmentFields> for EnvironmentPatch {
    fn from(f: EnvironmentFields) -> Self {
        EnvironmentPatch {
            name: f.name,
            description: f.description,
            allow_client_traits: f.allow_client_traits,
            hide_disabled_flags: f.hide_disabled_flags,
            hide_sensitive_data: f.hide_sensitive_data,
            use_identity_composite_key_for_hashing: f.use_identity_composite_key_for_hashing,
            use_identity_overrides_in_local_eval: f.use_identity_overrides_in_local_eval,
            minimum_change_request_approvals: f.minimum_change_request_approvals,
            banner_text: f.banner_text,
            banner_colour: f.banner_colour,
        }
    }
}

/// An environment as retrieving it shows it: with its number of segment overrides.
#[derive(Debug, Object)]
pub struct EnvironmentDetailOut {
    #[oai(flatten)]
    environment: EnvironmentOut,
    total_segment_overrides: usize,
}

#[derive(Debug, Object, Deserialize)]
pub struct NewEnvironmentIn {
    #[oai(validator(min_length = 1, max_length = 2000, pattern = r"\S"))]
    name: String,
    project: i64,
    #[serde(flatten)]
    #[oai(flatten)]
    settings: EnvironmentFields,
}

#[derive(Debug, Object, Deserialize)]
pub struct CloneIn {
    name: String,
}

#[derive(Debug, Object)]
pub struct ClonedOut {
    id: i64,
    name: String,
    api_key: String,
    project: i64,
}

#[OpenApi(tag = "Tag::Environments")]
impl EnvironmentsApi {
    /// The environments of a project (`?project=` is required).
    #[oai(path = "/api/v1/environments/", method = "get")]
    async fn list(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Query<Required<Integer>>,
    ) -> poem::Result<Json<Paginated<EnvironmentOut>>> {
        let envs = svc
            .environments_of_param(auth.caller(), project.text())
            .await?;
        Ok(Json(Paginated::all(
            envs.into_iter().map(Into::into).collect(),
        )))
    }

    /// Create an environment with a state for every feature; the caller becomes its admin.
    #[oai(path = "/api/v1/environments/", method = "post")]
    async fn create(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        body: Body<NewEnvironmentIn>,
    ) -> poem::Result<Created<EnvironmentOut>> {
        let b = body.0;
        let mut patch = EnvironmentPatch::from(b.settings);
        patch.name = Some(b.name);
        let env = svc
            .create_environment(auth.caller(), ProjectId(b.project), patch)
            .await?;
        Ok(Created::Created(Json(env.into())))
    }

    /// The permission keys that can be granted on environments.
    #[oai(path = "/api/v1/environments/permissions/", method = "get")]
    async fn permission_keys(&self, _auth: AdminAuth) -> Json<Vec<PermissionKeyOut>> {
        Json(ENVIRONMENT_KEYS.iter().map(Into::into).collect())
    }

    /// An environment by its uuid.
    #[oai(path = "/api/v1/environments/get-by-uuid/:uuid/", method = "get")]
    async fn by_uuid(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        uuid: Path<String>,
    ) -> poem::Result<Json<EnvironmentOut>> {
        Ok(Json(
            svc.environment_by_uuid(auth.caller(), &uuid.0)
                .await?
                .into(),
        ))
    }

    /// One environment, by its client-side API key.
    #[oai(path = "/api/v1/environments/:api_key/", method = "get")]
    async fn get(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
    ) -> poem::Result<Json<EnvironmentDetailOut>> {
        let (env, total_segment_overrides) = svc
            .environment_with_totals(auth.caller(), &api_key.0)
            .await?;
        Ok(Json(EnvironmentDetailOut {
            environment: env.into(),
            total_segment_overrides,
        }))
    }

    /// Replaces an environment's name and settings (environment admins).
    #[oai(path = "/api/v1/environments/:api_key/", method = "put")]
    async fn replace(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        body: Body<EnvironmentFields>,
    ) -> poem::Result<Json<EnvironmentOut>> {
        self.update(svc, auth, api_key, body).await
    }

    /// Change environment settings (environment admins).
    #[oai(path = "/api/v1/environments/:api_key/", method = "patch")]
    async fn update(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        body: Body<EnvironmentFields>,
    ) -> poem::Result<Json<EnvironmentOut>> {
        Ok(Json(
            svc.update_environment(auth.caller(), &api_key.0, body.0.into())
                .await?
                .into(),
        ))
    }

    /// Deletes an environment and everything in it (environment admins).
    #[oai(path = "/api/v1/environments/:api_key/", method = "delete")]
    async fn delete(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
    ) -> poem::Result<NoContent> {
        svc.delete_environment(auth.caller(), &api_key.0).await?;
        Ok(NoContent::Done)
    }

    /// Copy the environment with all its feature states under a new name.
    #[oai(path = "/api/v1/environments/:api_key/clone/", method = "post")]
    async fn clone_environment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        body: Body<CloneIn>,
    ) -> poem::Result<Json<ClonedOut>> {
        let env = svc
            .clone_environment(auth.caller(), &api_key.0, &body.0.name)
            .await?;
        Ok(Json(ClonedOut {
            id: env.id.0,
            name: env.settings.name,
            api_key: env.api_key,
            project: env.project_id.0,
        }))
    }

    /// The environment document, as local-evaluation SDKs get it.
    #[oai(path = "/api/v1/environments/:api_key/document/", method = "get")]
    async fn document(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
    ) -> poem::Result<crate::api::raw_json::RawJson<serde_json::Value>> {
        let body = svc.environment_document(auth.caller(), &api_key.0).await?;
        Ok(crate::api::raw_json::RawJson::new(body))
    }

    /// The caller's own permissions on the environment.
    #[oai(path = "/api/v1/environments/:api_key/my-permissions/", method = "get")]
    async fn my_permissions(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
    ) -> poem::Result<Json<MyPermissions>> {
        let access = svc.my_environment_access(auth.caller(), &api_key.0).await?;
        Ok(Json(MyPermissions::of(&access, ENVIRONMENT_KEYS)))
    }
}
