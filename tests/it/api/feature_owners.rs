//! Feature owners: who answers for a feature, set on create and by add/remove, and filtered on.

use poem::http::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::world::{World, created, detail, get, invalid, ok, post};
use crate::api_on_both_backends;

api_on_both_backends!(
    owners_are_set_on_create_changed_and_filtered_on,
    owners_must_be_of_the_organisation,
);

const UNKNOWN_PK: &str = "object does not exist.";

fn features(w: &World) -> String {
    format!("/api/v1/projects/{}/features/", w.project)
}

fn action(w: &World, feature: &Value, what: &str) -> String {
    format!("{}{}/{what}/", features(w), feature["id"])
}

/// The user id behind an `Authorization` header.
async fn id_of(app: &TestApp, auth: &str) -> i64 {
    app.me(auth.trim_start_matches("Token ")).await
}

async fn group(app: &TestApp, w: &World, name: &str) -> i64 {
    let path = format!("/api/v1/organisations/{}/groups/", w.org);
    created(post(app, &path, &w.admin, json!({"name": name})).await).await["id"]
        .as_i64()
        .unwrap()
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

async fn listed(app: &TestApp, w: &World, query: &str) -> Vec<String> {
    let page = ok(get(app, &format!("{}?{query}", features(w)), &w.admin).await).await;
    let mut names: Vec<String> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

async fn owners_are_set_on_create_changed_and_filtered_on(app: TestApp) {
    let w = World::new(&app).await;
    let admin = id_of(&app, &w.admin).await;
    let bob_auth = w.member(&app, "bob@example.com", &[], &[]).await;
    let bob = id_of(&app, &bob_auth).await;
    let ops = group(&app, &w, "Ops").await;

    let checkout =
        created(post(&app, &features(&w), &w.admin, json!({"name": "checkout"})).await).await;
    assert_eq!(
        ids(&checkout["owners"]),
        [admin],
        "the creator owns a new feature"
    );
    let owner = &checkout["owners"][0];
    assert_eq!(owner["email"], "admin@example.com");
    for key in ["first_name", "last_name", "last_login"] {
        assert!(owner.get(key).is_some(), "{key} is missing: {owner}");
    }
    let given = json!({"name": "search", "owners": [bob], "group_owners": [ops]});
    let search = created(post(&app, &features(&w), &w.admin, given).await).await;
    assert_eq!(
        ids(&search["owners"]),
        [bob],
        "owners given replace the creator"
    );
    assert_eq!(search["group_owners"], json!([{"id": ops, "name": "Ops"}]));
    let by_key = created(post(&app, &features(&w), &w.key, json!({"name": "banner"})).await).await;
    assert_eq!(
        by_key["owners"],
        json!([]),
        "an API key is nobody to own it"
    );

    let add = json!({"user_ids": [bob, bob, admin]});
    let changed = ok(post(&app, &action(&w, &checkout, "add-owners"), &w.admin, add).await).await;
    assert_eq!(
        ids(&changed["owners"]),
        [admin, bob],
        "repeats are added once"
    );
    let add = json!({"group_ids": [ops]});
    let path = action(&w, &checkout, "add-group-owners");
    let changed = ok(post(&app, &path, &w.admin, add).await).await;
    assert_eq!(ids(&changed["group_owners"]), [ops]);
    let read = ok(get(
        &app,
        &format!("{}{}/", features(&w), checkout["id"]),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(ids(&read["owners"]), [admin, bob], "owners are kept");

    assert_eq!(
        listed(&app, &w, &format!("owners={admin}")).await,
        ["checkout"]
    );
    let either = format!("owners={admin},{bob}");
    assert_eq!(listed(&app, &w, &either).await, ["checkout", "search"]);
    let ops_owned = format!("group_owners={ops}");
    assert_eq!(listed(&app, &w, &ops_owned).await, ["checkout", "search"]);
    assert_eq!(
        listed(&app, &w, "owners=").await.len(),
        3,
        "blank is no filter"
    );

    let remove = json!({"user_ids": [admin, 999_999]});
    let path = action(&w, &checkout, "remove-owners");
    let changed = ok(post(&app, &path, &w.admin, remove).await).await;
    assert_eq!(
        ids(&changed["owners"]),
        [bob],
        "owners not held are ignored"
    );
    let path = action(&w, &checkout, "remove-group-owners");
    let changed = ok(post(&app, &path, &w.admin, json!({"group_ids": [ops]})).await).await;
    assert_eq!(changed["group_owners"], json!([]));
    assert_eq!(listed(&app, &w, &ops_owned).await, ["search"]);

    let gone = format!("/api/v1/organisations/{}/groups/{ops}/", w.org);
    super::world::delete(&app, &gone, &w.admin).await;
    let read = ok(get(
        &app,
        &format!("{}{}/", features(&w), search["id"]),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(
        read["group_owners"],
        json!([]),
        "a deleted group owns nothing"
    );
}

async fn owners_must_be_of_the_organisation(app: TestApp) {
    let w = World::new(&app).await;
    let other = World::other(&app).await;
    let stranger = id_of(&app, &other.admin).await;
    let their_group = {
        let path = format!("/api/v1/organisations/{}/groups/", other.org);
        created(post(&app, &path, &other.admin, json!({"name": "Theirs"})).await).await["id"]
            .as_i64()
            .unwrap()
    };
    let checkout =
        created(post(&app, &features(&w), &w.admin, json!({"name": "checkout"})).await).await;

    let add = json!({"user_ids": [stranger]});
    let resp = post(&app, &action(&w, &checkout, "add-owners"), &w.admin, add).await;
    let message = format!("Invalid pk \"{stranger}\" - {UNKNOWN_PK}");
    invalid(resp, "user_ids", &message).await;
    let add = json!({"group_ids": [their_group]});
    let resp = post(
        &app,
        &action(&w, &checkout, "add-group-owners"),
        &w.admin,
        add,
    )
    .await;
    let message = format!("Invalid pk \"{their_group}\" - {UNKNOWN_PK}");
    invalid(resp, "group_ids", &message).await;
    let resp = post(
        &app,
        &action(&w, &checkout, "add-owners"),
        &w.admin,
        json!({}),
    )
    .await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let body = json!({"name": "search", "owners": [stranger]});
    let resp = post(&app, &features(&w), &w.admin, body).await;
    let message = format!("Invalid pk \"{stranger}\" - {UNKNOWN_PK}");
    invalid(resp, "owners", &message).await;
    assert_eq!(
        listed(&app, &w, "").await,
        ["checkout"],
        "nothing half-written"
    );

    let resp = get(&app, &format!("{}?owners=me", features(&w)), &w.admin).await;
    invalid(
        resp,
        "owners",
        "Enter a comma-separated list of integer ids.",
    )
    .await;

    let viewer = w
        .member(&app, "viewer@example.com", &["VIEW_PROJECT"], &[])
        .await;
    let viewer_id = id_of(&app, &viewer).await;
    let add = json!({"user_ids": [viewer_id]});
    let resp = post(&app, &action(&w, &checkout, "add-owners"), &viewer, add).await;
    let forbidden = "You do not have permission to perform this action.";
    detail(resp, StatusCode::FORBIDDEN, forbidden).await;
    let path = format!(
        "/api/v1/projects/{}/features/{}/add-owners/",
        other.project, checkout["id"]
    );
    let resp = post(&app, &path, &other.admin, json!({"user_ids": [stranger]})).await;
    resp.assert_status(StatusCode::NOT_FOUND);
    let read = ok(get(
        &app,
        &format!("{}{}/", features(&w), checkout["id"]),
        &w.admin,
    )
    .await)
    .await;
    assert_eq!(
        read["owners"].as_array().unwrap().len(),
        1,
        "refused writes change nothing"
    );
}
