//! Storage: one trait family over the admin model, with a SQLite and a PostgreSQL implementation.
//
// Storage: one trait family over the admin model, with a SQLite and a PostgreSQL implementation.
//
// Each trait method is one unit of work in its own transaction. Every write that changes what
// the SDKs see takes an [`Audit`](crate::domain::audit::Audit): the store writes the audit entry
// and moves the affected environments' `updated_at` in the same transaction as the change.

mod analytics;
mod api_keys;
mod audit;
mod audited;
pub mod backup;
mod changes;
mod environment_defaults;
mod environments;
mod error;
pub mod export;
mod feature_owners;
mod feature_states;
mod features;
mod grants;
mod groups;
mod identities;
mod identity_overrides;
mod instance;
mod invites;
mod listing;
mod mv_options;
mod organisations;
pub mod postgres;
mod priorities;
mod projects;
mod rows;
mod rule_tree;
mod segment_overrides;
mod segments;
mod server_keys;
pub mod sqlite;
mod tables;
mod tags;
mod url;
mod users;
mod webhooks;

use crate::clock::Clock;
use async_trait::async_trait;
use std::sync::Arc;

pub use analytics::AnalyticsStore;
pub use api_keys::ApiKeyStore;
pub use audit::{AuditStore, Scope};
pub use changes::ChangeSink;
pub use environment_defaults::EnvironmentDefaultStore;
pub use environments::EnvironmentStore;
pub use error::{ConnectError, StoreError};
pub use feature_owners::FeatureOwnerStore;
pub use feature_states::FeatureStateStore;
pub use features::FeatureStore;
pub use grants::GrantStore;
pub use groups::GroupStore;
pub use identities::IdentityStore;
pub use identity_overrides::IdentityOverrideStore;
pub use instance::InstanceStore;
pub use invites::InviteStore;
pub use mv_options::MvOptionStore;
pub use organisations::OrganisationStore;
pub use projects::ProjectStore;
pub use segment_overrides::SegmentOverrideStore;
pub use segments::SegmentStore;
pub use server_keys::ServerKeyStore;
pub use tags::TagStore;
pub use url::DatabaseUrl;
pub use users::UserStore;
pub use webhooks::{Outbox, WebhookStore};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The whole store, as the services hold it: `Arc<dyn Store>`.
#[async_trait]
pub trait Store:
    UserStore
    + OrganisationStore
    + ApiKeyStore
    + ProjectStore
    + EnvironmentStore
    + ServerKeyStore
    + FeatureStore
    + FeatureOwnerStore
    + MvOptionStore
    + TagStore
    + FeatureStateStore
    + EnvironmentDefaultStore
    + SegmentOverrideStore
    + IdentityOverrideStore
    + SegmentStore
    + IdentityStore
    + AuditStore
    + InstanceStore
    + GroupStore
    + GrantStore
    + InviteStore
    + WebhookStore
    + AnalyticsStore
    + Send
    + Sync
{
    /// "sqlite" or "postgres", for logs and `/version/`.
    fn backend(&self) -> &'static str;

    /// Attaches a sink told the scopes of every committed change, for as long as it lives
    /// (the store holds it weakly).
    fn attach(&self, sink: &Arc<dyn ChangeSink>);

    /// Starts hearing the changes other processes on the same database commit, for as long as
    /// the process runs, and telling them to the sinks as if they were this process's own.
    /// Returns once it hears them (or has tried for a few seconds, and goes on trying).
    async fn follow_others(&self);

    /// How the connections are used now.
    fn connections(&self) -> Connections;

    /// Answers when the database does (readiness).
    async fn ping(&self) -> Result<()>;
}

/// How the database's connections are used at one moment, for the operator's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Connections {
    /// Running a statement or a transaction.
    pub busy: usize,
    pub idle: usize,
    /// Work waiting for a connection: for SQLite, writes queued for its single writer.
    pub waiting: usize,
}

/// How to reach the database and how long to wait for it.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub pool_size: usize,
    /// How long an unreachable PostgreSQL is retried before giving up.
    pub connect_timeout: std::time::Duration,
    /// CA certificates (PEM) trusted for PostgreSQL's TLS, besides the system's, when the URL
    /// names no `sslrootcert`.
    pub ca_file: Option<std::path::PathBuf>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            pool_size: 8,
            connect_timeout: std::time::Duration::from_secs(30),
            ca_file: None,
        }
    }
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// `V{n}__{name}` of each migration applied now, in order.
    pub applied: Vec<String>,
    /// The schema version after migrating.
    pub version: i64,
}

/// Opens the database the URL names, brings its schema up to date and returns the store.
/// A database whose schema is newer than this binary is refused.
pub async fn connect(
    url: &DatabaseUrl,
    options: &ConnectOptions,
    clock: Arc<dyn Clock>,
) -> Result<(Arc<dyn Store>, MigrationReport), ConnectError> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            let store = sqlite::SqliteStore::open(path, options, clock).await?;
            let report = store.migrate().await?;
            Ok((Arc::new(store), report))
        }
        DatabaseUrl::Postgres(url) => {
            let store = postgres::PostgresStore::open(url, options, clock).await?;
            let report = store.migrate().await?;
            Ok((Arc::new(store), report))
        }
    }
}

/// The highest migration version this binary knows; both backends have the same set.
pub fn latest_schema_version() -> i64 {
    sqlite::latest_version()
}
