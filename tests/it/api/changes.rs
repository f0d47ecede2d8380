//! Every write of the API is seen by the very next SDK request, or is listed as one no SDK sees.
//
// The server caches what it serves to SDKs (a snapshot per environment, the keys that lead to
// it). A write that changes what is served must reach that cache before its answer returns.
// `every_write_operation_is_classified` reads the OpenAPI document and fails when a write is in
// neither table below, so a new write cannot be forgotten; `every_served_write_is_seen_at_once`
// makes each write of `SEEN` on a fresh stage, between two SDK reads, and asserts they differ.

use poem::http::StatusCode;
use poem::test::TestResponse;
use serde_json::{Value, json};
use std::collections::BTreeSet;

use super::world::{World, created, delete, get, ok, patch, post, put};
use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(every_served_write_is_seen_at_once);

/// Writes that change what an SDK is served (the flags, the environment document, an identity).
const SEEN: &[&str] = &[
    "DELETE /api/v1/environments/{api_key}/",
    "PATCH /api/v1/environments/{api_key}/",
    "PUT /api/v1/environments/{api_key}/",
    "DELETE /api/v1/environments/{api_key}/api-keys/{id}/",
    "PATCH /api/v1/environments/{api_key}/api-keys/{id}/",
    "PUT /api/v1/environments/{api_key}/api-keys/{id}/",
    "POST /api/v1/environments/{api_key}/features/{feature}/create-segment-override/",
    "POST /api/v1/environments/{api_key}/featurestates/",
    "DELETE /api/v1/environments/{api_key}/featurestates/{id}/",
    "PATCH /api/v1/environments/{api_key}/featurestates/{id}/",
    "PUT /api/v1/environments/{api_key}/featurestates/{id}/",
    "POST /api/v1/environments/{api_key}/identities/{identity}/featurestates/",
    "POST /api/v1/environments/{api_key}/identities/{identity}/featurestates/clone-from-given-identity/",
    "DELETE /api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/",
    "PATCH /api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/",
    "PUT /api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/",
    "DELETE /api/v1/environments/{api_key}/identities/{id}/",
    "PATCH /api/v1/environments/{api_key}/identities/{id}/",
    "PUT /api/v1/environments/{api_key}/identities/{id}/",
    "POST /api/v1/environments/{api_key}/identities/{id}/traits/",
    "DELETE /api/v1/environments/{api_key}/identities/{id}/traits/{trait_id}/",
    "PATCH /api/v1/environments/{api_key}/identities/{id}/traits/{trait_id}/",
    "PUT /api/v1/environments/{api_key}/identities/{id}/traits/{trait_id}/",
    "POST /api/v1/features/feature-segments/update-priorities/",
    "DELETE /api/v1/features/feature-segments/{id}/",
    "POST /api/v1/features/featurestates/",
    "PATCH /api/v1/features/featurestates/{id}/",
    "PUT /api/v1/features/featurestates/{id}/",
    "POST /api/v1/identities/",
    "DELETE /api/v1/organisations/{id}/",
    "PATCH /api/v1/organisations/{id}/",
    "PUT /api/v1/organisations/{id}/",
    "DELETE /api/v1/projects/{id}/",
    "PATCH /api/v1/projects/{id}/",
    "PUT /api/v1/projects/{id}/",
    "POST /api/v1/projects/{project}/features/",
    "POST /api/v1/projects/{project}/features/{feature}/mv-options/",
    "DELETE /api/v1/projects/{project}/features/{feature}/mv-options/{id}/",
    "PATCH /api/v1/projects/{project}/features/{feature}/mv-options/{id}/",
    "PUT /api/v1/projects/{project}/features/{feature}/mv-options/{id}/",
    "DELETE /api/v1/projects/{project}/features/{id}/",
    "PATCH /api/v1/projects/{project}/features/{id}/",
    "PUT /api/v1/projects/{project}/features/{id}/",
    "POST /api/v1/projects/{project}/segments/",
    "DELETE /api/v1/projects/{project}/segments/{id}/",
    "PATCH /api/v1/projects/{project}/segments/{id}/",
    "PUT /api/v1/projects/{project}/segments/{id}/",
    "POST /api/v1/projects/{project}/segments/{id}/clone/",
    "POST /api/v1/traits/",
    "PUT /api/v1/traits/bulk/",
    "POST /api/v1/traits/increment-value/",
];

/// Writes no SDK request can see, with why.
const UNSEEN: &[(&str, &str)] = &[
    ("POST /api/v1/analytics/flags/", "usage counts"),
    ("POST /api/v2/analytics/flags/", "usage counts"),
    ("POST /ofrep/v1/evaluate/flags", "an evaluation: a read"),
    (
        "POST /ofrep/v1/evaluate/flags/{key}",
        "an evaluation: a read",
    ),
    ("POST /api/v1/auth/login/", "accounts"),
    ("DELETE /api/v1/auth/token/", "accounts"),
    ("POST /api/v1/auth/users/", "accounts"),
    ("PATCH /api/v1/auth/users/me/", "accounts"),
    ("PUT /api/v1/auth/users/me/", "accounts"),
    ("POST /api/v1/auth/users/set_password/", "accounts"),
    ("POST /api/v1/users/config/init/", "accounts"),
    ("POST /api/v1/users/join/link/{hash}/", "accounts"),
    ("POST /api/v1/users/join/{hash}/", "accounts"),
    (
        "POST /api/v1/organisations/",
        "a new organisation serves nothing yet",
    ),
    ("POST /api/v1/projects/", "a new project serves nothing yet"),
    (
        "POST /api/v1/environments/",
        "a new environment has a key no SDK holds yet",
    ),
    (
        "POST /api/v1/environments/{api_key}/clone/",
        "a new environment has a key no SDK holds yet",
    ),
    (
        "POST /api/v1/environments/{api_key}/api-keys/",
        "a new key: resolved on its first use",
    ),
    (
        "POST /api/v1/environments/{api_key}/identities/",
        "an SDK's first request for an identity makes it the same",
    ),
    (
        "POST /api/v1/features/feature-segments/",
        "a segment override without a state serves nothing; the state's write is seen",
    ),
    (
        "POST /api/v1/projects/{project}/features/{id}/add-group-owners/",
        "owners are not served",
    ),
    (
        "POST /api/v1/projects/{project}/features/{id}/add-owners/",
        "owners are not served",
    ),
    (
        "POST /api/v1/projects/{project}/features/{id}/remove-group-owners/",
        "owners are not served",
    ),
    (
        "POST /api/v1/projects/{project}/features/{id}/remove-owners/",
        "owners are not served",
    ),
    (
        "POST /api/v1/projects/{project}/tags/",
        "tags are not served",
    ),
    (
        "DELETE /api/v1/projects/{project}/tags/{id}/",
        "tags are not served",
    ),
    (
        "PATCH /api/v1/projects/{project}/tags/{id}/",
        "tags are not served",
    ),
    (
        "PUT /api/v1/projects/{project}/tags/{id}/",
        "tags are not served",
    ),
    (
        "POST /api/v1/environments/{api_key}/webhooks/",
        "webhooks are not served",
    ),
    (
        "DELETE /api/v1/environments/{api_key}/webhooks/{id}/",
        "webhooks are not served",
    ),
    (
        "PATCH /api/v1/environments/{api_key}/webhooks/{id}/",
        "webhooks are not served",
    ),
    (
        "PUT /api/v1/environments/{api_key}/webhooks/{id}/",
        "webhooks are not served",
    ),
    (
        "POST /api/v1/organisations/{id}/webhooks/",
        "webhooks are not served",
    ),
    (
        "DELETE /api/v1/organisations/{id}/webhooks/{webhook}/",
        "webhooks are not served",
    ),
    (
        "PATCH /api/v1/organisations/{id}/webhooks/{webhook}/",
        "webhooks are not served",
    ),
    (
        "PUT /api/v1/organisations/{id}/webhooks/{webhook}/",
        "webhooks are not served",
    ),
    (
        "POST /api/v1/webhooks/test/",
        "posts to a URL; changes nothing",
    ),
    (
        "POST /api/v1/organisations/{id}/master-api-keys/",
        "management keys",
    ),
    (
        "DELETE /api/v1/organisations/{id}/master-api-keys/{prefix}/",
        "management keys",
    ),
    (
        "PATCH /api/v1/organisations/{id}/master-api-keys/{prefix}/",
        "management keys",
    ),
    (
        "PUT /api/v1/organisations/{id}/master-api-keys/{prefix}/",
        "management keys",
    ),
    (
        "POST /api/v1/organisations/{id}/remove-users/",
        "membership",
    ),
    (
        "POST /api/v1/organisations/{id}/users/{user_id}/update-role/",
        "membership",
    ),
    ("POST /api/v1/organisations/{org}/groups/", "membership"),
    (
        "DELETE /api/v1/organisations/{org}/groups/{id}/",
        "membership",
    ),
    (
        "PATCH /api/v1/organisations/{org}/groups/{id}/",
        "membership",
    ),
    ("PUT /api/v1/organisations/{org}/groups/{id}/", "membership"),
    (
        "POST /api/v1/organisations/{org}/groups/{id}/add-users/",
        "membership",
    ),
    (
        "POST /api/v1/organisations/{org}/groups/{id}/remove-users/",
        "membership",
    ),
    (
        "POST /api/v1/organisations/{org}/groups/{id}/users/{user}/make-admin/",
        "membership",
    ),
    (
        "POST /api/v1/organisations/{org}/groups/{id}/users/{user}/remove-admin/",
        "membership",
    ),
    (
        "POST /api/v1/organisations/{org}/invite-links/",
        "membership",
    ),
    (
        "DELETE /api/v1/organisations/{org}/invite-links/{id}/",
        "membership",
    ),
    ("POST /api/v1/organisations/{org}/invite/", "membership"),
    (
        "DELETE /api/v1/organisations/{org}/invites/{id}/",
        "membership",
    ),
    (
        "POST /api/v1/organisations/{org}/invites/{id}/resend/",
        "membership",
    ),
    (
        "POST /api/v1/organisations/{target}/user-permissions/",
        "permissions",
    ),
    (
        "DELETE /api/v1/organisations/{target}/user-permissions/{id}/",
        "permissions",
    ),
    (
        "PATCH /api/v1/organisations/{target}/user-permissions/{id}/",
        "permissions",
    ),
    (
        "PUT /api/v1/organisations/{target}/user-permissions/{id}/",
        "permissions",
    ),
    (
        "POST /api/v1/organisations/{target}/user-group-permissions/",
        "permissions",
    ),
    (
        "DELETE /api/v1/organisations/{target}/user-group-permissions/{id}/",
        "permissions",
    ),
    (
        "PATCH /api/v1/organisations/{target}/user-group-permissions/{id}/",
        "permissions",
    ),
    (
        "PUT /api/v1/organisations/{target}/user-group-permissions/{id}/",
        "permissions",
    ),
    (
        "POST /api/v1/projects/{target}/user-permissions/",
        "permissions",
    ),
    (
        "DELETE /api/v1/projects/{target}/user-permissions/{id}/",
        "permissions",
    ),
    (
        "PATCH /api/v1/projects/{target}/user-permissions/{id}/",
        "permissions",
    ),
    (
        "PUT /api/v1/projects/{target}/user-permissions/{id}/",
        "permissions",
    ),
    (
        "POST /api/v1/projects/{target}/user-group-permissions/",
        "permissions",
    ),
    (
        "DELETE /api/v1/projects/{target}/user-group-permissions/{id}/",
        "permissions",
    ),
    (
        "PATCH /api/v1/projects/{target}/user-group-permissions/{id}/",
        "permissions",
    ),
    (
        "PUT /api/v1/projects/{target}/user-group-permissions/{id}/",
        "permissions",
    ),
    (
        "POST /api/v1/environments/{target}/user-permissions/",
        "permissions",
    ),
    (
        "DELETE /api/v1/environments/{target}/user-permissions/{id}/",
        "permissions",
    ),
    (
        "PATCH /api/v1/environments/{target}/user-permissions/{id}/",
        "permissions",
    ),
    (
        "PUT /api/v1/environments/{target}/user-permissions/{id}/",
        "permissions",
    ),
    (
        "POST /api/v1/environments/{target}/user-group-permissions/",
        "permissions",
    ),
    (
        "DELETE /api/v1/environments/{target}/user-group-permissions/{id}/",
        "permissions",
    ),
    (
        "PATCH /api/v1/environments/{target}/user-group-permissions/{id}/",
        "permissions",
    ),
    (
        "PUT /api/v1/environments/{target}/user-group-permissions/{id}/",
        "permissions",
    ),
];

#[test]
fn every_write_operation_is_classified() {
    let spec: Value = serde_json::from_str(&flagstaff::api::openapi_json()).unwrap();
    let mut writes = BTreeSet::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            if ["post", "put", "patch", "delete"].contains(&method.as_str()) {
                writes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let seen: BTreeSet<String> = SEEN.iter().map(|s| s.to_string()).collect();
    let unseen: BTreeSet<String> = UNSEEN.iter().map(|(s, _)| s.to_string()).collect();
    assert_eq!(seen.len(), SEEN.len(), "SEEN lists a write twice");
    assert_eq!(unseen.len(), UNSEEN.len(), "UNSEEN lists a write twice");
    let both: Vec<_> = seen.intersection(&unseen).collect();
    assert!(both.is_empty(), "in SEEN and in UNSEEN: {both:?}");
    let listed: BTreeSet<String> = seen.union(&unseen).cloned().collect();
    let missing: Vec<_> = writes.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "writes in neither SEEN nor UNSEEN: {missing:?}"
    );
    let gone: Vec<_> = listed.difference(&writes).collect();
    assert!(
        gone.is_empty(),
        "listed writes the API does not have: {gone:?}"
    );
}

async fn every_served_write_is_seen_at_once(app: TestApp) {
    let token = app.superuser("admin@example.com").await;
    for (n, op) in SEEN.iter().enumerate() {
        let stage = Stage::new(&app, &token, n).await;
        let before = stage.view(&app).await;
        assert_eq!(
            stage.view(&app).await,
            before,
            "{op}: the SDK view moves by itself"
        );
        let status = stage.write(&app, op).await.0.status();
        assert!(status.is_success(), "{op}: answered {status}");
        let after = stage.view(&app).await;
        assert_ne!(
            after, before,
            "{op}: the next SDK request did not see the write"
        );
    }
}

/// A project with what every write of `SEEN` acts on, built through the API; and the SDK reads
/// that see it (after a first read, so that the server has cached them).
struct Stage {
    w: World,
    /// A server-side key of the environment.
    server: String,
    server_id: i64,
    /// Enabled, "v1"; overridden for both segments and for alice.
    banner: i64,
    /// A multivariate feature, disabled; overridden for bob.
    colour: i64,
    colour_option: i64,
    /// A feature nothing overrides.
    size: i64,
    /// `plan = pro` (alice is in it), first; a segment of everyone comes second.
    pros: i64,
    pros_override: i64,
    pros_state: i64,
    everyone_override: i64,
    /// The environment's own state of `banner`.
    banner_state: i64,
    alice: i64,
    alice_state: i64,
    alice_plan: i64,
    bob: i64,
}

impl Stage {
    async fn new(app: &TestApp, token: &str, n: usize) -> Stage {
        let w = World::of(app, token, &format!("Acme {n}")).await;
        let a = &w.admin;
        let (p, env) = (w.project, w.env_key.clone());
        let key = created(
            post(
                app,
                &format!("/api/v1/environments/{env}/api-keys/"),
                a,
                json!({"name": "server"}),
            )
            .await,
        )
        .await;
        let features = format!("/api/v1/projects/{p}/features/");
        let feature = |name: &str, enabled: bool, value: Value| {
            let body = json!({"name": name, "default_enabled": enabled, "initial_value": value});
            post(app, &features, a, body)
        };
        let banner = id(created(feature("banner", true, json!("v1")).await).await);
        let colour = id(created(feature("colour", false, Value::Null).await).await);
        let size = id(created(feature("size", true, json!("m")).await).await);
        let colour_option = id(created(
            post(app, &format!("/api/v1/projects/{p}/features/{colour}/mv-options/"), a,
                json!({"type": "unicode", "string_value": "red", "default_percentage_allocation": 100})).await,
        ).await);
        let segments = format!("/api/v1/projects/{p}/segments/");
        let segment = |name: &str, condition: Value| {
            let rules = json!([{"type": "ALL", "rules": [{"type": "ANY", "rules": [], "conditions": [condition]}], "conditions": []}]);
            post(app, &segments, a, json!({"name": name, "rules": rules}))
        };
        let pros = id(created(
            segment(
                "pros",
                json!({"operator": "EQUAL", "property": "plan", "value": "pro"}),
            )
            .await,
        )
        .await);
        let everyone = id(created(
            segment(
                "everyone",
                json!({"operator": "PERCENTAGE_SPLIT", "value": "100"}),
            )
            .await,
        )
        .await);
        let overrides =
            format!("/api/v1/environments/{env}/features/{banner}/create-segment-override/");
        let segment_override = |segment: i64, priority: i64, value: &str| {
            post(
                app,
                &overrides,
                a,
                json!({"enabled": true, "feature_state_value": {"type": "unicode", "string_value": value},
                       "feature_segment": {"segment": segment, "priority": priority}}),
            )
        };
        let pros_state = created(segment_override(pros, 0, "for pros").await).await;
        let everyone_state = created(segment_override(everyone, 1, "for everyone").await).await;
        let states = ok(get(
            app,
            &format!("/api/v1/environments/{env}/featurestates/?feature={banner}"),
            a,
        )
        .await)
        .await;
        let banner_state = id(states["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["feature_segment"].is_null() && s["identity"].is_null())
            .unwrap()
            .clone());
        let identities = format!("/api/v1/environments/{env}/identities/");
        let identity =
            |identifier: &str| post(app, &identities, a, json!({"identifier": identifier}));
        let alice = id(created(identity("alice").await).await);
        let bob = id(created(identity("bob").await).await);
        let alice_plan = id(created(
            post(
                app,
                &format!("/api/v1/environments/{env}/identities/{alice}/traits/"),
                a,
                json!({"trait_key": "plan", "value_type": "unicode", "string_value": "pro"}),
            )
            .await,
        )
        .await);
        let override_of = |identity: i64, feature: i64, value: &str| {
            let path = format!("{identities}{identity}/featurestates/");
            let body = json!({"feature": feature, "enabled": true, "feature_state_value": value});
            async move { post(app, &path, a, body).await }
        };
        let alice_state = id(created(override_of(alice, banner, "for alice").await).await);
        created(override_of(bob, colour, "for bob").await).await;
        Stage {
            server: key["key"].as_str().unwrap().to_string(),
            server_id: id(key),
            banner,
            colour,
            colour_option,
            size,
            pros,
            pros_override: id(pros_state["feature_segment"].clone()),
            pros_state: id(pros_state),
            everyone_override: id(everyone_state["feature_segment"].clone()),
            banner_state,
            alice,
            alice_state,
            alice_plan,
            bob,
            w,
        }
    }

    /// What the SDKs are served: the flags, the environment document (less its `updated_at`,
    /// which any write moves) and alice's flags and traits, each with its status.
    async fn view(&self, app: &TestApp) -> Value {
        let (client, server) = (self.w.env_key.as_str(), self.server.as_str());
        let doc = app.sdk("GET", "/api/v1/environment-document/", server, None);
        let mut document = answer(doc.await).await;
        if let Some(doc) = document["body"].as_object_mut() {
            doc.remove("updated_at");
        }
        json!({
            "flags": answer(app.sdk("GET", "/api/v1/flags/", client, None).await).await,
            "document": document,
            "alice": answer(app.sdk("GET", "/api/v1/identities/?identifier=alice", client, None).await).await,
        })
    }

    async fn write(&self, app: &TestApp, op: &str) -> TestResponse {
        let a = &self.w.admin;
        let (org, p, env, env_id) = (self.w.org, self.w.project, &self.w.env_key, self.w.env_id);
        let (banner, colour, size) = (self.banner, self.colour, self.size);
        let (alice, bob, server_id) = (self.alice, self.bob, self.server_id);
        let sdk = |method: &'static str, path: &'static str, body: Value| {
            app.sdk(method, path, env, Some(body))
        };
        let env_path = format!("/api/v1/environments/{env}/");
        let key_path = format!("/api/v1/environments/{env}/api-keys/{server_id}/");
        let env_state = format!(
            "/api/v1/environments/{env}/featurestates/{}/",
            self.banner_state
        );
        let alice_path = format!("/api/v1/environments/{env}/identities/{alice}/");
        let alice_state = format!("{alice_path}featurestates/{}/", self.alice_state);
        let plan = format!("{alice_path}traits/{}/", self.alice_plan);
        let segment_state = format!("/api/v1/features/featurestates/{}/", self.pros_state);
        let feature = format!("/api/v1/projects/{p}/features/{banner}/");
        let option = format!(
            "/api/v1/projects/{p}/features/{colour}/mv-options/{}/",
            self.colour_option
        );
        let segment = format!("/api/v1/projects/{p}/segments/{}/", self.pros);
        let rules = json!([{"type": "ALL", "rules": [], "conditions": [{"operator": "EQUAL", "property": "plan", "value": "free"}]}]);
        let red = json!({"type": "unicode", "string_value": "blue", "default_percentage_allocation": 100});
        let off = json!({"enabled": false, "feature_state_value": "v2"});
        match op {
            "DELETE /api/v1/environments/{api_key}/" => delete(app, &env_path, a).await,
            "PATCH /api/v1/environments/{api_key}/" => patch(app, &env_path, a, json!({"hide_disabled_flags": true})).await,
            "PUT /api/v1/environments/{api_key}/" => put(app, &env_path, a, json!({"name": "Production", "hide_disabled_flags": true})).await,
            "DELETE /api/v1/environments/{api_key}/api-keys/{id}/" => delete(app, &key_path, a).await,
            "PATCH /api/v1/environments/{api_key}/api-keys/{id}/" => patch(app, &key_path, a, json!({"active": false})).await,
            "PUT /api/v1/environments/{api_key}/api-keys/{id}/" => put(app, &key_path, a, json!({"name": "server", "active": false})).await,
            "POST /api/v1/environments/{api_key}/features/{feature}/create-segment-override/" => post(app,
                &format!("/api/v1/environments/{env}/features/{size}/create-segment-override/"), a,
                json!({"enabled": false, "feature_state_value": {"type": "unicode", "string_value": "xl"},
                       "feature_segment": {"segment": self.pros}})).await,
            "POST /api/v1/environments/{api_key}/featurestates/" => post(app,
                &format!("/api/v1/environments/{env}/featurestates/"), a,
                json!({"feature": size, "identity": alice, "enabled": false, "feature_state_value": "s"})).await,
            "DELETE /api/v1/environments/{api_key}/featurestates/{id}/" => {
                let path = format!("/api/v1/environments/{env}/featurestates/{}/?anyIdentity=1", self.alice_state);
                delete(app, &path, a).await
            }
            "PATCH /api/v1/environments/{api_key}/featurestates/{id}/" => patch(app, &env_state, a, off).await,
            "PUT /api/v1/environments/{api_key}/featurestates/{id}/" => put(app, &env_state, a, off).await,
            "POST /api/v1/environments/{api_key}/identities/{identity}/featurestates/" => post(app,
                &format!("{alice_path}featurestates/"), a, json!({"feature": size, "enabled": false})).await,
            "POST /api/v1/environments/{api_key}/identities/{identity}/featurestates/clone-from-given-identity/" => post(app,
                &format!("{alice_path}featurestates/clone-from-given-identity/"), a, json!({"source_identity_id": bob})).await,
            "DELETE /api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/" => delete(app, &alice_state, a).await,
            "PATCH /api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/" => patch(app, &alice_state, a, off).await,
            "PUT /api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/" => put(app, &alice_state, a, json!({"feature": banner, "enabled": false})).await,
            "DELETE /api/v1/environments/{api_key}/identities/{id}/" => delete(app, &alice_path, a).await,
            "PATCH /api/v1/environments/{api_key}/identities/{id}/" => patch(app, &alice_path, a, json!({"identifier": "alicia"})).await,
            "PUT /api/v1/environments/{api_key}/identities/{id}/" => put(app, &alice_path, a, json!({"identifier": "alicia"})).await,
            "POST /api/v1/environments/{api_key}/identities/{id}/traits/" => post(app, &format!("{alice_path}traits/"), a,
                json!({"trait_key": "age", "value_type": "int", "integer_value": 42})).await,
            "DELETE /api/v1/environments/{api_key}/identities/{id}/traits/{trait_id}/" => delete(app, &plan, a).await,
            "PATCH /api/v1/environments/{api_key}/identities/{id}/traits/{trait_id}/" => patch(app, &plan, a,
                json!({"value_type": "unicode", "string_value": "free"})).await,
            "PUT /api/v1/environments/{api_key}/identities/{id}/traits/{trait_id}/" => put(app, &plan, a,
                json!({"trait_key": "plan", "value_type": "unicode", "string_value": "free"})).await,
            "POST /api/v1/features/feature-segments/update-priorities/" => post(app,
                "/api/v1/features/feature-segments/update-priorities/", a,
                json!([{"id": self.pros_override, "priority": 1}, {"id": self.everyone_override, "priority": 0}])).await,
            "DELETE /api/v1/features/feature-segments/{id}/" => delete(app,
                &format!("/api/v1/features/feature-segments/{}/", self.pros_override), a).await,
            "POST /api/v1/features/featurestates/" => post(app, "/api/v1/features/featurestates/", a,
                json!({"feature": banner, "environment": env_id, "feature_segment": self.pros_override, "enabled": false,
                       "feature_state_value": {"type": "unicode", "string_value": "changed"}})).await,
            "PATCH /api/v1/features/featurestates/{id}/" => patch(app, &segment_state, a, json!({"enabled": false})).await,
            "PUT /api/v1/features/featurestates/{id}/" => put(app, &segment_state, a,
                json!({"enabled": false, "feature_state_value": {"type": "unicode", "string_value": "changed"}})).await,
            "POST /api/v1/identities/" => sdk("POST", "/api/v1/identities/",
                json!({"identifier": "alice", "traits": [{"trait_key": "age", "trait_value": 42}]})).await,
            "DELETE /api/v1/organisations/{id}/" => delete(app, &format!("/api/v1/organisations/{org}/"), a).await,
            "PATCH /api/v1/organisations/{id}/" => patch(app, &format!("/api/v1/organisations/{org}/"), a, json!({"name": "Renamed"})).await,
            "PUT /api/v1/organisations/{id}/" => put(app, &format!("/api/v1/organisations/{org}/"), a, json!({"name": "Renamed"})).await,
            "DELETE /api/v1/projects/{id}/" => delete(app, &format!("/api/v1/projects/{p}/"), a).await,
            "PATCH /api/v1/projects/{id}/" => patch(app, &format!("/api/v1/projects/{p}/"), a, json!({"hide_disabled_flags": true})).await,
            "PUT /api/v1/projects/{id}/" => put(app, &format!("/api/v1/projects/{p}/"), a, json!({"name": "Shop", "hide_disabled_flags": true})).await,
            "POST /api/v1/projects/{project}/features/" => post(app, &format!("/api/v1/projects/{p}/features/"), a, json!({"name": "new"})).await,
            "POST /api/v1/projects/{project}/features/{feature}/mv-options/" => post(app,
                &format!("/api/v1/projects/{p}/features/{colour}/mv-options/"), a,
                json!({"type": "unicode", "string_value": "green", "default_percentage_allocation": 0})).await,
            "DELETE /api/v1/projects/{project}/features/{feature}/mv-options/{id}/" => delete(app, &option, a).await,
            "PATCH /api/v1/projects/{project}/features/{feature}/mv-options/{id}/" => patch(app, &option, a, red).await,
            "PUT /api/v1/projects/{project}/features/{feature}/mv-options/{id}/" => put(app, &option, a, red).await,
            "DELETE /api/v1/projects/{project}/features/{id}/" => delete(app, &feature, a).await,
            "PATCH /api/v1/projects/{project}/features/{id}/" => patch(app, &feature, a, json!({"is_server_key_only": true})).await,
            "PUT /api/v1/projects/{project}/features/{id}/" => put(app, &feature, a, json!({"is_server_key_only": true})).await,
            "POST /api/v1/projects/{project}/segments/" => post(app, &format!("/api/v1/projects/{p}/segments/"), a,
                json!({"name": "free", "rules": rules})).await,
            "DELETE /api/v1/projects/{project}/segments/{id}/" => delete(app, &segment, a).await,
            "PATCH /api/v1/projects/{project}/segments/{id}/" => patch(app, &segment, a, json!({"name": "pros", "rules": rules})).await,
            "PUT /api/v1/projects/{project}/segments/{id}/" => put(app, &segment, a, json!({"name": "pros", "rules": rules})).await,
            "POST /api/v1/projects/{project}/segments/{id}/clone/" => post(app, &format!("{segment}clone/"), a, json!({"name": "pros again"})).await,
            "POST /api/v1/traits/" => sdk("POST", "/api/v1/traits/",
                json!({"identity": {"identifier": "alice"}, "trait_key": "plan", "trait_value": "free"})).await,
            "PUT /api/v1/traits/bulk/" => sdk("PUT", "/api/v1/traits/bulk/",
                json!([{"identity": {"identifier": "alice"}, "trait_key": "plan", "trait_value": "free"}])).await,
            "POST /api/v1/traits/increment-value/" => sdk("POST", "/api/v1/traits/increment-value/",
                json!({"identifier": "alice", "trait_key": "logins", "increment_by": 1})).await,
            other => panic!("{other}: in SEEN without a write here"),
        }
    }
}

/// A response as `{status, body}`.
async fn answer(resp: TestResponse) -> Value {
    let status = resp.0.status();
    let body = if status == StatusCode::NO_CONTENT {
        Value::Null
    } else {
        json(resp).await
    };
    json!({"status": status.as_u16(), "body": body})
}

fn id(v: Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}
