//! Organisations through the API: their creator, members, admins and API keys.

use flagstaff::domain::audit::AuditQuery;
use flagstaff::domain::{OrganisationId, PageRequest};
use poem::http::StatusCode;
use serde_json::json;

use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    the_creator_administers_a_new_organisation,
    members_see_but_only_admins_change,
    api_keys_authenticate_until_revoked,
    organisations_of_others_are_not_found,
    an_organisation_always_keeps_an_administrator,
);

async fn the_creator_administers_a_new_organisation(app: TestApp) {
    let token = app.superuser("root@example.com").await;
    let resp = app
        .post(
            "/api/v1/organisations/",
            Some(&token),
            json!({"name": "Acme"}),
        )
        .await;
    resp.assert_status(StatusCode::CREATED);
    let org = json(resp).await;
    assert_eq!(org["name"], "Acme");
    assert_eq!(org["role"], "ADMIN");
    assert_eq!(org["num_seats"], 1);
    assert_eq!(org["persist_trait_data"], true);
    let id = org["id"].as_i64().unwrap();
    let list = json(app.get("/api/v1/organisations/", Some(&token)).await).await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["id"], id);
    let renamed = app
        .send(
            "PATCH",
            &format!("/api/v1/organisations/{id}/"),
            Some(&token),
            Some(json!({"name": "Acme Ltd"})),
        )
        .await;
    renamed.assert_status_is_ok();
    assert_eq!(json(renamed).await["name"], "Acme Ltd");
    let blank = app
        .send(
            "PATCH",
            &format!("/api/v1/organisations/{id}/"),
            Some(&token),
            Some(json!({"name": " "})),
        )
        .await;
    blank.assert_status(StatusCode::BAD_REQUEST);
    assert!(json(blank).await["name"].is_array());
    let empty = app
        .post("/api/v1/organisations/", Some(&token), json!({}))
        .await;
    empty.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(json(empty).await["name"][0], "This field is required.");
    app.send(
        "DELETE",
        &format!("/api/v1/organisations/{id}/"),
        Some(&token),
        None,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    assert_eq!(
        json(app.get("/api/v1/organisations/", Some(&token)).await).await["count"],
        0
    );
}

async fn members_see_but_only_admins_change(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let ada = app.user("ada@example.com").await;
    let link = json(
        app.post(
            &format!("/api/v1/organisations/{org}/invite-links/"),
            Some(&root),
            json!({"role": "USER"}),
        )
        .await,
    )
    .await;
    let hash = link["hash"].as_str().unwrap();
    let joined = app
        .post(
            &format!("/api/v1/users/join/link/{hash}/"),
            Some(&ada),
            json!({}),
        )
        .await;
    joined.assert_status_is_ok();
    assert_eq!(json(joined).await["role"], "USER");
    let members = json(
        app.get(&format!("/api/v1/organisations/{org}/users/"), Some(&ada))
            .await,
    )
    .await;
    assert_eq!(members.as_array().unwrap().len(), 2);
    let others = json(
        app.get(
            &format!("/api/v1/organisations/{org}/users/?exclude_current=true"),
            Some(&ada),
        )
        .await,
    )
    .await;
    assert_eq!(others[0]["email"], "root@example.com");
    app.send(
        "PATCH",
        &format!("/api/v1/organisations/{org}/"),
        Some(&ada),
        Some(json!({"name": "Mine"})),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let ada_id = app.me(&ada).await;
    let promoted = app
        .post(
            &format!("/api/v1/organisations/{org}/users/{ada_id}/update-role/"),
            Some(&root),
            json!({"role": "ADMIN"}),
        )
        .await;
    promoted.assert_status_is_ok();
    assert_eq!(json(promoted).await["role"], "ADMIN");
    let bad_role = app
        .post(
            &format!("/api/v1/organisations/{org}/users/{ada_id}/update-role/"),
            Some(&root),
            json!({"role": "OWNER"}),
        )
        .await;
    bad_role.assert_status(StatusCode::BAD_REQUEST);
    assert!(json(bad_role).await["role"].is_array());
    app.post(
        &format!("/api/v1/organisations/{org}/remove-users/"),
        Some(&root),
        json!([{"id": ada_id}]),
    )
    .await
    .assert_status_is_ok();
    app.get(&format!("/api/v1/organisations/{org}/"), Some(&ada))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn api_keys_authenticate_until_revoked(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let created = app
        .post(
            &format!("/api/v1/organisations/{org}/master-api-keys/"),
            Some(&root),
            json!({"name": "ci"}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let created = json(created).await;
    let key = created["key"].as_str().unwrap().to_string();
    let prefix = created["prefix"].as_str().unwrap().to_string();
    assert!(key.starts_with(&format!("{prefix}.")));
    assert_eq!(created["is_admin"], true);
    let listed = json(
        app.get(
            &format!("/api/v1/organisations/{org}/master-api-keys/"),
            Some(&root),
        )
        .await,
    )
    .await;
    assert!(
        listed["results"][0]["key"].is_null(),
        "the key is shown only once"
    );
    let with_key = app
        .client
        .get("/api/v1/organisations/")
        .header("authorization", format!("Api-Key {key}"))
        .send()
        .await;
    with_key.assert_status_is_ok();
    assert_eq!(json(with_key).await["results"][0]["id"], org);
    let by_key = app
        .client
        .post("/api/v1/projects/")
        .header("authorization", format!("Api-Key {key}"))
        .body_json(&json!({"name": "Web", "organisation": org}))
        .send()
        .await;
    by_key.assert_status(StatusCode::CREATED);
    app.send(
        "PATCH",
        &format!("/api/v1/organisations/{org}/master-api-keys/{prefix}/"),
        Some(&root),
        Some(json!({"revoked": true})),
    )
    .await
    .assert_status_is_ok();
    let revoked = app
        .client
        .get("/api/v1/organisations/")
        .header("authorization", format!("Api-Key {key}"))
        .send()
        .await;
    revoked.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(
        json(revoked).await["detail"],
        "Valid Master API Key not found."
    );
    let log = json(
        app.get(&format!("/api/v1/organisations/{org}/audit/"), Some(&root))
            .await,
    )
    .await;
    let texts: Vec<&str> = log["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["log"].as_str().unwrap())
        .collect();
    // The key's creation is recorded, but, as upstream's, the organisation's log lists only
    // what happened in its projects.
    let recorded = app
        .store
        .audit_entries(
            &AuditQuery {
                organisation_id: Some(OrganisationId(org)),
                ..AuditQuery::default()
            },
            PageRequest::all(),
        )
        .await
        .unwrap()
        .items;
    assert!(
        recorded
            .iter()
            .any(|e| e.log.contains("Master API key created: ci"))
    );
    assert!(
        !texts.iter().any(|t| t.contains("Master API key")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("New Project created: Web")),
        "{texts:?}"
    );
}

async fn organisations_of_others_are_not_found(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let eve = app.user("eve@example.com").await;
    for (method, path) in [
        ("GET", format!("/api/v1/organisations/{org}/")),
        ("PATCH", format!("/api/v1/organisations/{org}/")),
        ("DELETE", format!("/api/v1/organisations/{org}/")),
        ("GET", format!("/api/v1/organisations/{org}/users/")),
        (
            "GET",
            format!("/api/v1/organisations/{org}/master-api-keys/"),
        ),
        ("GET", format!("/api/v1/organisations/{org}/groups/")),
        ("GET", format!("/api/v1/organisations/{org}/audit/")),
    ] {
        let resp = app
            .send(method, &path, Some(&eve), Some(json!({"name": "x"})))
            .await;
        resp.assert_status(StatusCode::NOT_FOUND);
    }
    assert_eq!(
        json(
            app.get(&format!("/api/v1/organisations/{org}/"), Some(&root))
                .await
        )
        .await["name"],
        "Acme"
    );
}

async fn an_organisation_always_keeps_an_administrator(app: TestApp) {
    let root = app.superuser("root@example.com").await;
    let org = app.org(&root, "Acme").await;
    let root_id = app.me(&root).await;
    let ada = app.user("ada@example.com").await;
    let ada_id = app.me(&ada).await;
    let invite = json(
        app.post(
            &format!("/api/v1/organisations/{org}/invite-links/"),
            Some(&root),
            json!({"role": "USER"}),
        )
        .await,
    )
    .await;
    let hash = invite["hash"].as_str().unwrap();
    app.post(
        &format!("/api/v1/users/join/link/{hash}/"),
        Some(&ada),
        json!({}),
    )
    .await
    .assert_status_is_ok();
    let role = |user: i64, role: &str| {
        let path = format!("/api/v1/organisations/{org}/users/{user}/update-role/");
        let body = json!({ "role": role });
        let root = root.clone();
        let app = &app;
        async move { app.post(&path, Some(&root), body).await }
    };
    // The only administrator can neither step down nor leave, alone or with others.
    let demoted = role(root_id, "USER").await;
    demoted.assert_status(StatusCode::BAD_REQUEST);
    assert!(
        json(demoted).await["role"][0]
            .as_str()
            .unwrap()
            .contains("administrator")
    );
    for ids in [
        json!([{"id": root_id}]),
        json!([{"id": root_id}, {"id": ada_id}]),
    ] {
        let removed = app
            .post(
                &format!("/api/v1/organisations/{org}/remove-users/"),
                Some(&root),
                ids,
            )
            .await;
        removed.assert_status(StatusCode::BAD_REQUEST);
        assert!(json(removed).await["non_field_errors"].is_array());
    }
    // Nothing was changed by the refusals: both are still members.
    let members = json(
        app.get(&format!("/api/v1/organisations/{org}/users/"), Some(&root))
            .await,
    )
    .await;
    assert_eq!(members.as_array().unwrap().len(), 2);
    // With a second administrator, the first may step down.
    role(ada_id, "ADMIN").await.assert_status_is_ok();
    role(root_id, "USER").await.assert_status_is_ok();
}
