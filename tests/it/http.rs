//! The HTTP surface of the foundation, driven in-process on both backends.

use std::sync::Arc;

use flagstaff::app::App;
use flagstaff::clock::SystemClock;
use flagstaff::config::{Config, Sources};
use poem::test::TestClient;

use crate::harness::{Backend, TestDb};

/// An app on a fresh database, with extra environment settings.
async fn app(
    backend: Backend,
    extra_env: &[(&str, &str)],
) -> Option<(App, TestDb, tempfile::TempDir)> {
    let db = TestDb::new(backend).await?;
    let data = tempfile::tempdir().unwrap();
    let mut env: std::collections::BTreeMap<String, String> = [
        ("FLAGSTAFF_DATABASE_URL".to_string(), db.url_string()),
        (
            "FLAGSTAFF_DATA_DIR".to_string(),
            data.path().display().to_string(),
        ),
    ]
    .into();
    env.extend(
        extra_env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let config = Config::load(&Sources {
        env,
        ..Sources::default()
    })
    .unwrap()
    .config;
    let (app, _) = App::build(&config, Arc::new(SystemClock)).await.unwrap();
    Some((app, db, data))
}

async fn health_and_version(backend: Backend) {
    let Some((app, _db, _data)) = app(backend, &[]).await else {
        return;
    };
    let store = app.store.clone();
    let client = TestClient::new(app.endpoint());

    let live = client.get("/health/liveness/").send().await;
    live.assert_status_is_ok();
    live.assert_json(serde_json::json!({"status": "ok"})).await;

    let ready = client.get("/health/readiness/").send().await;
    ready.assert_status_is_ok();
    assert!(ready.0.headers().contains_key("x-request-id"));
    assert_eq!(
        ready.0.headers()["flagsmith-version"],
        env!("CARGO_PKG_VERSION")
    );

    let version: serde_json::Value = client
        .get("/version/")
        .send()
        .await
        .json()
        .await
        .value()
        .deserialize();
    assert_eq!(version["self_hosted_data"]["has_users"], false);
    assert_eq!(version["image_tag"], env!("CARGO_PKG_VERSION"));
    store
        .create_user(&crate::store::fixtures_user("ada@example.com"))
        .await
        .unwrap();
    let version: serde_json::Value = client
        .get("/version/")
        .send()
        .await
        .json()
        .await
        .value()
        .deserialize();
    assert_eq!(version["self_hosted_data"]["has_users"], true);
}

#[tokio::test]
async fn sqlite_health_and_version() {
    health_and_version(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_health_and_version() {
    health_and_version(Backend::Postgres).await;
}

#[tokio::test]
async fn a_callers_request_id_is_echoed() {
    let (app, _db, _data) = app(Backend::Sqlite, &[]).await.unwrap();
    let client = TestClient::new(app.endpoint());
    let resp = client
        .get("/health/liveness/")
        .header("x-request-id", "trace-42")
        .send()
        .await;
    assert_eq!(resp.0.headers()["x-request-id"], "trace-42");
    let bad = client
        .get("/health/liveness/")
        .header("x-request-id", "has spaces and\ttabs")
        .send()
        .await;
    assert_ne!(bad.0.headers()["x-request-id"], "has spaces and\ttabs");
}

#[tokio::test]
async fn hosts_outside_allowed_hosts_get_400_but_health_answers() {
    let (app, _db, _data) = app(
        Backend::Sqlite,
        &[("DJANGO_ALLOWED_HOSTS", "flags.example.com")],
    )
    .await
    .unwrap();
    let client = TestClient::new(app.endpoint());
    let refused = client
        .get("/version/")
        .header("host", "evil.example.net")
        .send()
        .await;
    refused.assert_status(poem::http::StatusCode::BAD_REQUEST);
    refused
        .assert_json(serde_json::json!({"detail": "Invalid host header."}))
        .await;
    client
        .get("/version/")
        .header("host", "flags.example.com:8000")
        .send()
        .await
        .assert_status_is_ok();
    client
        .get("/health/liveness/")
        .header("host", "10.0.0.7:8000")
        .send()
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn responses_are_gzipped_when_enabled_and_asked_for() {
    let (app, _db, _data) = app(Backend::Sqlite, &[("ENABLE_GZIP_COMPRESSION", "true")])
        .await
        .unwrap();
    let client = TestClient::new(app.endpoint());
    let resp = client
        .get("/version/")
        .header("accept-encoding", "gzip")
        .send()
        .await;
    resp.assert_status_is_ok();
    assert_eq!(resp.0.headers()["content-encoding"], "gzip");
}
