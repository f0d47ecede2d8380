//! `/api/v1/traits/…`: the SDK's trait writes.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::SdkAuth;
use crate::api::Tag;
use crate::api::body::Body;
use crate::api::values::Scalar;
use crate::service::{Service, TraitItem};

pub struct SdkTraitsApi;

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(rename = "SdkIdentityRef")]
pub struct IdentityRef {
    identifier: String,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(rename = "SdkTraitWrite")]
pub struct TraitWriteIn {
    identity: IdentityRef,
    trait_key: String,
    /// A string, number or boolean; null deletes (bulk only).
    trait_value: Option<Scalar>,
}

#[derive(Debug, Object, Deserialize)]
#[oai(rename = "SdkIncrement")]
pub struct IncrementIn {
    trait_key: String,
    identifier: String,
    increment_by: i64,
}

#[derive(Debug, Object)]
#[oai(rename = "SdkIncremented")]
pub struct IncrementOut {
    trait_key: String,
    trait_value: Scalar,
    identifier: String,
}

impl From<TraitWriteIn> for TraitItem {
    fn from(t: TraitWriteIn) -> Self {
        TraitItem {
            identifier: t.identity.identifier,
            key: t.trait_key,
            value: t.trait_value.unwrap_or_default().0,
        }
    }
}

#[OpenApi(tag = "Tag::Sdk")]
impl SdkTraitsApi {
    /// Set one trait of an identity (the identity is created when new). Answers 200.
    #[oai(path = "/api/v1/traits/", method = "post")]
    async fn set(
        &self,
        svc: Data<&Arc<Service>>,
        auth: SdkAuth,
        body: Body<TraitWriteIn>,
    ) -> poem::Result<Json<TraitWriteOut>> {
        let sdk = svc.sdk_environment(auth.key()).await?;
        let identity = body.0.identity.clone();
        let key = body.0.trait_key.clone();
        let value = svc.sdk_set_trait(&sdk, body.0.into()).await?;
        Ok(Json(TraitWriteOut {
            identity,
            trait_key: key,
            trait_value: value.into(),
        }))
    }

    /// Set (or, with null, delete) traits of many identities. PUT only, as upstream.
    #[oai(path = "/api/v1/traits/bulk/", method = "put")]
    async fn bulk(
        &self,
        svc: Data<&Arc<Service>>,
        auth: SdkAuth,
        body: Body<Vec<TraitWriteIn>>,
    ) -> poem::Result<Json<Vec<TraitWriteOut>>> {
        let sdk = svc.sdk_environment(auth.key()).await?;
        let echo: Vec<TraitWriteOut> = body
            .0
            .iter()
            .filter(|t| t.trait_value.as_ref().is_some_and(|v| !v.is_null()))
            .map(|t| TraitWriteOut {
                identity: t.identity.clone(),
                trait_key: t.trait_key.clone(),
                trait_value: t.trait_value.clone().unwrap_or_default(),
            })
            .collect();
        let items = body.0.into_iter().map(Into::into).collect();
        svc.sdk_bulk_traits(&sdk, items).await?;
        Ok(Json(echo))
    }

    /// Add to an integer trait (a missing trait starts at 0).
    #[oai(path = "/api/v1/traits/increment-value/", method = "post")]
    async fn increment(
        &self,
        svc: Data<&Arc<Service>>,
        auth: SdkAuth,
        body: Body<IncrementIn>,
    ) -> poem::Result<Json<IncrementOut>> {
        let sdk = svc.sdk_environment(auth.key()).await?;
        let b = body.0;
        let value = svc
            .sdk_increment_trait(&sdk, &b.identifier, &b.trait_key, b.increment_by)
            .await?;
        Ok(Json(IncrementOut {
            trait_key: b.trait_key,
            trait_value: value.into(),
            identifier: b.identifier,
        }))
    }
}

#[derive(Debug, Object)]
#[oai(rename = "SdkTraitWritten")]
pub struct TraitWriteOut {
    identity: IdentityRef,
    trait_key: String,
    trait_value: Scalar,
}
