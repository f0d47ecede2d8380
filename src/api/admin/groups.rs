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
use crate::api::datetime;
use crate::api::pagination::Paginated;
use crate::domain::permission::{Group, GroupId};
use crate::domain::{OrganisationId, UserId};
use crate::service::{GroupView, Service};

pub struct GroupsApi;

/// A member of a group, as upstream lists them.
#[derive(Debug, Object)]
pub struct GroupMemberOut {
    id: i64,
    email: String,
    first_name: String,
    last_name: String,
    last_login: Option<String>,
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

impl From<GroupView> for GroupOut {
    fn from(v: GroupView) -> Self {
        let g = v.group;
        GroupOut {
            id: g.id.0,
            name: g.name,
            is_default: g.is_default,
            external_id: g.external_id,
            users: v
                .members
                .into_iter()
                .map(|(u, group_admin)| GroupMemberOut {
                    id: u.id.0,
                    email: u.email,
                    first_name: u.first_name,
                    last_name: u.last_name,
                    last_login: u.last_login.map(datetime),
                    group_admin,
                })
                .collect(),
        }
    }
}

/// A group's name, for pickers (`my-groups/`, `summaries/`).
#[derive(Debug, Object)]
pub struct GroupSummaryOut {
    id: i64,
    name: String,
}

impl From<Group> for GroupSummaryOut {
    fn from(g: Group) -> Self {
        GroupSummaryOut {
            id: g.id.0,
            name: g.name,
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

/// The groups with their members, as answered.
async fn out(svc: &Service, groups: Vec<Group>) -> poem::Result<Vec<GroupOut>> {
    let views = svc.group_views(groups).await?;
    Ok(views.into_iter().map(Into::into).collect())
}

/// One group with its members, as answered.
async fn one(svc: &Service, group: Group) -> poem::Result<Json<GroupOut>> {
    let mut found = out(svc, vec![group]).await?;
    Ok(Json(found.remove(0)))
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
        let groups = svc.groups(auth.caller(), OrganisationId(org.0)).await?;
        Ok(Json(Paginated::all(out(&svc, groups).await?)))
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
        Ok(Created::Created(one(&svc, group).await?))
    }

    /// The caller's own groups.
    #[oai(path = "/api/v1/organisations/:org/groups/my-groups/", method = "get")]
    async fn my_groups(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
    ) -> poem::Result<Json<Paginated<GroupSummaryOut>>> {
        let groups = svc.my_groups(auth.caller(), OrganisationId(org.0)).await?;
        Ok(Json(Paginated::all(
            groups.into_iter().map(Into::into).collect(),
        )))
    }

    /// Every group, for pickers.
    #[oai(path = "/api/v1/organisations/:org/groups/summaries/", method = "get")]
    async fn summaries(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
    ) -> poem::Result<Json<Vec<GroupSummaryOut>>> {
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
        let group = svc
            .group(auth.caller(), OrganisationId(org.0), GroupId(id.0))
            .await?;
        one(&svc, group).await
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
        one(&svc, group).await
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
        one(&svc, group).await
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
        one(&svc, group).await
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
        one(&svc, group).await
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
        one(&svc, group).await
    }
}
