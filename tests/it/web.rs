//! The dashboard as the server hands it out: pages, cached and compressed files, the switches.
//
// The dashboard as the server hands it out: the page for every path outside the API, the built files cached and compressed, and the switches that move or remove it.
//
// Serving never touches the database, so these run on SQLite; the browser tests in `web/`
// drive the dashboard on both backends.

use std::path::{Path, PathBuf};

use poem::http::StatusCode;

use crate::api::{TestApp, run};
use crate::harness::Backend;

fn header<'a>(resp: &'a poem::test::TestResponse, name: &str) -> Option<&'a str> {
    resp.0.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn body(resp: poem::test::TestResponse) -> Vec<u8> {
    resp.0.into_body().into_vec().await.unwrap()
}

/// The built files under `assets/static/` (not their compressed variants).
fn built_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/static");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; build the dashboard (web/)", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| !matches!(p.extension().and_then(|e| e.to_str()), Some("br" | "gz")))
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_path_answers_the_dashboard_with_its_policy() {
    run(Backend::Sqlite, &[], |app: TestApp| async move {
        for path in [
            "/",
            "/index.html",
            "/login",
            "/projects/3/environments/x/features",
        ] {
            let resp = app.get(path, None).await;
            assert_eq!(resp.0.status(), StatusCode::OK, "{path}");
            assert_eq!(
                header(&resp, "content-type"),
                Some("text/html; charset=utf-8")
            );
            assert_eq!(header(&resp, "cache-control"), Some("no-cache"), "{path}");
            assert!(header(&resp, "etag").is_some(), "{path}");
            assert_eq!(header(&resp, "x-content-type-options"), Some("nosniff"));
            assert_eq!(header(&resp, "referrer-policy"), Some("same-origin"));
            assert_eq!(header(&resp, "x-frame-options"), Some("DENY"));
            let policy = header(&resp, "content-security-policy")
                .unwrap()
                .to_string();
            assert!(policy.starts_with("default-src 'none'"), "{policy}");
            assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
            assert!(policy.contains("base-uri 'self'"), "{policy}");
            assert!(!policy.contains("unsafe-inline"), "{policy}");
            assert!(!policy.contains("unsafe-eval"), "{policy}");
            let html = String::from_utf8(body(resp).await).unwrap();
            assert!(html.contains(r#"<base href="/">"#), "{html}");
            assert!(html.contains(r#"<div id="app">"#), "{html}");
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_revalidated_by_its_etag() {
    run(Backend::Sqlite, &[], |app: TestApp| async move {
        let first = app.get("/", None).await;
        let etag = header(&first, "etag").unwrap().to_string();
        let again = app
            .client
            .get("/features")
            .header("if-none-match", &etag)
            .send()
            .await;
        assert_eq!(again.0.status(), StatusCode::NOT_MODIFIED);
        assert!(body(again).await.is_empty());
        let other = app
            .client
            .get("/")
            .header("if-none-match", "\"something-else\"")
            .send()
            .await;
        assert_eq!(other.0.status(), StatusCode::OK);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_files_are_immutable_and_served_in_the_accepted_encoding() {
    run(Backend::Sqlite, &[], |app: TestApp| async move {
        let files = built_files();
        assert!(
            files
                .iter()
                .any(|f| f.extension().is_some_and(|e| e == "js")),
            "{files:?}"
        );
        for file in files {
            let name = file.file_name().unwrap().to_str().unwrap().to_string();
            let path = format!("/static/{name}");
            let plain = std::fs::read(&file).unwrap();
            for (accept, suffix, encoding) in [
                ("gzip, deflate, br, zstd", ".br", Some("br")),
                ("gzip", ".gz", Some("gzip")),
                ("br;q=0, gzip", ".gz", Some("gzip")),
                ("identity", "", None),
            ] {
                let variant = PathBuf::from(format!("{}{suffix}", file.display()));
                let expected_encoding = encoding.filter(|_| variant.exists());
                let resp = app
                    .client
                    .get(&path)
                    .header("accept-encoding", accept)
                    .send()
                    .await;
                assert_eq!(resp.0.status(), StatusCode::OK, "{path}");
                assert_eq!(
                    header(&resp, "cache-control"),
                    Some("public, max-age=31536000, immutable")
                );
                let vary: Vec<&str> = resp
                    .0
                    .headers()
                    .get_all("vary")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .collect();
                assert!(vary.contains(&"Accept-Encoding"), "{vary:?}");
                assert_eq!(
                    header(&resp, "content-encoding"),
                    expected_encoding,
                    "{path} {accept}"
                );
                if name.ends_with(".js") {
                    assert_eq!(
                        header(&resp, "content-type"),
                        Some("text/javascript; charset=utf-8")
                    );
                }
                let expected = if expected_encoding.is_some() {
                    std::fs::read(&variant).unwrap()
                } else {
                    plain.clone()
                };
                assert_eq!(body(resp).await, expected, "{path} {accept}");
            }
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_files_and_api_paths_are_not_answered_with_the_page() {
    run(Backend::Sqlite, &[], |app: TestApp| async move {
        for path in [
            "/static/index-00000000.js",
            "/favicon.ico",
            "/static/../Cargo.toml",
            "/api/v1/nothing-here/",
            "/ofrep/v1/nothing",
        ] {
            let resp = app.get(path, None).await;
            assert_eq!(resp.0.status(), StatusCode::NOT_FOUND, "{path}");
            assert!(
                header(&resp, "content-type").is_some_and(|t| t.starts_with("application/json")),
                "{path}"
            );
        }
        let resp = app.get("/health/liveness/", None).await;
        assert_eq!(resp.0.status(), StatusCode::OK);
        let resp = app.post("/", None, serde_json::json!({})).await;
        assert_eq!(resp.0.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&resp, "allow"), Some("GET, HEAD"));
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_only_install_has_no_dashboard() {
    let env = [("FLAGSTAFF_DASHBOARD", "false")];
    run(Backend::Sqlite, &env, |app: TestApp| async move {
        for path in ["/", "/features", "/static/x.js"] {
            let resp = app.get(path, None).await;
            assert_eq!(resp.0.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let resp = app.get("/health/liveness/", None).await;
        assert_eq!(resp.0.status(), StatusCode::OK);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_proxy_the_page_points_at_its_sub_path() {
    let env = [("FLAGSTAFF_PUBLIC_URL", "https://example.com/tools/flags")];
    run(Backend::Sqlite, &env, |app: TestApp| async move {
        let resp = app.get("/features", None).await;
        assert_eq!(resp.0.status(), StatusCode::OK);
        let html = String::from_utf8(body(resp).await).unwrap();
        assert!(html.contains(r#"<base href="/tools/flags/">"#), "{html}");
        assert!(!html.contains(r#"<base href="/">"#), "{html}");
    })
    .await
}
