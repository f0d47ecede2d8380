//! What one member holds on an organisation, project or environment, and where it comes from.
//
// What one member holds on an organisation, project or environment:
// `projects/{p}/all-user-permissions/{user}/`, and `user-detailed-permissions/{user}/` under
// `organisations/{o}/`, `projects/{p}/` and `environments/{key}/`.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::permissions::MyPermissions;
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::domain::permission::PROJECT_KEYS;
use crate::domain::{OrganisationId, ProjectId, UserId};
use crate::service::{Derivation, DetailedAccess, Service};

pub struct UserPermissionsApi;

#[derive(Debug, Object)]
pub struct GroupRefOut {
    id: i64,
    name: String,
}

/// A role that gives a permission; roles are an enterprise feature, so lists of them are empty.
#[derive(Debug, Object)]
pub struct RoleRefOut {
    id: i64,
    name: String,
    tags: Vec<i64>,
}

#[derive(Debug, Object)]
pub struct DerivedFromOut {
    groups: Vec<GroupRefOut>,
    roles: Vec<RoleRefOut>,
}

impl From<&Derivation> for DerivedFromOut {
    fn from(d: &Derivation) -> Self {
        DerivedFromOut {
            groups: d
                .groups
                .iter()
                .map(|(id, name)| GroupRefOut {
                    id: id.0,
                    name: name.clone(),
                })
                .collect(),
            roles: Vec::new(),
        }
    }
}

/// One permission key and where it comes from.
#[derive(Debug, Object)]
pub struct DetailedPermissionOut {
    permission_key: String,
    is_directly_granted: bool,
    derived_from: DerivedFromOut,
}

/// A member's permissions with their sources; `is_directly_granted` and `derived_from` at the
/// top say where `admin` comes from.
#[derive(Debug, Object)]
pub struct DetailedPermissionsOut {
    admin: bool,
    permissions: Vec<DetailedPermissionOut>,
    is_directly_granted: bool,
    derived_from: DerivedFromOut,
}

impl From<DetailedAccess> for DetailedPermissionsOut {
    fn from(held: DetailedAccess) -> Self {
        DetailedPermissionsOut {
            admin: held.admin.holds(),
            permissions: held
                .keys
                .iter()
                .map(|(key, d)| DetailedPermissionOut {
                    permission_key: key.clone(),
                    is_directly_granted: d.directly,
                    derived_from: d.into(),
                })
                .collect(),
            is_directly_granted: held.admin.directly,
            derived_from: (&held.admin).into(),
        }
    }
}

#[OpenApi(tag = "Tag::Permissions")]
impl UserPermissionsApi {
    /// A member's permissions on the project, as `my-permissions` shows the caller's
    /// (project admins).
    #[oai(
        path = "/api/v1/projects/:project/all-user-permissions/:user_id/",
        method = "get"
    )]
    async fn project_all(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        user_id: Path<i64>,
    ) -> poem::Result<Json<MyPermissions>> {
        let held = svc
            .user_project_access(
                auth.caller(),
                ProjectId(project.0),
                UserId(user_id.0),
                false,
            )
            .await?;
        Ok(Json(MyPermissions::of(&held.access(), PROJECT_KEYS)))
    }

    /// A member's permissions on the organisation with where each comes from (organisation
    /// admins, or the member themself).
    #[oai(
        path = "/api/v1/organisations/:id/user-detailed-permissions/:user_id/",
        method = "get"
    )]
    async fn organisation_detailed(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        user_id: Path<i64>,
    ) -> poem::Result<Json<DetailedPermissionsOut>> {
        let held = svc
            .user_organisation_access(auth.caller(), OrganisationId(id.0), UserId(user_id.0))
            .await?;
        Ok(Json(held.into()))
    }

    /// A member's permissions on the project with where each comes from (project admins, or
    /// the member themself).
    #[oai(
        path = "/api/v1/projects/:project/user-detailed-permissions/:user_id/",
        method = "get"
    )]
    async fn project_detailed(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        user_id: Path<i64>,
    ) -> poem::Result<Json<DetailedPermissionsOut>> {
        let held = svc
            .user_project_access(auth.caller(), ProjectId(project.0), UserId(user_id.0), true)
            .await?;
        Ok(Json(held.into()))
    }

    /// A member's permissions on the environment with where each comes from (environment
    /// admins, or the member themself).
    #[oai(
        path = "/api/v1/environments/:api_key/user-detailed-permissions/:user_id/",
        method = "get"
    )]
    async fn environment_detailed(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        user_id: Path<i64>,
    ) -> poem::Result<Json<DetailedPermissionsOut>> {
        let held = svc
            .user_environment_access(auth.caller(), &api_key.0, UserId(user_id.0))
            .await?;
        Ok(Json(held.into()))
    }
}
