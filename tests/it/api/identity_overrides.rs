//! Identity overrides through the API, an identity's effective flags, and copying overrides.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::feature_states::feature;
use super::segments::plan_is;
use super::world::{World, created, delete, get, invalid, ok, patch, post, put};
use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(
    overrides_are_created_listed_changed_and_deleted,
    all_flags_name_where_each_value_comes_from,
    overrides_are_cloned_from_another_identity,
    overrides_are_refused_for_bad_input,
    overrides_stay_inside_their_identity_and_organisation,
);

fn base(w: &World, identity: i64) -> String {
    format!(
        "/api/v1/environments/{}/identities/{identity}/featurestates/",
        w.env_key
    )
}

pub(super) async fn identity(app: &TestApp, w: &World, identifier: &str) -> i64 {
    let path = format!("/api/v1/environments/{}/identities/", w.env_key);
    created(post(app, &path, &w.admin, json!({"identifier": identifier})).await).await["id"]
        .as_i64()
        .unwrap()
}

/// The flag an SDK gets for the identity.
pub(super) async fn sdk_flag(app: &TestApp, w: &World, identifier: &str, name: &str) -> Value {
    let path = format!("/api/v1/identities/?identifier={identifier}");
    let resp = app.sdk("GET", &path, &w.env_key, None).await;
    resp.assert_status_is_ok();
    let body = json(resp).await;
    body["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"]["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no flag {name} in {body}"))
}

async fn overrides_are_created_listed_changed_and_deleted(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "banner", "initial_value": 1})).await;
    let alice = identity(&app, &w, "alice").await;
    let before = w.tick(&app).await;
    let o = created(
        post(
            &app,
            &base(&w, alice),
            &w.admin,
            json!({"feature": f["id"], "enabled": true, "feature_state_value": "blue"}),
        )
        .await,
    )
    .await;
    assert_ne!(w.env_updated_at(&app).await, before, "the document moved");
    assert_eq!(o["feature"], f["id"]);
    assert_eq!(o["identity"], alice);
    assert_eq!(o["environment"], w.env_id);
    assert_eq!(o["enabled"], true);
    assert_eq!(o["feature_state_value"], "blue");
    let flag = sdk_flag(&app, &w, "alice", "banner").await;
    assert_eq!(
        (flag["enabled"].clone(), flag["feature_state_value"].clone()),
        (json!(true), json!("blue"))
    );
    assert_eq!(flag["identity"], alice);
    let listed = ok(get(
        &app,
        &format!(
            "/api/v1/projects/{}/features/?environment={}",
            w.project, w.env_id
        ),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(
        listed["results"][0]["num_identity_overrides"], 1,
        "{listed}"
    );

    // One override per feature and identity.
    invalid(
        post(
            &app,
            &base(&w, alice),
            &w.admin,
            json!({"feature": f["id"], "enabled": false}),
        )
        .await,
        "non_field_errors",
        "Feature state already exists.",
    )
    .await;

    let list = ok(get(&app, &base(&w, alice), &w.admin).await).await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["id"], o["id"]);
    let other = feature(&app, &w, json!({"name": "other"})).await;
    let filtered = format!("{}?feature={}", base(&w, alice), other["id"]);
    assert_eq!(ok(get(&app, &filtered, &w.admin).await).await["count"], 0);

    let one = format!("{}{}/", base(&w, alice), o["id"]);
    assert_eq!(ok(get(&app, &one, &w.admin).await).await["id"], o["id"]);
    let changed = ok(put(&app, &one, &w.admin, json!({"feature_state_value": 7})).await).await;
    assert_eq!(changed["feature_state_value"], 7);
    assert_eq!(changed["enabled"], true, "PUT is partial");
    let toggled = ok(patch(&app, &one, &w.admin, json!({"enabled": false})).await).await;
    assert_eq!(
        (
            toggled["enabled"].clone(),
            toggled["feature_state_value"].clone()
        ),
        (json!(false), json!(7))
    );
    let flag = sdk_flag(&app, &w, "alice", "banner").await;
    assert_eq!(
        (flag["enabled"].clone(), flag["feature_state_value"].clone()),
        (json!(false), json!(7))
    );

    delete(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    get(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let flag = sdk_flag(&app, &w, "alice", "banner").await;
    assert_eq!(flag["feature_state_value"], 1, "back to the default");
    assert_eq!(flag["identity"], json!(null));

    let log = w.audit_log(&app).await;
    for verb in ["updated", "deleted"] {
        let text = format!(
            "Flag state / Remote config value {verb} for feature 'banner' and identity 'alice'"
        );
        assert!(log.contains(&text), "{text} not in {log:?}");
    }
}

async fn all_flags_name_where_each_value_comes_from(app: TestApp) {
    let w = World::new(&app).await;
    let plain = feature(&app, &w, json!({"name": "plain", "initial_value": "p"})).await;
    let by_segment = feature(
        &app,
        &w,
        json!({"name": "by_segment", "initial_value": "d"}),
    )
    .await;
    let own = feature(&app, &w, json!({"name": "own"})).await;
    let colour = feature(
        &app,
        &w,
        json!({"name": "colour", "initial_value": "red",
               "multivariate_options": [{"string_value": "blue", "default_percentage_allocation": 100}]}),
    )
    .await;
    let segments = format!("/api/v1/projects/{}/segments/", w.project);
    let pro = created(
        post(
            &app,
            &segments,
            &w.admin,
            json!({"name": "pro", "rules": plan_is("pro")}),
        )
        .await,
    )
    .await["id"]
        .clone();
    created(
        post(
            &app,
            &format!(
                "/api/v1/environments/{}/features/{}/create-segment-override/",
                w.env_key, by_segment["id"]
            ),
            &w.admin,
            json!({"enabled": true, "feature_state_value": {"type": "unicode", "string_value": "s"},
                   "feature_segment": {"segment": pro}}),
        )
        .await,
    )
    .await;
    // The SDK stores the trait that puts the identity in the segment.
    app.sdk(
        "POST",
        "/api/v1/identities/",
        &w.env_key,
        Some(
            json!({"identifier": "carol", "traits": [{"trait_key": "plan", "trait_value": "pro"}]}),
        ),
    )
    .await
    .assert_status_is_ok();
    let ids = ok(get(
        &app,
        &format!("/api/v1/environments/{}/identities/?q=carol", w.env_key),
        &w.admin,
    )
    .await)
    .await;
    let carol = ids["results"][0]["id"].as_i64().unwrap();
    created(
        post(
            &app,
            &base(&w, carol),
            &w.admin,
            json!({"feature": own["id"], "enabled": true, "feature_state_value": 5}),
        )
        .await,
    )
    .await;

    let all = ok(get(&app, &format!("{}all/", base(&w, carol)), &w.admin).await).await;
    let flag = |f: &Value| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|x| x["feature"]["id"] == f["id"])
            .cloned()
            .unwrap()
    };
    let p = flag(&plain);
    assert_eq!(
        p["feature"],
        json!({"id": plain["id"], "name": "plain", "type": "STANDARD"})
    );
    assert_eq!(
        (p["overridden_by"].clone(), p["segment"].clone()),
        (json!(null), json!(null))
    );
    assert_eq!(p["feature_state_value"], "p");
    let s = flag(&by_segment);
    assert_eq!(s["overridden_by"], "SEGMENT");
    assert_eq!(s["segment"], json!({"id": pro, "name": "pro"}));
    assert_eq!(
        (s["enabled"].clone(), s["feature_state_value"].clone()),
        (json!(true), json!("s"))
    );
    let o = flag(&own);
    assert_eq!(o["overridden_by"], "IDENTITY");
    assert_eq!(
        (o["enabled"].clone(), o["feature_state_value"].clone()),
        (json!(true), json!(5))
    );
    let c = flag(&colour);
    assert_eq!(c["feature"]["type"], "MULTIVARIATE");
    assert_eq!(c["feature_state_value"], "blue", "a 100% share always wins");
    assert_eq!(
        c["multivariate_feature_state_values"],
        json!([{"multivariate_feature_option": {"value": "blue"}, "percentage_allocation": 100.0}])
    );
    assert_eq!(all.as_array().unwrap().len(), 4);
}

async fn overrides_are_cloned_from_another_identity(app: TestApp) {
    let w = World::new(&app).await;
    let one = feature(&app, &w, json!({"name": "one"})).await;
    let two = feature(&app, &w, json!({"name": "two"})).await;
    let alice = identity(&app, &w, "alice").await;
    let bob = identity(&app, &w, "bob").await;
    for (who, f, value) in [(alice, &one, "a1"), (bob, &two, "b2")] {
        created(
            post(
                &app,
                &base(&w, who),
                &w.admin,
                json!({"feature": f["id"], "enabled": true, "feature_state_value": value}),
            )
            .await,
        )
        .await;
    }
    let clone = format!("{}clone-from-given-identity/", base(&w, bob));
    let flags = ok(post(&app, &clone, &w.admin, json!({"source_identity_id": alice})).await).await;
    let overridden: Vec<&str> = flags
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["overridden_by"] == "IDENTITY")
        .map(|f| f["feature"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(overridden, vec!["one"], "bob's own override went");
    let bobs = ok(get(&app, &base(&w, bob), &w.admin).await).await;
    assert_eq!(bobs["count"], 1);
    assert_eq!(bobs["results"][0]["feature_state_value"], "a1");
    // The list names the identity, as upstream's (create and retrieve answer its id).
    assert_eq!(
        bobs["results"][0]["identity"],
        json!({"id": bob, "identifier": "bob"})
    );
    let alices = ok(get(&app, &base(&w, alice), &w.admin).await).await;
    assert_eq!(alices["count"], 1, "the source keeps its overrides");
    assert_eq!(
        sdk_flag(&app, &w, "bob", "one").await["feature_state_value"],
        "a1"
    );
    assert_eq!(
        sdk_flag(&app, &w, "bob", "two").await["feature_state_value"],
        json!(null)
    );

    invalid(
        post(&app, &clone, &w.admin, json!({"source_identity_id": bob})).await,
        "source_identity_id",
        "An identity cannot clone its own feature states.",
    )
    .await;
    let (_, staging) = app
        .environment(w.admin.trim_start_matches("Token "), w.project, "Staging")
        .await;
    let path = format!("/api/v1/environments/{staging}/identities/");
    let elsewhere = created(post(&app, &path, &w.admin, json!({"identifier": "alice"})).await)
        .await["id"]
        .clone();
    invalid(
        post(
            &app,
            &clone,
            &w.admin,
            json!({"source_identity_id": elsewhere}),
        )
        .await,
        "source_identity_id",
        "Identity does not exist in environment.",
    )
    .await;
    invalid(
        post(&app, &clone, &w.admin, json!({"source_identity_id": "x"})).await,
        "source_identity_id",
        "A valid integer is required.",
    )
    .await;
    assert_eq!(
        ok(get(&app, &base(&w, bob), &w.admin).await).await["count"],
        1,
        "nothing changed"
    );
}

async fn overrides_are_refused_for_bad_input(app: TestApp) {
    let w = World::new(&app).await;
    let f = feature(&app, &w, json!({"name": "banner"})).await;
    let alice = identity(&app, &w, "alice").await;
    let path = base(&w, alice);
    invalid(
        post(&app, &path, &w.admin, json!({"enabled": true})).await,
        "feature",
        "This field is required.",
    )
    .await;
    invalid(
        post(&app, &path, &w.admin, json!({"feature": 999999})).await,
        "feature",
        "Invalid pk \"999999\" - object does not exist.",
    )
    .await;
    invalid(
        post(
            &app,
            &path,
            &w.admin,
            json!({"feature": f["id"], "enabled": "maybe"}),
        )
        .await,
        "enabled",
        "Must be a valid boolean.",
    )
    .await;
    let long = "x".repeat(20_001);
    let resp = post(
        &app,
        &path,
        &w.admin,
        json!({"feature": f["id"], "feature_state_value": long}),
    )
    .await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let other = World::other(&app).await;
    let foreign = feature(&app, &other, json!({"name": "theirs"})).await;
    invalid(
        post(&app, &path, &w.admin, json!({"feature": foreign["id"]})).await,
        "feature",
        &format!("Invalid pk \"{}\" - object does not exist.", foreign["id"]),
    )
    .await;
    assert_eq!(
        ok(get(&app, &path, &w.admin).await).await["count"],
        0,
        "nothing written"
    );
    get(&app, &format!("{path}?feature=x"), &w.admin)
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}

async fn overrides_stay_inside_their_identity_and_organisation(app: TestApp) {
    let w = World::new(&app).await;
    let other = World::other(&app).await;
    let f = feature(&app, &w, json!({"name": "banner"})).await;
    let alice = identity(&app, &w, "alice").await;
    let bob = identity(&app, &w, "bob").await;
    let o = created(
        post(
            &app,
            &base(&w, alice),
            &w.admin,
            json!({"feature": f["id"], "enabled": true}),
        )
        .await,
    )
    .await;
    let mine = format!("{}{}/", base(&w, alice), o["id"]);
    // Through another identity of the same environment, the override is not there.
    let through_bob = format!("{}{}/", base(&w, bob), o["id"]);
    get(&app, &through_bob, &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    delete(&app, &through_bob, &w.admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // Another organisation's user sees nothing, whatever the method.
    for resp in [
        get(&app, &base(&w, alice), &other.admin).await,
        get(&app, &format!("{}all/", base(&w, alice)), &other.admin).await,
        get(&app, &mine, &other.admin).await,
        put(&app, &mine, &other.admin, json!({"enabled": false})).await,
        patch(&app, &mine, &other.admin, json!({"enabled": false})).await,
        delete(&app, &mine, &other.admin).await,
        post(
            &app,
            &base(&w, alice),
            &other.admin,
            json!({"feature": f["id"]}),
        )
        .await,
        post(
            &app,
            &format!("{}clone-from-given-identity/", base(&w, bob)),
            &other.admin,
            json!({"source_identity_id": alice}),
        )
        .await,
    ] {
        resp.assert_status(StatusCode::NOT_FOUND);
    }
    // A member without permissions may not write.
    let powerless = w.powerless(&app).await;
    post(
        &app,
        &base(&w, bob),
        &powerless,
        json!({"feature": f["id"]}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    put(&app, &mine, &powerless, json!({"enabled": false}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let unchanged = ok(get(&app, &mine, &w.admin).await).await;
    assert_eq!(unchanged["enabled"], true);
    assert_eq!(
        ok(get(&app, &base(&w, bob), &w.admin).await).await["count"],
        0
    );
}
