//! What every request goes through, from the request id to the headers every answer carries.
//
// A request id, the allowed-hosts check, clean query text, CORS, the body limit, the access log
// line, and the headers every answer carries.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, Request, Response};
use tracing::Instrument;

use super::VERSION;
use super::cors::{self, CorsPolicy};
use super::limits::{self, BodyLimits};
use super::surface::Surface;
use crate::service::{Service, ServiceError};

/// The rules applied at the edge, before a request reaches its handler.
#[derive(Debug, Clone)]
pub struct Edge {
    pub hosts: HostPolicy,
    pub cors: CorsPolicy,
    pub limits: BodyLimits,
}

impl Edge {
    /// The answer given here, at the edge; `None` lets the request through (perhaps with its
    /// body wrapped in a limit).
    async fn refuse(
        &self,
        req: &mut Request,
        surface: Surface,
        service: &Service,
    ) -> Option<Response> {
        if !self.hosts.check(req) {
            return Some(invalid_host());
        }
        if let Some(answer) = super::query_text::check(req.uri().path(), req.uri().query())
            .or_else(|| self.cors.preflight(req, surface))
            .or_else(|| limits::apply(req, self.limits.of(surface)))
        {
            return Some(answer);
        }
        // An SDK key is checked before its body is read (management credentials come first in
        // every handler's arguments, so poem-openapi checks them before the body).
        if matches!(surface, Surface::Sdk | Surface::SdkBulk)
            && req.uri().path().starts_with("/api/")
            && has_body(req)
        {
            let key = req
                .headers()
                .get("x-environment-key")
                .and_then(|v| v.to_str().ok());
            if let Err(e) = service.sdk_environment(key).await {
                return Some(poem::error::ResponseError::as_response(&e));
            }
        }
        None
    }
}

fn has_body(req: &Request) -> bool {
    req.headers().contains_key(header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// Django's `ALLOWED_HOSTS`: which `Host` (or `X-Forwarded-Host`) values are answered.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    patterns: Vec<String>,
    use_forwarded_host: bool,
}

impl HostPolicy {
    pub fn new(patterns: &[String], use_forwarded_host: bool) -> Self {
        HostPolicy {
            patterns: patterns.iter().map(|p| p.to_ascii_lowercase()).collect(),
            use_forwarded_host,
        }
    }

    fn allows_any(&self) -> bool {
        self.patterns.iter().any(|p| p == "*")
    }

    /// Whether a host header value (with or without port) is allowed.
    pub fn allows(&self, host: &str) -> bool {
        if self.allows_any() {
            return true;
        }
        let host = strip_port(host).trim_end_matches('.').to_ascii_lowercase();
        self.patterns.iter().any(|p| match p.strip_prefix('.') {
            Some(domain) => host == domain || host.ends_with(p.as_str()),
            None => host == *p,
        })
    }

    fn check(&self, req: &Request) -> bool {
        if self.allows_any() || req.uri().path().starts_with("/health/") {
            return true;
        }
        request_host(req, self.use_forwarded_host).is_some_and(|host| self.allows(host))
    }
}

/// The host a request addresses: `Host`, or the first `X-Forwarded-Host` when a proxy's is
/// trusted.
pub fn request_host(req: &Request, use_forwarded_host: bool) -> Option<&str> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    use_forwarded_host
        .then(|| header("x-forwarded-host"))
        .flatten()
        .and_then(|h| h.split(',').next())
        .map(str::trim)
        .or_else(|| header("host"))
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        // [IPv6]:port
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

static REQUEST_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A process-unique id: a random prefix chosen at start and a counter.
fn new_request_id() -> String {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    });
    let n = REQUEST_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{n:x}")
}

/// A caller's `X-Request-Id` is kept when it is short and printable.
fn caller_request_id(req: &Request) -> Option<String> {
    let value = req.headers().get("x-request-id")?.to_str().ok()?;
    let ok = !value.is_empty()
        && value.len() <= 128
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    ok.then(|| value.to_string())
}

pub async fn observe<E: Endpoint>(
    next: E,
    mut req: Request,
    edge: Arc<Edge>,
    service: Arc<Service>,
) -> poem::Result<Response> {
    let started = Instant::now();
    let request_id = caller_request_id(&req).unwrap_or_else(new_request_id);
    let method = req.method().clone();
    // The path only: query strings can carry identifiers.
    let path = req.uri().path().to_string();
    let surface = Surface::of(&path);
    let span = tracing::info_span!("request", request_id = %request_id);
    let origin = edge.cors.allowed_origin(&req, surface);
    let mut response = match edge.refuse(&mut req, surface, &service).await {
        None => next.get_response(req).instrument(span.clone()).await,
        Some(answer) => answer,
    };
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        service.database_unavailable();
    }
    cors::decorate(origin, &mut response);
    protect(&mut response, surface);
    super::metrics::record_request(&method, &path, response.status(), started.elapsed());
    let status = response.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            target: "flagstaff::access",
            %method,
            %path,
            status,
            duration_us = started.elapsed().as_micros() as u64,
            "request"
        )
    });
    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", id);
    }
    headers.insert("flagsmith-version", HeaderValue::from_static(VERSION));
    Ok(response)
}

/// Headers that keep browsers from misreading, caching or framing what we answer.
fn protect(response: &mut Response, surface: Surface) {
    let headers = response.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    // The dashboard's own links may say where they came from; nothing else may.
    let referrer = if surface == Surface::Dashboard {
        "same-origin"
    } else {
        "no-referrer"
    };
    headers.insert("referrer-policy", HeaderValue::from_static(referrer));
    if matches!(surface, Surface::Management | Surface::SignIn)
        && !headers.contains_key(header::CACHE_CONTROL)
    {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    }
}

fn invalid_host() -> Response {
    super::error::response(ServiceError::bad_request("Invalid host header."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(patterns: &[&str]) -> HostPolicy {
        let patterns: Vec<String> = patterns.iter().map(|s| s.to_string()).collect();
        HostPolicy::new(&patterns, false)
    }

    #[test]
    fn hosts_match_like_django() {
        let p = policy(&["flags.example.com", ".internal.net"]);
        assert!(p.allows("flags.example.com"));
        assert!(p.allows("FLAGS.example.com:8000"));
        assert!(p.allows("internal.net"));
        assert!(p.allows("a.b.internal.net"));
        assert!(!p.allows("example.com"));
        assert!(!p.allows("evilinternal.net"));
        assert!(policy(&["*"]).allows("anything"));
    }

    #[test]
    fn ports_and_ipv6_literals_are_stripped() {
        assert_eq!(strip_port("[::1]:8000"), "::1");
        assert_eq!(strip_port("host:80"), "host");
        assert_eq!(strip_port("host"), "host");
    }

    #[test]
    fn request_ids_are_unique() {
        assert_ne!(new_request_id(), new_request_id());
    }
}
