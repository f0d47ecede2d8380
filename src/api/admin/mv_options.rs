//! `…/features/{feature}/mv-options/…`: the values of a multivariate feature.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::query_params::{Integer, Param};
use super::{Created, NoContent};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::{Paginated, page_request};
use crate::api::values::{Choice, StateValueType};
use crate::domain::feature::MvOption;
use crate::domain::{FeatureId, MvOptionId, PageRequest, ProjectId};
use crate::service::{MvOptionPatch, Service};

pub struct MvOptionsApi;

/// An option as a feature lists it (its feature is the one it is in).
#[derive(Debug, Clone, Object)]
pub struct NestedMvOptionOut {
    id: i64,
    uuid: String,
    #[oai(rename = "type")]
    value_type: String,
    integer_value: Option<i64>,
    string_value: Option<String>,
    boolean_value: Option<bool>,
    default_percentage_allocation: f64,
    key: Option<String>,
}

impl From<MvOption> for NestedMvOptionOut {
    fn from(o: MvOption) -> Self {
        NestedMvOptionOut {
            id: o.id.0,
            uuid: o.uuid,
            value_type: o.value.type_name().to_string(),
            integer_value: o.value.integer_column(),
            string_value: o.value.string_column().map(str::to_string),
            boolean_value: o.value.boolean_column(),
            default_percentage_allocation: o.default_percentage_allocation,
            key: o.key,
        }
    }
}

/// An option with its feature, as the option routes answer it.
#[derive(Debug, Clone, Object)]
pub struct MvOptionOut {
    #[oai(flatten)]
    option: NestedMvOptionOut,
    feature: i64,
}

impl From<MvOption> for MvOptionOut {
    fn from(o: MvOption) -> Self {
        MvOptionOut {
            feature: o.feature_id.0,
            option: o.into(),
        }
    }
}

/// An option's writable fields, all optional: `type` defaults to `unicode`, the allocation
/// to 100. A `feature` in the body is ignored: the path names it.
#[derive(Debug, Clone, Object, Deserialize)]
pub struct MvOptionIn {
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    value_type: Option<Choice<StateValueType>>,
    #[serde(default, with = "super::double_option")]
    string_value: Option<Option<String>>,
    #[serde(default, with = "super::double_option")]
    integer_value: Option<Option<i64>>,
    #[serde(default, with = "super::double_option")]
    boolean_value: Option<Option<bool>>,
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    default_percentage_allocation: Option<f64>,
    #[serde(default, with = "super::double_option")]
    #[oai(validator(max_length = 100, pattern = r"^[-a-zA-Z0-9_]+$"))]
    key: Option<Option<String>>,
}

impl From<MvOptionIn> for MvOptionPatch {
    fn from(o: MvOptionIn) -> Self {
        MvOptionPatch {
            key: o.key,
            value_type: o.value_type.map(|t| t.0),
            string_value: o.string_value,
            integer_value: o.integer_value,
            boolean_value: o.boolean_value,
            default_percentage_allocation: o.default_percentage_allocation,
        }
    }
}

#[OpenApi(tag = "Tag::Features")]
impl MvOptionsApi {
    /// A feature's multivariate options.
    #[oai(
        path = "/api/v1/projects/:project/features/:feature/mv-options/",
        method = "get"
    )]
    async fn list_mv_options(
        &self,
        req: &Request,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        feature: Path<i64>,
        page: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<MvOptionOut>>> {
        let page = page_request(page.0.into_text(), None, PageRequest::MAX_SIZE)?;
        let found = svc
            .mv_options(
                auth.caller(),
                ProjectId(project.0),
                FeatureId(feature.0),
                page,
            )
            .await?;
        Ok(Json(Paginated::checked_page(req, page, found, Into::into)?))
    }

    /// An option of a feature of any project the caller may view, by its uuid.
    #[oai(
        path = "/api/v1/multivariate/options/get-by-uuid/:uuid/",
        method = "get"
    )]
    async fn mv_option_by_uuid(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        uuid: Path<String>,
    ) -> poem::Result<Json<MvOptionOut>> {
        let option = svc.mv_option_by_uuid(auth.caller(), &uuid.0).await?;
        Ok(Json(option.into()))
    }

    /// Add an option (`CREATE_FEATURE`); the options' default allocations sum to at most 100.
    #[oai(
        path = "/api/v1/projects/:project/features/:feature/mv-options/",
        method = "post"
    )]
    async fn create_mv_option(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        feature: Path<i64>,
        body: Body<MvOptionIn>,
    ) -> poem::Result<Created<MvOptionOut>> {
        let option = svc
            .create_mv_option(
                auth.caller(),
                ProjectId(project.0),
                FeatureId(feature.0),
                body.0.into(),
            )
            .await?;
        Ok(Created::Created(Json(option.into())))
    }

    /// One of a feature's multivariate options.
    #[oai(
        path = "/api/v1/projects/:project/features/:feature/mv-options/:id/",
        method = "get"
    )]
    async fn get_mv_option(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        feature: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<Json<MvOptionOut>> {
        let option = svc
            .mv_option(
                auth.caller(),
                ProjectId(project.0),
                FeatureId(feature.0),
                MvOptionId(id.0),
            )
            .await?;
        Ok(Json(option.into()))
    }

    /// Replaces an option's key, value and default allocation (`CREATE_FEATURE`).
    #[oai(
        path = "/api/v1/projects/:project/features/:feature/mv-options/:id/",
        method = "put"
    )]
    async fn replace_mv_option(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        feature: Path<i64>,
        id: Path<i64>,
        body: Body<MvOptionIn>,
    ) -> poem::Result<Json<MvOptionOut>> {
        self.update_mv_option(svc, auth, project, feature, id, body)
            .await
    }

    /// Change an option's key, value or default allocation (`CREATE_FEATURE`).
    #[oai(
        path = "/api/v1/projects/:project/features/:feature/mv-options/:id/",
        method = "patch"
    )]
    async fn update_mv_option(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        feature: Path<i64>,
        id: Path<i64>,
        body: Body<MvOptionIn>,
    ) -> poem::Result<Json<MvOptionOut>> {
        let option = svc
            .update_mv_option(
                auth.caller(),
                ProjectId(project.0),
                FeatureId(feature.0),
                MvOptionId(id.0),
                body.0.into(),
            )
            .await?;
        Ok(Json(option.into()))
    }

    /// Delete an option with its shares; the last one makes the feature `STANDARD`.
    #[oai(
        path = "/api/v1/projects/:project/features/:feature/mv-options/:id/",
        method = "delete"
    )]
    async fn delete_mv_option(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        feature: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_mv_option(
            auth.caller(),
            ProjectId(project.0),
            FeatureId(feature.0),
            MvOptionId(id.0),
        )
        .await?;
        Ok(NoContent::Done)
    }
}
