//! Tags through the API: created, listed, changed and deleted, and who may write them.

use poem::http::StatusCode;
use serde_json::json;

use super::TestApp;
use super::world::{World, created, delete, detail, get, invalid, ok, patch, post, put};
use crate::api_on_both_backends;

api_on_both_backends!(
    tags_are_created_listed_changed_and_deleted,
    tag_input_is_validated_by_field,
    tags_of_other_organisations_are_not_found,
    writing_tags_needs_manage_tags,
);

async fn tags_are_created_listed_changed_and_deleted(app: TestApp) {
    let w = World::new(&app).await;
    let base = format!("/api/v1/projects/{}/tags/", w.project);
    let (log, updated_at) = (w.audit_log(&app).await, w.env_updated_at(&app).await);
    let tag = created(
        post(
            &app,
            &base,
            &w.admin,
            json!({"label": "beta", "color": "#3d4db6", "description": "early"}),
        )
        .await,
    )
    .await;
    assert_eq!(tag["label"], "beta");
    assert_eq!(tag["color"], "#3d4db6");
    assert_eq!(tag["description"], "early");
    assert_eq!(tag["project"], w.project);
    assert_eq!(tag["is_permanent"], false);
    assert_eq!(tag["is_system_tag"], false);
    assert_eq!(tag["type"], "NONE");
    assert!(tag["uuid"].is_string());
    let id = tag["id"].as_i64().unwrap();

    let list = ok(get(&app, &base, &w.admin).await).await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["next"], json!(null));
    assert_eq!(list["results"][0]["id"], id);
    let second = ok(get(&app, &format!("{base}?page=1"), &w.admin).await).await;
    assert_eq!(second["count"], 1);
    get(&app, &format!("{base}?page=2"), &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let one = format!("{base}{id}/");
    assert_eq!(ok(get(&app, &one, &w.admin).await).await, tag);
    let changed = ok(patch(
        &app,
        &one,
        &w.admin,
        json!({"is_permanent": true, "description": null}),
    )
    .await)
    .await;
    assert_eq!(changed["is_permanent"], true);
    assert_eq!(changed["description"], json!(null));
    assert_eq!(changed["label"], "beta");
    let replaced = ok(put(
        &app,
        &one,
        &w.admin,
        json!({"label": "gamma", "color": "#fff"}),
    )
    .await)
    .await;
    assert_eq!(replaced["label"], "gamma");

    delete(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    get(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // Tags are not audited and change nothing the SDKs see, as upstream.
    assert_eq!(w.audit_log(&app).await, log);
    assert_eq!(w.env_updated_at(&app).await, updated_at);
}

async fn tag_input_is_validated_by_field(app: TestApp) {
    let w = World::new(&app).await;
    let base = format!("/api/v1/projects/{}/tags/", w.project);
    invalid(
        post(&app, &base, &w.admin, json!({"color": "#fff"})).await,
        "label",
        "This field is required.",
    )
    .await;
    invalid(
        post(&app, &base, &w.admin, json!({"label": "x"})).await,
        "color",
        "This field is required.",
    )
    .await;
    invalid(
        post(
            &app,
            &base,
            &w.admin,
            json!({"label": " ", "color": "#fff"}),
        )
        .await,
        "label",
        "This field may not be blank.",
    )
    .await;
    invalid(
        post(
            &app,
            &base,
            &w.admin,
            json!({"label": "x".repeat(101), "color": "#fff"}),
        )
        .await,
        "label",
        "Ensure this field has no more than 100 characters.",
    )
    .await;
    invalid(
        post(
            &app,
            &base,
            &w.admin,
            json!({"label": "x", "color": "#12345678901"}),
        )
        .await,
        "color",
        "Ensure this field has no more than 10 characters.",
    )
    .await;
    invalid(
        post(&app, &base, &w.admin, json!({"label": 3, "color": "#fff"})).await,
        "label",
        "Not a valid string.",
    )
    .await;
    let tag = created(
        post(
            &app,
            &base,
            &w.admin,
            json!({"label": "x", "color": "#fff"}),
        )
        .await,
    )
    .await;
    invalid(
        patch(
            &app,
            &format!("{base}{}/", tag["id"]),
            &w.admin,
            json!({"description": "d".repeat(513)}),
        )
        .await,
        "description",
        "Ensure this field has no more than 512 characters.",
    )
    .await;
    let list = ok(get(&app, &base, &w.admin).await).await;
    assert_eq!(list["count"], 1, "no partial writes");
}

async fn tags_of_other_organisations_are_not_found(app: TestApp) {
    let w = World::new(&app).await;
    let other = World::other(&app).await;
    let theirs = created(
        post(
            &app,
            &format!("/api/v1/projects/{}/tags/", other.project),
            &other.admin,
            json!({"label": "x", "color": "#fff"}),
        )
        .await,
    )
    .await;
    let path = format!("/api/v1/projects/{}/tags/{}/", other.project, theirs["id"]);
    detail(
        get(&app, &path, &w.admin).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    detail(
        patch(&app, &path, &w.admin, json!({"label": "y"})).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    detail(
        delete(&app, &path, &w.admin).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    get(
        &app,
        &format!("/api/v1/projects/{}/tags/", other.project),
        &w.admin,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    // A tag addressed through the wrong project is not found either.
    get(
        &app,
        &format!("/api/v1/projects/{}/tags/{}/", w.project, theirs["id"]),
        &w.admin,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}

async fn writing_tags_needs_manage_tags(app: TestApp) {
    let w = World::new(&app).await;
    let base = format!("/api/v1/projects/{}/tags/", w.project);
    let tag = created(
        post(
            &app,
            &base,
            &w.admin,
            json!({"label": "x", "color": "#fff"}),
        )
        .await,
    )
    .await;
    let one = format!("{base}{}/", tag["id"]);
    let forbidden = "You do not have permission to perform this action.";
    let stranger = w.powerless(&app).await;
    detail(
        get(&app, &base, &stranger).await,
        StatusCode::FORBIDDEN,
        forbidden,
    )
    .await;
    let viewer = w
        .member(&app, "viewer@example.com", &["VIEW_PROJECT"], &[])
        .await;
    ok(get(&app, &base, &viewer).await).await;
    ok(get(&app, &one, &viewer).await).await;
    detail(
        post(&app, &base, &viewer, json!({"label": "y", "color": "#fff"})).await,
        StatusCode::FORBIDDEN,
        forbidden,
    )
    .await;
    detail(
        patch(&app, &one, &viewer, json!({"label": "y"})).await,
        StatusCode::FORBIDDEN,
        forbidden,
    )
    .await;
    detail(
        delete(&app, &one, &viewer).await,
        StatusCode::FORBIDDEN,
        forbidden,
    )
    .await;
    let tagger = w
        .member(
            &app,
            "tagger@example.com",
            &["VIEW_PROJECT", "MANAGE_TAGS"],
            &[],
        )
        .await;
    created(post(&app, &base, &tagger, json!({"label": "y", "color": "#fff"})).await).await;
    ok(patch(&app, &one, &tagger, json!({"label": "z"})).await).await;
    delete(&app, &one, &tagger)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    // Organisation API keys act for the organisation.
    created(post(&app, &base, &w.key, json!({"label": "k", "color": "#000"})).await).await;
}
