//! What one member holds on an organisation, project or environment, with each one's source.

use poem::http::StatusCode;
use serde_json::json;

use super::TestApp;
use super::world::{World, created, get, ok, post};
use crate::api_on_both_backends;

api_on_both_backends!(a_members_permissions_are_shown_with_their_sources,);

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

    // On the organisation: a grant of ada's own, and one of her group's.
    for (path, body) in [
        (
            format!("/api/v1/organisations/{}/user-permissions/", w.org),
            json!({"user": ada_id, "permissions": ["CREATE_PROJECT"]}),
        ),
        (
            format!("/api/v1/organisations/{}/user-group-permissions/", w.org),
            json!({"group": group_id, "permissions": ["MANAGE_USER_GROUPS"]}),
        ),
    ] {
        created(post(&app, &path, &w.admin, body).await).await;
    }
    let in_org = format!(
        "/api/v1/organisations/{}/user-detailed-permissions/{ada_id}/",
        w.org
    );
    let expected = json!({"admin": false, "is_directly_granted": false, "derived_from": nobody,
    "permissions": [
        {"permission_key": "CREATE_PROJECT", "is_directly_granted": true, "derived_from": nobody},
        {"permission_key": "MANAGE_USER_GROUPS", "is_directly_granted": false, "derived_from": devs},
    ]});
    assert_eq!(ok(get(&app, &in_org, &w.admin).await).await, expected);
    assert_eq!(ok(get(&app, &in_org, &ada).await).await, expected);
    let org_admin = format!(
        "/api/v1/organisations/{}/user-detailed-permissions/{admin_id}/",
        w.org
    );
    assert_eq!(
        ok(get(&app, &org_admin, &w.admin).await).await["admin"],
        true
    );
    get(&app, &org_admin, &ada)
        .await
        .assert_status(StatusCode::FORBIDDEN);

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
            format!(
                "/api/v1/organisations/{}/user-detailed-permissions/{user}/",
                w.org
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
