//! Groups of users in an organisation and their members: `/api/v1/organisations/{org}/groups/…`.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::{Created, NoContent};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::Paginated;
use crate::domain::permission::{Group, GroupId};
use crate::domain::{OrganisationId, UserId};
use crate::service::Service;

pub struct GroupsApi;

#[derive(Debug, Object)]
pub struct GroupMemberOut {
    id: i64,
    group_admin: bool,
}

#[derive(Debug, Object)]
pub struct GroupOut {
    id: i64,
    name: String,
    is_default: bool,
    external_id: Option<String>,
    users: Vec<GroupMemberOut>,
}

impl From<Group> for GroupOut {
    fn from(g: Group) -> Self {
        GroupOut {
            id: g.id.0,
            name: g.name,
            is_default: g.is_default,
            external_id: g.external_id,
            users: g
                .members
                .into_iter()
                .map(|m| GroupMemberOut {
                    id: m.user_id.0,
                    group_admin: m.group_admin,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct GroupIn {
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    name: String,
    #[serde(default)]
    #[oai(default)]
    is_default: bool,
    external_id: Option<String>,
}

#[derive(Debug, Object, Deserialize)]
pub struct GroupUpdate {
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    name: Option<String>,
    is_default: Option<bool>,
}

#[derive(Debug, Object, Deserialize)]
pub struct UserIds {
    user_ids: Vec<i64>,
}

fn groups(list: Vec<Group>) -> Json<Paginated<GroupOut>> {
    Json(Paginated::all(list.into_iter().map(Into::into).collect()))
}

#[OpenApi(tag = "Tag::Organisations")]
impl GroupsApi {
    /// The organisation's groups.
    #[oai(path = "/api/v1/organisations/:org/groups/", method = "get")]
    async fn list(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
    ) -> poem::Result<Json<Paginated<GroupOut>>> {
        Ok(groups(
            svc.groups(auth.caller(), OrganisationId(org.0)).await?,
        ))
    }

    /// Creates a group of users in the organisation (`MANAGE_USER_GROUPS`).
    #[oai(path = "/api/v1/organisations/:org/groups/", method = "post")]
    async fn create(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        body: Body<GroupIn>,
    ) -> poem::Result<Created<GroupOut>> {
        let b = body.0;
        let group = svc
            .create_group(
                auth.caller(),
                OrganisationId(org.0),
                &b.name,
                b.is_default,
                b.external_id,
            )
            .await?;
        Ok(Created::Created(Json(group.into())))
    }

    /// The caller's own groups.
    #[oai(path = "/api/v1/organisations/:org/groups/my-groups/", method = "get")]
    async fn my_groups(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
    ) -> poem::Result<Json<Paginated<GroupOut>>> {
        Ok(groups(
            svc.my_groups(auth.caller(), OrganisationId(org.0)).await?,
        ))
    }

    /// Every group, for pickers.
    #[oai(path = "/api/v1/organisations/:org/groups/summaries/", method = "get")]
    async fn summaries(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
    ) -> poem::Result<Json<Vec<GroupOut>>> {
        let list = svc.groups(auth.caller(), OrganisationId(org.0)).await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// One group, with its members.
    #[oai(path = "/api/v1/organisations/:org/groups/:id/", method = "get")]
    async fn get(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<Json<GroupOut>> {
        Ok(Json(
            svc.group(auth.caller(), OrganisationId(org.0), GroupId(id.0))
                .await?
                .into(),
        ))
    }

    /// Replaces a group's name and default flag (`MANAGE_USER_GROUPS`).
    #[oai(path = "/api/v1/organisations/:org/groups/:id/", method = "put")]
    async fn replace(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
        body: Body<GroupUpdate>,
    ) -> poem::Result<Json<GroupOut>> {
        self.update(svc, auth, org, id, body).await
    }

    /// Changes some of a group's fields (`MANAGE_USER_GROUPS`).
    #[oai(path = "/api/v1/organisations/:org/groups/:id/", method = "patch")]
    async fn update(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
        body: Body<GroupUpdate>,
    ) -> poem::Result<Json<GroupOut>> {
        let group = svc
            .update_group(
                auth.caller(),
                OrganisationId(org.0),
                GroupId(id.0),
                body.0.name,
                body.0.is_default,
            )
            .await?;
        Ok(Json(group.into()))
    }

    /// Deletes a group; its members stay in the organisation (`MANAGE_USER_GROUPS`).
    #[oai(path = "/api/v1/organisations/:org/groups/:id/", method = "delete")]
    async fn delete(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_group(auth.caller(), OrganisationId(org.0), GroupId(id.0))
            .await?;
        Ok(NoContent::Done)
    }

    /// Adds users of the organisation to a group (`MANAGE_USER_GROUPS`).
    #[oai(
        path = "/api/v1/organisations/:org/groups/:id/add-users/",
        method = "post"
    )]
    async fn add_users(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
        body: Body<UserIds>,
    ) -> poem::Result<Json<GroupOut>> {
        let users: Vec<UserId> = body.0.user_ids.iter().copied().map(UserId).collect();
        let group = svc
            .change_group_members(
                auth.caller(),
                OrganisationId(org.0),
                GroupId(id.0),
                &users,
                true,
            )
            .await?;
        Ok(Json(group.into()))
    }

    /// Takes users out of a group (`MANAGE_USER_GROUPS`).
    #[oai(
        path = "/api/v1/organisations/:org/groups/:id/remove-users/",
        method = "post"
    )]
    async fn remove_users(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
        body: Body<UserIds>,
    ) -> poem::Result<Json<GroupOut>> {
        let users: Vec<UserId> = body.0.user_ids.iter().copied().map(UserId).collect();
        let group = svc
            .change_group_members(
                auth.caller(),
                OrganisationId(org.0),
                GroupId(id.0),
                &users,
                false,
            )
            .await?;
        Ok(Json(group.into()))
    }

    /// Makes a member an admin of the group (`MANAGE_USER_GROUPS`).
    #[oai(
        path = "/api/v1/organisations/:org/groups/:id/users/:user/make-admin/",
        method = "post"
    )]
    async fn make_admin(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
        user: Path<i64>,
    ) -> poem::Result<Json<GroupOut>> {
        let group = svc
            .set_group_admin(
                auth.caller(),
                OrganisationId(org.0),
                GroupId(id.0),
                UserId(user.0),
                true,
            )
            .await?;
        Ok(Json(group.into()))
    }

    /// Makes a group admin a plain member again (`MANAGE_USER_GROUPS`).
    #[oai(
        path = "/api/v1/organisations/:org/groups/:id/users/:user/remove-admin/",
        method = "post"
    )]
    async fn remove_admin(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
        user: Path<i64>,
    ) -> poem::Result<Json<GroupOut>> {
        let group = svc
            .set_group_admin(
                auth.caller(),
                OrganisationId(org.0),
                GroupId(id.0),
                UserId(user.0),
                false,
            )
            .await?;
        Ok(Json(group.into()))
    }
}
