//! Email invites through the API: handed over to the invited address and accepted once.

use poem::http::StatusCode;
use serde_json::json;

use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(email_invites_are_handed_over_and_accepted_once,);

async fn email_invites_are_handed_over_and_accepted_once(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let resp = app
        .post(
            &format!("/api/v1/organisations/{org}/invite/"),
            Some(&root),
            json!({"invites": [{"email": "Bob@Example.com", "role": "ADMIN"}]}),
        )
        .await;
    resp.assert_status(StatusCode::CREATED);
    let invites = json(resp).await;
    assert_eq!(invites[0]["email"], "bob@example.com");
    let link = invites[0]["link"].as_str().unwrap().to_string();
    assert!(link.starts_with("/api/v1/users/join/"));
    let eve = app.user("eve@example.com").await;
    let wrong = app.post(&link, Some(&eve), json!({})).await;
    wrong.assert_status(StatusCode::BAD_REQUEST);
    let bob = app.user("bob@example.com").await;
    let joined = app.post(&link, Some(&bob), json!({})).await;
    joined.assert_status_is_ok();
    assert_eq!(json(joined).await["role"], "ADMIN");
    app.post(&link, Some(&bob), json!({}))
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    let pending = json(
        app.get(
            &format!("/api/v1/organisations/{org}/invites/"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert_eq!(pending["count"], 0);
}
