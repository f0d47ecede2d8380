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

use poem::http::Uri;
use poem::web::Html;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, endpoint::make_sync};
use poem_openapi::OpenApiService;

use super::{Apis, VERSION};

/// The OpenAPI service: every documented operation, at its full path.
pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(super::apis(), "Flagstaff", VERSION).description(
        "A self-hosted feature-flag server that speaks the Flagsmith API. Management endpoints \
         take `Authorization: Token <key>` (a user's login token) or `Authorization: Api-Key \
         <prefix>.<secret>` (an organisation API key).",
    )
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
    mark_optional_nullable(&mut doc);
    let mut text = serde_json::to_string_pretty(&doc).ok()?;
    text.push('\n');
    Some(text)
}

/// Every property an object schema does not require becomes `nullable` (a `$ref` is wrapped
/// in `allOf`, where OpenAPI 3.0 allows `nullable` beside it).
fn mark_optional_nullable(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            let required: Vec<String> = map
                .get("required")
                .and_then(|r| r.as_array())
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(serde_json::Value::Object(properties)) = map.get_mut("properties") {
                for (name, schema) in properties.iter_mut() {
                    if required.contains(name) {
                        continue;
                    }
                    if let Some(obj) = schema.as_object_mut() {
                        if let Some(reference) = obj.remove("$ref") {
                            obj.insert("allOf".into(), serde_json::json!([{ "$ref": reference }]));
                        }
                        obj.insert("nullable".into(), serde_json::Value::Bool(true));
                    }
                }
            }
            for child in map.values_mut() {
                mark_optional_nullable(child);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mark_optional_nullable),
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
    let ui = api.swagger_ui_html().replace(&api.spec(), &json);
    let ui_policy = super::csp::policy_for(&ui);
    let (json_doc, yaml_doc, ui_doc) = (json.clone(), yaml, ui);
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
        .at(
            "/api/v1/docs/",
            make_sync(move |_| {
                Html(ui_doc.clone())
                    .with_header("content-security-policy", ui_policy.clone())
                    .into_response()
            }),
        )
        .at("/metrics", poem::get(super::metrics::scrape))
        .nest("/", api.around(without_trailing_slash))
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
