//! The SDK payloads, as the OpenAPI document describes them.

use crate::api::values::Scalar;
use poem_openapi::Object;
use serde::Deserialize;

#[derive(Debug, Object)]
#[oai(rename = "SdkFeature")]
pub struct FeatureOut {
    id: i64,
    name: String,
    created_date: Option<String>,
    description: Option<String>,
    /// Always text (or null), whatever the served value's type.
    initial_value: Option<String>,
    default_enabled: Option<bool>,
    /// `STANDARD` or `MULTIVARIATE`.
    #[oai(rename = "type")]
    kind: String,
}

/// A flag: a feature's served state.
#[derive(Debug, Object)]
#[oai(rename = "SdkFlag")]
pub struct FlagOut {
    /// The served feature state's id (null when the environment hides sensitive data).
    id: Option<i64>,
    feature: FeatureOut,
    /// A string, number, boolean or null.
    feature_state_value: Option<Scalar>,
    environment: Option<i64>,
    /// The identity, when its own override is served.
    identity: Option<i64>,
    /// The segment override served, when one is.
    feature_segment: Option<i64>,
    enabled: bool,
    /// Identity flags only: the multivariate option's key, `control`, or null.
    variant: Option<String>,
}

#[derive(Debug, Object)]
#[oai(rename = "SdkTrait")]
pub struct TraitOut {
    id: Option<i64>,
    trait_key: String,
    trait_value: Option<Scalar>,
    transient: bool,
}

#[derive(Debug, Object)]
#[oai(rename = "SdkIdentity")]
pub struct IdentityOut {
    identifier: String,
    traits: Vec<TraitOut>,
    flags: Vec<FlagOut>,
}

#[derive(Debug, Object, Deserialize)]
#[oai(rename = "SdkTraitIn")]
pub struct TraitIn {
    pub trait_key: String,
    /// A string, number or boolean; null deletes the stored trait.
    pub trait_value: Option<Scalar>,
    /// Used for this evaluation only, never stored.
    pub transient: Option<bool>,
}

#[derive(Debug, Object, Deserialize)]
#[oai(example, rename = "SdkIdentify")]
pub struct IdentifyIn {
    /// Without one, the identity is transient and named after its traits.
    pub identifier: Option<String>,
    pub traits: Option<Vec<TraitIn>>,
    /// Store nothing for this request.
    pub transient: Option<bool>,
}

impl poem_openapi::types::Example for IdentifyIn {
    fn example() -> Self {
        IdentifyIn {
            identifier: Some("ada@example.com".into()),
            traits: Some(vec![
                TraitIn {
                    trait_key: "plan".into(),
                    trait_value: Some(serde_json::json!("pro").into()),
                    transient: None,
                },
                TraitIn {
                    trait_key: "age".into(),
                    trait_value: Some(serde_json::json!(36).into()),
                    transient: None,
                },
            ]),
            transient: None,
        }
    }
}
