//! `/api/v1/projects/{project}/features/{id}/add-owners/` and its kin: who answers for a feature.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::features::FeatureOut;
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::domain::feature::Owners;
use crate::domain::permission::GroupId;
use crate::domain::{FeatureId, ProjectId, UserId};
use crate::service::Service;

pub struct FeatureOwnersApi;

/// Users of the feature's organisation.
#[derive(Debug, Object, Deserialize)]
pub struct OwnerIds {
    user_ids: Vec<i64>,
}

/// Groups of the feature's organisation.
#[derive(Debug, Object, Deserialize)]
pub struct GroupOwnerIds {
    group_ids: Vec<i64>,
}

impl From<OwnerIds> for Owners {
    fn from(ids: OwnerIds) -> Self {
        Owners {
            users: ids.user_ids.into_iter().map(UserId).collect(),
            groups: Vec::new(),
        }
    }
}

impl From<GroupOwnerIds> for Owners {
    fn from(ids: GroupOwnerIds) -> Self {
        Owners {
            users: Vec::new(),
            groups: ids.group_ids.into_iter().map(GroupId).collect(),
        }
    }
}

enum Change {
    Add,
    Remove,
}

async fn change(
    svc: &Service,
    auth: &AdminAuth,
    (project, id): (Path<i64>, Path<i64>),
    owners: Owners,
    change: Change,
) -> poem::Result<Json<FeatureOut>> {
    let (caller, project, id) = (auth.caller(), ProjectId(project.0), FeatureId(id.0));
    let view = match change {
        Change::Add => svc.add_feature_owners(caller, project, id, owners).await?,
        Change::Remove => {
            svc.remove_feature_owners(caller, project, id, owners)
                .await?
        }
    };
    Ok(Json(view.into()))
}

#[OpenApi(tag = "Tag::Features")]
impl FeatureOwnersApi {
    /// Add users of the organisation as owners of the feature (`EDIT_FEATURE`).
    #[oai(
        path = "/api/v1/projects/:project/features/:id/add-owners/",
        method = "post"
    )]
    async fn add_owners(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<OwnerIds>,
    ) -> poem::Result<Json<FeatureOut>> {
        change(&svc, &auth, (project, id), body.0.into(), Change::Add).await
    }

    /// Remove users from the feature's owners (`EDIT_FEATURE`).
    #[oai(
        path = "/api/v1/projects/:project/features/:id/remove-owners/",
        method = "post"
    )]
    async fn remove_owners(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<OwnerIds>,
    ) -> poem::Result<Json<FeatureOut>> {
        change(&svc, &auth, (project, id), body.0.into(), Change::Remove).await
    }

    /// Add groups of the organisation as owners of the feature (`EDIT_FEATURE`).
    #[oai(
        path = "/api/v1/projects/:project/features/:id/add-group-owners/",
        method = "post"
    )]
    async fn add_group_owners(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<GroupOwnerIds>,
    ) -> poem::Result<Json<FeatureOut>> {
        change(&svc, &auth, (project, id), body.0.into(), Change::Add).await
    }

    /// Remove groups from the feature's owners (`EDIT_FEATURE`).
    #[oai(
        path = "/api/v1/projects/:project/features/:id/remove-group-owners/",
        method = "post"
    )]
    async fn remove_group_owners(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<GroupOwnerIds>,
    ) -> poem::Result<Json<FeatureOut>> {
        change(&svc, &auth, (project, id), body.0.into(), Change::Remove).await
    }
}
