//! A small world to test the management API in, built through HTTP, and helpers for verbs.
//
// A small world to test the management API in: an organisation admin with a project and an
// environment, built through HTTP, and helpers for the verbs `TestApp` does not wrap.

use flagstaff::domain::audit::{Audit, AuditQuery, Author};
use flagstaff::domain::organisation::NewOrgApiKey;
use flagstaff::domain::{OrganisationId, PageRequest, ProjectId};
use poem::http::{Method, StatusCode};
use poem::test::TestResponse;
use serde_json::{Value, json};

use super::{TestApp, json};

/// An organisation with one project and one environment, and how to speak for its admin.
pub struct World {
    /// `Authorization` header of the organisation's admin (a user token).
    pub admin: String,
    pub org: i64,
    pub project: i64,
    pub env_key: String,
    pub env_id: i64,
    /// `Authorization` header of an admin organisation API key.
    pub key: String,
}

impl World {
    /// The superuser's organisation.
    pub async fn new(app: &TestApp) -> World {
        let token = app.superuser("admin@example.com").await;
        World::of(app, &token, "Acme").await
    }

    /// Another user's organisation, which the superuser does not belong to.
    pub async fn other(app: &TestApp) -> World {
        let token = app.user("other@example.com").await;
        World::of(app, &token, "Elsewhere").await
    }

    /// An organisation of this name, made by the user of `token`, with a project and an environment.
    pub async fn of(app: &TestApp, token: &str, name: &str) -> World {
        let org = app.org(token, name).await;
        let project = app.project(token, org, "Shop").await;
        let (env_id, env_key) = app.environment(token, project, "Production").await;
        let admin = format!("Token {token}");
        let key = created(
            post(
                app,
                &format!("/api/v1/organisations/{org}/master-api-keys/"),
                &admin,
                json!({"name": "automation"}),
            )
            .await,
        )
        .await;
        World {
            admin,
            org,
            project,
            env_key,
            env_id,
            key: format!("Api-Key {}", key["key"].as_str().unwrap()),
        }
    }

    /// A new user who joins the organisation through an invite link, holding no grants:
    /// their token and id.
    pub async fn join(&self, app: &TestApp, email: &str) -> (String, i64) {
        let token = app.user(email).await;
        let link = created(
            post(
                app,
                &format!("/api/v1/organisations/{}/invite-links/", self.org),
                &self.admin,
                json!({}),
            )
            .await,
        )
        .await;
        let join = format!(
            "/api/v1/users/join/link/{}/",
            link["hash"].as_str().unwrap()
        );
        app.post(&join, Some(&token), json!({}))
            .await
            .assert_status_is_ok();
        let user = app.me(&token).await;
        (token, user)
    }

    /// `Authorization` of a new member of the organisation who holds exactly these project
    /// and environment permissions.
    pub async fn member(
        &self,
        app: &TestApp,
        email: &str,
        project: &[&str],
        environment: &[&str],
    ) -> String {
        let (token, user) = self.join(app, email).await;
        created(
            post(
                app,
                &format!("/api/v1/projects/{}/user-permissions/", self.project),
                &self.admin,
                json!({"user": user, "permissions": project}),
            )
            .await,
        )
        .await;
        created(
            post(
                app,
                &format!("/api/v1/environments/{}/user-permissions/", self.env_key),
                &self.admin,
                json!({"user": user, "permissions": environment}),
            )
            .await,
        )
        .await;
        format!("Token {token}")
    }

    /// `Authorization` of `viewer@example.com`, a member who may view the project and the
    /// environment and do nothing else.
    pub async fn viewer(&self, app: &TestApp) -> String {
        self.member(
            app,
            "viewer@example.com",
            &["VIEW_PROJECT"],
            &["VIEW_ENVIRONMENT"],
        )
        .await
    }

    /// `Authorization` of an organisation API key that is not an admin and holds no grants:
    /// a member without any permission.
    pub async fn powerless(&self, app: &TestApp) -> String {
        let secret = "Lmtd0001.abcdefghijklmnopqrstuvwxyz012345".to_string();
        let new = NewOrgApiKey {
            organisation_id: OrganisationId(self.org),
            prefix: "Lmtd0001".into(),
            hashed_key: flagstaff::service::hash_secret(&secret),
            name: "limited".into(),
            expiry_date: None,
            is_admin: false,
            created_by: None,
        };
        app.store
            .create_org_api_key(&new, &Audit::new(Author::System, "test key"))
            .await
            .unwrap();
        format!("Api-Key {secret}")
    }

    /// The project's audit log texts, newest first.
    pub async fn audit_log(&self, app: &TestApp) -> Vec<String> {
        let query = AuditQuery {
            project_id: Some(ProjectId(self.project)),
            ..AuditQuery::default()
        };
        app.store
            .audit_entries(&query, PageRequest::all())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|e| e.log)
            .collect()
    }

    /// The environment's `updated_at` now; then the clock moves on a second, so that a change
    /// made next shows in it.
    pub async fn tick(&self, app: &TestApp) -> String {
        let now = self.env_updated_at(app).await;
        app.clock.advance(chrono::TimeDelta::seconds(1));
        now
    }

    /// The environment's `updated_at`, as the API shows it.
    pub async fn env_updated_at(&self, app: &TestApp) -> String {
        let env = json(
            get(
                app,
                &format!("/api/v1/environments/{}/", self.env_key),
                &self.admin,
            )
            .await,
        )
        .await;
        env["updated_at"].as_str().unwrap().to_string()
    }
}

/// One request with a JSON body and an `Authorization` header.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: &str,
    body: Value,
) -> TestResponse {
    let req = match method {
        Method::POST => app.client.post(path),
        Method::PUT => app.client.put(path),
        Method::PATCH => app.client.patch(path),
        Method::DELETE => app.client.delete(path),
        _ => app.client.get(path),
    };
    let req = req.header("authorization", auth);
    if method == Method::GET || method == Method::DELETE {
        req.send().await
    } else {
        req.body_json(&body).send().await
    }
}

pub async fn get(app: &TestApp, path: &str, auth: &str) -> TestResponse {
    call(app, Method::GET, path, auth, Value::Null).await
}

pub async fn post(app: &TestApp, path: &str, auth: &str, body: Value) -> TestResponse {
    call(app, Method::POST, path, auth, body).await
}

pub async fn put(app: &TestApp, path: &str, auth: &str, body: Value) -> TestResponse {
    call(app, Method::PUT, path, auth, body).await
}

pub async fn patch(app: &TestApp, path: &str, auth: &str, body: Value) -> TestResponse {
    call(app, Method::PATCH, path, auth, body).await
}

pub async fn delete(app: &TestApp, path: &str, auth: &str) -> TestResponse {
    call(app, Method::DELETE, path, auth, Value::Null).await
}

/// The body of a response that must be 201.
pub async fn created(resp: TestResponse) -> Value {
    resp.assert_status(StatusCode::CREATED);
    json(resp).await
}

/// The body of a response that must be 200.
pub async fn ok(resp: TestResponse) -> Value {
    resp.assert_status_is_ok();
    json(resp).await
}

/// Asserts a 400 whose body names `field` with `message`.
pub async fn invalid(resp: TestResponse, field: &str, message: &str) {
    resp.assert_status(StatusCode::BAD_REQUEST);
    let body = json(resp).await;
    assert_eq!(body[field], json!([message]), "{body}");
}

/// Asserts the status and `{"detail": ...}` body.
pub async fn detail(resp: TestResponse, status: StatusCode, text: &str) {
    resp.assert_status(status);
    assert_eq!(json(resp).await, json!({"detail": text}));
}
