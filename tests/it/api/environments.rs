//! Environments through the API: created, listed, changed, cloned, and their server keys.

use poem::http::StatusCode;
use serde_json::json;

use super::world::{World, get, ok};
use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    a_project_lists_the_environments_the_caller_may_view,
    environments_are_created_listed_changed_and_cloned,
    the_project_parameter_is_required,
    server_keys_are_managed_by_environment_admins,
);

async fn environments_are_created_listed_changed_and_cloned(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let project = app.project(&root, org, "Web").await;
    let (id, key) = app.environment(&root, project, "Development").await;
    assert_eq!(key.len(), 22);
    let env = json(
        app.get(&format!("/api/v1/environments/{key}/"), Some(&root))
            .await,
    )
    .await;
    assert_eq!(env["id"], id);
    let by_uuid = app
        .get(
            &format!(
                "/api/v1/environments/get-by-uuid/{}/",
                env["uuid"].as_str().unwrap()
            ),
            Some(&root),
        )
        .await;
    assert_eq!(json(by_uuid).await["api_key"], key.as_str());
    assert_eq!(env["allow_client_traits"], true);
    assert_eq!(env["hide_disabled_flags"], serde_json::Value::Null);
    let twice = app
        .post(
            "/api/v1/environments/",
            Some(&root),
            json!({"name": "Development", "project": project}),
        )
        .await;
    twice.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        json(twice).await["non_field_errors"][0],
        "An environment with this name already exists."
    );
    let changed = app
        .send(
            "PATCH",
            &format!("/api/v1/environments/{key}/"),
            Some(&root),
            Some(json!({"allow_client_traits": false, "hide_disabled_flags": true, "banner_text": "careful"})),
        )
        .await;
    changed.assert_status_is_ok();
    let changed = json(changed).await;
    assert_eq!(
        (
            changed["allow_client_traits"].clone(),
            changed["hide_disabled_flags"].clone()
        ),
        (json!(false), json!(true))
    );
    let cleared = app
        .send(
            "PATCH",
            &format!("/api/v1/environments/{key}/"),
            Some(&root),
            Some(json!({"hide_disabled_flags": null})),
        )
        .await;
    assert_eq!(
        json(cleared).await["hide_disabled_flags"],
        serde_json::Value::Null
    );
    let clone = app
        .post(
            &format!("/api/v1/environments/{key}/clone/"),
            Some(&root),
            json!({"name": "Staging"}),
        )
        .await;
    clone.assert_status_is_ok();
    let clone = json(clone).await;
    assert_eq!(clone["name"], "Staging");
    assert_ne!(clone["api_key"], key.as_str());
    let list = json(
        app.get(
            &format!("/api/v1/environments/?project={project}"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert_eq!(list["count"], 2);
    app.send(
        "DELETE",
        &format!("/api/v1/environments/{key}/"),
        Some(&root),
        None,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    app.get(&format!("/api/v1/environments/{key}/"), Some(&root))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn the_project_parameter_is_required(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    for path in [
        "/api/v1/environments/",
        "/api/v1/environments/?project=abc",
        "/api/v1/environments/?project=999",
    ] {
        let resp = app.get(path, Some(&root)).await;
        resp.assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(
            json(resp).await,
            json!(["Invalid or missing value for project parameter."])
        );
    }
}

async fn server_keys_are_managed_by_environment_admins(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let project = app.project(&root, org, "Web").await;
    let (_, key) = app.environment(&root, project, "Production").await;
    let created = app
        .post(
            &format!("/api/v1/environments/{key}/api-keys/"),
            Some(&root),
            json!({"name": "backend"}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let created = json(created).await;
    assert!(created["key"].as_str().unwrap().starts_with("ser."));
    assert_eq!(created["active"], true);
    let id = created["id"].as_i64().unwrap();
    let listed = json(
        app.get(
            &format!("/api/v1/environments/{key}/api-keys/"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let off = app
        .send(
            "PATCH",
            &format!("/api/v1/environments/{key}/api-keys/{id}/"),
            Some(&root),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(json(off).await["active"], false);
    app.send(
        "DELETE",
        &format!("/api/v1/environments/{key}/api-keys/{id}/"),
        Some(&root),
        None,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    let eve = app.user("eve@example.com").await;
    app.get(&format!("/api/v1/environments/{key}/api-keys/"), Some(&eve))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn a_project_lists_the_environments_the_caller_may_view(app: TestApp) {
    let w = World::new(&app).await;
    let token = w.admin.trim_start_matches("Token ");
    app.environment(token, w.project, "Staging").await;
    let path = format!("/api/v1/projects/{}/environments/", w.project);
    let all = ok(get(&app, &path, &w.admin).await).await;
    let names: Vec<_> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].clone())
        .collect();
    assert_eq!(names, [json!("Production"), json!("Staging")]);
    assert_eq!(all[0]["api_key"], w.env_key.as_str());
    assert_eq!(all[0]["project"], w.project);
    let viewer = w.viewer(&app).await;
    let seen = ok(get(&app, &path, &viewer).await).await;
    assert_eq!(seen.as_array().unwrap().len(), 1, "{seen}");
    assert_eq!(seen[0]["id"], w.env_id);
    let blind = w
        .member(&app, "blind@example.com", &["VIEW_PROJECT"], &[])
        .await;
    assert_eq!(ok(get(&app, &path, &blind).await).await, json!([]));
    let outsider = w.member(&app, "outsider@example.com", &[], &[]).await;
    get(&app, &path, &outsider)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    get(&app, "/api/v1/projects/999999/environments/", &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
}
