//! Segment overrides: `features/feature-segments/…` and `…/create-segment-override/`.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::feature_state_json::{MvStateValueIn, SegmentOverrideOut, TypedValue, allocations};
use super::query_params::{Integer, Param, Required};
use super::{Created, NoContent};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::{Paginated, page_request};
use crate::domain::feature_state::FeatureSegment;
use crate::domain::{EnvironmentId, FeatureId, FeatureSegmentId, PageRequest, SegmentId};
use crate::service::{
    FeatureSegmentView, FieldErrors, SegmentOverrideDraft, Service, ServiceError,
};

pub struct SegmentOverridesApi;

/// An override as lists show it.
#[derive(Debug, Object)]
pub struct FeatureSegmentListOut {
    id: i64,
    uuid: String,
    segment: i64,
    /// 0 is the strongest.
    priority: i32,
    environment: i64,
    segment_name: String,
    is_feature_specific: bool,
}

impl From<FeatureSegmentView> for FeatureSegmentListOut {
    fn from(v: FeatureSegmentView) -> Self {
        let fs = v.feature_segment;
        FeatureSegmentListOut {
            id: fs.id.0,
            uuid: fs.uuid,
            segment: fs.segment_id.0,
            priority: fs.priority,
            environment: fs.environment_id.0,
            segment_name: v.segment_name,
            is_feature_specific: v.is_feature_specific,
        }
    }
}

/// A new override, as `POST features/feature-segments/` answers it.
#[derive(Debug, Object)]
pub struct FeatureSegmentOut {
    id: i64,
    uuid: String,
    feature: i64,
    segment: i64,
    environment: i64,
    priority: i32,
}

impl From<FeatureSegment> for FeatureSegmentOut {
    fn from(fs: FeatureSegment) -> Self {
        FeatureSegmentOut {
            id: fs.id.0,
            uuid: fs.uuid,
            feature: fs.feature_id.0,
            segment: fs.segment_id.0,
            environment: fs.environment_id.0,
            priority: fs.priority,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct FeatureSegmentIn {
    feature: i64,
    segment: i64,
    /// The environment's id.
    environment: i64,
}

#[derive(Debug, Object, Deserialize)]
pub struct PriorityIn {
    id: i64,
    priority: i32,
}

#[derive(Debug, Object, Deserialize)]
pub struct OverrideSegmentIn {
    segment: i64,
    priority: Option<i32>,
}

/// The override's segment (and priority) with its state's value as typed columns.
#[derive(Debug, Object, Deserialize)]
pub struct SegmentOverrideIn {
    enabled: Option<bool>,
    feature_state_value: TypedValue,
    feature_segment: OverrideSegmentIn,
    multivariate_feature_state_values: Option<Vec<MvStateValueIn>>,
}

/// `?environment=&feature=`, both required integers.
fn list_params(
    environment: &Required<Integer>,
    feature: &Required<Integer>,
) -> Result<(EnvironmentId, FeatureId), ServiceError> {
    let mut errors = FieldErrors::default();
    let environment = environment.integer_into(&mut errors, "environment");
    let feature = feature.integer_into(&mut errors, "feature");
    match (environment, feature) {
        (Some(e), Some(f)) => Ok((EnvironmentId(e), FeatureId(f))),
        _ => Err(ServiceError::invalid_fields(errors)),
    }
}

#[OpenApi(tag = "Tag::FeatureStates")]
impl SegmentOverridesApi {
    /// A feature's segment overrides in an environment (`?environment=<id>&feature=<id>`),
    /// strongest first.
    #[oai(path = "/api/v1/features/feature-segments/", method = "get")]
    async fn list_feature_segments(
        &self,
        req: &Request,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        environment: Query<Required<Integer>>,
        feature: Query<Required<Integer>>,
        page: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<FeatureSegmentListOut>>> {
        let (environment, feature) = list_params(&environment.0, &feature.0)?;
        let page = page_request(page.0.into_text(), None, PageRequest::MAX_SIZE)?;
        let found = svc
            .feature_segments(auth.caller(), environment, feature, page)
            .await?;
        Ok(Json(Paginated::checked_page(req, page, found, Into::into)?))
    }

    /// Override a feature for a segment in an environment (`MANAGE_SEGMENT_OVERRIDES`), last
    /// in priority. Its state starts as the environment default's.
    #[oai(path = "/api/v1/features/feature-segments/", method = "post")]
    async fn create_feature_segment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        body: Body<FeatureSegmentIn>,
    ) -> poem::Result<Created<FeatureSegmentOut>> {
        let b = body.0;
        let fs = svc
            .create_feature_segment(
                auth.caller(),
                FeatureId(b.feature),
                SegmentId(b.segment),
                EnvironmentId(b.environment),
            )
            .await?;
        Ok(Created::Created(Json(fs.into())))
    }

    /// An override of an environment the caller may view, as the list shows it.
    #[oai(path = "/api/v1/features/feature-segments/:id/", method = "get")]
    async fn get_feature_segment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<FeatureSegmentListOut>> {
        let found = svc
            .feature_segment(auth.caller(), FeatureSegmentId(id.0))
            .await?;
        Ok(Json(found.into()))
    }

    /// An override of an environment the caller may view, by its uuid, as the list shows it.
    #[oai(
        path = "/api/v1/features/feature-segments/get-by-uuid/:uuid/",
        method = "get"
    )]
    async fn feature_segment_by_uuid(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        uuid: Path<String>,
    ) -> poem::Result<Json<FeatureSegmentListOut>> {
        let found = svc.feature_segment_by_uuid(auth.caller(), &uuid.0).await?;
        Ok(Json(found.into()))
    }

    /// Remove an override and its state (`MANAGE_SEGMENT_OVERRIDES`).
    #[oai(path = "/api/v1/features/feature-segments/:id/", method = "delete")]
    async fn delete_feature_segment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_feature_segment(auth.caller(), FeatureSegmentId(id.0))
            .await?;
        Ok(NoContent::Done)
    }

    /// Re-order one feature's overrides in one environment: `[{"id", "priority"}]`, where 0
    /// is the strongest. Answers all of them in their new order.
    #[oai(
        path = "/api/v1/features/feature-segments/update-priorities/",
        method = "post"
    )]
    async fn update_priorities(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        body: Body<Vec<PriorityIn>>,
    ) -> poem::Result<Json<Vec<FeatureSegmentListOut>>> {
        let pairs: Vec<(FeatureSegmentId, i32)> = body
            .0
            .iter()
            .map(|p| (FeatureSegmentId(p.id), p.priority))
            .collect();
        let ordered = svc.update_priorities(auth.caller(), &pairs).await?;
        Ok(Json(ordered.into_iter().map(Into::into).collect()))
    }

    /// Create a segment override with its state in one step (`MANAGE_SEGMENT_OVERRIDES`); a
    /// given priority moves the overrides at or after it down.
    #[oai(
        path = "/api/v1/environments/:api_key/features/:feature/create-segment-override/",
        method = "post"
    )]
    async fn create_segment_override(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        feature: Path<i64>,
        body: Body<SegmentOverrideIn>,
    ) -> poem::Result<Created<SegmentOverrideOut>> {
        let b = body.0;
        let draft = SegmentOverrideDraft {
            segment: SegmentId(b.feature_segment.segment),
            priority: b.feature_segment.priority,
            enabled: b.enabled.unwrap_or(false),
            value: b.feature_state_value.value()?,
            mv_values: b
                .multivariate_feature_state_values
                .as_deref()
                .map(allocations)
                .unwrap_or_default(),
        };
        let (fs, state) = svc
            .create_segment_override(auth.caller(), &api_key.0, FeatureId(feature.0), draft)
            .await?;
        Ok(Created::Created(Json(SegmentOverrideOut::new(&fs, &state))))
    }
}
