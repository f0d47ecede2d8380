//! The OpenAPI document and the routes that serve it: JSON, YAML and the Swagger UI.
//
// The OpenAPI document and the routes that serve it (`/api/v1/swagger.json`, `.yaml`, and
// the Swagger UI at `/api/v1/docs/`, all embedded, nothing fetched).
//
// poem-openapi drops trailing slashes from operation paths; Flagsmith's paths all end in one.
// So requests lose a trailing slash before routing (both spellings work), and the document
// gets it back on every path but OFREP's and the realtime streams', which have none. Repeated slashes count as one
// (an OFREP provider given a base URL ending in `/` asks for `//ofrep/…`). It also describes `Option` fields as merely optional, while
// ours are null when absent (as Django REST Framework renders them), so the document marks
// every optional property nullable.

use std::io::Write;
use std::sync::OnceLock;

use flate2::write::GzEncoder;
use poem::http::{Method, Uri, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, endpoint::make_sync};
use poem_openapi::OpenApiService;

use serde_json::{Value, json};

use super::{Apis, Surface, VERSION, error};

/// The OpenAPI service: every documented operation, at its full path.
pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(super::apis(), "Flagstaff", VERSION)
        .description(
            "A self-hosted feature-flag server that speaks the Flagsmith API. Management \
             endpoints take `Authorization: Token <key>` (a user's login token) or \
             `Authorization: Api-Key <prefix>.<secret>` (an organisation API key).",
        )
        .license(
            poem_openapi::LicenseObject::new("BSD-3-Clause")
                .url("https://spdx.org/licenses/BSD-3-Clause.html"),
        )
        .server(poem_openapi::ServerObject::new("/").description("This server"))
}

/// The OpenAPI document (JSON) as served and committed in `openapi/openapi.json`.
pub fn document() -> String {
    let spec = service().spec();
    with_trailing_slashes(&spec).unwrap_or(spec)
}

fn with_trailing_slashes(spec: &str) -> Option<String> {
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
    let types: serde_json::Map<String, Value> = (doc["components"]["schemas"].as_object())
        .into_iter()
        .flatten()
        .map(|(name, schema)| (name.clone(), schema["type"].clone()))
        .collect();
    mark_optional_nullable(&mut doc, &types);
    declare_errors(&mut doc);
    name_operations(&mut doc);
    let mut text = serde_json::to_string_pretty(&doc).ok()?;
    text.push('\n');
    Some(text)
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

/// Every property an object schema does not require becomes `nullable`. OpenAPI 3.0 reads
/// `nullable` only beside a `type`: a `$ref` is wrapped in `allOf` with the referenced schema's
/// type beside it, and a `oneOf` of types takes `nullable` on its first branch.
fn mark_optional_nullable(value: &mut Value, types: &serde_json::Map<String, Value>) {
    match value {
        Value::Object(map) => {
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
                    let Some(obj) = schema.as_object_mut() else {
                        continue;
                    };
                    if let Some(reference) = obj.remove("$ref") {
                        let name = reference.as_str().unwrap_or_default();
                        let name = name.trim_start_matches("#/components/schemas/");
                        if let Some(kind) = types.get(name).filter(|t| t.is_string()) {
                            obj.insert("type".into(), kind.clone());
                        }
                        obj.insert("allOf".into(), json!([{ "$ref": reference }]));
                    }
                    match obj.get_mut("oneOf").and_then(|o| o.get_mut(0)) {
                        Some(Value::Object(first)) => first.insert("nullable".into(), true.into()),
                        _ => obj.insert("nullable".into(), true.into()),
                    };
                }
            }
            for child in map.values_mut() {
                mark_optional_nullable(child, types);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| mark_optional_nullable(item, types)),
        _ => {}
    }
}

/// The API and its documentation routes.
pub fn routes() -> impl Endpoint + 'static {
    let api = service();
    let json = document();
    let yaml = serde_json::from_str::<serde_json::Value>(&json)
        .ok()
        .and_then(|v| serde_yaml::to_string(&v).ok())
        .unwrap_or_default();
    let (json_doc, yaml_doc) = (json.clone(), yaml);
    Route::new()
        .at(
            "/api/v1/swagger.json",
            make_sync(move |_| {
                Response::builder()
                    .content_type("application/json")
                    .body(json_doc.clone())
            }),
        )
        .at(
            "/api/v1/swagger.yaml",
            make_sync(move |_| {
                Response::builder()
                    .content_type("application/yaml")
                    .body(yaml_doc.clone())
            }),
        )
        .at("/metrics", poem::get(super::metrics::scrape))
        .nest("/", api.around(without_trailing_slash))
}

/// The Swagger UI page at `/api/v1/docs/`: the document inline, no validator badge (Swagger
/// UI would send the document to validator.swagger.io), gzipped when the client takes it.
/// It is answered outside the API's optional compression, being compressed already.
pub fn docs_page(req: &Request) -> Option<Response> {
    struct Page {
        html: String,
        gzipped: Vec<u8>,
        policy: String,
    }
    static PAGE: OnceLock<Page> = OnceLock::new();
    let path = req.uri().path();
    if req.method() != Method::GET || path.trim_end_matches('/') != "/api/v1/docs" {
        return None;
    }
    let page = PAGE.get_or_init(|| {
        let api = service();
        let html = api
            .swagger_ui_html()
            .replace(&api.spec(), &document())
            .replace(
                "deepLinking: true,",
                "deepLinking: true,\n        validatorUrl: null,",
            );
        let mut gzip = GzEncoder::new(Vec::new(), flate2::Compression::best());
        let gzipped = gzip
            .write_all(html.as_bytes())
            .and_then(|()| gzip.finish())
            .unwrap_or_default();
        let policy = super::csp::policy_for(&html);
        Page {
            html,
            gzipped,
            policy,
        }
    });
    let takes_gzip = req
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| coding.split(';').next().is_some_and(|c| c.trim() == "gzip"));
    let answer = Response::builder()
        .content_type("text/html; charset=utf-8")
        .header("content-security-policy", page.policy.as_str())
        .header(header::VARY, "accept-encoding");
    Some(if takes_gzip && !page.gzipped.is_empty() {
        answer
            .header(header::CONTENT_ENCODING, "gzip")
            .body(page.gzipped.clone())
    } else {
        answer.body(page.html.clone())
    })
}

/// Routes `/x/` as `/x`, and `//x` as `/x`.
async fn without_trailing_slash<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let path = req.uri().path();
    if (path.len() > 1 && path.ends_with('/')) || path.contains("//") {
        let mut trimmed = path.trim_end_matches('/').to_string();
        while trimmed.contains("//") {
            trimmed = trimmed.replace("//", "/");
        }
        if trimmed.is_empty() {
            trimmed.push('/');
        }
        let rebuilt = match req.uri().query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed.to_string(),
        };
        if let Ok(uri) = rebuilt.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    next.call(req).await.map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_has_its_own_readable_id() {
        let doc: serde_json::Value = serde_json::from_str(&super::document()).unwrap();
        let mut seen = std::collections::BTreeMap::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap().to_string();
                assert!(
                    id.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                    "{id}"
                );
                if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                    panic!("{id} names both {other} and {method} {path}");
                }
            }
        }
        assert_eq!(
            seen["projects_features_list"],
            "get /api/v1/projects/{project}/features/"
        );
        assert_eq!(
            seen["v2_analytics_flags_create"],
            "post /api/v2/analytics/flags/"
        );
    }

    #[test]
    fn every_documented_path_but_ofreps_and_the_streams_ends_in_a_slash() {
        let doc: serde_json::Value = serde_json::from_str(&super::document()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.contains_key("/api/v1/auth/login/"));
        assert!(
            paths
                .keys()
                .all(|p| p.ends_with('/') || p.starts_with("/ofrep/") || p.starts_with("/sse/")),
            "{:?}",
            paths.keys()
        );
    }
}
