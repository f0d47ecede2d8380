//! `/api/v1/projects/{project}/segments/…`: segments, their clones and what they override.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::query_params::{Boolean, Integer, Param, boolean, integer};
use super::segment_json::{SegmentIn, SegmentOut};
use super::{Created, NoContent};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::{Paginated, page_request};
use crate::api::values::{Creating, RequiredToCreate};
use crate::domain::feature_state::FeatureState;
use crate::domain::segment::SegmentQuery;
use crate::domain::{EnvironmentId, IdentityId, PageRequest, ProjectId, SegmentId};
use crate::service::Service;

pub struct SegmentsApi;

#[derive(Debug, Object, Deserialize)]
pub struct CloneSegmentIn {
    #[oai(validator(min_length = 1, max_length = 2000, pattern = r"\S"))]
    name: Option<String>,
}

impl RequiredToCreate for CloneSegmentIn {
    const FIELDS: &'static [&'static str] = &["name"];
}

/// A state that overrides a feature for the segment.
#[derive(Debug, Object)]
pub struct AssociatedFeatureOut {
    id: i64,
    feature: i64,
    environment: i64,
}

impl From<FeatureState> for AssociatedFeatureOut {
    fn from(s: FeatureState) -> Self {
        AssociatedFeatureOut {
            id: s.id.0,
            feature: s.feature_id.0,
            environment: s.environment_id.0,
        }
    }
}

#[OpenApi(tag = "Tag::Segments")]
impl SegmentsApi {
    /// The project's segments, by id.
    ///
    /// `q` searches names; `include_feature_specific=false` leaves out segments that belong to
    /// one feature; `identity` (an identity id) keeps the segments that hold that identity by
    /// its stored traits, which needs `VIEW_IDENTITIES` in its environment.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v1/projects/:project/segments/", method = "get")]
    async fn list_segments(
        &self,
        req: &Request,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        q: Query<Option<String>>,
        include_feature_specific: Query<Param<Boolean>>,
        identity: Query<Param<Integer>>,
        page: Query<Param<Integer>>,
        page_size: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<SegmentOut>>> {
        let query = SegmentQuery {
            search: q.0.filter(|s| !s.is_empty()),
            include_feature_specific: boolean(
                "include_feature_specific",
                include_feature_specific.0.into_text(),
                true,
            )?,
        };
        let page = page_request(
            page.0.into_text(),
            page_size.0.into_text(),
            PageRequest::MAX_SIZE,
        )?;
        let project = ProjectId(project.0);
        let found = match integer("identity", identity.0.into_text())? {
            Some(identity) => {
                svc.segments_holding_identity(
                    auth.caller(),
                    project,
                    IdentityId(identity),
                    &query,
                    page,
                )
                .await?
            }
            None => svc.segments(auth.caller(), project, &query, page).await?,
        };
        Ok(Json(Paginated::checked_page(req, page, found, Into::into)?))
    }

    /// Create a segment (`MANAGE_SEGMENTS`): `name` and a non-empty `rules` tree.
    #[oai(path = "/api/v1/projects/:project/segments/", method = "post")]
    async fn create_segment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        body: Body<Creating<SegmentIn>>,
    ) -> poem::Result<Created<SegmentOut>> {
        let segment = svc
            .create_segment(auth.caller(), ProjectId(project.0), body.0.0.draft()?)
            .await?;
        Ok(Created::Created(Json(segment.into())))
    }

    /// A segment of any project the caller may view, by its uuid.
    #[oai(path = "/api/v1/segments/get-by-uuid/:uuid/", method = "get")]
    async fn segment_by_uuid(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        uuid: Path<String>,
    ) -> poem::Result<Json<SegmentOut>> {
        Ok(Json(
            svc.segment_by_uuid(auth.caller(), &uuid.0).await?.into(),
        ))
    }

    /// One segment, with its rules.
    #[oai(path = "/api/v1/projects/:project/segments/:id/", method = "get")]
    async fn get_segment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<Json<SegmentOut>> {
        let segment = svc
            .segment(auth.caller(), ProjectId(project.0), SegmentId(id.0))
            .await?;
        Ok(Json(segment.into()))
    }

    /// Replace a segment's name, description and whole rule tree (`MANAGE_SEGMENTS`).
    #[oai(path = "/api/v1/projects/:project/segments/:id/", method = "put")]
    async fn replace_segment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<Creating<SegmentIn>>,
    ) -> poem::Result<Json<SegmentOut>> {
        let draft = body.0.0.draft()?;
        let segment = svc
            .update_segment(
                auth.caller(),
                ProjectId(project.0),
                SegmentId(id.0),
                draft,
                false,
            )
            .await?;
        Ok(Json(segment.into()))
    }

    /// Change what the body names; given `rules` replace the whole tree (`MANAGE_SEGMENTS`).
    #[oai(path = "/api/v1/projects/:project/segments/:id/", method = "patch")]
    async fn update_segment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<SegmentIn>,
    ) -> poem::Result<Json<SegmentOut>> {
        let draft = body.0.draft()?;
        let segment = svc
            .update_segment(
                auth.caller(),
                ProjectId(project.0),
                SegmentId(id.0),
                draft,
                true,
            )
            .await?;
        Ok(Json(segment.into()))
    }

    /// Delete a segment and the overrides that use it (`MANAGE_SEGMENTS`).
    #[oai(path = "/api/v1/projects/:project/segments/:id/", method = "delete")]
    async fn delete_segment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_segment(auth.caller(), ProjectId(project.0), SegmentId(id.0))
            .await?;
        Ok(NoContent::Done)
    }

    /// Copy a segment under a new name (`MANAGE_SEGMENTS`).
    #[oai(
        path = "/api/v1/projects/:project/segments/:id/clone/",
        method = "post"
    )]
    async fn clone_segment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<Creating<CloneSegmentIn>>,
    ) -> poem::Result<Created<SegmentOut>> {
        let segment = svc
            .clone_segment(
                auth.caller(),
                ProjectId(project.0),
                SegmentId(id.0),
                body.0.0.name.as_deref(),
            )
            .await?;
        Ok(Created::Created(Json(segment.into())))
    }

    /// The segment-override states that use this segment, optionally in one environment (id).
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/api/v1/projects/:project/segments/:id/associated-features/",
        method = "get"
    )]
    async fn associated_features(
        &self,
        req: &Request,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        environment: Query<Param<Integer>>,
        page: Query<Param<Integer>>,
        page_size: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<AssociatedFeatureOut>>> {
        let environment = integer("environment", environment.0.into_text())?.map(EnvironmentId);
        let page = page_request(
            page.0.into_text(),
            page_size.0.into_text(),
            PageRequest::MAX_SIZE,
        )?;
        let found = svc
            .associated_features(
                auth.caller(),
                ProjectId(project.0),
                SegmentId(id.0),
                environment,
                page,
            )
            .await?;
        Ok(Json(Paginated::checked_page(req, page, found, Into::into)?))
    }
}
