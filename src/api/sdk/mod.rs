//! The Flagsmith SDK surface: `/api/v1/flags/` and `/api/v1/identities/`.
//
// Authenticated by an environment key in `X-Environment-Key` and answered from the environment's
// snapshot.

mod analytics;
mod document;
mod shapes;
mod traits;

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{ApiResponse, OpenApi, SecurityScheme};

use crate::api::Tag;
use crate::api::body::Body;
use crate::api::error::detail_body;
use crate::api::raw_json::RawJson;
use crate::service::{IdentityAnswer, Service, ServiceError, TraitInput};
pub use analytics::SdkAnalyticsApi;
pub use document::SdkDocumentApi;
pub use shapes::{FlagOut, IdentifyIn, IdentityOut};
pub use traits::SdkTraitsApi;

/// An environment's client-side key, or a server-side key (`ser.…`).
#[derive(SecurityScheme)]
#[oai(
    rename = "X-Environment-Key",
    ty = "api_key",
    key_name = "X-Environment-Key",
    key_in = "header",
    checker = "accept_key"
)]
pub struct EnvironmentKey(pub String);

async fn accept_key(_req: &Request, key: poem_openapi::auth::ApiKey) -> Option<String> {
    Some(key.key)
}

/// The key, when the request carries one; the service answers upstream's 403s.
#[derive(SecurityScheme)]
pub enum SdkAuth {
    Key(EnvironmentKey),
    #[oai(fallback)]
    Missing,
}

impl SdkAuth {
    fn key(&self) -> Option<&str> {
        match self {
            SdkAuth::Key(EnvironmentKey(key)) => Some(key),
            SdkAuth::Missing => None,
        }
    }
}

#[derive(ApiResponse)]
pub enum FlagsAnswer {
    /// The environment's flags (a single flag with `?feature=`).
    #[oai(status = 200)]
    Flags(
        RawJson<Vec<FlagOut>>,
        #[oai(header = "X-Flagsmith-Document-Updated-At")] Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum IdentityAnswerOut {
    /// The identity's traits and flags.
    #[oai(status = 200)]
    Identity(
        RawJson<IdentityOut>,
        #[oai(header = "X-Flagsmith-Document-Updated-At")] String,
    ),
}

fn identity_body<T>(
    answer: IdentityAnswer,
    feature: Option<&str>,
) -> Result<RawJson<T>, ServiceError> {
    let Some(name) = feature else {
        return Ok(RawJson::new(answer.to_bytes().into()));
    };
    Ok(RawJson::of(&answer.flag_named(name)?))
}

pub struct SdkApi;

#[OpenApi(tag = "Tag::Sdk")]
impl SdkApi {
    /// The environment's flags (environment defaults); `?feature=<name>` answers one flag.
    #[oai(path = "/api/v1/flags/", method = "get")]
    async fn flags(
        &self,
        svc: Data<&Arc<Service>>,
        auth: SdkAuth,
        feature: Query<Option<String>>,
    ) -> poem::Result<FlagsAnswer> {
        let sdk = svc.sdk_environment(auth.key()).await?;
        if let Some(name) = feature.0 {
            let flag = sdk.flag_named(&name)?;
            return Ok(FlagsAnswer::Flags(RawJson::of(&flag), None));
        }
        Ok(FlagsAnswer::Flags(
            RawJson::new(sdk.flags_json()),
            Some(sdk.updated_at_header().to_string()),
        ))
    }

    /// An identity's flags and traits; the identity is created when new (unless `transient`).
    #[oai(path = "/api/v1/identities/", method = "get")]
    async fn identity(
        &self,
        svc: Data<&Arc<Service>>,
        auth: SdkAuth,
        identifier: Query<Option<String>>,
        transient: Query<Option<String>>,
        feature: Query<Option<String>>,
    ) -> poem::Result<IdentityAnswerOut> {
        let sdk = svc.sdk_environment(auth.key()).await?;
        let header = sdk.updated_at_header().to_string();
        let Some(identifier) = identifier.0.filter(|i| !i.is_empty()) else {
            // Upstream answers 200 here.
            let body = detail_body("Missing identifier");
            return Ok(IdentityAnswerOut::Identity(RawJson::of(&body), header));
        };
        // Any non-empty value means transient, as upstream reads it.
        let transient = transient.0.is_some_and(|t| !t.is_empty());
        let answer = svc.sdk_identity(&sdk, &identifier, transient).await?;
        let body = identity_body(answer, feature.0.as_deref())?;
        Ok(IdentityAnswerOut::Identity(body, header))
    }

    /// Identify with traits (stored unless transient) and answer the identity's flags.
    #[oai(path = "/api/v1/identities/", method = "post")]
    async fn identify(
        &self,
        svc: Data<&Arc<Service>>,
        auth: SdkAuth,
        body: Body<IdentifyIn>,
    ) -> poem::Result<IdentityAnswerOut> {
        let sdk = svc.sdk_environment(auth.key()).await?;
        let b = body.0;
        let traits: Vec<TraitInput> = b
            .traits
            .unwrap_or_default()
            .into_iter()
            .map(|t| TraitInput {
                key: t.trait_key,
                value: t.trait_value.unwrap_or_default().0,
                transient: t.transient.unwrap_or(false),
            })
            .collect();
        let answer = svc
            .sdk_identify(
                &sdk,
                b.identifier.as_deref(),
                traits,
                b.transient.unwrap_or(false),
            )
            .await?;
        let body = identity_body(answer, None)?;
        Ok(IdentityAnswerOut::Identity(
            body,
            sdk.updated_at_header().to_string(),
        ))
    }
}
