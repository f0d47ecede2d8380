//! Identities and their traits through the API: managed, searched, paged and renamed.

use poem::http::StatusCode;
use serde_json::json;

use super::feature_states::feature;
use super::identity_overrides::{identity, sdk_flag};
use super::world::{World, created, delete, get, invalid, ok, patch, post, put};
use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    identities_and_their_traits_are_managed,
    identity_lists_search_and_page,
    identities_are_renamed_with_their_overrides,
    sdk_identity_reads_see_every_write_to_the_identity,
);

async fn environment(app: &TestApp) -> (String, String) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let project = app.project(&root, org, "Web").await;
    let (_, key) = app.environment(&root, project, "Production").await;
    (root, key)
}

async fn identities_and_their_traits_are_managed(app: TestApp) {
    let (root, key) = environment(&app).await;
    let base = format!("/api/v1/environments/{key}/identities/");
    let created = app
        .post(&base, Some(&root), json!({"identifier": "ada"}))
        .await;
    created.assert_status(StatusCode::CREATED);
    let id = json(created).await["id"].as_i64().unwrap();
    let twice = app
        .post(&base, Some(&root), json!({"identifier": "ada"}))
        .await;
    twice.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        json(twice).await["identifier"][0],
        "Identity with identifier 'ada' already exists in this environment"
    );
    let traits = format!("{base}{id}/traits/");
    let set = app
        .post(
            &traits,
            Some(&root),
            json!({"trait_key": "age", "value_type": "int", "integer_value": 42}),
        )
        .await;
    set.assert_status(StatusCode::CREATED);
    let set = json(set).await;
    assert_eq!(
        (set["value_type"].clone(), set["integer_value"].clone()),
        (json!("int"), json!(42))
    );
    let trait_id = set["id"].as_i64().unwrap();
    app.post(
        &traits,
        Some(&root),
        json!({"trait_key": "plan", "string_value": "pro"}),
    )
    .await;
    let missing = app
        .post(
            &traits,
            Some(&root),
            json!({"trait_key": "x", "value_type": "bool"}),
        )
        .await;
    missing.assert_status(StatusCode::BAD_REQUEST);
    assert!(json(missing).await["boolean_value"].is_array());
    let too_long = app
        .post(
            &traits,
            Some(&root),
            json!({"trait_key": "k".repeat(201), "string_value": "v"}),
        )
        .await;
    too_long.assert_status(StatusCode::BAD_REQUEST);
    let changed = app
        .send(
            "PATCH",
            &format!("{traits}{trait_id}/"),
            Some(&root),
            Some(json!({"value_type": "float", "float_value": 1.5})),
        )
        .await;
    changed.assert_status_is_ok();
    assert_eq!(json(changed).await["float_value"], 1.5);
    let listed = json(app.get(&traits, Some(&root)).await).await;
    assert_eq!(listed["count"], 2);
    app.send("DELETE", &format!("{traits}{trait_id}/"), Some(&root), None)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert_eq!(json(app.get(&traits, Some(&root)).await).await["count"], 1);
    app.send("DELETE", &format!("{base}{id}/"), Some(&root), None)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    app.get(&format!("{base}{id}/"), Some(&root))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let eve = app.user("eve@example.com").await;
    app.get(&base, Some(&eve))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn identity_lists_search_and_page(app: TestApp) {
    let (root, key) = environment(&app).await;
    let base = format!("/api/v1/environments/{key}/identities/");
    for name in ["alice", "bob", "alicia", "carol"] {
        app.post(&base, Some(&root), json!({"identifier": name}))
            .await
            .assert_status(StatusCode::CREATED);
    }
    let page = json(app.get(&format!("{base}?page_size=3"), Some(&root)).await).await;
    assert_eq!(page["count"], 4);
    assert_eq!(page["results"].as_array().unwrap().len(), 3);
    assert!(page["next"].as_str().unwrap().contains("page=2"));
    assert!(page["previous"].is_null());
    let second = json(
        app.get(&format!("{base}?page_size=3&page=2"), Some(&root))
            .await,
    )
    .await;
    assert_eq!(second["results"][0]["identifier"], "carol");
    assert!(second["previous"].as_str().unwrap().contains("page=1"));
    let search = json(app.get(&format!("{base}?q=ALI"), Some(&root)).await).await;
    assert_eq!(search["count"], 2);
    let exact = json(app.get(&format!("{base}?q=%22alice%22"), Some(&root)).await).await;
    assert_eq!(exact["count"], 1);
    app.get(&format!("{base}?page=zero"), Some(&root))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn identities_are_renamed_with_their_overrides(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "banner", "initial_value": "off"})).await;
    let ada = identity(&app, &w, "ada").await;
    identity(&app, &w, "bob").await;
    override_banner(&app, &w, ada, &f).await;

    let path = format!("/api/v1/environments/{}/identities/{ada}/", w.env_key);
    let before = w.tick(&app).await;
    let renamed = ok(put(&app, &path, &w.admin, json!({"identifier": "ada2"})).await).await;
    assert_eq!(
        renamed,
        json!({"id": ada, "identifier": "ada2", "environment": w.env_id})
    );
    assert_ne!(w.env_updated_at(&app).await, before, "the document moved");
    assert_eq!(
        w.audit_log(&app).await[0],
        "Identity 'ada' renamed to 'ada2'"
    );
    // The override follows the identity: SDKs see it under the new identifier at once.
    assert_eq!(
        sdk_flag(&app, &w, "ada2", "banner").await["feature_state_value"],
        "on"
    );
    assert_eq!(
        sdk_flag(&app, &w, "ada", "banner").await["feature_state_value"],
        "off"
    );
    let again = ok(patch(&app, &path, &w.admin, json!({"identifier": "ada3"})).await).await;
    assert_eq!(again["identifier"], "ada3");
    assert_eq!(
        ok(get(&app, &path, &w.admin).await).await["identifier"],
        "ada3"
    );

    invalid(
        patch(&app, &path, &w.admin, json!({"identifier": "bob"})).await,
        "identifier",
        "Identity with identifier 'bob' already exists in this environment",
    )
    .await;
    invalid(
        put(&app, &path, &w.admin, json!({"identifier": ""})).await,
        "identifier",
        "This field may not be blank.",
    )
    .await;
    let unknown = format!("/api/v1/environments/{}/identities/999999/", w.env_key);
    put(&app, &unknown, &w.admin, json!({"identifier": "x"}))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // Viewing identities is not enough to rename one.
    let viewer = w
        .member(
            &app,
            "viewer@example.com",
            &["VIEW_PROJECT"],
            &["VIEW_ENVIRONMENT", "VIEW_IDENTITIES"],
        )
        .await;
    put(&app, &path, &viewer, json!({"identifier": "x"}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    patch(&app, &path, &viewer, json!({"identifier": "x"}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let manager = w
        .member(
            &app,
            "manager@example.com",
            &["VIEW_PROJECT"],
            &["VIEW_ENVIRONMENT", "MANAGE_IDENTITIES"],
        )
        .await;
    ok(patch(&app, &path, &manager, json!({"identifier": "ada4"})).await).await;
}

/// The identity's traits as an SDK reads them, `{key: value}`.
async fn sdk_traits(app: &TestApp, w: &World, identifier: &str) -> serde_json::Value {
    let path = format!("/api/v1/identities/?identifier={identifier}");
    let resp = app.sdk("GET", &path, &w.env_key, None).await;
    resp.assert_status_is_ok();
    let body = json(resp).await;
    let traits = body["traits"].as_array().unwrap().iter();
    traits
        .map(|t| {
            (
                t["trait_key"].as_str().unwrap().to_string(),
                t["trait_value"].clone(),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// Identity states are kept in memory between SDK reads: every write to the identity, through
/// either API, shows in the next read.
async fn sdk_identity_reads_see_every_write_to_the_identity(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "banner", "initial_value": "off"})).await;
    let ada = identity(&app, &w, "ada").await;
    // Read twice: the second read is the kept state.
    assert_eq!(sdk_traits(&app, &w, "ada").await, json!({}));
    assert_eq!(sdk_traits(&app, &w, "ada").await, json!({}));

    let traits = format!(
        "/api/v1/environments/{}/identities/{ada}/traits/",
        w.env_key
    );
    let set = created(
        post(
            &app,
            &traits,
            &w.admin,
            json!({"trait_key": "plan", "string_value": "pro"}),
        )
        .await,
    )
    .await;
    assert_eq!(sdk_traits(&app, &w, "ada").await, json!({"plan": "pro"}));
    let one = format!("{traits}{}/", set["id"]);
    ok(patch(&app, &one, &w.admin, json!({"string_value": "team"})).await).await;
    assert_eq!(sdk_traits(&app, &w, "ada").await, json!({"plan": "team"}));

    // An SDK identify that writes a trait.
    let body = json!({"identifier": "ada", "traits": [{"trait_key": "age", "trait_value": 7}]});
    app.sdk("POST", "/api/v1/identities/", &w.env_key, Some(body))
        .await
        .assert_status_is_ok();
    assert_eq!(
        sdk_traits(&app, &w, "ada").await,
        json!({"plan": "team", "age": 7})
    );

    // An override, through the environment's scope.
    assert_eq!(
        sdk_flag(&app, &w, "ada", "banner").await["feature_state_value"],
        "off"
    );
    override_banner(&app, &w, ada, &f).await;

    delete(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert_eq!(sdk_traits(&app, &w, "ada").await, json!({"age": 7}));
    let path = format!("/api/v1/environments/{}/identities/{ada}/", w.env_key);
    delete(&app, &path, &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert_eq!(sdk_traits(&app, &w, "ada").await, json!({}));
    assert_eq!(
        sdk_flag(&app, &w, "ada", "banner").await["feature_state_value"],
        "off"
    );
}

/// Gives identity `ada` (id `ada`) an override of `banner` to "on", and checks SDKs see it.
async fn override_banner(app: &TestApp, w: &World, ada: i64, banner: &serde_json::Value) {
    let overrides = format!(
        "/api/v1/environments/{}/identities/{ada}/featurestates/",
        w.env_key
    );
    let body = json!({"feature": banner["id"], "enabled": true, "feature_state_value": "on"});
    created(post(app, &overrides, &w.admin, body).await).await;
    assert_eq!(
        sdk_flag(app, w, "ada", "banner").await["feature_state_value"],
        "on"
    );
}
