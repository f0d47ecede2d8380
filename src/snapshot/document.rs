//! The environment document local-evaluation SDKs download (`GET /environment-document/`).
//
// In upstream's exact shape: `property_`, `django_id`, `featurestate_uuid`, `+00:00` datetimes.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::source::SegmentOverrides;
use super::{EnvSnapshot, value_json};
use crate::domain::feature::Feature;
use crate::domain::feature_state::FeatureState;
use crate::domain::identity::Identity;
use crate::domain::segment::{Condition, SegmentRule};
use crate::domain::{FeatureId, Timestamp};

/// Datetimes as pydantic renders them: `+00:00`, microseconds.
fn pydantic_datetime(t: Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

/// A stable UUID-shaped name for a multivariate share, which has only an id here.
fn share_uuid(id: i64) -> String {
    format!("00000000-0000-4000-8000-{:012x}", id)
}

fn state_json(
    snapshot: &EnvSnapshot,
    feature: &Feature,
    state: &FeatureState,
    priority: Option<i32>,
) -> Value {
    let shares: Vec<Value> = state
        .mv_values
        .iter()
        .filter_map(|share| {
            let option = snapshot.options.get(&share.mv_option_id)?;
            Some(json!({
                "id": share.id,
                "mv_fs_value_uuid": share_uuid(share.id),
                "percentage_allocation": share.percentage_allocation,
                "multivariate_feature_option": {
                    "id": option.id.0,
                    "key": option.key,
                    "value": value_json(&option.value),
                },
            }))
        })
        .collect();
    let django_id = state
        .mv_hashing_salt
        .as_deref()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(state.id.0);
    json!({
        "feature": {"id": feature.id.0, "name": feature.name, "type": feature.feature_type.as_str()},
        "enabled": state.enabled,
        "django_id": django_id,
        "featurestate_uuid": state.uuid,
        "feature_segment": priority.map(|p| json!({"priority": p})),
        "feature_state_value": value_json(&state.value),
        "multivariate_feature_state_values": shares,
    })
}

fn rule_json(rule: &SegmentRule) -> Value {
    json!({
        "type": rule.rule_type.as_str(),
        "rules": rule.rules.iter().map(rule_json).collect::<Vec<_>>(),
        "conditions": rule.conditions.iter().map(condition_json).collect::<Vec<_>>(),
    })
}

fn condition_json(c: &Condition) -> Value {
    json!({"operator": c.operator.as_str(), "property_": c.property, "value": c.value})
}

/// Renders the document from the snapshot plus what the snapshot does not keep in this form:
/// the segments with their rules and overrides, and the identity overrides (when the
/// environment serves them to local evaluation).
pub fn build(
    snapshot: &EnvSnapshot,
    segment_overrides: &SegmentOverrides,
    identities: &[(Identity, Vec<FeatureState>)],
) -> bytes::Bytes {
    let env = &snapshot.environment;
    let project = &snapshot.project;
    let features: HashMap<FeatureId, &Feature> = snapshot
        .features
        .iter()
        .map(|e| (e.feature.id, &e.feature))
        .collect();
    let feature_states: Vec<Value> = snapshot
        .features
        .iter()
        .map(|e| state_json(snapshot, &e.feature, &e.default, None))
        .collect();

    let override_states = segment_overrides.states_by_feature_segment();
    let mut segments = Vec::new();
    for segment in &segment_overrides.segments {
        let overrides: Vec<Value> = segment_overrides
            .feature_segments
            .iter()
            .filter(|fs| fs.segment_id == segment.id)
            .filter_map(|fs| {
                let state = override_states.get(&fs.id)?;
                let feature = features.get(&fs.feature_id)?;
                Some(state_json(snapshot, feature, state, Some(fs.priority)))
            })
            .collect();
        if segment.feature_id.is_some() && overrides.is_empty() {
            continue;
        }
        segments.push(json!({
            "id": segment.id.0,
            "name": segment.name,
            "rules": segment.rules.iter().map(rule_json).collect::<Vec<_>>(),
            "feature_states": overrides,
        }));
    }

    let mut identity_overrides = Vec::new();
    for (identity, states) in identities {
        let features_json: Vec<Value> = states
            .iter()
            .filter_map(|s| Some(state_json(snapshot, features.get(&s.feature_id)?, s, None)))
            .collect();
        identity_overrides.push(json!({
            "identifier": identity.identifier,
            "environment_api_key": env.api_key,
            "created_date": pydantic_datetime(identity.created_date),
            "identity_features": features_json,
            "identity_traits": [],
            "identity_uuid": uuid::Uuid::new_v4().to_string(),
            "django_id": identity.id.0,
            "dashboard_alias": null,
            "composite_key": format!("{}_{}", env.api_key, identity.identifier),
        }));
    }

    let organisation = &snapshot.organisation;
    let server_key_only: Vec<i64> = snapshot
        .features
        .iter()
        .filter(|e| e.feature.settings.is_server_key_only)
        .map(|e| e.feature.id.0)
        .collect();
    let document = json!({
        "id": env.id.0,
        "api_key": env.api_key,
        "name": env.settings.name,
        "allow_client_traits": env.settings.allow_client_traits,
        "updated_at": pydantic_datetime(env.updated_at),
        "hide_sensitive_data": env.settings.hide_sensitive_data,
        "hide_disabled_flags": env.settings.hide_disabled_flags,
        "use_identity_composite_key_for_hashing": env.settings.use_identity_composite_key_for_hashing,
        "use_identity_overrides_in_local_eval": env.settings.use_identity_overrides_in_local_eval,
        "project": {
            "id": project.id.0,
            "name": project.settings.name,
            "organisation": {
                "id": organisation.id.0,
                "name": organisation.name,
                "feature_analytics": organisation.settings.feature_analytics,
                "stop_serving_flags": organisation.settings.stop_serving_flags,
                "persist_trait_data": organisation.settings.persist_trait_data,
            },
            "hide_disabled_flags": project.settings.hide_disabled_flags,
            "enable_realtime_updates": project.settings.enable_realtime_updates,
            "server_key_only_feature_ids": server_key_only,
            "segments": segments,
        },
        "feature_states": feature_states,
        "identity_overrides": identity_overrides,
    });
    serde_json::to_vec(&document).unwrap_or_default().into()
}
