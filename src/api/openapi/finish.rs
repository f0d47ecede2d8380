//! The generated document finished: trailing slashes, nullable and read-only fields, errors, ids.
//
// Flagsmith's paths end in a slash, which poem-openapi drops. poem-openapi describes `Option`
// fields as merely optional, while ours are null when absent (as Django REST Framework renders
// them). It declares no error answers and names no operation. Each is put right here, from the
// code that decides it (`api/error.rs` for the errors).

use serde_json::{Map, Value, json};

use crate::api::{Surface, error};

/// poem-openapi's document, finished: see the module doc.
pub(super) fn finished(spec: &str) -> Option<String> {
    let mut doc: serde_json::Value = serde_json::from_str(spec).ok()?;
    let paths = doc.get_mut("paths")?.as_object_mut()?;
    let renamed: serde_json::Map<String, serde_json::Value> = std::mem::take(paths)
        .into_iter()
        .map(|(path, item)| {
            let path = if path.ends_with('/')
                || path.starts_with("/ofrep/")
                || path.starts_with("/sse/")
            {
                path
            } else {
                format!("{path}/")
            };
            (path, item)
        })
        .collect();
    *paths = renamed;
    unwrap_described_refs(&mut doc);
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for example in schemas.values_mut().filter_map(|s| s.get_mut("example")) {
            drop_nulls(example);
        }
    }
    mark_optional_nullable(&mut doc);
    mark_read_only(&mut doc);
    declare_errors(&mut doc);
    name_operations(&mut doc);
    let mut text = serde_json::to_string_pretty(&doc).ok()?;
    text.push('\n');
    Some(text)
}

/// The fields the server assigns (`id`, `uuid`, creation and update times) are `readOnly` in
/// every schema that only answers carry: no request can set them.
fn mark_read_only(doc: &mut Value) {
    const ASSIGNED: &[&str] = &["id", "uuid", "created_at", "created_date", "updated_at"];
    let schemas = doc["components"]["schemas"].clone();
    let mut sent = std::collections::BTreeSet::new();
    let mut answered = std::collections::BTreeSet::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|i| i.values()) {
            reached(&op["requestBody"], &schemas, &mut sent);
            reached(&op["responses"], &schemas, &mut answered);
        }
    }
    let Some(all) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    for name in answered.difference(&sent) {
        let properties = all.get_mut(name).and_then(|s| s.get_mut("properties"));
        for (field, schema) in properties
            .and_then(Value::as_object_mut)
            .into_iter()
            .flatten()
        {
            if let Some(schema) = schema
                .as_object_mut()
                .filter(|_| ASSIGNED.contains(&&**field))
            {
                schema.insert("readOnly".into(), true.into());
            }
        }
    }
}

/// Adds the names of the schemas `value` refers to, directly or through others, to `names`.
fn reached(value: &Value, schemas: &Value, names: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map.get("$ref").and_then(Value::as_str) {
                let name = name.trim_start_matches("#/components/schemas/");
                if names.insert(name.to_string()) {
                    reached(&schemas[name], schemas, names);
                }
            }
            map.values().for_each(|v| reached(v, schemas, names));
        }
        Value::Array(items) => items.iter().for_each(|v| reached(v, schemas, names)),
        _ => {}
    }
}

/// Gives every operation an `operationId` read from its path and method, as Django REST
/// Framework's generators name them: `projects_features_list`, `projects_features_retrieve`,
/// `projects_features_create`, `…_update`, `…_partial_update`, `…_destroy`. Path parameters
/// and `/api/v1/` drop out; another version stays (`v2_analytics_flags_create`); a post to one
/// object names its parameter (`ofrep_v1_evaluate_flags_by_key_create`).
fn name_operations(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let id = operation_id(path, method, &op["responses"]);
            if let Some(op) = op.as_object_mut() {
                op.insert("operationId".into(), Value::String(id));
                // No credentials, said outright (sign-up, login, health).
                op.entry("security").or_insert_with(|| json!([]));
            }
        }
    }
}

fn operation_id(path: &str, method: &str, responses: &Value) -> String {
    let path = (path.strip_prefix("/api/v1"))
        .or_else(|| path.strip_prefix("/api"))
        .unwrap_or(path);
    let mut words: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .map(|s| s.replace(['-', '.'], "_"))
        .collect();
    let names_one = path.trim_end_matches('/').ends_with('}');
    let ok = &responses["200"]["content"];
    let schema = ok
        .as_object()
        .and_then(|c| c.values().next())
        .map(|c| &c["schema"]);
    let many = schema.is_some_and(|s| {
        s["type"] == "array" || s["$ref"].as_str().is_some_and(|r| r.contains("Paginated"))
    });
    let action = match method {
        "get" if many || !names_one && schema.is_none() => "list",
        "get" => "retrieve",
        "post" => "create",
        "put" => "update",
        "patch" => "partial_update",
        "delete" => "destroy",
        other => other,
    };
    if method == "post" && names_one {
        // A post to one object (OFREP's single flag) is told apart from the post to all.
        let last = path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        words.push(format!("by_{}", last.trim_matches(['{', '}'])));
    }
    words.push(action.into());
    words.join("_")
}

/// Adds to every operation the error answers it can give (`error::declared`), and their
/// schemas to the components; an answer the operation declares itself is kept.
fn declare_errors(doc: &mut Value) {
    let schemas = doc["components"]["schemas"].clone();
    let takes_password = |op: &Value| {
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        let schema = match schema["$ref"].as_str() {
            Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")],
            None => schema,
        };
        schema["properties"]
            .as_object()
            .is_some_and(|p| p.keys().any(|k| k.contains("password")))
    };
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let schemes: Vec<&str> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_object())
                .flat_map(|s| s.keys().map(String::as_str))
                .collect();
            let params: Vec<&str> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["in"].as_str())
                .collect();
            let takes = error::Takes {
                credentials: !schemes.is_empty(),
                management: schemes.iter().any(|s| ["Token", "Api-Key"].contains(s)),
                names_objects: params.iter().any(|p| ["path", "query"].contains(p)),
                body: op.get("requestBody").is_some(),
                hashes_password: Surface::of(path) == Surface::SignIn || takes_password(op),
            };
            let Some(responses) = op["responses"].as_object_mut() else {
                continue;
            };
            for d in error::declared(takes) {
                responses.entry(d.status.to_string()).or_insert_with(|| {
                    json!({
                        "description": d.description,
                        "content": {"application/json": {
                            "schema": {"$ref": format!("#/components/schemas/{}", d.schema)},
                            "example": d.example,
                        }},
                    })
                });
            }
        }
    }
    if let Some(Value::Object(ours)) = Some(error::schemas())
        && let Some(all) = doc["components"]["schemas"].as_object_mut()
    {
        all.extend(ours);
    }
}

/// An example body leaves out what a client would not send (poem-openapi writes `None` as null).
fn drop_nulls(value: &mut Value) {
    each_object(value, &mut |map| map.retain(|_, v| !v.is_null()));
}

/// Calls `visit` on every object in `value`, each before the objects inside it.
fn each_object(value: &mut Value, visit: &mut impl FnMut(&mut Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            visit(map);
            map.values_mut().for_each(|child| each_object(child, visit));
        }
        Value::Array(items) => items.iter_mut().for_each(|item| each_object(item, visit)),
        _ => {}
    }
}

/// poem-openapi describes a documented field of a named type as `allOf: [{$ref}, {description}]`,
/// which openapi-python-client takes for a union it cannot build. The description moves up
/// beside `allOf: [{$ref}]`, the form every generator reads as the type itself.
fn unwrap_described_refs(value: &mut Value) {
    each_object(value, &mut |map| {
        if let Some(Value::Array(all)) = map.get_mut("allOf")
            && all.len() == 2
            && all[0].get("$ref").is_some()
            && all[1]
                .as_object()
                .is_some_and(|o| o.keys().all(|k| k == "description"))
        {
            let description = all.pop().and_then(|d| d.get("description").cloned());
            if let Some(description) = description {
                map.insert("description".into(), description);
            }
        }
    });
}

/// Every property an object schema does not require becomes `nullable`, but for one with a
/// default (a request's field that may be left out, not sent as null). A `$ref` is wrapped
/// in a `oneOf` of one, the form generators read as "this or null" (openapi-python-client
/// drops `nullable` beside `allOf`), and a `oneOf` of types takes it on its first branch.
fn mark_optional_nullable(value: &mut Value) {
    each_object(value, &mut |map| {
        let required: Vec<String> = (map.get("required").and_then(|r| r.as_array()))
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            for (name, schema) in properties.iter_mut() {
                if required.contains(name) {
                    continue;
                }
                // A field with a default is absent-or-a-value: null is refused for it.
                let Some(obj) = schema
                    .as_object_mut()
                    .filter(|o| !o.contains_key("default"))
                else {
                    continue;
                };
                let one_ref = obj.get("allOf").and_then(|all| match all.as_array() {
                    Some(all) if all.len() == 1 => all[0].get("$ref").cloned(),
                    _ => None,
                });
                if let Some(reference) = one_ref {
                    obj.remove("allOf");
                    obj.insert("$ref".into(), reference);
                }
                if let Some(reference) = obj.remove("$ref") {
                    obj.insert("oneOf".into(), json!([{ "$ref": reference }]));
                    obj.insert("nullable".into(), true.into());
                    continue;
                }
                match obj.get_mut("oneOf").and_then(|o| o.get_mut(0)) {
                    Some(Value::Object(first)) => first.insert("nullable".into(), true.into()),
                    _ => obj.insert("nullable".into(), true.into()),
                };
            }
        }
    });
}
