//! The whole management API in one pass, through HTTP alone from an empty database.
//
// The whole management API in one pass, through HTTP alone from an empty database: the
// superuser, an organisation with its API key, a project with two environments, features of
// every type, a segment with nested rules and its override, an identity with traits and an
// override, a server-side key. Each object reads back with the fields the spec names, each
// change is in the audit log, and the SDK sees the result.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(an_empty_server_is_set_up_through_the_api_alone);

/// Fails unless the object has every field the spec lists for it.
fn has_fields(what: &str, object: &Value, fields: &str) {
    let missing: Vec<&str> = fields
        .split(',')
        .map(str::trim)
        .filter(|f| object.get(f).is_none())
        .collect();
    assert!(missing.is_empty(), "{what} lacks {missing:?}: {object}");
}

struct Client<'a> {
    app: &'a TestApp,
    auth: String,
}

impl Client<'_> {
    async fn send(&self, method: &str, path: &str, body: Option<Value>, want: StatusCode) -> Value {
        let method = poem::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .app
            .client
            .request(method.clone(), path)
            .header("authorization", &self.auth);
        if let Some(body) = body {
            req = req.body_json(&body);
        }
        let resp = req.send().await;
        let status = resp.0.status();
        let text = resp.0.into_body().into_string().await.unwrap();
        assert_eq!(status, want, "{method} {path}: {text}");
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.send("POST", path, Some(body), StatusCode::CREATED)
            .await
    }

    async fn get(&self, path: &str) -> Value {
        self.send("GET", path, None, StatusCode::OK).await
    }
}

async fn an_empty_server_is_set_up_through_the_api_alone(app: TestApp) {
    tour(&app).await;
}

/// The tour itself, for other tests that want a server with a bit of everything in it;
/// answers the superuser's `Authorization` header.
pub(crate) async fn tour(app: &TestApp) -> String {
    let anonymous = Client {
        app,
        auth: String::new(),
    };
    let version = anonymous.get("/version/").await;
    assert_eq!(version["self_hosted_data"]["has_users"], false, "{version}");
    anonymous
        .post(
            "/api/v1/auth/users/",
            json!({"email": "root@example.com", "password": "correct horse battery",
                   "first_name": "Root", "last_name": "User", "superuser": true}),
        )
        .await;
    let login = anonymous
        .send(
            "POST",
            "/api/v1/auth/login/",
            Some(json!({"email": "root@example.com", "password": "correct horse battery"})),
            StatusCode::OK,
        )
        .await;
    let root = Client {
        app,
        auth: format!("Token {}", login["key"].as_str().unwrap()),
    };
    let me = root.get("/api/v1/auth/users/me/").await;
    has_fields(
        "user",
        &me,
        "id, email, first_name, last_name, is_superuser",
    );
    assert_eq!(me["is_superuser"], true);

    // Organisation and its API key.
    let org = root
        .post("/api/v1/organisations/", json!({"name": "Acme"}))
        .await;
    let org_id = org["id"].as_i64().unwrap();
    let org = root.get(&format!("/api/v1/organisations/{org_id}/")).await;
    has_fields(
        "organisation",
        &org,
        "id, uuid, name, created_date, webhook_notification_email, num_seats, subscription, role,
         persist_trait_data, block_access_to_admin, restrict_project_create_to_admin, force_2fa",
    );
    assert_eq!(org["role"], "ADMIN");
    // No plan limits: numbers (never null) that no client reads as a limit.
    for limit in ["max_seats", "max_api_calls"] {
        let n = org["subscription"][limit].as_i64();
        assert!(n.is_some_and(|n| n >= 1_000_000), "{limit}: {org}");
    }
    let api_key = root
        .post(
            &format!("/api/v1/organisations/{org_id}/master-api-keys/"),
            json!({"name": "automation"}),
        )
        .await;
    has_fields(
        "organisation API key",
        &api_key,
        "id, prefix, created, name, revoked, expiry_date, key, is_admin, has_expired",
    );
    let automation = Client {
        app,
        auth: format!("Api-Key {}", api_key["key"].as_str().unwrap()),
    };

    // The API key (an organisation admin) creates the project and its environments.
    let project = automation
        .post(
            "/api/v1/projects/",
            json!({"name": "Shop", "organisation": org_id}),
        )
        .await;
    let project_id = project["id"].as_i64().unwrap();
    let project = root.get(&format!("/api/v1/projects/{project_id}/")).await;
    has_fields(
        "project",
        &project,
        "id, uuid, name, organisation, hide_disabled_flags, enable_dynamo_db, migration_status,
         use_edge_identities, prevent_flag_defaults, enable_realtime_updates,
         only_allow_lower_case_feature_names, feature_name_regex, stale_flags_limit_days,
         minimum_change_request_approvals, enforce_feature_owners, max_segments_allowed,
         max_features_allowed, max_segment_overrides_allowed, total_features, total_segments",
    );
    let mut envs = Vec::new();
    for name in ["Development", "Production"] {
        let env = root
            .post(
                "/api/v1/environments/",
                json!({"name": name, "project": project_id}),
            )
            .await;
        envs.push(env["api_key"].as_str().unwrap().to_string());
    }
    let prod_key = envs[1].clone();
    let prod = root.get(&format!("/api/v1/environments/{prod_key}/")).await;
    has_fields(
        "environment",
        &prod,
        "id, uuid, name, api_key, description, project, minimum_change_request_approvals,
         allow_client_traits, banner_text, banner_colour, hide_disabled_flags, use_mv_v2_evaluation,
         use_identity_composite_key_for_hashing, hide_sensitive_data, use_v2_feature_versioning,
         use_identity_overrides_in_local_eval, total_segment_overrides",
    );
    let prod_id = prod["id"].as_i64().unwrap();

    // Features of every type: a flag, remote config of each value type, a multivariate one.
    let features = format!("/api/v1/projects/{project_id}/features/");
    let mut feature_ids = Vec::new();
    for body in [
        json!({"name": "new_checkout", "default_enabled": true}),
        json!({"name": "banner_text", "initial_value": "Welcome"}),
        json!({"name": "max_items", "initial_value": "10"}),
        json!({"name": "beta_tools", "initial_value": "true", "default_enabled": true}),
        json!({"name": "button_colour", "type": "MULTIVARIATE", "initial_value": "grey",
               "multivariate_options": [
                   {"type": "unicode", "string_value": "green", "default_percentage_allocation": 30},
                   {"type": "unicode", "string_value": "blue", "default_percentage_allocation": 20}]}),
    ] {
        let created = root.post(&features, body).await;
        feature_ids.push(created["id"].as_i64().unwrap());
    }
    let colour_id = feature_ids[4];
    let colour = root.get(&format!("{features}{colour_id}/")).await;
    has_fields(
        "feature",
        &colour,
        "id, name, type, default_enabled, initial_value, created_date, description, tags,
         multivariate_options, is_archived, owners, group_owners, uuid, project,
         num_segment_overrides, num_identity_overrides, is_server_key_only",
    );
    assert_eq!(colour["type"], "MULTIVARIATE");
    // Upstream leaves lifecycle_stage out while its lifecycle feature is off (not null).
    assert!(colour.get("lifecycle_stage").is_none(), "{colour}");
    let options = &colour["multivariate_options"];
    assert_eq!(options.as_array().unwrap().len(), 2);
    has_fields(
        "multivariate option",
        &options[0],
        "id, uuid, type, integer_value, string_value, boolean_value, default_percentage_allocation,
         key",
    );
    // A feature's options are its own, so they do not name it (as upstream's nested options).
    assert!(options[0].get("feature").is_none(), "{options}");
    // Each environment has a default state for each feature, typed from its initial value.
    let states = root
        .get(&format!("/api/v1/environments/{prod_key}/featurestates/"))
        .await;
    assert_eq!(states["count"], 5);
    let value_of = |id: i64| {
        states["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["feature"] == id)
            .unwrap()["feature_state_value"]
            .clone()
    };
    assert_eq!(value_of(feature_ids[1]), "Welcome");
    assert_eq!(value_of(feature_ids[2]), 10);
    assert_eq!(value_of(feature_ids[3]), true);
    has_fields(
        "feature state",
        &states["results"][0],
        "id, feature_state_value, multivariate_feature_state_values, deleted_at, uuid, enabled,
         created_at, updated_at, live_from, version, feature, environment, identity,
         feature_segment, change_request, environment_feature_version",
    );

    // A segment with nested rules, and its override of the banner in production.
    let segment = root
        .post(
            &format!("/api/v1/projects/{project_id}/segments/"),
            json!({"name": "power users", "rules": [{"type": "ALL", "conditions": [], "rules": [
                {"type": "ANY", "conditions": [
                    {"operator": "EQUAL", "property": "plan", "value": "pro"},
                    {"operator": "GREATER_THAN_INCLUSIVE", "property": "seats", "value": "50"}]},
                {"type": "NONE", "conditions": [
                    {"operator": "IS_SET", "property": "banned"}]}]}]}),
        )
        .await;
    let segment_id = segment["id"].as_i64().unwrap();
    let segment = root
        .get(&format!(
            "/api/v1/projects/{project_id}/segments/{segment_id}/"
        ))
        .await;
    has_fields(
        "segment",
        &segment,
        "id, uuid, name, description, project, feature, rules",
    );
    assert_eq!(segment["rules"][0]["rules"].as_array().unwrap().len(), 2);
    let banner = feature_ids[1];
    let override_state = root
        .post(
            &format!("/api/v1/environments/{prod_key}/features/{banner}/create-segment-override/"),
            json!({"enabled": true,
                   "feature_state_value": {"type": "unicode", "string_value": "Hello, power user"},
                   "feature_segment": {"segment": segment_id}}),
        )
        .await;
    let feature_segments = root
        .get(&format!(
            "/api/v1/features/feature-segments/?environment={prod_id}&feature={banner}"
        ))
        .await;
    has_fields(
        "feature segment",
        &feature_segments["results"][0],
        "id, uuid, segment, priority, environment, segment_name",
    );
    assert_eq!(
        feature_segments["results"][0]["id"],
        override_state["feature_segment"]["id"]
    );

    // An identity with traits, and its own override of the checkout flag.
    let identity = root
        .post(
            &format!("/api/v1/environments/{prod_key}/identities/"),
            json!({"identifier": "ada@example.com"}),
        )
        .await;
    has_fields("identity", &identity, "id, identifier, environment");
    let identity_id = identity["id"].as_i64().unwrap();
    let traits = format!("/api/v1/environments/{prod_key}/identities/{identity_id}/traits/");
    for body in [
        json!({"trait_key": "plan", "value_type": "unicode", "string_value": "pro"}),
        json!({"trait_key": "seats", "value_type": "int", "integer_value": 12}),
    ] {
        let created = root.post(&traits, body).await;
        has_fields(
            "trait",
            &created,
            "id, trait_key, value_type, integer_value, string_value, boolean_value, float_value,
             created_date",
        );
    }
    let checkout = feature_ids[0];
    let own = root
        .post(
            &format!("/api/v1/environments/{prod_key}/identities/{identity_id}/featurestates/"),
            json!({"feature": checkout, "enabled": false}),
        )
        .await;
    assert_eq!(own["identity"], identity_id);

    // A server-side key for the production environment.
    let server_key = root
        .post(
            &format!("/api/v1/environments/{prod_key}/api-keys/"),
            json!({"name": "backend"}),
        )
        .await;
    has_fields(
        "server-side key",
        &server_key,
        "id, key, active, created_at, name, expires_at",
    );
    let server_key = server_key["key"].as_str().unwrap().to_string();
    assert!(server_key.starts_with("ser."), "{server_key}");

    // What the identity gets: its override, the segment's banner, the defaults.
    let all = root
        .get(&format!(
            "/api/v1/environments/{prod_key}/identities/{identity_id}/featurestates/all/"
        ))
        .await;
    let flag = |id: i64| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|f| f["feature"]["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(flag(checkout)["overridden_by"], "IDENTITY");
    assert_eq!(flag(banner)["overridden_by"], "SEGMENT");
    assert_eq!(flag(banner)["feature_state_value"], "Hello, power user");
    assert_eq!(flag(feature_ids[2])["overridden_by"], Value::Null);
    // The SDK agrees, with the server-side key.
    let sdk = app
        .sdk(
            "GET",
            "/api/v1/identities/?identifier=ada@example.com",
            &server_key,
            None,
        )
        .await;
    sdk.assert_status_is_ok();
    let sdk = json(sdk).await;
    let served = |name: &str| {
        sdk["flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["feature"]["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(served("new_checkout")["enabled"], false);
    assert_eq!(
        served("banner_text")["feature_state_value"],
        "Hello, power user"
    );

    // Every change is in the audit log.
    let audit = root
        .get(&format!("/api/v1/projects/{project_id}/audit/"))
        .await;
    let entries = audit["results"].as_array().unwrap();
    has_fields(
        "audit entry",
        &entries[0],
        "id, created_date, log, author, environment, project, related_object_id,
         related_object_type, is_system_event",
    );
    let logs: Vec<&str> = entries.iter().map(|e| e["log"].as_str().unwrap()).collect();
    for expected in [
        "New Project created: Shop",
        "New Environment created: Development",
        "New Environment created: Production",
        "New Flag / Remote Config created: new_checkout",
        "New Flag / Remote Config created: button_colour",
        "New Segment created: power users",
        "Flag state / Remote config value updated for feature 'new_checkout' and identity \
         'ada@example.com'",
    ] {
        assert!(logs.contains(&expected), "{expected:?} not in {logs:#?}");
    }
    for needle in ["power users", "backend", "ada@example.com"] {
        assert!(
            logs.iter().any(|l| l.contains(needle)),
            "nothing about {needle:?} in {logs:#?}"
        );
    }
    let detail = root
        .get(&format!(
            "/api/v1/projects/{project_id}/audit/{}/",
            entries[0]["id"]
        ))
        .await;
    has_fields("audit detail", &detail, "change_details, change_type");
    let org_audit = root
        .get(&format!("/api/v1/organisations/{org_id}/audit/"))
        .await;
    let org_logs: Vec<&str> = org_audit["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["log"].as_str().unwrap())
        .collect();
    // The organisation's log is its projects' (as upstream's): the project's entries, not
    // the organisation-level one of the API key's creation.
    assert!(
        org_logs
            .iter()
            .any(|l| l.contains("Server-side key created")),
        "{org_logs:#?}"
    );
    assert!(
        !org_logs.iter().any(|l| l.contains("automation")),
        "{org_logs:#?}"
    );
    let version = anonymous.get("/version/").await;
    assert_eq!(version["self_hosted_data"]["has_users"], true);
    root.auth
}
