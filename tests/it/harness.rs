//! Fresh databases for tests: a temporary SQLite file, or a PostgreSQL schema of its own.
//
// Fresh databases for tests: a temporary SQLite file, or a PostgreSQL schema of its own inside
// `TEST_DATABASE_URL`. Without that variable the PostgreSQL legs are skipped with a message on
// stderr, unless `CI=true`, where a missing PostgreSQL fails the test.

use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::TimeZone;
use flagstaff::clock::{Clock, FixedClock};
use flagstaff::store::{self, ConnectOptions, DatabaseUrl, Store};
use tokio_postgres::NoTls;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

/// What a store test receives.
pub struct Ctx {
    pub store: Arc<dyn Store>,
    pub clock: Arc<FixedClock>,
    /// Holds the database for the test's duration (dropping it removes it).
    #[allow(dead_code)]
    pub db: TestDb,
}

static SCHEMA_COUNTER: AtomicU64 = AtomicU64::new(0);

/// `TEST_DATABASE_URL`, or `None` after saying the PostgreSQL leg is skipped.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL legs cannot run")
        }
        _ => {
            // Written past libtest's capture so the skip is visible.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED postgres leg: TEST_DATABASE_URL is not set"
            );
            None
        }
    }
}

/// A client on `TEST_DATABASE_URL` itself (no test schema), for what a test does as an admin.
pub async fn postgres_admin() -> tokio_postgres::Client {
    admin_client(&postgres_url().expect("TEST_DATABASE_URL")).await
}

async fn admin_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to TEST_DATABASE_URL: {e}"));
    tokio::spawn(connection);
    client
}

/// `url` with `search_path` set to `schema` for every connection.
fn with_search_path(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

impl TestDb {
    /// A new empty database, or `None` when the PostgreSQL leg is skipped.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                Some(TestDb {
                    url: DatabaseUrl::Sqlite(dir.path().join("flagstaff.db")),
                    _dir: Some(dir),
                    schema: None,
                })
            }
            Backend::Postgres => {
                let url = postgres_url()?;
                let schema = format!(
                    "it_{}_{}_{}",
                    std::process::id(),
                    SCHEMA_COUNTER.fetch_add(1, Ordering::Relaxed),
                    chrono::Utc::now().timestamp_subsec_micros()
                );
                admin_client(&url)
                    .await
                    .batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .unwrap();
                Some(TestDb {
                    url: DatabaseUrl::Postgres(with_search_path(&url, &schema)),
                    _dir: None,
                    schema: Some(schema),
                })
            }
        }
    }

    /// A SQLite database that starts as a copy of `file` (a committed fixture, say).
    pub fn sqlite_copy_of(file: &std::path::Path) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flagstaff.db");
        std::fs::copy(file, &path).unwrap();
        TestDb {
            url: DatabaseUrl::Sqlite(path),
            _dir: Some(dir),
            schema: None,
        }
    }

    /// The same database for a second app; it is removed with this one, not with the copy.
    pub fn shared(&self) -> TestDb {
        TestDb {
            url: self.url.clone(),
            _dir: None,
            schema: None,
        }
    }

    /// The URL as `DATABASE_URL` would carry it.
    pub fn url_string(&self) -> String {
        match &self.url {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => url.clone(),
        }
    }

    pub async fn connect(
        &self,
        clock: Arc<dyn Clock>,
    ) -> Result<Arc<dyn Store>, store::ConnectError> {
        let options = ConnectOptions {
            pool_size: 4,
            connect_timeout: std::time::Duration::from_secs(5),
            ca_file: None,
        };
        store::connect(&self.url, &options, clock)
            .await
            .map(|(s, _)| s)
    }
}

/// Drops the PostgreSQL schema, also when the test panicked; the SQLite folder goes with `_dir`.
impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(schema) = self.schema.take() else {
            return;
        };
        let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
            return;
        };
        // A thread of its own: this may run inside (or while unwinding out of) a runtime.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let _ = admin_client(&url)
                    .await
                    .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
                    .await;
            });
        })
        .join();
    }
}

/// 2024-05-01T10:00:00Z, the time every test starts at.
pub fn start_time() -> flagstaff::domain::Timestamp {
    chrono::Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap()
}

/// Runs a store test on a fresh, migrated database of the given backend.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let clock = Arc::new(FixedClock::new(start_time()));
    let store = db.connect(clock.clone()).await.unwrap();
    test(Ctx { store, clock, db }).await;
}

/// Declares, for each named `async fn(Ctx)` in scope, a module with a `sqlite` and a
/// `postgres` test running it.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::harness::run($crate::harness::Backend::Sqlite, super::$name).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::harness::run($crate::harness::Backend::Postgres, super::$name).await
            }
        }
    )*};
}
