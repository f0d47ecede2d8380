//! Identify: identities with their overrides and traits, stored whoever wins a race.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::setup;
use crate::api::seed::{Seed, equal};
use crate::api::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    identities_get_segment_and_identity_overrides,
    identify_stores_traits_unless_transient,
    concurrent_identify_calls_lose_no_trait,
);

async fn identities_get_segment_and_identity_overrides(app: TestApp) {
    let (_, project, env, key) = setup(&app).await;
    let seed = Seed::new(&app, project, env);
    let checkout = seed.feature("checkout").await;
    let feature_segment = seed
        .segment_override(
            &checkout,
            "pro users",
            vec![equal("plan", "pro")],
            true,
            "v2",
        )
        .await;

    let plain = app
        .sdk("GET", "/api/v1/identities/?identifier=ada", &key, None)
        .await;
    plain.assert_status_is_ok();
    assert!(
        plain
            .0
            .headers()
            .contains_key("x-flagsmith-document-updated-at")
    );
    let plain = json(plain).await;
    assert_eq!(plain["identifier"], "ada");
    assert_eq!(plain["flags"][0]["feature_state_value"], "v1");
    assert_eq!(plain["flags"][0]["variant"], Value::Null);
    let stored = app.store.identity_by_identifier(env, "ada").await.unwrap();
    assert!(stored.is_some(), "GET creates the identity");

    let pro = json(
        app.sdk(
            "POST",
            "/api/v1/identities/",
            &key,
            Some(json!({"identifier": "grace", "traits": [{"trait_key": "plan", "trait_value": "pro"}]})),
        )
        .await,
    )
    .await;
    assert_eq!(pro["flags"][0]["feature_state_value"], "v2");
    assert_eq!(pro["flags"][0]["feature_segment"], feature_segment.id.0);

    let ada = stored.unwrap();
    seed.identity_override(&checkout, ada.id, false, "just ada")
        .await;
    let mine = json(
        app.sdk("GET", "/api/v1/identities/?identifier=ada", &key, None)
            .await,
    )
    .await;
    assert_eq!(mine["flags"][0]["feature_state_value"], "just ada");
    assert_eq!(mine["flags"][0]["enabled"], false);
    assert_eq!(mine["flags"][0]["identity"], ada.id.0);
    let one = json(
        app.sdk(
            "GET",
            "/api/v1/identities/?identifier=ada&feature=checkout",
            &key,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(one["feature_state_value"], "just ada");
    app.sdk(
        "GET",
        "/api/v1/identities/?identifier=ada&feature=Checkout",
        &key,
        None,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    let missing = app.sdk("GET", "/api/v1/identities/", &key, None).await;
    missing.assert_status_is_ok();
    assert_eq!(json(missing).await, json!({"detail": "Missing identifier"}));
}

async fn identify_stores_traits_unless_transient(app: TestApp) {
    let (root, _, env, key) = setup(&app).await;
    let body = json!({"identifier": "ada", "traits": [
        {"trait_key": "plan", "trait_value": "pro"},
        {"trait_key": "age", "trait_value": 42},
        {"trait_key": "beta", "trait_value": true},
        {"trait_key": "score", "trait_value": 4.5},
        {"trait_key": "meta", "trait_value": {"a": 1}},
        {"trait_key": "tmp", "trait_value": "x", "transient": true},
    ]});
    let resp = app
        .sdk("POST", "/api/v1/identities/", &key, Some(body))
        .await;
    resp.assert_status_is_ok();
    let answer = json(resp).await;
    let traits: Vec<(&str, &Value, bool)> = answer["traits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["trait_key"].as_str().unwrap(),
                &t["trait_value"],
                t["transient"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(traits.contains(&("age", &json!(42), false)));
    assert!(
        traits.contains(&("meta", &json!("{'a': 1}"), false)),
        "{traits:?}"
    );
    assert!(traits.contains(&("tmp", &json!("x"), true)));
    let identity = app
        .store
        .identity_by_identifier(env, "ada")
        .await
        .unwrap()
        .unwrap();
    let stored: Vec<String> = app
        .store
        .traits(identity.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.key)
        .collect();
    assert_eq!(stored, ["plan", "age", "beta", "score", "meta"]);

    let delete =
        json!({"identifier": "ada", "traits": [{"trait_key": "plan", "trait_value": null}]});
    app.sdk("POST", "/api/v1/identities/", &key, Some(delete))
        .await
        .assert_status_is_ok();
    assert_eq!(app.store.traits(identity.id).await.unwrap().len(), 4);

    let transient = json!({"identifier": "ada", "transient": true, "traits": [{"trait_key": "age", "trait_value": 7}]});
    let answer = json(
        app.sdk("POST", "/api/v1/identities/", &key, Some(transient))
            .await,
    )
    .await;
    assert!(
        answer["traits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["trait_key"] == "age" && t["trait_value"] == 7)
    );
    let age = app
        .store
        .traits(identity.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.key == "age")
        .unwrap();
    assert_eq!(
        age.value,
        flagstaff::domain::identity::TraitValue::Integer(42),
        "transient writes nothing"
    );

    let anonymous = json(
        app.sdk(
            "POST",
            "/api/v1/identities/",
            &key,
            Some(json!({"traits": [{"trait_key": "a", "trait_value": 1}]})),
        )
        .await,
    )
    .await;
    assert_eq!(anonymous["identifier"].as_str().unwrap().len(), 64);
    let too_long = app
        .sdk(
            "POST",
            "/api/v1/identities/",
            &key,
            Some(json!({"identifier": "x", "traits": [{"trait_key": "k", "trait_value": "v".repeat(2001)}]})),
        )
        .await;
    too_long.assert_status(StatusCode::BAD_REQUEST);
    assert!(
        json(too_long).await["traits"][0]["trait_value"][0]
            .as_str()
            .unwrap()
            .starts_with("Value string is too long")
    );

    app.send(
        "PATCH",
        &format!("/api/v1/environments/{key}/"),
        Some(&root),
        Some(json!({"allow_client_traits": false})),
    )
    .await
    .assert_status_is_ok();
    let ignored =
        json!({"identifier": "bob", "traits": [{"trait_key": "plan", "trait_value": "pro"}]});
    let answer = json(
        app.sdk("POST", "/api/v1/identities/", &key, Some(ignored))
            .await,
    )
    .await;
    assert_eq!(
        answer["traits"],
        json!([]),
        "client traits are silently dropped"
    );
}

/// Upstream loses traits when two `POST /identities/` for one identity race (each writes the
/// trait set it read); every trait sent here must be stored, whoever wins.
async fn concurrent_identify_calls_lose_no_trait(app: TestApp) {
    let (_, _, env, key) = setup(&app).await;
    const CALLS: usize = 16;
    let calls = (0..CALLS).map(|n| {
        let body = json!({"identifier": "racer", "traits": [
            {"trait_key": format!("t{n}"), "trait_value": n},
            {"trait_key": "shared", "trait_value": n},
        ]});
        app.sdk("POST", "/api/v1/identities/", &key, Some(body))
    });
    for resp in futures_util::future::join_all(calls).await {
        resp.assert_status_is_ok();
    }
    let identity = app
        .store
        .identity_by_identifier(env, "racer")
        .await
        .unwrap()
        .unwrap();
    let mut stored: Vec<String> = app
        .store
        .traits(identity.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.key)
        .collect();
    stored.sort();
    let mut expected: Vec<String> = (0..CALLS).map(|n| format!("t{n}")).collect();
    expected.push("shared".into());
    expected.sort();
    assert_eq!(stored, expected);
    // The next call sees them all, through the same endpoint.
    let answer = json(
        app.sdk("GET", "/api/v1/identities/?identifier=racer", &key, None)
            .await,
    )
    .await;
    assert_eq!(answer["traits"].as_array().unwrap().len(), CALLS + 1);
}
