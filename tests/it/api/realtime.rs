//! Realtime streams: an environment's change reaches its SSE stream at once; bad keys get 404.

use std::time::Duration;

use futures_util::StreamExt;
use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::world::{World, created, ok, patch, post};
use crate::api_on_both_backends;

api_on_both_backends!(
    a_change_reaches_the_environment_stream_at_once,
    only_a_client_key_opens_a_stream,
    the_ofrep_bulk_answer_points_at_the_ofrep_stream,
);

/// The `event:`/`data:` pairs of a stream, read as they come.
struct Events(
    futures_util::stream::BoxStream<'static, Result<bytes::Bytes, std::io::Error>>,
    String,
);

impl Events {
    async fn open(app: &TestApp, path: &str) -> Events {
        let resp = app
            .client
            .get(path)
            .header("accept-encoding", "gzip")
            .send()
            .await;
        resp.assert_status_is_ok();
        resp.assert_content_type("text/event-stream");
        Events(
            resp.0.into_body().into_bytes_stream().boxed(),
            String::new(),
        )
    }

    /// The next event's type and data.
    async fn next(&mut self) -> (String, Value) {
        loop {
            if let Some((event, rest)) = self.1.split_once("\n\n") {
                let (event, rest) = (event.to_string(), rest.to_string());
                self.1 = rest;
                let mut kind = "message".to_string();
                let mut data = None;
                for line in event.lines() {
                    if let Some(k) = line.strip_prefix("event: ") {
                        kind = k.to_string();
                    } else if let Some(d) = line.strip_prefix("data: ") {
                        data = Some(serde_json::from_str(d).unwrap());
                    }
                }
                if let Some(data) = data {
                    return (kind, data);
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(5), self.0.next())
                .await
                .expect("no event within 5 s")
                .expect("the stream ended")
                .unwrap();
            self.1.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

async fn toggle(app: &TestApp, w: &World, feature: i64, enabled: bool) {
    let states = ok(super::world::get(
        app,
        &format!(
            "/api/v1/environments/{}/featurestates/?feature={feature}",
            w.env_key
        ),
        &w.admin,
    )
    .await)
    .await;
    let id = states["results"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/environments/{}/featurestates/{id}/", w.env_key);
    ok(patch(app, &path, &w.admin, json!({"enabled": enabled})).await).await;
}

async fn a_change_reaches_the_environment_stream_at_once(app: TestApp) {
    let w = World::new(&app).await;
    let features = format!("/api/v1/projects/{}/features/", w.project);
    let feature = created(post(&app, &features, &w.admin, json!({"name": "banner"})).await).await;
    let mut events = Events::open(&app, &format!("/sse/environments/{}/stream", w.env_key)).await;
    let (kind, first) = events.next().await;
    assert_eq!(kind, "environment_updated");
    let header = app.sdk("GET", "/api/v1/flags/", &w.env_key, None).await;
    let served: f64 = header.0.headers()["x-flagsmith-document-updated-at"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (first["updated_at"].as_f64().unwrap() - served).abs() < 1e-3,
        "{first} vs {served}"
    );

    app.clock.advance(chrono::Duration::seconds(5));
    toggle(&app, &w, feature["id"].as_i64().unwrap(), true).await;
    let (kind, second) = events.next().await;
    assert_eq!(kind, "environment_updated");
    assert!(
        second["updated_at"].as_f64().unwrap() >= first["updated_at"].as_f64().unwrap() + 5.0,
        "{first} then {second}"
    );

    // Deleting the environment ends its stream.
    super::world::delete(
        &app,
        &format!("/api/v1/environments/{}/", w.env_key),
        &w.admin,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    let end = tokio::time::timeout(Duration::from_secs(5), events.0.next()).await;
    assert!(
        matches!(end, Ok(None)),
        "the stream goes on after its environment was deleted"
    );
}

async fn only_a_client_key_opens_a_stream(app: TestApp) {
    let w = World::new(&app).await;
    let server = created(
        post(
            &app,
            &format!("/api/v1/environments/{}/api-keys/", w.env_key),
            &w.admin,
            json!({"name": "s"}),
        )
        .await,
    )
    .await;
    for key in ["nope", server["key"].as_str().unwrap()] {
        let resp = app
            .client
            .get(format!("/sse/environments/{key}/stream"))
            .send()
            .await;
        resp.assert_status(StatusCode::NOT_FOUND);
        let resp = app
            .client
            .get(format!("/sse/environments/{key}/ofrep"))
            .send()
            .await;
        resp.assert_status(StatusCode::NOT_FOUND);
    }
}

async fn the_ofrep_bulk_answer_points_at_the_ofrep_stream(app: TestApp) {
    let w = World::new(&app).await;
    let features = format!("/api/v1/projects/{}/features/", w.project);
    let feature = created(post(&app, &features, &w.admin, json!({"name": "banner"})).await).await;
    let bulk = app
        .client
        .post("/ofrep/v1/evaluate/flags")
        .header("x-api-key", &w.env_key)
        .body_json(&json!({"context": {}}))
        .send()
        .await;
    bulk.assert_status_is_ok();
    let bulk: Value = super::json(bulk).await;
    let uri = bulk["eventStreams"][0]["endpoint"]["requestUri"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(bulk["eventStreams"][0]["type"], "sse");
    assert_eq!(uri, format!("/sse/environments/{}/ofrep", w.env_key));

    let mut events = Events::open(&app, &uri).await;
    app.clock.advance(chrono::Duration::seconds(5));
    toggle(&app, &w, feature["id"].as_i64().unwrap(), true).await;
    assert_eq!(
        events.next().await,
        ("message".into(), json!({"type": "refetchEvaluation"}))
    );
}
