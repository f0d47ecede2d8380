//! What every request goes through: a request id, the allowed-hosts check, the access log
//! line and the `Flagsmith-Version` header.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use poem::http::{HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

use super::VERSION;

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
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        let forwarded = self
            .use_forwarded_host
            .then(|| header("x-forwarded-host"))
            .flatten()
            .and_then(|h| h.split(',').next())
            .map(str::trim);
        match forwarded.or_else(|| header("host")) {
            Some(host) => self.allows(host),
            None => false,
        }
    }
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
    req: Request,
    hosts: Arc<HostPolicy>,
) -> poem::Result<Response> {
    let started = Instant::now();
    let request_id = caller_request_id(&req).unwrap_or_else(new_request_id);
    let method = req.method().clone();
    // The path only: query strings can carry identifiers.
    let path = req.uri().path().to_string();
    let span = tracing::info_span!("request", request_id = %request_id);
    let mut response = if hosts.check(&req) {
        next.get_response(req).instrument(span.clone()).await
    } else {
        invalid_host()
    };
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

fn invalid_host() -> Response {
    poem::web::Json(serde_json::json!({"detail": "Invalid host header."}))
        .with_status(StatusCode::BAD_REQUEST)
        .into_response()
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
