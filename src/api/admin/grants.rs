//! Permission grants to users and groups: `user-permissions/` and `user-group-permissions/`.
//
// Permission grants to users and groups on organisations, projects and environments:
// `…/user-permissions/` and `…/user-group-permissions/` under each, with the same shape.

use std::sync::Arc;

use poem_openapi::Object;
use serde::Deserialize;

use super::grant_json::{
    GroupGrantListOut, GroupGrantOut, GroupIdsGrantListOut, UserGrantListOut, UserGrantOut,
};
use crate::api::values::{Choice, PermissionKey};
use crate::domain::permission::{Grant, GrantTarget, Grantee, GroupId};
use crate::domain::{OrganisationId, ProjectId, UserId};
use crate::service::{Caller, GrantView, Service, ServiceError, ServiceResult};

/// A grant to a user: the body of `POST …/user-permissions/`.
#[derive(Debug, Object, Deserialize)]
pub struct UserGrantIn {
    user: i64,
    #[serde(default)]
    #[oai(default)]
    permissions: Vec<Choice<PermissionKey>>,
    #[serde(default)]
    #[oai(default)]
    admin: bool,
}

/// A grant to a group: the body of `POST …/user-group-permissions/`.
#[derive(Debug, Object, Deserialize)]
pub struct GroupGrantIn {
    group: i64,
    #[serde(default)]
    #[oai(default)]
    permissions: Vec<Choice<PermissionKey>>,
    #[serde(default)]
    #[oai(default)]
    admin: bool,
}

/// What a grant route creates from its body: who, whether admin, which permissions.
pub trait GrantBody {
    /// The routes of group grants (`user-group-permissions`).
    const GROUPS: bool;
    /// The grant as creating or changing it answers it.
    type Out: From<Grant>;
    fn into_parts(self) -> (Grantee, bool, Vec<Choice<PermissionKey>>);
}

impl GrantBody for UserGrantIn {
    const GROUPS: bool = false;
    type Out = UserGrantOut;
    fn into_parts(self) -> (Grantee, bool, Vec<Choice<PermissionKey>>) {
        (
            Grantee::User(UserId(self.user)),
            self.admin,
            self.permissions,
        )
    }
}

impl GrantBody for GroupGrantIn {
    const GROUPS: bool = true;
    type Out = GroupGrantOut;
    fn into_parts(self) -> (Grantee, bool, Vec<Choice<PermissionKey>>) {
        (
            Grantee::Group(GroupId(self.group)),
            self.admin,
            self.permissions,
        )
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct GrantUpdate {
    permissions: Option<Vec<Choice<PermissionKey>>>,
    admin: Option<bool>,
}

/// The kind of object a grant route is under.
#[derive(Debug, Clone, Copy)]
pub enum Level {
    Organisation,
    Project,
    Environment,
}

/// The grant target a path segment names (an id, or an environment's client key).
async fn target(
    svc: &Service,
    caller: &Caller,
    level: Level,
    raw: &str,
) -> ServiceResult<GrantTarget> {
    let id = || raw.parse::<i64>().map_err(|_| ServiceError::NotFound(None));
    Ok(match level {
        Level::Organisation => GrantTarget::Organisation(OrganisationId(id()?)),
        Level::Project => GrantTarget::Project(ProjectId(id()?)),
        Level::Environment => GrantTarget::Environment(svc.environment(caller, raw).await?.id),
    })
}

pub async fn list<L: From<GrantView>>(
    svc: &Arc<Service>,
    caller: &Caller,
    level: Level,
    raw: &str,
    groups: bool,
) -> ServiceResult<Vec<L>> {
    let target = target(svc, caller, level, raw).await?;
    Ok(svc
        .grants(caller, target, groups)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn create<B: GrantBody>(
    svc: &Arc<Service>,
    caller: &Caller,
    level: Level,
    raw: &str,
    body: B,
) -> ServiceResult<B::Out> {
    let target = target(svc, caller, level, raw).await?;
    let (who, admin, permissions) = body.into_parts();
    Ok(svc
        .create_grant(caller, target, who, admin, &words(permissions))
        .await?
        .into())
}

/// The keys as the service reads them (it checks each).
fn words(keys: Vec<Choice<PermissionKey>>) -> Vec<String> {
    keys.into_iter().map(|k| k.0).collect()
}

pub async fn update<O: From<Grant>>(
    svc: &Arc<Service>,
    caller: &Caller,
    level: Level,
    raw: &str,
    id: i64,
    body: GrantUpdate,
) -> ServiceResult<O> {
    let target = target(svc, caller, level, raw).await?;
    let grant = svc
        .update_grant(
            caller,
            target,
            crate::domain::permission::GrantId(id),
            body.admin,
            body.permissions.map(words),
        )
        .await?;
    Ok(grant.into())
}

pub async fn delete(
    svc: &Arc<Service>,
    caller: &Caller,
    level: Level,
    raw: &str,
    id: i64,
) -> ServiceResult<()> {
    let target = target(svc, caller, level, raw).await?;
    svc.delete_grant(caller, target, crate::domain::permission::GrantId(id))
        .await
}

/// One set of grant routes: list, create, update (PUT and PATCH) and delete.
macro_rules! grant_routes {
    ($api:ident, $tag:expr, $level:expr, $body:ty, $listed:ty, $base:literal, $item:literal) => {
        pub struct $api;

        #[poem_openapi::OpenApi(tag = $tag)]
        impl $api {
            /// The permissions granted here, one per user or group (admins of the target).
            #[oai(path = $base, method = "get")]
            async fn list(
                &self,
                svc: poem::web::Data<&std::sync::Arc<crate::service::Service>>,
                auth: crate::api::auth::AdminAuth,
                target: poem_openapi::param::Path<String>,
            ) -> poem::Result<poem_openapi::payload::Json<Vec<$listed>>> {
                let grants = $crate::api::admin::grants::list::<$listed>(
                    &svc,
                    auth.caller(),
                    $level,
                    &target.0,
                    <$body as $crate::api::admin::grants::GrantBody>::GROUPS,
                )
                .await?;
                Ok(poem_openapi::payload::Json(grants))
            }

            /// Grants permissions here to a user or a group (admins of the target).
            #[oai(path = $base, method = "post")]
            async fn create(
                &self,
                svc: poem::web::Data<&std::sync::Arc<crate::service::Service>>,
                auth: crate::api::auth::AdminAuth,
                target: poem_openapi::param::Path<String>,
                body: crate::api::body::Body<$body>,
            ) -> poem::Result<
                $crate::api::admin::Created<<$body as $crate::api::admin::grants::GrantBody>::Out>,
            > {
                let grant = $crate::api::admin::grants::create(
                    &svc,
                    auth.caller(),
                    $level,
                    &target.0,
                    body.0,
                )
                .await?;
                Ok($crate::api::admin::Created::Created(
                    poem_openapi::payload::Json(grant),
                ))
            }

            /// Replaces a grant's permissions and admin flag (admins of the target).
            #[oai(path = $item, method = "put")]
            async fn replace(
                &self,
                svc: poem::web::Data<&std::sync::Arc<crate::service::Service>>,
                auth: crate::api::auth::AdminAuth,
                target: poem_openapi::param::Path<String>,
                id: poem_openapi::param::Path<i64>,
                body: crate::api::body::Body<$crate::api::admin::grants::GrantUpdate>,
            ) -> poem::Result<
                poem_openapi::payload::Json<<$body as $crate::api::admin::grants::GrantBody>::Out>,
            > {
                self.update(svc, auth, target, id, body).await
            }

            /// Changes a grant's permissions or admin flag (admins of the target).
            #[oai(path = $item, method = "patch")]
            async fn update(
                &self,
                svc: poem::web::Data<&std::sync::Arc<crate::service::Service>>,
                auth: crate::api::auth::AdminAuth,
                target: poem_openapi::param::Path<String>,
                id: poem_openapi::param::Path<i64>,
                body: crate::api::body::Body<$crate::api::admin::grants::GrantUpdate>,
            ) -> poem::Result<
                poem_openapi::payload::Json<<$body as $crate::api::admin::grants::GrantBody>::Out>,
            > {
                let grant = $crate::api::admin::grants::update(
                    &svc,
                    auth.caller(),
                    $level,
                    &target.0,
                    id.0,
                    body.0,
                )
                .await?;
                Ok(poem_openapi::payload::Json(grant))
            }

            /// Takes a grant back (admins of the target).
            #[oai(path = $item, method = "delete")]
            async fn delete(
                &self,
                svc: poem::web::Data<&std::sync::Arc<crate::service::Service>>,
                auth: crate::api::auth::AdminAuth,
                target: poem_openapi::param::Path<String>,
                id: poem_openapi::param::Path<i64>,
            ) -> poem::Result<$crate::api::admin::NoContent> {
                $crate::api::admin::grants::delete(&svc, auth.caller(), $level, &target.0, id.0)
                    .await?;
                Ok($crate::api::admin::NoContent::Done)
            }
        }
    };
}

grant_routes!(
    OrganisationUserGrantsApi,
    "crate::api::Tag::Permissions",
    Level::Organisation,
    UserGrantIn,
    UserGrantListOut,
    "/api/v1/organisations/:target/user-permissions/",
    "/api/v1/organisations/:target/user-permissions/:id/"
);
grant_routes!(
    OrganisationGroupGrantsApi,
    "crate::api::Tag::Permissions",
    Level::Organisation,
    GroupGrantIn,
    GroupIdsGrantListOut,
    "/api/v1/organisations/:target/user-group-permissions/",
    "/api/v1/organisations/:target/user-group-permissions/:id/"
);
grant_routes!(
    ProjectUserGrantsApi,
    "crate::api::Tag::Permissions",
    Level::Project,
    UserGrantIn,
    UserGrantListOut,
    "/api/v1/projects/:target/user-permissions/",
    "/api/v1/projects/:target/user-permissions/:id/"
);
grant_routes!(
    ProjectGroupGrantsApi,
    "crate::api::Tag::Permissions",
    Level::Project,
    GroupGrantIn,
    GroupIdsGrantListOut,
    "/api/v1/projects/:target/user-group-permissions/",
    "/api/v1/projects/:target/user-group-permissions/:id/"
);
grant_routes!(
    EnvironmentUserGrantsApi,
    "crate::api::Tag::Permissions",
    Level::Environment,
    UserGrantIn,
    UserGrantListOut,
    "/api/v1/environments/:target/user-permissions/",
    "/api/v1/environments/:target/user-permissions/:id/"
);
grant_routes!(
    EnvironmentGroupGrantsApi,
    "crate::api::Tag::Permissions",
    Level::Environment,
    GroupGrantIn,
    GroupGrantListOut,
    "/api/v1/environments/:target/user-group-permissions/",
    "/api/v1/environments/:target/user-group-permissions/:id/"
);
