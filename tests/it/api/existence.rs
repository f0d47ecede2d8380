//! No existence oracle: another organisation's id in a body answers as an id of nothing.
//
// No existence oracle: a write whose body names another organisation's object by id gets
// exactly the answer (status and body, the id aside) it gets for an id that names nothing.
// Every id field of every documented write body must have a case here.

use std::collections::BTreeSet;

use poem::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::TestApp;
use super::bad_input::resolve;
use super::isolation::{NOT_SCOPED, Ours, documented, fingerprint, key};
use super::segments::plan_is;
use super::world::{World, call, created, post};
use crate::api_on_both_backends;

api_on_both_backends!(
    another_organisations_ids_are_answered_as_missing_ones,
    objects_the_caller_cannot_see_are_answered_as_missing,
);

/// Body fields that name another object by id, wherever they sit in a body.
const REFERENCES: &[&str] = &[
    "organisation",
    "project",
    "environment",
    "feature",
    "segment",
    "feature_segment",
    "identity",
    "source_identity_id",
    "multivariate_feature_option",
    "user",
    "group",
    "user_ids",
    "group_ids",
    "owners",
    "group_owners",
    "tags",
    "id",
];

/// Where the id goes in a case's body.
const HOLE: &str = "$ID";

/// An id that names nothing.
const MISSING: i64 = 999_999;

/// One write of ours whose body names, in `field`, the object `theirs` of the other
/// organisation (or, in turn, nothing).
struct Case {
    method: Method,
    template: &'static str,
    path: String,
    field: &'static str,
    body: Value,
    theirs: i64,
}

/// The body with the hole filled.
fn fill(body: &Value, id: i64) -> Value {
    match body {
        Value::String(s) if s == HOLE => json!(id),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, id)).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), fill(v, id)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The text with each whole-number occurrence of `id` replaced by the hole (a digit run inside
/// a uuid or a word is not one).
fn without(text: &str, id: i64) -> String {
    let id = id.to_string();
    let mut out = String::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(&id) {
        let (at, end) = (from + found, from + found + id.len());
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        let whole = !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric());
        out.push_str(&text[from..at]);
        out.push_str(if whole { HOLE } else { &id });
        from = end;
    }
    out.push_str(&text[from..]);
    out
}

/// The paths (`a.b`, `a[].b`, `[].id`) of the id fields of a body schema. Schemas that
/// contain themselves (segment rules) are followed a few levels down.
fn reference_fields(doc: &Value, schema: &Value, prefix: &str, out: &mut Vec<String>) {
    if prefix.matches('.').count() > 4 {
        return;
    }
    let schema = resolve(doc, schema);
    if let Some(items) = schema.get("items") {
        let items = resolve(doc, items);
        if items.get("properties").is_some() {
            reference_fields(doc, &items, &format!("{prefix}[]."), out);
        }
        return;
    }
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, field) in properties {
        if field["readOnly"] == true || resolve(doc, field)["readOnly"] == true {
            continue;
        }
        let path = format!("{prefix}{name}");
        let inner = resolve(doc, field);
        if REFERENCES.contains(&name.as_str()) && inner.get("properties").is_none() {
            out.push(path.clone());
        }
        if inner.get("items").is_some() {
            reference_fields(doc, &inner, &path, out);
        } else if inner.get("properties").is_some() {
            reference_fields(doc, &inner, &format!("{path}."), out);
        }
    }
}

/// `(METHOD, path, field)` of every id field of the documented, organisation-scoped writes.
fn documented_references() -> BTreeSet<(String, String, String)> {
    let doc: Value = serde_json::from_str(&flagstaff::api::openapi_json()).unwrap();
    let unscoped: BTreeSet<_> = NOT_SCOPED
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let mut found = BTreeSet::new();
    for (method, path) in documented() {
        if ["GET", "DELETE"].contains(&method.as_str())
            || unscoped.contains(&(method.clone(), path.clone()))
        {
            continue;
        }
        let operation = &doc["paths"][path.as_str()][method.to_lowercase().as_str()];
        let Some(schema) = operation["requestBody"]["content"]
            .as_object()
            .and_then(|c| c.values().next())
            .map(|c| c["schema"].clone())
        else {
            continue;
        };
        let mut fields = Vec::new();
        reference_fields(&doc, &schema, "", &mut fields);
        for field in fields {
            found.insert((method.clone(), path.clone(), field));
        }
    }
    found
}

/// Fills a path template.
fn at(template: &str, params: &[(&str, String)]) -> String {
    let mut path = template.to_string();
    for (name, value) in params {
        path = path.replace(&format!("{{{name}}}"), value);
    }
    assert!(!path.contains('{'), "unfilled placeholder in {path}");
    path
}

/// The body with `field` (a path as `reference_fields` spells it) holding the hole.
fn with_hole(base: &Value, field: &str) -> Value {
    let mut body = base.clone();
    match field {
        "tags" | "user_ids" | "group_ids" | "owners" | "group_owners" => {
            body[field] = json!([HOLE]);
        }
        "[].id" => body[0]["id"] = json!(HOLE),
        "feature_segment.segment" => body["feature_segment"]["segment"] = json!(HOLE),
        "multivariate_feature_state_values[].multivariate_feature_option" => {
            body["multivariate_feature_state_values"] =
                json!([{"multivariate_feature_option": HOLE, "percentage_allocation": 10}]);
        }
        plain => body[plain] = json!(HOLE),
    }
    body
}

/// Every id field of every write of ours, each with a base body that is otherwise valid.
fn cases(ours: &Ours, theirs: &Ours, spare_segment: i64) -> Vec<Case> {
    use Method as M;
    let (org, project, env) = (
        ours.w.org.to_string(),
        ours.w.project.to_string(),
        ours.w.env_key.clone(),
    );
    let env_id = ours.w.env_id;
    let their_id = |field: &str| match field {
        "organisation" => theirs.w.org,
        "project" => theirs.w.project,
        "environment" => theirs.w.env_id,
        "feature" => theirs.feature,
        "segment" | "feature_segment.segment" => theirs.segment,
        "feature_segment" => theirs.feature_segment,
        "identity" | "source_identity_id" => theirs.identity,
        "multivariate_feature_state_values[].multivariate_feature_option" => theirs.mv_option,
        "user" | "user_ids" | "owners" => theirs.member,
        "group" | "group_ids" | "group_owners" => theirs.group,
        "tags" => theirs.tag,
        other => panic!("no object of theirs for {other}"),
    };
    let mut cases = Vec::new();
    let mut add = |method: M,
                   template: &'static str,
                   params: &[(&str, String)],
                   field: &'static str,
                   base: Value,
                   theirs: i64| {
        cases.push(Case {
            path: at(template, params),
            body: with_hole(&base, field),
            method,
            template,
            field,
            theirs,
        });
    };

    // Organisation members and groups.
    add(
        M::POST,
        "/api/v1/organisations/{id}/remove-users/",
        &[("id", org.clone())],
        "[].id",
        json!([{}]),
        theirs.member,
    );
    for template in [
        "/api/v1/organisations/{org}/groups/{id}/add-users/",
        "/api/v1/organisations/{org}/groups/{id}/remove-users/",
    ] {
        add(
            M::POST,
            template,
            &[("org", org.clone()), ("id", ours.group.to_string())],
            "user_ids",
            json!({}),
            theirs.member,
        );
    }
    // Grants at the three levels.
    for (template, target, key) in [
        (
            "/api/v1/organisations/{target}/user-permissions/",
            org.clone(),
            "CREATE_PROJECT",
        ),
        (
            "/api/v1/organisations/{target}/user-group-permissions/",
            org.clone(),
            "CREATE_PROJECT",
        ),
        (
            "/api/v1/projects/{target}/user-permissions/",
            project.clone(),
            "VIEW_PROJECT",
        ),
        (
            "/api/v1/projects/{target}/user-group-permissions/",
            project.clone(),
            "VIEW_PROJECT",
        ),
        (
            "/api/v1/environments/{target}/user-permissions/",
            env.clone(),
            "VIEW_ENVIRONMENT",
        ),
        (
            "/api/v1/environments/{target}/user-group-permissions/",
            env.clone(),
            "VIEW_ENVIRONMENT",
        ),
    ] {
        for field in ["user", "group"] {
            add(
                M::POST,
                template,
                &[("target", target.clone())],
                field,
                json!({"permissions": [key], "admin": false}),
                their_id(field),
            );
        }
    }
    // A test post in another organisation's name.
    add(
        M::POST,
        "/api/v1/webhooks/test/",
        &[],
        "scope.id",
        json!({"webhook_url": "https://example.com/hook", "scope": {"type": "organisation"}}),
        theirs.w.org,
    );
    // Projects and environments.
    add(
        M::POST,
        "/api/v1/projects/",
        &[],
        "organisation",
        json!({"name": "new"}),
        theirs.w.org,
    );
    add(
        M::POST,
        "/api/v1/environments/",
        &[],
        "project",
        json!({"name": "new"}),
        theirs.w.project,
    );
    // Features' tags, segments' feature.
    add(
        M::POST,
        "/api/v1/projects/{project}/features/",
        &[("project", project.clone())],
        "tags",
        json!({"name": "new"}),
        theirs.tag,
    );
    for field in ["owners", "group_owners"] {
        add(
            M::POST,
            "/api/v1/projects/{project}/features/",
            &[("project", project.clone())],
            field,
            json!({"name": "new"}),
            their_id(field),
        );
    }
    for (template, field) in [
        ("add-owners", "user_ids"),
        ("remove-owners", "user_ids"),
        ("add-group-owners", "group_ids"),
        ("remove-group-owners", "group_ids"),
    ] {
        add(
            M::POST,
            match template {
                "add-owners" => "/api/v1/projects/{project}/features/{id}/add-owners/",
                "remove-owners" => "/api/v1/projects/{project}/features/{id}/remove-owners/",
                "add-group-owners" => "/api/v1/projects/{project}/features/{id}/add-group-owners/",
                _ => "/api/v1/projects/{project}/features/{id}/remove-group-owners/",
            },
            &[
                ("project", project.clone()),
                ("id", ours.feature.to_string()),
            ],
            field,
            json!({}),
            their_id(field),
        );
    }
    for method in [M::PUT, M::PATCH] {
        add(
            method.clone(),
            "/api/v1/projects/{project}/features/{id}/",
            &[
                ("project", project.clone()),
                ("id", ours.feature.to_string()),
            ],
            "tags",
            json!({"name": "ours", "description": "d"}),
            theirs.tag,
        );
        add(
            method,
            "/api/v1/projects/{project}/segments/{id}/",
            &[
                ("project", project.clone()),
                ("id", ours.segment.to_string()),
            ],
            "feature",
            json!({"name": "ours", "rules": plan_is("pro")}),
            theirs.feature,
        );
    }
    add(
        M::POST,
        "/api/v1/projects/{project}/segments/",
        &[("project", project.clone())],
        "feature",
        json!({"name": "new", "rules": plan_is("x")}),
        theirs.feature,
    );
    // Segment overrides.
    let value = json!({"type": "unicode", "string_value": "x"});
    for (field, segment) in [
        ("feature_segment.segment", json!(null)),
        (
            "multivariate_feature_state_values[].multivariate_feature_option",
            json!(spare_segment),
        ),
    ] {
        add(
            M::POST,
            "/api/v1/environments/{api_key}/features/{feature}/create-segment-override/",
            &[
                ("api_key", env.clone()),
                ("feature", ours.feature.to_string()),
            ],
            field,
            json!({"feature_state_value": value, "feature_segment": {"segment": segment}}),
            their_id(field),
        );
    }
    add(
        M::POST,
        "/api/v1/features/feature-segments/update-priorities/",
        &[],
        "[].id",
        json!([{"priority": 0}]),
        theirs.feature_segment,
    );
    for field in ["feature", "segment", "environment"] {
        add(
            M::POST,
            "/api/v1/features/feature-segments/",
            &[],
            field,
            json!({"feature": ours.feature, "segment": spare_segment, "environment": env_id}),
            their_id(field),
        );
    }
    // Feature states, by every route that writes one.
    const STATE_FIELDS: [&str; 4] = [
        "environment",
        "feature",
        "identity",
        "multivariate_feature_state_values[].multivariate_feature_option",
    ];
    let raw = json!({"enabled": false, "feature_state_value": "v"});
    let identity_base =
        json!({"feature": ours.feature, "identity": ours.other_identity, "enabled": true});
    let segment_base =
        json!({"feature": ours.feature, "feature_segment": ours.feature_segment, "enabled": true});
    for field in STATE_FIELDS {
        // An identity override carries no shares: the options are tried on a segment's state.
        let base = if field.starts_with("multivariate") {
            &segment_base
        } else {
            &identity_base
        };
        add(
            M::POST,
            "/api/v1/environments/{api_key}/featurestates/",
            &[("api_key", env.clone())],
            field,
            base.clone(),
            their_id(field),
        );
        // Here the options are ignored, so they are sent for the identity that already has
        // its override (else the first request would create it).
        let identity = if field.starts_with("multivariate") {
            ours.identity
        } else {
            ours.other_identity
        };
        add(
            M::POST,
            "/api/v1/environments/{api_key}/identities/{identity}/featurestates/",
            &[("api_key", env.clone()), ("identity", identity.to_string())],
            field,
            json!({"feature": ours.feature, "enabled": true}),
            their_id(field),
        );
        let mut typed = base.clone();
        typed["environment"] = json!(env_id);
        add(
            M::POST,
            "/api/v1/features/featurestates/",
            &[],
            field,
            typed,
            their_id(field),
        );
        for method in [M::PUT, M::PATCH] {
            add(
                method.clone(),
                "/api/v1/environments/{api_key}/featurestates/{id}/",
                &[
                    ("api_key", env.clone()),
                    ("id", ours.default_state.to_string()),
                ],
                field,
                raw.clone(),
                their_id(field),
            );
            add(
                method.clone(),
                "/api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/",
                &[
                    ("api_key", env.clone()),
                    ("identity", ours.identity.to_string()),
                    ("id", ours.identity_override.to_string()),
                ],
                field,
                raw.clone(),
                their_id(field),
            );
            add(
                method,
                "/api/v1/features/featurestates/{id}/",
                &[("id", ours.segment_state.to_string())],
                field,
                json!({"enabled": false}),
                their_id(field),
            );
        }
    }
    add(
        M::POST,
        "/api/v1/features/featurestates/",
        &[],
        "feature_segment",
        json!({"feature": ours.feature, "environment": env_id, "enabled": true}),
        theirs.feature_segment,
    );
    for method in [M::PUT, M::PATCH] {
        add(
            method,
            "/api/v1/features/featurestates/{id}/",
            &[("id", ours.segment_state.to_string())],
            "feature_segment",
            json!({"enabled": false}),
            theirs.feature_segment,
        );
    }
    add(
        M::POST,
        "/api/v1/environments/{api_key}/identities/{identity}/featurestates/clone-from-given-identity/",
        &[
            ("api_key", env),
            ("identity", ours.other_identity.to_string()),
        ],
        "source_identity_id",
        json!({}),
        theirs.identity,
    );
    cases
}

async fn send(app: &TestApp, case: &Case, auth: &str, id: i64) -> (StatusCode, String) {
    let resp = call(
        app,
        case.method.clone(),
        &case.path,
        auth,
        fill(&case.body, id),
    )
    .await;
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap_or_default();
    (status, without(&text, id))
}

async fn another_organisations_ids_are_answered_as_missing_ones(app: TestApp) {
    let ours = Ours::new(&app).await;
    let theirs = Ours::other(&app).await;
    let spare_segment = created(
        post(
            &app,
            &format!("/api/v1/projects/{}/segments/", ours.w.project),
            &ours.w.admin,
            json!({"name": "spare", "rules": plan_is("spare")}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let cases = cases(&ours, &theirs, spare_segment);

    // Every id field of every documented write has a case.
    let covered: BTreeSet<_> = cases
        .iter()
        .map(|c| {
            let (method, path) = key(&c.method, c.template);
            (method, path, c.field.to_string())
        })
        .collect();
    let missing: Vec<_> = documented_references()
        .difference(&covered)
        .cloned()
        .collect();
    assert!(missing.is_empty(), "id fields without a case: {missing:#?}");

    let their_ops = theirs.operations();
    let before = fingerprint(&app, &theirs, &their_ops).await;
    let mut leaks = Vec::new();
    for auth in [&ours.w.admin, &ours.w.key] {
        for case in &cases {
            let missing = send(&app, case, auth, MISSING).await;
            let foreign = send(&app, case, auth, case.theirs).await;
            if missing != foreign {
                leaks.push(format!(
                    "{} {} {} as {}:\n  missing: {} {}\n  theirs:  {} {}",
                    case.method,
                    case.path,
                    case.field,
                    auth.split(' ').next().unwrap_or_default(),
                    missing.0,
                    missing.1,
                    foreign.0,
                    foreign.1
                ));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "answers that tell theirs from missing:\n{}",
        leaks.join("\n")
    );
    let after = fingerprint(&app, &theirs, &their_ops).await;
    for (path, seen) in &before {
        assert_eq!(Some(seen), after.get(path), "their {path} changed");
    }
}

/// The answer to a write, as `(status, JSON body)`.
async fn answer(app: &TestApp, path: &str, auth: &str, body: Value) -> (u16, Value) {
    let resp = post(app, path, auth, body).await;
    let status = resp.0.status().as_u16();
    (status, super::json(resp).await)
}

/// Within one organisation, an object of a project or environment the caller cannot see is
/// answered as a missing one too; the organisation's admin, who sees it, is told where it is.
async fn objects_the_caller_cannot_see_are_answered_as_missing(app: TestApp) {
    let w = World::new(&app).await;
    let token = w.admin.trim_start_matches("Token ").to_string();
    let member = w
        .member(
            &app,
            "member@example.com",
            &["VIEW_PROJECT", "CREATE_FEATURE"],
            &[
                "VIEW_ENVIRONMENT",
                "UPDATE_FEATURE_STATE",
                "VIEW_IDENTITIES",
            ],
        )
        .await;
    // A sibling project with a tag, a feature and a segment override, and a second
    // environment of our project with an identity: the member sees none of them.
    let sibling = app.project(&token, w.org, "Sibling").await;
    let (_, sibling_env) = app.environment(&token, sibling, "Production").await;
    let make = |path: String, body: Value| {
        let admin = w.admin.clone();
        let app = &app;
        async move { created(post(app, &path, &admin, body).await).await["id"].clone() }
    };
    let tag = make(
        format!("/api/v1/projects/{sibling}/tags/"),
        json!({"label": "x", "color": "#fff"}),
    )
    .await;
    let feature = make(
        format!("/api/v1/projects/{sibling}/features/"),
        json!({"name": "elsewhere"}),
    )
    .await;
    let segment = make(
        format!("/api/v1/projects/{sibling}/segments/"),
        json!({"name": "s", "rules": plan_is("x")}),
    )
    .await;
    let override_ = created(
        post(
            &app,
            &format!(
                "/api/v1/environments/{sibling_env}/features/{feature}/create-segment-override/"
            ),
            &w.admin,
            json!({"feature_state_value": {"type": "unicode", "string_value": "x"},
                   "feature_segment": {"segment": segment}}),
        )
        .await,
    )
    .await;
    let feature_segment = override_["feature_segment"]["id"].clone();
    let (_, staging) = app.environment(&token, w.project, "Staging").await;
    let identity = make(
        format!("/api/v1/environments/{staging}/identities/"),
        json!({"identifier": "ada"}),
    )
    .await;
    let ours = make(
        format!("/api/v1/projects/{}/features/", w.project),
        json!({"name": "ours"}),
    )
    .await;
    let id = |v: &Value| v.as_i64().unwrap();
    let tags = format!("/api/v1/projects/{}/features/", w.project);
    let states = "/api/v1/features/featurestates/".to_string();
    let state = |field: &str| {
        let mut body = json!({"feature": ours, "environment": w.env_id, "enabled": true});
        body[field] = json!(HOLE);
        body
    };
    let cases = [
        (
            tags,
            "tags",
            json!({"name": "new", "tags": [HOLE]}),
            id(&tag),
            json!({"non_field_errors": ["Selected Tags must be from the same Project as current Feature"]}),
        ),
        (
            states.clone(),
            "feature",
            state("feature"),
            id(&feature),
            json!({"feature": ["Feature does not exist in project"]}),
        ),
        (
            states.clone(),
            "identity",
            state("identity"),
            id(&identity),
            json!({"non_field_errors": ["Identity does not exist in environment."]}),
        ),
        (
            states,
            "feature_segment",
            state("feature_segment"),
            id(&feature_segment),
            json!({"non_field_errors": ["Feature Segment does not belong to environment."]}),
        ),
    ];
    for (path, field, body, hidden, told) in cases {
        let (status, seen) = answer(&app, &path, &member, fill(&body, hidden)).await;
        let missing = answer(&app, &path, &member, fill(&body, MISSING)).await;
        assert_eq!(
            (status, without(&seen.to_string(), hidden)),
            (missing.0, without(&missing.1.to_string(), MISSING)),
            "{field}: the member gets what a missing id gets"
        );
        assert_eq!(status, 400, "{field}: {seen}");
        assert_eq!(
            answer(&app, &path, &w.admin, fill(&body, hidden)).await,
            (400, told),
            "{field}: the admin is told where it is"
        );
    }
    // A project the member cannot see takes no environment, as one that does not exist.
    let env = |project: i64| json!({"name": "new", "project": project});
    let (status, seen) = answer(&app, "/api/v1/environments/", &member, env(sibling)).await;
    let missing = answer(&app, "/api/v1/environments/", &member, env(MISSING)).await;
    assert_eq!((status, seen), missing);
    assert_eq!(status, 400);
}
