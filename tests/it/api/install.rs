//! The first run: the installation form and the bootstrap from configuration.

use poem::http::StatusCode;
use serde_json::json;

use super::{TestApp, json};
use crate::api_on_both_backends;
use crate::harness::Backend;

api_on_both_backends!(the_install_form_creates_the_first_superuser_once);

fn form_token(html: &str) -> String {
    let start = html.find("name=\"token\" value=\"").unwrap() + "name=\"token\" value=\"".len();
    html[start..].split('"').next().unwrap().to_string()
}

async fn the_install_form_creates_the_first_superuser_once(app: TestApp) {
    let page = app.get("/api/v1/users/config/init/", None).await;
    page.assert_status_is_ok();
    let html = page.0.into_body().into_string().await.unwrap();
    assert!(html.contains("<form") && html.contains("name=\"site_domain\""));
    let token = form_token(&html);
    let post = |token: String, password: &'static str| {
        app.client
            .post("/api/v1/users/config/init/")
            .content_type("application/x-www-form-urlencoded")
            .body(format!(
                "email=root%40example.com&password={password}&site_name=Flags&site_domain=flags.example.com&token={token}"
            ))
            .send()
    };
    post("forged".into(), "correct+horse+battery")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let weak = post(token.clone(), "short").await;
    weak.assert_status(StatusCode::BAD_REQUEST);
    assert!(json(weak).await["password"].is_array());
    let done = post(token.clone(), "correct+horse+battery").await;
    done.assert_status(StatusCode::CREATED);
    assert_eq!(
        json(done).await["message"],
        "INSTALLATION CONFIGURED SUCCESSFULLY"
    );
    assert_eq!(
        app.store.setting("site_domain").await.unwrap().as_deref(),
        Some("flags.example.com")
    );
    app.post(
        "/api/v1/auth/login/",
        None,
        json!({"email": "root@example.com", "password": "correct horse battery"}),
    )
    .await
    .assert_status_is_ok();
    app.get("/api/v1/users/config/init/", None)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    post(token, "another+long+phrase")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.store.count_users().await.unwrap(), 1);
}

#[tokio::test]
async fn admin_initiation_bootstraps_an_organisation_and_a_project() {
    let env = [
        ("ALLOW_ADMIN_INITIATION_VIA_CLI", "true"),
        ("ADMIN_EMAIL", "boss@example.com"),
        ("ADMIN_PASSWORD", "correct horse battery"),
        ("ORGANISATION_NAME", "Acme"),
        ("PROJECT_NAME", "Web"),
    ];
    super::run(Backend::Sqlite, &env, |app| async move {
        let login = app
            .post(
                "/api/v1/auth/login/",
                None,
                json!({"email": "boss@example.com", "password": "correct horse battery"}),
            )
            .await;
        login.assert_status_is_ok();
        let token = json(login).await["key"].as_str().unwrap().to_string();
        let orgs = json(app.get("/api/v1/organisations/", Some(&token)).await).await;
        assert_eq!(orgs["results"][0]["name"], "Acme");
        let projects = json(app.get("/api/v1/projects/", Some(&token)).await).await;
        assert_eq!(projects[0]["name"], "Web");
    })
    .await;
}

#[test]
fn admin_initiation_without_a_password_is_a_configuration_problem() {
    let sources = flagstaff::config::Sources {
        env: [(
            "ALLOW_ADMIN_INITIATION_VIA_CLI".to_string(),
            "true".to_string(),
        )]
        .into(),
        ..Default::default()
    };
    let problems = flagstaff::config::Config::load(&sources).unwrap_err();
    assert!(
        problems.iter().any(|p| p.contains("admin_password")),
        "{problems:?}"
    );
}
