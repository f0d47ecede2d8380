//! Projects through the API: created, read, changed and deleted, and who may see them.

use poem::http::StatusCode;
use serde_json::json;

use super::world::{World, get, ok};
use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    projects_are_created_read_changed_and_deleted,
    project_names_and_settings_are_validated,
    members_need_a_grant_to_see_a_project,
    projects_are_filtered_by_uuid,
);

async fn projects_are_filtered_by_uuid(app: TestApp) {
    let w = World::new(&app).await;
    let token = w.admin.trim_start_matches("Token ");
    app.project(token, w.org, "Other").await;
    let project = ok(get(&app, &format!("/api/v1/projects/{}/", w.project), &w.admin).await).await;
    let uuid = project["uuid"].as_str().unwrap();
    let path = format!("/api/v1/projects/?uuid={uuid}");
    let found = ok(get(&app, &path, &w.admin).await).await;
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["id"], w.project);
    let with_org = format!("{path}&organisation={}", w.org);
    assert_eq!(ok(get(&app, &with_org, &w.admin).await).await, found);
    for nothing in [
        "/api/v1/projects/?uuid=00000000-0000-4000-8000-000000000000".to_string(),
        format!("{path}&organisation=999999"),
    ] {
        assert_eq!(ok(get(&app, &nothing, &w.admin).await).await, json!([]));
    }
    // Those who may not view the project, in the organisation or outside it, get nothing.
    let outsider = w.member(&app, "outsider@example.com", &[], &[]).await;
    let them = World::other(&app).await;
    for auth in [&outsider, &them.admin] {
        assert_eq!(ok(get(&app, &path, auth).await).await, json!([]));
    }
}

async fn projects_are_created_read_changed_and_deleted(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let resp = app
        .post(
            "/api/v1/projects/",
            Some(&root),
            json!({"name": "Web", "organisation": org, "hide_disabled_flags": true}),
        )
        .await;
    resp.assert_status(StatusCode::CREATED);
    let project = json(resp).await;
    assert_eq!(project["hide_disabled_flags"], true);
    assert_eq!(project["organisation"], org);
    assert_eq!(project["only_allow_lower_case_feature_names"], true);
    let id = project["id"].as_i64().unwrap();
    let by_uuid = app
        .get(
            &format!(
                "/api/v1/projects/get-by-uuid/{}/",
                project["uuid"].as_str().unwrap()
            ),
            Some(&root),
        )
        .await;
    assert_eq!(json(by_uuid).await["id"], id);
    let listed = json(
        app.get(
            &format!("/api/v1/projects/?organisation={org}"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "a bare list");
    let of_org = json(
        app.get(
            &format!("/api/v1/organisations/{org}/projects/"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert_eq!(of_org[0]["id"], id);
    let changed = app
        .send(
            "PATCH",
            &format!("/api/v1/projects/{id}/"),
            Some(&root),
            Some(json!({"stale_flags_limit_days": 7})),
        )
        .await;
    changed.assert_status_is_ok();
    assert_eq!(json(changed).await["stale_flags_limit_days"], 7);
    let mine = json(
        app.get(
            &format!("/api/v1/projects/{id}/my-permissions/"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert_eq!(mine["admin"], true);
    assert!(
        mine["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k == "CREATE_FEATURE")
    );
    let keys = json(app.get("/api/v1/projects/permissions/", Some(&root)).await).await;
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .any(|k| k["key"] == "VIEW_PROJECT")
    );
    app.send(
        "DELETE",
        &format!("/api/v1/projects/{id}/"),
        Some(&root),
        None,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    app.get(&format!("/api/v1/projects/{id}/"), Some(&root))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn project_names_and_settings_are_validated(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    app.project(&root, org, "Web").await;
    let twice = app
        .post(
            "/api/v1/projects/",
            Some(&root),
            json!({"name": "Web", "organisation": org}),
        )
        .await;
    twice.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        json(twice).await["non_field_errors"][0],
        "A project with this name already exists."
    );
    let bad_regex = app
        .post(
            "/api/v1/projects/",
            Some(&root),
            json!({"name": "Api", "organisation": org, "feature_name_regex": "(["}),
        )
        .await;
    bad_regex.assert_status(StatusCode::BAD_REQUEST);
    assert!(json(bad_regex).await["feature_name_regex"].is_array());
    let no_org = app
        .post(
            "/api/v1/projects/",
            Some(&root),
            json!({"name": "Api", "organisation": 4242}),
        )
        .await;
    no_org.assert_status(StatusCode::BAD_REQUEST);
    assert!(json(no_org).await["organisation"].is_array());
    let wrong_type = app
        .post(
            "/api/v1/projects/",
            Some(&root),
            json!({"name": "Api", "organisation": "one"}),
        )
        .await;
    wrong_type.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        json(wrong_type).await["organisation"][0],
        "A valid integer is required."
    );
    let projects = json(app.get("/api/v1/projects/", Some(&root)).await).await;
    assert_eq!(projects.as_array().unwrap().len(), 1, "no partial write");
}

async fn members_need_a_grant_to_see_a_project(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let project = app.project(&root, org, "Web").await;
    let ada = app.user("ada@example.com").await;
    let link = json(
        app.post(
            &format!("/api/v1/organisations/{org}/invite-links/"),
            Some(&root),
            json!({}),
        )
        .await,
    )
    .await;
    app.post(
        &format!(
            "/api/v1/users/join/link/{}/",
            link["hash"].as_str().unwrap()
        ),
        Some(&ada),
        json!({}),
    )
    .await
    .assert_status_is_ok();
    assert!(
        json(app.get("/api/v1/projects/", Some(&ada)).await)
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.get(&format!("/api/v1/projects/{project}/"), Some(&ada))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.post(
        "/api/v1/projects/",
        Some(&ada),
        json!({"name": "Hers", "organisation": org}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let ada_id = app.me(&ada).await;
    let grant = app
        .post(
            &format!("/api/v1/projects/{project}/user-permissions/"),
            Some(&root),
            json!({"user": ada_id, "permissions": ["VIEW_PROJECT"]}),
        )
        .await;
    grant.assert_status(StatusCode::CREATED);
    app.get(&format!("/api/v1/projects/{project}/"), Some(&ada))
        .await
        .assert_status_is_ok();
    app.send(
        "PATCH",
        &format!("/api/v1/projects/{project}/"),
        Some(&ada),
        Some(json!({"name": "x"})),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let mine = json(
        app.get(
            &format!("/api/v1/projects/{project}/my-permissions/"),
            Some(&ada),
        )
        .await,
    )
    .await;
    assert_eq!(mine["permissions"], json!(["VIEW_PROJECT"]));
    assert_eq!(mine["admin"], false);
    // Organisation-level CREATE_PROJECT lets her create one, and she administers it.
    app.post(
        &format!("/api/v1/organisations/{org}/user-permissions/"),
        Some(&root),
        json!({"user": ada_id, "permissions": ["CREATE_PROJECT"]}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let hers = app.project(&ada, org, "Hers").await;
    assert_eq!(
        json(
            app.get(
                &format!("/api/v1/projects/{hers}/my-permissions/"),
                Some(&ada)
            )
            .await
        )
        .await["admin"],
        true
    );
}
