//! Features through the API: created, read, changed and deleted; lists filtered and paged.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::world::{World, created, delete, detail, get, invalid, ok, patch, post, put};
use crate::api_on_both_backends;

api_on_both_backends!(
    features_are_created_read_changed_and_deleted,
    features_list_filters_sorts_and_pages,
    feature_input_is_validated_by_field,
    multivariate_options_can_be_given_on_create,
    features_of_other_organisations_are_not_found,
    feature_writes_need_their_permissions,
);

const FORBIDDEN: &str = "You do not have permission to perform this action.";

fn features(w: &World) -> String {
    format!("/api/v1/projects/{}/features/", w.project)
}

async fn tag(app: &TestApp, w: &World, label: &str) -> i64 {
    let path = format!("/api/v1/projects/{}/tags/", w.project);
    let tag = created(
        post(
            app,
            &path,
            &w.admin,
            json!({"label": label, "color": "#fff"}),
        )
        .await,
    )
    .await;
    tag["id"].as_i64().unwrap()
}

async fn feature(app: &TestApp, w: &World, body: Value) -> Value {
    created(post(app, &features(w), &w.admin, body).await).await
}

async fn features_are_created_read_changed_and_deleted(app: TestApp) {
    let w = World::new(&app).await;
    let beta = tag(&app, &w, "beta").await;
    let before = w.tick(&app).await;
    let f = feature(
        &app,
        &w,
        json!({"name": "checkout", "default_enabled": true, "initial_value": 42, "description": "new flow", "tags": [beta]}),
    )
    .await;
    assert_ne!(
        w.env_updated_at(&app).await,
        before,
        "creating a feature moves updated_at"
    );
    assert_eq!(f["name"], "checkout");
    assert_eq!(f["type"], "STANDARD");
    assert_eq!(f["default_enabled"], true);
    assert_eq!(f["initial_value"], "42", "initial values are always text");
    assert_eq!(f["description"], "new flow");
    assert_eq!(f["tags"], json!([beta]));
    assert_eq!(f["multivariate_options"], json!([]));
    assert_eq!(f["is_archived"], false);
    assert_eq!(f["is_server_key_only"], false);
    assert_eq!(
        f["owners"][0]["email"], "admin@example.com",
        "the creator owns it"
    );
    assert_eq!(f["group_owners"], json!([]));
    assert_eq!(f["project"], w.project);
    assert_eq!(f["environment_feature_state"], json!(null));
    assert_eq!(f["num_segment_overrides"], 0);
    assert_eq!(f["num_identity_overrides"], json!(null));
    assert_eq!(f["is_num_identity_overrides_complete"], true);
    assert_eq!(f["created_date"], "2024-05-01T10:00:01Z");
    assert!(f["uuid"].is_string());
    for key in [
        "last_modified_in_any_environment",
        "last_modified_in_current_environment",
        "metadata",
    ] {
        assert!(f.get(key).is_some(), "{key} is missing");
    }
    let id = f["id"].as_i64().unwrap();
    let one = format!("{}{id}/", features(&w));
    assert_eq!(ok(get(&app, &one, &w.admin).await).await, f);

    // With an environment, the feature carries its default state there.
    let seen = ok(get(&app, &format!("{one}?environment={}", w.env_id), &w.admin).await).await;
    let state = &seen["environment_feature_state"];
    assert_eq!(
        state["feature_state_value"], 42,
        "the served value is typed"
    );
    assert_eq!(state["enabled"], true);
    assert_eq!(state["environment"], w.env_id);
    assert_eq!(state["identity"], json!(null));
    assert_eq!(state["feature_segment"], json!(null));
    assert!(state["id"].is_i64());
    // Null, not 0, without identity overrides, as upstream answers it.
    assert_eq!(seen["num_identity_overrides"], json!(null));

    // Name and defaults are read-only after creation.
    let before = w.tick(&app).await;
    let changed = ok(patch(
        &app,
        &one,
        &w.admin,
        json!({"name": "renamed", "default_enabled": false, "initial_value": "x", "description": null, "is_archived": true, "tags": []}),
    )
    .await)
    .await;
    assert_ne!(
        w.env_updated_at(&app).await,
        before,
        "changing a feature moves updated_at"
    );
    assert_eq!(changed["name"], "checkout");
    assert_eq!(changed["default_enabled"], true);
    assert_eq!(changed["initial_value"], "42");
    assert_eq!(changed["description"], json!(null));
    assert_eq!(changed["is_archived"], true);
    assert_eq!(changed["tags"], json!([]));
    let replaced = ok(put(
        &app,
        &one,
        &w.admin,
        json!({"is_server_key_only": true, "tags": [beta]}),
    )
    .await)
    .await;
    assert_eq!(replaced["is_server_key_only"], true);
    assert_eq!(replaced["is_archived"], true);
    assert_eq!(replaced["tags"], json!([beta]));

    let before = w.tick(&app).await;
    delete(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert_ne!(
        w.env_updated_at(&app).await,
        before,
        "deleting a feature moves updated_at"
    );
    detail(
        get(&app, &one, &w.admin).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;

    let log = w.audit_log(&app).await;
    assert_eq!(
        &log[..4],
        [
            "Flag / Remote Config Deleted: checkout",
            "Flag / Remote Config updated: checkout",
            "Flag / Remote Config updated: checkout",
            "New Flag / Remote Config created: checkout",
        ]
    );
}

async fn features_list_filters_sorts_and_pages(app: TestApp) {
    let w = World::new(&app).await;
    let (red, blue) = (tag(&app, &w, "red").await, tag(&app, &w, "blue").await);
    feature(&app, &w, json!({"name": "banana", "tags": [red, blue]})).await;
    app.clock.advance(chrono::TimeDelta::seconds(1));
    feature(&app, &w, json!({"name": "Apple", "tags": [red]})).await;
    app.clock.advance(chrono::TimeDelta::seconds(1));
    feature(&app, &w, json!({"name": "cherry", "is_archived": true})).await;
    let names = |body: &Value| -> Vec<String> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let list = |query: &str| {
        let path = format!("{}?{query}", features(&w));
        let (app, w) = (&app, &w);
        async move { get(app, &path, &w.admin).await }
    };

    let all = ok(list("").await).await;
    assert_eq!(all["count"], 3);
    assert_eq!(
        names(&all),
        ["banana", "Apple", "cherry"],
        "by creation date by default"
    );
    assert_eq!(
        names(&ok(list("sort_field=name").await).await),
        ["Apple", "banana", "cherry"]
    );
    assert_eq!(
        names(&ok(list("sort_field=name&sort_direction=DESC").await).await),
        ["cherry", "banana", "Apple"]
    );
    assert_eq!(names(&ok(list("search=AN").await).await), ["banana"]);
    assert_eq!(
        names(&ok(list(&format!("tags={red},{blue}")).await).await),
        ["banana"]
    );
    assert_eq!(
        names(&ok(list(&format!("tags={red},{blue}&tag_strategy=UNION")).await).await),
        ["banana", "Apple"]
    );
    assert_eq!(
        names(&ok(list("tags=").await).await),
        ["cherry"],
        "an empty tag list means untagged"
    );
    assert_eq!(
        names(&ok(list("is_archived=false").await).await),
        ["banana", "Apple"]
    );
    assert_eq!(names(&ok(list("is_archived=true").await).await), ["cherry"]);

    let first = ok(list("page_size=2").await).await;
    assert_eq!(first["count"], 3);
    assert_eq!(names(&first), ["banana", "Apple"]);
    assert_eq!(first["previous"], json!(null));
    let next = first["next"].as_str().unwrap();
    assert!(next.ends_with("/features/?page_size=2&page=2"), "{next}");
    let second = ok(list("page_size=2&page=2").await).await;
    assert_eq!(names(&second), ["cherry"]);
    assert_eq!(second["next"], json!(null));
    detail(
        list("page_size=2&page=3").await,
        StatusCode::NOT_FOUND,
        "Invalid page.",
    )
    .await;
    // A page whose offset is past what SQL's OFFSET takes is past the last one too.
    detail(
        list("page=9223372036854775808").await,
        StatusCode::NOT_FOUND,
        "Invalid page.",
    )
    .await;

    invalid(
        list("sort_field=size").await,
        "sort_field",
        "\"size\" is not a valid choice.",
    )
    .await;
    invalid(
        list("sort_direction=UP").await,
        "sort_direction",
        "\"UP\" is not a valid choice.",
    )
    .await;
    invalid(list("tags=a").await, "tags", "Tag IDs must be integers.").await;
    invalid(
        list("tag_strategy=ALL").await,
        "tag_strategy",
        "\"ALL\" is not a valid choice.",
    )
    .await;
    invalid(
        list("is_archived=maybe").await,
        "is_archived",
        "Must be a valid boolean.",
    )
    .await;
    invalid(
        list("environment=prod").await,
        "environment",
        "A valid integer is required.",
    )
    .await;

    // With an environment, every feature carries its state there.
    let seen = ok(list(&format!("environment={}", w.env_id)).await).await;
    for f in seen["results"].as_array().unwrap() {
        assert_eq!(f["environment_feature_state"]["environment"], w.env_id);
        assert_eq!(f["environment_feature_state"]["enabled"], false);
        assert_eq!(f["num_segment_overrides"], 0);
        assert_eq!(f["num_identity_overrides"], json!(null));
    }
}

async fn feature_input_is_validated_by_field(app: TestApp) {
    let w = World::new(&app).await;
    let path = features(&w);
    let create = |body: Value| post(&app, &path, &w.admin, body);
    feature(&app, &w, json!({"name": "checkout"})).await;
    invalid(create(json!({})).await, "name", "This field is required.").await;
    invalid(
        create(json!({"name": "  "})).await,
        "name",
        "This field may not be blank.",
    )
    .await;
    invalid(
        create(json!({"name": 7})).await,
        "name",
        "Not a valid string.",
    )
    .await;
    invalid(
        create(json!({"name": "CheckOut"})).await,
        "name",
        "Feature with that name already exists for this project. Note that feature names are case insensitive.",
    )
    .await;
    invalid(
        create(json!({"name": "x", "type": "FANCY"})).await,
        "type",
        "\"FANCY\" is not a valid choice.",
    )
    .await;
    invalid(
        create(json!({"name": "x", "default_enabled": "yes"})).await,
        "default_enabled",
        "Must be a valid boolean.",
    )
    .await;
    invalid(
        create(json!({"name": "x", "initial_value": "v".repeat(20_001)})).await,
        "initial_value",
        "Ensure this field has no more than 20000 characters.",
    )
    .await;
    invalid(
        create(json!({"name": "x", "tags": [999]})).await,
        "tags",
        "Invalid pk \"999\" - object does not exist.",
    )
    .await;
    invalid(
        create(json!({"name": "x", "multivariate_options": [{"string_value": "a", "default_percentage_allocation": 60}, {"string_value": "b", "default_percentage_allocation": 50}]})).await,
        "multivariate_options",
        "Invalid percentage allocation",
    )
    .await;
    invalid(
        create(json!({"name": "x", "multivariate_options": [{"string_value": "a", "key": "control", "default_percentage_allocation": 10}]})).await,
        "multivariate_options[0].key",
        "\"control\" is reserved for the control value.",
    )
    .await;
    invalid(
        create(json!({"name": "x", "multivariate_options": [{"type": "float", "default_percentage_allocation": 10}]})).await,
        "multivariate_options[0].type",
        "\"float\" is not a valid choice.",
    )
    .await;
    invalid(
        create(json!({"name": "x", "multivariate_options": [{"type": "int", "integer_value": 3_000_000_000_i64, "default_percentage_allocation": 10}]})).await,
        "multivariate_options[0].integer_value",
        "Ensure this value is less than or equal to 2147483647.",
    )
    .await;

    // A tag of another project the caller can see is refused as a whole; one of another
    // organisation is answered as a tag that does not exist.
    let app_ = &app;
    let tag_of = |project: i64, auth: String| async move {
        created(
            post(
                app_,
                &format!("/api/v1/projects/{project}/tags/"),
                &auth,
                json!({"label": "x", "color": "#fff"}),
            )
            .await,
        )
        .await["id"]
            .clone()
    };
    let sibling = app
        .project(w.admin.trim_start_matches("Token "), w.org, "Sibling")
        .await;
    let sibling_tag = tag_of(sibling, w.admin.clone()).await;
    invalid(
        create(json!({"name": "x", "tags": [sibling_tag]})).await,
        "non_field_errors",
        "Selected Tags must be from the same Project as current Feature",
    )
    .await;
    let other = World::other(&app).await;
    let theirs = tag_of(other.project, other.admin.clone()).await;
    invalid(
        create(json!({"name": "x", "tags": [theirs]})).await,
        "tags",
        &format!("Invalid pk \"{theirs}\" - object does not exist."),
    )
    .await;

    // The project's name pattern applies; lower-case names are the dashboard's concern only.
    ok(patch(
        &app,
        &format!("/api/v1/projects/{}/", w.project),
        &w.key,
        json!({"feature_name_regex": "[a-zA-Z_]+"}),
    )
    .await)
    .await;
    invalid(
        create(json!({"name": "with-dash"})).await,
        "name",
        "Feature name must match regex: [a-zA-Z_]+",
    )
    .await;
    let upper = feature(
        &app,
        &w,
        json!({"name": "Upper_Case", "initial_value": true}),
    )
    .await;
    assert_eq!(
        upper["initial_value"], "True",
        "non-strings are coerced to text as upstream does"
    );

    let list = ok(get(&app, &path, &w.admin).await).await;
    assert_eq!(list["count"], 2, "refused requests write nothing");
    let log = w.audit_log(&app).await;
    assert_eq!(log.iter().filter(|l| l.starts_with("New Flag")).count(), 2);
}

async fn multivariate_options_can_be_given_on_create(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(
        &app,
        &w,
        json!({"name": "colour", "initial_value": "red", "multivariate_options": [
            {"type": "unicode", "string_value": "blue", "default_percentage_allocation": 30, "key": "blue"},
            {"type": "int", "integer_value": 7, "default_percentage_allocation": 20},
            {"type": "bool", "boolean_value": true, "default_percentage_allocation": 10}
        ]}),
    )
    .await;
    assert_eq!(f["type"], "MULTIVARIATE");
    let options = f["multivariate_options"].as_array().unwrap();
    assert_eq!(options.len(), 3);
    assert_eq!(options[0]["type"], "unicode");
    assert_eq!(options[0]["string_value"], "blue");
    assert_eq!(options[0]["key"], "blue");
    assert_eq!(options[0]["default_percentage_allocation"], 30.0);
    assert_eq!(options[1]["type"], "int");
    assert_eq!(options[1]["integer_value"], 7);
    assert_eq!(options[1]["string_value"], json!(null));
    assert_eq!(options[2]["type"], "bool");
    assert_eq!(options[2]["boolean_value"], true);
    assert!(options[2]["uuid"].is_string() && options[2]["id"].is_i64());

    // Without an allocation an option takes 100 %, so a second one is refused.
    invalid(
        post(&app, &features(&w), &w.admin, json!({"name": "size", "multivariate_options": [{"string_value": "s"}, {"string_value": "m"}]}))
            .await,
        "multivariate_options",
        "Invalid percentage allocation",
    )
    .await;
    invalid(
        post(
            &app,
            &features(&w),
            &w.admin,
            json!({"name": "size", "multivariate_options": [
                {"string_value": "s", "key": "k", "default_percentage_allocation": 1},
                {"string_value": "m", "key": "k", "default_percentage_allocation": 1}
            ]}),
        )
        .await,
        "multivariate_options[1].key",
        "An option with this key already exists for this feature.",
    )
    .await;
}

async fn features_of_other_organisations_are_not_found(app: TestApp) {
    let w = World::new(&app).await;
    let other = World::other(&app).await;
    let theirs = created(
        post(
            &app,
            &features(&other),
            &other.admin,
            json!({"name": "secret"}),
        )
        .await,
    )
    .await;
    let path = format!("{}{}/", features(&other), theirs["id"]);
    detail(
        get(&app, &path, &w.admin).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    detail(
        patch(&app, &path, &w.admin, json!({"description": "x"})).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    detail(
        delete(&app, &path, &w.admin).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    detail(
        get(&app, &features(&other), &w.admin).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    detail(
        post(&app, &features(&other), &w.admin, json!({"name": "x"})).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    // Their feature through our project, and our features seen from their environment.
    detail(
        get(
            &app,
            &format!("{}{}/", features(&w), theirs["id"]),
            &w.admin,
        )
        .await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    detail(
        get(
            &app,
            &format!("{}?environment={}", features(&w), other.env_id),
            &w.admin,
        )
        .await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    let still = ok(get(&app, &path, &other.admin).await).await;
    assert_eq!(still["description"], json!(null));
}

async fn feature_writes_need_their_permissions(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "checkout"})).await;
    let one = format!("{}{}/", features(&w), f["id"]);
    let stranger = w.powerless(&app).await;
    detail(
        get(&app, &features(&w), &stranger).await,
        StatusCode::FORBIDDEN,
        FORBIDDEN,
    )
    .await;
    detail(
        get(&app, &one, &stranger).await,
        StatusCode::FORBIDDEN,
        FORBIDDEN,
    )
    .await;

    let viewer = w
        .member(&app, "viewer@example.com", &["VIEW_PROJECT"], &[])
        .await;
    ok(get(&app, &features(&w), &viewer).await).await;
    ok(get(&app, &one, &viewer).await).await;
    detail(
        post(&app, &features(&w), &viewer, json!({"name": "x"})).await,
        StatusCode::FORBIDDEN,
        FORBIDDEN,
    )
    .await;
    detail(
        patch(&app, &one, &viewer, json!({"description": "x"})).await,
        StatusCode::FORBIDDEN,
        FORBIDDEN,
    )
    .await;
    detail(
        delete(&app, &one, &viewer).await,
        StatusCode::FORBIDDEN,
        FORBIDDEN,
    )
    .await;

    let editor = w
        .member(
            &app,
            "editor@example.com",
            &[
                "VIEW_PROJECT",
                "CREATE_FEATURE",
                "EDIT_FEATURE",
                "DELETE_FEATURE",
            ],
            &[],
        )
        .await;
    created(post(&app, &features(&w), &editor, json!({"name": "by_editor"})).await).await;
    detail(
        post(&app, &features(&w), &editor, json!({"name": "mv", "multivariate_options": [{"string_value": "a", "default_percentage_allocation": 10}]}))
            .await,
        StatusCode::FORBIDDEN,
        "User must be project admin to modify / create MV options.",
    )
    .await;
    ok(patch(&app, &one, &editor, json!({"description": "x"})).await).await;
    delete(&app, &one, &editor)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    // An admin organisation API key may do all of it.
    created(post(&app, &features(&w), &w.key, json!({"name": "by_key", "multivariate_options": [{"string_value": "a", "default_percentage_allocation": 10}]})).await).await;
}
