//! Bad request bodies for every write operation: 400 naming the field, and nothing changes.
//
// Bad request bodies, for every write operation of the management API: malformed JSON, a body
// of the wrong shape, and each documented field in turn given a value of the wrong type (or an
// unknown choice). Each answers 400 with a JSON body that names the field, and nothing changes.

use poem::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::TestApp;
use super::isolation::{Op, Ours, fingerprint};
use crate::api_on_both_backends;

api_on_both_backends!(
    bad_bodies_are_refused_by_field_and_change_nothing,
    dangling_ids_and_long_strings_are_refused_by_field,
    null_characters_are_refused_by_field_everywhere,
    query_parameters_must_be_clean_text,
);

/// The operation's request body schema, references resolved; `None` when it takes no body.
pub(super) fn body_schema(doc: &Value, op: &Op) -> Option<Value> {
    let path = op.template.split('?').next().unwrap_or(op.template);
    let method = op.method.as_str().to_lowercase();
    let content = doc["paths"][path][method.as_str()]
        .get("requestBody")?
        .get("content")?;
    let schema = content.as_object()?.values().next()?.get("schema")?.clone();
    Some(resolve(doc, &schema))
}

pub(super) fn resolve(doc: &Value, schema: &Value) -> Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return resolve(doc, &doc["components"]["schemas"][name]);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array)
        && all.len() == 1
    {
        return resolve(doc, &all[0]);
    }
    schema.clone()
}

/// A value no field of this schema accepts, or `None` for a field that takes any JSON.
fn wrong_value(doc: &Value, schema: &Value) -> Option<Value> {
    let schema = resolve(doc, schema);
    if schema.get("enum").is_some() {
        return Some(json!("NOT_A_CHOICE"));
    }
    match schema.get("type").and_then(Value::as_str)? {
        "string" => Some(json!({"not": "a string"})),
        "integer" | "number" => Some(json!("not a number")),
        "boolean" => Some(json!("maybe")),
        "array" => Some(json!(5)),
        "object" => Some(json!(5)),
        _ => None,
    }
}

/// The writable string fields of the operation's body.
fn string_fields(doc: &Value, op: &Op) -> Vec<String> {
    let Some(schema) = body_schema(doc, op) else {
        return Vec::new();
    };
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    properties
        .iter()
        .filter(|(_, field)| resolve(doc, field)["type"] == "string" && field["readOnly"] != true)
        .map(|(name, _)| name.clone())
        .collect()
}

/// The operation's usual body with one field set to `value`.
fn with(op: &Op, field: &str, value: Value) -> String {
    let mut body = match &op.body {
        Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    body.insert(field.to_string(), value);
    Value::Object(body).to_string()
}

async fn send(app: &TestApp, op: &Op, auth: &str, body: &str) -> (StatusCode, String) {
    let resp = app
        .client
        .request(op.method.clone(), &op.path)
        .header("authorization", auth)
        .content_type("application/json")
        .body(body.to_string())
        .send()
        .await;
    let status = resp.0.status();
    (
        status,
        resp.0.into_body().into_string().await.unwrap_or_default(),
    )
}

/// Whether the answer is a 400 whose JSON names the field (at the top, or in a list answer).
fn names(status: StatusCode, text: &str, field: &str) -> bool {
    if status != StatusCode::BAD_REQUEST {
        return false;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(fields)) => fields.keys().any(|k| {
            k == field || k.starts_with(&format!("{field}.")) || k.starts_with(&format!("{field}["))
        }),
        _ => false,
    }
}

async fn bad_bodies_are_refused_by_field_and_change_nothing(app: TestApp) {
    let ours = Ours::new(&app).await;
    let ops = ours.operations();
    let doc: Value = serde_json::from_str(&flagstaff::api::openapi_json()).unwrap();
    let before = fingerprint(&app, &ours, &ops).await;
    let admin = ours.w.admin.clone();
    let mut failures = Vec::new();
    let mut fields_tried = 0;
    for op in ops
        .iter()
        .filter(|o| ![Method::GET, Method::DELETE].contains(&o.method))
    {
        let Some(schema) = body_schema(&doc, op) else {
            continue;
        };
        let label = format!("{} {}", op.method, op.path);
        let (status, text) = send(&app, op, &admin, "{\"name\": ").await;
        let parsed: Option<Value> = serde_json::from_str(&text).ok();
        if status != StatusCode::BAD_REQUEST || parsed.is_none() {
            failures.push(format!("{label} malformed JSON: {status} {text}"));
        }
        let wrong_root = if schema["type"] == "array" {
            "{}"
        } else {
            "\"text\""
        };
        let (status, text) = send(&app, op, &admin, wrong_root).await;
        if status != StatusCode::BAD_REQUEST || serde_json::from_str::<Value>(&text).is_err() {
            failures.push(format!("{label} body {wrong_root}: {status} {text}"));
        }
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (field, field_schema) in properties {
            if field_schema["readOnly"] == true {
                continue;
            }
            let Some(wrong) = wrong_value(&doc, field_schema) else {
                continue;
            };
            fields_tried += 1;
            let mut body = match &op.body {
                Value::Object(m) => m.clone(),
                _ => serde_json::Map::new(),
            };
            body.insert(field.clone(), wrong.clone());
            let (status, text) = send(&app, op, &admin, &Value::Object(body).to_string()).await;
            if !names(status, &text, field) {
                failures.push(format!("{label} {field}={wrong}: {status} {text}"));
            }
        }
    }
    assert!(failures.is_empty(), "not refused by field: {failures:#?}");
    assert!(fields_tried > 100, "only {fields_tried} fields tried");
    let after = fingerprint(&app, &ours, &ops).await;
    for (path, seen) in &before {
        assert_eq!(Some(seen), after.get(path), "{path} changed");
    }
}

/// Fields that name another object by id.
const REFERENCES: &[&str] = &[
    "organisation",
    "project",
    "environment",
    "feature",
    "segment",
    "feature_segment",
    "identity",
    "user",
    "group",
    "source_identity_id",
];

async fn dangling_ids_and_long_strings_are_refused_by_field(app: TestApp) {
    let ours = Ours::new(&app).await;
    let ops = ours.operations();
    let doc: Value = serde_json::from_str(&flagstaff::api::openapi_json()).unwrap();
    let admin = ours.w.admin.clone();
    let before = fingerprint(&app, &ours, &ops).await;
    let mut failures = Vec::new();
    let writes: Vec<&Op> = ops
        .iter()
        .filter(|o| ![Method::GET, Method::DELETE].contains(&o.method))
        .collect();
    let mut references = 0;
    for op in &writes {
        let Some(schema) = body_schema(&doc, op) else {
            continue;
        };
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for field in properties
            .keys()
            .filter(|f| REFERENCES.contains(&f.as_str()))
        {
            references += 1;
            let (status, text) = send(&app, op, &admin, &with(op, field, json!(999_999))).await;
            if !names(status, &text, field) {
                failures.push(format!(
                    "{} {} {field}=999999: {status} {text}",
                    op.method, op.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "dangling ids not refused by field: {failures:#?}"
    );
    assert!(references > 10, "only {references} references tried");
    let after = fingerprint(&app, &ours, &ops).await;
    for (path, seen) in &before {
        assert_eq!(Some(seen), after.get(path), "{path} changed");
    }

    // Over-long strings: refused by field where the field has a limit, else stored; never a
    // server error. (These requests may write, so they come last.)
    let long = "x".repeat(100_001);
    let mut refused = 0;
    for op in &writes {
        for field in string_fields(&doc, op) {
            let (status, text) = send(&app, op, &admin, &with(op, &field, json!(long))).await;
            if status.is_server_error() {
                failures.push(format!(
                    "{} {} {field}=<100k>: {status} {text}",
                    op.method, op.path
                ));
            }
            if names(status, &text, &field) {
                refused += 1;
            }
        }
    }
    assert!(failures.is_empty(), "long strings: {failures:#?}");
    assert!(refused > 10, "only {refused} fields refused a 100k string");
}

const NUL: &str = "a\u{0}b";

/// A NUL character in any string (PostgreSQL cannot store one; SQLite could) is a 400 naming
/// the field, the same on both backends, on every write operation, the SDK and sign-in
/// included, and nothing changes.
async fn null_characters_are_refused_by_field_everywhere(app: TestApp) {
    let ours = Ours::new(&app).await;
    let ops = ours.operations();
    let doc: Value = serde_json::from_str(&flagstaff::api::openapi_json()).unwrap();
    let admin = ours.w.admin.clone();
    let before = fingerprint(&app, &ours, &ops).await;
    let mut failures = Vec::new();
    let mut tried = 0;
    for op in ops
        .iter()
        .filter(|o| ![Method::GET, Method::DELETE].contains(&o.method))
    {
        for field in string_fields(&doc, op) {
            tried += 1;
            let (status, text) = send(&app, op, &admin, &with(op, &field, json!(NUL))).await;
            if !names(status, &text, &field) {
                failures.push(format!(
                    "{} {} {field}: {status} {text}",
                    op.method, op.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "NUL not refused by field: {failures:#?}"
    );
    assert!(tried > 50, "only {tried} string fields tried");
    let after = fingerprint(&app, &ours, &ops).await;
    for (path, seen) in &before {
        assert_eq!(Some(seen), after.get(path), "{path} changed");
    }

    // Unauthenticated routes: sign-up, login.
    for (path, body, field) in [
        (
            "/api/v1/auth/login/",
            json!({"email": NUL, "password": "x"}),
            "email",
        ),
        (
            "/api/v1/auth/login/",
            json!({"email": "admin@example.com", "password": NUL}),
            "password",
        ),
        (
            "/api/v1/auth/users/",
            json!({"email": "new@example.com", "password": "correct horse battery", "first_name": NUL}),
            "first_name",
        ),
    ] {
        let resp = app.post(path, None, body).await;
        let status = resp.0.status();
        let text = resp.0.into_body().into_string().await.unwrap();
        assert!(
            names(status, &text, field),
            "{path} {field}: {status} {text}"
        );
    }

    // The SDK: identify with a NUL in the identifier, a trait key or a trait value.
    let key = ours.w.env_key.clone();
    for (body, field) in [
        (json!({"identifier": NUL, "traits": []}), "identifier"),
        (
            json!({"identifier": "ada", "traits": [{"trait_key": NUL, "trait_value": 1}]}),
            "traits[0].trait_key",
        ),
        (
            json!({"identifier": "ada", "traits": [{"trait_key": "plan", "trait_value": NUL}]}),
            "traits[0].trait_value",
        ),
    ] {
        let resp = app
            .sdk("POST", "/api/v1/identities/", &key, Some(body))
            .await;
        let status = resp.0.status();
        let text = resp.0.into_body().into_string().await.unwrap();
        assert!(
            names(status, &text, field),
            "identify {field}: {status} {text}"
        );
    }
    let resp = app
        .sdk("GET", "/api/v1/identities/?identifier=a%00b", &key, None)
        .await;
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap();
    assert!(names(status, &text, "identifier"), "{status} {text}");

    // OFREP answers in its own shape, never a 500.
    let resp = app
        .client
        .post("/ofrep/v1/evaluate/flags")
        .header("x-api-key", &key)
        .body_json(&json!({"context": {"targetingKey": NUL}}))
        .send()
        .await;
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("targetingKey"), "{text}");
    let stored = app
        .get(
            &format!("/api/v1/environments/{key}/identities/"),
            Some(admin.trim_start_matches("Token ")),
        )
        .await;
    let listed: Value =
        serde_json::from_str(&stored.0.into_body().into_string().await.unwrap()).unwrap();
    let identifiers: Vec<&str> = listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["identifier"].as_str())
        .collect();
    assert!(
        identifiers.iter().all(|i| !i.contains('\0') && *i != "ada"),
        "an identity was stored: {identifiers:?}"
    );
}

/// A query parameter that is not UTF-8 once decoded is a 400 naming it, not a lossy decoding
/// (which would make `%FF` and `%FE` one identity).
async fn query_parameters_must_be_clean_text(app: TestApp) {
    let ours = Ours::new(&app).await;
    let key = ours.w.env_key.clone();
    for query in [
        "identifier=%FF",
        "identifier=%FE",
        "identifier=ok&feature=%C3",
    ] {
        let resp = app
            .sdk("GET", &format!("/api/v1/identities/?{query}"), &key, None)
            .await;
        let status = resp.0.status();
        let text = resp.0.into_body().into_string().await.unwrap();
        let field = if query.contains("feature") {
            "feature"
        } else {
            "identifier"
        };
        assert!(names(status, &text, field), "{query}: {status} {text}");
    }
    // Proper UTF-8 still works, percent-encoded or not.
    let resp = app
        .sdk("GET", "/api/v1/identities/?identifier=ad%C3%A9", &key, None)
        .await;
    assert_eq!(resp.0.status(), StatusCode::OK);
    let body: Value =
        serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap();
    assert_eq!(body["identifier"], "adé");
}
