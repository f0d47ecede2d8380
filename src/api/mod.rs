//! HTTP: the OpenAPI-described routes, middleware, and the mapping of errors to DRF bodies.

pub mod admin;
mod auth;
mod body;
mod cors;
mod csp;
mod email;
mod error;
mod health;
mod limits;
mod metrics;
mod middleware;
mod ofrep;
mod openapi;
mod pagination;
mod query_text;
mod raw_json;
mod realtime;
pub mod sdk;
mod state;
mod surface;
pub(crate) mod values;

pub use csp::page_policy;
pub use error::detail as detail_response;
pub use metrics::{Statsd, endpoint as metrics_endpoint, install as metrics_install};
pub use state::{MetricsAccess, State};
pub use surface::Surface;

use std::sync::Arc;

use poem::{Endpoint, EndpointExt};
use poem_openapi::Tags;

pub use cors::CorsPolicy;
pub use limits::BodyLimits;
pub use middleware::{Edge, HostPolicy};

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
    /// Features, their multivariate options, and tags.
    Features,
    /// Segments and their rules.
    Segments,
    /// Feature states: environment defaults, identity overrides and segment overrides.
    FeatureStates,
    /// The SDK endpoints (environment key).
    Sdk,
    /// Environment and organisation webhooks, their delivery logs, and test posts.
    Webhooks,
}

/// Every documented API, grouped (poem-openapi takes tuples of at most sixteen).
type Apis = (
    health::HealthApi,
    sdk::SdkApi,
    sdk::SdkTraitsApi,
    sdk::SdkDocumentApi,
    ofrep::OfrepApi,
    realtime::RealtimeApi,
    sdk::SdkAnalyticsApi,
    AccountApis,
    ProjectApis,
    FeatureApis,
);

type AccountApis = (
    admin::accounts::AccountsApi,
    admin::install::InstallApi,
    admin::organisations::OrganisationsApi,
    admin::api_keys::ApiKeysApi,
    admin::groups::GroupsApi,
    admin::invites::InvitesApi,
    admin::grants::OrganisationUserGrantsApi,
    admin::grants::OrganisationGroupGrantsApi,
    admin::audit::AuditApi,
);

type ProjectApis = (
    admin::projects::ProjectsApi,
    admin::grants::ProjectUserGrantsApi,
    admin::grants::ProjectGroupGrantsApi,
    admin::environments::EnvironmentsApi,
    admin::server_keys::ServerKeysApi,
    admin::webhooks::WebhooksApi,
    admin::deliveries::DeliveriesApi,
    admin::grants::EnvironmentUserGrantsApi,
    admin::grants::EnvironmentGroupGrantsApi,
    admin::identities::IdentitiesApi,
    admin::user_permissions::UserPermissionsApi,
);

type FeatureApis = (
    admin::features::FeaturesApi,
    admin::feature_owners::FeatureOwnersApi,
    admin::mv_options::MvOptionsApi,
    admin::tags::TagsApi,
    admin::segments::SegmentsApi,
    admin::segment_members::SegmentMembersApi,
    admin::feature_states::FeatureStatesApi,
    admin::segment_overrides::SegmentOverridesApi,
    admin::identity_overrides::IdentityOverridesApi,
    admin::analytics::FeatureAnalyticsApi,
);

fn apis() -> Apis {
    (
        health::HealthApi,
        sdk::SdkApi,
        sdk::SdkTraitsApi,
        sdk::SdkDocumentApi,
        ofrep::OfrepApi,
        realtime::RealtimeApi,
        sdk::SdkAnalyticsApi,
        (
            admin::accounts::AccountsApi,
            admin::install::InstallApi,
            admin::organisations::OrganisationsApi,
            admin::api_keys::ApiKeysApi,
            admin::groups::GroupsApi,
            admin::invites::InvitesApi,
            admin::grants::OrganisationUserGrantsApi,
            admin::grants::OrganisationGroupGrantsApi,
            admin::audit::AuditApi,
        ),
        (
            admin::projects::ProjectsApi,
            admin::grants::ProjectUserGrantsApi,
            admin::grants::ProjectGroupGrantsApi,
            admin::environments::EnvironmentsApi,
            admin::server_keys::ServerKeysApi,
            admin::webhooks::WebhooksApi,
            admin::deliveries::DeliveriesApi,
            admin::grants::EnvironmentUserGrantsApi,
            admin::grants::EnvironmentGroupGrantsApi,
            admin::identities::IdentitiesApi,
            admin::user_permissions::UserPermissionsApi,
        ),
        (
            admin::features::FeaturesApi,
            admin::feature_owners::FeatureOwnersApi,
            admin::mv_options::MvOptionsApi,
            admin::tags::TagsApi,
            admin::segments::SegmentsApi,
            admin::segment_members::SegmentMembersApi,
            admin::feature_states::FeatureStatesApi,
            admin::segment_overrides::SegmentOverridesApi,
            admin::identity_overrides::IdentityOverridesApi,
            admin::analytics::FeatureAnalyticsApi,
        ),
    )
}

/// The OpenAPI document as committed in `openapi/openapi.json`.
pub fn openapi_json() -> String {
    openapi::document()
}

/// Pages served outside the API (the dashboard), asked first for every request.
pub trait Pages: Send + Sync {
    /// The answer when the request is for one of the pages.
    fn answer(&self, req: &poem::Request) -> Option<poem::Response>;
}

/// Every route of the server, and the pages when there are any, wrapped in the request
/// middleware.
pub fn routes(
    state: Arc<State>,
    edge: Edge,
    gzip: bool,
    pages: Option<Arc<dyn Pages>>,
) -> impl Endpoint + 'static {
    let routes = openapi::routes()
        .catch_all_error(error::to_response)
        // A bug must not cost the client its answer: a JSON 500, and the panic in the log.
        .with(poem::middleware::CatchPanic::new().with_handler(error::panicked))
        .around(csp::html_policy);
    let compressed = routes
        .with_if(gzip, poem::middleware::Compression::new())
        // A compressor holds events back: realtime streams go out as they are.
        .before(|mut req| async move {
            if req.uri().path().starts_with("/sse/") {
                req.headers_mut()
                    .remove(poem::http::header::ACCEPT_ENCODING);
            }
            Ok(req)
        });
    // The dashboard's files and the API's docs page come compressed already, and set their
    // own policy.
    let site = compressed.around(move |next, req| {
        let pages = pages.clone();
        async move {
            let answer = openapi::docs_page(&req).or_else(|| pages.as_ref()?.answer(&req));
            match answer {
                Some(answer) => Ok(answer),
                None => Ok(next.get_response(req).await),
            }
        }
    });
    let edge = Arc::new(edge);
    let service = state.service.clone();
    site.data(state.service.clone())
        .data(state)
        .around(move |next, req| middleware::observe(next, req, edge.clone(), service.clone()))
}

/// Datetimes as Django REST Framework renders them: UTC, `Z`, microseconds unless zero.
pub fn datetime(t: Timestamp) -> String {
    crate::domain::drf_datetime(t)
}
