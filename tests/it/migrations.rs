//! The two migration folders stay in lockstep, and a newer schema is refused.

use std::path::PathBuf;
use std::sync::Arc;

use flagstaff::clock::SystemClock;
use flagstaff::store::{ConnectError, postgres, sqlite};

use crate::harness::{Backend, TestDb};

fn files(backend: &str) -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_migrations() {
    assert_eq!(files("sqlite"), files("postgres"));
    assert_eq!(sqlite::migration_names(), postgres::migration_names());
    assert!(!sqlite::migration_names().is_empty());
}

async fn refuses_a_newer_schema(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    drop(db.connect(Arc::new(SystemClock)).await.unwrap());
    let future = "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
                  VALUES (9999, 'from_the_future', '2030-01-01T00:00:00Z', '0')";
    match &db.url {
        flagstaff::store::DatabaseUrl::Sqlite(path) => {
            rusqlite::Connection::open(path)
                .unwrap()
                .execute(future, [])
                .unwrap();
        }
        flagstaff::store::DatabaseUrl::Postgres(url) => {
            let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client.batch_execute(future).await.unwrap();
        }
    }
    match db.connect(Arc::new(SystemClock)).await {
        Err(ConnectError::SchemaTooNew { database, binary }) => {
            assert_eq!(database, 9999);
            assert_eq!(binary, flagstaff::store::latest_schema_version());
        }
        Err(other) => panic!("expected SchemaTooNew, got {other}"),
        Ok(_) => panic!("a newer schema was accepted"),
    }
}

async fn migrating_twice_applies_nothing_the_second_time(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let options = flagstaff::store::ConnectOptions::default();
    let (_, first) = flagstaff::store::connect(&db.url, &options, Arc::new(SystemClock))
        .await
        .unwrap();
    assert_eq!(first.applied.len(), sqlite::migration_names().len());
    let (_, second) = flagstaff::store::connect(&db.url, &options, Arc::new(SystemClock))
        .await
        .unwrap();
    assert!(second.applied.is_empty(), "{:?}", second.applied);
    assert_eq!(second.version, first.version);
}

#[tokio::test]
async fn sqlite_refuses_a_newer_schema() {
    refuses_a_newer_schema(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_refuses_a_newer_schema() {
    refuses_a_newer_schema(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_migrates_once() {
    migrating_twice_applies_nothing_the_second_time(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_migrates_once() {
    migrating_twice_applies_nothing_the_second_time(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let _store = db.connect(Arc::new(SystemClock)).await.unwrap();
    let flagstaff::store::DatabaseUrl::Sqlite(path) = &db.url else {
        unreachable!()
    };
    let conn = rusqlite::Connection::open(path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}
