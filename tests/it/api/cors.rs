//! Cross-origin requests and the headers that protect browsers.
//
// Cross-origin requests and the headers that protect browsers: the SDK answers every origin,
// the management API only its own origin and the trusted ones; every answer says `nosniff`,
// management answers are not cached, and HTML pages carry a strict policy and cannot be framed.

use poem::http::StatusCode;

use super::TestApp;
use super::world::World;
use crate::api_on_both_backends;
use crate::harness::Backend;

api_on_both_backends!(
    sdk_routes_answer_every_origin_and_management_only_its_own,
    every_answer_carries_protective_headers,
);

mod trusted_origins_may_call_the_management_api {
    const ENV: &[(&str, &str)] = &[(
        "FLAGSTAFF_TRUSTED_ORIGINS",
        "https://admin.example.com, https://ops.example.com/",
    )];

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        crate::api::run(super::Backend::Sqlite, ENV, super::trusted_origins).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        crate::api::run(super::Backend::Postgres, ENV, super::trusted_origins).await
    }
}

async fn preflight(app: &TestApp, path: &str, origin: &str) -> poem::test::TestResponse {
    app.client
        .options(path)
        .header("host", "flags.example.com")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, x-environment-key",
        )
        .send()
        .await
}

fn header<'a>(resp: &'a poem::test::TestResponse, name: &str) -> Option<&'a str> {
    resp.0.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn sdk_routes_answer_every_origin_and_management_only_its_own(app: TestApp) {
    let w = World::new(&app).await;
    for path in [
        "/api/v1/flags/",
        "/api/v1/identities/",
        "/ofrep/v1/evaluate/flags",
    ] {
        let resp = preflight(&app, path, "https://shop.example.net").await;
        assert_eq!(resp.0.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&resp, "access-control-allow-origin"),
            Some("https://shop.example.net")
        );
        let allowed = header(&resp, "access-control-allow-headers").unwrap();
        assert!(allowed.contains("x-environment-key"), "{allowed}");
    }
    let resp = preflight(&app, "/api/v1/projects/", "https://evil.example.net").await;
    assert_eq!(resp.0.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
    let resp = preflight(&app, "/api/v1/auth/login/", "https://evil.example.net").await;
    assert_eq!(resp.0.status(), StatusCode::FORBIDDEN);
    // The server's own pages (same host) may.
    let resp = preflight(&app, "/api/v1/projects/", "https://flags.example.com").await;
    assert_eq!(resp.0.status(), StatusCode::OK);
    assert_eq!(
        header(&resp, "access-control-allow-origin"),
        Some("https://flags.example.com")
    );

    // Actual requests: the SDK's answer may be read by any page, the management API's not.
    let resp = app
        .client
        .get("/api/v1/flags/")
        .header("x-environment-key", &w.env_key)
        .header("origin", "https://shop.example.net")
        .send()
        .await;
    resp.assert_status_is_ok();
    assert_eq!(
        header(&resp, "access-control-allow-origin"),
        Some("https://shop.example.net")
    );
    let resp = app
        .client
        .get("/api/v1/projects/")
        .header("authorization", &w.admin)
        .header("origin", "https://evil.example.net")
        .send()
        .await;
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
}

async fn trusted_origins(app: TestApp) {
    for origin in ["https://admin.example.com", "https://ops.example.com"] {
        let resp = preflight(&app, "/api/v1/projects/", origin).await;
        assert_eq!(resp.0.status(), StatusCode::OK, "{origin}");
        assert_eq!(header(&resp, "access-control-allow-origin"), Some(origin));
    }
    let resp = preflight(&app, "/api/v1/projects/", "https://other.example.com").await;
    assert_eq!(resp.0.status(), StatusCode::FORBIDDEN);
}

async fn every_answer_carries_protective_headers(app: TestApp) {
    // The first-run form is served only while no user exists.
    for page in ["/api/v1/docs/", "/api/v1/users/config/init/"] {
        let resp = app.client.get(page).send().await;
        let policy = header(&resp, "content-security-policy")
            .unwrap_or_else(|| panic!("{page} has no policy"))
            .to_string();
        assert!(policy.starts_with("default-src 'none'"), "{page}: {policy}");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{page}: {policy}"
        );
        assert!(!policy.contains("unsafe-inline"), "{page}: {policy}");
        assert_eq!(header(&resp, "x-frame-options"), Some("DENY"), "{page}");
    }
    let w = World::new(&app).await;
    let management = app
        .client
        .get("/api/v1/projects/")
        .header("authorization", &w.admin)
        .send()
        .await;
    let flags = app
        .client
        .get("/api/v1/flags/")
        .header("x-environment-key", &w.env_key)
        .send()
        .await;
    let refused = app.client.get("/api/v1/projects/").send().await;
    for resp in [&management, &flags, &refused] {
        assert_eq!(header(resp, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(resp, "referrer-policy"), Some("no-referrer"));
    }
    assert_eq!(header(&management, "cache-control"), Some("no-store"));
    let login = app
        .post(
            "/api/v1/auth/login/",
            None,
            serde_json::json!({"email": "admin@example.com", "password": "correct horse battery"}),
        )
        .await;
    login.assert_status_is_ok();
    assert_eq!(header(&login, "cache-control"), Some("no-store"));
}
