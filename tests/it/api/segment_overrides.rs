//! Segment overrides through the API: created, listed, reordered and deleted, limits checked.

use flagstaff::domain::ProjectId;
use flagstaff::domain::audit::{Audit, Author};
use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::feature_states::feature;
use super::segments::plan_is;
use super::world::{World, created, delete, detail, get, invalid, ok, patch, post};
use crate::api_on_both_backends;

api_on_both_backends!(
    overrides_are_created_listed_reordered_and_deleted,
    an_override_can_be_created_in_one_step,
    override_limits_and_feature_specific_segments,
    priorities_are_checked,
    overrides_of_other_organisations_are_not_found,
    overrides_need_manage_segment_overrides,
    a_segment_can_depend_on_another_flag,
);

const FORBIDDEN: &str = "You do not have permission to perform this action.";
const BASE: &str = "/api/v1/features/feature-segments/";

async fn segment(app: &TestApp, w: &World, name: &str) -> i64 {
    segment_with(app, w, json!({"name": name, "rules": plan_is(name)})).await
}

async fn segment_with(app: &TestApp, w: &World, body: Value) -> i64 {
    let path = format!("/api/v1/projects/{}/segments/", w.project);
    created(post(app, &path, &w.admin, body).await).await["id"]
        .as_i64()
        .unwrap()
}

async fn bind(app: &TestApp, w: &World, feature: &Value, segment: i64) -> Value {
    created(
        post(
            app,
            BASE,
            &w.admin,
            json!({"feature": feature["id"], "segment": segment, "environment": w.env_id}),
        )
        .await,
    )
    .await
}

fn list_path(w: &World, feature: &Value) -> String {
    format!("{BASE}?environment={}&feature={}", w.env_id, feature["id"])
}

fn order(list: &Value) -> Vec<(i64, i64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|fs| {
            (
                fs["segment"].as_i64().unwrap(),
                fs["priority"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn overrides_are_created_listed_reordered_and_deleted(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(
        &app,
        &w,
        json!({"name": "checkout", "default_enabled": true, "initial_value": "classic"}),
    )
    .await;
    let (a, b, c) = (
        segment(&app, &w, "alpha").await,
        segment(&app, &w, "beta").await,
        segment(&app, &w, "gamma").await,
    );
    let before = w.tick(&app).await;
    let first = bind(&app, &w, &f, a).await;
    assert_ne!(w.env_updated_at(&app).await, before);
    assert_eq!(first["feature"], f["id"]);
    assert_eq!(first["segment"], a);
    assert_eq!(first["environment"], w.env_id);
    assert_eq!(first["priority"], 0);
    assert!(first["uuid"].is_string() && first["id"].is_i64());
    bind(&app, &w, &f, b).await;
    let third = bind(&app, &w, &f, c).await;
    assert_eq!(third["priority"], 2, "new overrides go last");
    invalid(
        post(
            &app,
            BASE,
            &w.admin,
            json!({"feature": f["id"], "segment": a, "environment": w.env_id}),
        )
        .await,
        "non_field_errors",
        "The fields feature, environment, segment must make a unique set.",
    )
    .await;

    let list = ok(get(&app, &list_path(&w, &f), &w.admin).await).await;
    assert_eq!(list["count"], 3);
    assert_eq!(order(&list["results"]), [(a, 0), (b, 1), (c, 2)]);
    let item = &list["results"][0];
    assert_eq!(item["segment_name"], "alpha");
    assert_eq!(item["is_feature_specific"], false);
    assert_eq!(item["environment"], w.env_id);
    assert_eq!(item["id"], first["id"]);
    assert!(item["uuid"].is_string());
    let missing = get(&app, BASE, &w.admin).await;
    missing.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        super::json(missing).await,
        json!({"environment": ["This field is required."], "feature": ["This field is required."]})
    );

    // The new override's state serves what the default serves until the dashboard writes it.
    let states = format!(
        "/api/v1/features/featurestates/?environment={}&feature_segment={}",
        w.env_id, first["id"]
    );
    let state = ok(get(&app, &states, &w.admin).await).await["results"][0].clone();
    assert_eq!(state["feature_segment"], first["id"]);
    assert_eq!(state["enabled"], true);
    assert_eq!(state["feature_state_value"]["string_value"], "classic");
    let before = w.tick(&app).await;
    let written = created(
        post(
            &app,
            "/api/v1/features/featurestates/",
            &w.admin,
            json!({"feature": f["id"], "environment": w.env_id, "feature_segment": first["id"], "enabled": false,
                   "feature_state_value": {"type": "unicode", "string_value": "express"}}),
        )
        .await,
    )
    .await;
    assert_ne!(w.env_updated_at(&app).await, before);
    assert_eq!(written["id"], state["id"]);
    assert_eq!(written["enabled"], false);
    assert_eq!(written["feature_state_value"]["string_value"], "express");

    // Features seen from the environment count overrides and show a segment's.
    let seen = ok(get(
        &app,
        &format!(
            "/api/v1/projects/{}/features/?environment={}&segment={a}",
            w.project, w.env_id
        ),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(seen["results"][0]["num_segment_overrides"], 3);
    assert_eq!(
        seen["results"][0]["segment_feature_state"]["feature_state_value"],
        "express"
    );
    assert_eq!(
        seen["results"][0]["segment_feature_state"]["feature_segment"],
        first["id"]
    );
    let associated = ok(get(
        &app,
        &format!(
            "/api/v1/projects/{}/segments/{a}/associated-features/",
            w.project
        ),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(
        associated["results"],
        json!([{"id": state["id"], "feature": f["id"], "environment": w.env_id}])
    );

    let reordered = ok(post(
        &app,
        &format!("{BASE}update-priorities/"),
        &w.admin,
        json!([{"id": third["id"], "priority": 0}]),
    )
    .await)
    .await;
    assert_eq!(order(&reordered), [(c, 0), (a, 1), (b, 2)]);
    assert_eq!(reordered[0]["segment_name"], "gamma");

    let before = w.tick(&app).await;
    delete(&app, &format!("{BASE}{}/", first["id"]), &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert_ne!(w.env_updated_at(&app).await, before);
    let list = ok(get(&app, &list_path(&w, &f), &w.admin).await).await;
    assert_eq!(
        order(&list["results"]),
        [(c, 0), (b, 1)],
        "priorities close up"
    );
    delete(&app, &format!("{BASE}{}/", first["id"]), &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let log = w.audit_log(&app).await;
    assert_eq!(
        log[0],
        "Flag state / Remote config value deleted for feature 'checkout' and segment 'alpha'"
    );
    // The store records each override whose priority moved.
    assert_eq!(
        log[1],
        "Segment override priorities updated for feature: checkout in environment: Production"
    );
    for text in [
        "Flag state / Remote config value updated for feature 'checkout' and segment 'alpha'",
        "Segment override created for feature 'checkout' and segment 'gamma'",
    ] {
        assert!(
            log.iter().any(|l| l == text),
            "{text} is missing from {log:?}"
        );
    }
}

async fn an_override_can_be_created_in_one_step(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(
        &app,
        &w,
        json!({"name": "colour", "multivariate_options": [{"string_value": "blue", "default_percentage_allocation": 10}]}),
    )
    .await;
    let option = f["multivariate_options"][0]["id"].clone();
    let (a, b) = (
        segment(&app, &w, "alpha").await,
        segment(&app, &w, "beta").await,
    );
    bind(&app, &w, &f, a).await;
    let path = format!(
        "/api/v1/environments/{}/features/{}/create-segment-override/",
        w.env_key, f["id"]
    );
    let before = w.tick(&app).await;
    let o = created(
        post(
            &app,
            &path,
            &w.admin,
            json!({"enabled": true, "feature_state_value": {"type": "int", "integer_value": 3},
                   "feature_segment": {"segment": b, "priority": 0},
                   "multivariate_feature_state_values": [{"multivariate_feature_option": option, "percentage_allocation": 40}]}),
        )
        .await,
    )
    .await;
    assert_ne!(w.env_updated_at(&app).await, before);
    assert_eq!(o["feature"], f["id"]);
    assert_eq!(o["enabled"], true);
    assert_eq!(o["environment"], w.env_id);
    assert_eq!(o["identity"], json!(null));
    assert_eq!(
        o["feature_state_value"],
        json!({"type": "int", "string_value": null, "integer_value": 3, "boolean_value": null})
    );
    assert_eq!(o["feature_segment"]["segment"], b);
    assert_eq!(o["feature_segment"]["priority"], 0);
    assert!(o["feature_segment"]["id"].is_i64() && o["feature_segment"]["uuid"].is_string());
    assert_eq!(
        o["multivariate_feature_state_values"][0]["percentage_allocation"],
        40.0
    );
    for key in [
        "id",
        "uuid",
        "created_at",
        "updated_at",
        "live_from",
        "deleted_at",
        "change_request",
    ] {
        assert!(o.get(key).is_some(), "{key} is missing");
    }
    let list = ok(get(&app, &list_path(&w, &f), &w.admin).await).await;
    assert_eq!(
        order(&list["results"]),
        [(b, 0), (a, 1)],
        "a given priority moves the others down"
    );

    let c = segment(&app, &w, "gamma").await;
    let with = |body: Value| {
        let (app, w, path) = (&app, &w, path.clone());
        async move { post(app, &path, &w.admin, body).await }
    };
    invalid(
        with(json!({"feature_state_value": {"type": "int", "integer_value": 3}})).await,
        "feature_segment",
        "This field is required.",
    )
    .await;
    invalid(
        with(json!({"feature_state_value": {"type": "number"}, "feature_segment": {"segment": c}}))
            .await,
        "feature_state_value.type",
        "\"number\" is not a valid choice.",
    )
    .await;
    invalid(
        with(json!({"feature_state_value": {}, "feature_segment": {"segment": 999_999}})).await,
        "feature_segment.segment",
        "Invalid pk \"999999\" - object does not exist.",
    )
    .await;
    invalid(
        with(json!({"feature_state_value": {}, "feature_segment": {"segment": c, "priority": -1}}))
            .await,
        "feature_segment.priority",
        "Ensure this value is greater than or equal to 0.",
    )
    .await;
    invalid(
        with(json!({"feature_state_value": {}, "feature_segment": {"segment": c},
                    "multivariate_feature_state_values": [{"multivariate_feature_option": option, "percentage_allocation": 101}]}))
        .await,
        "multivariate_feature_state_values[0].percentage_allocation",
        "Ensure this value is less than or equal to 100.",
    )
    .await;
    invalid(
        with(json!({"feature_state_value": {}, "feature_segment": {"segment": a}})).await,
        "non_field_errors",
        "The fields feature, environment, segment must make a unique set.",
    )
    .await;
    let list = ok(get(&app, &list_path(&w, &f), &w.admin).await).await;
    assert_eq!(list["count"], 2, "refused requests write nothing");
    detail(
        post(
            &app,
            &format!(
                "/api/v1/environments/{}/features/999999/create-segment-override/",
                w.env_key
            ),
            &w.admin,
            json!({"feature_state_value": {}, "feature_segment": {"segment": c}}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
}

async fn override_limits_and_feature_specific_segments(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "checkout"})).await;
    let g = feature(&app, &w, json!({"name": "banner"})).await;
    let own = segment_with(
        &app,
        &w,
        json!({"name": "for banner", "feature": g["id"], "rules": plan_is("x")}),
    )
    .await;
    let message = format!(
        "Can only create segment override(using this segment) for feature {}",
        g["id"]
    );
    invalid(
        post(
            &app,
            BASE,
            &w.admin,
            json!({"feature": f["id"], "segment": own, "environment": w.env_id}),
        )
        .await,
        "feature",
        &message,
    )
    .await;
    let path = format!(
        "/api/v1/environments/{}/features/{}/create-segment-override/",
        w.env_key, f["id"]
    );
    invalid(
        post(
            &app,
            &path,
            &w.admin,
            json!({"feature_state_value": {}, "feature_segment": {"segment": own}}),
        )
        .await,
        "feature_segment.segment",
        &message,
    )
    .await;
    let fs = bind(&app, &w, &g, own).await;
    let list = ok(get(&app, &list_path(&w, &g), &w.admin).await).await;
    assert_eq!(list["results"][0]["is_feature_specific"], true);
    assert_eq!(list["results"][0]["id"], fs["id"]);

    // The project's override limit counts the segments overridden in the environment.
    let project = app.store.project(ProjectId(w.project)).await.unwrap();
    let mut settings = project.settings.clone();
    settings.max_segment_overrides_allowed = 1;
    app.store
        .update_project(project.id, &settings, &Audit::new(Author::System, "limit"))
        .await
        .unwrap();
    let other = segment(&app, &w, "other").await;
    let limit = "The environment has reached the maximum allowed segments overrides limit.";
    invalid(
        post(
            &app,
            BASE,
            &w.admin,
            json!({"feature": f["id"], "segment": other, "environment": w.env_id}),
        )
        .await,
        "environment",
        limit,
    )
    .await;
    invalid(
        post(
            &app,
            &path,
            &w.admin,
            json!({"feature_state_value": {}, "feature_segment": {"segment": other}}),
        )
        .await,
        "environment",
        limit,
    )
    .await;
    invalid(
        post(
            &app,
            BASE,
            &w.admin,
            json!({"feature": f["id"], "segment": 999_999, "environment": w.env_id}),
        )
        .await,
        "segment",
        "Invalid pk \"999999\" - object does not exist.",
    )
    .await;
    invalid(
        post(
            &app,
            BASE,
            &w.admin,
            json!({"feature": f["id"], "segment": other}),
        )
        .await,
        "environment",
        "This field is required.",
    )
    .await;
}

async fn priorities_are_checked(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "checkout"})).await;
    let g = feature(&app, &w, json!({"name": "banner"})).await;
    let (a, b) = (
        segment(&app, &w, "alpha").await,
        segment(&app, &w, "beta").await,
    );
    let fa = bind(&app, &w, &f, a).await;
    let fb = bind(&app, &w, &f, b).await;
    let ga = bind(&app, &w, &g, a).await;
    let path = format!("{BASE}update-priorities/");
    assert_eq!(
        ok(post(&app, &path, &w.admin, json!([])).await).await,
        json!([])
    );
    invalid(
        post(
            &app,
            &path,
            &w.admin,
            json!([{"id": 999_999, "priority": 0}]),
        )
        .await,
        "non_field_errors",
        "Some of the provided ids were not found.",
    )
    .await;
    invalid(
        post(
            &app,
            &path,
            &w.admin,
            json!([{"id": fa["id"], "priority": 1}, {"id": ga["id"], "priority": 0}]),
        )
        .await,
        "non_field_errors",
        "All feature segments must belong to the same feature & environment.",
    )
    .await;
    invalid(
        post(
            &app,
            &path,
            &w.admin,
            json!([{"id": fa["id"], "priority": -1}]),
        )
        .await,
        "[0].priority",
        "Ensure this value is greater than or equal to 0.",
    )
    .await;
    let swapped = ok(post(
        &app,
        &path,
        &w.admin,
        json!([{"id": fa["id"], "priority": 1}, {"id": fb["id"], "priority": 0}]),
    )
    .await)
    .await;
    assert_eq!(order(&swapped), [(b, 0), (a, 1)]);
}

async fn overrides_of_other_organisations_are_not_found(app: TestApp) {
    let w = World::new(&app).await;
    let other = World::other(&app).await;
    let theirs = feature(&app, &other, json!({"name": "theirs"})).await;
    let their_segment = segment(&app, &other, "secret").await;
    let fs = bind(&app, &other, &theirs, their_segment).await;
    detail(
        get(&app, &list_path(&other, &theirs), &w.admin).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    detail(
        delete(&app, &format!("{BASE}{}/", fs["id"]), &w.admin).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    invalid(
        post(
            &app,
            BASE,
            &w.admin,
            json!({"feature": theirs["id"], "segment": their_segment, "environment": other.env_id}),
        )
        .await,
        "environment",
        &format!("Invalid pk \"{}\" - object does not exist.", other.env_id),
    )
    .await;
    invalid(
        post(
            &app,
            &format!("{BASE}update-priorities/"),
            &w.admin,
            json!([{"id": fs["id"], "priority": 0}]),
        )
        .await,
        "non_field_errors",
        "Some of the provided ids were not found.",
    )
    .await;
    let theirs_path = format!(
        "/api/v1/environments/{}/features/{}/create-segment-override/",
        other.env_key, theirs["id"]
    );
    let body = json!({"feature_state_value": {}, "feature_segment": {"segment": their_segment}});
    detail(
        post(&app, &theirs_path, &w.admin, body.clone()).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    // Their feature and segment through our environment.
    let ours_path = format!(
        "/api/v1/environments/{}/features/{}/create-segment-override/",
        w.env_key, theirs["id"]
    );
    detail(
        post(&app, &ours_path, &w.admin, body).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    let mine = feature(&app, &w, json!({"name": "mine"})).await;
    invalid(
        post(
            &app,
            BASE,
            &w.admin,
            json!({"feature": mine["id"], "segment": their_segment, "environment": w.env_id}),
        )
        .await,
        "segment",
        &format!("Invalid pk \"{their_segment}\" - object does not exist."),
    )
    .await;
    assert_eq!(
        ok(get(&app, &list_path(&other, &theirs), &other.admin).await).await["count"],
        1
    );
}

async fn overrides_need_manage_segment_overrides(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "checkout"})).await;
    let (a, b) = (
        segment(&app, &w, "alpha").await,
        segment(&app, &w, "beta").await,
    );
    let fs = bind(&app, &w, &f, a).await;
    let path = format!(
        "/api/v1/environments/{}/features/{}/create-segment-override/",
        w.env_key, f["id"]
    );
    let viewer = w.viewer(&app).await;
    ok(get(&app, &list_path(&w, &f), &viewer).await).await;
    for resp in [
        post(
            &app,
            BASE,
            &viewer,
            json!({"feature": f["id"], "segment": b, "environment": w.env_id}),
        )
        .await,
        delete(&app, &format!("{BASE}{}/", fs["id"]), &viewer).await,
        post(
            &app,
            &format!("{BASE}update-priorities/"),
            &viewer,
            json!([{"id": fs["id"], "priority": 0}]),
        )
        .await,
        post(
            &app,
            &path,
            &viewer,
            json!({"feature_state_value": {}, "feature_segment": {"segment": b}}),
        )
        .await,
    ] {
        detail(resp, StatusCode::FORBIDDEN, FORBIDDEN).await;
    }
    let manager = w
        .member(
            &app,
            "manager@example.com",
            &["VIEW_PROJECT"],
            &["VIEW_ENVIRONMENT", "MANAGE_SEGMENT_OVERRIDES"],
        )
        .await;
    created(
        post(
            &app,
            &path,
            &manager,
            json!({"feature_state_value": {}, "feature_segment": {"segment": b}}),
        )
        .await,
    )
    .await;
    ok(post(
        &app,
        &format!("{BASE}update-priorities/"),
        &manager,
        json!([{"id": fs["id"], "priority": 1}]),
    )
    .await)
    .await;
    // Managing overrides includes writing their states, but not environment defaults.
    let states = ok(get(
        &app,
        &format!("/api/v1/features/featurestates/?environment={}", w.env_id),
        &manager,
    )
    .await)
    .await;
    let results = states["results"].as_array().unwrap();
    let override_state = results
        .iter()
        .find(|s| s["feature_segment"] == fs["id"])
        .unwrap();
    let default_state = results
        .iter()
        .find(|s| s["feature_segment"].is_null())
        .unwrap();
    ok(patch(
        &app,
        &format!("/api/v1/features/featurestates/{}/", override_state["id"]),
        &manager,
        json!({"enabled": true}),
    )
    .await)
    .await;
    detail(
        patch(
            &app,
            &format!("/api/v1/features/featurestates/{}/", default_state["id"]),
            &manager,
            json!({"enabled": true}),
        )
        .await,
        StatusCode::FORBIDDEN,
        FORBIDDEN,
    )
    .await;
    delete(&app, &format!("{BASE}{}/", fs["id"]), &manager)
        .await
        .assert_status(StatusCode::NO_CONTENT);
}

/// What an SDK's identity gets for `name`: (enabled, value).
async fn identity_flag(app: &TestApp, w: &World, plan: &str, name: &str) -> (Value, Value) {
    let body = json!({"identifier": format!("{plan}-user"),
                      "traits": [{"trait_key": "plan", "trait_value": plan}]});
    let resp = app
        .sdk("POST", "/api/v1/identities/", &w.env_key, Some(body))
        .await;
    resp.assert_status_is_ok();
    let body = super::json(resp).await;
    let flag = body["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"]["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no flag {name} in {body}"));
    (flag["enabled"].clone(), flag["feature_state_value"].clone())
}

async fn a_segment_can_depend_on_another_flag(app: TestApp) {
    let w = World::new(&app).await;
    let checkout = feature(&app, &w, json!({"name": "checkout"})).await;
    let banner = feature(&app, &w, json!({"name": "banner", "initial_value": "old"})).await;
    // Pro users get the new checkout; whoever has it gets the new banner.
    bind(&app, &w, &checkout, segment(&app, &w, "pro").await).await;
    let override_path = |f: &Value| {
        format!(
            "/api/v1/environments/{}/features/{}/create-segment-override/",
            w.env_key, f["id"]
        )
    };
    let checkout_users = segment_with(
        &app,
        &w,
        json!({"name": "checkout users", "rules": [{"type": "ALL", "rules": [{"type": "ANY",
            "conditions": [{"property": "$.flags.checkout.enabled", "operator": "EQUAL",
                            "value": "true"}]}]}]}),
    )
    .await;
    created(
        post(
            &app,
            &override_path(&banner),
            &w.admin,
            json!({"enabled": true, "feature_state_value": {"type": "unicode", "string_value": "new"},
                   "feature_segment": {"segment": checkout_users}}),
        )
        .await,
    )
    .await;
    // The segment override of checkout made by `bind` is disabled: turn it on.
    let list = ok(get(&app, &list_path(&w, &checkout), &w.admin).await).await;
    let feature_segment = list["results"][0]["id"].clone();
    let states = ok(get(
        &app,
        &format!(
            "/api/v1/features/featurestates/?environment={}&feature={}&feature_segment={}",
            w.env_id, checkout["id"], feature_segment
        ),
        &w.admin,
    )
    .await)
    .await;
    let state = states["results"][0]["id"].clone();
    ok(patch(
        &app,
        &format!("/api/v1/features/featurestates/{state}/"),
        &w.admin,
        json!({"enabled": true}),
    )
    .await)
    .await;
    assert_eq!(
        identity_flag(&app, &w, "pro", "checkout").await.0,
        json!(true)
    );
    assert_eq!(
        identity_flag(&app, &w, "pro", "banner").await,
        (json!(true), json!("new")),
        "the banner follows the checkout flag the pro segment turned on"
    );
    assert_eq!(
        identity_flag(&app, &w, "free", "banner").await,
        (json!(false), json!("old"))
    );
    // An identity's own override of checkout counts too, as in the SDKs' local evaluation
    // (where identity overrides are a segment with the strongest priority).
    let vip = super::identity_overrides::identity(&app, &w, "vip").await;
    created(
        post(
            &app,
            &format!(
                "/api/v1/environments/{}/identities/{vip}/featurestates/",
                w.env_key
            ),
            &w.admin,
            json!({"feature": checkout["id"], "enabled": true, "feature_state_value": null}),
        )
        .await,
    )
    .await;
    let banner = super::identity_overrides::sdk_flag(&app, &w, "vip", "banner").await;
    assert_eq!(
        (&banner["enabled"], &banner["feature_state_value"]),
        (&json!(true), &json!("new")),
        "vip has checkout by its own override, so it gets the new banner"
    );
}
