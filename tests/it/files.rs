//! The data folder and the SQLite database are readable by their owner only.
//
// The data folder and the SQLite database (server keys, password hashes) are their owner's
// only, and an existing database open to others is pointed out at start.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use flagstaff::clock::SystemClock;
use flagstaff::store::{self, ConnectOptions, DatabaseUrl};

use crate::server::Server;

/// The permission bits, in octal as `ls` and `chmod` speak them.
fn mode(path: &Path) -> String {
    let mode = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode();
    format!("{:04o}", mode & 0o7777)
}

#[test]
fn a_fresh_start_makes_the_data_folder_and_database_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    // Checked while serving: the -wal and -shm files exist while connections are open.
    let data = dir.path().join("data");
    let modes: Vec<(&str, String)> = [
        "",
        "flagstaff.db",
        "flagstaff.db-wal",
        "flagstaff.db-shm",
        "secret_key",
    ]
    .iter()
    .map(|name| (*name, mode(&data.join(name))))
    .collect();
    let (status, log) = server.stop();
    assert!(status.success(), "{status}: {log:?}");
    let modes: Vec<(&str, &str)> = modes.iter().map(|(n, m)| (*n, m.as_str())).collect();
    assert_eq!(
        modes,
        [
            ("", "0700"),
            ("flagstaff.db", "0600"),
            ("flagstaff.db-wal", "0600"),
            ("flagstaff.db-shm", "0600"),
            ("secret_key", "0600"),
        ]
    );
    assert!(!log.iter().any(|l| l.contains("chmod")), "{log:?}");
}

/// Without the secret-key file in the way, the store makes the folders itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_creates_missing_folders_and_the_database_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/sqlite/flagstaff.db");
    let options = ConnectOptions {
        pool_size: 2,
        connect_timeout: std::time::Duration::from_secs(5),
        ca_file: None,
    };
    let url = DatabaseUrl::Sqlite(path.clone());
    let (_store, report) = store::connect(&url, &options, Arc::new(SystemClock))
        .await
        .unwrap();
    assert!(!report.applied.is_empty());
    assert_eq!(mode(&dir.path().join("state")), "0700");
    assert_eq!(mode(&dir.path().join("state/sqlite")), "0700");
    for file in ["flagstaff.db", "flagstaff.db-wal", "flagstaff.db-shm"] {
        assert_eq!(mode(&path.with_file_name(file)), "0600", "{file}");
    }
}

#[test]
fn an_existing_database_open_to_others_is_pointed_out_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let db = data.join("flagstaff.db");
    // An empty file is an empty database, as an older Flagstaff left it: 0644.
    std::fs::write(&db, "").unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let server = Server::start(dir.path(), &[]);
    let (status, log) = server.stop();
    assert!(status.success(), "{status}: {log:?}");
    let warnings: Vec<_> = log.iter().filter(|l| l.contains("chmod 600")).collect();
    assert_eq!(warnings.len(), 1, "{log:?}");
    let warning: serde_json::Value = serde_json::from_str(warnings[0]).unwrap();
    assert_eq!(warning["level"], "WARN");
    let message = warning["message"].as_str().unwrap();
    let db = std::fs::canonicalize(&db).unwrap();
    assert!(
        message.contains(&format!("chmod 600 {}", db.display())) && message.contains("0644"),
        "{message}"
    );
    // Warned about, not changed behind the operator's back.
    assert_eq!(mode(&db), "0644");
}
