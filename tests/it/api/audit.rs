use poem::http::StatusCode;
use serde_json::json;

use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(changes_are_in_the_project_log_with_their_author_and_details);

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
