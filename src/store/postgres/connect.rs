//! Reaching PostgreSQL at start: bounded retries, a missing database created, one clear error.

use super::tls;
use crate::store::ConnectError;
use std::str::FromStr;
use std::time::{Duration, Instant};
use tokio_postgres::Config;
use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres_rustls::MakeRustlsConnect;

const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// The connection settings of `url` and the TLS connector its `sslmode` asks for; `ca_file` is
/// the `database_ca_file` setting.
pub(super) fn parse(
    url: &str,
    ca_file: Option<&std::path::Path>,
) -> Result<(Config, MakeRustlsConnect), ConnectError> {
    let (url, tls) = tls::split(url)?;
    let connector = tls::connector(&tls, ca_file)?;
    let mut config = Config::from_str(&url)
        .map_err(|e| ConnectError::Other(format!("the PostgreSQL URL is not valid: {e}")))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(ATTEMPT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("flagstaff");
    }
    Ok((config, connector))
}

/// "host:port" of the first server the configuration names.
pub(super) fn describe(config: &Config) -> (String, u16) {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    (host, port)
}

/// Returns once a connection succeeds. Retries while the server cannot be reached; fails at
/// once when the server answers with a refusal (bad password, no such role).
pub(super) async fn wait_until_reachable(
    config: &Config,
    tls: &MakeRustlsConnect,
    patience: Duration,
) -> Result<(), ConnectError> {
    let (host, port) = describe(config);
    let started = Instant::now();
    let mut backoff = FIRST_BACKOFF;
    let mut created = false;
    loop {
        let failure = match try_connect(config, tls).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        // A certificate will not get better by waiting.
        if let Some(reason) = tls::explain(&failure, &host, port) {
            return Err(ConnectError::Other(reason));
        }
        if let Some(db) = failure.as_db_error() {
            if *db.code() == SqlState::INVALID_CATALOG_NAME && !created {
                create_database(config, tls, &host, port).await?;
                created = true;
                continue;
            }
            return Err(ConnectError::Other(format!(
                "PostgreSQL at {host}:{port} refused the connection: {}",
                db.message()
            )));
        }
        let reason = root_cause(&failure);
        let waited = started.elapsed();
        if waited >= patience {
            return Err(ConnectError::Unreachable {
                host,
                port,
                seconds: waited.as_secs_f64().round() as u64,
                reason,
            });
        }
        let pause = backoff.min(patience - waited);
        tracing::warn!(%host, port, %reason, retry_in_ms = pause.as_millis() as u64, "PostgreSQL is not reachable yet");
        tokio::time::sleep(pause).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

async fn try_connect(
    config: &Config,
    tls: &MakeRustlsConnect,
) -> Result<(), tokio_postgres::Error> {
    let (client, connection) = config.connect(tls.clone()).await?;
    let driver = tokio::spawn(connection);
    let result = client.simple_query("SELECT 1").await.map(|_| ());
    drop(client);
    let _ = driver.await;
    result
}

/// Creates the configured database through the server's `postgres` database.
async fn create_database(
    config: &Config,
    tls: &MakeRustlsConnect,
    host: &str,
    port: u16,
) -> Result<(), ConnectError> {
    let name = config.get_dbname().unwrap_or("postgres").to_string();
    let mut admin = config.clone();
    admin.dbname("postgres");
    let refuse = |reason: String| {
        ConnectError::Other(format!(
            "the database {name:?} does not exist on PostgreSQL at {host}:{port} and could not be created ({reason}); \
             create it with: createdb {name}"
        ))
    };
    let (client, connection) = admin
        .connect(tls.clone())
        .await
        .map_err(|e| refuse(root_cause(&e)))?;
    let driver = tokio::spawn(connection);
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    let result = client
        .batch_execute(&format!("CREATE DATABASE {quoted}"))
        .await;
    drop(client);
    let _ = driver.await;
    match result {
        Ok(()) => {
            tracing::info!(database = %name, %host, port, "created the PostgreSQL database");
            Ok(())
        }
        // Another server created it first.
        Err(e) if e.code() == Some(&SqlState::DUPLICATE_DATABASE) => Ok(()),
        Err(e) => Err(refuse(root_cause(&e))),
    }
}

/// The innermost error text (e.g. "Connection refused (os error 111)").
fn root_cause(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}
