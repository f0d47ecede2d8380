//! The embedded SQLite backend: one writer and a few readers in WAL mode, on the blocking pool.

mod analytics;
mod api_keys;
mod audit;
pub(super) mod backup;
mod environment_defaults;
mod environments;
mod export;
mod feature_owners;
mod feature_states;
mod features;
mod files;
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
mod users;
mod webhooks;

use super::changes::{ChangeSink, Listener, Noting};
use super::{
    ConnectError, ConnectOptions, Connections, MigrationReport, Result, Store, StoreError,
};
use crate::clock::Clock;
use crate::domain::Timestamp;
use async_trait::async_trait;
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Mutex as AsyncMutex, Semaphore};

mod embedded {
    refinery::embed_migrations!("migrations/sqlite");
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct SqliteStore {
    db: Db,
    clock: Arc<dyn Clock>,
    path: PathBuf,
    listener: Listener,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

/// The connections. Writes queue for the one writer; reads take any free reader.
struct Db {
    writer: Arc<AsyncMutex<Connection>>,
    /// Writes waiting for the writer.
    queued: AtomicUsize,
    readers: Arc<Mutex<Vec<Connection>>>,
    reader_count: usize,
    free_readers: Arc<Semaphore>,
}

impl SqliteStore {
    /// Opens (creating when missing, owner-only) the database file and its folder.
    pub async fn open(
        path: &Path,
        options: &ConnectOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ConnectError> {
        let path = path.to_path_buf();
        let readers = options.pool_size.max(1);
        let open_path = path.clone();
        let (writer, readers) = tokio::task::spawn_blocking(move || open_all(&open_path, readers))
            .await
            .map_err(|e| ConnectError::Other(format!("opening SQLite failed: {e}")))??;
        Ok(SqliteStore {
            db: Db {
                writer: Arc::new(AsyncMutex::new(writer)),
                queued: AtomicUsize::new(0),
                reader_count: readers.len(),
                free_readers: Arc::new(Semaphore::new(readers.len())),
                readers: Arc::new(Mutex::new(readers)),
            },
            clock,
            path,
            listener: Listener::default(),
        })
    }

    /// Applies pending migrations in one transaction; refuses a schema newer than the binary.
    pub async fn migrate(&self) -> Result<MigrationReport, ConnectError> {
        let conn = self.db.writer.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || {
            let mut conn = conn;
            migrate(&mut conn)
        })
        .await
        .map_err(|e| ConnectError::Other(format!("migration task failed: {e}")))?
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Runs `f` on a reader connection.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .db
            .free_readers
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))?;
        let readers = self.db.readers.clone();
        let conn = lock(&readers)
            .pop()
            .ok_or_else(|| StoreError::Other("no free SQLite reader".into()))?;
        let joined = tokio::task::spawn_blocking(move || {
            let result = f(&conn);
            (conn, result)
        })
        .await;
        match joined {
            Ok((conn, result)) => {
                lock(&readers).push(conn);
                drop(permit);
                result
            }
            Err(e) => {
                // The connection went down with the task: one reader fewer from now on.
                permit.forget();
                Err(StoreError::Other(format!("SQLite read task failed: {e}")))
            }
        }
    }

    /// Runs `f` on a reader connection on the calling thread. For short indexed reads on the
    /// SDK's hot path only: handing a 20 µs read to the blocking pool and back costs more than
    /// the read (two thread wake-ups), and a WAL reader does not wait for the writer.
    async fn read_inline<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send,
    {
        let _permit = self
            .db
            .free_readers
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))?;
        let conn = lock(&self.db.readers)
            .pop()
            .ok_or_else(|| StoreError::Other("no free SQLite reader".into()))?;
        // Put back however `f` ends, a panic included.
        struct Back<'a>(&'a Mutex<Vec<Connection>>, Option<Connection>);
        impl Drop for Back<'_> {
            fn drop(&mut self) {
                if let Some(conn) = self.1.take() {
                    lock(self.0).push(conn);
                }
            }
        }
        let back = Back(&self.db.readers, Some(conn));
        match back.1.as_ref() {
            Some(conn) => f(conn),
            None => Err(StoreError::Other("no free SQLite reader".into())),
        }
    }

    /// Runs `f` in an immediate transaction on the writer, committing when it returns `Ok`;
    /// then tells the listener which scopes it changed.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Tx<'_>) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.db.queued.fetch_add(1, Ordering::Relaxed);
        let mut conn = self.db.writer.clone().lock_owned().await;
        self.db.queued.fetch_sub(1, Ordering::Relaxed);
        let (value, changed) = tokio::task::spawn_blocking(move || {
            let tx = Tx::new(conn.transaction_with_behavior(TransactionBehavior::Immediate)?);
            let value = f(&tx)?;
            let (tx, changed) = tx.into_parts();
            tx.commit()?;
            Ok::<_, StoreError>((value, changed))
        })
        .await
        .map_err(|e| StoreError::Other(format!("SQLite write task failed: {e}")))??;
        self.listener.committed(changed);
        Ok(value)
    }
}

/// The writer's transaction, noting the scopes its changes touch.
pub(super) type Tx<'c> = Noting<Transaction<'c>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn open_all(path: &Path, readers: usize) -> Result<(Connection, Vec<Connection>), ConnectError> {
    files::prepare(path)?;
    let describe = |e: rusqlite::Error| {
        ConnectError::Other(format!(
            "cannot open SQLite database {}: {e}",
            path.display()
        ))
    };
    let writer = Connection::open(path).map_err(describe)?;
    configure(&writer, false).map_err(describe)?;
    let mut pool = Vec::with_capacity(readers);
    for _ in 0..readers {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let reader = Connection::open_with_flags(path, flags).map_err(describe)?;
        configure(&reader, true).map_err(describe)?;
        pool.push(reader);
    }
    Ok((writer, pool))
}

fn configure(conn: &Connection, read_only: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if !read_only {
        // WAL lets readers run beside the writer; FULL sync keeps every answered write.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Unicode case folding, the same as PostgreSQL's lower(), for case-insensitive search.
    conn.create_scalar_function(
        "fold",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8
            | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|s| s.to_lowercase())),
    )?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<MigrationReport, ConnectError> {
    let binary = latest_version();
    let database = schema_version(conn)?;
    if database > binary {
        return Err(ConnectError::SchemaTooNew { database, binary });
    }
    let report = embedded::migrations::runner()
        .set_grouped(true)
        .run(conn)
        .map_err(|e| ConnectError::Other(format!("migrating the SQLite database failed: {e}")))?;
    Ok(MigrationReport {
        applied: report
            .applied_migrations()
            .iter()
            .map(|m| m.to_string())
            .collect(),
        version: schema_version(conn)?,
    })
}

/// The highest version recorded in the database, 0 for a new one.
fn schema_version(conn: &Connection) -> Result<i64, ConnectError> {
    let describe =
        |e: rusqlite::Error| ConnectError::Other(format!("reading the schema version failed: {e}"));
    let exists: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history')",
            [],
            |r| r.get(0),
        )
        .map_err(describe)?;
    if !exists {
        return Ok(0);
    }
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
        [],
        |r| r.get(0),
    )
    .map_err(describe)
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
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn attach(&self, sink: &Arc<dyn ChangeSink>) {
        self.listener.attach(sink)
    }

    fn connections(&self) -> Connections {
        let idle_readers = lock(&self.db.readers).len();
        let writing = usize::from(self.db.writer.try_lock().is_err());
        Connections {
            busy: self.db.reader_count - idle_readers.min(self.db.reader_count) + writing,
            idle: idle_readers + (1 - writing),
            waiting: self.db.queued.load(Ordering::Relaxed),
        }
    }

    /// One process owns a SQLite database: there is nobody else to follow.
    async fn follow_others(&self) {}

    async fn ping(&self) -> Result<()> {
        self.read(|c| {
            Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                .map(|_| ())?)
        })
        .await
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        match &e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            rusqlite::Error::SqliteFailure(err, msg) => {
                let text = msg.clone().unwrap_or_else(|| err.to_string());
                match (err.code, err.extended_code) {
                    (_, ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                        StoreError::Conflict(text)
                    }
                    // A reference to a row that does not exist.
                    (_, ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => StoreError::NotFound,
                    (ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked, _) => {
                        StoreError::Unavailable(text)
                    }
                    _ => StoreError::Other(text),
                }
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}
