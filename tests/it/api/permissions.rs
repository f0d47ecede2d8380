use poem::http::StatusCode;
use serde_json::json;

use super::world::{World, created, get, ok, post};
use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    a_members_permissions_are_shown_with_their_sources,
    group_grants_give_their_members_access,
    grants_refuse_unknown_keys_and_strangers,
    email_invites_are_handed_over_and_accepted_once,
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

async fn a_members_permissions_are_shown_with_their_sources(app: TestApp) {
    let w = World::new(&app).await;
    let ada = w
        .member(
            &app,
            "ada@example.com",
            &["VIEW_PROJECT", "CREATE_FEATURE"],
            &["VIEW_ENVIRONMENT"],
        )
        .await;
    let ada_id = app.me(ada.trim_start_matches("Token ")).await;
    let group = created(
        post(
            &app,
            &format!("/api/v1/organisations/{}/groups/", w.org),
            &w.admin,
            json!({"name": "Devs"}),
        )
        .await,
    )
    .await;
    let group_id = group["id"].as_i64().unwrap();
    ok(post(
        &app,
        &format!(
            "/api/v1/organisations/{}/groups/{group_id}/add-users/",
            w.org
        ),
        &w.admin,
        json!({"user_ids": [ada_id]}),
    )
    .await)
    .await;
    for (path, keys) in [
        (
            format!("/api/v1/projects/{}/user-group-permissions/", w.project),
            json!(["CREATE_FEATURE", "MANAGE_SEGMENTS"]),
        ),
        (
            format!("/api/v1/environments/{}/user-group-permissions/", w.env_key),
            json!(["VIEW_ENVIRONMENT"]),
        ),
    ] {
        post(
            &app,
            &path,
            &w.admin,
            json!({"group": group_id, "permissions": keys, "admin": false}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    }
    let devs = json!({"groups": [{"id": group_id, "name": "Devs"}], "roles": []});
    let nobody = json!({"groups": [], "roles": []});

    let all = format!(
        "/api/v1/projects/{}/all-user-permissions/{ada_id}/",
        w.project
    );
    assert_eq!(
        ok(get(&app, &all, &w.admin).await).await,
        json!({"permissions": ["CREATE_FEATURE", "MANAGE_SEGMENTS", "VIEW_PROJECT"],
               "admin": false, "tag_based_permissions": []})
    );
    let detailed = format!(
        "/api/v1/projects/{}/user-detailed-permissions/{ada_id}/",
        w.project
    );
    let expected = json!({
        "admin": false,
        "is_directly_granted": false,
        "derived_from": nobody,
        "permissions": [
            {"permission_key": "CREATE_FEATURE", "is_directly_granted": true, "derived_from": devs},
            {"permission_key": "MANAGE_SEGMENTS", "is_directly_granted": false, "derived_from": devs},
            {"permission_key": "VIEW_PROJECT", "is_directly_granted": true, "derived_from": nobody},
        ],
    });
    assert_eq!(ok(get(&app, &detailed, &w.admin).await).await, expected);
    // A member may read their own details, but not the full list, nor another's.
    assert_eq!(ok(get(&app, &detailed, &ada).await).await, expected);
    get(&app, &all, &ada)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let admin_id = app.me(w.admin.trim_start_matches("Token ")).await;
    let admins = format!(
        "/api/v1/projects/{}/user-detailed-permissions/{admin_id}/",
        w.project
    );
    get(&app, &admins, &ada)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let root = ok(get(&app, &admins, &w.admin).await).await;
    assert_eq!(
        (root["admin"].clone(), root["is_directly_granted"].clone()),
        (json!(true), json!(true))
    );

    let env = format!(
        "/api/v1/environments/{}/user-detailed-permissions/{ada_id}/",
        w.env_key
    );
    assert_eq!(
        ok(get(&app, &env, &ada).await).await,
        json!({"admin": false, "is_directly_granted": false, "derived_from": nobody,
               "permissions": [{"permission_key": "VIEW_ENVIRONMENT", "is_directly_granted": true, "derived_from": devs}]})
    );
    let env_admin = ok(get(
        &app,
        &format!(
            "/api/v1/environments/{}/user-detailed-permissions/{admin_id}/",
            w.env_key
        ),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(env_admin["admin"], true);

    // Users outside the organisation, and unknown users, are not found.
    let stranger = app.user("stranger@example.com").await;
    let stranger_id = app.me(&stranger).await;
    for user in [stranger_id, 999_999] {
        for path in [
            format!(
                "/api/v1/projects/{}/all-user-permissions/{user}/",
                w.project
            ),
            format!(
                "/api/v1/projects/{}/user-detailed-permissions/{user}/",
                w.project
            ),
            format!(
                "/api/v1/environments/{}/user-detailed-permissions/{user}/",
                w.env_key
            ),
        ] {
            get(&app, &path, &w.admin)
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
    }
    get(
        &app,
        &format!("/api/v1/projects/999999/all-user-permissions/{ada_id}/"),
        &w.admin,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}
