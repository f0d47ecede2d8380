//! Flagsmith's environment document and its mapping to an `EvaluationContext`.
//
// Flagsmith's environment document (what `/api/v1/environment-document/` serves and the Edge
// API stores) and its mapping to an [`EvaluationContext`], as Flagsmith's SDK mapper does it.
// Only the fields that change an evaluation are read; everything else is ignored.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::context::{
    Condition, ConditionValue, EnvironmentContext, EvaluationContext, FeatureContext,
    IdentityContext, SegmentContext, SegmentRule, VariantContext,
};
use super::number::{Number, PyInt};
use super::python::value_str;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentDocument {
    pub api_key: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub feature_states: Vec<FeatureStateDocument>,
    #[serde(default)]
    pub project: ProjectDocument,
    /// Present when the environment serves identity overrides to local evaluation.
    #[serde(default)]
    pub identity_overrides: Vec<IdentityDocument>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectDocument {
    #[serde(default)]
    pub segments: Vec<SegmentDocument>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureStateDocument {
    pub feature: FeatureDocument,
    pub enabled: bool,
    #[serde(default)]
    pub django_id: Option<i64>,
    #[serde(default)]
    pub featurestate_uuid: Option<String>,
    #[serde(default)]
    pub feature_state_value: Value,
    /// Set on segment overrides only.
    #[serde(default)]
    pub feature_segment: Option<FeatureSegmentDocument>,
    #[serde(default)]
    pub multivariate_feature_state_values: Vec<MultivariateValueDocument>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureDocument {
    pub id: i64,
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureSegmentDocument {
    #[serde(default)]
    pub priority: Option<Number>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MultivariateValueDocument {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub mv_fs_value_uuid: Option<String>,
    pub percentage_allocation: Number,
    pub multivariate_feature_option: MultivariateOptionDocument,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MultivariateOptionDocument {
    #[serde(default)]
    pub value: Value,
    #[serde(default)]
    pub key: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentDocument {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub rules: Vec<RuleDocument>,
    #[serde(default)]
    pub feature_states: Vec<FeatureStateDocument>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleDocument {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub rules: Vec<RuleDocument>,
    #[serde(default)]
    pub conditions: Vec<ConditionDocument>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConditionDocument {
    pub operator: String,
    #[serde(default)]
    pub property_: Option<String>,
    #[serde(default)]
    pub value: Value,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityDocument {
    pub identifier: String,
    #[serde(default)]
    pub django_id: Option<i64>,
    #[serde(default)]
    pub identity_traits: Vec<TraitDocument>,
    #[serde(default)]
    pub identity_features: Vec<FeatureStateDocument>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TraitDocument {
    pub trait_key: String,
    #[serde(default)]
    pub trait_value: Value,
}

/// A document that cannot be mapped, with the path of the offending part.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct DocumentError {
    pub path: String,
    pub message: String,
}

/// The evaluation context of an environment document, without an identity: features in
/// document order, project segments in document order (keyed by their id), then one synthetic
/// segment per group of identities that share the same identity overrides.
pub fn context_from_document(
    document: &EnvironmentDocument,
) -> Result<EvaluationContext, DocumentError> {
    let mut features = IndexMap::new();
    for (i, state) in document.feature_states.iter().enumerate() {
        let feature = feature_context(state, &format!("feature_states[{i}]"))?;
        features.insert(feature.name.clone(), feature);
    }
    let mut segments = IndexMap::new();
    for (i, segment) in document.project.segments.iter().enumerate() {
        let path = format!("project.segments[{i}]");
        let overrides = segment
            .feature_states
            .iter()
            .enumerate()
            .map(|(j, state)| feature_context(state, &format!("{path}.feature_states[{j}]")))
            .collect::<Result<_, _>>()?;
        let key = segment.id.to_string();
        segments.insert(
            key.clone(),
            SegmentContext {
                key,
                name: segment.name.clone(),
                rules: segment.rules.iter().map(rule_context).collect(),
                overrides,
                metadata: Some(object(json!({"id": segment.id, "source": "api"}))),
            },
        );
    }
    for (i, segment) in identity_override_segments(&document.identity_overrides)
        .into_iter()
        .enumerate()
    {
        // Synthetic segments all have the key "" upstream; distinct map keys keep them apart.
        segments.insert(format!("identity_overrides:{i}"), segment);
    }
    Ok(EvaluationContext {
        environment: EnvironmentContext {
            key: document.api_key.clone(),
            name: document.name.clone().unwrap_or_default(),
        },
        identity: None,
        features,
        segments,
    })
}

/// The identity of an identity document, hashed as the Edge API does: on `str(django_id)` when
/// the identity has one, else on the engine's composite key.
pub fn identity_from_document(identity: &IdentityDocument) -> IdentityContext {
    IdentityContext {
        identifier: identity.identifier.clone(),
        key: identity.django_id.map(|id| id.to_string()),
        traits: identity
            .identity_traits
            .iter()
            .map(|t| (t.trait_key.clone(), t.trait_value.clone()))
            .collect(),
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn feature_context(
    state: &FeatureStateDocument,
    path: &str,
) -> Result<FeatureContext, DocumentError> {
    let key = match state.django_id {
        Some(id) if id != 0 => id.to_string(),
        _ => state.featurestate_uuid.clone().unwrap_or_default(),
    };
    let variants = state
        .multivariate_feature_state_values
        .iter()
        .enumerate()
        .map(|(i, mv)| {
            let path = format!("{path}.multivariate_feature_state_values[{i}]");
            Ok(VariantContext {
                value: mv.multivariate_feature_option.value.clone(),
                weight: mv.percentage_allocation.clone(),
                priority: variant_priority(mv, &path)?,
                key: mv.multivariate_feature_option.key.clone(),
            })
        })
        .collect::<Result<_, DocumentError>>()?;
    Ok(FeatureContext {
        key,
        name: state.feature.name.clone(),
        enabled: state.enabled,
        value: state.feature_state_value.clone(),
        variants,
        priority: state
            .feature_segment
            .as_ref()
            .and_then(|segment| segment.priority.clone()),
        metadata: Some(object(json!({"id": state.feature.id}))),
    })
}

/// The multivariate value's id, or (without one) its UUID as a 128-bit integer.
fn variant_priority(mv: &MultivariateValueDocument, path: &str) -> Result<Number, DocumentError> {
    if let Some(id) = mv.id.filter(|id| *id != 0) {
        return Ok(Number::from(id));
    }
    let uuid = mv.mv_fs_value_uuid.as_deref().unwrap_or_default();
    uuid_as_int(uuid)
        .map(|n| Number::Int(PyInt::from(n)))
        .ok_or_else(|| DocumentError {
            path: format!("{path}.mv_fs_value_uuid"),
            message: format!("no id and no valid UUID ({uuid:?}) to order the variant by"),
        })
}

/// Python's `UUID(text).int`: braces, a `urn:uuid:` prefix and hyphens are ignored.
fn uuid_as_int(text: &str) -> Option<u128> {
    let hex: String = text
        .replace("urn:", "")
        .replace("uuid:", "")
        .trim_matches(|c| c == '{' || c == '}')
        .replace('-', "");
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

fn rule_context(rule: &RuleDocument) -> SegmentRule {
    SegmentRule {
        kind: rule.kind.clone(),
        conditions: rule
            .conditions
            .iter()
            .map(|condition| Condition {
                property: condition.property_.clone().unwrap_or_default(),
                operator: condition.operator.clone(),
                // A null value becomes "" (the API's mapper does this; the engine would raise).
                value: match &condition.value {
                    Value::Null => ConditionValue::Text(String::new()),
                    other => ConditionValue::Text(value_str(other)),
                },
            })
            .collect(),
        rules: rule.rules.iter().map(rule_context).collect(),
    }
}

/// One segment per distinct set of identity overrides, matching its identities by identifier.
/// The overrides carry no variants and priority −∞, so they beat every segment override.
fn identity_override_segments(identities: &[IdentityDocument]) -> Vec<SegmentContext> {
    let mut groups: IndexMap<String, (Vec<FeatureContext>, Vec<Value>)> = IndexMap::new();
    for identity in identities {
        let mut overrides: Vec<FeatureContext> = identity
            .identity_features
            .iter()
            .map(|state| FeatureContext {
                key: String::new(),
                name: state.feature.name.clone(),
                enabled: state.enabled,
                value: state.feature_state_value.clone(),
                variants: Vec::new(),
                priority: Some(Number::Float(f64::NEG_INFINITY)),
                metadata: Some(object(json!({"id": state.feature.id}))),
            })
            .collect();
        if overrides.is_empty() {
            continue;
        }
        overrides.sort_by(|a, b| a.name.cmp(&b.name));
        let signature = serde_json::to_string(
            &overrides
                .iter()
                .map(|o| json!([o.metadata, o.name, o.enabled, o.value]))
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        let group = groups.entry(signature).or_insert((overrides, Vec::new()));
        group.1.push(Value::String(identity.identifier.clone()));
    }
    groups
        .into_values()
        .map(|(overrides, identifiers)| SegmentContext {
            key: String::new(),
            name: "identity_overrides".to_owned(),
            rules: vec![SegmentRule {
                kind: "ALL".to_owned(),
                conditions: vec![Condition {
                    property: "$.identity.identifier".to_owned(),
                    operator: "IN".to_owned(),
                    value: ConditionValue::List(identifiers),
                }],
                rules: Vec::new(),
            }],
            overrides,
            metadata: Some(object(json!({"source": "identity_overrides"}))),
        })
        .collect()
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
