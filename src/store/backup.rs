//! Backup and restore: a copy through SQLite's backup API, or on PostgreSQL an export file.

use super::export::Summary;
use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;
use super::{ConnectOptions, DatabaseUrl};
use crate::clock::Clock;
use anyhow::{Context, bail};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a backup or a restore did, for the line the command prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A SQLite database file copied, with its size in bytes.
    Copied { bytes: u64 },
    /// An export written or loaded.
    Exported(Summary),
    /// A SQLite backup restored, at its schema version; migrated to the binary's since.
    Restored { version: i64 },
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Copied { bytes } => write!(f, "a SQLite copy of {bytes} bytes"),
            Outcome::Exported(summary) => {
                write!(f, "{} rows of {} tables", summary.rows, summary.tables)
            }
            Outcome::Restored { version } => {
                write!(f, "a SQLite backup of schema version {version}")
            }
        }
    }
}

/// `flagstaff backup`: on SQLite a consistent copy of the live database file, on PostgreSQL an
/// export (a logical dump Flagstaff makes itself). Never overwrites `output`.
pub async fn backup(
    url: &DatabaseUrl,
    options: &ConnectOptions,
    clock: Arc<dyn Clock>,
    output: &Path,
) -> anyhow::Result<Outcome> {
    if output.exists() {
        bail!(
            "{} exists: choose another name, or remove it first",
            output.display()
        );
    }
    match url {
        DatabaseUrl::Sqlite(path) => {
            let store = super::export::open_existing(path, options, clock).await?;
            let bytes = store.backup(output).await?;
            Ok(Outcome::Copied { bytes })
        }
        DatabaseUrl::Postgres(url) => {
            let store = PostgresStore::open(url, options, clock).await?;
            store.migrate().await?;
            let partial = partial_path(output);
            let _ = std::fs::remove_file(&partial);
            let file = create_private(&partial)?;
            let written = store
                .export(Box::new(std::io::BufWriter::new(file)))
                .await
                .and_then(|summary| {
                    std::fs::rename(&partial, output).with_context(|| {
                        format!("cannot move the backup to {}", output.display())
                    })?;
                    Ok(summary)
                });
            if written.is_err() {
                let _ = std::fs::remove_file(&partial);
            }
            Ok(Outcome::Exported(written?))
        }
    }
}

/// `flagstaff restore`: puts a backup (a SQLite copy or an export) into the configured
/// database. Refuses a backup from a newer schema, and a database that holds data unless
/// `replace`. A SQLite copy restored into PostgreSQL goes through an export on the way.
pub async fn restore(
    url: &DatabaseUrl,
    options: &ConnectOptions,
    clock: Arc<dyn Clock>,
    input: &Path,
    replace: bool,
) -> anyhow::Result<Outcome> {
    let mut file = std::fs::File::open(input)
        .with_context(|| format!("cannot open the backup {}", input.display()))?;
    let mut head = [0u8; 16];
    let read = file.read(&mut head)?;
    drop(file);
    if !is_sqlite_file(&head[..read]) {
        let file = std::fs::File::open(input)?;
        let summary =
            super::export::import(url, options, clock, Box::new(BufReader::new(file)), replace)
                .await?;
        return Ok(Outcome::Exported(summary));
    }
    match url {
        DatabaseUrl::Sqlite(target) => {
            let version = tokio::task::spawn_blocking({
                let (target, input) = (target.clone(), input.to_path_buf());
                move || super::sqlite::backup::restore(&target, &input, replace)
            })
            .await
            .context("the restore task failed")??;
            // A backup of an older schema is brought up to date now, not at the next start.
            let store = SqliteStore::open(target, options, clock).await?;
            store.migrate().await?;
            Ok(Outcome::Restored { version })
        }
        DatabaseUrl::Postgres(_) => {
            // Work on a copy: migrating the backup itself would change it.
            let work = tempfile::tempdir().context("cannot make a temporary folder")?;
            let copy = work.path().join("backup.db");
            std::fs::copy(input, &copy)
                .with_context(|| format!("cannot copy {}", input.display()))?;
            let version = tokio::task::spawn_blocking({
                let copy = copy.clone();
                move || super::sqlite::backup::check_version(&copy)
            })
            .await
            .context("the restore task failed")??;
            let dump = work.path().join("export.jsonl");
            let source = SqliteStore::open(&copy, options, clock.clone()).await?;
            source.migrate().await?;
            source
                .export(Box::new(std::io::BufWriter::new(create_private(&dump)?)))
                .await?;
            drop(source);
            let file = std::fs::File::open(&dump)?;
            super::export::import(url, options, clock, Box::new(BufReader::new(file)), replace)
                .await?;
            Ok(Outcome::Restored { version })
        }
    }
}

/// Where a backup is written until it is complete.
pub(crate) fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Creates `path` empty and readable by its owner only: a backup holds password hashes and keys.
pub(crate) fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Whether `bytes` start a SQLite database file (a backup made on SQLite) rather than an export.
pub fn is_sqlite_file(bytes: &[u8]) -> bool {
    bytes.starts_with(b"SQLite format 3\0")
}
