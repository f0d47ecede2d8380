//! The SDK endpoints with our own assertions (the official SDKs drive them elsewhere).

use flagstaff::domain::{EnvironmentId, ProjectId};
use poem::http::StatusCode;
use serde_json::{Value, json};

use super::seed::{Seed, equal, percentage_split};
use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    keys_are_checked_with_upstreams_403s,
    environment_flags_follow_the_settings,
    a_management_change_is_seen_by_the_next_sdk_request,
    identities_get_segment_and_identity_overrides,
    identify_stores_traits_unless_transient,
    concurrent_identify_calls_lose_no_trait,
    trait_routes_set_bulk_and_increment,
    the_environment_document_evaluates_like_the_server,
    a_deleted_identity_leaves_the_environment_document,
);

/// An environment with three features; answers (root token, project, env id, client key).
async fn setup(app: &TestApp) -> (String, ProjectId, EnvironmentId, String) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let project = ProjectId(app.project(&root, org, "Web").await);
    let (env, key) = app.environment(&root, project.0, "Production").await;
    let seed = Seed::new(app, project, EnvironmentId(env));
    seed.create_feature("checkout", true, Some("v1"), false)
        .await;
    seed.create_feature("Dark_Mode", false, None, false).await;
    seed.create_feature("internal", true, Some("42"), true)
        .await;
    (root, project, EnvironmentId(env), key)
}

fn names(flags: &Value) -> Vec<&str> {
    flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["feature"]["name"].as_str().unwrap())
        .collect()
}

async fn server_key(app: &TestApp, root: &str, key: &str) -> String {
    let created = app
        .post(
            &format!("/api/v1/environments/{key}/api-keys/"),
            Some(root),
            json!({"name": "backend"}),
        )
        .await;
    json(created).await["key"].as_str().unwrap().to_string()
}

async fn keys_are_checked_with_upstreams_403s(app: TestApp) {
    let (root, _, _, key) = setup(&app).await;
    let missing = app.client.get("/api/v1/flags/").send().await;
    missing.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        json(missing).await,
        json!({"detail": "Invalid or missing Environment key"})
    );
    let unknown = app.sdk("GET", "/api/v1/flags/", "nope", None).await;
    unknown.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        json(unknown).await,
        json!({"detail": "Invalid or missing Environment Key"})
    );
    let server = server_key(&app, &root, &key).await;
    app.sdk("GET", "/api/v1/flags/", &server, None)
        .await
        .assert_status_is_ok();
    let keys = json(
        app.get(
            &format!("/api/v1/environments/{key}/api-keys/"),
            Some(&root),
        )
        .await,
    )
    .await;
    let id = keys[0]["id"].as_i64().unwrap();
    app.send(
        "PATCH",
        &format!("/api/v1/environments/{key}/api-keys/{id}/"),
        Some(&root),
        Some(json!({"active": false})),
    )
    .await
    .assert_status_is_ok();
    app.sdk("GET", "/api/v1/flags/", &server, None)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let preflight = app
        .client
        .options("/api/v1/flags/")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "x-environment-key")
        .send()
        .await;
    preflight.assert_status_is_ok();
    let allowed = preflight.0.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("x-environment-key"), "{allowed}");
}

async fn environment_flags_follow_the_settings(app: TestApp) {
    let (root, _, _, key) = setup(&app).await;
    let resp = app.sdk("GET", "/api/v1/flags/", &key, None).await;
    resp.assert_status_is_ok();
    let header = resp.0.headers()["x-flagsmith-document-updated-at"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(header.parse::<f64>().unwrap() > 1.0e9, "{header}");
    let flags = json(resp).await;
    assert_eq!(
        names(&flags),
        ["checkout", "Dark_Mode"],
        "server-key-only features are hidden from client keys"
    );
    let checkout = &flags[0];
    assert_eq!(checkout["feature_state_value"], "v1");
    assert_eq!(checkout["enabled"], true);
    assert!(checkout.get("variant").is_none(), "no variant on /flags/");
    assert_eq!(checkout["feature"]["type"], "STANDARD");
    assert_eq!(checkout["identity"], Value::Null);
    let server = server_key(&app, &root, &key).await;
    let all = json(app.sdk("GET", "/api/v1/flags/", &server, None).await).await;
    assert_eq!(names(&all), ["checkout", "Dark_Mode", "internal"]);
    assert_eq!(
        all[2]["feature_state_value"], 42,
        "a numeric initial value serves as an integer"
    );
    let one = app
        .sdk("GET", "/api/v1/flags/?feature=dark_mode", &key, None)
        .await;
    one.assert_status_is_ok();
    assert_eq!(json(one).await["feature"]["name"], "Dark_Mode");
    let none = app
        .sdk("GET", "/api/v1/flags/?feature=internal", &key, None)
        .await;
    none.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        json(none).await,
        json!({"detail": "Given feature not found"})
    );
    app.send(
        "PATCH",
        &format!("/api/v1/environments/{key}/"),
        Some(&root),
        Some(json!({"hide_disabled_flags": true})),
    )
    .await
    .assert_status_is_ok();
    let enabled_only = json(app.sdk("GET", "/api/v1/flags/", &server, None).await).await;
    assert_eq!(names(&enabled_only), ["checkout", "internal"]);
    app.send(
        "PATCH",
        &format!("/api/v1/environments/{key}/"),
        Some(&root),
        Some(json!({"hide_sensitive_data": true})),
    )
    .await
    .assert_status_is_ok();
    let hidden = json(app.sdk("GET", "/api/v1/flags/", &key, None).await).await;
    assert_eq!(hidden[0]["id"], Value::Null);
    assert_eq!(hidden[0]["feature"]["description"], Value::Null);
    assert_eq!(hidden[0]["feature_state_value"], "v1");
}

async fn a_management_change_is_seen_by_the_next_sdk_request(app: TestApp) {
    let (root, _, _, key) = setup(&app).await;
    let before = json(app.sdk("GET", "/api/v1/flags/", &key, None).await).await;
    assert_eq!(names(&before).len(), 2);
    app.send(
        "PATCH",
        &format!("/api/v1/environments/{key}/"),
        Some(&root),
        Some(json!({"hide_disabled_flags": true})),
    )
    .await
    .assert_status_is_ok();
    let after = json(app.sdk("GET", "/api/v1/flags/", &key, None).await).await;
    assert_eq!(names(&after), ["checkout"]);
    app.send(
        "DELETE",
        &format!("/api/v1/environments/{key}/"),
        Some(&root),
        None,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    app.sdk("GET", "/api/v1/flags/", &key, None)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

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

async fn trait_routes_set_bulk_and_increment(app: TestApp) {
    let (root, _, env, key) = setup(&app).await;
    let one = json!({"identity": {"identifier": "ada"}, "trait_key": "plan", "trait_value": "pro"});
    let resp = app
        .sdk("POST", "/api/v1/traits/", &key, Some(one.clone()))
        .await;
    resp.assert_status_is_ok();
    assert_eq!(json(resp).await, one);
    let null = app
        .sdk("POST", "/api/v1/traits/", &key, Some(json!({"identity": {"identifier": "ada"}, "trait_key": "plan", "trait_value": null})))
        .await;
    null.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        json(null).await["trait_value"][0],
        "This field may not be null."
    );
    app.sdk("GET", "/api/v1/traits/", &key, None)
        .await
        .assert_status(StatusCode::METHOD_NOT_ALLOWED);

    let bulk = json!([
        {"identity": {"identifier": "ada"}, "trait_key": "plan", "trait_value": null},
        {"identity": {"identifier": "bob"}, "trait_key": "age", "trait_value": 30},
    ]);
    let resp = app
        .sdk("PUT", "/api/v1/traits/bulk/", &key, Some(bulk.clone()))
        .await;
    resp.assert_status_is_ok();
    assert_eq!(json(resp).await, json!([bulk[1]]));
    app.sdk("POST", "/api/v1/traits/bulk/", &key, Some(bulk))
        .await
        .assert_status(StatusCode::METHOD_NOT_ALLOWED);
    let ada = app
        .store
        .identity_by_identifier(env, "ada")
        .await
        .unwrap()
        .unwrap();
    assert!(app.store.traits(ada.id).await.unwrap().is_empty());

    let inc = |by: i64| json!({"trait_key": "clicks", "identifier": "ada", "increment_by": by});
    let first = json(
        app.sdk(
            "POST",
            "/api/v1/traits/increment-value/",
            &key,
            Some(inc(3)),
        )
        .await,
    )
    .await;
    assert_eq!(
        first,
        json!({"trait_key": "clicks", "trait_value": 3, "identifier": "ada"})
    );
    let second = json(
        app.sdk(
            "POST",
            "/api/v1/traits/increment-value/",
            &key,
            Some(inc(2)),
        )
        .await,
    )
    .await;
    assert_eq!(second["trait_value"], 5);
    let not_int = app
        .sdk(
            "POST",
            "/api/v1/traits/increment-value/",
            &key,
            Some(json!({"trait_key": "age", "identifier": "bob", "increment_by": "x"})),
        )
        .await;
    not_int.assert_status(StatusCode::BAD_REQUEST);
    app.sdk(
        "POST",
        "/api/v1/traits/",
        &key,
        Some(json!({"identity": {"identifier": "bob"}, "trait_key": "name", "trait_value": "Bob"})),
    )
    .await
    .assert_status_is_ok();
    let wrong_type = app
        .sdk(
            "POST",
            "/api/v1/traits/increment-value/",
            &key,
            Some(json!({"trait_key": "name", "identifier": "bob", "increment_by": 1})),
        )
        .await;
    wrong_type.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(json(wrong_type).await, json!(["Trait is not an integer."]));

    app.send(
        "PATCH",
        &format!("/api/v1/environments/{key}/"),
        Some(&root),
        Some(json!({"allow_client_traits": false})),
    )
    .await
    .assert_status_is_ok();
    let refused = app.sdk("POST", "/api/v1/traits/", &key, Some(one)).await;
    refused.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        json(refused).await["non_field_errors"][0],
        "Setting traits not allowed with client key."
    );
}

async fn the_environment_document_evaluates_like_the_server(app: TestApp) {
    let (root, project, env, key) = setup(&app).await;
    let seed = Seed::new(&app, project, env);
    let checkout = seed.feature("checkout").await;
    seed.segment_override(
        &checkout,
        "half",
        vec![percentage_split(50)],
        false,
        "split",
    )
    .await;

    app.sdk("GET", "/api/v1/environment-document/", &key, None)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let server = server_key(&app, &root, &key).await;
    let resp = app
        .sdk("GET", "/api/v1/environment-document/", &server, None)
        .await;
    resp.assert_status_is_ok();
    let last_modified = resp.0.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        resp.0
            .headers()
            .contains_key("x-flagsmith-document-updated-at")
    );
    let doc = json(resp).await;
    assert_eq!(
        doc["api_key"],
        key.as_str(),
        "the client key, even when fetched with a server key"
    );
    assert!(doc["updated_at"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(doc["project"]["organisation"]["persist_trait_data"], true);
    assert_eq!(
        doc["project"]["server_key_only_feature_ids"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let condition = &doc["project"]["segments"][0]["rules"][0]["conditions"][0];
    assert_eq!(condition["operator"], "PERCENTAGE_SPLIT");
    assert!(condition.get("property_").is_some());
    assert_eq!(
        doc["project"]["segments"][0]["feature_states"][0]["feature_segment"]["priority"],
        0
    );
    assert!(doc["feature_states"][0]["django_id"].is_i64());
    assert!(doc["feature_states"][0]["featurestate_uuid"].is_string());
    let again = app
        .client
        .get("/api/v1/environment-document/")
        .header("x-environment-key", &server)
        .header("if-modified-since", &last_modified)
        .send()
        .await;
    again.assert_status(StatusCode::NOT_MODIFIED);

    // Local evaluation of the document agrees with remote evaluation for every identity.
    let document: flagstaff::engine::document::EnvironmentDocument =
        serde_json::from_value(doc).unwrap();
    let context = flagstaff::engine::document::context_from_document(&document).unwrap();
    let local = flagstaff::engine::Environment::prepare(&context).unwrap();
    let mut split = 0;
    for n in 0..40 {
        let identifier = format!("user-{n}");
        let remote = json(
            app.sdk(
                "GET",
                &format!("/api/v1/identities/?identifier={identifier}&transient=1"),
                &server,
                None,
            )
            .await,
        )
        .await;
        let identity = flagstaff::engine::IdentityContext {
            identifier: identifier.clone(),
            key: None,
            traits: Default::default(),
        };
        let evaluation = local.evaluate(Some(&identity));
        let local_checkout = evaluation
            .flags
            .iter()
            .find(|f| f.name == "checkout")
            .unwrap();
        let remote_checkout = remote["flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["feature"]["name"] == "checkout")
            .unwrap();
        assert_eq!(
            local_checkout.value, &remote_checkout["feature_state_value"],
            "{identifier}"
        );
        assert_eq!(
            Value::Bool(local_checkout.enabled),
            remote_checkout["enabled"],
            "{identifier}"
        );
        split += usize::from(remote_checkout["feature_state_value"] == "split");
    }
    assert!(
        split > 5 && split < 35,
        "the split should catch some identities: {split}"
    );
    let admin = app
        .get(
            &format!("/api/v1/environments/{key}/document/"),
            Some(&root),
        )
        .await;
    admin.assert_status_is_ok();
}

async fn a_deleted_identity_leaves_the_environment_document(app: TestApp) {
    let (root, project, _, key) = setup(&app).await;
    let server = server_key(&app, &root, &key).await;
    let identities = format!("/api/v1/environments/{key}/identities/");
    let ada = json(
        app.post(&identities, Some(&root), json!({"identifier": "ada"}))
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let checkout = app
        .store
        .features_of(
            project,
            &Default::default(),
            flagstaff::domain::PageRequest::all(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|f| f.name == "checkout")
        .unwrap();
    app.post(
        &format!("{identities}{ada}/featurestates/"),
        Some(&root),
        json!({"feature": checkout.id.0, "enabled": false}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let overrides = |doc: &Value| doc["identity_overrides"].as_array().unwrap().len();
    let doc = json(
        app.sdk("GET", "/api/v1/environment-document/", &server, None)
            .await,
    )
    .await;
    assert_eq!(overrides(&doc), 1, "{doc}");

    app.send("DELETE", &format!("{identities}{ada}/"), Some(&root), None)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let doc = json(
        app.sdk("GET", "/api/v1/environment-document/", &server, None)
            .await,
    )
    .await;
    assert_eq!(overrides(&doc), 0, "{doc}");
}
