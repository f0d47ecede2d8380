//! `projects/{project}/segments/{id}/members/`: the identities a segment holds by stored traits.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::segments::plan_is;
use super::world::{World, created, get, invalid, ok, post};
use crate::api_on_both_backends;

api_on_both_backends!(
    members_are_the_identities_the_rules_hold,
    members_need_an_environment_of_the_project_and_identity_access,
);

/// Creates the identity with these traits; answers its id.
async fn identity(app: &TestApp, w: &World, identifier: &str, traits: Value) -> i64 {
    let path = format!("/api/v1/environments/{}/identities/", w.env_key);
    let id =
        created(post(app, &path, &w.admin, json!({"identifier": identifier})).await).await["id"]
            .as_i64()
            .unwrap();
    for (key, value) in traits.as_object().unwrap() {
        created(
            post(
                app,
                &format!("{path}{id}/traits/"),
                &w.admin,
                json!({"trait_key": key, "value_type": "unicode", "string_value": value}),
            )
            .await,
        )
        .await;
    }
    id
}

async fn segment(app: &TestApp, w: &World, rules: Value) -> i64 {
    let path = format!("/api/v1/projects/{}/segments/", w.project);
    created(
        post(
            app,
            &path,
            &w.admin,
            json!({"name": "pros", "rules": rules}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

fn members_path(w: &World, segment: i64, env: i64) -> String {
    format!(
        "/api/v1/projects/{}/segments/{segment}/members/?environment={env}",
        w.project
    )
}

fn identifiers(page: &Value) -> Vec<&str> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["identifier"].as_str().unwrap())
        .collect()
}

async fn members_are_the_identities_the_rules_hold(app: TestApp) {
    let w = World::new(&app).await;
    let pros = segment(&app, &w, plan_is("pro")).await;
    let ada = identity(&app, &w, "ada", json!({"plan": "pro"})).await;
    identity(&app, &w, "bob", json!({"plan": "free"})).await;
    identity(&app, &w, "cy", json!({})).await;
    identity(&app, &w, "dee", json!({"plan": "pro", "seats": "3"})).await;

    let page = ok(get(&app, &members_path(&w, pros, w.env_id), &w.admin).await).await;
    assert_eq!(page["count"], 2, "{page}");
    assert_eq!(identifiers(&page), ["ada", "dee"]);
    assert_eq!(
        page["results"][0],
        json!({"id": ada, "identifier": "ada", "environment": w.env_id})
    );

    // Paginated like the identity list.
    let second = ok(get(
        &app,
        &format!("{}&page=2&page_size=1", members_path(&w, pros, w.env_id)),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(identifiers(&second), ["dee"]);
    assert_eq!(second["next"], Value::Null);
    assert!(second["previous"].as_str().unwrap().contains("page=1"));

    // A trait change moves an identity in or out.
    created(
        post(
            &app,
            &format!(
                "/api/v1/environments/{}/identities/{ada}/traits/",
                w.env_key
            ),
            &w.admin,
            json!({"trait_key": "plan", "value_type": "unicode", "string_value": "free"}),
        )
        .await,
    )
    .await;
    let page = ok(get(&app, &members_path(&w, pros, w.env_id), &w.admin).await).await;
    assert_eq!(identifiers(&page), ["dee"]);

    // A split holds some identities by their hash; a rule on a missing trait holds none.
    let nobody = segment(
        &app,
        &w,
        json!([{"type": "ALL", "rules": [], "conditions": [
            {"operator": "IS_SET", "property": "email"}]}]),
    )
    .await;
    let page = ok(get(&app, &members_path(&w, nobody, w.env_id), &w.admin).await).await;
    assert_eq!(page["count"], 0);
}

async fn members_need_an_environment_of_the_project_and_identity_access(app: TestApp) {
    let w = World::new(&app).await;
    let pros = segment(&app, &w, plan_is("pro")).await;
    identity(&app, &w, "ada", json!({"plan": "pro"})).await;
    let base = format!("/api/v1/projects/{}/segments/{pros}/members/", w.project);

    invalid(
        get(&app, &base, &w.admin).await,
        "environment",
        "This field is required.",
    )
    .await;
    invalid(
        get(&app, &format!("{base}?environment=x"), &w.admin).await,
        "environment",
        "A valid integer is required.",
    )
    .await;
    get(&app, &members_path(&w, pros + 100, w.env_id), &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    get(&app, &members_path(&w, pros, w.env_id + 100), &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // An environment of another project of the organisation.
    let other = app
        .project(w.admin.trim_start_matches("Token "), w.org, "Other")
        .await;
    let (other_env, _) = app
        .environment(w.admin.trim_start_matches("Token "), other, "Staging")
        .await;
    invalid(
        get(&app, &members_path(&w, pros, other_env), &w.admin).await,
        "environment",
        "The environment is not in the segment's project.",
    )
    .await;

    // Seeing the project and environment is not enough: identities need VIEW_IDENTITIES.
    let viewer = w
        .member(
            &app,
            "viewer@example.com",
            &["VIEW_PROJECT"],
            &["VIEW_ENVIRONMENT"],
        )
        .await;
    get(&app, &members_path(&w, pros, w.env_id), &viewer)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let reader = w
        .member(
            &app,
            "reader@example.com",
            &["VIEW_PROJECT"],
            &["VIEW_ENVIRONMENT", "VIEW_IDENTITIES"],
        )
        .await;
    let page = ok(get(&app, &members_path(&w, pros, w.env_id), &reader).await).await;
    assert_eq!(identifiers(&page), ["ada"]);
}
