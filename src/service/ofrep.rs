//! OFREP: an evaluation context in, flags with an OpenFeature reason and variant out.
//
// OFREP, the OpenFeature Remote Evaluation Protocol: an evaluation context in, flags with an
// OpenFeature reason and variant out. `targetingKey` names the identity (its stored traits and
// overrides count, nothing is written); every other attribute is a transient trait.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::sdk::{TraitInput, overlay, stored};
use super::sdk_environment::SdkEnvironment;
use super::sdk_traits::check_traits;
use super::{Service, ServiceResult};
use crate::domain::feature_state::FeatureState;
use crate::domain::identity::Trait;
use crate::snapshot::{EnvSnapshot, FeatureEntry, IdentityFlags, Origin, Source, value_json};

/// What an OFREP request asks about.
#[derive(Debug, Clone, Default)]
pub struct OfrepContext {
    /// `targetingKey`; without one the environment's own flags are evaluated.
    pub identifier: Option<String>,
    pub traits: Vec<TraitInput>,
}

/// One evaluated flag.
#[derive(Debug, Clone, PartialEq)]
pub struct OfrepFlag {
    pub key: String,
    pub value: Value,
    /// `STATIC`, `TARGETING_MATCH`, `SPLIT` or `DISABLED`.
    pub reason: &'static str,
    pub variant: String,
}

/// Reads the request's `context`: an object whose `targetingKey` is a string and whose other
/// attributes are strings, numbers, booleans or null. The error names the offending attribute.
pub fn ofrep_context(context: Option<&Value>) -> Result<OfrepContext, String> {
    let empty = Map::new();
    let attributes = match context {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return Err("context must be an object".into()),
    };
    let mut parsed = OfrepContext::default();
    for (key, value) in attributes {
        if key == "targetingKey" {
            match value {
                Value::String(s) if !s.is_empty() => parsed.identifier = Some(s.clone()),
                Value::String(_) | Value::Null => {}
                _ => return Err("context.targetingKey must be a string".into()),
            }
            continue;
        }
        if matches!(value, Value::Object(_) | Value::Array(_)) {
            return Err(format!(
                "context.{key} must be a string, number, boolean or null"
            ));
        }
        parsed.traits.push(TraitInput {
            key: key.clone(),
            value: value.clone(),
            transient: true,
        });
    }
    if let Some(errors) = check_traits(&parsed.traits) {
        let at = errors["traits"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .position(|i| i.as_object().is_some_and(|o| !o.is_empty()))
            })
            .unwrap_or_default();
        return Err(format!(
            "context.{}: {}",
            parsed.traits[at].key,
            errors["traits"][at]
                .as_object()
                .and_then(|o| o.values().next())
                .and_then(|m| m[0].as_str())
                .unwrap_or("invalid attribute")
        ));
    }
    if let Some(identifier) = &parsed.identifier
        && identifier.chars().count() > super::identities::IDENTIFIER_LIMIT
    {
        return Err("context.targetingKey is too long".into());
    }
    Ok(parsed)
}

/// The value OFREP serves: the feature's value, or its enabled state when it has none.
fn served_value(value: Value, enabled: bool) -> Value {
    if value.is_null() {
        Value::Bool(enabled)
    } else {
        value
    }
}

/// The variant OFREP names: for a multivariate feature the chosen option's key (or its value
/// when it has none) or `control`; for other features whether the flag is on.
fn variant_name(
    entry: &FeatureEntry,
    variant: Option<Option<&str>>,
    value: &Value,
    enabled: bool,
) -> String {
    if entry.feature.feature_type != crate::domain::feature::FeatureType::Multivariate {
        return if enabled { "enabled" } else { "disabled" }.into();
    }
    match variant {
        Some(Some(key)) => key.to_string(),
        Some(None) => crate::engine::python_str(value),
        None => "control".into(),
    }
}

impl Service {
    /// Every flag the key may see, evaluated for the context, in feature order. Flags that
    /// `hide_disabled_flags` hides are left out.
    pub async fn ofrep_flags(
        &self,
        sdk: &SdkEnvironment,
        context: &OfrepContext,
    ) -> ServiceResult<Vec<OfrepFlag>> {
        metrics::counter!("flagstaff_sdk_evaluations_total", "kind" => "ofrep").increment(1);
        let (snapshot, origin) = (&*sdk.snapshot, sdk.origin);
        let Some(identifier) = &context.identifier else {
            return Ok(environment_flags(snapshot, origin));
        };
        let env = snapshot.environment.id;
        let found = self.stored_identity_if_reachable(env, identifier).await?;
        let (identity_id, stored_traits, overrides): (_, &[Trait], &[FeatureState]) = match &found {
            Some(state) => (Some(state.0.id.0), &state.1, &state.2),
            None => (None, &[], &[]),
        };
        let traits = overlay(
            stored_traits.iter().map(stored).collect(),
            &context.traits,
            identity_id.is_some(),
        );
        let who = IdentityFlags {
            identifier,
            identity_id,
            traits: traits
                .into_iter()
                .map(|t| (t.key, t.value))
                .collect::<IndexMap<_, _>>(),
            overrides,
        };
        Ok(snapshot
            .resolve_identity(&who)
            .into_iter()
            .filter(|r| snapshot.visible_to(&r.entry.feature, origin))
            .filter(|r| !snapshot.hide_disabled || r.enabled)
            .map(|r| {
                let reason = if !r.enabled {
                    "DISABLED"
                } else if r.source != Source::Default {
                    "TARGETING_MATCH"
                } else if r.split {
                    "SPLIT"
                } else {
                    "STATIC"
                };
                OfrepFlag {
                    key: r.entry.feature.name.clone(),
                    variant: variant_name(r.entry, r.variant, &r.value, r.enabled),
                    value: served_value(r.value, r.enabled),
                    reason,
                }
            })
            .collect())
    }
}

/// The environment defaults, as every caller without a `targetingKey` gets them.
fn environment_flags(snapshot: &EnvSnapshot, origin: Origin) -> Vec<OfrepFlag> {
    snapshot
        .features
        .iter()
        .filter(|e| snapshot.visible_to(&e.feature, origin))
        .filter(|e| !snapshot.hide_disabled || e.default.enabled)
        .map(|e| {
            let enabled = e.default.enabled;
            let value = value_json(&e.default.value);
            OfrepFlag {
                key: e.feature.name.clone(),
                variant: variant_name(e, None, &value, enabled),
                value: served_value(value, enabled),
                reason: if enabled { "STATIC" } else { "DISABLED" },
            }
        })
        .collect()
}
