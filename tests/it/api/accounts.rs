//! Accounts through the API: the first superuser, sign-up, login and their refusals.

use chrono::TimeDelta;
use poem::http::StatusCode;
use serde_json::json;

use super::{TestApp, json};
use crate::api_on_both_backends;
use crate::harness::Backend;

api_on_both_backends!(
    the_first_superuser_signs_up_once,
    sign_up_refuses_bad_input_naming_the_field,
    login_returns_a_token_that_authenticates,
    bad_credentials_are_refused_clearly,
    logout_invalidates_the_token,
    the_current_user_can_change_names_and_password,
);

const PASSWORD: &str = "correct horse battery";

async fn the_first_superuser_signs_up_once(app: TestApp) {
    let resp = app
        .post(
            "/api/v1/auth/users/",
            None,
            json!({"email": "Root@Example.com", "password": PASSWORD, "first_name": "Ro", "last_name": "Ot", "superuser": true}),
        )
        .await;
    resp.assert_status(StatusCode::CREATED);
    let body = json(resp).await;
    assert_eq!(body["email"], "root@example.com");
    assert_eq!(body["first_name"], "Ro");
    assert_eq!(body["is_active"], true);
    assert_eq!(body["key"].as_str().unwrap().len(), 40);
    assert!(body["id"].is_i64() && body["uuid"].is_string());
    let me = json(
        app.get("/api/v1/auth/users/me/", body["key"].as_str())
            .await,
    )
    .await;
    assert_eq!(me["is_superuser"], true);

    let again = app
        .post(
            "/api/v1/auth/users/",
            None,
            json!({"email": "b@example.com", "password": PASSWORD, "superuser": true}),
        )
        .await;
    again.assert_status(StatusCode::BAD_REQUEST);
    assert!(json(again).await["superuser"].is_array());
    let version = json(app.get("/version/", None).await).await;
    assert_eq!(version["self_hosted_data"]["has_users"], true);
}

async fn sign_up_refuses_bad_input_naming_the_field(app: TestApp) {
    let cases = [
        (
            json!({"password": PASSWORD}),
            "email",
            "This field is required.",
        ),
        (
            json!({"email": "not-an-email", "password": PASSWORD}),
            "email",
            "Enter a valid email address.",
        ),
        (
            json!({"email": "a@example.com", "password": "short"}),
            "password",
            "This password is too short. It must contain at least 8 characters.",
        ),
        (
            json!({"email": 5, "password": PASSWORD}),
            "email",
            "Not a valid string.",
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "first_name": "x".repeat(151)}),
            "first_name",
            "Ensure this field has no more than 150 characters.",
        ),
    ];
    for (body, field, message) in cases {
        let resp = app.post("/api/v1/auth/users/", None, body.clone()).await;
        resp.assert_status(StatusCode::BAD_REQUEST);
        let errors = json(resp).await;
        assert_eq!(errors[field][0], message, "{body} gave {errors}");
    }
    let malformed = app
        .client
        .post("/api/v1/auth/users/")
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await;
    malformed.assert_status(StatusCode::BAD_REQUEST);
    assert!(
        json(malformed).await["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error")
    );

    app.post(
        "/api/v1/auth/users/",
        None,
        json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let duplicate = app
        .post(
            "/api/v1/auth/users/",
            None,
            json!({"email": "ADA@example.com", "password": PASSWORD}),
        )
        .await;
    duplicate.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        json(duplicate).await["email"][0],
        "Email already exists. Please log in."
    );
    assert_eq!(
        app.store.count_users().await.unwrap(),
        1,
        "no partial write"
    );
}

async fn login_returns_a_token_that_authenticates(app: TestApp) {
    app.superuser("root@example.com").await;
    let resp = app
        .post(
            "/api/v1/auth/login/",
            None,
            json!({"email": "ROOT@example.com", "password": PASSWORD}),
        )
        .await;
    resp.assert_status_is_ok();
    let token = json(resp).await["key"].as_str().unwrap().to_string();
    let me = app.get("/api/v1/auth/users/me/", Some(&token)).await;
    me.assert_status_is_ok();
    let me = json(me).await;
    assert_eq!(me["email"], "root@example.com");
    assert!(me["last_login"].is_string());
    let version = json(app.get("/version/", None).await).await;
    assert_eq!(version["self_hosted_data"]["has_logins"], true);
}

async fn bad_credentials_are_refused_clearly(app: TestApp) {
    app.superuser("root@example.com").await;
    let wrong = app
        .post(
            "/api/v1/auth/login/",
            None,
            json!({"email": "root@example.com", "password": "wrong horse battery"}),
        )
        .await;
    wrong.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        json(wrong).await,
        json!({"non_field_errors": ["Unable to log in with provided credentials."]})
    );
    let unknown = app
        .post(
            "/api/v1/auth/login/",
            None,
            json!({"email": "nobody@example.com", "password": PASSWORD}),
        )
        .await;
    unknown.assert_status(StatusCode::BAD_REQUEST);

    let none = app.get("/api/v1/auth/users/me/", None).await;
    none.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(
        json(none).await["detail"],
        "Authentication credentials were not provided."
    );
    let bad_token = app.get("/api/v1/auth/users/me/", Some("0000")).await;
    bad_token.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(json(bad_token).await["detail"], "Invalid token.");
    let bad_key = app
        .client
        .get("/api/v1/auth/users/me/")
        .header("authorization", "Api-Key abcdefgh.nope")
        .send()
        .await;
    bad_key.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(
        json(bad_key).await["detail"],
        "Valid Master API Key not found."
    );
}

async fn logout_invalidates_the_token(app: TestApp) {
    let token = app.superuser("root@example.com").await;
    let resp = app
        .client
        .delete("/api/v1/auth/token/")
        .header("authorization", format!("Token {token}"))
        .send()
        .await;
    resp.assert_status(StatusCode::NO_CONTENT);
    app.get("/api/v1/auth/users/me/", Some(&token))
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

async fn the_current_user_can_change_names_and_password(app: TestApp) {
    let token = app.superuser("root@example.com").await;
    let resp = app
        .client
        .patch("/api/v1/auth/users/me/")
        .header("authorization", format!("Token {token}"))
        .body_json(&json!({"first_name": "Grace"}))
        .send()
        .await;
    resp.assert_status_is_ok();
    assert_eq!(json(resp).await["first_name"], "Grace");

    let wrong = app
        .post(
            "/api/v1/auth/users/set_password/",
            Some(&token),
            json!({"current_password": "nope nope nope", "new_password": "a new long phrase", "re_new_password": "a new long phrase"}),
        )
        .await;
    wrong.assert_status(StatusCode::BAD_REQUEST);
    assert!(json(wrong).await["current_password"].is_array());
    app.post(
        "/api/v1/auth/users/set_password/",
        Some(&token),
        json!({"current_password": PASSWORD, "new_password": "a new long phrase", "re_new_password": "a new long phrase"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    app.post(
        "/api/v1/auth/login/",
        None,
        json!({"email": "root@example.com", "password": "a new long phrase"}),
    )
    .await
    .assert_status_is_ok();
}

async fn repeated_failures_lock_the_account_for_a_while(app: TestApp) {
    app.superuser("root@example.com").await;
    let attempt = |password: &'static str| {
        app.post(
            "/api/v1/auth/login/",
            None,
            json!({"email": "root@example.com", "password": password}),
        )
    };
    attempt("wrong one 1")
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    attempt("wrong one 2")
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    let third = attempt("wrong one 3").await;
    third.assert_status(StatusCode::FORBIDDEN);
    assert!(
        json(third).await["detail"]
            .as_str()
            .unwrap()
            .contains("locked")
    );
    let right = attempt(PASSWORD).await;
    right.assert_status(StatusCode::FORBIDDEN);
    app.clock.advance(TimeDelta::minutes(61));
    attempt(PASSWORD).await.assert_status_is_ok();
}

#[tokio::test]
async fn sqlite_lockout() {
    super::run(
        Backend::Sqlite,
        &[("AXES_FAILURE_LIMIT", "3")],
        repeated_failures_lock_the_account_for_a_while,
    )
    .await;
}

#[tokio::test]
async fn postgres_lockout() {
    super::run(
        Backend::Postgres,
        &[("AXES_FAILURE_LIMIT", "3")],
        repeated_failures_lock_the_account_for_a_while,
    )
    .await;
}

#[tokio::test]
async fn logins_are_throttled_per_client() {
    super::run(
        Backend::Sqlite,
        &[("LOGIN_THROTTLE_RATE", "2/min")],
        |app| async move {
            for _ in 0..2 {
                app.post(
                    "/api/v1/auth/login/",
                    None,
                    json!({"email": "a@example.com", "password": "x"}),
                )
                .await
                .assert_status(StatusCode::BAD_REQUEST);
            }
            let third = app
                .post(
                    "/api/v1/auth/login/",
                    None,
                    json!({"email": "a@example.com", "password": "x"}),
                )
                .await;
            third.assert_status(StatusCode::TOO_MANY_REQUESTS);
            assert!(third.0.headers().contains_key("retry-after"));
        },
    )
    .await;
}

#[tokio::test]
async fn signup_settings_are_honoured() {
    super::run(
        Backend::Sqlite,
        &[("PREVENT_SIGNUP", "true")],
        |app| async move {
            app.post(
                "/api/v1/auth/users/",
                None,
                json!({"email": "a@example.com", "password": PASSWORD}),
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        },
    )
    .await;
    super::run(
        Backend::Sqlite,
        &[("ALLOW_REGISTRATION_WITHOUT_INVITE", "false")],
        |app| async move {
            let resp = app
                .post(
                    "/api/v1/auth/users/",
                    None,
                    json!({"email": "a@example.com", "password": PASSWORD}),
                )
                .await;
            resp.assert_status(StatusCode::FORBIDDEN);
            assert_eq!(
                json(resp).await["detail"],
                "User registration without an invite is disabled for this installation."
            );
            app.superuser("root@example.com").await;
        },
    )
    .await;
}
