//! Unit tests of reading an environment document into an evaluation context.

use serde_json::json;

use super::*;
use crate::engine::{Environment, evaluate};

fn document(value: Value) -> EnvironmentDocument {
    serde_json::from_value(value).unwrap()
}

fn mv_document() -> EnvironmentDocument {
    document(json!({
        "api_key": "env",
        "feature_states": [{
            "feature": {"id": 7, "name": "colour", "type": "MULTIVARIATE"},
            "enabled": true,
            "django_id": 0,
            "featurestate_uuid": "2b1e5e2c-0000-4000-8000-000000000001",
            "feature_state_value": "red",
            "multivariate_feature_state_values": [
                {"mv_fs_value_uuid": "ffffffff-ffff-4fff-8fff-ffffffffffff",
                 "percentage_allocation": 50, "multivariate_feature_option": {"value": "blue"}},
                {"id": 3, "percentage_allocation": 25.5,
                 "multivariate_feature_option": {"value": "green", "key": "g"}}
            ]
        }],
        "project": {"segments": [{
            "id": 12, "name": "beta",
            "rules": [{"type": "ALL", "rules": [], "conditions": [
                {"operator": "EQUAL", "property_": "plan", "value": null}
            ]}],
            "feature_states": [{
                "feature": {"id": 7, "name": "colour"}, "enabled": false, "django_id": 99,
                "feature_state_value": "black", "feature_segment": {"priority": 1}
            }]
        }]}
    }))
}

#[test]
fn features_and_segments_map_as_the_sdk_maps_them() {
    let context = context_from_document(&mv_document()).unwrap();
    assert_eq!(context.environment.name, "");
    let colour = &context.features["colour"];
    assert_eq!(
        colour.key, "2b1e5e2c-0000-4000-8000-000000000001",
        "django_id 0 is no id"
    );
    assert_eq!(colour.metadata, Some(object(json!({"id": 7}))));
    assert_eq!(
        colour.variants[0].priority,
        Number::Int(PyInt::from(0xffff_ffff_ffff_4fff_8fff_ffff_ffff_ffff_u128))
    );
    assert_eq!(colour.variants[1].priority, Number::from(3));
    assert_eq!(colour.variants[1].key.as_deref(), Some("g"));
    let beta = &context.segments["12"];
    assert_eq!(beta.key, "12");
    assert_eq!(
        beta.metadata,
        Some(object(json!({"id": 12, "source": "api"})))
    );
    assert_eq!(
        beta.rules[0].conditions[0].value,
        ConditionValue::Text(String::new())
    );
    assert_eq!(beta.overrides[0].key, "99");
    assert_eq!(beta.overrides[0].priority, Some(Number::from(1)));
}

#[test]
fn variants_are_ordered_by_id_or_uuid() {
    let mut context = context_from_document(&mv_document()).unwrap();
    // The variant with id 3 sorts before the UUID one, so it owns [0, 25.5).
    let environment = Environment::prepare(&context).unwrap();
    let feature = &environment.features[0];
    assert_eq!(feature.variants[0].key.as_deref(), Some("g"));
    assert_eq!(feature.variants[0].reason, "SPLIT; weight=25.5");
    assert_eq!(feature.variants[1].reason, "SPLIT; weight=50");
    context.identity = Some(IdentityContext {
        identifier: "someone".into(),
        key: Some("x".into()),
        ..Default::default()
    });
    assert!(evaluate(&context).is_ok());
}

#[test]
fn a_variant_without_id_or_uuid_is_an_error_naming_it() {
    let mut doc = mv_document();
    doc.feature_states[0].multivariate_feature_state_values[0].mv_fs_value_uuid = None;
    let error = context_from_document(&doc).unwrap_err();
    assert_eq!(
        error.path,
        "feature_states[0].multivariate_feature_state_values[0].mv_fs_value_uuid"
    );
}

#[test]
fn uuids_parse_as_python_does() {
    let n = 0x12345678_1234_5678_1234_567812345678_u128;
    assert_eq!(uuid_as_int("12345678-1234-5678-1234-567812345678"), Some(n));
    assert_eq!(uuid_as_int("{12345678123456781234567812345678}"), Some(n));
    assert_eq!(
        uuid_as_int("urn:uuid:12345678-1234-5678-1234-567812345678"),
        Some(n)
    );
    assert_eq!(uuid_as_int("1234"), None);
    assert_eq!(uuid_as_int("g2345678-1234-5678-1234-567812345678"), None);
}

#[test]
fn identity_overrides_become_segments_that_beat_segment_overrides() {
    let mut doc = mv_document();
    let override_for = |identifier: &str| IdentityDocument {
        identifier: identifier.into(),
        identity_features: vec![FeatureStateDocument {
            feature: FeatureDocument {
                id: 7,
                name: "colour".into(),
                kind: None,
            },
            enabled: true,
            feature_state_value: json!("mine"),
            ..Default::default()
        }],
        ..Default::default()
    };
    doc.identity_overrides = vec![override_for("ann"), override_for("bob")];
    let mut context = context_from_document(&doc).unwrap();
    assert_eq!(context.segments.len(), 2, "ann and bob share one group");
    let group = &context.segments[1];
    assert_eq!(group.name, "identity_overrides");
    assert_eq!(
        group.rules[0].conditions[0].value,
        ConditionValue::List(vec![json!("ann"), json!("bob")])
    );
    context.identity = Some(IdentityContext {
        identifier: "bob".into(),
        traits: [("plan".to_owned(), json!(""))].into_iter().collect(),
        ..Default::default()
    });
    let result = evaluate(&context).unwrap();
    let flag = &result.flags["colour"];
    assert_eq!(flag.value, json!("mine"));
    assert_eq!(flag.variant, None, "identity overrides have no variants");
    assert_eq!(flag.reason, "TARGETING_MATCH; segment=identity_overrides");
    assert_eq!(result.segments.len(), 2, "bob is in beta too");
}

#[test]
fn identities_hash_on_their_django_id() {
    let identity: IdentityDocument = serde_json::from_value(json!({
        "identifier": "u1", "django_id": 42,
        "identity_traits": [{"trait_key": "age", "trait_value": 30}]
    }))
    .unwrap();
    let context = identity_from_document(&identity);
    assert_eq!(context.key.as_deref(), Some("42"));
    assert_eq!(context.traits["age"], json!(30));
    let without_id = IdentityDocument {
        identifier: "u2".into(),
        ..Default::default()
    };
    assert_eq!(identity_from_document(&without_id).key, None);
}
