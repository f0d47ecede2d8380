//! Every operation shared with Flagsmith answers in the shape upstream's serializers give it.
//
// `table.rs` holds upstream's shape of each GET and create operation Flagstaff shares with
// Flagsmith (read from its serializers and views), in the notation of `notation.rs`. This test
// builds one of every object (the isolation test's set), calls each operation as the
// organisation's admin, and checks the live answer against the table on both backends. The
// table is checked against the OpenAPI document: a new GET or POST must be added to it, or to
// its list of operations left out with the reason.

mod notation;
mod table;

use std::collections::{BTreeMap, BTreeSet};

use poem::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::isolation::{Ours, documented, key};
use super::world::call;
use super::{TestApp, json};
use crate::api_on_both_backends;
use notation::{Findings, Shape, check, parse};
use table::{EMPTY_LISTS, NAMED, NOT_CHECKED, SHAPES};

api_on_both_backends!(shared_operations_answer_in_upstreams_shapes);

/// `(METHOD, path)` of a table row's operation.
fn operation(row: &str) -> (String, String) {
    let (method, path) = row.split_once(' ').expect("METHOD /path");
    (method.to_string(), path.to_string())
}

/// Features, a member without grants and a group made for the creates, so that each creates
/// something new.
struct Fresh {
    features: [i64; 3],
    member: i64,
    group: i64,
}

impl Fresh {
    async fn new(app: &TestApp, ours: &Ours) -> Fresh {
        let mut features = [0; 3];
        for (i, name) in ["shapes_a", "shapes_b", "shapes_c"].into_iter().enumerate() {
            let path = format!("/api/v1/projects/{}/features/", ours.w.project);
            let resp = call(
                app,
                Method::POST,
                &path,
                &ours.w.admin,
                json!({"name": name}),
            )
            .await;
            features[i] = json(resp).await["id"].as_i64().unwrap();
        }
        let w = &ours.w;
        let (_, member) = w.join(app, "shapes@example.com").await;
        let groups = format!("/api/v1/organisations/{}/groups/", w.org);
        let group = json(
            call(
                app,
                Method::POST,
                &groups,
                &w.admin,
                json!({"name": "fresh"}),
            )
            .await,
        )
        .await["id"]
            .as_i64()
            .unwrap();
        // The admin is in a group, so that `my-groups/` lists one.
        let admin = app.me(w.admin.trim_start_matches("Token ")).await;
        let add = format!("{groups}{group}/add-users/");
        call(
            app,
            Method::POST,
            &add,
            &w.admin,
            json!({"user_ids": [admin]}),
        )
        .await
        .assert_status_is_ok();
        Fresh {
            features,
            member,
            group,
        }
    }
}

/// The request (path and body) for an operation the isolation set does not make as its admin
/// would: a sign-in, a sign-up, and creates that would repeat what the set already holds.
fn request_for(
    method: &str,
    template: &str,
    ours: &Ours,
    fresh: &Fresh,
) -> Option<(String, Value)> {
    let (w, [a, b, c]) = (&ours.w, fresh.features);
    let at = |path: String, body: Value| Some((path, body));
    match (method, template) {
        ("POST", "/api/v1/auth/login/") => at(
            template.to_string(),
            json!({"email": "admin@example.com", "password": "correct horse battery"}),
        ),
        ("POST", "/api/v1/auth/users/") => at(
            template.to_string(),
            json!({"email": "newcomer@example.com", "password": "correct horse battery",
                   "first_name": "New", "last_name": "Comer"}),
        ),
        ("POST", "/api/v1/organisations/") => at(template.to_string(), json!({"name": "Second"})),
        ("POST", "/api/v1/projects/") => at(
            template.to_string(),
            json!({"name": "Shapes", "organisation": w.org}),
        ),
        ("POST", "/api/v1/environments/{api_key}/clone/") => at(
            format!("/api/v1/environments/{}/clone/", w.env_key),
            json!({"name": "Shapes clone"}),
        ),
        ("POST", "/api/v1/environments/{api_key}/featurestates/") => at(
            format!("/api/v1/environments/{}/featurestates/", w.env_key),
            json!({"feature": a, "identity": ours.other_identity, "enabled": true}),
        ),
        ("POST", "/api/v1/environments/{api_key}/identities/{identity}/featurestates/") => at(
            format!(
                "/api/v1/environments/{}/identities/{}/featurestates/",
                w.env_key, ours.identity
            ),
            json!({"feature": a, "enabled": true, "feature_state_value": "mine"}),
        ),
        ("POST", "/api/v1/features/feature-segments/") => at(
            template.to_string(),
            json!({"feature": b, "segment": ours.segment, "environment": w.env_id}),
        ),
        ("POST", "/api/v1/environments/{api_key}/features/{feature}/create-segment-override/") => {
            at(
                format!(
                    "/api/v1/environments/{}/features/{c}/create-segment-override/",
                    w.env_key
                ),
                json!({"feature_state_value": {"type": "unicode", "string_value": "x"},
                       "feature_segment": {"segment": ours.segment}}),
            )
        }
        ("POST", "/api/v1/organisations/{org}/groups/{id}/add-users/") => at(
            format!(
                "/api/v1/organisations/{}/groups/{}/add-users/",
                w.org, ours.group
            ),
            json!({"user_ids": [fresh.member]}),
        ),
        ("POST", grants) if grants.ends_with("/user-permissions/") => at(
            grant_path(grants, ours),
            json!({"user": fresh.member, "permissions": [], "admin": false}),
        ),
        ("POST", grants) if grants.ends_with("/user-group-permissions/") => at(
            grant_path(grants, ours),
            json!({"group": fresh.group, "permissions": [], "admin": false}),
        ),
        _ => None,
    }
}

/// A grant route's path for the set's organisation, project or environment.
fn grant_path(template: &str, ours: &Ours) -> String {
    let target = match template.split('/').nth(3) {
        Some("organisations") => ours.w.org.to_string(),
        Some("projects") => ours.w.project.to_string(),
        _ => ours.w.env_key.clone(),
    };
    template.replace("{target}", &target)
}

async fn shared_operations_answer_in_upstreams_shapes(app: TestApp) {
    // The table and the document name the same operations.
    let rows: BTreeSet<_> = SHAPES.iter().map(|(op, _)| operation(op)).collect();
    let left_out: BTreeSet<_> = NOT_CHECKED.iter().map(|(op, _)| operation(op)).collect();
    let shared: BTreeSet<_> = documented()
        .into_iter()
        .filter(|(method, _)| method == "GET" || method == "POST")
        .collect();
    let missing: Vec<_> = shared
        .iter()
        .filter(|op| !rows.contains(op) && !left_out.contains(op))
        .cloned()
        .collect();
    let stale: Vec<_> = rows
        .union(&left_out)
        .filter(|op| !shared.contains(op))
        .cloned()
        .collect();
    assert!(
        rows.is_disjoint(&left_out),
        "an operation is both checked and left out"
    );

    let named: BTreeMap<String, Shape> = NAMED
        .iter()
        .map(|(name, shape)| (name.to_string(), parse(shape)))
        .collect();
    let ours = Ours::new(&app).await;
    let ops = ours.operations();
    let fresh = Fresh::new(&app, &ours).await;
    let mut found = Findings::default();
    let mut empty = BTreeSet::new();
    // Reads first, so that the creates after them change nothing they see.
    let mut ordered: Vec<_> = SHAPES.iter().collect();
    ordered.sort_by_key(|(op, _)| !op.starts_with("GET"));
    for (row, shape) in ordered {
        let (method, template) = operation(row);
        let op = ops
            .iter()
            .find(|o| key(&o.method, o.template) == (method.clone(), template.clone()));
        let (path, body) = match (request_for(&method, &template, &ours, &fresh), op) {
            (Some(request), _) => request,
            (None, Some(op)) => (op.path.clone(), op.body.clone()),
            (None, None) if !template.contains('{') => (template.clone(), Value::Null),
            (None, None) => panic!("{row}: no path for it in the isolation set"),
        };
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let resp = call(&app, method, &path, &ours.w.admin, body).await;
        let status = resp.0.status();
        let value = json(resp).await;
        if !(status == StatusCode::OK || status == StatusCode::CREATED) {
            found.mismatches.push(format!("{row}: {status} {value}"));
            continue;
        }
        let items = value.get("results").unwrap_or(&value).as_array();
        if items.is_some_and(Vec::is_empty) {
            empty.insert(*row);
        }
        check(&parse(shape), &value, row, &named, &mut found);
    }
    assert!(
        found.mismatches.is_empty(),
        "answers unlike upstream's: {:#?}",
        found.mismatches
    );
    assert!(
        missing.is_empty(),
        "operations without a shape: {missing:#?}"
    );
    assert!(
        stale.is_empty(),
        "rows for undocumented operations: {stale:#?}"
    );
    let expected: BTreeSet<_> = EMPTY_LISTS.iter().map(|(op, _)| *op).collect();
    assert_eq!(
        empty, expected,
        "lists that came back empty (their items went unchecked)"
    );
}
