//! The flag object the SDKs read (`SDKFeatureStateSerializer` upstream), for snapshots and eval.

use serde_json::Value;
use serde_json::value::RawValue;

use super::{EnvSnapshot, FeatureEntry, Origin, value_json};
use crate::domain::environment::Environment;
use crate::domain::feature::Feature;
use serde::Serialize;
use serde_json::{Map, json};

/// A response body rendered once and shared.
#[derive(Debug, Clone, Default)]
pub struct Rendered(pub bytes::Bytes);

impl EnvSnapshot {
    pub(super) fn environment_view(&self) -> EnvironmentView {
        environment_view(&self.environment)
    }
}

pub(super) fn environment_view(environment: &Environment) -> EnvironmentView {
    EnvironmentView {
        id: Some(environment.id.0),
        hide_sensitive_data: environment.settings.hide_sensitive_data,
    }
}

fn feature_view(feature: &Feature) -> FeatureView<'_> {
    FeatureView {
        id: feature.id.0,
        name: &feature.name,
        kind: feature.feature_type.as_str(),
        created_date: Some(crate::domain::drf_datetime(feature.created_date)),
        description: feature.settings.description.as_deref(),
        initial_value: feature.initial_value.as_deref(),
        default_enabled: Some(feature.default_enabled),
    }
}

/// The flag objects' `feature` for this feature, as the environment shows it.
pub(super) fn feature_object(view: EnvironmentView, feature: &Feature) -> Value {
    feature_json(view, &feature_view(feature))
}

fn entry_json(snapshot: &EnvSnapshot, entry: &FeatureEntry, served: Served<'_>) -> Value {
    flag_json_of(snapshot.environment_view(), entry.rendered.clone(), served)
}

/// One environment flag: the feature's default with its control value.
pub fn environment_flag(snapshot: &EnvSnapshot, entry: &FeatureEntry) -> Value {
    let served = Served {
        state_id: Some(entry.default.id.0),
        enabled: entry.default.enabled,
        value: value_json(&entry.default.value),
        identity: None,
        feature_segment: None,
        variant: None,
    };
    entry_json(snapshot, entry, served)
}

/// `GET /flags/`: every visible default (only the enabled ones when disabled flags are hidden).
pub(super) fn environment_flags(snapshot: &EnvSnapshot, origin: Origin) -> Rendered {
    let flags: Vec<Value> = snapshot
        .features
        .iter()
        .filter(|e| snapshot.visible_to(&e.feature, origin))
        .filter(|e| !snapshot.hide_disabled || e.default.enabled)
        .map(|e| environment_flag(snapshot, e))
        .collect();
    Rendered(
        serde_json::to_vec(&flags)
            .unwrap_or_else(|_| b"[]".to_vec())
            .into(),
    )
}

/// What the flag object shows of the environment.
#[derive(Debug, Clone, Copy)]
pub struct EnvironmentView {
    /// Null when unknown (a document without `id`).
    pub id: Option<i64>,
    /// Ids and descriptive fields become null.
    pub hide_sensitive_data: bool,
}

impl EnvironmentView {
    fn shown(self, value: Value) -> Value {
        if self.hide_sensitive_data {
            Value::Null
        } else {
            value
        }
    }
}

/// What the flag object shows of its feature.
#[derive(Debug, Clone, Default)]
pub struct FeatureView<'a> {
    pub id: i64,
    pub name: &'a str,
    /// `STANDARD` or `MULTIVARIATE`.
    pub kind: &'a str,
    /// The fields an environment document does not carry (null there).
    pub created_date: Option<String>,
    pub description: Option<&'a str>,
    pub initial_value: Option<&'a str>,
    pub default_enabled: Option<bool>,
}

/// The feature state a flag serves, and where it came from.
#[derive(Debug, Clone)]
pub struct Served<'a> {
    pub state_id: Option<i64>,
    pub enabled: bool,
    pub value: Value,
    /// The identity, when its own override is served.
    pub identity: Option<i64>,
    /// The feature segment, when a segment override is served.
    pub feature_segment: Option<i64>,
    /// Identity flags only: the variant's key, `control`, or null.
    pub variant: Option<Option<&'a str>>,
}

/// The `variant` of an identity flag: for a multivariate feature, the key of the option the
/// identity's bucket fell in (null when that option has no key), or `control` when it fell in
/// none (`split` is false); null for any other feature.
pub fn identity_variant(
    multivariate: bool,
    split: bool,
    chosen: Option<&str>,
) -> Option<Option<&str>> {
    Some(match (multivariate, split) {
        (false, _) => None,
        (true, true) => chosen,
        (true, false) => Some("control"),
    })
}

/// The flag object's `feature`.
pub fn feature_json(environment: EnvironmentView, feature: &FeatureView<'_>) -> Value {
    let shown = |v: Value| environment.shown(v);
    json!({
        "id": feature.id,
        "name": feature.name,
        "created_date": shown(json!(feature.created_date)),
        "description": shown(json!(feature.description)),
        "initial_value": shown(json!(feature.initial_value)),
        "default_enabled": shown(json!(feature.default_enabled)),
        "type": feature.kind,
    })
}

/// One flag object.
pub fn flag_json(
    environment: EnvironmentView,
    feature: &FeatureView<'_>,
    served: Served<'_>,
) -> Value {
    flag_json_of(environment, feature_json(environment, feature), served)
}

/// One flag object, its `feature` already rendered (by `feature_json`). Built by moving the
/// parts in (`json!` would copy them): SDK identity requests build fifty of these each.
pub fn flag_json_of(environment: EnvironmentView, feature: Value, served: Served<'_>) -> Value {
    let shown = |v: Option<i64>| environment.shown(v.map_or(Value::Null, Value::from));
    let mut flag = Map::new();
    flag.insert("id".into(), shown(served.state_id));
    flag.insert("feature".into(), feature);
    flag.insert("feature_state_value".into(), served.value);
    flag.insert("environment".into(), shown(environment.id));
    flag.insert("identity".into(), shown(served.identity));
    flag.insert("feature_segment".into(), shown(served.feature_segment));
    flag.insert("enabled".into(), Value::Bool(served.enabled));
    if let Some(variant) = served.variant {
        flag.insert(
            "variant".into(),
            variant.map_or(Value::Null, |v| Value::String(v.into())),
        );
    }
    Value::Object(flag)
}

/// A flag object as the serializer writes it: keys in the order `Value` objects keep them.
#[derive(Serialize)]
struct FlagOut<'a> {
    enabled: bool,
    environment: Option<i64>,
    feature: &'a RawValue,
    feature_segment: Option<i64>,
    feature_state_value: &'a Value,
    id: Option<i64>,
    identity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    variant: Option<Option<&'a str>>,
}

/// One flag object rendered straight to JSON, its `feature` already rendered: the same text
/// `flag_json_of` gives, without building a `Value` tree (SDK identity requests render fifty).
pub fn flag_raw(
    environment: EnvironmentView,
    feature: &RawValue,
    served: &Served<'_>,
) -> Box<RawValue> {
    let shown = |v: Option<i64>| v.filter(|_| !environment.hide_sensitive_data);
    let flag = FlagOut {
        enabled: served.enabled,
        environment: shown(environment.id),
        feature,
        feature_segment: shown(served.feature_segment),
        feature_state_value: &served.value,
        id: shown(served.state_id),
        identity: shown(served.identity),
        variant: served.variant,
    };
    serde_json::value::to_raw_value(&flag).unwrap_or_else(|_| RawValue::NULL.to_owned())
}
