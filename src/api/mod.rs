//! HTTP: the OpenAPI-described routes, middleware, and the mapping of errors to DRF bodies.

pub mod admin;
mod auth;
mod body;
mod error;
mod health;
mod middleware;
mod openapi;
mod pagination;

use std::sync::Arc;

use poem::{Endpoint, EndpointExt};
use poem_openapi::Tags;

pub use middleware::HostPolicy;

use crate::app::State;
use crate::domain::Timestamp;

/// The version every response carries in `Flagsmith-Version`, and `/version/` reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Groups of operations in the OpenAPI document.
#[derive(Tags)]
pub enum Tag {
    /// Liveness, readiness and version.
    Health,
    /// Sign-up, login and the current user.
    Accounts,
    /// Organisations, members and organisation API keys.
    Organisations,
    /// Projects.
    Projects,
    /// Environments and their server-side keys.
    Environments,
    /// Permission grants to users and groups.
    Permissions,
    /// Identities and their traits.
    Identities,
    /// The audit log.
    Audit,
}

type Apis = (
    health::HealthApi,
    admin::accounts::AccountsApi,
    admin::install::InstallApi,
    admin::organisations::OrganisationsApi,
    admin::groups::GroupsApi,
    admin::grants::OrganisationUserGrantsApi,
    admin::grants::OrganisationGroupGrantsApi,
    admin::projects::ProjectsApi,
    admin::grants::ProjectUserGrantsApi,
    admin::grants::ProjectGroupGrantsApi,
    admin::environments::EnvironmentsApi,
    admin::webhooks::WebhooksApi,
    admin::grants::EnvironmentUserGrantsApi,
    admin::grants::EnvironmentGroupGrantsApi,
    admin::identities::IdentitiesApi,
    admin::audit::AuditApi,
);

/// The OpenAPI document as committed in `openapi/openapi.json`.
pub fn openapi_json() -> String {
    openapi::document()
}

/// Every route of the server, wrapped in the request middleware.
pub fn routes(state: Arc<State>, hosts: HostPolicy, gzip: bool) -> impl Endpoint + 'static {
    let routes = openapi::routes().catch_all_error(error::to_response);
    let compressed = routes.with_if(gzip, poem::middleware::Compression::new());
    let hosts = Arc::new(hosts);
    compressed
        .data(state.service.clone())
        .data(state)
        .around(move |next, req| middleware::observe(next, req, hosts.clone()))
}

/// Datetimes as Django REST Framework renders them: UTC, `Z`, microseconds unless zero.
pub fn datetime(t: Timestamp) -> String {
    if t.timestamp_subsec_micros() == 0 {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}
