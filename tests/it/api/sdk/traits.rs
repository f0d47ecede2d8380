//! The trait routes: set one, set in bulk, increment.

use poem::http::StatusCode;
use serde_json::json;

use super::setup;
use crate::api::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(trait_routes_set_bulk_and_increment);

async fn trait_routes_set_bulk_and_increment(app: TestApp) {
    let (root, _, env, key) = setup(&app).await;
    let one = json!({"identity": {"identifier": "ada"}, "trait_key": "plan", "trait_value": "pro"});
    let resp = app
        .sdk("POST", "/api/v1/traits/", &key, Some(one.clone()))
        .await;
    resp.assert_status_is_ok();
    assert_eq!(json(resp).await, one);
    let null = app
        .sdk("POST", "/api/v1/traits/", &key, Some(json!({"identity": {"identifier": "ada"}, "trait_key": "plan", "trait_value": null})))
        .await;
    null.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        json(null).await["trait_value"][0],
        "This field may not be null."
    );
    app.sdk("GET", "/api/v1/traits/", &key, None)
        .await
        .assert_status(StatusCode::METHOD_NOT_ALLOWED);

    let bulk = json!([
        {"identity": {"identifier": "ada"}, "trait_key": "plan", "trait_value": null},
        {"identity": {"identifier": "bob"}, "trait_key": "age", "trait_value": 30},
    ]);
    let resp = app
        .sdk("PUT", "/api/v1/traits/bulk/", &key, Some(bulk.clone()))
        .await;
    resp.assert_status_is_ok();
    assert_eq!(json(resp).await, json!([bulk[1]]));
    app.sdk("POST", "/api/v1/traits/bulk/", &key, Some(bulk))
        .await
        .assert_status(StatusCode::METHOD_NOT_ALLOWED);
    let ada = app
        .store
        .identity_by_identifier(env, "ada")
        .await
        .unwrap()
        .unwrap();
    assert!(app.store.traits(ada.id).await.unwrap().is_empty());

    let inc = |by: i64| json!({"trait_key": "clicks", "identifier": "ada", "increment_by": by});
    let first = json(
        app.sdk(
            "POST",
            "/api/v1/traits/increment-value/",
            &key,
            Some(inc(3)),
        )
        .await,
    )
    .await;
    assert_eq!(
        first,
        json!({"trait_key": "clicks", "trait_value": 3, "identifier": "ada"})
    );
    let second = json(
        app.sdk(
            "POST",
            "/api/v1/traits/increment-value/",
            &key,
            Some(inc(2)),
        )
        .await,
    )
    .await;
    assert_eq!(second["trait_value"], 5);
    let not_int = app
        .sdk(
            "POST",
            "/api/v1/traits/increment-value/",
            &key,
            Some(json!({"trait_key": "age", "identifier": "bob", "increment_by": "x"})),
        )
        .await;
    not_int.assert_status(StatusCode::BAD_REQUEST);
    app.sdk(
        "POST",
        "/api/v1/traits/",
        &key,
        Some(json!({"identity": {"identifier": "bob"}, "trait_key": "name", "trait_value": "Bob"})),
    )
    .await
    .assert_status_is_ok();
    let wrong_type = app
        .sdk(
            "POST",
            "/api/v1/traits/increment-value/",
            &key,
            Some(json!({"trait_key": "name", "identifier": "bob", "increment_by": 1})),
        )
        .await;
    wrong_type.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(json(wrong_type).await, json!(["Trait is not an integer."]));

    app.send(
        "PATCH",
        &format!("/api/v1/environments/{key}/"),
        Some(&root),
        Some(json!({"allow_client_traits": false})),
    )
    .await
    .assert_status_is_ok();
    let refused = app.sdk("POST", "/api/v1/traits/", &key, Some(one)).await;
    refused.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        json(refused).await["non_field_errors"][0],
        "Setting traits not allowed with client key."
    );
}
