//! The audit log through the API: each change with its author and details, old entries too.

use flagstaff::domain::audit::AuditQuery;
use flagstaff::domain::{OrganisationId, PageRequest};
use poem::http::StatusCode;
use serde_json::json;

use super::world::{World, get, ok, patch};
use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    changes_are_in_the_project_log_with_their_author_and_details,
    legacy_entries_are_read_as_their_project_log_is,
    without_a_project_the_log_is_of_the_organisations_administered,
);

/// The id of the newest entry of a log.
async fn newest(app: &TestApp, w: &World, log: &str) -> i64 {
    ok(get(app, log, &w.admin).await).await["results"][0]["id"]
        .as_i64()
        .unwrap()
}

async fn legacy_entries_are_read_as_their_project_log_is(app: TestApp) {
    let w = World::new(&app).await;
    let project_log = format!("/api/v1/projects/{}/audit/", w.project);
    let in_project = newest(&app, &w, &project_log).await;
    let path = format!("/api/v1/audit/{in_project}/");
    let expected = ok(get(&app, &format!("{project_log}{in_project}/"), &w.admin).await).await;
    assert_eq!(ok(get(&app, &path, &w.admin).await).await, expected);
    get(&app, "/api/v1/audit/999999/", &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // A project's entry needs VIEW_AUDIT_LOG on the project.
    let viewer = w.viewer(&app).await;
    get(&app, &path, &viewer)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let auditor = w
        .member(
            &app,
            "auditor@example.com",
            &["VIEW_PROJECT", "VIEW_AUDIT_LOG"],
            &[],
        )
        .await;
    assert_eq!(ok(get(&app, &path, &auditor).await).await, expected);
    // An entry about no project (the organisation renamed) is recorded but in no log, as
    // upstream's logs show only what happened in projects.
    let org = format!("/api/v1/organisations/{}/", w.org);
    ok(patch(&app, &org, &w.admin, json!({"name": "Acme Two"})).await).await;
    assert_eq!(newest(&app, &w, &format!("{org}audit/")).await, in_project);
    let renamed = app
        .store
        .audit_entries(
            &AuditQuery {
                organisation_id: Some(OrganisationId(w.org)),
                ..AuditQuery::default()
            },
            PageRequest::all(),
        )
        .await
        .unwrap()
        .items[0]
        .clone();
    assert!(renamed.project_id.is_none(), "{renamed:?}");
    for log in [format!("{org}audit/"), "/api/v1/audit/".to_string()] {
        get(&app, &format!("{log}{}/", renamed.id.0), &w.admin)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    let them = World::other(&app).await;
    get(&app, &path, &them.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn without_a_project_the_log_is_of_the_organisations_administered(app: TestApp) {
    let w = World::new(&app).await;
    let them = World::other(&app).await;
    let project_log = format!("/api/v1/projects/{}/audit/", w.project);
    let ours = ok(get(&app, &project_log, &w.admin).await).await;
    let all = ok(get(&app, "/api/v1/audit/", &w.admin).await).await;
    assert_eq!(all["count"], ours["count"], "{all}");
    assert_eq!(all["results"], ours["results"]);
    // Theirs holds only their own organisation's entries.
    let theirs = ok(get(&app, "/api/v1/audit/", &them.admin).await).await;
    assert!(theirs["count"].as_i64().unwrap() > 0);
    for entry in theirs["results"].as_array().unwrap() {
        assert_ne!(entry["project"]["id"], w.project, "{entry}");
    }
    // A member who administers no organisation sees nothing, even with VIEW_AUDIT_LOG.
    let auditor = w
        .member(
            &app,
            "auditor@example.com",
            &["VIEW_PROJECT", "VIEW_AUDIT_LOG"],
            &[],
        )
        .await;
    let none = ok(get(&app, "/api/v1/audit/", &auditor).await).await;
    assert_eq!(none["count"], 0, "{none}");
    assert!(ok(get(&app, &project_log, &auditor).await).await["count"].as_i64() > Some(0));
}

async fn changes_are_in_the_project_log_with_their_author_and_details(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let project = app.project(&root, org, "Web").await;
    let (env_id, key) = app.environment(&root, project, "Production").await;
    app.send(
        "PATCH",
        &format!("/api/v1/environments/{key}/"),
        Some(&root),
        Some(json!({"allow_client_traits": false})),
    )
    .await
    .assert_status_is_ok();
    let log = json(
        app.get(&format!("/api/v1/projects/{project}/audit/"), Some(&root))
            .await,
    )
    .await;
    let entries = log["results"].as_array().unwrap();
    assert_eq!(log["count"], 3, "{log}");
    let newest = &entries[0];
    assert_eq!(newest["log"], "Environment updated: Production");
    assert_eq!(newest["author"]["email"], "root@example.com");
    assert_eq!(newest["environment"]["id"], env_id);
    assert_eq!(newest["project"]["id"], project);
    assert_eq!(newest["change_type"], "UPDATE");
    assert_eq!(newest["change_details"][0]["field"], "allow_client_traits");
    let id = newest["id"].as_i64().unwrap();
    let one = json(
        app.get(
            &format!("/api/v1/projects/{project}/audit/{id}/"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert_eq!(one["id"], id);
    let filtered = json(
        app.get(
            &format!("/api/v1/projects/{project}/audit/?search=updated"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert_eq!(filtered["count"], 1);
    let by_env = json(
        app.get(
            &format!("/api/v1/projects/{project}/audit/?environments={env_id}"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert_eq!(by_env["count"], 2);
    let legacy = json(
        app.get(&format!("/api/v1/audit/?project={project}"), Some(&root))
            .await,
    )
    .await;
    assert_eq!(legacy["count"], 3);
    let eve = app.user("eve@example.com").await;
    app.get(&format!("/api/v1/projects/{project}/audit/"), Some(&eve))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}
