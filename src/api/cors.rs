//! Cross-origin requests: the SDK surface open to all, the management API to trusted origins.
//
// Cross-origin requests: the SDK surface is open to every origin (browser SDKs send
// `X-Environment-Key` from any site), the management API only to the server's own origin and
// the trusted origins the operator lists, as upstream's `CSRF_TRUSTED_ORIGINS` does.

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{IntoResponse, Request, Response};

use super::surface::Surface;
use crate::service::ServiceError;

const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS: &str = "accept, authorization, content-type, user-agent, x-csrftoken, \
    x-requested-with, x-environment-key, x-api-key, flagsmith-application-name, \
    flagsmith-application-version, flagsmith-sdk-user-agent, sentry-trace, traceparent, \
    tracestate, baggage";
const EXPOSE_HEADERS: &str = "retry-after, x-flagsmith-document-updated-at, etag";
const MAX_AGE: &str = "86400";

/// Which origins may call the management API from a browser.
#[derive(Debug, Clone, Default)]
pub struct CorsPolicy {
    /// Lower-cased `scheme://host[:port]`, without a trailing slash.
    trusted: Vec<String>,
    any: bool,
    use_forwarded_host: bool,
}

impl CorsPolicy {
    pub fn new(trusted: &[String], use_forwarded_host: bool) -> Self {
        CorsPolicy {
            trusted: trusted
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|o| !o.is_empty())
                .collect(),
            any: trusted.iter().any(|o| o.trim() == "*"),
            use_forwarded_host,
        }
    }

    /// Whether a browser page at `origin` may call this request's surface.
    fn allows(&self, req: &Request, surface: Surface, origin: &str) -> bool {
        if surface.is_public() || self.any {
            return true;
        }
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        self.trusted.contains(&origin) || self.is_own(req, &origin)
    }

    /// The page was served by this server: the origin's host is the request's host.
    fn is_own(&self, req: &Request, origin: &str) -> bool {
        let Some((_, host)) = origin.split_once("://") else {
            return false;
        };
        super::middleware::request_host(req, self.use_forwarded_host)
            .is_some_and(|own| own.eq_ignore_ascii_case(host))
    }

    /// The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`), if this is one.
    pub fn preflight(&self, req: &Request, surface: Surface) -> Option<Response> {
        if req.method() != Method::OPTIONS
            || !req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return None;
        }
        let origin = req.headers().get(header::ORIGIN)?.clone();
        let allowed = origin.to_str().is_ok_and(|o| self.allows(req, surface, o));
        if !allowed {
            return Some(super::error::response(ServiceError::forbidden_with(
                "Cross-origin requests from this origin are not allowed here; \
                 add it to trusted_origins to allow them.",
            )));
        }
        let mut response = StatusCode::OK.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE),
        );
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        Some(response)
    }

    /// The request's origin when it may read the answer (taken before the request is handled).
    pub fn allowed_origin(&self, req: &Request, surface: Surface) -> Option<HeaderValue> {
        let origin = req.headers().get(header::ORIGIN)?;
        let allowed = origin.to_str().is_ok_and(|o| self.allows(req, surface, o));
        allowed.then(|| origin.clone())
    }
}

/// Adds the headers that let a browser read the answer from an allowed origin.
pub fn decorate(origin: Option<HeaderValue>, response: &mut Response) {
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
}
