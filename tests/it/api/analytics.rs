//! Flag analytics: the SDKs' reports and the management API's daily counts.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::feature_states::feature;
use super::world::{World, get, invalid, ok};
use crate::api_on_both_backends;

api_on_both_backends!(
    reports_are_counted_per_feature_and_day,
    reports_are_refused_without_a_key_or_an_object,
    evaluation_data_is_checked_and_isolated,
);

async fn report(app: &TestApp, path: &str, key: &str, body: Value) -> (StatusCode, String) {
    let resp = app
        .client
        .post(path)
        .header("x-environment-key", key)
        .header("flagsmith-application-name", "shop-web")
        .header("user-agent", "flagsmith-python-sdk/6.3.0")
        .body_json(&body)
        .send()
        .await;
    let status = resp.0.status();
    (status, resp.0.into_body().into_string().await.unwrap())
}

fn data(w: &World, feature: &Value, query: &str) -> String {
    format!(
        "/api/v1/projects/{}/features/{}/evaluation-data/?environment_id={}{query}",
        w.project, feature["id"], w.env_id
    )
}

async fn reports_are_counted_per_feature_and_day(app: TestApp) {
    let w = World::new(&app).await;
    let checkout = feature(&app, &w, json!({"name": "checkout"})).await;
    let banner = feature(&app, &w, json!({"name": "banner"})).await;
    let (status, body) = report(
        &app,
        "/api/v1/analytics/flags/",
        &w.env_key,
        json!({"checkout": 3, "banner": "many", "unknown": 5, "Checkout": 1, "nothing": -2}),
    )
    .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    report(
        &app,
        "/api/v1/analytics/flags/",
        &w.env_key,
        json!({"checkout": 2}),
    )
    .await;
    let (status, _) = report(
        &app,
        "/api/v2/analytics/flags/",
        &w.env_key,
        json!({"evaluations": [
            {"feature_name": "banner", "identity_identifier": "ada", "enabled_when_evaluated": true, "count": 4},
            {"feature_name": "banner", "identity_identifier": null, "enabled_when_evaluated": false, "count": 1}]}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Every label is named, null where the SDK did not say it, as upstream answers them.
    let labels = json!({"client_application_name": "shop-web",
        "client_application_version": null, "user_agent": "flagsmith-python-sdk/6.3.0"});
    let today = ok(get(&app, &data(&w, &checkout, ""), &w.admin).await).await;
    assert_eq!(
        today,
        json!([{"day": "2024-05-01", "count": 5, "labels": labels}])
    );
    let banner_counts = ok(get(&app, &data(&w, &banner, ""), &w.admin).await).await;
    assert_eq!(banner_counts[0]["count"], 5);
    // Two days on, a report counts on its own day; a one-day period shows only that day.
    app.clock.advance(chrono::TimeDelta::days(2));
    report(
        &app,
        "/api/v1/analytics/flags/",
        &w.env_key,
        json!({"checkout": 1}),
    )
    .await;
    let all = ok(get(&app, &data(&w, &checkout, "&period=7d"), &w.admin).await).await;
    let days: Vec<(&str, i64)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["day"].as_str().unwrap(), d["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(days, [("2024-05-01", 5), ("2024-05-03", 1)]);
    let last = ok(get(&app, &data(&w, &checkout, "&period=24h"), &w.admin).await).await;
    assert_eq!(last.as_array().unwrap().len(), 1);
    assert_eq!(last[0]["day"], "2024-05-03");
}

async fn reports_are_refused_without_a_key_or_an_object(app: TestApp) {
    let w = World::new(&app).await;
    feature(&app, &w, json!({"name": "checkout"})).await;
    let (status, body) = report(
        &app,
        "/api/v1/analytics/flags/",
        "nope",
        json!({"checkout": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = report(&app, "/api/v1/analytics/flags/", &w.env_key, json!([1, 2])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"non_field_errors": ["Expected a JSON object."]})
    );
    let (status, body) = report(&app, "/api/v2/analytics/flags/", &w.env_key, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("evaluations"), "{body}");
}

async fn evaluation_data_is_checked_and_isolated(app: TestApp) {
    let w = World::new(&app).await;
    let checkout = feature(&app, &w, json!({"name": "checkout"})).await;
    let base = format!(
        "/api/v1/projects/{}/features/{}/evaluation-data/",
        w.project, checkout["id"]
    );
    invalid(
        get(&app, &base, &w.admin).await,
        "environment_id",
        "This field is required.",
    )
    .await;
    invalid(
        get(&app, &data(&w, &checkout, "&period=soon"), &w.admin).await,
        "period",
        "\"soon\" is not a period like 24h or 30d.",
    )
    .await;
    // A character of more than one byte where the unit goes (schemathesis found it).
    invalid(
        get(&app, &data(&w, &checkout, "&period=%C2%80"), &w.admin).await,
        "period",
        "\"\u{80}\" is not a period like 24h or 30d.",
    )
    .await;
    let other = World::other(&app).await;
    invalid(
        get(
            &app,
            &format!("{base}?environment_id={}", other.env_id),
            &w.admin,
        )
        .await,
        "environment_id",
        &format!("Invalid pk \"{}\" - object does not exist.", other.env_id),
    )
    .await;
    get(&app, &data(&w, &checkout, ""), &other.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let none = ok(get(&app, &data(&w, &checkout, ""), &w.key).await).await;
    assert_eq!(none, json!([]));
}
