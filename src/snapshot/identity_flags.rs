//! An identity's flags from a snapshot: overrides, segments and multivariate buckets.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::Value;
use serde_json::value::RawValue;

use super::flags::{Served, flag_raw, identity_variant};
use super::{EnvSnapshot, FeatureEntry, Origin, value_json};
use crate::domain::FeatureId;
use crate::domain::feature::FeatureType;
use crate::domain::feature_state::FeatureState;
use crate::engine::{FeatureContext, IdentityContext, IdentityOverrides};

/// What an identity's flags are computed from.
#[derive(Debug, Clone)]
pub struct IdentityFlags<'a> {
    pub identifier: &'a str,
    /// The stored identity's id; `None` for a transient identity.
    pub identity_id: Option<i64>,
    pub traits: IndexMap<String, Value>,
    pub overrides: &'a [FeatureState],
}

/// Which state an identity's flag comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The identity's own override.
    Identity,
    /// A segment override's state (the feature segment's id).
    Segment(i64),
    /// The environment default.
    Default,
}

/// One feature's flag for an identity, before visibility rules apply.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    pub entry: &'a FeatureEntry,
    pub state_id: i64,
    pub enabled: bool,
    pub value: Value,
    pub source: Source,
    /// The multivariate variant's key (`None` inside when the option has no key); outer
    /// `None` for features that are not multivariate.
    pub variant: Option<Option<&'a str>>,
    /// Whether a percentage split chose the value (not an override).
    pub split: bool,
}

impl EnvSnapshot {
    /// The identity's flags: its own override, else the strongest matching segment override,
    /// else the default; multivariate values bucketed on the identity's key.
    pub fn identity_flags(
        &self,
        origin: Origin,
        who: &IdentityFlags<'_>,
    ) -> Vec<(FeatureId, Box<RawValue>)> {
        let view = self.environment_view();
        self.resolve_identity(who)
            .into_iter()
            .filter(|r| self.visible_to(&r.entry.feature, origin))
            .filter(|r| !self.hide_disabled || r.enabled)
            .map(|r| {
                let served = Served {
                    state_id: Some(r.state_id),
                    enabled: r.enabled,
                    value: r.value,
                    identity: match r.source {
                        Source::Identity => who.identity_id,
                        _ => None,
                    },
                    feature_segment: match r.source {
                        Source::Segment(fs) => Some(fs),
                        _ => None,
                    },
                    variant: r.variant,
                };
                (
                    r.entry.feature.id,
                    flag_raw(view, &r.entry.rendered_raw, &served),
                )
            })
            .collect()
    }

    /// Every feature's flag for the identity and where it comes from, whatever the key or
    /// `hide_disabled_flags` would show.
    pub fn resolve_identity(&self, who: &IdentityFlags<'_>) -> Vec<Resolved<'_>> {
        let identity = IdentityContext {
            identifier: who.identifier.to_string(),
            key: None,
            traits: who.traits.clone(),
        };
        let hashing_key = format!("{}_{}", self.environment.api_key, who.identifier);
        let own = self.own_overrides(who.overrides);
        let evaluation = self.model.evaluate_with(Some(&identity), &own);
        let overrides: HashMap<FeatureId, &FeatureState> =
            who.overrides.iter().map(|s| (s.feature_id, s)).collect();
        let mut resolved = Vec::with_capacity(self.features.len());
        for (entry, flag) in self.features.iter().zip(evaluation.flags.iter()) {
            let feature = &entry.feature;
            let multivariate = feature.feature_type == FeatureType::Multivariate;
            resolved.push(match overrides.get(&feature.id) {
                Some(state) => {
                    let (value, variant) = self.bucket(state, &hashing_key, multivariate);
                    Resolved {
                        entry,
                        state_id: state.id.0,
                        enabled: state.enabled,
                        value,
                        source: Source::Identity,
                        variant: Some(variant),
                        split: false,
                    }
                }
                None => {
                    let meta = flag.metadata;
                    let number = |key: &str| meta.and_then(|m| m.get(key)).and_then(Value::as_i64);
                    Resolved {
                        entry,
                        state_id: number("state_id").unwrap_or(entry.default.id.0),
                        enabled: flag.enabled,
                        value: flag.value.clone(),
                        source: number("feature_segment_id")
                            .map_or(Source::Default, Source::Segment),
                        variant: identity_variant(multivariate, split(flag), flag.variant),
                        split: split(flag),
                    }
                }
            });
        }
        resolved
    }

    /// The identity's overrides as the engine sees them when a condition reads another flag
    /// (prepared only then): as the SDKs put them in a context, without multivariate shares.
    fn own_overrides(&self, overrides: &[FeatureState]) -> IdentityOverrides {
        if overrides.is_empty() || !self.model.reads_flags() {
            return IdentityOverrides::default();
        }
        let contexts: Vec<FeatureContext> = overrides
            .iter()
            .filter_map(|state| {
                let entry = self
                    .features
                    .iter()
                    .find(|e| e.feature.id == state.feature_id)?;
                Some(FeatureContext {
                    key: String::new(),
                    name: entry.feature.name.clone(),
                    enabled: state.enabled,
                    value: value_json(&state.value),
                    ..Default::default()
                })
            })
            .collect();
        self.model.identity_overrides(&contexts)
    }

    /// An identity override's value: a multivariate share when the identity's bucket falls in
    /// one, else the state's own value.
    fn bucket(
        &self,
        state: &FeatureState,
        hashing_key: &str,
        multivariate: bool,
    ) -> (Value, Option<&str>) {
        if state.mv_values.is_empty() {
            return (value_json(&state.value), multivariate.then_some("control"));
        }
        let seed = super::hashing_seed(state);
        let percentage = crate::engine::hashed_percentage(&[&seed, hashing_key]);
        let mut start = 0.0;
        for share in &state.mv_values {
            let end = start + share.percentage_allocation;
            if start <= percentage
                && percentage < end
                && let Some(option) = self.options.get(&share.mv_option_id)
            {
                return (value_json(&option.value), option.key.as_deref());
            }
            start = end;
        }
        (value_json(&state.value), Some("control"))
    }
}

/// The identity's bucket fell in one of the feature's options.
fn split(flag: &crate::engine::Flag<'_>) -> bool {
    matches!(flag.reason, crate::engine::Reason::Split { .. })
}
