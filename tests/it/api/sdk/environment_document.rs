//! The environment document that local-evaluation SDKs read.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::{server_key, setup};
use crate::api::seed::{Seed, percentage_split};
use crate::api::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    the_environment_document_evaluates_like_the_server,
    a_deleted_identity_leaves_the_environment_document,
);

async fn the_environment_document_evaluates_like_the_server(app: TestApp) {
    let (root, project, env, key) = setup(&app).await;
    let seed = Seed::new(&app, project, env);
    let checkout = seed.feature("checkout").await;
    seed.segment_override(
        &checkout,
        "half",
        vec![percentage_split(50)],
        false,
        "split",
    )
    .await;

    app.sdk("GET", "/api/v1/environment-document/", &key, None)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let server = server_key(&app, &root, &key).await;
    let resp = app
        .sdk("GET", "/api/v1/environment-document/", &server, None)
        .await;
    resp.assert_status_is_ok();
    let last_modified = resp.0.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        resp.0
            .headers()
            .contains_key("x-flagsmith-document-updated-at")
    );
    let doc = json(resp).await;
    assert_eq!(
        doc["api_key"],
        key.as_str(),
        "the client key, even when fetched with a server key"
    );
    assert!(doc["updated_at"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(doc["project"]["organisation"]["persist_trait_data"], true);
    assert_eq!(
        doc["project"]["server_key_only_feature_ids"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let condition = &doc["project"]["segments"][0]["rules"][0]["conditions"][0];
    assert_eq!(condition["operator"], "PERCENTAGE_SPLIT");
    assert!(condition.get("property_").is_some());
    assert_eq!(
        doc["project"]["segments"][0]["feature_states"][0]["feature_segment"]["priority"],
        0
    );
    assert!(doc["feature_states"][0]["django_id"].is_i64());
    assert!(doc["feature_states"][0]["featurestate_uuid"].is_string());
    let again = app
        .client
        .get("/api/v1/environment-document/")
        .header("x-environment-key", &server)
        .header("if-modified-since", &last_modified)
        .send()
        .await;
    again.assert_status(StatusCode::NOT_MODIFIED);

    // Local evaluation of the document agrees with remote evaluation for every identity.
    let document: flagstaff::engine::document::EnvironmentDocument =
        serde_json::from_value(doc).unwrap();
    let context = flagstaff::engine::document::context_from_document(&document).unwrap();
    let local = flagstaff::engine::Environment::prepare(&context).unwrap();
    let mut split = 0;
    for n in 0..40 {
        let identifier = format!("user-{n}");
        let remote = json(
            app.sdk(
                "GET",
                &format!("/api/v1/identities/?identifier={identifier}&transient=1"),
                &server,
                None,
            )
            .await,
        )
        .await;
        let identity = flagstaff::engine::IdentityContext {
            identifier: identifier.clone(),
            key: None,
            traits: Default::default(),
        };
        let evaluation = local.evaluate(Some(&identity));
        let local_checkout = evaluation
            .flags
            .iter()
            .find(|f| f.name == "checkout")
            .unwrap();
        let remote_checkout = remote["flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["feature"]["name"] == "checkout")
            .unwrap();
        assert_eq!(
            local_checkout.value, &remote_checkout["feature_state_value"],
            "{identifier}"
        );
        assert_eq!(
            Value::Bool(local_checkout.enabled),
            remote_checkout["enabled"],
            "{identifier}"
        );
        split += usize::from(remote_checkout["feature_state_value"] == "split");
    }
    assert!(
        split > 5 && split < 35,
        "the split should catch some identities: {split}"
    );
    let admin = app
        .get(
            &format!("/api/v1/environments/{key}/document/"),
            Some(&root),
        )
        .await;
    admin.assert_status_is_ok();
}

async fn a_deleted_identity_leaves_the_environment_document(app: TestApp) {
    let (root, project, _, key) = setup(&app).await;
    let server = server_key(&app, &root, &key).await;
    let identities = format!("/api/v1/environments/{key}/identities/");
    let ada = json(
        app.post(&identities, Some(&root), json!({"identifier": "ada"}))
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let checkout = app
        .store
        .features_of(
            project,
            &Default::default(),
            flagstaff::domain::PageRequest::all(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|f| f.name == "checkout")
        .unwrap();
    app.post(
        &format!("{identities}{ada}/featurestates/"),
        Some(&root),
        json!({"feature": checkout.id.0, "enabled": false}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let overrides = |doc: &Value| doc["identity_overrides"].as_array().unwrap().len();
    let doc = json(
        app.sdk("GET", "/api/v1/environment-document/", &server, None)
            .await,
    )
    .await;
    assert_eq!(overrides(&doc), 1, "{doc}");

    app.send("DELETE", &format!("{identities}{ada}/"), Some(&root), None)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let doc = json(
        app.sdk("GET", "/api/v1/environment-document/", &server, None)
            .await,
    )
    .await;
    assert_eq!(overrides(&doc), 0, "{doc}");
}
