//! Backup and restore: a SQLite copy under writes keeps every row; PostgreSQL's is an export.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use flagstaff::clock::SystemClock;
use flagstaff::store::backup::{self, Outcome};
use flagstaff::store::{ConnectOptions, DatabaseUrl};

use crate::api::TestApp;
use crate::export::{count, export_of, rows};
use crate::harness::{Backend, TestDb, postgres_url};

fn options() -> ConnectOptions {
    ConnectOptions {
        pool_size: 2,
        connect_timeout: std::time::Duration::from_secs(5),
        ca_file: None,
    }
}

async fn back_up(url: &DatabaseUrl, output: &Path) -> anyhow::Result<Outcome> {
    backup::backup(url, &options(), Arc::new(SystemClock), output).await
}

async fn restore(url: &DatabaseUrl, input: &Path, replace: bool) -> anyhow::Result<Outcome> {
    backup::restore(url, &options(), Arc::new(SystemClock), input, replace).await
}

/// An environment key of the instance the tour made.
async fn environment_key(app: &TestApp) -> String {
    let exported = export_of(&app.db.url).await;
    let header = exported
        .lines()
        .find(|l| l.starts_with("{\"table\":\"environments\""))
        .unwrap();
    let columns: serde_json::Value = serde_json::from_str(header).unwrap();
    let at = columns["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == "api_key")
        .unwrap();
    let row = exported
        .lines()
        .skip_while(|l| *l != header)
        .nth(1)
        .unwrap();
    let values: Vec<serde_json::Value> = serde_json::from_str(row).unwrap();
    values[at].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sqlite_backup_taken_under_writes_restores_every_row() {
    let app = TestApp::new(Backend::Sqlite, &[]).await.unwrap();
    crate::api::tour::tour(&app).await;
    let key = environment_key(&app).await;
    let base = export_of(&app.db.url).await;
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("flagstaff.backup");

    let stop = AtomicBool::new(false);
    let written = AtomicUsize::new(0);
    let writes = async {
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) {
            let resp = app
                .sdk(
                    "POST",
                    "/api/v1/identities/",
                    &key,
                    Some(serde_json::json!({
                        "identifier": format!("load-{n}"),
                        "traits": [{"trait_key": "n", "trait_value": n}],
                    })),
                )
                .await;
            resp.assert_status_is_ok();
            n += 1;
            written.store(n, Ordering::SeqCst);
        }
    };
    let backs_up = async {
        while written.load(Ordering::SeqCst) < 20 {
            tokio::task::yield_now().await;
        }
        let outcome = back_up(&app.db.url, &output).await;
        let during = written.load(Ordering::SeqCst);
        // Writes go on after the copy, which must not see them.
        while written.load(Ordering::SeqCst) < during + 20 {
            tokio::task::yield_now().await;
        }
        stop.store(true, Ordering::SeqCst);
        outcome
    };
    let ((), outcome) = tokio::join!(writes, backs_up);
    assert!(
        matches!(outcome.unwrap(), Outcome::Copied { bytes } if bytes > 0),
        "a SQLite backup is a copy of the file"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&output).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "a backup is readable by its owner only"
        );
    }

    let source = export_of(&app.db.url).await;
    let target = TestDb::new(Backend::Sqlite).await.unwrap();
    restore(&target.url, &output, false).await.unwrap();
    let restored = export_of(&target.url).await;
    let (before, after) = (count(&restored, "identities"), count(&source, "identities"));
    assert!(
        before >= 20 && before < after,
        "the copy holds {before} identities and the source {after}: it is one moment of a database being written"
    );
    // Every restored row is a row of the source, unchanged (the load only adds rows).
    let all: BTreeSet<&str> = rows(&source).into_iter().collect();
    for row in rows(&restored).into_iter().filter(|r| r.starts_with('[')) {
        assert!(all.contains(row), "restored a row the source lacks: {row}");
    }
    // Each identity of the load came back with its one trait: no write is half in the copy.
    assert_eq!(
        count(&restored, "identities") - count(&base, "identities"),
        count(&restored, "traits") - count(&base, "traits"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_restore_refuses_data_a_newer_schema_and_strangers() {
    let app = TestApp::new(Backend::Sqlite, &[]).await.unwrap();
    crate::api::tour::tour(&app).await;
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("one.backup");
    back_up(&app.db.url, &output).await.unwrap();

    let error = back_up(&app.db.url, &output).await.unwrap_err().to_string();
    assert!(
        error.contains("exists"),
        "a backup never overwrites: {error}"
    );

    let error = restore(&app.db.url, &output, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("already holds data") && error.contains("--force"),
        "{error}"
    );
    let source = export_of(&app.db.url).await;
    restore(&app.db.url, &output, true).await.unwrap();
    assert_eq!(rows(&export_of(&app.db.url).await), rows(&source));

    // A backup from a newer Flagstaff.
    let newer = folder.path().join("newer.backup");
    std::fs::copy(&output, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
             VALUES (9999, 'from_the_future', '2030-01-01T00:00:00Z', '0')",
            [],
        )
        .unwrap();
    let target = TestDb::new(Backend::Sqlite).await.unwrap();
    let error = restore(&target.url, &newer, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("9999") && error.contains("newer"), "{error}");

    // A SQLite file that is not Flagstaff's, and a file that is nothing.
    let stranger = folder.path().join("stranger.db");
    rusqlite::Connection::open(&stranger)
        .unwrap()
        .execute("CREATE TABLE t (x)", [])
        .unwrap();
    let error = restore(&target.url, &stranger, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a Flagstaff backup"), "{error}");
    let nothing = folder.path().join("nothing");
    std::fs::write(&nothing, "hello").unwrap();
    let error = restore(&target.url, &nothing, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a Flagstaff export"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_backup_is_an_export_and_restores_anywhere() {
    if postgres_url().is_none() {
        return;
    }
    let app = TestApp::new(Backend::Postgres, &[]).await.unwrap();
    crate::api::tour::tour(&app).await;
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("pg.backup");
    let outcome = back_up(&app.db.url, &output).await.unwrap();
    assert!(matches!(outcome, Outcome::Exported(summary) if summary.rows > 0));
    let text = std::fs::read_to_string(&output).unwrap();
    assert!(text.starts_with("{\"flagstaff_export\":1,"), "{text}");
    let source = export_of(&app.db.url).await;
    assert_eq!(rows(&text), rows(&source));

    let error = restore(&app.db.url, &output, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("already holds data"), "{error}");
    for backend in [Backend::Postgres, Backend::Sqlite] {
        let target = TestDb::new(backend).await.unwrap();
        restore(&target.url, &output, false).await.unwrap();
        assert_eq!(rows(&export_of(&target.url).await), rows(&source));
    }

    // A SQLite copy restores into PostgreSQL too.
    let sqlite = TestDb::new(Backend::Sqlite).await.unwrap();
    restore(&sqlite.url, &output, false).await.unwrap();
    let copy = folder.path().join("sqlite.backup");
    back_up(&sqlite.url, &copy).await.unwrap();
    let target = TestDb::new(Backend::Postgres).await.unwrap();
    let outcome = restore(&target.url, &copy, false).await.unwrap();
    assert!(matches!(outcome, Outcome::Restored { .. }), "{outcome:?}");
    assert_eq!(rows(&export_of(&target.url).await), rows(&source));
}
