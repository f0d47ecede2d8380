//! An identity's own flag states, its effective flags and copying another's overrides.
//
// `/api/v1/environments/{key}/identities/{identity}/featurestates/…`: an identity's own
// flag states, its effective flags (`all/`) and copying another identity's overrides.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::feature_state_json::{FeatureStateListOut, FeatureStateOut};
use super::feature_states::RawStateIn;
use super::query_params::{Integer, Param, integer};
use super::{Created, NoContent};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::{Paginated, page_request};
use crate::api::values::{Creating, Scalar};
use crate::domain::{FeatureId, FeatureStateId, IdentityId, PageRequest};
use crate::service::{IdentityFlag, Service, ServiceError};

pub struct IdentityOverridesApi;

/// The feature an effective flag is for.
#[derive(Debug, Object)]
pub struct FlagFeature {
    id: i64,
    name: String,
    /// `STANDARD` or `MULTIVARIATE`.
    #[oai(rename = "type")]
    feature_type: String,
}

/// The segment whose override serves a flag.
#[derive(Debug, Object)]
pub struct FlagSegment {
    id: i64,
    name: String,
}

#[derive(Debug, Object)]
pub struct FlagOption {
    value: Scalar,
}

#[derive(Debug, Object)]
pub struct FlagShare {
    multivariate_feature_option: FlagOption,
    percentage_allocation: f64,
}

/// One of an identity's effective flags and where it comes from.
#[derive(Debug, Object)]
pub struct IdentityFlagOut {
    feature: FlagFeature,
    enabled: bool,
    feature_state_value: Scalar,
    /// `IDENTITY`, `SEGMENT`, or null for the environment default.
    overridden_by: Option<String>,
    segment: Option<FlagSegment>,
    multivariate_feature_state_values: Vec<FlagShare>,
}

impl From<IdentityFlag> for IdentityFlagOut {
    fn from(f: IdentityFlag) -> Self {
        IdentityFlagOut {
            feature: FlagFeature {
                id: f.feature.id.0,
                name: f.feature.name,
                feature_type: f.feature.feature_type.as_str().to_string(),
            },
            enabled: f.enabled,
            feature_state_value: f.value.into(),
            overridden_by: f.overridden_by.map(|o| o.as_str().to_string()),
            segment: f.segment.map(|(id, name)| FlagSegment { id: id.0, name }),
            multivariate_feature_state_values: f
                .shares
                .into_iter()
                .map(|(value, percentage_allocation)| FlagShare {
                    multivariate_feature_option: FlagOption {
                        value: value.into(),
                    },
                    percentage_allocation,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct CloneOverridesIn {
    source_identity_id: i64,
}

#[OpenApi(tag = "Tag::Identities")]
impl IdentityOverridesApi {
    /// The identity's overrides, optionally of one `feature`, each naming the identity.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:identity/featurestates/",
        method = "get"
    )]
    async fn list(
        &self,
        req: &Request,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        identity: Path<i64>,
        feature: Query<Param<Integer>>,
        page: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<FeatureStateListOut>>> {
        let feature = integer("feature", feature.0.into_text())?.map(FeatureId);
        let page = page_request(page.0.into_text(), None, PageRequest::MAX_SIZE)?;
        let found = svc
            .identity_overrides(
                auth.caller(),
                &api_key.0,
                IdentityId(identity.0),
                feature,
                page,
            )
            .await?;
        Ok(Json(Paginated::checked_page(req, page, found, Into::into)?))
    }

    /// Override a feature for the identity: `feature`, `enabled` and a raw
    /// `feature_state_value` (typed as upstream types it).
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:identity/featurestates/",
        method = "post"
    )]
    async fn create(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        identity: Path<i64>,
        body: Body<Creating<RawStateIn>>,
    ) -> poem::Result<Created<FeatureStateOut>> {
        let b = body.0.0;
        let feature = b
            .feature
            .ok_or_else(|| ServiceError::invalid("feature", "This field is required."))?;
        let draft = b.draft(FeatureId(feature));
        let state = svc
            .create_identity_override(auth.caller(), &api_key.0, IdentityId(identity.0), draft)
            .await?;
        Ok(Created::Created(Json((&state).into())))
    }

    /// Every feature's flag for the identity, with where it comes from (`overridden_by`).
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:identity/featurestates/all/",
        method = "get"
    )]
    async fn all(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        identity: Path<i64>,
    ) -> poem::Result<Json<Vec<IdentityFlagOut>>> {
        let flags = svc
            .identity_all_flags(auth.caller(), &api_key.0, IdentityId(identity.0))
            .await?;
        Ok(Json(flags.into_iter().map(Into::into).collect()))
    }

    /// Replace the identity's overrides with copies of `source_identity_id`'s; answers its
    /// flags as `all/` does.
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:identity/featurestates/clone-from-given-identity/",
        method = "post"
    )]
    async fn clone_overrides(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        identity: Path<i64>,
        body: Body<CloneOverridesIn>,
    ) -> poem::Result<Json<Vec<IdentityFlagOut>>> {
        let flags = svc
            .clone_identity_overrides(
                auth.caller(),
                &api_key.0,
                IdentityId(identity.0),
                IdentityId(body.0.source_identity_id),
            )
            .await?;
        Ok(Json(flags.into_iter().map(Into::into).collect()))
    }

    /// One of an identity's overrides.
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:identity/featurestates/:id/",
        method = "get"
    )]
    async fn get(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        identity: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<Json<FeatureStateOut>> {
        let state = svc
            .identity_override(
                auth.caller(),
                &api_key.0,
                IdentityId(identity.0),
                FeatureStateId(id.0),
            )
            .await?;
        Ok(Json((&state).into()))
    }

    /// Change the override's `enabled`, raw `feature_state_value` or shares; always partial.
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:identity/featurestates/:id/",
        method = "put"
    )]
    async fn replace(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        identity: Path<i64>,
        id: Path<i64>,
        body: Body<RawStateIn>,
    ) -> poem::Result<Json<FeatureStateOut>> {
        self.change(svc, auth, api_key, identity, id, body).await
    }

    /// As PUT.
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:identity/featurestates/:id/",
        method = "patch"
    )]
    async fn update(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        identity: Path<i64>,
        id: Path<i64>,
        body: Body<RawStateIn>,
    ) -> poem::Result<Json<FeatureStateOut>> {
        self.change(svc, auth, api_key, identity, id, body).await
    }

    /// Remove the override: the identity gets its segment's or the environment's flag again.
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:identity/featurestates/:id/",
        method = "delete"
    )]
    async fn delete(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        identity: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_identity_override(
            auth.caller(),
            &api_key.0,
            IdentityId(identity.0),
            FeatureStateId(id.0),
        )
        .await?;
        Ok(NoContent::Done)
    }
}

impl IdentityOverridesApi {
    async fn change(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        identity: Path<i64>,
        id: Path<i64>,
        body: Body<RawStateIn>,
    ) -> poem::Result<Json<FeatureStateOut>> {
        let state = svc
            .update_identity_override(
                auth.caller(),
                &api_key.0,
                IdentityId(identity.0),
                FeatureStateId(id.0),
                body.0.change(),
            )
            .await?;
        Ok(Json((&state).into()))
    }
}
