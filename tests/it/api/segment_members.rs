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
    the_segment_list_keeps_those_holding_an_identity,
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
    assert_eq!(identifiers(&page), ["ada", "dee"]);
    assert_eq!(
        page,
        json!({"results": [
            {"identifier": "ada", "identity_key": format!("{}_ada", w.env_key),
             "traits": {"plan": "pro"}},
            {"identifier": "dee", "identity_key": format!("{}_dee", w.env_key),
             "traits": {"plan": "pro", "seats": "3"}},
        ], "next_cursor": null})
    );

    // Paged by identifier: the cursor is the last identifier of the page before.
    let first = ok(get(
        &app,
        &format!("{}&limit=1", members_path(&w, pros, w.env_id)),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(identifiers(&first), ["ada"]);
    assert_eq!(first["next_cursor"], "ada");
    let second = ok(get(
        &app,
        &format!("{}&limit=1&cursor=ada", members_path(&w, pros, w.env_id)),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(identifiers(&second), ["dee"]);
    assert_eq!(second["next_cursor"], Value::Null);
    // `q` keeps identifiers containing it, whatever the case.
    let found = ok(get(
        &app,
        &format!("{}&q=DE", members_path(&w, pros, w.env_id)),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(identifiers(&found), ["dee"]);

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
    assert_eq!(page, json!({"results": [], "next_cursor": null}));
    // An identity without traits is answered with null traits.
    let everyone = segment(
        &app,
        &w,
        json!([{"type": "ALL", "rules": [], "conditions": [
            {"operator": "PERCENTAGE_SPLIT", "value": "100"}]}]),
    )
    .await;
    let page = ok(get(&app, &members_path(&w, everyone, w.env_id), &w.admin).await).await;
    assert_eq!(identifiers(&page), ["ada", "bob", "cy", "dee"]);
    assert_eq!(page["results"][2]["traits"], Value::Null);
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
    get(&app, &members_path(&w, pros, other_env), &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    for (query, field, message) in [
        (
            "limit=0",
            "limit",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            "limit=201",
            "limit",
            "Ensure this value is less than or equal to 200.",
        ),
        ("q=%20", "q", "This field may not be blank."),
        ("cursor=", "cursor", "This field may not be blank."),
    ] {
        let path = format!("{}&{query}", members_path(&w, pros, w.env_id));
        invalid(get(&app, &path, &w.admin).await, field, message).await;
    }

    // As upstream: the segments are managed (MANAGE_SEGMENTS), and the identities seen
    // (VIEW_IDENTITIES); either alone is not enough.
    let viewer = w
        .member(
            &app,
            "viewer@example.com",
            &["VIEW_PROJECT", "MANAGE_SEGMENTS"],
            &["VIEW_ENVIRONMENT"],
        )
        .await;
    get(&app, &members_path(&w, pros, w.env_id), &viewer)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let identities_only = w
        .member(
            &app,
            "identities@example.com",
            &["VIEW_PROJECT"],
            &["VIEW_ENVIRONMENT", "VIEW_IDENTITIES"],
        )
        .await;
    get(&app, &members_path(&w, pros, w.env_id), &identities_only)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let reader = w
        .member(
            &app,
            "reader@example.com",
            &["VIEW_PROJECT", "MANAGE_SEGMENTS"],
            &["VIEW_ENVIRONMENT", "VIEW_IDENTITIES"],
        )
        .await;
    let page = ok(get(&app, &members_path(&w, pros, w.env_id), &reader).await).await;
    assert_eq!(identifiers(&page), ["ada"]);
}

async fn the_segment_list_keeps_those_holding_an_identity(app: TestApp) {
    let w = World::new(&app).await;
    let pros = segment(&app, &w, plan_is("pro")).await;
    let frees = segment(&app, &w, plan_is("free")).await;
    let ada = identity(&app, &w, "ada", json!({"plan": "pro"})).await;
    let bob = identity(&app, &w, "bob", json!({})).await;
    let list = |identity: i64| {
        format!(
            "/api/v1/projects/{}/segments/?identity={identity}",
            w.project
        )
    };
    let ids = |page: &Value| -> Vec<i64> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect()
    };
    let page = ok(get(&app, &list(ada), &w.admin).await).await;
    assert_eq!(ids(&page), [pros], "{page}");
    assert_eq!(page["count"], 1);
    let page = ok(get(&app, &list(bob), &w.admin).await).await;
    assert_eq!(page["count"], 0, "{page}");
    let all = ok(get(
        &app,
        &format!("/api/v1/projects/{}/segments/", w.project),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(ids(&all), [pros, frees]);

    // An identity of another project, or none, is not found; one needs VIEW_IDENTITIES.
    let token = w.admin.trim_start_matches("Token ");
    let other = app.project(token, w.org, "Other").await;
    let (_, other_key) = app.environment(token, other, "Staging").await;
    let stranger = created(
        post(
            &app,
            &format!("/api/v1/environments/{other_key}/identities/"),
            &w.admin,
            json!({"identifier": "stranger"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    for id in [stranger, ada + 1000] {
        get(&app, &list(id), &w.admin)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    invalid(
        get(
            &app,
            &format!("/api/v1/projects/{}/segments/?identity=x", w.project),
            &w.admin,
        )
        .await,
        "identity",
        "A valid integer is required.",
    )
    .await;
    let viewer = w
        .member(
            &app,
            "viewer@example.com",
            &["VIEW_PROJECT"],
            &["VIEW_ENVIRONMENT"],
        )
        .await;
    get(&app, &list(ada), &viewer)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}
