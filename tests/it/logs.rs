//! What the log never holds: no secret and no personal value, even at trace level.
//
// What the log never holds: a full run of the real binary at debug and trace level (sign-up,
// login, server key, identify with traits) prints no secret and no personal value.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Backend, TestDb};
use crate::server::Server;

const EMAIL: &str = "probe.k7q@example.com";
const PASSWORD: &str = "pw-Vq83-unlogged-horse";
const IDENTIFIER: &str = "ident-Zx41-probe";
const TRAIT_VALUES: [&str; 2] = ["tv-Plum-4471", "tv-Quince-9902"];

/// One HTTP/1.1 request with a JSON body; the status and the JSON answer.
fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    write!(stream, "{head}\r\n{body}").unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    out
}

fn expect(status: u16, (got, body): (u16, Value)) -> Value {
    assert_eq!(got, status, "{body}");
    body
}

/// What the run handed out: the values the log must not show.
struct Run {
    tokens: Vec<String>,
    server_key: String,
    client_key: String,
}

/// The operator's and the SDKs' whole journey through HTTP.
fn full_run(addr: SocketAddr) -> Run {
    let signup = json!({"email": EMAIL, "password": PASSWORD, "superuser": true});
    let first = expect(
        201,
        call(addr, "POST", "/api/v1/auth/users/", &[], Some(&signup)),
    );
    let login = json!({"email": EMAIL, "password": PASSWORD});
    let logged_in = expect(
        200,
        call(addr, "POST", "/api/v1/auth/login/", &[], Some(&login)),
    );
    let token = logged_in["key"].as_str().unwrap().to_string();
    let auth = format!("Token {token}");
    let admin = [("Authorization", auth.as_str())];
    let org = expect(
        201,
        call(
            addr,
            "POST",
            "/api/v1/organisations/",
            &admin,
            Some(&json!({"name": "Acme"})),
        ),
    )["id"]
        .as_i64()
        .unwrap();
    let project = expect(
        201,
        call(
            addr,
            "POST",
            "/api/v1/projects/",
            &admin,
            Some(&json!({"name": "Shop", "organisation": org})),
        ),
    )["id"]
        .as_i64()
        .unwrap();
    let environment = expect(
        201,
        call(
            addr,
            "POST",
            "/api/v1/environments/",
            &admin,
            Some(&json!({"name": "Production", "project": project})),
        ),
    );
    let client_key = environment["api_key"].as_str().unwrap().to_string();
    let server_key = expect(
        201,
        call(
            addr,
            "POST",
            &format!("/api/v1/environments/{client_key}/api-keys/"),
            &admin,
            Some(&json!({"name": "backend"})),
        ),
    )["key"]
        .as_str()
        .unwrap()
        .to_string();
    let identify = json!({
        "identifier": IDENTIFIER,
        "traits": [
            {"trait_key": "fruit", "trait_value": TRAIT_VALUES[0]},
            {"trait_key": "other_fruit", "trait_value": TRAIT_VALUES[1]},
        ],
    });
    for key in [&server_key, &client_key] {
        let sdk = [("X-Environment-Key", key.as_str())];
        expect(
            200,
            call(addr, "POST", "/api/v1/identities/", &sdk, Some(&identify)),
        );
        let path = format!("/api/v1/identities/?identifier={IDENTIFIER}");
        expect(200, call(addr, "GET", &path, &sdk, None));
    }
    Run {
        tokens: vec![first["key"].as_str().unwrap().to_string(), token],
        server_key,
        client_key,
    }
}

/// The stored secrets (password hash, token hashes, server keys), read after the run.
fn stored_secrets(backend: Backend, dir: &std::path::Path, db: Option<&TestDb>) -> Vec<String> {
    let queries = [
        "SELECT password_hash FROM users",
        "SELECT token_hash FROM auth_tokens",
        "SELECT key FROM server_keys",
    ];
    let mut out = Vec::new();
    match backend {
        Backend::Sqlite => {
            let conn = rusqlite::Connection::open(dir.join("data/flagstaff.db")).unwrap();
            for sql in queries {
                let mut stmt = conn.prepare(sql).unwrap();
                let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
                out.extend(rows.map(Result::unwrap));
            }
        }
        Backend::Postgres => {
            let url = db.unwrap().url_string();
            runtime().block_on(async {
                let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(conn);
                for sql in queries {
                    for row in client.query(sql, &[]).await.unwrap() {
                        out.push(row.get::<_, String>(0));
                    }
                }
            });
        }
    }
    assert_eq!(out.len(), 4, "one hash, two token hashes, one key: {out:?}");
    out
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Serves a fresh database with `env`, does the full run, stops; the log and what must not be in it.
fn logged_run(backend: Backend, env: &[(&str, &str)]) -> Option<(Vec<String>, Vec<String>, Run)> {
    let db = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(runtime().block_on(TestDb::new(backend))?),
    };
    let dir = tempfile::tempdir().unwrap();
    let url = db.as_ref().map(TestDb::url_string);
    let mut env = env.to_vec();
    if let Some(url) = &url {
        env.push(("DATABASE_URL", url.as_str()));
    }
    let server = Server::start(dir.path(), &env);
    let run = full_run(server.addr);
    let (status, log) = server.stop();
    assert!(status.success(), "{status}: {log:?}");
    let requests = log
        .iter()
        .filter(|l| l.contains("flagstaff::access"))
        .count();
    assert!(requests >= 10, "the access log is missing: {log:?}");
    let mut secrets = stored_secrets(backend, dir.path(), db.as_ref());
    secrets.extend(
        [EMAIL, PASSWORD, IDENTIFIER]
            .into_iter()
            .chain(TRAIT_VALUES)
            .map(str::to_string),
    );
    secrets.extend(run.tokens.iter().cloned());
    secrets.push(run.server_key.clone());
    Some((log, secrets, run))
}

/// Fails naming each secret the log shows, with the first line showing it.
fn assert_log_keeps(log: &[String], secrets: &[String], client_key: &str) {
    let mut shown = Vec::new();
    for secret in secrets {
        if let Some(line) = log.iter().find(|l| l.contains(secret.as_str())) {
            shown.push(format!("{secret:?} in {line}"));
        }
    }
    // The environment's client key is public (browsers hold it) and the access log's path
    // names it on management routes; anywhere else it is not logged either.
    for line in log {
        let mut value: Value = serde_json::from_str(line).unwrap_or(Value::Null);
        if value["target"] == "flagstaff::access" {
            value["path"] = Value::Null;
        }
        if value.to_string().contains(client_key) {
            shown.push(format!("the client key in {line}"));
        }
    }
    assert!(shown.is_empty(), "the log shows:\n{}", shown.join("\n"));
}

fn nothing_secret_is_logged_at(backend: Backend, level: &str) {
    let Some((log, secrets, run)) = logged_run(backend, &[("FLAGSTAFF_LOG_LEVEL", level)]) else {
        return;
    };
    assert_log_keeps(&log, &secrets, &run.client_key);
}

#[test]
fn nothing_secret_is_logged_at_debug_on_sqlite() {
    nothing_secret_is_logged_at(Backend::Sqlite, "debug");
}

#[test]
fn nothing_secret_is_logged_at_debug_on_postgres() {
    nothing_secret_is_logged_at(Backend::Postgres, "debug");
}

/// `trace`, plus a span directive that enables every event inside a request whatever its target.
#[test]
fn nothing_secret_is_logged_at_trace_on_sqlite() {
    nothing_secret_is_logged_at(Backend::Sqlite, "trace,[request]=trace");
}

#[test]
fn nothing_secret_is_logged_at_trace_on_postgres() {
    nothing_secret_is_logged_at(
        Backend::Postgres,
        "trace,[request]=trace,tokio_postgres=trace",
    );
}

/// The setting shows the statements PostgreSQL runs, and still never their parameters.
#[test]
fn logged_database_queries_show_statements_without_parameters() {
    let env = [
        ("FLAGSTAFF_LOG_LEVEL", "debug"),
        ("FLAGSTAFF_LOG_DATABASE_QUERIES", "true"),
    ];
    let Some((log, secrets, run)) = logged_run(Backend::Postgres, &env) else {
        return;
    };
    assert!(
        log.iter()
            .any(|l| l.contains("preparing query") && l.contains("server_keys")),
        "no statement was logged: {log:?}"
    );
    assert!(
        !log.iter().any(|l| l.contains("with parameters")),
        "parameters were logged"
    );
    assert_log_keeps(&log, &secrets, &run.client_key);
}
