//! Export and import: an instance moves between backends; a bad file changes nothing.

use std::collections::BTreeSet;
use std::io::{BufReader, Write};
use std::sync::Arc;

use flagstaff::clock::SystemClock;
use flagstaff::store::export::{self, TABLES};
use flagstaff::store::{ConnectOptions, DatabaseUrl};
use serde_json::Value;

use crate::api::{TestApp, json};
use crate::harness::{Backend, TestDb, postgres_url};

fn options() -> ConnectOptions {
    ConnectOptions {
        pool_size: 2,
        connect_timeout: std::time::Duration::from_secs(5),
        ca_file: None,
    }
}

/// The export of the database at `url`, as text.
pub async fn export_of(url: &DatabaseUrl) -> String {
    let file = tempfile::NamedTempFile::new().unwrap();
    let out = Box::new(std::io::BufWriter::new(file.reopen().unwrap()));
    export::export(url, &options(), Arc::new(SystemClock), out)
        .await
        .unwrap();
    std::fs::read_to_string(file.path()).unwrap()
}

pub async fn import(url: &DatabaseUrl, text: &str, replace: bool) -> anyhow::Result<()> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    let input = Box::new(BufReader::new(file.reopen().unwrap()));
    export::import(url, &options(), Arc::new(SystemClock), input, replace)
        .await
        .map(|_| ())
}

/// Every line after the header: the tables and their rows.
pub fn rows(export: &str) -> Vec<&str> {
    export.lines().skip(1).collect()
}

/// How many rows the export holds for `table`.
pub fn count(export: &str, table: &str) -> usize {
    let start = format!("{{\"table\":\"{table}\"");
    export
        .lines()
        .skip_while(|l| !l.starts_with(&start))
        .skip(1)
        .take_while(|l| l.starts_with('['))
        .count()
}

async fn tables_of(db: &TestDb) -> BTreeSet<String> {
    drop(db.connect(Arc::new(SystemClock)).await.unwrap());
    match &db.url {
        DatabaseUrl::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            let mut stmt = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        }
        DatabaseUrl::Postgres(url) => {
            let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client
                .query(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
                    &[],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect()
        }
    }
}

async fn every_table_is_in_the_export(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let mut expected: BTreeSet<String> = TABLES.iter().map(|t| t.name.to_string()).collect();
    expected.insert("refinery_schema_history".into());
    assert_eq!(
        tables_of(&db).await,
        expected,
        "a table was added or removed: list it in store::export::TABLES"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sqlite_table_is_in_the_export() {
    every_table_is_in_the_export(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_postgres_table_is_in_the_export() {
    every_table_is_in_the_export(Backend::Postgres).await
}

/// GET answers a client could see, read by walking from the organisations down.
async fn answers(app: &TestApp, auth: &str) -> Vec<(String, u16, Value)> {
    let token = auth.trim_start_matches("Token ");
    let mut paths = vec![
        "/api/v1/auth/users/me/".to_string(),
        "/api/v1/organisations/".to_string(),
        "/api/v1/projects/".to_string(),
    ];
    let mut sdk = Vec::new();
    let orgs = json(app.get("/api/v1/organisations/", Some(token)).await).await;
    for org in orgs["results"].as_array().unwrap() {
        let id = &org["id"];
        for tail in [
            "users/",
            "groups/",
            "invites/",
            "master-api-keys/",
            "audit/",
        ] {
            paths.push(format!("/api/v1/organisations/{id}/{tail}"));
        }
    }
    let projects = json(app.get("/api/v1/projects/", Some(token)).await).await;
    for project in projects.as_array().unwrap() {
        let id = &project["id"];
        for tail in [
            "",
            "features/",
            "segments/",
            "tags/",
            "audit/",
            "environments/",
        ] {
            paths.push(format!("/api/v1/projects/{id}/{tail}"));
        }
        let envs = json(
            app.get(&format!("/api/v1/environments/?project={id}"), Some(token))
                .await,
        )
        .await;
        for env in envs["results"].as_array().unwrap() {
            let key = env["api_key"].as_str().unwrap().to_string();
            for tail in [
                "",
                "featurestates/",
                "identities/",
                "api-keys/",
                "webhooks/",
            ] {
                paths.push(format!("/api/v1/environments/{key}/{tail}"));
            }
            sdk.push(key);
        }
    }
    let mut seen = Vec::new();
    for path in paths {
        let resp = app.get(&path, Some(token)).await;
        let status = resp.0.status().as_u16();
        seen.push((path, status, json(resp).await));
    }
    for key in sdk {
        for path in ["/api/v1/flags/", "/api/v1/identities/?identifier=ada"] {
            let resp = app.sdk("GET", path, &key, None).await;
            let status = resp.0.status().as_u16();
            seen.push((format!("{path} with {key}"), status, json(resp).await));
        }
    }
    seen
}

async fn moves(from: Backend, to: Backend) {
    if postgres_url().is_none() {
        return;
    }
    let Some(source) = TestApp::new(from, &[]).await else {
        return;
    };
    let auth = crate::api::tour::tour(&source).await;
    let exported = export_of(&source.db.url).await;
    assert!(count(&exported, "features") > 0, "{exported}");
    let target = TestDb::new(to).await.unwrap();
    import(&target.url, &exported, false).await.unwrap();
    let again = export_of(&target.url).await;
    assert_eq!(rows(&again), rows(&exported), "the import's export differs");
    let moved = TestApp::on(target, &[]).await;
    let before = answers(&source, &auth).await;
    let after = answers(&moved, &auth).await;
    assert!(before.len() > 20, "{before:#?}");
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old, new, "{} answers differently after the move", old.0);
        assert_eq!(old.1, 200, "{} failed: {}", old.0, old.2);
    }
    // Ids go on after the imported ones.
    let token = auth.trim_start_matches("Token ");
    let org = moved
        .post(
            "/api/v1/organisations/",
            Some(token),
            serde_json::json!({"name": "After the move"}),
        )
        .await;
    org.assert_status(poem::http::StatusCode::CREATED);
    let highest = rows(&exported)
        .iter()
        .skip_while(|l| !l.starts_with("{\"table\":\"organisations\""))
        .skip(1)
        .take_while(|l| l.starts_with('['))
        .map(|l| {
            serde_json::from_str::<Vec<Value>>(l).unwrap()[0]
                .as_i64()
                .unwrap()
        })
        .max()
        .unwrap();
    assert_eq!(json(org).await["id"].as_i64(), Some(highest + 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_moves_from_sqlite_to_postgres_and_answers_as_before() {
    moves(Backend::Sqlite, Backend::Postgres).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_moves_from_postgres_to_sqlite_and_answers_as_before() {
    moves(Backend::Postgres, Backend::Sqlite).await
}

async fn refuses_data_unless_forced(backend: Backend) {
    let Some(app) = TestApp::new(backend, &[]).await else {
        return;
    };
    crate::api::tour::tour(&app).await;
    let exported = export_of(&app.db.url).await;
    let error = import(&app.db.url, &exported, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("already holds data") && error.contains("--force"),
        "{error}"
    );
    import(&app.db.url, &exported, true).await.unwrap();
    assert_eq!(rows(&export_of(&app.db.url).await), rows(&exported));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_import_refuses_a_database_with_data_unless_forced() {
    refuses_data_unless_forced(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_import_refuses_a_database_with_data_unless_forced() {
    refuses_data_unless_forced(Backend::Postgres).await
}

async fn a_bad_file_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::new(backend, &[]).await else {
        return;
    };
    crate::api::tour::tour(&app).await;
    let exported = export_of(&app.db.url).await;
    let target = TestDb::new(backend).await.unwrap();
    let empty = {
        drop(target.connect(Arc::new(SystemClock)).await.unwrap());
        export_of(&target.url).await
    };
    assert_eq!(count(&empty, "users"), 0);

    // Cut short: the last lines (and the closing line) are missing.
    let lines: Vec<&str> = exported.lines().collect();
    let truncated: String = lines[..lines.len() - 3]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let error = import(&target.url, &truncated, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("truncated"), "{error}");

    // A row the database refuses, after many it took: a feature whose project does not exist.
    let broken = exported.replacen(
        "{\"table\":\"tags\"",
        &format!(
            "{}\n{{\"table\":\"tags\"",
            feature_row_with_project(&exported, 987654)
        ),
        1,
    );
    let broken = broken.replace(
        &format!("\"rows\":{}}}", count_rows(&exported)),
        &format!("\"rows\":{}}}", count_rows(&exported) + 1),
    );
    let error = format!(
        "{:#}",
        import(&target.url, &broken, false).await.unwrap_err()
    );
    assert!(error.contains("features"), "{error}");

    // Not an export at all.
    let error = import(&target.url, "{\"hello\": 1}\n", false)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a Flagstaff export"), "{error}");

    assert_eq!(
        rows(&export_of(&target.url).await),
        rows(&empty),
        "a failed import wrote something"
    );
}

/// The last feature row of the export, with another id and uuid and the given project.
fn feature_row_with_project(export: &str, project: i64) -> String {
    let line = export
        .lines()
        .skip_while(|l| !l.starts_with("{\"table\":\"features\""))
        .skip(1)
        .take_while(|l| l.starts_with('['))
        .last()
        .unwrap();
    let header = export
        .lines()
        .find(|l| l.starts_with("{\"table\":\"features\""))
        .unwrap();
    let columns: Value = serde_json::from_str(header).unwrap();
    let columns: Vec<&str> = columns["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let mut values: Vec<Value> = serde_json::from_str(line).unwrap();
    for (i, column) in columns.iter().enumerate() {
        match *column {
            "id" => values[i] = Value::from(99999),
            "uuid" => values[i] = Value::from("00000000-0000-4000-8000-000000000000"),
            "project_id" => values[i] = Value::from(project),
            _ => {}
        }
    }
    serde_json::to_string(&values).unwrap()
}

fn count_rows(export: &str) -> usize {
    export.lines().filter(|l| l.starts_with('[')).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_file_changes_nothing_in_sqlite() {
    a_bad_file_changes_nothing(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_file_changes_nothing_in_postgres() {
    a_bad_file_changes_nothing(Backend::Postgres).await
}
