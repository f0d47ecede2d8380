//! Objects looked up by uuid: found for those who may view them, 404 or 403 for the rest.
//
// Objects looked up by uuid (tags, segments, feature states, segment overrides, features, their
// variations, organisations), and segment overrides by id: found for those who may view them, 404 for unknown uuids and other
// organisations, 403 without the permission to view.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::feature_states::feature;
use super::segments::plan_is;
use super::world::{World, created, get, ok, post};
use crate::api_on_both_backends;

api_on_both_backends!(
    objects_are_found_by_uuid,
    segment_overrides_are_read_by_id_and_uuid,
    features_options_and_organisations_are_found_by_uuid,
);

const UNKNOWN: &str = "00000000-0000-4000-8000-000000000000";

/// A feature with a segment override in the world's environment: (feature, segment,
/// override state as `create-segment-override` answers it).
async fn overridden(app: &TestApp, w: &World) -> (Value, Value, Value) {
    let f = feature(app, w, json!({"name": "banner", "initial_value": "off"})).await;
    let segment = created(
        post(
            app,
            &format!("/api/v1/projects/{}/segments/", w.project),
            &w.admin,
            json!({"name": "pros", "rules": plan_is("pro")}),
        )
        .await,
    )
    .await;
    let state = created(
        post(
            app,
            &format!(
                "/api/v1/environments/{}/features/{}/create-segment-override/",
                w.env_key, f["id"]
            ),
            &w.admin,
            json!({"enabled": true, "feature_state_value": {"type": "unicode", "string_value": "on"},
                   "feature_segment": {"segment": segment["id"]}}),
        )
        .await,
    )
    .await;
    (f, segment, state)
}

fn uuid(v: &Value) -> &str {
    v["uuid"].as_str().unwrap()
}

async fn objects_are_found_by_uuid(app: TestApp) {
    let w = World::new(&app).await;
    let (_, segment, state) = overridden(&app, &w).await;
    let tags = format!("/api/v1/projects/{}/tags/", w.project);
    let tag = created(
        post(
            &app,
            &tags,
            &w.admin,
            json!({"label": "beta", "color": "#fff"}),
        )
        .await,
    )
    .await;

    let tag_path = format!("{tags}get-by-uuid/{}/", uuid(&tag));
    assert_eq!(ok(get(&app, &tag_path, &w.admin).await).await, tag);
    let segment_path = format!("/api/v1/segments/get-by-uuid/{}/", uuid(&segment));
    assert_eq!(ok(get(&app, &segment_path, &w.admin).await).await, segment);
    let state_path = format!(
        "/api/v1/features/featurestates/get-by-uuid/{}/",
        uuid(&state)
    );
    let found = ok(get(&app, &state_path, &w.admin).await).await;
    assert_eq!(found["id"], state["id"]);
    assert_eq!(found["feature_segment"], state["feature_segment"]["id"]);
    assert_eq!(found["environment"], w.env_id);
    // The value in upstream's typed form, as `features/featurestates/` lists the same state.
    assert_eq!(
        found["feature_state_value"],
        json!({"type": "unicode", "string_value": "on", "integer_value": null, "boolean_value": null})
    );
    let listed = ok(get(
        &app,
        &format!("/api/v1/features/featurestates/?environment={}", w.env_id),
        &w.admin,
    )
    .await)
    .await;
    let same = listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == state["id"])
        .unwrap();
    assert_eq!(&found, same);

    for path in [
        format!("{tags}get-by-uuid/{UNKNOWN}/"),
        format!("/api/v1/segments/get-by-uuid/{UNKNOWN}/"),
        format!("/api/v1/features/featurestates/get-by-uuid/{UNKNOWN}/"),
        "/api/v1/features/featurestates/get-by-uuid/not-a-uuid/".to_string(),
    ] {
        get(&app, &path, &w.admin)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // A tag of the project is not found under another project.
    let token = w.admin.trim_start_matches("Token ");
    let other = app.project(token, w.org, "Other").await;
    get(
        &app,
        &format!("/api/v1/projects/{other}/tags/get-by-uuid/{}/", uuid(&tag)),
        &w.admin,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);

    // Without viewing the project (or, for states, the environment): refused.
    let outsider = w.member(&app, "outsider@example.com", &[], &[]).await;
    for path in [&tag_path, &segment_path, &state_path] {
        get(&app, path, &outsider)
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    let viewer = w
        .member(&app, "viewer@example.com", &["VIEW_PROJECT"], &[])
        .await;
    ok(get(&app, &segment_path, &viewer).await).await;
    get(&app, &state_path, &viewer)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let them = World::other(&app).await;
    for path in [&tag_path, &segment_path, &state_path] {
        get(&app, path, &them.admin)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
}

async fn segment_overrides_are_read_by_id_and_uuid(app: TestApp) {
    let w = World::new(&app).await;
    let (f, segment, state) = overridden(&app, &w).await;
    let fs = &state["feature_segment"];
    let by_id = format!("/api/v1/features/feature-segments/{}/", fs["id"]);
    let expected = json!({
        "id": fs["id"],
        "uuid": fs["uuid"],
        "segment": segment["id"],
        "priority": 0,
        "environment": w.env_id,
        "segment_name": "pros",
        "is_feature_specific": false,
    });
    let listed = ok(get(
        &app,
        &format!(
            "/api/v1/features/feature-segments/?environment={}&feature={}",
            w.env_id, f["id"]
        ),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(listed["results"][0], expected);
    assert_eq!(ok(get(&app, &by_id, &w.admin).await).await, expected);
    let by_uuid = format!(
        "/api/v1/features/feature-segments/get-by-uuid/{}/",
        uuid(fs)
    );
    assert_eq!(ok(get(&app, &by_uuid, &w.admin).await).await, expected);

    for path in [
        "/api/v1/features/feature-segments/999999/".to_string(),
        format!("/api/v1/features/feature-segments/get-by-uuid/{UNKNOWN}/"),
    ] {
        get(&app, &path, &w.admin)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    let viewer = w
        .member(&app, "viewer@example.com", &["VIEW_PROJECT"], &[])
        .await;
    for path in [&by_id, &by_uuid] {
        get(&app, path, &viewer)
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    let reader = w
        .member(
            &app,
            "reader@example.com",
            &["VIEW_PROJECT"],
            &["VIEW_ENVIRONMENT"],
        )
        .await;
    assert_eq!(ok(get(&app, &by_uuid, &reader).await).await, expected);
    let them = World::other(&app).await;
    for path in [&by_id, &by_uuid] {
        get(&app, path, &them.admin)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
}

/// The lookups the Terraform provider makes: a feature, a variation, an organisation.
async fn features_options_and_organisations_are_found_by_uuid(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(
        &app,
        &w,
        json!({"name": "colour", "type": "MULTIVARIATE", "initial_value": "grey",
               "multivariate_options": [{"type": "unicode", "string_value": "green",
                                         "default_percentage_allocation": 30}]}),
    )
    .await;
    let option = &f["multivariate_options"][0];
    let org = ok(get(&app, &format!("/api/v1/organisations/{}/", w.org), &w.admin).await).await;

    let feature_path = format!("/api/v1/features/get-by-uuid/{}/", uuid(&f));
    let found = ok(get(&app, &feature_path, &w.admin).await).await;
    assert_eq!((&found["id"], &found["name"]), (&f["id"], &f["name"]));
    assert_eq!(found["project"], w.project);
    assert_eq!(found["multivariate_options"], f["multivariate_options"]);
    let option_path = format!("/api/v1/multivariate/options/get-by-uuid/{}/", uuid(option));
    let found = ok(get(&app, &option_path, &w.admin).await).await;
    assert_eq!(found["id"], option["id"]);
    assert_eq!(found["string_value"], "green");
    assert_eq!(found["feature"], f["id"]);
    let org_path = format!("/api/v1/organisations/get-by-uuid/{}/", uuid(&org));
    assert_eq!(ok(get(&app, &org_path, &w.admin).await).await, org);

    for path in [
        format!("/api/v1/features/get-by-uuid/{UNKNOWN}/"),
        format!("/api/v1/multivariate/options/get-by-uuid/{UNKNOWN}/"),
        format!("/api/v1/organisations/get-by-uuid/{UNKNOWN}/"),
    ] {
        get(&app, &path, &w.admin)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // Any member reads the organisation this way (by id only its admins do); the project's
    // objects need its view permission.
    let outsider = w.member(&app, "outsider@example.com", &[], &[]).await;
    let as_member = ok(get(&app, &org_path, &outsider).await).await;
    assert_eq!(
        (&as_member["id"], &as_member["role"]),
        (&org["id"], &json!("USER"))
    );
    for path in [&feature_path, &option_path] {
        get(&app, path, &outsider)
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    let viewer = w
        .member(&app, "viewer@example.com", &["VIEW_PROJECT"], &[])
        .await;
    for path in [&feature_path, &option_path] {
        ok(get(&app, path, &viewer).await).await;
    }
    // Another organisation's objects are not there at all.
    let them = World::other(&app).await;
    for path in [&feature_path, &option_path, &org_path] {
        get(&app, path, &them.admin)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
}
