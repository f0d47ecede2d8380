//! The database's folder and files are readable by their owner only (they hold keys and hashes).
//
// The database's folder and files are the owner's only: the database holds server keys and
// password hashes. SQLite gives its -wal and -shm files the database file's mode.

use super::ConnectError;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Creates the folder (0700) and the database file (0600) when missing; an existing one keeps
/// its mode, with a warning when other users may open it.
pub(super) fn prepare(path: &Path) -> Result<(), ConnectError> {
    if is_special(path) {
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| {
                ConnectError::Other(format!("cannot create the folder {}: {e}", dir.display()))
            })?;
    }
    // An empty file is an empty database; SQLite fills it in.
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => {
            return Err(ConnectError::Other(format!(
                "cannot create SQLite database {}: {e}",
                path.display()
            )));
        }
    }
    for file in [
        path.to_path_buf(),
        with_suffix(path, "-wal"),
        with_suffix(path, "-shm"),
    ] {
        warn_when_open_to_others(&file);
    }
    Ok(())
}

/// `:memory:` and `file:` URIs name no plain file.
fn is_special(path: &Path) -> bool {
    let text = path.to_string_lossy();
    text == ":memory:" || text.starts_with("file:")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn warn_when_open_to_others(file: &Path) {
    let Ok(metadata) = std::fs::metadata(file) else {
        return;
    };
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        tracing::warn!(
            path = %file.display(),
            mode = %format!("{mode:04o}"),
            "{} is open to other users (mode {mode:04o}) and holds server keys and password \
             hashes; restrict it with: chmod 600 {}",
            file.display(),
            file.display()
        );
    }
}
