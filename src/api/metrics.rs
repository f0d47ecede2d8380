//! Metrics for the operator: `GET /metrics` in Prometheus' format, StatsD when asked, requests.
//
// Every layer counts through the `metrics` facade (`flagstaff_*` names); one recorder per
// process, installed first thing by `serve` (or on first use), keeps them, and `GET /metrics`
// renders it. With `statsd_host` set, the same metrics also go to StatsD over UDP (labels as
// Datadog-style tags), through a fan-out recorder. Requests are
// labelled with the route's template from the OpenAPI document (`/api/v1/projects/{id}/`),
// never the path itself, so labels stay few; the dashboard's pages are `dashboard`, anything
// else `unmatched`. The gauges (streams open, database connections) are read when scraped.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::web::Data;
use poem::{EndpointExt, Request, Response, handler};
use regex::RegexSet;
use subtle::ConstantTimeEq;

use super::State;
use super::surface::Surface;

/// Request durations, in seconds: from a cached flags answer to a slow login.
const DURATION_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Where StatsD lines go (settings `statsd_host`, `statsd_port`, `statsd_prefix`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statsd {
    pub host: String,
    pub port: u16,
    /// Put before each name, with a dot; empty for none.
    pub prefix: String,
}

/// The process's recorder, installed on first use; `None` when another recorder was there.
pub fn recorder() -> Option<&'static PrometheusHandle> {
    install(None)
}

/// Installs the process's recorder, sending to StatsD too when `statsd` is given. The first
/// call decides: call it before anything is counted.
pub fn install(statsd: Option<&Statsd>) -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let prometheus = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), DURATION_BUCKETS)
                .ok()?
                .build_recorder();
            let handle = prometheus.handle();
            let installed = match statsd.and_then(statsd_recorder) {
                Some(statsd) => metrics::set_global_recorder(
                    metrics_util::layers::FanoutBuilder::default()
                        .add_recorder(prometheus)
                        .add_recorder(statsd)
                        .build(),
                )
                .is_ok(),
                None => metrics::set_global_recorder(prometheus).is_ok(),
            };
            if !installed {
                return None;
            }
            describe();
            Some(handle)
        })
        .as_ref()
}

/// A StatsD recorder, or `None` (with a warning: serving goes on) when it cannot be made.
fn statsd_recorder(to: &Statsd) -> Option<metrics_exporter_statsd::StatsdRecorder> {
    let prefix = Some(to.prefix.as_str()).filter(|p| !p.is_empty());
    let built = metrics_exporter_statsd::StatsdBuilder::from(to.host.clone(), to.port)
        .with_buffer_size(512)
        .with_queue_size(10_000)
        .build(prefix);
    match built {
        Ok(recorder) => {
            tracing::info!(host = %to.host, port = to.port, "metrics are also sent to StatsD");
            Some(recorder)
        }
        Err(e) => {
            tracing::warn!(host = %to.host, port = to.port, error = %e, "cannot send metrics to StatsD; /metrics still has them");
            None
        }
    }
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "flagstaff_http_requests_total",
        "HTTP requests answered, by route template, method and status."
    );
    describe_histogram!(
        "flagstaff_http_request_duration_seconds",
        "Time to answer an HTTP request, by route template and method."
    );
    describe_counter!(
        "flagstaff_sdk_evaluations_total",
        "Flag evaluations for SDKs: environment flags, identities, OFREP."
    );
    describe_counter!(
        "flagstaff_snapshot_builds_total",
        "Environment snapshots built from the database."
    );
    describe_histogram!(
        "flagstaff_snapshot_build_duration_seconds",
        "Time to build an environment snapshot."
    );
    describe_counter!(
        "flagstaff_change_events_sent_total",
        "Change notices this server sent to the others on its database."
    );
    describe_counter!(
        "flagstaff_change_events_received_total",
        "Change notices this server heard from the others on its database."
    );
    describe_gauge!(
        "flagstaff_realtime_streams_open",
        "Realtime (SSE) streams open."
    );
    describe_counter!(
        "flagstaff_webhook_deliveries_total",
        "Webhook attempts this server made, by outcome: delivered, retried, failed."
    );
    describe_gauge!(
        "flagstaff_webhook_outbox_depth",
        "Webhook deliveries waiting to be sent or retried, all servers together."
    );
    describe_counter!(
        "flagstaff_identity_cache_total",
        "SDK identity reads answered from memory (hit) or the database (miss)."
    );
    describe_gauge!(
        "flagstaff_identity_cache_entries",
        "Identity states kept in memory."
    );
    describe_gauge!(
        "flagstaff_database_connections",
        "Database connections by state: busy, idle, and waiting (work waiting for one; on \
         SQLite, writes queued for its one writer)."
    );
}

/// `GET /metrics`: every metric in Prometheus' text format.
#[handler]
pub async fn scrape(state: Data<&Arc<State>>, request: &Request) -> Response {
    let access = &state.metrics;
    if !access.here {
        return super::detail_response(StatusCode::NOT_FOUND, "Not found.");
    }
    if let Some(token) = &access.token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
            let mut refused = super::detail_response(
                StatusCode::UNAUTHORIZED,
                "Authentication credentials were not provided.",
            );
            refused
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return refused;
        }
    }
    let Some(handle) = recorder() else {
        return super::detail_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "Metrics are not recorded in this process.",
        );
    };
    // The gauges are the process's: observing and rendering under one lock keeps a scrape to
    // what this server saw, when two scrapes (or, in tests, two servers) meet.
    static SCRAPE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let text = {
        let _one_at_a_time = SCRAPE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.service.observe();
        handle.run_upkeep();
        handle.render()
    };
    Response::builder()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(text)
}

/// `GET /metrics` alone, for an address of its own (`metrics_bind`).
pub fn endpoint(state: &State) -> impl poem::Endpoint + 'static {
    let state = Arc::new(State {
        service: state.service.clone(),
        secret_key: state.secret_key.clone(),
        metrics: super::MetricsAccess {
            here: true,
            token: state.metrics.token.clone(),
        },
    });
    poem::Route::new()
        .at("/metrics", poem::get(scrape))
        .data(state)
}

/// Counts one answered request.
pub fn record_request(method: &Method, path: &str, status: StatusCode, took: Duration) {
    if recorder().is_none() {
        return;
    }
    let route = routes().of(path);
    let method = method_label(method);
    metrics::counter!(
        "flagstaff_http_requests_total",
        "route" => route,
        "method" => method,
        "status" => status_label(status),
    )
    .increment(1);
    metrics::histogram!(
        "flagstaff_http_request_duration_seconds",
        "route" => route,
        "method" => method,
    )
    .record(took.as_secs_f64());
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The status as label text, made once per code (no allocation per request).
fn status_label(status: StatusCode) -> &'static str {
    static CODES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let codes = CODES.get_or_init(|| {
        (100u16..600)
            .map(|c| &*Box::leak(c.to_string().into_boxed_str()))
            .collect()
    });
    codes
        .get(usize::from(status.as_u16()).wrapping_sub(100))
        .copied()
        .unwrap_or("other")
}

/// The route templates of the OpenAPI document, matched against request paths.
struct Routes {
    /// Templates without parameters, by their path (with and without the trailing slash).
    exact: HashMap<String, &'static str>,
    templates: Vec<&'static str>,
    set: RegexSet,
}

fn routes() -> &'static Routes {
    static ROUTES: OnceLock<Routes> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let document: serde_json::Value =
            serde_json::from_str(&super::openapi::document()).unwrap_or_default();
        let mut exact = HashMap::new();
        let mut templates = Vec::new();
        let mut patterns = Vec::new();
        let paths = document["paths"].as_object().cloned().unwrap_or_default();
        // A `{parameter}` once escaped: `\{parameter\}`.
        let parameter = regex::Regex::new(r"\\\{[^}]*\\\}").ok();
        for path in paths.keys() {
            let template: &'static str = Box::leak(path.clone().into_boxed_str());
            if path.contains('{') {
                let pattern = regex::escape(path.trim_end_matches('/'));
                let pattern = match &parameter {
                    Some(p) => p.replace_all(&pattern, "[^/]+").into_owned(),
                    None => pattern,
                };
                patterns.push(format!("^{pattern}/?$"));
                templates.push(template);
            } else {
                exact.insert(path.trim_end_matches('/').to_string(), template);
            }
        }
        let set = RegexSet::new(&patterns).unwrap_or_else(|_| RegexSet::empty());
        Routes {
            exact,
            templates,
            set,
        }
    })
}

impl Routes {
    fn of(&self, path: &str) -> &'static str {
        let trimmed = path.trim_end_matches('/');
        if let Some(template) = self.exact.get(trimmed) {
            return template;
        }
        if let Some(i) = self.set.matches(path).iter().next() {
            return self.templates[i];
        }
        match Surface::of(path) {
            Surface::Dashboard => "dashboard",
            _ if trimmed == "/metrics" => "/metrics",
            _ => "unmatched",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_counted_under_its_template() {
        let routes = routes();
        assert_eq!(routes.of("/api/v1/flags/"), "/api/v1/flags/");
        assert_eq!(routes.of("/api/v1/flags"), "/api/v1/flags/");
        assert_eq!(routes.of("/api/v1/projects/12/"), "/api/v1/projects/{id}/");
        assert_eq!(
            routes.of("/api/v1/projects/12/features/7/mv-options/"),
            "/api/v1/projects/{project}/features/{feature}/mv-options/"
        );
        assert_eq!(
            routes.of("/sse/environments/abc/stream"),
            "/sse/environments/{key}/stream"
        );
        assert_eq!(routes.of("/organisations/1/projects"), "dashboard");
        assert_eq!(routes.of("/api/v1/nothing-here/"), "unmatched");
        assert_eq!(routes.of("/metrics"), "/metrics");
    }
}
