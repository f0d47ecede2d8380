//! Building an environment's snapshot from its source's data, with response bodies rendered once.
//
// Everything the SDK endpoints read, the prepared evaluation model, and the environment-flags
// response bodies.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::source::{Inputs, SnapshotError};
use super::{EnvSnapshot, FeatureEntry};
use crate::domain::feature::{Feature, MvOption};
use crate::domain::feature_state::{FeatureSegment, FeatureState};
use crate::domain::segment::{Condition as DomainCondition, SegmentRule as DomainRule};
use crate::domain::{FeatureId, FeatureValue, MvOptionId};
use crate::engine::{
    Condition, ConditionValue, EnvironmentContext, EvaluationContext, FeatureContext, Number,
    SegmentContext, SegmentRule, VariantContext,
};

/// A value as the SDKs see it.
pub fn value_json(value: &FeatureValue) -> Value {
    match value {
        FeatureValue::Null => Value::Null,
        FeatureValue::String(s) => Value::String(s.clone()),
        FeatureValue::Integer(i) => Value::from(*i),
        FeatureValue::Boolean(b) => Value::Bool(*b),
    }
}

/// The seed multivariate bucketing hashes with: the salt, else the state id.
pub fn hashing_seed(state: &FeatureState) -> String {
    state
        .mv_hashing_salt
        .clone()
        .unwrap_or_else(|| state.id.0.to_string())
}

fn feature_context(
    feature: &Feature,
    state: &FeatureState,
    options: &HashMap<MvOptionId, MvOption>,
    priority: Option<i32>,
    feature_segment: Option<&FeatureSegment>,
) -> FeatureContext {
    let variants = state
        .mv_values
        .iter()
        .filter_map(|share| {
            let option = options.get(&share.mv_option_id)?;
            Some(VariantContext {
                value: value_json(&option.value),
                weight: Number::Float(share.percentage_allocation),
                priority: Number::from(share.id),
                key: option.key.clone(),
            })
        })
        .collect();
    let mut metadata = Map::new();
    metadata.insert("feature_id".into(), json!(feature.id.0));
    metadata.insert("state_id".into(), json!(state.id.0));
    if let Some(fs) = feature_segment {
        metadata.insert("feature_segment_id".into(), json!(fs.id.0));
    }
    FeatureContext {
        key: hashing_seed(state),
        name: feature.name.clone(),
        enabled: state.enabled,
        value: value_json(&state.value),
        variants,
        priority: priority.map(|p| Number::from(i64::from(p))),
        metadata: Some(metadata),
    }
}

fn rule_context(rule: &DomainRule) -> SegmentRule {
    SegmentRule {
        kind: rule.rule_type.as_str().to_string(),
        conditions: rule.conditions.iter().map(condition_context).collect(),
        rules: rule.rules.iter().map(rule_context).collect(),
    }
}

fn condition_context(c: &DomainCondition) -> Condition {
    Condition {
        property: c.property.clone().unwrap_or_default(),
        operator: c.operator.as_str().to_string(),
        value: ConditionValue::Text(c.value.clone().unwrap_or_default()),
    }
}

/// Prepares an environment's snapshot from what its source read.
pub fn build(inputs: Inputs) -> Result<EnvSnapshot, SnapshotError> {
    let Inputs {
        environment,
        project,
        organisation,
        features,
        options,
        defaults,
        segment_overrides,
        server_keys,
    } = inputs;
    let features: HashMap<FeatureId, Feature> = features.into_iter().map(|f| (f.id, f)).collect();
    let options: HashMap<MvOptionId, MvOption> = options.into_iter().map(|o| (o.id, o)).collect();
    let override_states = segment_overrides.states_by_feature_segment();

    let mut ordered: Vec<&FeatureState> = defaults.iter().collect();
    ordered.sort_by_key(|s| s.id);
    let mut entries = Vec::with_capacity(ordered.len());
    let mut feature_contexts = IndexMap::new();
    for state in ordered {
        let Some(feature) = features.get(&state.feature_id) else {
            continue;
        };
        feature_contexts.insert(
            feature.name.clone(),
            feature_context(feature, state, &options, None, None),
        );
        entries.push(FeatureEntry {
            feature: feature.clone(),
            default: state.clone(),
            rendered: Value::Null,
            rendered_raw: serde_json::value::RawValue::NULL.to_owned(),
        });
    }
    let mut segment_contexts = IndexMap::new();
    for segment in &segment_overrides.segments {
        let overrides: Vec<FeatureContext> = segment_overrides
            .feature_segments
            .iter()
            .filter(|fs| fs.segment_id == segment.id)
            .filter_map(|fs| {
                let state = override_states.get(&fs.id)?;
                let feature = features.get(&fs.feature_id)?;
                Some(feature_context(
                    feature,
                    state,
                    &options,
                    Some(fs.priority),
                    Some(fs),
                ))
            })
            .collect();
        // A feature-specific segment without an override here cannot change any flag.
        if segment.feature_id.is_some() && overrides.is_empty() {
            continue;
        }
        let mut metadata = Map::new();
        metadata.insert("id".into(), json!(segment.id.0));
        segment_contexts.insert(
            segment.id.0.to_string(),
            SegmentContext {
                key: segment.id.0.to_string(),
                name: segment.name.clone(),
                rules: segment.rules.iter().map(rule_context).collect(),
                overrides,
                metadata: Some(metadata),
            },
        );
    }
    let context = EvaluationContext {
        environment: EnvironmentContext {
            key: environment.api_key.clone(),
            name: environment.settings.name.clone(),
        },
        identity: None,
        features: feature_contexts,
        segments: segment_contexts,
    };
    let model = crate::engine::Environment::prepare(&context)
        .map_err(|e| SnapshotError::Other(format!("stored segments do not prepare: {e}")))?;
    Ok(EnvSnapshot::new(
        environment,
        project,
        organisation,
        entries,
        options,
        server_keys,
        model,
    ))
}
