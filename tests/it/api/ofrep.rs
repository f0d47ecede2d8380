//! OFREP: single and bulk evaluation, its reasons and variants, its error codes, `ETag`/304.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::feature_states::feature;
use super::segments::plan_is;
use super::world::{World, created, get, ok, patch, post};
use crate::api_on_both_backends;

api_on_both_backends!(
    keys_come_in_x_api_key_or_bearer,
    environment_flags_without_a_targeting_key,
    a_targeting_key_brings_segments_overrides_and_splits,
    bad_requests_get_ofrep_error_codes,
    bulk_answers_carry_an_etag,
    disabled_flags_stay_hidden_when_the_project_hides_them,
);

async fn ofrep(
    app: &TestApp,
    path: &str,
    auth: Option<(&str, &str)>,
    body: &str,
    extra: Option<(&str, &str)>,
) -> (StatusCode, Option<String>, Value) {
    let mut req = app
        .client
        .post(path)
        .content_type("application/json")
        .body(body.to_string());
    if let Some((name, value)) = auth {
        req = req.header(name, value);
    }
    if let Some((name, value)) = extra {
        req = req.header(name, value);
    }
    let resp = req.send().await;
    let status = resp.0.status();
    let etag = resp
        .0
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    let text = resp.0.into_body().into_string().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    };
    (status, etag, body)
}

fn one(key: &str) -> String {
    format!("/ofrep/v1/evaluate/flags/{key}")
}

const BULK: &str = "/ofrep/v1/evaluate/flags";

async fn keys_come_in_x_api_key_or_bearer(app: TestApp) {
    let w = World::new(&app).await;
    feature(
        &app,
        &w,
        json!({"name": "checkout", "default_enabled": true}),
    )
    .await;
    let body = r#"{"context": {}}"#;
    let (status, _, answer) = ofrep(&app, &one("checkout"), None, body, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(answer["errorCode"], "GENERAL");
    let (status, _, _) = ofrep(
        &app,
        &one("checkout"),
        Some(("x-api-key", "nope")),
        body,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = ofrep(
        &app,
        BULK,
        Some(("authorization", "Bearer nope")),
        body,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for auth in [
        ("x-api-key", w.env_key.clone()),
        ("authorization", format!("Bearer {}", w.env_key)),
    ] {
        let (status, _, answer) =
            ofrep(&app, &one("checkout"), Some((auth.0, &auth.1)), body, None).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["value"], true);
    }
    // A base URL ending in a slash makes providers ask for `//ofrep/…`.
    let (status, _, _) = ofrep(
        &app,
        "//ofrep/v1/evaluate/flags/checkout",
        Some(("x-api-key", &w.env_key)),
        body,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

async fn environment_flags_without_a_targeting_key(app: TestApp) {
    let w = World::new(&app).await;
    feature(&app, &w, json!({"name": "on", "default_enabled": true})).await;
    feature(&app, &w, json!({"name": "off"})).await;
    feature(
        &app,
        &w,
        json!({"name": "banner", "default_enabled": true, "initial_value": "hello"}),
    )
    .await;
    feature(
        &app,
        &w,
        json!({"name": "limit", "default_enabled": true, "initial_value": 42}),
    )
    .await;
    feature(
        &app,
        &w,
        json!({"name": "secret", "default_enabled": true, "is_server_key_only": true}),
    )
    .await;
    let client = ("x-api-key", w.env_key.as_str());
    let body = r#"{"context": {"plan": "pro"}}"#;
    let expect = [
        ("on", json!(true), "STATIC", "enabled"),
        ("off", json!(false), "DISABLED", "disabled"),
        ("banner", json!("hello"), "STATIC", "enabled"),
        ("limit", json!(42), "STATIC", "enabled"),
    ];
    for (key, value, reason, variant) in expect {
        let (status, _, answer) = ofrep(&app, &one(key), Some(client), body, None).await;
        assert_eq!(status, StatusCode::OK, "{key}: {answer}");
        assert_eq!(
            answer,
            json!({"key": key, "value": value, "reason": reason, "variant": variant})
        );
    }
    // A server-key-only feature is not there for a client key, and is for a server key.
    let (status, _, answer) = ofrep(&app, &one("secret"), Some(client), body, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["key"], "secret");
    assert_eq!(answer["errorCode"], "FLAG_NOT_FOUND");
    let server = created(
        post(
            &app,
            &format!("/api/v1/environments/{}/api-keys/", w.env_key),
            &w.admin,
            json!({"name": "backend"}),
        )
        .await,
    )
    .await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _, answer) = ofrep(
        &app,
        &one("secret"),
        Some(("x-api-key", &server)),
        body,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _, answer) = ofrep(&app, &one("nope"), Some(client), body, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["errorCode"], "FLAG_NOT_FOUND");
    // An empty body is an empty context, and so is no body at all, with no content type.
    let (status, _, _) = ofrep(&app, &one("on"), Some(client), "", None).await;
    assert_eq!(status, StatusCode::OK);
    for path in [one("on"), BULK.to_string()] {
        let resp = app
            .client
            .post(&path)
            .header(client.0, client.1)
            .send()
            .await;
        assert_eq!(resp.0.status(), StatusCode::OK, "{path}");
    }
}

async fn a_targeting_key_brings_segments_overrides_and_splits(app: TestApp) {
    let w = World::new(&app).await;
    let banner = feature(
        &app,
        &w,
        json!({"name": "banner", "default_enabled": true, "initial_value": "plain"}),
    )
    .await;
    let checkout = feature(
        &app,
        &w,
        json!({"name": "checkout", "default_enabled": true}),
    )
    .await;
    feature(
        &app,
        &w,
        json!({"name": "colour", "default_enabled": true, "initial_value": "grey",
               "multivariate_options": [{"type": "unicode", "string_value": "blue", "key": "blue_variant",
                                         "default_percentage_allocation": 100}]}),
    )
    .await;
    let segment = created(
        post(
            &app,
            &format!("/api/v1/projects/{}/segments/", w.project),
            &w.admin,
            json!({"name": "pro", "rules": plan_is("pro")}),
        )
        .await,
    )
    .await["id"]
        .clone();
    created(
        post(
            &app,
            &format!(
                "/api/v1/environments/{}/features/{}/create-segment-override/",
                w.env_key, banner["id"]
            ),
            &w.admin,
            json!({"enabled": true, "feature_state_value": {"type": "unicode", "string_value": "pro!"},
                   "feature_segment": {"segment": segment}}),
        )
        .await,
    )
    .await;
    let identities = format!("/api/v1/environments/{}/identities/", w.env_key);
    let ada = created(post(&app, &identities, &w.admin, json!({"identifier": "ada"})).await).await;
    created(
        post(
            &app,
            &format!("{identities}{}/featurestates/", ada["id"]),
            &w.admin,
            json!({"feature": checkout["id"], "enabled": false}),
        )
        .await,
    )
    .await;
    let key = ("x-api-key", w.env_key.as_str());
    let body = r#"{"context": {"targetingKey": "ada", "plan": "pro"}}"#;
    let (_, _, answer) = ofrep(&app, &one("banner"), Some(key), body, None).await;
    assert_eq!(
        answer,
        json!({"key": "banner", "value": "pro!", "reason": "TARGETING_MATCH", "variant": "enabled"})
    );
    let (_, _, answer) = ofrep(&app, &one("checkout"), Some(key), body, None).await;
    assert_eq!(
        (answer["value"].clone(), answer["reason"].clone()),
        (json!(false), json!("DISABLED"))
    );
    let (_, _, answer) = ofrep(&app, &one("colour"), Some(key), body, None).await;
    assert_eq!(
        answer,
        json!({"key": "colour", "value": "blue", "reason": "SPLIT", "variant": "blue_variant"})
    );
    // Another identity, not in the segment: the defaults.
    let body = r#"{"context": {"targetingKey": "bob", "plan": "free"}}"#;
    let (_, _, answer) = ofrep(&app, &one("banner"), Some(key), body, None).await;
    assert_eq!(
        (answer["value"].clone(), answer["reason"].clone()),
        (json!("plain"), json!("STATIC"))
    );
    let (_, _, answer) = ofrep(&app, &one("checkout"), Some(key), body, None).await;
    assert_eq!(answer["value"], true);
    // Evaluating writes nothing: bob is not created, ada keeps no trait.
    let list = ok(get(&app, &identities, &w.admin).await).await;
    assert_eq!(list["count"], 1, "{list}");
    let traits = ok(get(
        &app,
        &format!("{identities}{}/traits/", ada["id"]),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(
        traits.as_array().map_or(0, Vec::len) + traits["count"].as_u64().unwrap_or(0) as usize,
        0,
        "{traits}"
    );
}

async fn bad_requests_get_ofrep_error_codes(app: TestApp) {
    let w = World::new(&app).await;
    feature(&app, &w, json!({"name": "checkout"})).await;
    let key = ("x-api-key", w.env_key.as_str());
    for (body, code, detail) in [
        ("{\"context\": ", "PARSE_ERROR", "invalid JSON"),
        ("[1]", "PARSE_ERROR", "object"),
        (
            r#"{"context": "ada"}"#,
            "INVALID_CONTEXT",
            "context must be an object",
        ),
        (
            r#"{"context": {"targetingKey": 5}}"#,
            "INVALID_CONTEXT",
            "targetingKey",
        ),
        (
            r#"{"context": {"address": {"city": "Oslo"}}}"#,
            "INVALID_CONTEXT",
            "context.address",
        ),
        (
            r#"{"context": {"": "blank"}}"#,
            "INVALID_CONTEXT",
            "context.",
        ),
    ] {
        let (status, _, answer) = ofrep(&app, &one("checkout"), Some(key), body, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["key"], "checkout", "{body}: {answer}");
        assert_eq!(answer["errorCode"], code, "{body}: {answer}");
        assert!(
            answer["errorDetails"].as_str().unwrap().contains(detail),
            "{body}: {answer}"
        );
        let (status, _, answer) = ofrep(&app, BULK, Some(key), body, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["errorCode"], code, "{body}: {answer}");
    }
}

async fn bulk_answers_carry_an_etag(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(
        &app,
        &w,
        json!({"name": "checkout", "default_enabled": true}),
    )
    .await;
    feature(&app, &w, json!({"name": "banner", "initial_value": "hi"})).await;
    let key = ("authorization", format!("Bearer {}", w.env_key));
    let key = (key.0, key.1.as_str());
    let body = r#"{"context": {"targetingKey": "ada"}}"#;
    let (status, etag, answer) = ofrep(&app, BULK, Some(key), body, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["flags"],
        json!([
            {"key": "checkout", "value": true, "reason": "STATIC", "variant": "enabled"},
            {"key": "banner", "value": "hi", "reason": "DISABLED", "variant": "disabled"},
        ])
    );
    let etag = etag.expect("an ETag");
    let (status, again, answer) =
        ofrep(&app, BULK, Some(key), body, Some(("if-none-match", &etag))).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(answer, Value::Null);
    assert_eq!(again.as_deref(), Some(etag.as_str()));
    // Another context, or a change to a flag, gives another tag.
    let (_, other, _) = ofrep(&app, BULK, Some(key), r#"{"context": {}}"#, None).await;
    assert_eq!(
        other.as_deref(),
        Some(etag.as_str()),
        "same flags, same tag"
    );
    let state = ok(get(
        &app,
        &format!(
            "/api/v1/environments/{}/featurestates/?feature={}",
            w.env_key, f["id"]
        ),
        &w.admin,
    )
    .await)
    .await["results"][0]["id"]
        .clone();
    ok(patch(
        &app,
        &format!("/api/v1/environments/{}/featurestates/{state}/", w.env_key),
        &w.admin,
        json!({"enabled": false}),
    )
    .await)
    .await;
    let (status, changed, answer) =
        ofrep(&app, BULK, Some(key), body, Some(("if-none-match", &etag))).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(changed.as_deref(), Some(etag.as_str()));
    assert_eq!(answer["flags"][0]["reason"], "DISABLED");
}

async fn disabled_flags_stay_hidden_when_the_project_hides_them(app: TestApp) {
    let w = World::new(&app).await;
    feature(&app, &w, json!({"name": "on", "default_enabled": true})).await;
    feature(&app, &w, json!({"name": "off"})).await;
    ok(patch(
        &app,
        &format!("/api/v1/projects/{}/", w.project),
        &w.admin,
        json!({"hide_disabled_flags": true}),
    )
    .await)
    .await;
    let key = ("x-api-key", w.env_key.as_str());
    let (_, _, answer) = ofrep(&app, BULK, Some(key), "{}", None).await;
    let keys: Vec<&str> = answer["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["on"]);
    let (status, _, _) = ofrep(&app, &one("off"), Some(key), "{}", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
