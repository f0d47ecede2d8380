//! The JSON of feature states and their values, shared by the feature, feature-state and
//! segment-override endpoints. Upstream shows a state's value two ways: raw and typed
//! (`feature_state_value: "x"`) on most endpoints, and as the stored columns
//! (`{"type", "string_value", "integer_value", "boolean_value"}`) on `features/featurestates/`.

use poem_openapi::Object;
use serde_json::Value;

use crate::domain::FeatureValue;
use crate::domain::feature_state::{FeatureState, Scope};

/// A value as served: a string, integer, boolean or null.
pub fn raw_value(value: &FeatureValue) -> Value {
    match value {
        FeatureValue::Null => Value::Null,
        FeatureValue::String(s) => Value::String(s.clone()),
        FeatureValue::Integer(i) => Value::from(*i),
        FeatureValue::Boolean(b) => Value::Bool(*b),
    }
}

/// The short state embedded in a feature (`environment_feature_state`).
#[derive(Debug, Clone, Object)]
pub struct FeatureStateSmall {
    id: i64,
    feature_state_value: Value,
    environment: i64,
    identity: Option<i64>,
    feature_segment: Option<i64>,
    enabled: bool,
}

impl From<&FeatureState> for FeatureStateSmall {
    fn from(s: &FeatureState) -> Self {
        let (identity, feature_segment) = scope_ids(s.scope);
        FeatureStateSmall {
            id: s.id.0,
            feature_state_value: raw_value(&s.value),
            environment: s.environment_id.0,
            identity,
            feature_segment,
            enabled: s.enabled,
        }
    }
}

/// `(identity, feature_segment)` ids of a state's scope.
pub fn scope_ids(scope: Scope) -> (Option<i64>, Option<i64>) {
    match scope {
        Scope::Environment => (None, None),
        Scope::Segment(fs) => (None, Some(fs.0)),
        Scope::Identity(i) => (Some(i.0), None),
    }
}
