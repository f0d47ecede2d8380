//! `GET /metrics`: each family of Prometheus metrics moves when its event happens.

use serde_json::json;

use super::TestApp;
use super::world::{World, created, post};
use crate::api_on_both_backends;

api_on_both_backends!(each_metric_family_moves_with_its_event);

/// The sum of the samples of `name` whose labels include all of `labels`.
pub fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            (metric == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))))
            .then(|| value.parse::<f64>().ok())
            .flatten()
        })
        .sum()
}

async fn scrape(app: &TestApp) -> String {
    let resp = app.get("/metrics", None).await;
    resp.assert_status_is_ok();
    resp.assert_header("content-type", "text/plain; version=0.0.4; charset=utf-8");
    resp.0.into_body().into_string().await.unwrap()
}

async fn each_metric_family_moves_with_its_event(app: TestApp) {
    let w = World::new(&app).await;
    let features = format!("/api/v1/projects/{}/features/", w.project);
    created(post(&app, &features, &w.admin, json!({"name": "banner"})).await).await;
    let flags = [
        ("route", "/api/v1/flags/"),
        ("method", "GET"),
        ("status", "200"),
    ];
    let environment = [("kind", "environment")];
    let before = scrape(&app).await;

    app.sdk("GET", "/api/v1/flags/", &w.env_key, None)
        .await
        .assert_status_is_ok();
    // The first read creates ada, the second reads and keeps her, the third finds her kept.
    for _ in 0..3 {
        app.sdk(
            "GET",
            "/api/v1/identities/?identifier=ada",
            &w.env_key,
            None,
        )
        .await
        .assert_status_is_ok();
    }
    let stream = app
        .client
        .get(format!("/sse/environments/{}/stream", w.env_key))
        .send()
        .await;
    stream.assert_status_is_ok();
    let after = scrape(&app).await;

    let moved = |name: &str, labels: &[(&str, &str)]| {
        let (was, is) = (sample(&before, name, labels), sample(&after, name, labels));
        assert!(is > was, "{name} {labels:?}: {was} then {is}");
    };
    moved("flagstaff_http_requests_total", &flags);
    moved("flagstaff_http_request_duration_seconds_count", &flags[..2]);
    moved("flagstaff_sdk_evaluations_total", &environment);
    moved("flagstaff_sdk_evaluations_total", &[("kind", "identity")]);
    moved("flagstaff_identity_cache_total", &[("result", "hit")]);
    moved("flagstaff_identity_cache_total", &[("result", "miss")]);
    assert!(sample(&after, "flagstaff_identity_cache_entries", &[]) >= 1.0);
    // The feature's creation dropped the environment's snapshot: the flags request built it.
    moved("flagstaff_snapshot_builds_total", &[]);
    moved("flagstaff_snapshot_build_duration_seconds_count", &[]);
    assert_eq!(sample(&after, "flagstaff_realtime_streams_open", &[]), 1.0);
    drop(stream);
    assert_eq!(
        sample(&scrape(&app).await, "flagstaff_realtime_streams_open", &[]),
        0.0
    );
    for state in ["busy", "idle", "waiting"] {
        assert!(
            after.contains(&format!(
                "flagstaff_database_connections{{state=\"{state}\"}}"
            )),
            "no {state} connections gauge"
        );
    }
    // Requests are counted under their route's template, not their path.
    assert!(!after.contains(&w.env_key), "a key in the metrics");
    assert!(after.contains("route=\"/sse/environments/{key}/stream\""));
}

api_on_both_backends!(a_metrics_token_is_asked_for_when_set);

async fn a_metrics_token_is_asked_for_when_set(app: TestApp) {
    // The harness's app has none: a second one on the same database has one.
    let guarded = TestApp::on(
        app.db.shared(),
        &[("FLAGSTAFF_METRICS_TOKEN", "s3cret-t0ken")],
    )
    .await;
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Token s3cret-t0ken"),
        Some("Bearer s3cret-t0ke"),
    ] {
        let mut req = guarded.client.get("/metrics");
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        let resp = req.send().await;
        resp.assert_status(poem::http::StatusCode::UNAUTHORIZED);
        resp.assert_header("www-authenticate", "Bearer");
    }
    let resp = guarded
        .client
        .get("/metrics")
        .header("authorization", "Bearer s3cret-t0ken")
        .send()
        .await;
    resp.assert_status_is_ok();
    assert!(
        resp.0
            .into_body()
            .into_string()
            .await
            .unwrap()
            .contains("flagstaff_http_requests_total")
    );
}
