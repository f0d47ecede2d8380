//! The JSON of feature states and their values, raw and typed.
//
// The JSON of feature states and their values, shared by the feature, feature-state and
// segment-override endpoints. Upstream shows a state's value two ways: raw and typed
// (`feature_state_value: "x"`) on most endpoints, and as the stored columns
// (`{"type", "string_value", "integer_value", "boolean_value"}`) on `features/featurestates/`.

use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

use crate::api::datetime;
use crate::api::values::{Choice, Scalar, StateValueType};
use crate::domain::feature_state::{
    FeatureSegment, FeatureState, FeatureStatePatch, MvAllocation, MvStateValue, Scope,
};
use crate::domain::identity::Identity;
use crate::domain::{
    EnvironmentId, FeatureId, FeatureSegmentId, FeatureValue, IdentityId, MvOptionId,
};
use crate::service::{ServiceError, StateChange, StateView};

/// A value as served: a string, integer, boolean or null.
pub fn raw_value(value: &FeatureValue) -> Value {
    match value {
        FeatureValue::Null => Value::Null,
        FeatureValue::String(s) => Value::String(s.clone()),
        FeatureValue::Integer(i) => Value::from(*i),
        FeatureValue::Boolean(b) => Value::Bool(*b),
    }
}

/// A raw value typed as upstream types it: booleans are `bool`, integers `int`, anything else
/// (floats too) a string. An integer too large for 64 bits is kept as the largest, which the
/// service refuses as out of range.
pub fn infer_value(raw: &Value) -> FeatureValue {
    match raw {
        Value::Null => FeatureValue::Null,
        Value::Bool(b) => FeatureValue::Boolean(*b),
        Value::Number(n) if n.is_i64() => FeatureValue::Integer(n.as_i64().unwrap_or_default()),
        Value::Number(n) if n.is_u64() => FeatureValue::Integer(i64::MAX),
        Value::String(s) => FeatureValue::String(s.clone()),
        other => FeatureValue::String(other.to_string()),
    }
}

/// A value as its stored columns.
#[derive(Debug, Clone, Object, Deserialize)]
pub struct TypedValue {
    /// `unicode`, `int` or `bool`.
    #[oai(rename = "type")]
    #[serde(rename = "type", default)]
    pub value_type: Option<Choice<StateValueType>>,
    #[serde(default)]
    pub string_value: Option<String>,
    #[serde(default)]
    pub integer_value: Option<i64>,
    #[serde(default)]
    pub boolean_value: Option<bool>,
}

impl TypedValue {
    pub fn of(value: &FeatureValue) -> Self {
        TypedValue {
            value_type: Some(Choice::new(value.type_name())),
            string_value: value.string_column().map(str::to_string),
            integer_value: value.integer_column(),
            boolean_value: value.boolean_column(),
        }
    }

    /// The value the columns make; the type defaults to `unicode`, as upstream.
    pub fn value(&self) -> Result<FeatureValue, ServiceError> {
        let value_type = self.value_type.as_ref().map_or("unicode", |t| t.as_str());
        if !matches!(value_type, "unicode" | "int" | "bool") {
            return Err(ServiceError::invalid(
                "feature_state_value.type",
                format!("\"{value_type}\" is not a valid choice."),
            ));
        }
        Ok(FeatureValue::from_columns(
            value_type,
            self.string_value.clone(),
            self.integer_value,
            self.boolean_value,
        ))
    }
}

/// One option's share of identities in a state.
#[derive(Debug, Clone, Object)]
pub struct MvStateValueOut {
    id: i64,
    multivariate_feature_option: i64,
    percentage_allocation: f64,
}

impl From<&MvStateValue> for MvStateValueOut {
    fn from(v: &MvStateValue) -> Self {
        MvStateValueOut {
            id: v.id,
            multivariate_feature_option: v.mv_option_id.0,
            percentage_allocation: v.percentage_allocation,
        }
    }
}

/// A share to write (an `id`, as upstream sends back, is ignored: shares are keyed by option).
#[derive(Debug, Clone, Object, Deserialize)]
pub struct MvStateValueIn {
    multivariate_feature_option: i64,
    percentage_allocation: f64,
}

pub fn allocations(values: &[MvStateValueIn]) -> Vec<MvAllocation> {
    values
        .iter()
        .map(|v| MvAllocation {
            mv_option_id: MvOptionId(v.multivariate_feature_option),
            percentage_allocation: v.percentage_allocation,
        })
        .collect()
}

/// The short state embedded in a feature (`environment_feature_state`).
#[derive(Debug, Clone, Object)]
pub struct FeatureStateSmall {
    id: i64,
    feature_state_value: Scalar,
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
            feature_state_value: raw_value(&s.value).into(),
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

/// What every full state object carries besides its value and identity.
#[derive(Debug, Clone, Object)]
pub struct StateFields {
    id: i64,
    multivariate_feature_state_values: Vec<MvStateValueOut>,
    deleted_at: Option<String>,
    uuid: String,
    enabled: bool,
    created_at: String,
    updated_at: String,
    live_from: Option<String>,
    /// Always 1: Flagstaff keeps no versions of states (v1 versioning).
    version: Option<i32>,
    feature: i64,
    environment: i64,
    feature_segment: Option<i64>,
    change_request: Option<i64>,
    environment_feature_version: Option<String>,
}

impl From<&FeatureState> for StateFields {
    fn from(s: &FeatureState) -> Self {
        StateFields {
            id: s.id.0,
            multivariate_feature_state_values: s.mv_values.iter().map(Into::into).collect(),
            deleted_at: None,
            uuid: s.uuid.clone(),
            enabled: s.enabled,
            created_at: datetime(s.created_at),
            updated_at: datetime(s.updated_at),
            live_from: Some(datetime(s.created_at)),
            version: Some(1),
            feature: s.feature_id.0,
            environment: s.environment_id.0,
            feature_segment: scope_ids(s.scope).1,
            change_request: None,
            environment_feature_version: None,
        }
    }
}

/// A state with its raw value (`environments/{key}/featurestates/`).
#[derive(Debug, Clone, Object)]
pub struct FeatureStateOut {
    #[oai(flatten)]
    fields: StateFields,
    feature_state_value: Scalar,
    identity: Option<i64>,
}

impl From<&FeatureState> for FeatureStateOut {
    fn from(s: &FeatureState) -> Self {
        FeatureStateOut {
            fields: s.into(),
            feature_state_value: raw_value(&s.value).into(),
            identity: scope_ids(s.scope).0,
        }
    }
}

/// A state with its value as stored columns (`features/featurestates/`).
#[derive(Debug, Clone, Object)]
pub struct TypedFeatureStateOut {
    #[oai(flatten)]
    fields: StateFields,
    feature_state_value: TypedValue,
    identity: Option<i64>,
}

impl From<&FeatureState> for TypedFeatureStateOut {
    fn from(s: &FeatureState) -> Self {
        TypedFeatureStateOut {
            fields: s.into(),
            feature_state_value: TypedValue::of(&s.value),
            identity: scope_ids(s.scope).0,
        }
    }
}

/// The identity a listed state overrides for.
#[derive(Debug, Clone, Object)]
pub struct IdentityRef {
    id: i64,
    identifier: String,
}

impl From<Identity> for IdentityRef {
    fn from(i: Identity) -> Self {
        IdentityRef {
            id: i.id.0,
            identifier: i.identifier,
        }
    }
}

/// A listed state: as `FeatureStateOut`, with the identity spelled out.
#[derive(Debug, Clone, Object)]
pub struct FeatureStateListOut {
    #[oai(flatten)]
    fields: StateFields,
    feature_state_value: Scalar,
    identity: Option<IdentityRef>,
}

impl From<StateView> for FeatureStateListOut {
    fn from(v: StateView) -> Self {
        FeatureStateListOut {
            fields: (&v.state).into(),
            feature_state_value: raw_value(&v.state.value).into(),
            identity: v.identity.map(Into::into),
        }
    }
}

/// A segment override's container as `create-segment-override` shows it.
#[derive(Debug, Clone, Object)]
pub struct FeatureSegmentRef {
    id: i64,
    segment: i64,
    priority: i32,
    uuid: String,
}

/// What `create-segment-override` answers: the new state with its feature segment nested.
#[derive(Debug, Clone, Object)]
pub struct SegmentOverrideOut {
    id: i64,
    feature: i64,
    enabled: bool,
    feature_state_value: TypedValue,
    feature_segment: FeatureSegmentRef,
    deleted_at: Option<String>,
    uuid: String,
    created_at: String,
    updated_at: String,
    live_from: Option<String>,
    environment: i64,
    identity: Option<i64>,
    change_request: Option<i64>,
    multivariate_feature_state_values: Vec<MvStateValueOut>,
}

impl SegmentOverrideOut {
    pub fn new(fs: &FeatureSegment, s: &FeatureState) -> Self {
        SegmentOverrideOut {
            id: s.id.0,
            feature: s.feature_id.0,
            enabled: s.enabled,
            feature_state_value: TypedValue::of(&s.value),
            feature_segment: FeatureSegmentRef {
                id: fs.id.0,
                segment: fs.segment_id.0,
                priority: fs.priority,
                uuid: fs.uuid.clone(),
            },
            deleted_at: None,
            uuid: s.uuid.clone(),
            created_at: datetime(s.created_at),
            updated_at: datetime(s.updated_at),
            live_from: Some(datetime(s.created_at)),
            environment: s.environment_id.0,
            identity: None,
            change_request: None,
            multivariate_feature_state_values: s.mv_values.iter().map(Into::into).collect(),
        }
    }
}

/// A state as `features/featurestates/` writes it: the value as its typed columns.
#[derive(Debug, Object, Deserialize)]
pub struct TypedStateIn {
    pub(super) feature: Option<i64>,
    pub(super) environment: Option<i64>,
    pub(super) enabled: Option<bool>,
    pub(super) feature_state_value: Option<TypedValue>,
    pub(super) multivariate_feature_state_values: Option<Vec<MvStateValueIn>>,
    pub(super) identity: Option<i64>,
    pub(super) identifier: Option<String>,
    pub(super) feature_segment: Option<i64>,
}

impl TypedStateIn {
    pub(super) fn change(self) -> Result<StateChange, ServiceError> {
        Ok(StateChange {
            patch: FeatureStatePatch {
                enabled: self.enabled,
                value: self.feature_state_value.map(|v| v.value()).transpose()?,
                mv_values: self
                    .multivariate_feature_state_values
                    .as_deref()
                    .map(allocations),
            },
            feature: self.feature.map(FeatureId),
            environment: self.environment.map(EnvironmentId),
            identity: self.identity.map(IdentityId),
            feature_segment: self.feature_segment.map(FeatureSegmentId),
        })
    }
}
