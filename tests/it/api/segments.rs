//! Segments through the API: created, read, changed, cloned and deleted, rules validated.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::world::{World, created, delete, detail, get, invalid, ok, patch, post, put};
use crate::api_on_both_backends;

api_on_both_backends!(
    segments_are_created_read_changed_cloned_and_deleted,
    segment_lists_search_and_page,
    segment_rules_are_validated_by_field,
    segments_of_other_organisations_are_not_found,
    segment_writes_need_manage_segments,
);

const FORBIDDEN: &str = "You do not have permission to perform this action.";

fn segments(w: &World) -> String {
    format!("/api/v1/projects/{}/segments/", w.project)
}

/// One ALL rule holding one ANY rule with the given conditions, as the dashboard sends.
pub fn rules(conditions: Value) -> Value {
    json!([{"type": "ALL", "rules": [{"type": "ANY", "rules": [], "conditions": conditions}], "conditions": []}])
}

pub fn plan_is(plan: &str) -> Value {
    rules(json!([{"operator": "EQUAL", "property": "plan", "value": plan}]))
}

/// The rules without their row ids, which are rewritten whenever a segment is saved.
fn strip(rules: &Value) -> Value {
    fn clear(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("id");
                m.values_mut().for_each(clear);
            }
            Value::Array(a) => a.iter_mut().for_each(clear),
            _ => {}
        }
    }
    let mut v = rules.clone();
    clear(&mut v);
    v
}

async fn segments_are_created_read_changed_cloned_and_deleted(app: TestApp) {
    let w = World::new(&app).await;
    let before = w.tick(&app).await;
    let s = created(
        post(
            &app,
            &segments(&w),
            &w.admin,
            json!({"name": "pro users", "description": "paying", "rules": rules(json!([
                {"operator": "EQUAL", "property": "plan", "value": "pro", "description": "the plan"},
                {"operator": "GREATER_THAN", "property": "seats", "value": 10}
            ]))}),
        )
        .await,
    )
    .await;
    assert_ne!(
        w.env_updated_at(&app).await,
        before,
        "segment writes move updated_at"
    );
    assert_eq!(s["name"], "pro users");
    assert_eq!(s["description"], "paying");
    assert_eq!(s["project"], w.project);
    assert_eq!(s["feature"], json!(null));
    assert_eq!(
        s["version_of"], s["id"],
        "a live segment is its own version, as upstream's"
    );
    assert_eq!(s["metadata"], json!([]));
    assert_eq!(s["membership_counts"], json!([]));
    assert_eq!(s["managed_by"], "");
    assert!(s["uuid"].is_string() && s["created_at"].is_string() && s["updated_at"].is_string());
    let top = &s["rules"][0];
    assert_eq!(top["type"], "ALL");
    assert!(top["id"].is_i64());
    assert_eq!(top["conditions"], json!([]));
    let nested = &top["rules"][0];
    assert_eq!(nested["type"], "ANY");
    assert!(nested["id"].is_i64());
    assert_eq!(
        nested.get("rules"),
        None,
        "the second level holds conditions only"
    );
    let first = &nested["conditions"][0];
    assert!(first["id"].is_i64());
    assert_eq!(first["operator"], "EQUAL");
    assert_eq!(first["property"], "plan");
    assert_eq!(first["value"], "pro");
    assert_eq!(first["description"], "the plan");
    assert_eq!(
        nested["conditions"][1]["value"], "10",
        "condition values are stored as text"
    );

    let one = format!("{}{}/", segments(&w), s["id"]);
    assert_eq!(ok(get(&app, &one, &w.admin).await).await, s);

    // PATCH keeps the rules it does not name; PUT needs them and replaces the whole tree.
    let renamed = ok(patch(&app, &one, &w.admin, json!({"name": "pros"})).await).await;
    assert_eq!(renamed["name"], "pros");
    assert_eq!(strip(&renamed["rules"]), strip(&s["rules"]));
    invalid(
        put(&app, &one, &w.admin, json!({"name": "pros"})).await,
        "rules",
        "This field is required.",
    )
    .await;
    let replaced = ok(put(
        &app,
        &one,
        &w.admin,
        json!({"name": "pros", "description": null, "rules": plan_is("max")}),
    )
    .await)
    .await;
    assert_eq!(replaced["description"], json!(null));
    assert_eq!(
        replaced["rules"][0]["rules"][0]["conditions"][0]["value"],
        "max"
    );
    assert_eq!(
        replaced["rules"][0]["rules"][0]["conditions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let copy = created(
        post(
            &app,
            &format!("{one}clone/"),
            &w.admin,
            json!({"name": "pros copy"}),
        )
        .await,
    )
    .await;
    assert_ne!(copy["id"], replaced["id"]);
    assert_eq!(copy["name"], "pros copy");
    assert_eq!(
        strip(&copy["rules"]),
        strip(&replaced["rules"]),
        "a clone has the same rules"
    );

    let associated = ok(get(&app, &format!("{one}associated-features/"), &w.admin).await).await;
    assert_eq!(
        associated,
        json!({"count": 0, "next": null, "previous": null, "results": []})
    );

    let before = w.tick(&app).await;
    delete(&app, &one, &w.admin)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert_ne!(w.env_updated_at(&app).await, before);
    detail(
        get(&app, &one, &w.admin).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;

    let log = w.audit_log(&app).await;
    assert_eq!(
        &log[..5],
        [
            "Segment deleted: pros",
            "New Segment created: pros copy (cloned from pros)",
            "Segment updated: pros",
            "Segment updated: pros",
            "New Segment created: pro users",
        ]
    );
}

async fn segment_lists_search_and_page(app: TestApp) {
    let w = World::new(&app).await;
    let feature = created(
        post(
            &app,
            &format!("/api/v1/projects/{}/features/", w.project),
            &w.admin,
            json!({"name": "checkout"}),
        )
        .await,
    )
    .await;
    for name in ["Beta testers", "staff", "beta partners"] {
        created(
            post(
                &app,
                &segments(&w),
                &w.admin,
                json!({"name": name, "rules": plan_is("x")}),
            )
            .await,
        )
        .await;
    }
    let specific = created(
        post(
            &app,
            &segments(&w),
            &w.admin,
            json!({"name": "checkout only", "feature": feature["id"], "rules": plan_is("y")}),
        )
        .await,
    )
    .await;
    assert_eq!(specific["feature"], feature["id"]);
    let names = |body: Value| -> Vec<String> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    let list = |query: &str| {
        let path = format!("{}?{query}", segments(&w));
        let (app, w) = (&app, &w);
        async move { ok(get(app, &path, &w.admin).await).await }
    };
    assert_eq!(
        names(list("").await),
        ["Beta testers", "staff", "beta partners", "checkout only"]
    );
    assert_eq!(
        names(list("q=BETA").await),
        ["Beta testers", "beta partners"]
    );
    assert_eq!(names(list("include_feature_specific=false").await).len(), 3);
    let first = list("page_size=3").await;
    assert_eq!(first["count"], 4);
    assert!(
        first["next"]
            .as_str()
            .unwrap()
            .ends_with("/segments/?page_size=3&page=2")
    );
    assert_eq!(names(list("page_size=3&page=2").await), ["checkout only"]);
    detail(
        get(&app, &format!("{}?page=2", segments(&w)), &w.admin).await,
        StatusCode::NOT_FOUND,
        "Invalid page.",
    )
    .await;
}

async fn segment_rules_are_validated_by_field(app: TestApp) {
    let w = World::new(&app).await;
    let create = |body: Value| {
        let (app, w) = (&app, &w);
        async move { post(app, &segments(w), &w.admin, body).await }
    };
    let condition = |operator: &str, value: Value| {
        rules(json!([{"operator": operator, "property": "p", "value": value}]))
    };
    let value_field = "rules[0].rules[0].conditions[0].value";
    invalid(
        create(json!({"rules": plan_is("x")})).await,
        "name",
        "This field is required.",
    )
    .await;
    invalid(
        create(json!({"name": "s"})).await,
        "rules",
        "This field is required.",
    )
    .await;
    invalid(
        create(json!({"name": "s", "rules": []})).await,
        "rules",
        "This list may not be empty.",
    )
    .await;
    invalid(
        create(json!({"name": "s", "rules": condition("SOUNDS_LIKE", json!("x"))})).await,
        "rules[0].rules[0].conditions[0].operator",
        "\"SOUNDS_LIKE\" is not a valid choice.",
    )
    .await;
    invalid(
        create(json!({"name": "s", "rules": [{"type": "SOME", "rules": [], "conditions": []}]}))
            .await,
        "rules[0].type",
        "\"SOME\" is not a valid choice.",
    )
    .await;
    let deep = create(json!({"name": "s", "rules": [{"type": "ALL", "rules": [{"type": "ANY", "rules": [{"type": "ANY", "conditions": []}]}]}]})).await;
    deep.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        super::json(deep).await,
        json!({"segment": ["Rules must not be nested more than 2 levels deep."]})
    );
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"operator": "EQUAL", "property": "p", "value": i}))
        .collect();
    invalid(
        create(json!({"name": "s", "rules": rules(json!(many))})).await,
        "segment",
        "The segment has 101 conditions, which exceeds the maximum condition count of 100.",
    )
    .await;
    invalid(
        create(json!({"name": "s", "rules": condition("EQUAL", json!("v".repeat(1001)))})).await,
        value_field,
        "Ensure this field has no more than 1000 characters.",
    )
    .await;
    invalid(
        create(json!({"name": "s", "rules": condition("REGEX", json!("(unclosed"))})).await,
        value_field,
        "Enter a valid regular expression.",
    )
    .await;
    for broken in [
        "$.flags.[checkout",
        "$.flags.checkout.",
        "$.identity..",
        "$.a[?@.b]",
    ] {
        invalid(
            create(json!({"name": "s", "rules": rules(json!([
                {"operator": "EQUAL", "property": broken, "value": "true"}
            ]))}))
            .await,
            "rules[0].rules[0].conditions[0].property",
            "Enter a valid JSONPath, such as $.flags.checkout.enabled or $.identity.identifier \
             (filter selectors are not supported).",
        )
        .await;
    }
    invalid(
        create(json!({"name": "s", "rules": condition("GREATER_THAN", json!("1.2:semver"))})).await,
        value_field,
        "Enter a valid semantic version before \":semver\", such as 1.2.3:semver.",
    )
    .await;
    invalid(
        create(json!({"name": "s", "rules": condition("PERCENTAGE_SPLIT", json!(120))})).await,
        value_field,
        "Enter a number from 0 to 100.",
    )
    .await;
    invalid(
        create(json!({"name": "s", "rules": condition("MODULO", json!("3"))})).await,
        value_field,
        "Enter the divisor and the remainder as numbers: divisor|remainder.",
    )
    .await;
    invalid(
        create(json!({"name": "s", "feature": 999, "rules": plan_is("x")})).await,
        "feature",
        "Invalid pk \"999\" - object does not exist.",
    )
    .await;

    // Every operator is accepted with a value it can read; deleted items are left out.
    let all: Vec<Value> = [
        ("EQUAL", "x"),
        ("NOT_EQUAL", "x"),
        ("GREATER_THAN", "1.2.3:semver"),
        ("GREATER_THAN_INCLUSIVE", "2"),
        ("LESS_THAN", "3"),
        ("LESS_THAN_INCLUSIVE", "4"),
        ("CONTAINS", "a"),
        ("NOT_CONTAINS", "b"),
        ("REGEX", "^a+$"),
        ("PERCENTAGE_SPLIT", "12.5"),
        ("MODULO", "2|0"),
        ("IS_SET", ""),
        ("IS_NOT_SET", ""),
        ("IN", "a,b"),
    ]
    .iter()
    .map(|(operator, value)| json!({"operator": operator, "property": "p", "value": value}))
    .chain([json!({"operator": "EQUAL", "property": "gone", "value": "x", "delete": true})])
    .collect();
    let s = created(create(json!({"name": "everything", "rules": rules(json!(all))})).await).await;
    assert_eq!(
        s["rules"][0]["rules"][0]["conditions"]
            .as_array()
            .unwrap()
            .len(),
        14
    );

    let one = format!("{}{}/", segments(&w), s["id"]);
    invalid(
        patch(&app, &one, &w.admin, json!({"rules": []})).await,
        "rules",
        "This list may not be empty.",
    )
    .await;
    invalid(
        patch(&app, &one, &w.admin, json!({"name": ""})).await,
        "name",
        "This field may not be blank.",
    )
    .await;
    invalid(
        post(&app, &format!("{one}clone/"), &w.admin, json!({})).await,
        "name",
        "This field is required.",
    )
    .await;
    let list = ok(get(&app, &segments(&w), &w.admin).await).await;
    assert_eq!(list["count"], 1, "refused requests write nothing");
    assert_eq!(ok(get(&app, &one, &w.admin).await).await, s);
}

async fn segments_of_other_organisations_are_not_found(app: TestApp) {
    let w = World::new(&app).await;
    let other = World::other(&app).await;
    let theirs = created(
        post(
            &app,
            &segments(&other),
            &other.admin,
            json!({"name": "secret", "rules": plan_is("x")}),
        )
        .await,
    )
    .await;
    let one = format!("{}{}/", segments(&other), theirs["id"]);
    for resp in [
        get(&app, &segments(&other), &w.admin).await,
        post(
            &app,
            &segments(&other),
            &w.admin,
            json!({"name": "x", "rules": plan_is("x")}),
        )
        .await,
        get(&app, &one, &w.admin).await,
        put(
            &app,
            &one,
            &w.admin,
            json!({"name": "x", "rules": plan_is("x")}),
        )
        .await,
        patch(&app, &one, &w.admin, json!({"name": "x"})).await,
        delete(&app, &one, &w.admin).await,
        post(
            &app,
            &format!("{one}clone/"),
            &w.admin,
            json!({"name": "mine"}),
        )
        .await,
        get(&app, &format!("{one}associated-features/"), &w.admin).await,
    ] {
        detail(resp, StatusCode::NOT_FOUND, "Not found.").await;
    }
    // Their segment through our project, and our segment seen from their environment.
    detail(
        get(
            &app,
            &format!("{}{}/", segments(&w), theirs["id"]),
            &w.admin,
        )
        .await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    let ours = created(
        post(
            &app,
            &segments(&w),
            &w.admin,
            json!({"name": "mine", "rules": plan_is("x")}),
        )
        .await,
    )
    .await;
    let path = format!(
        "{}{}/associated-features/?environment={}",
        segments(&w),
        ours["id"],
        other.env_id
    );
    detail(
        get(&app, &path, &w.admin).await,
        StatusCode::NOT_FOUND,
        "Not found.",
    )
    .await;
    assert_eq!(
        ok(get(&app, &one, &other.admin).await).await["name"],
        "secret"
    );
}

async fn segment_writes_need_manage_segments(app: TestApp) {
    let w = World::new(&app).await;
    let s = created(
        post(
            &app,
            &segments(&w),
            &w.admin,
            json!({"name": "pros", "rules": plan_is("pro")}),
        )
        .await,
    )
    .await;
    let one = format!("{}{}/", segments(&w), s["id"]);
    let stranger = w.powerless(&app).await;
    detail(
        get(&app, &segments(&w), &stranger).await,
        StatusCode::FORBIDDEN,
        FORBIDDEN,
    )
    .await;
    let viewer = w
        .member(&app, "viewer@example.com", &["VIEW_PROJECT"], &[])
        .await;
    ok(get(&app, &segments(&w), &viewer).await).await;
    ok(get(&app, &one, &viewer).await).await;
    ok(get(&app, &format!("{one}associated-features/"), &viewer).await).await;
    for resp in [
        post(
            &app,
            &segments(&w),
            &viewer,
            json!({"name": "x", "rules": plan_is("x")}),
        )
        .await,
        put(
            &app,
            &one,
            &viewer,
            json!({"name": "x", "rules": plan_is("x")}),
        )
        .await,
        patch(&app, &one, &viewer, json!({"name": "x"})).await,
        post(
            &app,
            &format!("{one}clone/"),
            &viewer,
            json!({"name": "copy"}),
        )
        .await,
        delete(&app, &one, &viewer).await,
    ] {
        detail(resp, StatusCode::FORBIDDEN, FORBIDDEN).await;
    }
    let manager = w
        .member(
            &app,
            "manager@example.com",
            &["VIEW_PROJECT", "MANAGE_SEGMENTS"],
            &[],
        )
        .await;
    created(
        post(
            &app,
            &segments(&w),
            &manager,
            json!({"name": "x", "rules": plan_is("x")}),
        )
        .await,
    )
    .await;
    ok(patch(&app, &one, &manager, json!({"name": "y"})).await).await;
    created(
        post(
            &app,
            &format!("{one}clone/"),
            &manager,
            json!({"name": "copy"}),
        )
        .await,
    )
    .await;
    delete(&app, &one, &manager)
        .await
        .assert_status(StatusCode::NO_CONTENT);
}
