//! `/api/v1/projects/{project}/features/…`: a project's flags and remote config.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;
use serde_json::Value;

use super::accounts::UserOut;
use super::feature_query::{ListParams, context};
use super::feature_state_json::FeatureStateSmall;
use super::mv_options::{MvOptionIn, NestedMvOptionOut};
use super::query_params::{Boolean, Ids, Integer, Param};
use super::{Created, NoContent};
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::{Paginated, page_request};
use crate::api::values::{
    Choice, FeatureSortField, FeatureType, Scalar, SortDirection, TagStrategy,
};
use crate::api::{Tag, datetime};
use crate::domain::feature::{FeaturePatch, Owners};
use crate::domain::permission::GroupId;
use crate::domain::{FeatureId, PageRequest, ProjectId, TagId, UserId};
use crate::service::{FeatureDraft, FeatureView, Service};

pub struct FeaturesApi;

#[derive(Debug, Object)]
pub struct FeatureOut {
    id: i64,
    name: String,
    #[oai(rename = "type")]
    feature_type: Choice<FeatureType>,
    default_enabled: bool,
    /// Always text (or null), whatever type the served value has.
    initial_value: Option<String>,
    created_date: String,
    description: Option<String>,
    tags: Vec<i64>,
    multivariate_options: Vec<NestedMvOptionOut>,
    is_archived: bool,
    /// Users of the organisation who answer for the feature.
    owners: Vec<UserOut>,
    /// Groups of the organisation who answer for the feature.
    group_owners: Vec<GroupOwnerOut>,
    uuid: String,
    project: i64,
    /// The environment default, when `?environment=` is given.
    environment_feature_state: Option<FeatureStateSmall>,
    /// The segment override, when `?environment=` and `&segment=` are given.
    segment_feature_state: Option<FeatureStateSmall>,
    num_segment_overrides: u64,
    /// Null when the feature has no identity overrides here, as upstream answers it.
    num_identity_overrides: Option<u64>,
    is_num_identity_overrides_complete: bool,
    is_server_key_only: bool,
    last_modified_in_any_environment: Option<String>,
    last_modified_in_current_environment: Option<String>,
    metadata: Vec<Value>,
    code_references_counts: Vec<Value>,
    /// Left out, as upstream leaves it out while its lifecycle feature is off.
    #[oai(skip_serializing_if_is_none)]
    lifecycle_stage: Option<String>,
}

/// A group that owns a feature.
#[derive(Debug, Object)]
pub struct GroupOwnerOut {
    id: i64,
    name: String,
}

impl From<FeatureView> for FeatureOut {
    fn from(v: FeatureView) -> Self {
        let f = v.feature;
        FeatureOut {
            id: f.id.0,
            name: f.name,
            feature_type: Choice::new(f.feature_type.as_str()),
            default_enabled: f.default_enabled,
            initial_value: f.initial_value,
            created_date: datetime(f.created_date),
            description: f.settings.description,
            tags: f.tags.iter().map(|t| t.0).collect(),
            multivariate_options: v.options.into_iter().map(Into::into).collect(),
            is_archived: f.settings.is_archived,
            owners: v.owners.into_iter().map(Into::into).collect(),
            group_owners: v
                .group_owners
                .into_iter()
                .map(|(id, name)| GroupOwnerOut { id: id.0, name })
                .collect(),
            uuid: f.uuid,
            project: f.project_id.0,
            environment_feature_state: v.environment_state.as_ref().map(Into::into),
            segment_feature_state: v.segment_state.as_ref().map(Into::into),
            num_segment_overrides: v.num_segment_overrides as u64,
            num_identity_overrides: v
                .num_identity_overrides
                .filter(|&n| n > 0)
                .map(|n| n as u64),
            is_num_identity_overrides_complete: true,
            is_server_key_only: f.settings.is_server_key_only,
            last_modified_in_any_environment: None,
            last_modified_in_current_environment: None,
            metadata: Vec::new(),
            code_references_counts: Vec::new(),
            lifecycle_stage: None,
        }
    }
}

/// A new feature. `initial_value` may be any JSON value; non-strings are stored as text.
/// Without `owners` and `group_owners`, the creating user owns it. `metadata` is ignored.
#[derive(Debug, Object, Deserialize)]
#[oai(example)]
pub struct FeatureIn {
    #[oai(validator(min_length = 1, max_length = 2000, pattern = r"\S"))]
    name: String,
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    feature_type: Option<Choice<FeatureType>>,
    default_enabled: Option<bool>,
    initial_value: Option<Scalar>,
    description: Option<String>,
    tags: Option<Vec<i64>>,
    multivariate_options: Option<Vec<MvOptionIn>>,
    is_archived: Option<bool>,
    is_server_key_only: Option<bool>,
    /// User ids of the organisation.
    owners: Option<Vec<i64>>,
    /// Group ids of the organisation.
    group_owners: Option<Vec<i64>>,
}

impl poem_openapi::types::Example for FeatureIn {
    fn example() -> Self {
        FeatureIn {
            name: "new_checkout".into(),
            feature_type: Some(Choice::new("STANDARD")),
            default_enabled: Some(false),
            initial_value: Some(serde_json::json!("blue").into()),
            description: Some("The one-page checkout.".into()),
            tags: Some(Vec::new()),
            multivariate_options: None,
            is_archived: None,
            is_server_key_only: None,
            owners: None,
            group_owners: None,
        }
    }
}

/// Text for a non-string initial value: `True`/`False` as upstream's `str()` gives them.
fn initial_text(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        other => Some(other.to_string()),
    }
}

impl From<FeatureIn> for FeatureDraft {
    fn from(f: FeatureIn) -> Self {
        FeatureDraft {
            name: f.name,
            feature_type: f.feature_type.map(|t| t.0),
            default_enabled: f.default_enabled.unwrap_or(false),
            initial_value: f.initial_value.and_then(|v| initial_text(v.0)),
            description: f.description,
            tags: f.tags.unwrap_or_default().into_iter().map(TagId).collect(),
            owners: Owners {
                users: f
                    .owners
                    .unwrap_or_default()
                    .into_iter()
                    .map(UserId)
                    .collect(),
                groups: f
                    .group_owners
                    .unwrap_or_default()
                    .into_iter()
                    .map(GroupId)
                    .collect(),
            },
            multivariate_options: f
                .multivariate_options
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            is_archived: f.is_archived.unwrap_or(false),
            is_server_key_only: f.is_server_key_only.unwrap_or(false),
        }
    }
}

/// What PUT and PATCH may change. `name`, `default_enabled` and `initial_value` are read-only
/// after creation and ignored here, as upstream.
#[derive(Debug, Object, Deserialize)]
pub struct FeatureUpdateIn {
    #[serde(default, with = "super::double_option")]
    description: Option<Option<String>>,
    is_archived: Option<bool>,
    is_server_key_only: Option<bool>,
    tags: Option<Vec<i64>>,
}

impl From<FeatureUpdateIn> for FeaturePatch {
    fn from(f: FeatureUpdateIn) -> Self {
        FeaturePatch {
            description: f.description,
            is_archived: f.is_archived,
            is_server_key_only: f.is_server_key_only,
            tags: f.tags.map(|t| t.into_iter().map(TagId).collect()),
        }
    }
}

#[OpenApi(tag = "Tag::Features")]
impl FeaturesApi {
    /// The project's features, filtered and sorted; with `?environment=<id>`, each carries its
    /// state and override counts there.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v1/projects/:project/features/", method = "get")]
    async fn list_features(
        &self,
        req: &Request,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        search: Query<Option<String>>,
        sort_field: Query<Param<FeatureSortField>>,
        sort_direction: Query<Param<SortDirection>>,
        tags: Query<Param<Ids>>,
        tag_strategy: Query<Param<TagStrategy>>,
        is_archived: Query<Param<Boolean>>,
        environment: Query<Param<Integer>>,
        segment: Query<Param<Integer>>,
        owners: Query<Param<Ids>>,
        group_owners: Query<Param<Ids>>,
        page: Query<Param<Integer>>,
        page_size: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<FeatureOut>>> {
        let query = ListParams {
            search: search.0,
            sort_field: sort_field.0.into_text(),
            sort_direction: sort_direction.0.into_text(),
            tags: tags.0.into_text(),
            tag_strategy: tag_strategy.0.into_text(),
            is_archived: is_archived.0.into_text(),
            owners: owners.0.into_text(),
            group_owners: group_owners.0.into_text(),
        }
        .query()?;
        let context = context(environment.0.into_text(), segment.0.into_text())?;
        let page = page_request(
            page.0.into_text(),
            page_size.0.into_text(),
            PageRequest::MAX_SIZE,
        )?;
        let found = svc
            .features(auth.caller(), ProjectId(project.0), &query, context, page)
            .await?;
        Ok(Json(Paginated::checked_page(req, page, found, Into::into)?))
    }

    /// Create a feature (`CREATE_FEATURE`) with a default state in every environment.
    #[oai(path = "/api/v1/projects/:project/features/", method = "post")]
    async fn create_feature(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        body: Body<FeatureIn>,
    ) -> poem::Result<Created<FeatureOut>> {
        let view = svc
            .create_feature(auth.caller(), ProjectId(project.0), body.0.into())
            .await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// One feature of the project; with `?environment=<id>`, its state there.
    #[oai(path = "/api/v1/projects/:project/features/:id/", method = "get")]
    async fn get_feature(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        environment: Query<Param<Integer>>,
        segment: Query<Param<Integer>>,
    ) -> poem::Result<Json<FeatureOut>> {
        let context = context(environment.0.into_text(), segment.0.into_text())?;
        let view = svc
            .feature(
                auth.caller(),
                ProjectId(project.0),
                FeatureId(id.0),
                context,
            )
            .await?;
        Ok(Json(view.into()))
    }

    /// A feature of any project the caller may view, by its uuid.
    #[oai(path = "/api/v1/features/get-by-uuid/:uuid/", method = "get")]
    async fn feature_by_uuid(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        uuid: Path<String>,
    ) -> poem::Result<Json<FeatureOut>> {
        let view = svc.feature_by_uuid(auth.caller(), &uuid.0).await?;
        Ok(Json(view.into()))
    }

    /// Replaces a feature's writable fields (`EDIT_FEATURE`).
    #[oai(path = "/api/v1/projects/:project/features/:id/", method = "put")]
    async fn replace_feature(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<FeatureUpdateIn>,
    ) -> poem::Result<Json<FeatureOut>> {
        self.update_feature(svc, auth, project, id, body).await
    }

    /// Change a feature's description, tags, archiving or server-key-only flag (`EDIT_FEATURE`).
    #[oai(path = "/api/v1/projects/:project/features/:id/", method = "patch")]
    async fn update_feature(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<FeatureUpdateIn>,
    ) -> poem::Result<Json<FeatureOut>> {
        let view = svc
            .update_feature(
                auth.caller(),
                ProjectId(project.0),
                FeatureId(id.0),
                body.0.into(),
            )
            .await?;
        Ok(Json(view.into()))
    }

    /// Delete a feature with its states and overrides (`DELETE_FEATURE`).
    #[oai(path = "/api/v1/projects/:project/features/:id/", method = "delete")]
    async fn delete_feature(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_feature(auth.caller(), ProjectId(project.0), FeatureId(id.0))
            .await?;
        Ok(NoContent::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_values_become_text_like_upstream() {
        assert_eq!(initial_text(Value::Null), None);
        assert_eq!(initial_text(serde_json::json!(42)), Some("42".into()));
        assert_eq!(initial_text(serde_json::json!(true)), Some("True".into()));
        assert_eq!(initial_text(serde_json::json!(1.5)), Some("1.5".into()));
        assert_eq!(initial_text(serde_json::json!("x")), Some("x".into()));
    }
}
