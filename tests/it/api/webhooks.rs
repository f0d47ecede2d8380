//! Webhooks through the API: who manages them, the outbox a change writes, logs and test posts.
//
// What a change writes to the outbox is written in its own transaction; test posts are signed,
// follow no redirects and refuse internal addresses unless allowed. Sending from the outbox is
// tested with real servers in `webhooks.rs`.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::world::{World, created, delete, get, invalid, ok, patch, post};
use super::{TestApp, json};
use crate::api_on_both_backends;
use crate::harness::Backend;
use crate::webhooks::Receiver;

api_on_both_backends!(
    webhooks_are_managed_by_environment_admins,
    organisation_webhooks_are_managed_by_organisation_admins,
    a_change_writes_its_deliveries_with_it,
    internal_addresses_are_refused_by_default,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_posts_are_signed_and_follow_no_redirect_on_sqlite() {
    super::run(
        Backend::Sqlite,
        PRIVATE,
        test_posts_are_signed_and_follow_no_redirect,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_posts_are_signed_and_follow_no_redirect_on_postgres() {
    super::run(
        Backend::Postgres,
        PRIVATE,
        test_posts_are_signed_and_follow_no_redirect,
    )
    .await
}

const PRIVATE: &[(&str, &str)] = &[("FLAGSTAFF_WEBHOOK_PRIVATE_NETWORKS", "true")];

async fn webhooks_are_managed_by_environment_admins(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let project = app.project(&root, org, "Web").await;
    let (_, key) = app.environment(&root, project, "Production").await;
    let base = format!("/api/v1/environments/{key}/webhooks/");
    let bad = app
        .post(&base, Some(&root), json!({"url": "ftp://nope"}))
        .await;
    bad.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(json(bad).await["url"][0], "Enter a valid URL.");
    let created = app
        .post(
            &base,
            Some(&root),
            json!({"url": "https://hooks.example/flags", "secret": "abc"}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let created = json(created).await;
    assert_eq!(created["enabled"], true);
    let id = created["id"].as_i64().unwrap();
    let off = app
        .send(
            "PATCH",
            &format!("{base}{id}/"),
            Some(&root),
            Some(json!({"enabled": false})),
        )
        .await;
    off.assert_status_is_ok();
    assert_eq!(json(off).await["url"], "https://hooks.example/flags");
    assert_eq!(
        json(app.get(&base, Some(&root)).await)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.send("DELETE", &format!("{base}{id}/"), Some(&root), None)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let eve = app.user("eve@example.com").await;
    app.get(&base, Some(&eve))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn organisation_webhooks_are_managed_by_organisation_admins(app: TestApp) {
    let w = World::new(&app).await;
    let base = format!("/api/v1/organisations/{}/webhooks/", w.org);
    invalid(
        post(&app, &base, &w.admin, json!({"url": "not a url"})).await,
        "url",
        "Enter a valid URL.",
    )
    .await;
    let hook = created(
        post(
            &app,
            &base,
            &w.key,
            json!({"name": "audit", "url": "https://hooks.example/audit", "secret": "s"}),
        )
        .await,
    )
    .await;
    assert_eq!(hook["enabled"], true);
    assert_eq!(hook["name"], "audit");
    let one = format!("{base}{}/", hook["id"]);
    let off = ok(patch(&app, &one, &w.admin, json!({"enabled": false})).await).await;
    assert_eq!(off["enabled"], false);
    assert_eq!(off["url"], "https://hooks.example/audit");
    assert_eq!(ok(get(&app, &one, &w.admin).await).await["enabled"], false);
    // A page, as upstream's.
    let listed = ok(get(&app, &base, &w.admin).await).await;
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["results"].as_array().unwrap().len(), 1);

    // A member who is not an organisation admin may not; another organisation sees nothing.
    let viewer = w.viewer(&app).await;
    get(&app, &base, &viewer)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let other = World::other(&app).await;
    get(&app, &one, &other.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let theirs = format!(
        "/api/v1/organisations/{}/webhooks/{}/",
        other.org, hook["id"]
    );
    get(&app, &theirs, &other.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    delete(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    get(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

/// The deliveries of a webhook, oldest first, as the delivery log lists them.
async fn deliveries(app: &TestApp, path: &str, auth: &str) -> Vec<Value> {
    let page = ok(get(app, &format!("{path}deliveries/"), auth).await).await;
    let mut results = page["results"].as_array().unwrap().clone();
    results.reverse();
    results
}

fn body(delivery: &Value) -> Value {
    serde_json::from_str(delivery["payload"].as_str().unwrap()).unwrap()
}

async fn a_change_writes_its_deliveries_with_it(app: TestApp) {
    let w = World::new(&app).await;
    let features = format!("/api/v1/projects/{}/features/", w.project);
    let feature = created(post(&app, &features, &w.admin, json!({"name": "banner"})).await).await;
    let env_hooks = format!("/api/v1/environments/{}/webhooks/", w.env_key);
    let env_hook = created(
        post(
            &app,
            &env_hooks,
            &w.admin,
            json!({"url": "https://hooks.example/env"}),
        )
        .await,
    )
    .await;
    let env_hook = format!("{env_hooks}{}/", env_hook["id"]);
    let off_hook = created(
        post(
            &app,
            &env_hooks,
            &w.admin,
            json!({"url": "https://hooks.example/off", "enabled": false}),
        )
        .await,
    )
    .await;
    let off_hook = format!("{env_hooks}{}/", off_hook["id"]);
    let org_hooks = format!("/api/v1/organisations/{}/webhooks/", w.org);
    let org_hook = created(
        post(
            &app,
            &org_hooks,
            &w.admin,
            json!({"url": "https://hooks.example/org"}),
        )
        .await,
    )
    .await;
    let org_hook = format!("{org_hooks}{}/", org_hook["id"]);

    let states = format!("/api/v1/environments/{}/featurestates/", w.env_key);
    let listed = ok(get(
        &app,
        &format!("{states}?feature={}", feature["id"]),
        &w.admin,
    )
    .await)
    .await;
    let state = format!("{states}{}/", listed["results"][0]["id"]);
    ok(patch(
        &app,
        &state,
        &w.admin,
        json!({"enabled": true, "feature_state_value": "hi"}),
    )
    .await)
    .await;
    // A write that fails writes no delivery.
    patch(&app, &state, &w.admin, json!({"enabled": "sometimes"}))
        .await
        .assert_status(StatusCode::BAD_REQUEST);

    let sent = deliveries(&app, &env_hook, &w.admin).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0]["event_type"], "FLAG_UPDATED");
    assert_eq!(sent[0]["status"], "pending");
    assert_eq!(sent[0]["attempts"], 0);
    let raw = sent[0]["payload"].as_str().unwrap();
    assert!(
        raw.starts_with(r#"{"data": {"changed_by": "#),
        "keys sorted as Python sorts them: {raw}"
    );
    let data = &body(&sent[0])["data"];
    assert_eq!(data["previous_state"]["enabled"], false);
    assert_eq!(data["new_state"]["enabled"], true);
    assert_eq!(data["new_state"]["feature_state_value"], "hi");
    assert_eq!(data["new_state"]["feature"]["name"], "banner");
    assert_eq!(data["new_state"]["feature"]["project"]["id"], w.project);
    assert_eq!(data["new_state"]["environment"]["id"], w.env_id);
    assert_eq!(data["new_state"]["identity"], Value::Null);
    assert_eq!(data["new_state"]["feature_segment"], Value::Null);
    assert_eq!(data["changed_by"], "admin@example.com");
    assert!(deliveries(&app, &off_hook, &w.admin).await.is_empty());

    // The organisation webhook has the audit entry and the flag change.
    let org_sent = deliveries(&app, &org_hook, &w.admin).await;
    let events: Vec<_> = org_sent.iter().map(|d| d["event_type"].clone()).collect();
    assert_eq!(events, [json!("AUDIT_LOG_CREATED"), json!("FLAG_UPDATED")]);
    let entry = &body(&org_sent[0])["data"];
    assert_eq!(entry["author"]["email"], "admin@example.com");
    assert_eq!(entry["environment"]["id"], w.env_id);
    assert!(entry["log"].as_str().unwrap().len() > 1, "{entry}");

    // Deleting the feature deletes its state: FLAG_DELETED, with no new state.
    delete(&app, &format!("{features}{}/", feature["id"]), &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let sent = deliveries(&app, &env_hook, &w.admin).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1]["event_type"], "FLAG_DELETED");
    let data = &body(&sent[1])["data"];
    assert_eq!(data["new_state"], Value::Null);
    assert_eq!(data["previous_state"]["feature"]["name"], "banner");
}

async fn internal_addresses_are_refused_by_default(app: TestApp) {
    let w = World::new(&app).await;
    let receiver = Receiver::start(&[], 0);
    for url in [
        receiver.url("/ok"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[::1]:9/".to_string(),
    ] {
        let resp = post(
            &app,
            "/api/v1/webhooks/test/",
            &w.admin,
            json!({"webhook_url": url, "scope": {"type": "organisation", "id": w.org}}),
        )
        .await;
        resp.assert_status(StatusCode::BAD_REQUEST);
        let body = json(resp).await;
        assert_eq!(body["status"], Value::Null, "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("refused"),
            "{url}: {body}"
        );
    }
    assert!(receiver.posts().is_empty());
}

async fn test_posts_are_signed_and_follow_no_redirect(app: TestApp) {
    let w = World::new(&app).await;
    let receiver = Receiver::start(&[("/ok", "shh")], 0);
    let test = |url: String, scope: Value, auth: String| {
        let app = &app;
        async move {
            post(
                app,
                "/api/v1/webhooks/test/",
                &auth,
                json!({"webhook_url": url, "scope": scope, "secret": "shh"}),
            )
            .await
        }
    };
    let org = json!({"type": "organisation", "id": w.org});
    let resp = test(receiver.url("/ok"), org.clone(), w.admin.clone()).await;
    resp.assert_status_is_ok();
    assert_eq!(json(resp).await["status"], 200);
    let env = json!({"type": "environment", "id": w.env_key});
    test(receiver.url("/ok"), env, w.key.clone())
        .await
        .assert_status_is_ok();
    let posts = receiver.posts();
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().all(|p| p.signed), "{posts:#?}");
    let first: Value = serde_json::from_str(&posts[0].body).unwrap();
    assert_eq!(first["event_type"], "TEST");

    // A redirect is an answer, not a hop: 302 comes back and /landing is never asked.
    let resp = test(receiver.url("/redirect"), org.clone(), w.admin.clone()).await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(json(resp).await["status"], 302);
    assert!(receiver.posts().iter().all(|p| p.path != "/landing"));

    // Only the scope's admins may; a bad scope names the field.
    let viewer = w.viewer(&app).await;
    test(receiver.url("/ok"), org.clone(), viewer)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    invalid(
        test(
            receiver.url("/ok"),
            json!({"type": "project", "id": 1}),
            w.admin.clone(),
        )
        .await,
        "scope",
        "type must be \"organisation\" or \"environment\".",
    )
    .await;
    invalid(
        test("gopher://x".into(), org, w.admin.clone()).await,
        "webhook_url",
        "Enter a valid URL.",
    )
    .await;
}
