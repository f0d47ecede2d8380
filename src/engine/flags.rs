//! Producing the flags: strongest segment override, then the multivariate variant by md5 bucket.
//
// Producing the flags: the segment override with the strongest priority replaces a feature's
// default, then multivariate features with an identity pick a variant by md5 bucket. Flags
// that segment conditions read (`$.flags.<name>`) are resolved as `dependencies.rs` says.

use serde_json::{Map, Value};

use super::context::{EvaluationResult, FlagResult, IdentityContext, SegmentResult};
use super::hashing::hashed_percentage;
use super::lookup::Subject;
use super::model::{
    Environment, Feature, IdentityOverrides, NO_IDENTITY_OVERRIDES, Override, Segment,
};

/// The outcome of one evaluation, borrowing from the prepared environment (nothing is copied).
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation<'e> {
    /// One flag per feature, in context order.
    pub flags: Vec<Flag<'e>>,
    /// The segments the identity is in, in context order.
    pub segments: Vec<MatchedSegment<'e>>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flag<'e> {
    pub name: &'e str,
    pub enabled: bool,
    pub value: &'e Value,
    pub reason: Reason<'e>,
    /// `None`, `Some("control")`, or the chosen variant's key.
    pub variant: Option<&'e str>,
    /// The served feature state's metadata, when non-empty.
    pub metadata: Option<&'e Map<String, Value>>,
}

/// Why a flag has its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason<'e> {
    /// The environment default of a feature some segment overrides (but none that matched).
    Default,
    /// The environment default of a feature no segment overrides.
    Static,
    /// A feature in a dependency cycle (`$.flags` conditions that read each other).
    CircularDependency,
    /// A segment override; `text` is `TARGETING_MATCH; segment=<segment>`.
    TargetingMatch { segment: &'e str, text: &'e str },
    /// A multivariate variant; `text` is `SPLIT; weight=<weight>`.
    Split { text: &'e str },
}

impl Reason<'static> {
    /// An identity's own override, as the SDKs report it.
    pub(crate) fn identity_override() -> Self {
        Reason::TargetingMatch {
            segment: IDENTITY_OVERRIDES,
            text: IDENTITY_OVERRIDES_REASON,
        }
    }
}

impl<'e> Reason<'e> {
    /// The reason as Flagsmith writes it.
    pub fn as_str(&self) -> &'e str {
        match self {
            Reason::Default => "DEFAULT",
            Reason::Static => "STATIC",
            Reason::CircularDependency => "ERROR; code=CIRCULAR_DEPENDENCY",
            Reason::TargetingMatch { text, .. } | Reason::Split { text } => text,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchedSegment<'e> {
    pub name: &'e str,
    pub key: &'e str,
    pub metadata: Option<&'e Map<String, Value>>,
}

/// How the SDKs name the segment that carries identity overrides in a context.
const IDENTITY_OVERRIDES: &str = "identity_overrides";
const IDENTITY_OVERRIDES_REASON: &str = "TARGETING_MATCH; segment=identity_overrides";

impl Environment {
    /// Evaluates every feature for `identity`. Without an identity, segments can still match
    /// (on `$.environment.name`, say) but no variant is picked. Never fails.
    pub fn evaluate(&self, identity: Option<&IdentityContext>) -> Evaluation<'_> {
        self.evaluate_with(identity, &NO_IDENTITY_OVERRIDES)
    }

    /// Evaluates with the identity's own overrides as conditions on `$.flags` read them: as the
    /// SDKs see them when they put them in the context (a segment `identity_overrides` on the
    /// identifier with the strongest priority). The flags returned are the engine's without
    /// them: the caller serves an identity's override itself.
    pub fn evaluate_with<'a>(
        &'a self,
        identity: Option<&IdentityContext>,
        overrides: &IdentityOverrides,
    ) -> Evaluation<'a> {
        let subject = Subject::new(self, identity, overrides);
        let mut chosen: Vec<Option<(&Override, &Segment)>> = vec![None; self.features.len()];
        let mut segments = Vec::new();
        let mut cycle_hits = 0;
        for segment in &self.segments {
            let matches = subject.is_in(segment);
            if self.reads_flags {
                // A verdict reached by cutting a dependency cycle is neither match nor miss.
                let hits = subject.cycle_hits();
                if hits != cycle_hits {
                    cycle_hits = hits;
                    continue;
                }
            }
            if !matches {
                continue;
            }
            segments.push(MatchedSegment {
                name: &segment.name,
                key: &segment.key,
                metadata: segment.metadata.as_ref(),
            });
            for candidate in &segment.overrides {
                let Some(slot) = candidate.target.and_then(|i| chosen.get_mut(i)) else {
                    continue;
                };
                if slot.is_none_or(|(current, _)| candidate.wins_over(current)) {
                    *slot = Some((candidate, segment));
                }
            }
        }
        let mut flags: Vec<Flag<'_>> = self
            .features
            .iter()
            .zip(chosen)
            .enumerate()
            .map(|(index, (default, chosen))| {
                let (feature, reason) = match chosen {
                    Some((winner, segment)) => (
                        &winner.feature,
                        Reason::TargetingMatch {
                            segment: &segment.name,
                            text: &segment.reason,
                        },
                    ),
                    None => (default, self.fallback_reason(index)),
                };
                flag(feature, reason, subject.identity_key.as_deref())
            })
            .collect();
        if self.reads_flags {
            subject.settle(&mut flags);
        }
        Evaluation { flags, segments }
    }

    /// Why a feature that no segment gave a value has its default.
    pub(crate) fn fallback_reason(&self, index: usize) -> Reason<'static> {
        if self.overriders[index].is_empty() {
            Reason::Static
        } else {
            Reason::Default
        }
    }
}

impl Override {
    /// Strictly lower wins, so on a tie the override seen first keeps the feature.
    pub(crate) fn wins_over(&self, current: &Override) -> bool {
        self.priority.py_cmp(&current.priority).is_lt()
    }
}

pub(crate) fn flag<'e>(
    feature: &'e Feature,
    reason: Reason<'e>,
    identity_key: Option<&str>,
) -> Flag<'e> {
    let mut flag = Flag {
        name: &feature.name,
        enabled: feature.enabled,
        value: &feature.value,
        reason,
        variant: None,
        metadata: feature.metadata.as_ref(),
    };
    let Some(identity_key) = identity_key.filter(|_| !feature.variants.is_empty()) else {
        return flag;
    };
    flag.variant = Some("control");
    let percentage = hashed_percentage(&[&feature.key, identity_key]);
    let mut start = 0.0;
    for variant in &feature.variants {
        let limit = start + variant.weight;
        if start <= percentage && percentage < limit {
            flag.value = &variant.value;
            flag.variant = variant.key.as_deref();
            flag.reason = Reason::Split {
                text: &variant.reason,
            };
            break;
        }
        start = limit;
    }
    flag
}

impl From<&Evaluation<'_>> for EvaluationResult {
    fn from(evaluation: &Evaluation<'_>) -> Self {
        EvaluationResult {
            flags: evaluation
                .flags
                .iter()
                .map(|flag| {
                    let result = FlagResult {
                        name: flag.name.to_owned(),
                        enabled: flag.enabled,
                        value: flag.value.clone(),
                        reason: flag.reason.as_str().to_owned(),
                        variant: flag.variant.map(str::to_owned),
                        metadata: flag.metadata.cloned(),
                    };
                    (flag.name.to_owned(), result)
                })
                .collect(),
            segments: evaluation
                .segments
                .iter()
                .map(|segment| SegmentResult {
                    name: segment.name.to_owned(),
                    metadata: segment.metadata.cloned(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::engine::{EvaluationContext, EvaluationResult, evaluate};

    fn result(context: Value) -> EvaluationResult {
        let context: EvaluationContext = serde_json::from_value(context).unwrap();
        evaluate(&context).unwrap()
    }

    fn always() -> Value {
        json!([{"type": "ALL", "conditions": [
            {"property": "$.environment.name", "operator": "EQUAL", "value": "Test"}
        ]}])
    }

    fn segment(name: &str, priority: Option<i64>, value: &str) -> Value {
        let mut feature = json!({"key": name, "name": "f", "enabled": false, "value": value});
        if let Some(priority) = priority {
            feature["priority"] = json!(priority);
        }
        json!({"key": name, "name": name, "rules": always(), "overrides": [feature]})
    }

    fn with_segments(segments: Value) -> Value {
        json!({
            "environment": {"key": "env", "name": "Test"},
            "identity": {"identifier": "user", "key": "b"},
            "features": {"f": {"key": "1", "name": "f", "enabled": true, "value": "default"}},
            "segments": segments
        })
    }

    #[test]
    fn the_lowest_priority_number_wins_and_ties_go_to_the_earlier_segment() {
        let flags = |segments| result(with_segments(segments)).flags["f"].clone();
        let one = flags(
            json!({"s1": segment("s1", Some(1), "one"), "s0": segment("s0", Some(0), "zero")}),
        );
        assert_eq!(one.value, "zero");
        assert_eq!(one.reason, "TARGETING_MATCH; segment=s0");
        assert!(!one.enabled, "enabled comes from the override");
        let tie = flags(
            json!({"s1": segment("s1", Some(3), "one"), "s2": segment("s2", Some(3), "two")}),
        );
        assert_eq!(tie.value, "one");
        let absent =
            flags(json!({"s1": segment("s1", None, "one"), "s2": segment("s2", None, "two")}));
        assert_eq!(absent.value, "one");
        let beats_absent =
            flags(json!({"s1": segment("s1", None, "one"), "s2": segment("s2", Some(99), "two")}));
        assert_eq!(beats_absent.value, "two");
    }

    /// Flag-engine 11 disagrees with the v3.9 vectors (and the spec's flag-engine 10 reasons):
    /// a flag left at its default is `STATIC` unless some segment overrides the feature.
    #[test]
    fn a_feature_no_segment_overrides_answers_static() {
        let mut context = with_segments(json!({"s": segment("s", Some(0), "x")}));
        context["segments"]["s"]["rules"][0]["conditions"][0]["value"] = json!("Other");
        context["features"]["g"] = json!({"key": "2", "name": "g", "enabled": true, "value": 1});
        let result = result(context);
        assert_eq!(
            result.flags["f"].reason, "DEFAULT",
            "overridden, not matched"
        );
        assert_eq!(result.flags["g"].reason, "STATIC", "never overridden");
    }

    #[test]
    fn overrides_of_unknown_features_produce_no_flag() {
        let mut context = with_segments(json!({"s": segment("s", Some(0), "x")}));
        context["segments"]["s"]["overrides"][0]["name"] = json!("other");
        let result = result(context);
        assert_eq!(result.flags.len(), 1);
        assert_eq!(result.flags["f"].value, "default");
        assert_eq!(result.segments.len(), 1);
    }

    /// A multivariate feature whose bucket for identity key "b" and feature key "a" is
    /// 56.72134426885377.
    fn multivariate(variants: Value, identity: bool) -> super::super::FlagResult {
        let mut context = json!({
            "environment": {"key": "env", "name": "Test"},
            "features": {"f": {"key": "a", "name": "f", "enabled": true, "value": "control",
                               "variants": variants}}
        });
        if identity {
            context["identity"] = json!({"identifier": "user", "key": "b"});
        }
        result(context).flags["f"].clone()
    }

    #[test]
    fn variants_own_the_half_open_range_start_to_limit() {
        let flag = multivariate(
            json!([{"value": "low", "weight": 56.72134426885377, "priority": 1, "key": "low"},
                   {"value": "high", "weight": 10, "priority": 2, "key": "high"}]),
            true,
        );
        assert_eq!(
            (flag.value, flag.variant.as_deref()),
            (json!("high"), Some("high"))
        );
        assert_eq!(flag.reason, "SPLIT; weight=10");
        let flag = multivariate(
            json!([{"value": "low", "weight": 56.72134426885378, "priority": 1},
                   {"value": "high", "weight": 10, "priority": 2, "key": "high"}]),
            true,
        );
        assert_eq!(flag.value, json!("low"));
        assert_eq!(flag.variant, None, "a variant without a key reports null");
        assert_eq!(flag.reason, "SPLIT; weight=56.72134426885378");
    }

    #[test]
    fn variants_are_tried_by_priority_not_by_position() {
        let flag = multivariate(
            json!([{"value": "second", "weight": 50.0, "priority": 2, "key": "second"},
                   {"value": "first", "weight": 50.0, "priority": 1, "key": "first"}]),
            true,
        );
        assert_eq!(flag.value, json!("second"), "56.7 falls in the second half");
        assert_eq!(flag.reason, "SPLIT; weight=50.0");
    }

    #[test]
    fn past_the_last_variant_or_without_identity_the_control_value_stays() {
        let variants = json!([{"value": "v", "weight": 50, "priority": 1, "key": "v"}]);
        let flag = multivariate(variants.clone(), true);
        assert_eq!(
            (flag.value, flag.variant.as_deref()),
            (json!("control"), Some("control"))
        );
        assert_eq!(flag.reason, "STATIC", "no segment overrides the feature");
        let flag = multivariate(variants, false);
        assert_eq!((flag.value, flag.variant), (json!("control"), None));
    }
}
