//! The web dashboard: the built files of `web/`, embedded and served outside the API.
//
// The web dashboard: the files built from `web/` into `assets/`, embedded, served at every path outside the API.
//
// `index.html` answers every page path (the dashboard routes in the browser), with its
// `<base href>` set to the sub-path a reverse proxy serves us under, `no-cache` and an ETag.
// Files under `static/` carry a content hash in their name, so browsers keep them for a year;
// their gzip and brotli variants were compressed at build time and are chosen by
// `Accept-Encoding`.

use poem::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use poem::{Body, IntoResponse, Request, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::api::{Pages, Surface, detail_response, page_policy};

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// A built file: its bytes and their SHA-256.
struct File {
    data: std::borrow::Cow<'static, [u8]>,
    hash: [u8; 32],
}

/// The built file at `name`, from the binary; a debug build given `FLAGSTAFF_DEV_ASSETS_DIR`
/// reads that folder instead, so a dashboard built elsewhere can be tried without a rebuild.
fn built(name: &str) -> Option<File> {
    #[cfg(debug_assertions)]
    if let Some(dir) = std::env::var_os("FLAGSTAFF_DEV_ASSETS_DIR") {
        let data = std::fs::read(std::path::Path::new(&dir).join(name)).ok()?;
        let hash = Sha256::digest(&data).into();
        return Some(File {
            data: data.into(),
            hash,
        });
    }
    Assets::get(name).map(|file| File {
        hash: file.metadata.sha256_hash(),
        data: file.data,
    })
}

/// Extensions of files the dashboard fetches; a missing one is a 404, never the page.
const FILE_EXTENSIONS: &[&str] = &[
    "js",
    "mjs",
    "css",
    "map",
    "json",
    "ico",
    "png",
    "svg",
    "jpg",
    "webp",
    "woff",
    "woff2",
    "txt",
    "webmanifest",
    "br",
    "gz",
];

/// The dashboard as one server serves it.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// `/`, or the sub-path behind a proxy (`/flags/`), with both slashes.
    base_path: String,
}

impl Dashboard {
    pub fn new(base_path: &str) -> Self {
        Dashboard {
            base_path: base_path.to_string(),
        }
    }
}

impl Pages for Dashboard {
    /// The answer to a request for a dashboard path; `None` for the API's paths.
    fn answer(&self, req: &Request) -> Option<Response> {
        let path = req.uri().path();
        if Surface::of(path) != Surface::Dashboard {
            return None;
        }
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Some(
                detail_response(
                    StatusCode::METHOD_NOT_ALLOWED,
                    &format!("Method \"{}\" not allowed.", req.method()),
                )
                .with_header(header::ALLOW, "GET, HEAD")
                .into_response(),
            );
        }
        let name = path.trim_start_matches('/');
        if name
            .split('/')
            .any(|part| part == ".." || part.contains('\\'))
        {
            return Some(not_found());
        }
        if name.is_empty() || name == "index.html" {
            return Some(self.index(req.headers()));
        }
        if let Some(file) = built(name) {
            return Some(asset(name, file, req.headers()));
        }
        let extension = name
            .rsplit('/')
            .next()
            .and_then(|last| last.rsplit_once('.'));
        let is_file = name.starts_with("static/")
            || extension.is_some_and(|(_, ext)| FILE_EXTENSIONS.contains(&ext));
        Some(if is_file {
            not_found()
        } else {
            self.index(req.headers())
        })
    }
}

impl Dashboard {
    /// `index.html` with this server's base path, for every page of the dashboard.
    fn index(&self, request: &HeaderMap) -> Response {
        let Some(file) = built("index.html") else {
            return detail_response(
                StatusCode::NOT_FOUND,
                "This binary was built without the dashboard (assets/index.html was missing).",
            );
        };
        let html = with_base(&String::from_utf8_lossy(&file.data), &self.base_path);
        let etag = format!("\"{}\"", hex(&Sha256::digest(html.as_bytes())[..16]));
        let policy = page_policy(&html);
        let mut response = if matches(request, &etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            Response::builder()
                .content_type("text/html; charset=utf-8")
                .body(html)
        };
        let headers = response.headers_mut();
        insert(headers, header::ETAG, &etag);
        insert(headers, header::CACHE_CONTROL, "no-cache");
        insert(headers, header::CONTENT_SECURITY_POLICY, &policy);
        response
    }
}

/// A built file, in the best encoding the client accepts.
fn asset(name: &str, file: File, request: &HeaderMap) -> Response {
    let etag = format!("\"{}\"", hex(&file.hash[..16]));
    let immutable = name.starts_with("static/");
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = if matches(request, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let accepted = accepted_encodings(request);
        let variant = [("br", ".br"), ("gzip", ".gz")]
            .into_iter()
            .filter(|(encoding, _)| accepted.contains(encoding))
            .find_map(|(encoding, suffix)| {
                built(&format!("{name}{suffix}")).map(|f| (encoding, f))
            });
        let mut builder = Response::builder().content_type(content_type(name));
        let data = match variant {
            Some((encoding, compressed)) => {
                builder = builder.header(header::CONTENT_ENCODING, encoding);
                compressed.data
            }
            None => file.data,
        };
        builder.body(Body::from_vec(data.into_owned()))
    };
    let headers = response.headers_mut();
    insert(headers, header::ETAG, &etag);
    insert(headers, header::CACHE_CONTROL, cache);
    insert(headers, header::VARY, "Accept-Encoding");
    response
}

/// `If-None-Match` names this version.
fn matches(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// The encodings of `Accept-Encoding` not refused with `q=0`.
fn accepted_encodings(request: &HeaderMap) -> Vec<&str> {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let encoding = parts.next()?;
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (!refused && !encoding.is_empty()).then_some(encoding)
        })
        .collect()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The page with its `<base>` tag (the built page has `<base href="/">`) pointing at `base_path`.
fn with_base(html: &str, base_path: &str) -> String {
    let tag = format!(r#"<base href="{}">"#, html_attribute(base_path));
    match html.find("<base").and_then(|start| {
        let end = start + html[start..].find('>')?;
        Some((start, end))
    }) {
        Some((start, end)) => format!("{}{tag}{}", &html[..start], &html[end + 1..]),
        None => html.to_string(),
    }
}

fn html_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn insert(headers: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

fn not_found() -> Response {
    detail_response(StatusCode::NOT_FOUND, "Not found.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(name, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn encodings_refused_with_q_zero_are_not_accepted() {
        let h = headers(header::ACCEPT_ENCODING, "gzip;q=1.0, br;q=0, identity");
        assert_eq!(accepted_encodings(&h), vec!["gzip", "identity"]);
    }

    #[test]
    fn etags_match_in_lists_and_weak_form() {
        let h = headers(header::IF_NONE_MATCH, "\"a\", W/\"b\"");
        assert!(matches(&h, "\"b\""));
        assert!(!matches(&h, "\"c\""));
    }

    #[test]
    fn the_base_tag_is_replaced_and_escaped() {
        let page = "<head><base href=\"/\" /><title>x</title>";
        assert_eq!(
            with_base(page, "/a\"b/"),
            "<head><base href=\"/a&quot;b/\"><title>x</title>"
        );
        assert_eq!(with_base("<p>no base</p>", "/x/"), "<p>no base</p>");
    }
}
