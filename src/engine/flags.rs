//! Producing the flags: the segment override with the strongest priority replaces a feature's
//! default, then multivariate features with an identity pick a variant by md5 bucket.

use serde_json::{Map, Value};

use super::context::{EvaluationResult, FlagResult, IdentityContext, SegmentResult};
use super::hashing::hashed_percentage;
use super::lookup::Subject;
use super::model::{Environment, Feature, Override, Segment};

/// The outcome of one evaluation, borrowing from the prepared environment (nothing is copied).
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation<'e> {
    /// One flag per feature, in context order.
    pub flags: Vec<Flag<'e>>,
    /// The segments the identity is in, in context order.
    pub segments: Vec<MatchedSegment<'e>>,
}

#[derive(Clone, Debug, PartialEq)]
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
    /// The environment default.
    Default,
    /// A segment override; `text` is `TARGETING_MATCH; segment=<segment>`.
    TargetingMatch { segment: &'e str, text: &'e str },
    /// A multivariate variant; `text` is `SPLIT; weight=<weight>`.
    Split { text: &'e str },
}

impl<'e> Reason<'e> {
    /// The reason as Flagsmith writes it.
    pub fn as_str(&self) -> &'e str {
        match self {
            Reason::Default => "DEFAULT",
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

impl Environment {
    /// Evaluates every feature for `identity`. Without an identity, segments can still match
    /// (on `$.environment.name`, say) but no variant is picked. Never fails.
    pub fn evaluate<'e>(&'e self, identity: Option<&'e IdentityContext>) -> Evaluation<'e> {
        let subject = Subject::new(self, identity);
        let mut chosen: Vec<Option<(&Override, &Segment)>> = vec![None; self.features.len()];
        let mut segments = Vec::new();
        for segment in &self.segments {
            if !subject.is_in(segment) {
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
                // Strictly lower wins, so on a tie the earlier segment keeps the feature.
                let stronger = slot.is_none_or(|(current, _)| {
                    candidate.priority.py_cmp(&current.priority).is_lt()
                });
                if stronger {
                    *slot = Some((candidate, segment));
                }
            }
        }
        let flags = self
            .features
            .iter()
            .zip(chosen)
            .map(|(default, chosen)| {
                let (feature, reason) = match chosen {
                    Some((winner, segment)) => (
                        &winner.feature,
                        Reason::TargetingMatch {
                            segment: &segment.name,
                            text: &segment.reason,
                        },
                    ),
                    None => (default, Reason::Default),
                };
                flag(feature, reason, subject.identity_key.as_deref())
            })
            .collect();
        Evaluation { flags, segments }
    }
}

fn flag<'e>(feature: &'e Feature, reason: Reason<'e>, identity_key: Option<&str>) -> Flag<'e> {
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
