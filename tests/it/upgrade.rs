//! A database made by Flagstaff 0.1.0 is migrated by this binary and answers the SDKs as 0.1.0 did.

use std::path::PathBuf;

use flagstaff::store::DatabaseUrl;
use serde_json::{Value, json};

use crate::api::{TestApp, json as body};
use crate::harness::TestDb;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn schema_version(url: &DatabaseUrl) -> i64 {
    let DatabaseUrl::Sqlite(path) = url else {
        unreachable!()
    };
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT MAX(version) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// The document's `identity_uuid`s are new on every build (as upstream's); the rest must match.
fn without_identity_uuids(mut answer: Value) -> Value {
    if let Some(overrides) = answer
        .get_mut("identity_overrides")
        .and_then(Value::as_array_mut)
    {
        for identity in overrides {
            identity.as_object_mut().unwrap().remove("identity_uuid");
        }
    }
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_0_1_0_database_is_migrated_and_answers_as_before() {
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("flagstaff-0.1.0.json")).unwrap())
            .unwrap();
    assert_eq!(recorded["made_by"][0], "flagstaff 0.1.0 (schema version 5)");
    let db = TestDb::sqlite_copy_of(&fixture("flagstaff-0.1.0.db"));
    assert_eq!(schema_version(&db.url), 5, "the fixture is 0.1.0's schema");

    let app = TestApp::on(db, &[]).await;
    assert_eq!(
        schema_version(&app.db.url),
        flagstaff::store::latest_schema_version()
    );

    let state = &recorded["state"];
    for (path, key) in [
        ("/api/v1/flags/", &state["client_key"]),
        ("/api/v1/identities/?identifier=ada", &state["client_key"]),
        ("/api/v1/environment-document/", &state["server_key"]),
    ] {
        let resp = app.sdk("GET", path, key.as_str().unwrap(), None).await;
        resp.assert_status_is_ok();
        assert_eq!(
            without_identity_uuids(body(resp).await),
            without_identity_uuids(recorded["answers"][path].clone()),
            "{path} answers differently after the upgrade"
        );
    }

    // The account, its password hash and its token came through.
    let login = app
        .post(
            "/api/v1/auth/login/",
            None,
            json!({"email": "sdk@example.com", "password": "correct horse battery"}),
        )
        .await;
    login.assert_status_is_ok();
    let token = state["token"].as_str().unwrap();
    let project = state["project"].as_i64().unwrap();
    let features = app
        .get(
            &format!("/api/v1/projects/{project}/features/"),
            Some(token),
        )
        .await;
    features.assert_status_is_ok();
    let features = body(features).await;
    assert_eq!(features["count"], 8, "{features}");
    // What the new schema added works on the old data: features have owners now.
    assert_eq!(features["results"][0]["owners"], json!([]), "{features}");
    let created = app
        .post(
            &format!("/api/v1/projects/{project}/features/"),
            Some(token),
            json!({"name": "after_the_upgrade"}),
        )
        .await;
    created.assert_status(poem::http::StatusCode::CREATED);
    assert_eq!(body(created).await["owners"][0]["email"], "sdk@example.com");
}
