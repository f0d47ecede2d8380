//! The prepared, immutable form of an environment: everything an evaluation needs, parsed once.
//
// The prepared, immutable form of an environment: everything an evaluation needs, parsed once.
// Operators are resolved, condition values cast, regexes compiled, `IN` lists split, variants
// sorted, overrides linked to their feature, and trait names given slots so an evaluation
// finds each trait with one hash lookup.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::conditions::Test;
use super::context::{
    Condition, EvaluationContext, FeatureContext, SegmentContext, SegmentRule, VariantContext,
};
use super::jsonpath::{JsonPath, Selector};
use super::number::Number;
use super::python::py_number_str;

/// A context that cannot be prepared, with the path of the offending part, e.g.
/// `segments["12"].rules[0].conditions[1].operator`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PrepareError {
    pub path: String,
    pub message: String,
}

/// An environment ready to evaluate: immutable, `Send + Sync`, meant to be prepared once per
/// change and shared (in an `Arc`) by every request.
#[derive(Debug)]
pub struct Environment {
    pub(crate) key: String,
    pub(crate) name: String,
    pub(crate) features: Vec<Feature>,
    pub(crate) segments: Vec<Segment>,
    /// Feature name -> index in `features`, for `$.flags.<name>`.
    pub(crate) feature_indices: HashMap<String, usize>,
    /// For each feature, the segments that override it, in context order: the feature is
    /// "targeted" (its fallback reason is `DEFAULT`, not `STATIC`) when this is not empty.
    pub(crate) overriders: Vec<Vec<usize>>,
    /// Whether some condition may read `$.flags` (a flag dependency), which makes evaluation
    /// resolve flags lazily, as `dependencies.rs` describes.
    pub(crate) reads_flags: bool,
    /// Trait name -> slot, for every trait a condition reads.
    pub(crate) trait_slots: HashMap<String, usize>,
    /// The context as JSON, for JSONPath conditions.
    pub(crate) tree: Tree,
}

/// The parts of the context JSONPath can reach besides the identity. Features and segments
/// are only serialised when some path could reach them.
#[derive(Debug)]
pub(crate) struct Tree {
    pub environment: Value,
    pub features: Option<Value>,
    pub segments: Option<Value>,
}

#[derive(Debug)]
pub(crate) struct Feature {
    pub name: String,
    /// Multivariate hashing seed.
    pub key: String,
    pub enabled: bool,
    pub value: Value,
    /// In ascending priority.
    pub variants: Vec<Variant>,
    /// `None` when absent or empty.
    pub metadata: Option<Map<String, Value>>,
}

#[derive(Debug)]
pub(crate) struct Variant {
    pub value: Value,
    pub weight: f64,
    pub key: Option<String>,
    /// `SPLIT; weight=<python str of the weight>`.
    pub reason: String,
}

#[derive(Debug)]
pub(crate) struct Segment {
    pub key: String,
    pub name: String,
    pub rules: Vec<Rule>,
    pub overrides: Vec<Override>,
    pub metadata: Option<Map<String, Value>>,
    /// `TARGETING_MATCH; segment=<name>`.
    pub reason: String,
}

#[derive(Debug)]
pub(crate) struct Override {
    pub feature: Feature,
    /// Index of the overridden feature; `None` when the context has no feature of that name.
    pub target: Option<usize>,
    /// Lower wins; absent is +∞.
    pub priority: Number,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleKind {
    All,
    Any,
    None,
}

#[derive(Debug)]
pub(crate) struct Rule {
    pub kind: RuleKind,
    pub conditions: Vec<PreparedCondition>,
    pub rules: Vec<Rule>,
}

#[derive(Debug)]
pub(crate) struct PreparedCondition {
    pub property: Property,
    pub test: Test,
}

/// Where a condition's context value comes from.
#[derive(Debug)]
pub(crate) enum Property {
    /// `PERCENTAGE_SPLIT` on `""`: the identity's hashing key, not coerced.
    IdentityKey,
    Trait(usize),
    /// A `$.` property: the trait of that exact name when set, else the query (`None` when the
    /// text is not a valid query, which then reads as null).
    Path {
        slot: usize,
        path: Option<JsonPath>,
    },
}

impl Environment {
    /// Prepares `context` (its environment, features and segments; its identity is ignored).
    pub fn prepare(context: &EvaluationContext) -> Result<Environment, PrepareError> {
        let mut features: IndexMap<&str, Feature> = IndexMap::new();
        for feature in context.features.values() {
            features.insert(&feature.name, prepare_feature(feature));
        }
        let mut builder = Builder::default();
        let mut segments = Vec::with_capacity(context.segments.len());
        for (key, segment) in &context.segments {
            let path = format!("segments[{key:?}]");
            segments.push(builder.segment(segment, &features, &path)?);
        }
        let mut overriders = vec![Vec::new(); features.len()];
        for (index, segment) in segments.iter().enumerate() {
            for target in segment.overrides.iter().filter_map(|o| o.target) {
                overriders[target].push(index);
            }
        }
        let feature_indices = features
            .keys()
            .enumerate()
            .map(|(index, name)| ((*name).to_owned(), index))
            .collect();
        let tree = Tree {
            environment: serde_json::json!({
                "key": context.environment.key,
                "name": context.environment.name,
            }),
            features: builder
                .paths_reach_beyond_identity
                .then(|| serde_json::to_value(&context.features).unwrap_or(Value::Null)),
            segments: builder
                .paths_reach_beyond_identity
                .then(|| serde_json::to_value(&context.segments).unwrap_or(Value::Null)),
        };
        Ok(Environment {
            key: context.environment.key.clone(),
            name: context.environment.name.clone(),
            features: features.into_values().collect(),
            segments,
            feature_indices,
            overriders,
            reads_flags: builder.reads_flags,
            trait_slots: builder.trait_slots,
            tree,
        })
    }

    /// The environment key (the client-side API key).
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// One identity's own overrides, prepared for [`Environment::evaluate_with`]: by feature index.
#[derive(Debug, Default)]
pub struct IdentityOverrides {
    pub(crate) by_feature: Vec<Option<Feature>>,
}

impl IdentityOverrides {
    pub(crate) fn get(&self, index: usize) -> Option<&Feature> {
        self.by_feature.get(index).and_then(Option::as_ref)
    }
}

/// No identity overrides.
pub(crate) static NO_IDENTITY_OVERRIDES: IdentityOverrides = IdentityOverrides {
    by_feature: Vec::new(),
};

impl Environment {
    /// Whether some condition reads another flag (`$.flags`): only then do an identity's own
    /// overrides change what segments see, so only then are they worth preparing.
    pub fn reads_flags(&self) -> bool {
        self.reads_flags
    }

    /// Prepares an identity's own overrides (each a feature state by feature name; overrides
    /// of features the environment lacks are ignored).
    pub fn identity_overrides(&self, overrides: &[FeatureContext]) -> IdentityOverrides {
        let mut by_feature: Vec<Option<Feature>> = Vec::new();
        for feature in overrides {
            if let Some(&index) = self.feature_indices.get(&feature.name) {
                by_feature.resize_with(self.features.len(), || None);
                by_feature[index] = Some(prepare_feature(feature));
            }
        }
        IdentityOverrides { by_feature }
    }
}

fn non_empty(metadata: &Option<Map<String, Value>>) -> Option<Map<String, Value>> {
    metadata.as_ref().filter(|m| !m.is_empty()).cloned()
}

fn prepare_feature(feature: &FeatureContext) -> Feature {
    let mut sorted: Vec<&VariantContext> = feature.variants.iter().collect();
    // Stable, so equal priorities keep their context order, as Python's `sorted` does.
    sorted.sort_by(|a, b| a.priority.py_cmp(&b.priority));
    Feature {
        name: feature.name.clone(),
        key: feature.key.clone(),
        enabled: feature.enabled,
        value: feature.value.clone(),
        variants: sorted
            .into_iter()
            .map(|variant| Variant {
                value: variant.value.clone(),
                weight: variant.weight.as_f64(),
                key: variant.key.clone(),
                reason: format!("SPLIT; weight={}", py_number_str(&variant.weight)),
            })
            .collect(),
        metadata: non_empty(&feature.metadata),
    }
}

#[derive(Default)]
struct Builder {
    trait_slots: HashMap<String, usize>,
    paths_reach_beyond_identity: bool,
    reads_flags: bool,
}

impl Builder {
    fn segment(
        &mut self,
        segment: &SegmentContext,
        features: &IndexMap<&str, Feature>,
        path: &str,
    ) -> Result<Segment, PrepareError> {
        let rules = segment
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| self.rule(rule, &format!("{path}.rules[{i}]")))
            .collect::<Result<_, _>>()?;
        let overrides = segment
            .overrides
            .iter()
            .map(|feature| Override {
                feature: prepare_feature(feature),
                target: features.get_index_of(feature.name.as_str()),
                priority: feature
                    .priority
                    .clone()
                    .unwrap_or(Number::Float(f64::INFINITY)),
            })
            .collect();
        Ok(Segment {
            key: segment.key.clone(),
            name: segment.name.clone(),
            rules,
            overrides,
            metadata: non_empty(&segment.metadata),
            reason: format!("TARGETING_MATCH; segment={}", segment.name),
        })
    }

    fn rule(&mut self, rule: &SegmentRule, path: &str) -> Result<Rule, PrepareError> {
        let kind = match rule.kind.as_str() {
            "ALL" => RuleKind::All,
            "ANY" => RuleKind::Any,
            "NONE" => RuleKind::None,
            other => {
                return Err(PrepareError {
                    path: format!("{path}.type"),
                    message: format!("unknown rule type {other:?} (expected ALL, ANY or NONE)"),
                });
            }
        };
        let conditions = rule
            .conditions
            .iter()
            .enumerate()
            .map(|(i, condition)| self.condition(condition, &format!("{path}.conditions[{i}]")))
            .collect::<Result<_, _>>()?;
        let rules = rule
            .rules
            .iter()
            .enumerate()
            .map(|(i, sub_rule)| self.rule(sub_rule, &format!("{path}.rules[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(Rule {
            kind,
            conditions,
            rules,
        })
    }

    fn condition(
        &mut self,
        condition: &Condition,
        path: &str,
    ) -> Result<PreparedCondition, PrepareError> {
        let test =
            Test::new(&condition.operator, &condition.value).ok_or_else(|| PrepareError {
                path: format!("{path}.operator"),
                message: format!("unknown operator {:?}", condition.operator),
            })?;
        let property = match condition.property.as_str() {
            "" if matches!(test, Test::PercentageSplit(_)) => Property::IdentityKey,
            name if name.starts_with("$.") => {
                let path = JsonPath::parse(name);
                if path.as_ref().is_some_and(reaches_beyond_identity) {
                    self.paths_reach_beyond_identity = true;
                }
                if path.as_ref().is_some_and(reaches_flags) {
                    self.reads_flags = true;
                }
                Property::Path {
                    slot: self.slot(name),
                    path,
                }
            }
            name => Property::Trait(self.slot(name)),
        };
        Ok(PreparedCondition { property, test })
    }

    fn slot(&mut self, name: &str) -> usize {
        let next = self.trait_slots.len();
        *self.trait_slots.entry(name.to_owned()).or_insert(next)
    }
}

/// Whether a query may read the features or segments of the context (rather than only the
/// identity, the environment or the flags, which the engine serves without serialising
/// anything).
fn reaches_beyond_identity(path: &JsonPath) -> bool {
    match path.segments.first() {
        Some(first) if !first.descendant => !first.selectors.iter().all(|selector| {
            matches!(selector, Selector::Name(name) if ["identity", "environment", "flags"].contains(&name.as_str()))
        }),
        _ => true,
    }
}

/// Whether a query may read `$.flags`: its first segment names `flags`, is a wildcard, or
/// descends.
fn reaches_flags(path: &JsonPath) -> bool {
    path.segments.first().is_some_and(|first| {
        first.descendant
            || first.selectors.iter().any(|selector| match selector {
                Selector::Name(name) => name == "flags",
                Selector::Wildcard => true,
                Selector::Index(_) | Selector::Slice { .. } => false,
            })
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn prepare(rules: Value) -> Result<Environment, PrepareError> {
        let context: EvaluationContext = serde_json::from_value(json!({
            "environment": {"key": "env", "name": "Test"},
            "segments": {"7": {"key": "7", "name": "s", "rules": rules}}
        }))
        .unwrap();
        Environment::prepare(&context)
    }

    #[test]
    fn an_unknown_operator_is_an_error_naming_its_path() {
        let error = prepare(
            json!([{"type": "ALL", "rules": [{"type": "ANY", "conditions": [
                {"property": "a", "operator": "EQUAL", "value": "1"},
                {"property": "a", "operator": "SOUNDS_LIKE", "value": "1"}
            ]}]}]),
        )
        .unwrap_err();
        assert_eq!(
            error.path,
            r#"segments["7"].rules[0].rules[0].conditions[1].operator"#
        );
        assert_eq!(error.message, r#"unknown operator "SOUNDS_LIKE""#);
    }

    #[test]
    fn an_unknown_rule_type_is_an_error_naming_its_path() {
        let error = prepare(json!([{"type": "SOME"}])).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"segments["7"].rules[0].type: unknown rule type "SOME" (expected ALL, ANY or NONE)"#
        );
    }

    #[test]
    fn traits_get_one_slot_per_name() {
        let environment = prepare(json!([{"type": "ALL", "conditions": [
            {"property": "a", "operator": "EQUAL", "value": "1"},
            {"property": "a", "operator": "IS_SET", "value": ""},
            {"property": "$.identity.traits.b", "operator": "IS_SET", "value": ""},
            {"property": "", "operator": "PERCENTAGE_SPLIT", "value": "50"}
        ]}]))
        .unwrap();
        assert_eq!(environment.trait_slots.len(), 2);
        assert!(
            environment.tree.features.is_none(),
            "no path reaches the features"
        );
    }
}
