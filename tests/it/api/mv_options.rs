//! Multivariate options through the API: added, listed, changed and deleted, input checked.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::world::{World, created, delete, detail, get, invalid, ok, patch, post, put};
use crate::api_on_both_backends;

api_on_both_backends!(
    options_are_added_listed_changed_and_deleted,
    option_input_is_validated_by_field,
    options_of_other_organisations_are_not_found,
    option_writes_need_create_feature,
    an_identity_is_told_the_key_of_its_variant,
);

async fn feature(app: &TestApp, w: &World, name: &str) -> (i64, String) {
    let path = format!("/api/v1/projects/{}/features/", w.project);
    let f = created(post(app, &path, &w.admin, json!({"name": name})).await).await;
    let id = f["id"].as_i64().unwrap();
    (id, format!("{path}{id}/mv-options/"))
}

async fn feature_type(app: &TestApp, w: &World, id: i64) -> Value {
    let f = ok(get(
        app,
        &format!("/api/v1/projects/{}/features/{id}/", w.project),
        &w.admin,
    )
    .await)
    .await;
    f["type"].clone()
}

async fn options_are_added_listed_changed_and_deleted(app: TestApp) {
    let w = World::new(&app).await;
    let (id, base) = feature(&app, &w, "colour").await;
    let before = w.tick(&app).await;
    let option = created(
        post(&app, &base, &w.admin, json!({"type": "unicode", "string_value": "blue", "default_percentage_allocation": 40, "key": "blue", "feature": id}))
            .await,
    )
    .await;
    assert_ne!(w.env_updated_at(&app).await, before);
    assert_eq!(option["type"], "unicode");
    assert_eq!(option["string_value"], "blue");
    assert_eq!(option["integer_value"], json!(null));
    assert_eq!(option["boolean_value"], json!(null));
    assert_eq!(option["default_percentage_allocation"], 40.0);
    assert_eq!(option["key"], "blue");
    assert_eq!(option["feature"], id);
    assert!(option["uuid"].is_string());
    assert_eq!(feature_type(&app, &w, id).await, "MULTIVARIATE");

    let list = ok(get(&app, &base, &w.admin).await).await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0], option);
    let one = format!("{base}{}/", option["id"]);
    assert_eq!(ok(get(&app, &one, &w.admin).await).await, option);

    let changed = ok(patch(
        &app,
        &one,
        &w.admin,
        json!({"default_percentage_allocation": 60}),
    )
    .await)
    .await;
    assert_eq!(changed["default_percentage_allocation"], 60.0);
    assert_eq!(
        changed["string_value"], "blue",
        "a patch keeps what it does not name"
    );
    let replaced = ok(put(
        &app,
        &one,
        &w.admin,
        json!({"type": "int", "integer_value": 3, "key": null}),
    )
    .await)
    .await;
    assert_eq!(replaced["type"], "int");
    assert_eq!(replaced["integer_value"], 3);
    assert_eq!(replaced["key"], json!(null));

    let before = w.tick(&app).await;
    delete(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert_ne!(w.env_updated_at(&app).await, before);
    assert_eq!(
        feature_type(&app, &w, id).await,
        "STANDARD",
        "without options a feature is standard"
    );
    get(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let log = w.audit_log(&app).await;
    assert_eq!(
        &log[..4],
        [
            "Multivariate option deleted for feature: colour",
            "Multivariate option updated for feature: colour",
            "Multivariate option updated for feature: colour",
            "New multivariate option created for feature: colour",
        ]
    );
}

async fn option_input_is_validated_by_field(app: TestApp) {
    let w = World::new(&app).await;
    let (_, base) = feature(&app, &w, "colour").await;
    let create = |body: Value| {
        let (app, w, base) = (&app, &w, base.clone());
        async move { post(app, &base, &w.admin, body).await }
    };
    let first = created(
        create(json!({"string_value": "a", "default_percentage_allocation": 70, "key": "a"})).await,
    )
    .await;
    invalid(
        create(json!({"string_value": "b", "default_percentage_allocation": 40})).await,
        "default_percentage_allocation",
        "Invalid percentage allocation",
    )
    .await;
    invalid(
        create(json!({"string_value": "b"})).await,
        "default_percentage_allocation",
        "Invalid percentage allocation",
    )
    .await;
    invalid(
        create(json!({"string_value": "b", "default_percentage_allocation": -1})).await,
        "default_percentage_allocation",
        "Ensure this value is greater than or equal to 0.",
    )
    .await;
    invalid(
        create(json!({"string_value": "b", "default_percentage_allocation": 10, "key": "a"})).await,
        "key",
        "An option with this key already exists for this feature.",
    )
    .await;
    invalid(
        create(json!({"default_percentage_allocation": 10, "key": "control"})).await,
        "key",
        "\"control\" is reserved for the control value.",
    )
    .await;
    invalid(
        create(json!({"default_percentage_allocation": 10, "key": "not a slug"})).await,
        "key",
        "Enter a valid \u{201c}slug\u{201d} consisting of letters, numbers, underscores or hyphens.",
    )
    .await;
    invalid(
        create(json!({"type": "json", "default_percentage_allocation": 10})).await,
        "type",
        "\"json\" is not a valid choice.",
    )
    .await;
    invalid(
        create(json!({"type": "int", "integer_value": -3_000_000_000_i64, "default_percentage_allocation": 10})).await,
        "integer_value",
        "Ensure this value is greater than or equal to -2147483648.",
    )
    .await;
    invalid(
        create(json!({"integer_value": "many"})).await,
        "integer_value",
        "A valid integer is required.",
    )
    .await;
    // Changing an option counts the others only.
    let one = format!("{base}{}/", first["id"]);
    ok(patch(
        &app,
        &one,
        &w.admin,
        json!({"default_percentage_allocation": 100}),
    )
    .await)
    .await;
    let list = ok(get(&app, &base, &w.admin).await).await;
    assert_eq!(list["count"], 1, "refused requests write nothing");
}

async fn options_of_other_organisations_are_not_found(app: TestApp) {
    let w = World::new(&app).await;
    let other = World::other(&app).await;
    let (their_feature, base) = feature(&app, &other, "secret").await;
    let option = created(
        post(
            &app,
            &base,
            &other.admin,
            json!({"string_value": "x", "default_percentage_allocation": 10}),
        )
        .await,
    )
    .await;
    let one = format!("{base}{}/", option["id"]);
    for resp in [
        get(&app, &base, &w.admin).await,
        post(
            &app,
            &base,
            &w.admin,
            json!({"string_value": "y", "default_percentage_allocation": 10}),
        )
        .await,
        get(&app, &one, &w.admin).await,
        patch(&app, &one, &w.admin, json!({"string_value": "y"})).await,
        delete(&app, &one, &w.admin).await,
    ] {
        detail(resp, StatusCode::NOT_FOUND, "Not found.").await;
    }
    // Their feature addressed through our project, and their option through our feature.
    let (_, ours) = feature(&app, &w, "mine").await;
    let through_ours = format!(
        "/api/v1/projects/{}/features/{their_feature}/mv-options/",
        w.project
    );
    get(&app, &through_ours, &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    get(&app, &format!("{ours}{}/", option["id"]), &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn option_writes_need_create_feature(app: TestApp) {
    let w = World::new(&app).await;
    let (_, base) = feature(&app, &w, "colour").await;
    let option = created(
        post(
            &app,
            &base,
            &w.admin,
            json!({"string_value": "x", "default_percentage_allocation": 10}),
        )
        .await,
    )
    .await;
    let forbidden = "You do not have permission to perform this action.";
    let one = format!("{base}{}/", option["id"]);
    let viewer = w
        .member(&app, "viewer@example.com", &["VIEW_PROJECT"], &[])
        .await;
    ok(get(&app, &base, &viewer).await).await;
    detail(
        post(
            &app,
            &base,
            &viewer,
            json!({"string_value": "y", "default_percentage_allocation": 10}),
        )
        .await,
        StatusCode::FORBIDDEN,
        forbidden,
    )
    .await;
    detail(
        patch(&app, &one, &viewer, json!({"string_value": "y"})).await,
        StatusCode::FORBIDDEN,
        forbidden,
    )
    .await;
    detail(
        delete(&app, &one, &viewer).await,
        StatusCode::FORBIDDEN,
        forbidden,
    )
    .await;
    let creator = w
        .member(
            &app,
            "creator@example.com",
            &["VIEW_PROJECT", "CREATE_FEATURE"],
            &[],
        )
        .await;
    created(
        post(
            &app,
            &base,
            &creator,
            json!({"string_value": "y", "default_percentage_allocation": 10}),
        )
        .await,
    )
    .await;
    ok(patch(&app, &one, &creator, json!({"string_value": "z"})).await).await;
    delete(&app, &one, &creator)
        .await
        .assert_status(StatusCode::NO_CONTENT);
}

/// `variant` on an identity's flag: the option's key, null for an option without one, and
/// `control` only when the identity's bucket fell in no option.
async fn an_identity_is_told_the_key_of_its_variant(app: TestApp) {
    let w = World::new(&app).await;
    let path = format!("/api/v1/projects/{}/features/", w.project);
    let feature = json!({"name": "colour", "initial_value": "plain"});
    let id = created(post(&app, &path, &w.admin, feature).await).await["id"].clone();
    let base = format!("{path}{id}/mv-options/");
    for (value, key) in [("keyed", json!("k")), ("keyless", json!(null))] {
        let option = json!({"type": "unicode", "string_value": value, "default_percentage_allocation": 30, "key": key});
        created(post(&app, &base, &w.admin, option).await).await;
    }
    let mut seen = std::collections::BTreeMap::new();
    for i in 0..60 {
        let resp = app
            .sdk(
                "GET",
                &format!("/api/v1/identities/?identifier=user-{i}"),
                &w.env_key,
                None,
            )
            .await;
        resp.assert_status_is_ok();
        let flag = super::json(resp).await["flags"][0].clone();
        let value = flag["feature_state_value"].as_str().unwrap().to_string();
        let expected = match value.as_str() {
            "keyed" => json!("k"),
            "keyless" => json!(null),
            "plain" => json!("control"),
            other => panic!("unexpected value {other}"),
        };
        assert_eq!(flag["variant"], expected, "user-{i} got {value}");
        *seen.entry(value).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), 3, "every bucket is reached: {seen:?}");
}
