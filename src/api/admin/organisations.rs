//! `/api/v1/organisations/…`: organisations, members and roles.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::NoContent;
use super::permissions::{MyPermissions, PermissionKeyOut};
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::email::Email;
use crate::api::pagination::Paginated;
use crate::api::{Tag, datetime};
use crate::domain::organisation::{Membership, Role};
use crate::domain::permission::ORGANISATION_KEYS;
use crate::domain::user::User;
use crate::domain::{OrganisationId, UserId};
use crate::service::{OrganisationPatch, OrganisationView, Service};

pub struct OrganisationsApi;

/// Flagstaff has no plans and no limits: seats and API calls report this number, which no
/// client reads as a limit (upstream's largest integer column).
pub const NO_LIMIT: i64 = i32::MAX as i64;

/// Upstream's subscription block, as a self-hosted server without a plan answers it.
#[derive(Debug, Object)]
pub struct Subscription {
    plan: Option<String>,
    /// Always 2147483647: Flagstaff limits no seats.
    max_seats: i64,
    /// Always 2147483647: Flagstaff limits no API calls.
    max_api_calls: i64,
    cancellation_date: Option<String>,
}

#[derive(Debug, Object)]
pub struct OrganisationOut {
    id: i64,
    uuid: String,
    name: String,
    created_date: String,
    webhook_notification_email: Option<String>,
    num_seats: i64,
    subscription: Subscription,
    /// The caller's role: `ADMIN` or `USER`.
    role: String,
    persist_trait_data: bool,
    block_access_to_admin: bool,
    restrict_project_create_to_admin: bool,
    force_2fa: bool,
    stop_serving_flags: bool,
}

impl From<OrganisationView> for OrganisationOut {
    fn from(v: OrganisationView) -> Self {
        let o = v.organisation;
        OrganisationOut {
            id: o.id.0,
            uuid: o.uuid,
            name: o.name,
            created_date: datetime(o.created_date),
            webhook_notification_email: o.settings.webhook_notification_email,
            num_seats: v.num_seats as i64,
            subscription: Subscription {
                plan: None,
                max_seats: NO_LIMIT,
                max_api_calls: NO_LIMIT,
                cancellation_date: None,
            },
            role: v.role.as_str().to_string(),
            persist_trait_data: o.settings.persist_trait_data,
            block_access_to_admin: o.settings.block_access_to_admin,
            restrict_project_create_to_admin: o.settings.restrict_project_create_to_admin,
            force_2fa: o.settings.force_2fa,
            stop_serving_flags: o.settings.stop_serving_flags,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
#[oai(example)]
pub struct OrganisationIn {
    #[oai(validator(min_length = 1, max_length = 2000, pattern = r"\S"))]
    name: String,
}

impl poem_openapi::types::Example for OrganisationIn {
    fn example() -> Self {
        OrganisationIn {
            name: "Acme".into(),
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct OrganisationUpdate {
    #[oai(validator(min_length = 1, max_length = 2000, pattern = r"\S"))]
    name: Option<String>,
    #[serde(default, with = "super::double_option")]
    webhook_notification_email: Option<Option<Email>>,
    restrict_project_create_to_admin: Option<bool>,
    force_2fa: Option<bool>,
}

#[derive(Debug, Object)]
pub struct MemberOut {
    id: i64,
    uuid: String,
    email: String,
    first_name: String,
    last_name: String,
    last_login: Option<String>,
    date_joined: String,
    role: String,
}

impl From<(User, Membership)> for MemberOut {
    fn from((u, m): (User, Membership)) -> Self {
        MemberOut {
            id: u.id.0,
            uuid: u.uuid,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            last_login: u.last_login.map(datetime),
            date_joined: datetime(m.date_joined),
            role: m.role.as_str().to_string(),
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct RoleIn {
    role: RoleName,
}

/// An organisation role.
#[derive(Debug, Clone, Copy, poem_openapi::Enum, Deserialize)]
pub enum RoleName {
    #[oai(rename = "ADMIN")]
    #[serde(rename = "ADMIN")]
    Admin,
    #[oai(rename = "USER")]
    #[serde(rename = "USER")]
    User,
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Self {
        match r {
            RoleName::Admin => Role::Admin,
            RoleName::User => Role::User,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct UserRef {
    id: i64,
}

#[derive(ApiResponse)]
pub enum OrganisationCreated {
    #[oai(status = 201)]
    Created(Json<OrganisationOut>),
}

#[OpenApi(tag = "Tag::Organisations")]
impl OrganisationsApi {
    /// The organisations the caller belongs to.
    #[oai(path = "/api/v1/organisations/", method = "get")]
    async fn list(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
    ) -> poem::Result<Json<Paginated<OrganisationOut>>> {
        let orgs = svc.organisations(auth.caller()).await?;
        Ok(Json(Paginated::all(
            orgs.into_iter().map(Into::into).collect(),
        )))
    }

    /// Create an organisation; the caller becomes its admin.
    #[oai(path = "/api/v1/organisations/", method = "post")]
    async fn create(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        body: Body<OrganisationIn>,
    ) -> poem::Result<OrganisationCreated> {
        let org = svc.create_organisation(auth.caller(), &body.0.name).await?;
        Ok(OrganisationCreated::Created(Json(org.into())))
    }

    /// The permission keys that can be granted on organisations.
    #[oai(path = "/api/v1/organisations/permissions/", method = "get")]
    async fn permission_keys(&self, _auth: AdminAuth) -> Json<Vec<PermissionKeyOut>> {
        Json(ORGANISATION_KEYS.iter().map(Into::into).collect())
    }

    /// The caller's own organisation-level permissions.
    #[oai(path = "/api/v1/organisations/:id/my-permissions/", method = "get")]
    async fn my_permissions(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<MyPermissions>> {
        let access = svc.org_access(auth.caller(), OrganisationId(id.0)).await?;
        Ok(Json(MyPermissions::of(&access, ORGANISATION_KEYS)))
    }

    /// One of the caller's organisations, by its uuid (any member).
    #[oai(path = "/api/v1/organisations/get-by-uuid/:uuid/", method = "get")]
    async fn get_by_uuid(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        uuid: Path<String>,
    ) -> poem::Result<Json<OrganisationOut>> {
        Ok(Json(
            svc.organisation_by_uuid(auth.caller(), &uuid.0)
                .await?
                .into(),
        ))
    }

    /// One organisation the caller belongs to.
    #[oai(path = "/api/v1/organisations/:id/", method = "get")]
    async fn get(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<OrganisationOut>> {
        Ok(Json(
            svc.organisation(auth.caller(), OrganisationId(id.0))
                .await?
                .into(),
        ))
    }

    /// Replaces an organisation's name and settings (organisation admins).
    #[oai(path = "/api/v1/organisations/:id/", method = "put")]
    async fn replace(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        body: Body<OrganisationUpdate>,
    ) -> poem::Result<Json<OrganisationOut>> {
        self.update(svc, auth, id, body).await
    }

    /// Changes some of an organisation's fields (organisation admins).
    #[oai(path = "/api/v1/organisations/:id/", method = "patch")]
    async fn update(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        body: Body<OrganisationUpdate>,
    ) -> poem::Result<Json<OrganisationOut>> {
        let b = body.0;
        let patch = OrganisationPatch {
            name: b.name,
            webhook_notification_email: b.webhook_notification_email.map(|e| e.map(|e| e.0)),
            restrict_project_create_to_admin: b.restrict_project_create_to_admin,
            force_2fa: b.force_2fa,
        };
        Ok(Json(
            svc.update_organisation(auth.caller(), OrganisationId(id.0), patch)
                .await?
                .into(),
        ))
    }

    /// Delete the organisation and everything in it.
    #[oai(path = "/api/v1/organisations/:id/", method = "delete")]
    async fn delete(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_organisation(auth.caller(), OrganisationId(id.0))
            .await?;
        Ok(NoContent::Done)
    }

    /// The members, with their roles.
    #[oai(path = "/api/v1/organisations/:id/users/", method = "get")]
    async fn users(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        exclude_current: Query<Option<bool>>,
    ) -> poem::Result<Json<Vec<MemberOut>>> {
        let members = svc
            .members(
                auth.caller(),
                OrganisationId(id.0),
                exclude_current.0.unwrap_or(false),
            )
            .await?;
        Ok(Json(members.into_iter().map(Into::into).collect()))
    }

    /// Change a member's role.
    #[oai(
        path = "/api/v1/organisations/:id/users/:user_id/update-role/",
        method = "post"
    )]
    async fn update_role(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        user_id: Path<i64>,
        body: Body<RoleIn>,
    ) -> poem::Result<Json<MemberOut>> {
        let member = svc
            .update_role(
                auth.caller(),
                OrganisationId(id.0),
                UserId(user_id.0),
                body.0.role.into(),
            )
            .await?;
        Ok(Json(member.into()))
    }

    /// Remove members from the organisation.
    #[oai(path = "/api/v1/organisations/:id/remove-users/", method = "post")]
    async fn remove_users(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        body: Body<Vec<UserRef>>,
    ) -> poem::Result<Json<Vec<UserRef>>> {
        let ids: Vec<UserId> = body.0.iter().map(|u| UserId(u.id)).collect();
        svc.remove_members(auth.caller(), OrganisationId(id.0), &ids)
            .await?;
        Ok(Json(body.0))
    }
}
