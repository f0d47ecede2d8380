//! Backup and restore on SQLite: a consistent copy of the live file through SQLite's backup API.

use super::export::first_table_with_rows;
use super::{SqliteStore, latest_version, schema_version};
use crate::store::backup::{create_private, partial_path};
use anyhow::{Context, bail};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

impl SqliteStore {
    /// Copies the database to `output` as it stands at one moment, while the server goes on
    /// answering and writing (WAL readers do not block the writer). The copy appears at
    /// `output` only once complete and checked; it is readable by its owner alone.
    pub async fn backup(&self, output: &Path) -> anyhow::Result<u64> {
        let source = self.path.clone();
        let output = output.to_path_buf();
        tokio::task::spawn_blocking(move || backup(&source, &output))
            .await
            .context("the backup task failed")?
    }
}

fn backup(source: &Path, output: &Path) -> anyhow::Result<u64> {
    let partial = partial_path(output);
    let result = (|| {
        let from = Connection::open_with_flags(
            source,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        )
        .with_context(|| format!("cannot open {}", source.display()))?;
        let _ = std::fs::remove_file(&partial);
        create_private(&partial)?;
        let mut to = Connection::open(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        copy(&from, &mut to)?;
        let check: String = to.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            bail!("the copy failed SQLite's integrity check: {check}");
        }
        drop(to);
        std::fs::rename(&partial, output)
            .with_context(|| format!("cannot move the backup to {}", output.display()))?;
        Ok(std::fs::metadata(output)?.len())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Replaces the database at `target` with the SQLite backup at `input`. Refuses a backup from
/// a newer schema, and a target that holds data unless `replace`. The caller migrates after.
pub fn restore(target: &Path, input: &Path, replace: bool) -> anyhow::Result<i64> {
    let version = check_version(input)?;
    let from = Connection::open_with_flags(input, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open the backup {}", input.display()))?;
    super::files::prepare(target)?;
    let mut to =
        Connection::open(target).with_context(|| format!("cannot open {}", target.display()))?;
    to.busy_timeout(super::BUSY_TIMEOUT)?;
    if !replace && let Some(table) = first_table_with_rows(&to)? {
        bail!(
            "the database {} already holds data (table {table} has rows): restore into an empty database, or pass --force to replace everything in it",
            target.display()
        );
    }
    copy(&from, &mut to)?;
    Ok(version)
}

/// The schema version of the SQLite backup at `input`; refuses a file that is not a Flagstaff
/// database, or one of a newer schema than this binary's.
pub fn check_version(input: &Path) -> anyhow::Result<i64> {
    let from = Connection::open_with_flags(input, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open the backup {}", input.display()))?;
    let version = schema_version(&from)
        .with_context(|| format!("{} is not a Flagstaff backup", input.display()))?;
    if version == 0 {
        bail!(
            "{} is a SQLite database but not a Flagstaff backup (it has no schema history)",
            input.display()
        );
    }
    if version > latest_version() {
        bail!(
            "the backup has schema version {version}, newer than this binary's {}: restore it with the Flagstaff that made it, or a later one",
            latest_version()
        );
    }
    Ok(version)
}

/// Copies every page in one step, so the copy is one consistent moment of the source; a busy
/// or locked source is retried.
fn copy(from: &Connection, to: &mut Connection) -> anyhow::Result<()> {
    let backup = Backup::new(from, to)?;
    for _ in 0..600 {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked => {
                std::thread::sleep(Duration::from_millis(100))
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    bail!("the database stayed locked for a minute; the copy was abandoned")
}
