//! The PostgreSQL backend: a deadpool of tokio-postgres clients with cached prepared statements.

mod analytics;
mod api_keys;
mod audit;
mod changes;
mod connect;
mod environment_defaults;
mod environments;
mod export;
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
mod mv_shares;
mod organisations;
mod projects;
mod rows;
mod segment_overrides;
mod segments;
mod server_keys;
mod tags;
mod tls;
mod users;
mod webhooks;

use super::changes::{ChangeSink, Listener, Noting};
use super::{
    ConnectError, ConnectOptions, Connections, MigrationReport, Result, Store, StoreError,
};
use crate::clock::Clock;
use crate::domain::Timestamp;
use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Transaction};
use std::sync::Arc;
use tokio_postgres::IsolationLevel;
use tokio_postgres::error::SqlState;

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// Serialises migrations when several servers start against one database.
const MIGRATION_LOCK: i64 = 0x666c_6167_7374_6166; // "flagstaf"

pub struct PostgresStore {
    pool: Pool,
    clock: Arc<dyn Clock>,
    listener: Arc<Listener>,
    /// This process among those sharing the database, in its change notices and in the
    /// listening connection's `application_name`: `<pid>.<random>`.
    node: String,
    /// The channel of this schema's change notices, read on the first write.
    channel: tokio::sync::OnceCell<String>,
    /// How to open the connection that listens for other processes' changes.
    follow: (
        tokio_postgres::Config,
        tokio_postgres_rustls::MakeRustlsConnect,
    ),
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects, retrying an unreachable server until `options.connect_timeout`, and creating
    /// the database when the server has no database of that name.
    pub async fn open(
        url: &str,
        options: &ConnectOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ConnectError> {
        let (config, tls) = connect::parse(url, options.ca_file.as_deref())?;
        connect::wait_until_reachable(&config, &tls, options.connect_timeout).await?;
        let follow = (config.clone(), tls.clone());
        let manager = Manager::from_config(
            config,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .build()
            .map_err(|e| ConnectError::Other(format!("cannot build the PostgreSQL pool: {e}")))?;
        Ok(PostgresStore {
            pool,
            clock,
            listener: Arc::default(),
            node: format!(
                "{}.{}",
                std::process::id(),
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ),
            follow,
            channel: tokio::sync::OnceCell::new(),
        })
    }

    /// Applies pending migrations in one transaction under an advisory lock; refuses a schema
    /// newer than the binary.
    pub async fn migrate(&self) -> Result<MigrationReport, ConnectError> {
        let mut client = self.client().await?;
        let describe = |e: tokio_postgres::Error| {
            ConnectError::Other(format!("migrating PostgreSQL failed: {e}"))
        };
        client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(describe)?;
        let result = migrate(&mut client).await;
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(describe)?;
        result
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    async fn client(&self) -> Result<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(format!("no PostgreSQL connection: {e}")))
    }
}

/// A write transaction, noting the scopes its changes touch ([`PostgresStore::commit`] tells).
pub(super) type Tx<'c> = Noting<Transaction<'c>>;

impl Tx<'_> {
    /// Starts a write transaction on `client`.
    pub async fn begin(client: &mut Object) -> Result<Tx<'_>> {
        Ok(Noting::new(client.transaction().await?))
    }
}

impl PostgresStore {
    /// Commits `tx` with a notice of the scopes it changed to the other processes on the
    /// database, then tells this process's sinks.
    pub(super) async fn commit(&self, tx: Tx<'_>) -> Result<()> {
        let (tx, changed) = tx.into_parts();
        if !changed.is_empty() {
            let channel = self
                .channel
                .get_or_try_init(|| async {
                    Ok::<_, StoreError>(changes::channel(&changes::current_schema(&*tx).await?))
                })
                .await?;
            changes::publish(&tx, channel, &self.node, &changed).await?;
        }
        tx.commit().await?;
        self.listener.committed(changed);
        Ok(())
    }
}

/// Starts a read-only transaction that sees one snapshot, for reads of several statements.
pub(super) async fn read_snapshot(client: &mut Object) -> Result<Transaction<'_>> {
    Ok(client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?)
}

async fn migrate(client: &mut Object) -> Result<MigrationReport, ConnectError> {
    let binary = latest_version();
    let database = schema_version(client).await?;
    if database > binary {
        return Err(ConnectError::SchemaTooNew { database, binary });
    }
    let pg: &mut tokio_postgres::Client = client;
    let report = embedded::migrations::runner()
        .set_grouped(true)
        .run_async(pg)
        .await
        .map_err(|e| ConnectError::Other(format!("migrating PostgreSQL failed: {e}")))?;
    Ok(MigrationReport {
        applied: report
            .applied_migrations()
            .iter()
            .map(|m| m.to_string())
            .collect(),
        version: schema_version(client).await?,
    })
}

async fn schema_version(client: &Object) -> Result<i64, ConnectError> {
    let describe = |e: tokio_postgres::Error| {
        ConnectError::Other(format!("reading the schema version failed: {e}"))
    };
    let row = client
        .query_one(
            "SELECT to_regclass('refinery_schema_history') IS NOT NULL",
            &[],
        )
        .await
        .map_err(describe)?;
    if !row.try_get::<_, bool>(0).map_err(describe)? {
        return Ok(0);
    }
    let row = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM refinery_schema_history",
            &[],
        )
        .await
        .map_err(describe)?;
    row.try_get(0).map_err(describe)
}

/// The highest migration version embedded in this binary.
pub fn latest_version() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// `V{n}__{name}` of every embedded migration, for the lockstep test.
pub fn migration_names() -> Vec<String> {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| format!("V{}__{}", m.version(), m.name()))
        .collect()
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn attach(&self, sink: &Arc<dyn ChangeSink>) {
        self.listener.attach(sink)
    }

    fn connections(&self) -> Connections {
        let status = self.pool.status();
        Connections {
            busy: status.size.saturating_sub(status.available),
            idle: status.available,
            waiting: status.waiting,
        }
    }

    async fn follow_others(&self) {
        let (config, tls) = self.follow.clone();
        let (node, listener) = (self.node.clone(), self.listener.clone());
        let (listening, heard) = tokio::sync::oneshot::channel();
        tokio::spawn(changes::follow(config, tls, node, listener, listening));
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), heard).await;
    }

    async fn ping(&self) -> Result<()> {
        let client = self.client().await?;
        client.query_one("SELECT 1", &[]).await?;
        Ok(())
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            return if *code == SqlState::UNIQUE_VIOLATION || *code == SqlState::EXCLUSION_VIOLATION
            {
                StoreError::Conflict(db.constraint().unwrap_or("unique").to_string())
            } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
                StoreError::NotFound
            } else if *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::TOO_MANY_CONNECTIONS
            {
                StoreError::Unavailable(db.message().to_string())
            } else {
                StoreError::Other(format!("{}: {}", code.code(), db.message()))
            };
        }
        if e.is_closed() {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Other(e.to_string())
        }
    }
}
