//! Request bodies are bounded per part of the API and refused with 413 before they are read.
//
// Request bodies are bounded per part of the API, refused with 413 before they are read;
// credentials are checked before a body is read; and a body's errors are found in time linear
// in its size.

use std::time::Duration;

use poem::Body;
use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::world::World;
use crate::api_on_both_backends;

api_on_both_backends!(
    bodies_over_their_limit_are_refused_with_413,
    credentials_are_checked_before_the_body_is_read,
    a_wrong_field_among_100000_unknown_keys_is_named,
);

async fn status_and_body(resp: poem::test::TestResponse) -> (StatusCode, Value) {
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A body of `size` bytes of valid JSON (a string of `x`).
fn body_of(size: usize) -> String {
    format!("\"{}\"", "x".repeat(size - 2))
}

async fn bodies_over_their_limit_are_refused_with_413(app: TestApp) {
    let w = World::new(&app).await;
    let cases = [
        // Anyone may send these: 16 KiB.
        ("POST", "/api/v1/auth/login/", None, 16 << 10),
        ("POST", "/api/v1/auth/users/", None, 16 << 10),
        // The SDK: 256 KiB.
        (
            "POST",
            "/api/v1/identities/",
            Some(w.env_key.as_str()),
            256 << 10,
        ),
        (
            "POST",
            "/ofrep/v1/evaluate/flags",
            Some(w.env_key.as_str()),
            256 << 10,
        ),
        // Management: 2 MiB.
        ("POST", "/api/v1/projects/", None, 2 << 20),
    ];
    for (method, path, key, limit) in cases {
        let send = |size: usize| {
            let method = poem::http::Method::from_bytes(method.as_bytes()).unwrap();
            let mut req = app
                .client
                .request(method, path)
                .content_type("application/json")
                .header("content-length", size.to_string())
                .header("authorization", &w.admin)
                .body(body_of(size));
            if let Some(key) = key {
                req = req.header("x-environment-key", key);
            }
            req.send()
        };
        let (status, body) = status_and_body(send(limit + 1).await).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains(&limit.to_string()),
            "{path}: {body}"
        );
        // At the limit the body is read (and refused for what it says, not its size).
        let (status, body) = status_and_body(send(limit).await).await;
        assert_ne!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {body}");
        assert!(status.is_client_error(), "{path}: {status} {body}");
    }

    // Without a declared length (chunked, or HTTP/2) the body is cut off at the limit.
    let chunks = futures_util::stream::iter(
        (0..40).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 1024]))),
    );
    let (status, body) = status_and_body(
        app.client
            .post("/api/v1/auth/login/")
            .content_type("application/json")
            .body(Body::from_bytes_stream(chunks))
            .send()
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");

    // The bulk trait write takes more than the SDK's other routes.
    let identities: Vec<Value> = (0..2000)
        .map(|i| json!({"identity": {"identifier": format!("user-{i}")}, "trait_key": "plan", "trait_value": "a".repeat(100)}))
        .collect();
    let bulk = Value::Array(identities).to_string();
    assert!(bulk.len() > 256 << 10);
    let resp = app
        .client
        .put("/api/v1/traits/bulk/")
        .header("x-environment-key", &w.env_key)
        .content_type("application/json")
        .header("content-length", bulk.len().to_string())
        .body(bulk)
        .send()
        .await;
    let (status, body) = status_and_body(resp).await;
    assert!(status.is_success(), "{status} {body}");
}

/// A body that never arrives: answered at once when the credentials are wrong, because they
/// are checked before the body is read.
async fn credentials_are_checked_before_the_body_is_read(app: TestApp) {
    let w = World::new(&app).await;
    let never = || {
        Body::from_bytes_stream(futures_util::stream::pending::<
            Result<bytes::Bytes, std::io::Error>,
        >())
    };
    let cases = [
        (
            "/api/v1/projects/",
            "authorization",
            "Token not-a-token",
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/v1/identities/",
            "x-environment-key",
            "not-a-key",
            StatusCode::FORBIDDEN,
        ),
        (
            "/api/v1/traits/",
            "x-environment-key",
            "not-a-key",
            StatusCode::FORBIDDEN,
        ),
    ];
    for (path, header, value, expected) in cases {
        let request = app
            .client
            .post(path)
            .content_type("application/json")
            .header("content-length", "100000")
            .header(header, value)
            .body(never())
            .send();
        let resp = tokio::time::timeout(Duration::from_secs(20), request)
            .await
            .unwrap_or_else(|_| {
                panic!("{path}: the body was awaited before the credentials were checked")
            });
        assert_eq!(resp.0.status(), expected, "{path}");
    }
    // A valid key gets past the check (and then reads its body).
    let resp = app
        .sdk(
            "POST",
            "/api/v1/identities/",
            &w.env_key,
            Some(json!({"identifier": "ada"})),
        )
        .await;
    resp.assert_status_is_ok();
}

/// Finding the field at fault used to cost a parse per key: 16,000 unknown keys took 30 s of
/// CPU. Now the keys the body type ignores are dropped first.
async fn a_wrong_field_among_100000_unknown_keys_is_named(app: TestApp) {
    let w = World::new(&app).await;
    let mut body = serde_json::Map::new();
    for i in 0..100_000 {
        body.insert(format!("k{i}"), json!(0));
    }
    body.insert("name".into(), json!("Many keys"));
    body.insert("organisation".into(), json!(w.org));
    body.insert("stale_flags_limit_days".into(), json!("many"));
    let text = Value::Object(body).to_string();
    assert!(text.len() < 2 << 20, "{} bytes", text.len());
    let resp = app
        .client
        .post("/api/v1/projects/")
        .header("authorization", &w.admin)
        .content_type("application/json")
        .body(text)
        .send()
        .await;
    let (status, body) = status_and_body(resp).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body,
        json!({"stale_flags_limit_days": ["A valid integer is required."]})
    );
}
