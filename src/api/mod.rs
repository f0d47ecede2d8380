//! HTTP: routes, middleware, and (later) the OpenAPI-described admin and SDK surfaces.

mod health;
mod middleware;

use std::sync::Arc;

use poem::{Endpoint, EndpointExt, Route, get};

pub use middleware::HostPolicy;

use crate::app::State;

/// The version every response carries in `Flagsmith-Version`, and `/version/` reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every route of the server, wrapped in the request middleware.
pub fn routes(state: Arc<State>, hosts: HostPolicy, gzip: bool) -> impl Endpoint + 'static {
    let routes = Route::new()
        .at("/health/liveness/", get(health::liveness))
        .at("/health/readiness/", get(health::readiness))
        .at("/version/", get(health::version));
    let compressed = routes.with_if(gzip, poem::middleware::Compression::new());
    let hosts = Arc::new(hosts);
    compressed
        .data(state)
        .around(move |next, req| middleware::observe(next, req, hosts.clone()))
}
