//! Feature states through the API: defaults read and changed, values typed and limited.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::world::{World, created, delete, detail, get, invalid, ok, patch, post, put};
use crate::api_on_both_backends;

api_on_both_backends!(
    environment_defaults_are_listed_read_and_changed,
    sdk_requests_see_flag_changes_at_once,
    raw_values_are_typed_and_limited,
    multivariate_shares_are_checked,
    identity_overrides_through_environment_states,
    generic_feature_states_use_typed_values,
    feature_states_of_other_organisations_are_not_found,
    changing_states_needs_update_feature_state,
);

const FORBIDDEN: &str = "You do not have permission to perform this action.";

pub async fn feature(app: &TestApp, w: &World, body: Value) -> Value {
    let path = format!("/api/v1/projects/{}/features/", w.project);
    created(post(app, &path, &w.admin, body).await).await
}

fn states(w: &World) -> String {
    format!("/api/v1/environments/{}/featurestates/", w.env_key)
}

/// The environment default of a feature.
async fn default_state(app: &TestApp, w: &World, feature: &Value) -> Value {
    let list = ok(get(
        app,
        &format!("{}?feature={}", states(w), feature["id"]),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(list["count"], 1);
    list["results"][0].clone()
}

async fn identity(app: &TestApp, w: &World, identifier: &str) -> i64 {
    let path = format!("/api/v1/environments/{}/identities/", w.env_key);
    created(post(app, &path, &w.admin, json!({"identifier": identifier})).await).await["id"]
        .as_i64()
        .unwrap()
}

async fn environment_defaults_are_listed_read_and_changed(app: TestApp) {
    let w = World::new(&app).await;
    let checkout = feature(
        &app,
        &w,
        json!({"name": "checkout", "default_enabled": true, "initial_value": 42}),
    )
    .await;
    feature(
        &app,
        &w,
        json!({"name": "banner", "initial_value": "hello"}),
    )
    .await;
    let list = ok(get(&app, &states(&w), &w.admin).await).await;
    assert_eq!(list["count"], 2);
    let state = &list["results"][0];
    assert_eq!(state["feature"], checkout["id"]);
    assert_eq!(state["feature_state_value"], 42);
    assert_eq!(state["enabled"], true);
    assert_eq!(state["environment"], w.env_id);
    assert_eq!(state["identity"], json!(null));
    assert_eq!(state["feature_segment"], json!(null));
    assert_eq!(state["multivariate_feature_state_values"], json!([]));
    assert_eq!(state["deleted_at"], json!(null));
    assert_eq!(state["version"], 1);
    assert_eq!(state["change_request"], json!(null));
    assert_eq!(state["environment_feature_version"], json!(null));
    assert!(
        state["uuid"].is_string()
            && state["created_at"].is_string()
            && state["live_from"].is_string()
    );
    let by_name = ok(get(
        &app,
        &format!("{}?feature_name=BANNER", states(&w)),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(by_name["count"], 1);
    assert_eq!(by_name["results"][0]["feature_state_value"], "hello");

    let one = format!("{}{}/", states(&w), state["id"]);
    let read = ok(get(&app, &one, &w.admin).await).await;
    assert_eq!(read, *state);

    let before = w.tick(&app).await;
    let changed = ok(put(
        &app,
        &one,
        &w.admin,
        json!({"enabled": false, "feature_state_value": "blue"}),
    )
    .await)
    .await;
    assert_ne!(
        w.env_updated_at(&app).await,
        before,
        "a flag change moves updated_at"
    );
    assert_eq!(changed["enabled"], false);
    assert_eq!(changed["feature_state_value"], "blue");
    assert_eq!(changed["id"], state["id"]);

    let toggled = ok(patch(&app, &one, &w.admin, json!({"enabled": true})).await).await;
    assert_eq!(
        toggled,
        json!({"feature": checkout["id"], "enabled": true}),
        "PATCH answers only these"
    );
    let read = ok(get(&app, &one, &w.admin).await).await;
    assert_eq!(
        read["feature_state_value"], "blue",
        "a PATCH keeps what it does not name"
    );

    // The feature list sees the change too.
    let seen = ok(get(
        &app,
        &format!(
            "/api/v1/projects/{}/features/{}/?environment={}",
            w.project, checkout["id"], w.env_id
        ),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(
        seen["environment_feature_state"]["feature_state_value"],
        "blue"
    );

    let log = w.audit_log(&app).await;
    assert_eq!(
        &log[..2],
        [
            "Flag state / Remote Config value updated for feature: checkout",
            "Flag state / Remote Config value updated for feature: checkout",
        ]
    );
    detail(
        delete(&app, &one, &w.admin).await,
        StatusCode::BAD_REQUEST,
        "An environment default cannot be deleted; delete the feature instead.",
    )
    .await;
}

/// The SDK's view of one flag: (enabled, value).
async fn served(app: &TestApp, w: &World, name: &str) -> (Value, Value) {
    let flags = super::json(app.sdk("GET", "/api/v1/flags/", &w.env_key, None).await).await;
    let flag = flags
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"]["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} is not served: {flags}"));
    (flag["enabled"].clone(), flag["feature_state_value"].clone())
}

async fn sdk_requests_see_flag_changes_at_once(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(
        &app,
        &w,
        json!({"name": "checkout", "initial_value": "classic"}),
    )
    .await;
    assert_eq!(
        served(&app, &w, "checkout").await,
        (json!(false), json!("classic"))
    );
    let one = format!("{}{}/", states(&w), default_state(&app, &w, &f).await["id"]);
    ok(put(
        &app,
        &one,
        &w.admin,
        json!({"enabled": true, "feature_state_value": "express"}),
    )
    .await)
    .await;
    assert_eq!(
        served(&app, &w, "checkout").await,
        (json!(true), json!("express"))
    );
    ok(patch(
        &app,
        &format!(
            "/api/v1/features/featurestates/{}/",
            default_state(&app, &w, &f).await["id"]
        ),
        &w.admin,
        json!({"enabled": false}),
    )
    .await)
    .await;
    assert_eq!(
        served(&app, &w, "checkout").await,
        (json!(false), json!("express"))
    );
    ok(patch(
        &app,
        &format!("/api/v1/projects/{}/features/{}/", w.project, f["id"]),
        &w.admin,
        json!({"is_archived": true}),
    )
    .await)
    .await;
    delete(
        &app,
        &format!("/api/v1/projects/{}/features/{}/", w.project, f["id"]),
        &w.admin,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    let flags = super::json(app.sdk("GET", "/api/v1/flags/", &w.env_key, None).await).await;
    assert_eq!(flags, json!([]), "a deleted feature is gone at once");
}

async fn raw_values_are_typed_and_limited(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "setting"})).await;
    let one = format!("{}{}/", states(&w), default_state(&app, &w, &f).await["id"]);
    let cases = [
        (json!(true), json!(true)),
        (json!(7), json!(7)),
        (json!(-7), json!(-7)),
        (json!(1.5), json!("1.5")),
        (json!("text"), json!("text")),
        (json!(""), json!("")),
        (json!({"a": 1}), json!("{\"a\":1}")),
        (json!(null), json!(null)),
    ];
    for (sent, served) in cases {
        let state = ok(put(&app, &one, &w.admin, json!({"feature_state_value": sent})).await).await;
        assert_eq!(state["feature_state_value"], served, "{sent}");
    }
    invalid(
        put(
            &app,
            &one,
            &w.admin,
            json!({"feature_state_value": 2_147_483_648_i64}),
        )
        .await,
        "integer_value",
        "Ensure this value is less than or equal to 2147483647.",
    )
    .await;
    invalid(
        put(
            &app,
            &one,
            &w.admin,
            json!({"feature_state_value": "v".repeat(20_001)}),
        )
        .await,
        "string_value",
        "Ensure this field has no more than 20000 characters.",
    )
    .await;
    invalid(
        put(&app, &one, &w.admin, json!({"enabled": "sometimes"})).await,
        "enabled",
        "Must be a valid boolean.",
    )
    .await;
    invalid(
        put(&app, &one, &w.admin, json!({"feature": 999_999})).await,
        "feature",
        "Cannot change the feature of a feature state",
    )
    .await;
    let state = ok(get(&app, &one, &w.admin).await).await;
    assert_eq!(
        state["feature_state_value"],
        json!(null),
        "refused changes write nothing"
    );
}

async fn multivariate_shares_are_checked(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(
        &app,
        &w,
        json!({"name": "colour", "initial_value": "red", "multivariate_options": [
            {"string_value": "blue", "default_percentage_allocation": 30},
            {"string_value": "green", "default_percentage_allocation": 20}
        ]}),
    )
    .await;
    let (blue, green) = (
        f["multivariate_options"][0]["id"].clone(),
        f["multivariate_options"][1]["id"].clone(),
    );
    let state = default_state(&app, &w, &f).await;
    let shares = state["multivariate_feature_state_values"]
        .as_array()
        .unwrap();
    assert_eq!(
        shares.len(),
        2,
        "environment defaults get every option's default share"
    );
    assert_eq!(shares[0]["multivariate_feature_option"], blue);
    assert_eq!(shares[0]["percentage_allocation"], 30.0);
    assert!(shares[0]["id"].is_i64());

    let one = format!("{}{}/", states(&w), state["id"]);
    let changed = ok(put(
        &app,
        &one,
        &w.admin,
        json!({"multivariate_feature_state_values": [{"multivariate_feature_option": blue, "percentage_allocation": 50}]}),
    )
    .await)
    .await;
    let shares = changed["multivariate_feature_state_values"]
        .as_array()
        .unwrap();
    assert_eq!(shares[0]["percentage_allocation"], 50.0);
    assert_eq!(
        shares[1]["percentage_allocation"], 20.0,
        "shares not named are kept"
    );
    let resp = put(
        &app,
        &one,
        &w.admin,
        json!({"multivariate_feature_state_values": [{"multivariate_feature_option": green, "percentage_allocation": 60}]}),
    )
    .await;
    invalid(
        resp,
        "non_field_errors",
        "Multivariate percentage values exceed 100%.",
    )
    .await;
    invalid(
        put(&app, &one, &w.admin, json!({"multivariate_feature_state_values": [{"multivariate_feature_option": 999_999, "percentage_allocation": 1}]})).await,
        "multivariate_feature_state_values[0].multivariate_feature_option",
        "Invalid pk \"999999\" - object does not exist.",
    )
    .await;
    invalid(
        put(&app, &one, &w.admin, json!({"multivariate_feature_state_values": [{"multivariate_feature_option": blue, "percentage_allocation": 101}]})).await,
        "multivariate_feature_state_values[0].percentage_allocation",
        "Ensure this value is less than or equal to 100.",
    )
    .await;
    let state = ok(get(&app, &one, &w.admin).await).await;
    assert_eq!(
        state["multivariate_feature_state_values"][1]["percentage_allocation"],
        20.0
    );
}

async fn identity_overrides_through_environment_states(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "checkout"})).await;
    let ada = identity(&app, &w, "ada").await;
    detail(
        post(&app, &states(&w), &w.admin, json!({"enabled": true})).await,
        StatusCode::BAD_REQUEST,
        "Feature not provided",
    )
    .await;
    invalid(
        post(
            &app,
            &states(&w),
            &w.admin,
            json!({"feature": f["id"], "enabled": true}),
        )
        .await,
        "non_field_errors",
        "Feature state already exists.",
    )
    .await;
    invalid(
        post(
            &app,
            &states(&w),
            &w.admin,
            json!({"feature": f["id"], "identifier": "nobody"}),
        )
        .await,
        "non_field_errors",
        "Invalid identifier",
    )
    .await;
    let before = w.tick(&app).await;
    let state = created(
        post(&app, &states(&w), &w.admin, json!({"feature": f["id"], "enabled": true, "feature_state_value": 5, "identifier": "ada"})).await,
    )
    .await;
    assert_ne!(w.env_updated_at(&app).await, before);
    assert_eq!(state["identity"], ada);
    assert_eq!(state["feature_state_value"], 5);
    assert_eq!(state["enabled"], true);
    invalid(
        post(
            &app,
            &states(&w),
            &w.admin,
            json!({"feature": f["id"], "identity": ada}),
        )
        .await,
        "non_field_errors",
        "Feature state already exists.",
    )
    .await;

    let overrides = ok(get(&app, &format!("{}?anyIdentity=1", states(&w)), &w.admin).await).await;
    assert_eq!(overrides["count"], 1);
    assert_eq!(
        overrides["results"][0]["identity"],
        json!({"id": ada, "identifier": "ada"})
    );
    let defaults = ok(get(&app, &states(&w), &w.admin).await).await;
    assert_eq!(defaults["count"], 1, "identity overrides are not defaults");

    let one = format!("{}{}/", states(&w), state["id"]);
    get(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let any = format!("{one}?anyIdentity=true");
    assert_eq!(ok(get(&app, &any, &w.admin).await).await["identity"], ada);
    let changed = ok(put(&app, &any, &w.admin, json!({"feature_state_value": "six"})).await).await;
    assert_eq!(changed["feature_state_value"], "six");
    delete(&app, &any, &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    get(&app, &any, &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let log = w.audit_log(&app).await;
    assert_eq!(
        &log[..3],
        [
            "Flag state / Remote config value deleted for feature 'checkout' and identity 'ada'",
            "Flag state / Remote config value updated for feature 'checkout' and identity 'ada'",
            "Flag state / Remote config value updated for feature 'checkout' and identity 'ada'",
        ]
    );
}

async fn generic_feature_states_use_typed_values(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "limit", "initial_value": 10})).await;
    identity(&app, &w, "ada").await;
    let base = "/api/v1/features/featurestates/";
    let missing = get(&app, base, &w.admin).await;
    missing.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        super::json(missing).await,
        json!(["'environment' GET parameter is required."])
    );

    let created_state = created(
        post(
            &app,
            base,
            &w.admin,
            json!({"feature": f["id"], "environment": w.env_id, "identifier": "ada", "enabled": true,
                   "feature_state_value": {"type": "int", "integer_value": 11}}),
        )
        .await,
    )
    .await;
    assert_eq!(
        created_state["feature_state_value"],
        json!({"type": "int", "string_value": null, "integer_value": 11, "boolean_value": null})
    );
    assert_eq!(created_state["environment"], w.env_id);

    let all = ok(get(&app, &format!("{base}?environment={}", w.env_id), &w.admin).await).await;
    assert_eq!(all["count"], 2, "defaults and overrides alike");
    let default = &all["results"][0];
    assert_eq!(default["feature_state_value"]["integer_value"], 10);
    assert_eq!(default["identity"], json!(null));

    let one = format!("{base}{}/", default["id"]);
    let changed = ok(put(
        &app,
        &one,
        &w.admin,
        json!({"enabled": true, "feature_state_value": {"type": "unicode", "string_value": "ten"}}),
    )
    .await)
    .await;
    assert_eq!(
        changed["feature_state_value"],
        json!({"type": "unicode", "string_value": "ten", "integer_value": null, "boolean_value": null})
    );
    assert_eq!(changed["enabled"], true);
    let changed = ok(patch(
        &app,
        &one,
        &w.admin,
        json!({"feature_state_value": {"type": "bool", "boolean_value": false}}),
    )
    .await)
    .await;
    assert_eq!(changed["feature_state_value"]["boolean_value"], false);
    assert_eq!(changed["enabled"], true);

    invalid(
        patch(
            &app,
            &one,
            &w.admin,
            json!({"feature_state_value": {"type": "float"}}),
        )
        .await,
        "feature_state_value.type",
        "\"float\" is not a valid choice.",
    )
    .await;
    invalid(
        patch(
            &app,
            &one,
            &w.admin,
            json!({"feature_state_value": {"type": "int", "integer_value": -2_147_483_649_i64}}),
        )
        .await,
        "feature_state_value.integer_value",
        "Ensure this value is greater than or equal to -2147483648.",
    )
    .await;
    invalid(
        patch(&app, &one, &w.admin, json!({"environment": 999})).await,
        "environment",
        "Cannot change the environment of a feature state",
    )
    .await;
    invalid(
        post(&app, base, &w.admin, json!({"feature": f["id"]})).await,
        "environment",
        "This field is required.",
    )
    .await;
    invalid(
        post(
            &app,
            base,
            &w.admin,
            json!({"feature": 999_999, "environment": w.env_id, "identifier": "ada"}),
        )
        .await,
        "feature",
        "Invalid pk \"999999\" - object does not exist.",
    )
    .await;
    // A feature of another project the caller can see is named as such; one of another
    // organisation is answered as a feature that does not exist.
    let sibling = app
        .project(w.admin.trim_start_matches("Token "), w.org, "Sibling")
        .await;
    let elsewhere = created(
        post(
            &app,
            &format!("/api/v1/projects/{sibling}/features/"),
            &w.admin,
            json!({"name": "elsewhere"}),
        )
        .await,
    )
    .await;
    invalid(
        post(
            &app,
            base,
            &w.admin,
            json!({"feature": elsewhere["id"], "environment": w.env_id, "identifier": "ada"}),
        )
        .await,
        "feature",
        "Feature does not exist in project",
    )
    .await;
    let other = World::other(&app).await;
    let theirs = feature(&app, &other, json!({"name": "theirs"})).await;
    invalid(
        post(
            &app,
            base,
            &w.admin,
            json!({"feature": theirs["id"], "environment": w.env_id, "identifier": "ada"}),
        )
        .await,
        "feature",
        &format!("Invalid pk \"{}\" - object does not exist.", theirs["id"]),
    )
    .await;
    invalid(
        post(
            &app,
            base,
            &w.admin,
            json!({"feature": f["id"], "environment": other.env_id, "identifier": "ada"}),
        )
        .await,
        "environment",
        &format!("Invalid pk \"{}\" - object does not exist.", other.env_id),
    )
    .await;
}

async fn feature_states_of_other_organisations_are_not_found(app: TestApp) {
    let w = World::new(&app).await;
    let other = World::other(&app).await;
    let theirs = feature(&app, &other, json!({"name": "theirs"})).await;
    let their_state = default_state(&app, &other, &theirs).await;
    let theirs_one = format!("{}{}/", states(&other), their_state["id"]);
    for resp in [
        get(&app, &states(&other), &w.admin).await,
        post(
            &app,
            &states(&other),
            &w.admin,
            json!({"feature": theirs["id"]}),
        )
        .await,
        get(&app, &theirs_one, &w.admin).await,
        put(&app, &theirs_one, &w.admin, json!({"enabled": true})).await,
        patch(&app, &theirs_one, &w.admin, json!({"enabled": true})).await,
        delete(&app, &theirs_one, &w.admin).await,
        get(
            &app,
            &format!(
                "/api/v1/features/featurestates/?environment={}",
                other.env_id
            ),
            &w.admin,
        )
        .await,
        put(
            &app,
            &format!("/api/v1/features/featurestates/{}/", their_state["id"]),
            &w.admin,
            json!({"enabled": true}),
        )
        .await,
        // Their state addressed through our environment.
        get(
            &app,
            &format!("{}{}/", states(&w), their_state["id"]),
            &w.admin,
        )
        .await,
        put(
            &app,
            &format!("{}{}/", states(&w), their_state["id"]),
            &w.admin,
            json!({"enabled": true}),
        )
        .await,
    ] {
        detail(resp, StatusCode::NOT_FOUND, "Not found.").await;
    }
    assert_eq!(default_state(&app, &other, &theirs).await["enabled"], false);
}

async fn changing_states_needs_update_feature_state(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "checkout"})).await;
    let state = default_state(&app, &w, &f).await;
    let one = format!("{}{}/", states(&w), state["id"]);
    let generic = format!("/api/v1/features/featurestates/{}/", state["id"]);
    let stranger = w.powerless(&app).await;
    detail(
        get(&app, &states(&w), &stranger).await,
        StatusCode::FORBIDDEN,
        FORBIDDEN,
    )
    .await;
    let viewer = w.viewer(&app).await;
    ok(get(&app, &states(&w), &viewer).await).await;
    ok(get(&app, &one, &viewer).await).await;
    ok(get(
        &app,
        &format!("/api/v1/features/featurestates/?environment={}", w.env_id),
        &viewer,
    )
    .await)
    .await;
    for resp in [
        put(&app, &one, &viewer, json!({"enabled": true})).await,
        patch(&app, &one, &viewer, json!({"enabled": true})).await,
        patch(&app, &generic, &viewer, json!({"enabled": true})).await,
        post(
            &app,
            &states(&w),
            &viewer,
            json!({"feature": f["id"], "identifier": "x"}),
        )
        .await,
    ] {
        detail(resp, StatusCode::FORBIDDEN, FORBIDDEN).await;
    }
    let toggler = w
        .member(
            &app,
            "toggler@example.com",
            &["VIEW_PROJECT"],
            &["VIEW_ENVIRONMENT", "UPDATE_FEATURE_STATE"],
        )
        .await;
    ok(patch(&app, &one, &toggler, json!({"enabled": true})).await).await;
    ok(patch(&app, &generic, &toggler, json!({"enabled": false})).await).await;
    assert_eq!(default_state(&app, &w, &f).await["enabled"], false);
}
