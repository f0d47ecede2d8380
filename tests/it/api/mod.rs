//! HTTP scenarios through the real app, in-process, on both backends.

mod accounts;
mod analytics;
mod audit;
mod bad_input;
mod by_uuid;
mod changes;
mod cors;
mod environments;
mod existence;
mod feature_owners;
mod feature_states;
mod features;
mod grants;
mod identities;
mod identity_overrides;
mod install;
mod invites;
mod isolation;
mod limits;
mod logins;
pub mod metrics;
mod mv_options;
mod ofrep;
mod openapi;
mod organisations;
mod projects;
mod realtime;
mod sdk;
mod seed;
mod segment_members;
mod segment_overrides;
mod segments;
mod tags;
pub(crate) mod tour;

mod upstream_shapes;
mod user_permissions;
mod webhooks;
mod world;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use flagstaff::app::App;
use flagstaff::clock::FixedClock;
use flagstaff::config::{Config, Sources};
use flagstaff::store::Store;
use poem::EndpointExt;
use poem::endpoint::BoxEndpoint;
use poem::test::{TestClient, TestResponse};
use serde_json::Value;

use crate::harness::{Backend, TestDb, start_time};

pub struct TestApp {
    pub client: TestClient<BoxEndpoint<'static>>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<FixedClock>,
    pub db: TestDb,
    _data: tempfile::TempDir,
}

impl TestApp {
    pub async fn new(backend: Backend, extra_env: &[(&str, &str)]) -> Option<TestApp> {
        let db = TestDb::new(backend).await?;
        Some(TestApp::on(db, extra_env).await)
    }

    /// The app on a database that exists already (one a test filled, say).
    pub async fn on(db: TestDb, extra_env: &[(&str, &str)]) -> TestApp {
        let data = tempfile::tempdir().unwrap();
        let mut env: BTreeMap<String, String> = [
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
        let clock = Arc::new(FixedClock::new(start_time()));
        let (app, _) = App::build(&config, clock.clone()).await.unwrap();
        TestApp {
            store: app.store.clone(),
            client: TestClient::new(app.endpoint().map_to_response().boxed()),
            clock,
            db,
            _data: data,
        }
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> TestResponse {
        let mut req = self.client.post(path).body_json(&body);
        if let Some(token) = token {
            req = req.header("authorization", format!("Token {token}"));
        }
        req.send().await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        let mut req = self.client.get(path);
        if let Some(token) = token {
            req = req.header("authorization", format!("Token {token}"));
        }
        req.send().await
    }

    /// Any method, with an optional token and JSON body.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let method = poem::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, path);
        if let Some(token) = token {
            req = req.header("authorization", format!("Token {token}"));
        }
        if let Some(body) = body {
            req = req.body_json(&body);
        }
        req.send().await
    }

    /// A request with an environment key.
    pub async fn sdk(
        &self,
        method: &str,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let method = poem::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, path)
            .header("x-environment-key", key);
        if let Some(body) = body {
            req = req.body_json(&body);
        }
        req.send().await
    }

    /// Signs up an ordinary user and returns their token.
    pub async fn user(&self, email: &str) -> String {
        let resp = self
            .post(
                "/api/v1/auth/users/",
                None,
                serde_json::json!({"email": email, "password": "correct horse battery"}),
            )
            .await;
        resp.assert_status(poem::http::StatusCode::CREATED);
        json(resp).await["key"].as_str().unwrap().to_string()
    }

    /// Creates an organisation and returns its id.
    pub async fn org(&self, token: &str, name: &str) -> i64 {
        let resp = self
            .post(
                "/api/v1/organisations/",
                Some(token),
                serde_json::json!({"name": name}),
            )
            .await;
        resp.assert_status(poem::http::StatusCode::CREATED);
        json(resp).await["id"].as_i64().unwrap()
    }

    /// Creates a project and returns its id.
    pub async fn project(&self, token: &str, org: i64, name: &str) -> i64 {
        let resp = self
            .post(
                "/api/v1/projects/",
                Some(token),
                serde_json::json!({"name": name, "organisation": org}),
            )
            .await;
        resp.assert_status(poem::http::StatusCode::CREATED);
        json(resp).await["id"].as_i64().unwrap()
    }

    /// Creates an environment and returns (id, client key).
    pub async fn environment(&self, token: &str, project: i64, name: &str) -> (i64, String) {
        let resp = self
            .post(
                "/api/v1/environments/",
                Some(token),
                serde_json::json!({"name": name, "project": project}),
            )
            .await;
        resp.assert_status(poem::http::StatusCode::CREATED);
        let body = json(resp).await;
        (
            body["id"].as_i64().unwrap(),
            body["api_key"].as_str().unwrap().to_string(),
        )
    }

    /// The user id behind a token.
    pub async fn me(&self, token: &str) -> i64 {
        json(self.get("/api/v1/auth/users/me/", Some(token)).await).await["id"]
            .as_i64()
            .unwrap()
    }

    /// Signs up the first superuser and returns their token.
    pub async fn superuser(&self, email: &str) -> String {
        let resp = self
            .post(
                "/api/v1/auth/users/",
                None,
                serde_json::json!({"email": email, "password": "correct horse battery", "superuser": true}),
            )
            .await;
        resp.assert_status(poem::http::StatusCode::CREATED);
        json(resp).await["key"].as_str().unwrap().to_string()
    }
}

pub async fn json(resp: TestResponse) -> Value {
    resp.json().await.value().deserialize()
}

pub async fn run<F, Fut>(backend: Backend, env: &[(&str, &str)], test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    if let Some(app) = TestApp::new(backend, env).await {
        test(app).await;
    }
}

/// Declares, for each named `async fn(TestApp)`, a `sqlite` and a `postgres` test.
#[macro_export]
macro_rules! api_on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::api::run($crate::harness::Backend::Sqlite, &[], super::$name).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::api::run($crate::harness::Backend::Postgres, &[], super::$name).await
            }
        }
    )*};
}
