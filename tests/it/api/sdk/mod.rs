//! The SDK endpoints with our own assertions (the official SDKs drive them elsewhere).

mod environment_document;
mod identities;
mod traits;

use flagstaff::domain::{EnvironmentId, ProjectId};
use poem::http::StatusCode;
use serde_json::{Value, json};

use super::seed::Seed;
use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    keys_are_checked_with_upstreams_403s,
    environment_flags_follow_the_settings,
    a_management_change_is_seen_by_the_next_sdk_request,
);

/// An environment with three features; answers (root token, project, env id, client key).
pub(super) async fn setup(app: &TestApp) -> (String, ProjectId, EnvironmentId, String) {
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

pub(super) fn names(flags: &Value) -> Vec<&str> {
    flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["feature"]["name"].as_str().unwrap())
        .collect()
}

pub(super) async fn server_key(app: &TestApp, root: &str, key: &str) -> String {
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
