//! Feature states: `environments/{key}/featurestates/…` and `features/featurestates/…`.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::feature_state_json::{
    FeatureStateListOut, FeatureStateOut, MvStateValueIn, TypedFeatureStateOut, TypedStateIn,
    allocations, infer_value,
};
use super::query_params::{Integer, Param, Required, integer};
use super::{Created, NoContent};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::{Paginated, page_request};
use crate::api::values::{Creating, RequiredToCreate, Scalar};
use crate::domain::feature_state::FeatureStatePatch;
use crate::domain::{
    EnvironmentId, FeatureId, FeatureSegmentId, FeatureStateId, IdentityId, PageRequest,
};
use crate::service::{Service, ServiceError, StateChange, StateDraft, StateFilter};

pub struct FeatureStatesApi;

/// A state as `environments/{key}/featurestates/` writes it: `feature_state_value` is any raw
/// JSON value, typed as upstream types it. Read-only fields sent back are ignored.
#[derive(Debug, Object, Deserialize)]
#[oai(example)]
pub struct RawStateIn {
    pub(super) feature: Option<i64>,
    environment: Option<i64>,
    enabled: Option<bool>,
    #[serde(default, with = "super::double_option")]
    feature_state_value: Option<Option<Scalar>>,
    multivariate_feature_state_values: Option<Vec<MvStateValueIn>>,
    identity: Option<i64>,
    identifier: Option<String>,
}

impl poem_openapi::types::Example for RawStateIn {
    fn example() -> Self {
        RawStateIn {
            feature: None,
            environment: None,
            enabled: Some(true),
            feature_state_value: Some(Some(serde_json::json!("blue").into())),
            multivariate_feature_state_values: None,
            identity: None,
            identifier: None,
        }
    }
}

impl RequiredToCreate for RawStateIn {
    const FIELDS: &'static [&'static str] = &["feature"];
}

impl RawStateIn {
    /// A new state of `feature` (which the caller has checked is there).
    pub(super) fn draft(self, feature: FeatureId) -> StateDraft {
        StateDraft {
            feature,
            enabled: self.enabled.unwrap_or(false),
            value: self
                .feature_state_value
                .map(|v| infer_value(&v.unwrap_or_default())),
            mv_values: self
                .multivariate_feature_state_values
                .as_deref()
                .map(allocations),
            identity: self.identity.map(IdentityId),
            identifier: self.identifier,
            feature_segment: None,
            environment: self.environment.map(EnvironmentId),
        }
    }

    pub(super) fn change(self) -> StateChange {
        StateChange {
            patch: FeatureStatePatch {
                enabled: self.enabled,
                value: self
                    .feature_state_value
                    .map(|v| infer_value(&v.unwrap_or_default())),
                mv_values: self
                    .multivariate_feature_state_values
                    .as_deref()
                    .map(allocations),
            },
            feature: self.feature.map(FeatureId),
            environment: self.environment.map(EnvironmentId),
            identity: self.identity.map(IdentityId),
            feature_segment: None,
        }
    }
}

/// What `PATCH environments/{key}/featurestates/{id}/` answers, as upstream.
#[derive(Debug, Object)]
pub struct StateToggleOut {
    feature: i64,
    enabled: bool,
}

fn required(field: &str, value: Option<i64>) -> Result<i64, ServiceError> {
    value.ok_or_else(|| ServiceError::invalid(field, "This field is required."))
}

#[OpenApi(tag = "Tag::FeatureStates")]
impl FeatureStatesApi {
    /// The environment's defaults; with `?anyIdentity=` its identity overrides instead.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v1/environments/:api_key/featurestates/", method = "get")]
    async fn list_environment_states(
        &self,
        req: &Request,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        feature: Query<Param<Integer>>,
        feature_name: Query<Option<String>>,
        #[oai(name = "anyIdentity")] any_identity: Query<Option<String>>,
        page: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<FeatureStateListOut>>> {
        let filter = StateFilter {
            feature: integer("feature", feature.0.into_text())?.map(FeatureId),
            feature_name: feature_name.0.filter(|n| !n.is_empty()),
            any_identity: any_identity.0.is_some(),
        };
        let page = page_request(page.0.into_text(), None, PageRequest::MAX_SIZE)?;
        let found = svc
            .environment_states(auth.caller(), &api_key.0, &filter, page)
            .await?;
        Ok(Json(Paginated::checked_page(req, page, found, Into::into)?))
    }

    /// Deprecated upstream: a state for `feature` in this environment. Every feature has its
    /// default already, so this makes identity overrides (`identity` or `identifier`).
    #[oai(path = "/api/v1/environments/:api_key/featurestates/", method = "post")]
    async fn create_environment_state(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        body: Body<Creating<RawStateIn>>,
    ) -> poem::Result<Created<FeatureStateOut>> {
        let b = body.0.0;
        let feature = b
            .feature
            .ok_or_else(|| ServiceError::bad_request("Feature not provided"))?;
        let draft = b.draft(FeatureId(feature));
        let state = svc
            .create_environment_state(auth.caller(), &api_key.0, draft)
            .await?;
        Ok(Created::Created(Json((&state).into())))
    }

    /// An environment default; with `?anyIdentity=`, an identity override too.
    #[oai(
        path = "/api/v1/environments/:api_key/featurestates/:id/",
        method = "get"
    )]
    async fn get_environment_state(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        #[oai(name = "anyIdentity")] any_identity: Query<Option<String>>,
    ) -> poem::Result<Json<FeatureStateOut>> {
        let state = svc
            .environment_state(
                auth.caller(),
                &api_key.0,
                FeatureStateId(id.0),
                any_identity.0.is_some(),
            )
            .await?;
        Ok(Json((&state).into()))
    }

    /// Change a state's `enabled`, raw `feature_state_value` and multivariate shares
    /// (`UPDATE_FEATURE_STATE`); always partial. Answers the whole state.
    #[oai(
        path = "/api/v1/environments/:api_key/featurestates/:id/",
        method = "put"
    )]
    async fn replace_environment_state(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        #[oai(name = "anyIdentity")] any_identity: Query<Option<String>>,
        body: Body<RawStateIn>,
    ) -> poem::Result<Json<FeatureStateOut>> {
        let state = svc
            .update_environment_state(
                auth.caller(),
                &api_key.0,
                FeatureStateId(id.0),
                any_identity.0.is_some(),
                body.0.change(),
            )
            .await?;
        Ok(Json((&state).into()))
    }

    /// Like PUT, but answers only `{"feature", "enabled"}`, as upstream.
    #[oai(
        path = "/api/v1/environments/:api_key/featurestates/:id/",
        method = "patch"
    )]
    async fn update_environment_state(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        #[oai(name = "anyIdentity")] any_identity: Query<Option<String>>,
        body: Body<RawStateIn>,
    ) -> poem::Result<Json<StateToggleOut>> {
        let state = svc
            .update_environment_state(
                auth.caller(),
                &api_key.0,
                FeatureStateId(id.0),
                any_identity.0.is_some(),
                body.0.change(),
            )
            .await?;
        Ok(Json(StateToggleOut {
            feature: state.feature_id.0,
            enabled: state.enabled,
        }))
    }

    /// Delete an identity override (with `?anyIdentity=`); defaults cannot be deleted.
    #[oai(
        path = "/api/v1/environments/:api_key/featurestates/:id/",
        method = "delete"
    )]
    async fn delete_environment_state(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        #[oai(name = "anyIdentity")] any_identity: Query<Option<String>>,
    ) -> poem::Result<NoContent> {
        svc.delete_environment_state(
            auth.caller(),
            &api_key.0,
            FeatureStateId(id.0),
            any_identity.0.is_some(),
        )
        .await?;
        Ok(NoContent::Done)
    }

    /// Every state of an environment (`?environment=<id>` is required), optionally of one
    /// feature or one segment override.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v1/features/featurestates/", method = "get")]
    async fn list_states(
        &self,
        req: &Request,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        environment: Query<Required<Integer>>,
        feature: Query<Param<Integer>>,
        feature_segment: Query<Param<Integer>>,
        page: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<TypedFeatureStateOut>>> {
        let environment = integer("environment", environment.0.into_text())?.ok_or_else(|| {
            ServiceError::bad_request_list(vec!["'environment' GET parameter is required.".into()])
        })?;
        let feature = integer("feature", feature.0.into_text())?.map(FeatureId);
        let feature_segment =
            integer("feature_segment", feature_segment.0.into_text())?.map(FeatureSegmentId);
        let page = page_request(page.0.into_text(), None, PageRequest::MAX_SIZE)?;
        let found = svc
            .states(
                auth.caller(),
                EnvironmentId(environment),
                feature,
                feature_segment,
                page,
            )
            .await?;
        Ok(Json(Paginated::checked_page(req, page, found, |s| {
            (&s).into()
        })?))
    }

    /// A state for an identity (`identity` or `identifier`) or a segment override
    /// (`feature_segment`), with its value as typed columns; `environment` is required.
    #[oai(path = "/api/v1/features/featurestates/", method = "post")]
    async fn create_state(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        body: Body<TypedStateIn>,
    ) -> poem::Result<Created<TypedFeatureStateOut>> {
        let b = body.0;
        let environment = required("environment", b.environment)?;
        let feature = required("feature", b.feature)?;
        let draft = StateDraft {
            feature: FeatureId(feature),
            enabled: b.enabled.unwrap_or(false),
            value: b.feature_state_value.map(|v| v.value()).transpose()?,
            mv_values: b
                .multivariate_feature_state_values
                .as_deref()
                .map(allocations),
            identity: b.identity.map(IdentityId),
            identifier: b.identifier,
            feature_segment: b.feature_segment.map(FeatureSegmentId),
            environment: None,
        };
        let state = svc
            .create_state(auth.caller(), EnvironmentId(environment), draft)
            .await?;
        Ok(Created::Created(Json((&state).into())))
    }

    /// A state of any environment the caller may view, by its uuid; its value as typed
    /// columns, as `features/featurestates/` answers it (Terraform refreshes through here).
    #[oai(
        path = "/api/v1/features/featurestates/get-by-uuid/:uuid/",
        method = "get"
    )]
    async fn state_by_uuid(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        uuid: Path<String>,
    ) -> poem::Result<Json<TypedFeatureStateOut>> {
        let state = svc.state_by_uuid(auth.caller(), &uuid.0).await?;
        Ok(Json((&state).into()))
    }

    /// Replaces a state's `enabled`, typed value and multivariate shares.
    #[oai(path = "/api/v1/features/featurestates/:id/", method = "put")]
    async fn replace_state(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        body: Body<TypedStateIn>,
    ) -> poem::Result<Json<TypedFeatureStateOut>> {
        self.update_state(svc, auth, id, body).await
    }

    /// Change any state the caller may update, with its value as typed columns.
    #[oai(path = "/api/v1/features/featurestates/:id/", method = "patch")]
    async fn update_state(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        body: Body<TypedStateIn>,
    ) -> poem::Result<Json<TypedFeatureStateOut>> {
        let state = svc
            .update_state(auth.caller(), FeatureStateId(id.0), body.0.change()?)
            .await?;
        Ok(Json((&state).into()))
    }
}
