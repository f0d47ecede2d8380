//! Permission grants through the API: to groups and users, with unknown keys and strangers refused.

use poem::http::StatusCode;
use serde_json::json;

use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    group_grants_give_their_members_access,
    grants_refuse_unknown_keys_and_strangers,
);

/// Root's organisation with Ada as a plain member.
async fn with_member(app: &TestApp) -> (String, i64, String, i64) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let ada = app.user("ada@example.com").await;
    let link = json(
        app.post(
            &format!("/api/v1/organisations/{org}/invite-links/"),
            Some(&root),
            json!({}),
        )
        .await,
    )
    .await;
    app.post(
        &format!(
            "/api/v1/users/join/link/{}/",
            link["hash"].as_str().unwrap()
        ),
        Some(&ada),
        json!({}),
    )
    .await
    .assert_status_is_ok();
    let ada_id = app.me(&ada).await;
    (root, org, ada, ada_id)
}

async fn group_grants_give_their_members_access(app: TestApp) {
    let (root, org, ada, ada_id) = with_member(&app).await;
    let project = app.project(&root, org, "Web").await;
    let (_, env_key) = app.environment(&root, project, "Production").await;
    let group = json(
        app.post(
            &format!("/api/v1/organisations/{org}/groups/"),
            Some(&root),
            json!({"name": "Devs"}),
        )
        .await,
    )
    .await;
    let group_id = group["id"].as_i64().unwrap();
    let added = app
        .post(
            &format!("/api/v1/organisations/{org}/groups/{group_id}/add-users/"),
            Some(&root),
            json!({"user_ids": [ada_id]}),
        )
        .await;
    assert_eq!(json(added).await["users"][0]["id"], ada_id);
    app.post(
        &format!("/api/v1/projects/{project}/user-group-permissions/"),
        Some(&root),
        json!({"group": group_id, "permissions": ["VIEW_PROJECT"]}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let env_grant = app
        .post(
            &format!("/api/v1/environments/{env_key}/user-group-permissions/"),
            Some(&root),
            json!({"group": group_id, "admin": true}),
        )
        .await;
    env_grant.assert_status(StatusCode::CREATED);
    let grant_id = json(env_grant).await["id"].as_i64().unwrap();
    let mine = json(
        app.get(
            &format!("/api/v1/environments/{env_key}/my-permissions/"),
            Some(&ada),
        )
        .await,
    )
    .await;
    assert_eq!(mine["admin"], true);
    app.get(
        &format!("/api/v1/environments/{env_key}/api-keys/"),
        Some(&ada),
    )
    .await
    .assert_status_is_ok();
    let mine_groups = json(
        app.get(
            &format!("/api/v1/organisations/{org}/groups/my-groups/"),
            Some(&ada),
        )
        .await,
    )
    .await;
    assert_eq!(mine_groups["count"], 1);
    app.send(
        "PATCH",
        &format!("/api/v1/environments/{env_key}/user-group-permissions/{grant_id}/"),
        Some(&root),
        Some(json!({"admin": false, "permissions": ["VIEW_ENVIRONMENT"]})),
    )
    .await
    .assert_status_is_ok();
    app.get(
        &format!("/api/v1/environments/{env_key}/api-keys/"),
        Some(&ada),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post(
        &format!("/api/v1/organisations/{org}/groups/{group_id}/remove-users/"),
        Some(&root),
        json!({"user_ids": [ada_id]}),
    )
    .await
    .assert_status_is_ok();
    app.get(&format!("/api/v1/environments/{env_key}/"), Some(&ada))
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

async fn grants_refuse_unknown_keys_and_strangers(app: TestApp) {
    let (root, org, _ada, ada_id) = with_member(&app).await;
    let project = app.project(&root, org, "Web").await;
    let unknown = app
        .post(
            &format!("/api/v1/projects/{project}/user-permissions/"),
            Some(&root),
            json!({"user": ada_id, "permissions": ["FLY"]}),
        )
        .await;
    unknown.assert_status(StatusCode::BAD_REQUEST);
    assert!(json(unknown).await["permissions"].is_array());
    let eve = app.user("eve@example.com").await;
    let eve_id = app.me(&eve).await;
    let stranger = app
        .post(
            &format!("/api/v1/projects/{project}/user-permissions/"),
            Some(&root),
            json!({"user": eve_id}),
        )
        .await;
    stranger.assert_status(StatusCode::BAD_REQUEST);
    assert!(json(stranger).await["user"].is_array());
    let grants = json(
        app.get(
            &format!("/api/v1/projects/{project}/user-permissions/"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert_eq!(
        grants.as_array().unwrap().len(),
        1,
        "only the creator's admin grant"
    );
    app.get(
        &format!("/api/v1/projects/{project}/user-permissions/"),
        Some(&eve),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}
