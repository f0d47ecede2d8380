//! The engine's input and output in Flagsmith's JSON shapes: `EvaluationContext` and the result.
//
// The engine's input and output in Flagsmith's JSON shapes (`EvaluationContext` and
// `EvaluationResult` of flag-engine 10), so a context file reads straight into these types and
// a result serialises to the JSON the test vectors expect.
//
// Maps keep their order: segment order decides priority ties, and results list features in
// context order.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::number::Number;

/// Everything one evaluation looks at.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvaluationContext {
    pub environment: EnvironmentContext,
    /// `null`, absent and `{}` all mean "no identity".
    #[serde(
        default,
        deserialize_with = "empty_identity_is_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub identity: Option<IdentityContext>,
    /// Keyed by feature name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub features: IndexMap<String, FeatureContext>,
    /// Keyed by segment key, in priority-tie order.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub segments: IndexMap<String, SegmentContext>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentContext {
    pub key: String,
    pub name: String,
}

/// The identity being evaluated. `key` is the hashing key; when it is absent or empty the
/// engine uses `<environment key>_<identifier>`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityContext {
    pub identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Trait values: null, bool, int, float or string.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub traits: IndexMap<String, Value>,
}

/// A feature's default state, or a segment's override of it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureContext {
    /// The multivariate hashing seed (the feature state's id upstream).
    pub key: String,
    pub name: String,
    pub enabled: bool,
    #[serde(default)]
    pub value: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantContext>,
    /// Only meaningful on segment overrides: lower wins, absent is +∞.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Number>,
    /// Opaque; copied to the flag when non-empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

/// One multivariate option with its share of identities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantContext {
    #[serde(default)]
    pub value: Value,
    /// Percentage of identities, 0..100.
    pub weight: Number,
    /// Variants are tried in ascending priority.
    pub priority: Number,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentContext {
    /// Hashed by `PERCENTAGE_SPLIT`.
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub rules: Vec<SegmentRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<FeatureContext>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

/// `ALL`, `ANY` or `NONE` over the conditions and, separately, over the sub-rules; the two
/// results are AND-ed. Kept as text here; preparing the context checks it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentRule {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<SegmentRule>,
}

/// One test of a context value. The operator is kept as text here; preparing the context
/// checks it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// A trait name, a JSONPath starting `$.`, or `""` (the identity key, for
    /// `PERCENTAGE_SPLIT`).
    #[serde(default)]
    pub property: String,
    pub operator: String,
    #[serde(default)]
    pub value: ConditionValue,
}

/// A condition's operand: a string, or (for `IN`) a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConditionValue {
    Text(String),
    List(Vec<Value>),
    /// Anything else (`null`, a number): Python treats it by its `str()`, and `IN` and
    /// `PERCENTAGE_SPLIT` raise on `null` (which the engine reads as "no match").
    Other(Value),
}

impl Default for ConditionValue {
    fn default() -> Self {
        ConditionValue::Text(String::new())
    }
}

impl From<&str> for ConditionValue {
    fn from(text: &str) -> Self {
        ConditionValue::Text(text.to_owned())
    }
}

fn empty_identity_is_none<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<IdentityContext>, D::Error> {
    let value = Option::<Map<String, Value>>::deserialize(deserializer)?;
    match value {
        None => Ok(None),
        Some(map) if map.is_empty() => Ok(None),
        Some(map) => IdentityContext::deserialize(Value::Object(map))
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// What the engine decided: every feature's flag, and the segments the identity is in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvaluationResult {
    /// Keyed by feature name, in context order.
    pub flags: IndexMap<String, FlagResult>,
    /// Matched segments, in context order.
    pub segments: Vec<SegmentResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlagResult {
    pub name: String,
    pub enabled: bool,
    pub value: Value,
    /// `DEFAULT`, `TARGETING_MATCH; segment=<name>` or `SPLIT; weight=<weight>`.
    pub reason: String,
    /// `null`, `"control"` or the chosen variant's key.
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentResult {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}
