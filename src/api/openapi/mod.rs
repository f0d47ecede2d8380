//! The OpenAPI document and the routes that serve it: JSON, YAML and the Swagger UI.
//
// `/api/v1/swagger.json`, `.yaml`, and the Swagger UI at `/api/v1/docs/`, all embedded, nothing
// fetched. poem-openapi drops trailing slashes from operation paths; Flagsmith's paths all end
// in one. So requests lose a trailing slash before routing (both spellings work), and the
// document gets it back (`finish.rs`). Repeated slashes count as one (an OFREP provider given a
// base URL ending in `/` asks for `//ofrep/…`).

use std::io::Write;
use std::sync::OnceLock;

use flate2::write::GzEncoder;
use poem::http::{Method, Uri, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, endpoint::make_sync};
use poem_openapi::OpenApiService;

use super::{Apis, VERSION};

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

mod finish;

/// The OpenAPI document (JSON) as served and committed in `openapi/openapi.json`.
pub fn document() -> String {
    let spec = service().spec();
    finish::finished(&spec).unwrap_or(spec)
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
