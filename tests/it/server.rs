//! The `flagstaff` binary as an operator runs it: start, serve, stop, and fail clearly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_flagstaff");

/// A running `flagstaff serve` with its log lines.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

fn command(dir: &Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("FLAGSTAFF_LOG_FORMAT", "json")
        .env("FLAGSTAFF_BIND", "127.0.0.1:0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

impl Server {
    /// Starts `serve` and waits (by polling its log) until it listens.
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
        let mut cmd = command(dir, env);
        cmd.arg("serve");
        Server::spawn(cmd)
    }

    /// Starts `serve` under an open-file limit (soft and hard), as systemd's default of 1024.
    pub fn start_with_file_limit(dir: &Path, env: &[(&str, &str)], files: u32) -> Server {
        let mut cmd = command(dir, env);
        cmd.env("FLAGSTAFF_BIN", BIN);
        let mut shell = Command::new("sh");
        shell
            .current_dir(dir)
            .args([
                "-c",
                &format!("ulimit -n {files} && exec \"$FLAGSTAFF_BIN\" serve"),
            ])
            .env_clear()
            .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))));
        Server::spawn(shell)
    }

    fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = serving_address(&log.lock().unwrap());
            if let Some(addr) = found {
                return Server { child, addr, log };
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("flagstaff exited with {status}: {:?}", log.lock().unwrap());
            }
            assert!(
                Instant::now() < deadline,
                "flagstaff did not start: {:?}",
                log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn stop(mut self) -> (std::process::ExitStatus, Vec<String>) {
        self.signal("TERM");
        let status = self.child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let log = self.log.lock().unwrap().clone();
        (status, log)
    }

    /// The lines logged so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn log_contains(&self, text: &str) -> bool {
        self.log.lock().unwrap().iter().any(|l| l.contains(text))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serving_address(log: &[String]) -> Option<SocketAddr> {
    log.iter().find_map(|line| {
        let value: serde_json::Value = serde_json::from_str(line).ok()?;
        (value["message"] == "flagstaff is serving")
            .then(|| value["address"].as_str()?.parse().ok())
            .flatten()
    })
}

/// An HTTP/1.1 request: status, `Retry-After`, and the body as JSON.
pub fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Option<String>, Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let retry_after = head
        .lines()
        .find_map(|l| l.strip_prefix("retry-after: ").map(str::to_string));
    (
        status,
        retry_after,
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

/// What `seed` made on a running server.
pub struct Seeded {
    /// `Authorization` of the superuser.
    pub token: String,
    /// The client key of environment Production.
    pub key: String,
    /// Acme's id.
    pub organisation: i64,
}

/// Seeds a server through its API: a superuser, organisation Acme, project Web, environment
/// Production, and a feature `checkout` on or off by default.
pub fn seed(addr: SocketAddr, checkout_enabled: bool) -> Seeded {
    let (_, _, user) = call(
        addr,
        "POST",
        "/api/v1/auth/users/",
        &[],
        Some(
            serde_json::json!({"email": "admin@example.com", "password": "correct horse battery", "superuser": true}),
        ),
    );
    let token = format!("Token {}", user["key"].as_str().unwrap());
    let auth = [("Authorization", token.as_str())];
    let post = |path: &str, body: Value| {
        let (status, _, body) = call(addr, "POST", path, &auth, Some(body));
        assert_eq!(status, 201, "{path}: {body}");
        body
    };
    let org = post(
        "/api/v1/organisations/",
        serde_json::json!({"name": "Acme"}),
    );
    let project = post(
        "/api/v1/projects/",
        serde_json::json!({"name": "Web", "organisation": org["id"]}),
    );
    let env = post(
        "/api/v1/environments/",
        serde_json::json!({"name": "Production", "project": project["id"]}),
    );
    post(
        &format!("/api/v1/projects/{}/features/", project["id"]),
        serde_json::json!({"name": "checkout", "default_enabled": checkout_enabled}),
    );
    Seeded {
        key: env["api_key"].as_str().unwrap().to_string(),
        token,
        organisation: org["id"].as_i64().unwrap(),
    }
}

/// A loopback port nothing listens on: bound, noted, released.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A minimal HTTP/1.1 GET: status and body.
pub fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_response(stream)
}

pub fn read_response(mut stream: TcpStream) -> (u16, String) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn run(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    command(dir, env).args(args).output().unwrap()
}

fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn serve_with_no_setup_uses_sqlite_in_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (status, body) = get(server.addr, "/health/readiness/");
    assert_eq!(status, 200, "{body}");
    assert!(dir.path().join("data/flagstaff.db").is_file());
    assert!(dir.path().join("data/secret_key").is_file());
    assert!(server.log_contains("V1__core_schema"));
    // Snapshots load before systemd hears READY.
    let warmed = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        server.log_contains("flag snapshots loaded")
    });
    assert!(warmed, "no snapshot warm-up in the log");
    let (exit, log) = server.stop();
    assert!(exit.success(), "{exit}: {log:?}");
    assert!(
        log.iter().any(|l| l.contains("flagstaff stopped")),
        "{log:?}"
    );

    // A restart applies nothing and keeps the secret key.
    let key = std::fs::read_to_string(dir.path().join("data/secret_key")).unwrap();
    let again = Server::start(dir.path(), &[]);
    assert!(!again.log_contains("applied migration"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("data/secret_key")).unwrap(),
        key
    );
    assert!(again.stop().0.success());
}

#[test]
fn sigterm_lets_an_in_flight_request_finish() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let mut stream = TcpStream::connect(server.addr).unwrap();
    // Half a request is in flight when the signal arrives.
    write!(
        stream,
        "GET /health/liveness/ HTTP/1.1\r\nHost: localhost\r\n"
    )
    .unwrap();
    stream.flush().unwrap();
    // Time for the server to accept the connection and read the first half, generous for a
    // loaded machine: a connection still in the listen queue at the signal is rightly dropped.
    std::thread::sleep(Duration::from_millis(1000));
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(200));
    write!(stream, "Connection: close\r\n\r\n").unwrap();
    let (status, body) = read_response(stream);
    assert_eq!(status, 200, "{body}");
    let (exit, _) = server.stop();
    assert!(exit.success());
}

#[test]
fn sigint_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &[]);
    server.signal("INT");
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit}");
}

#[test]
fn an_unsupported_database_url_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &[("DATABASE_URL", "mysql://x")], &["serve"]);
    assert_eq!(out.status.code(), Some(2));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains("mysql"),
        "{lines:?}"
    );
    assert!(
        lines[0].contains("postgres://") && lines[0].contains("sqlite://"),
        "{lines:?}"
    );
}

#[test]
fn an_unreachable_postgres_is_retried_then_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/flagstaff");
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("FLAGSTAFF_DATABASE_CONNECT_TIMEOUT", "1"),
        ("FLAGSTAFF_LOG_LEVEL", "error"),
    ];
    let started = Instant::now();
    let out = run(dir.path(), &env, &["serve"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "gave up without retrying"
    );
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!(
            "error: cannot reach PostgreSQL at 127.0.0.1:{port}"
        )),
        "{lines:?}"
    );
    let all = String::from_utf8_lossy(&out.stderr);
    assert!(
        !all.contains("panicked") && !all.contains("backtrace"),
        "{all}"
    );
}

#[test]
fn the_bare_command_prints_help() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &[], &[]);
    let text = String::from_utf8_lossy(&out.stderr) + String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "migrate", "check-config", "version"] {
        assert!(text.contains(command), "{text}");
    }
}

#[test]
fn version_names_the_release_commit_build_date_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &[], &["version"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("flagstaff {}", env!("CARGO_PKG_VERSION")));
    let value = |key: &str| {
        let prefix = format!("{key}: ");
        let line = lines.iter().find(|l| l.starts_with(&prefix));
        line.unwrap_or_else(|| panic!("no {key} in {text}"))[prefix.len()..].to_string()
    };
    let commit = value("commit");
    assert!(commit == "unknown" || commit.len() >= 12, "{commit}");
    let date = value("built");
    assert!(
        chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_ok(),
        "{date}"
    );
    let schema = flagstaff::store::latest_schema_version().to_string();
    assert_eq!(value("schema version"), schema);
}

#[test]
fn the_manual_page_and_completions_come_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let man = run(dir.path(), &[], &["man"]);
    assert!(man.status.success());
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(page.contains(".TH flagstaff 1"), "{page}");
    for command in [
        "serve",
        "migrate",
        "createsuperuser",
        "version",
        "completions",
    ] {
        assert!(
            page.contains(command),
            "{command} is not in the manual page"
        );
    }
    for (shell, marker) in [
        ("bash", "_flagstaff()"),
        ("zsh", "#compdef flagstaff"),
        ("fish", "complete -c flagstaff"),
    ] {
        let out = run(dir.path(), &[], &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
    }
    let bad = run(dir.path(), &[], &["completions", "tcsh"]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn check_config_redacts_secrets_and_reports_problems() {
    let dir = tempfile::tempdir().unwrap();
    let ok = run(
        dir.path(),
        &[
            ("DATABASE_URL", "postgres://app:hunter2@db/flags"),
            ("DJANGO_SECRET_KEY", "sekrit-value"),
        ],
        &["check-config"],
    );
    assert!(ok.status.success());
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        !text.contains("hunter2") && !text.contains("sekrit-value"),
        "{text}"
    );
    assert!(text.contains("postgres://app:***@db/flags"), "{text}");

    let bad = run(
        dir.path(),
        &[
            ("FLAGSTAFF_BIND", "nowhere"),
            ("FLAGSTAFF_LOG_FORMAT", "xml"),
        ],
        &["check-config"],
    );
    assert_eq!(bad.status.code(), Some(2));
    let text = String::from_utf8_lossy(&bad.stderr);
    assert!(
        text.contains("bind") && text.contains("log_format"),
        "{text}"
    );
}

/// Postgres: a database that does not exist yet is created, migrated once, and served.
#[test]
fn serve_on_a_new_postgres_database_creates_it_and_migrates_once() {
    let Some(base) = crate::harness::postgres_url() else {
        return;
    };
    let name = format!("flagstaff_it_{}_{}", std::process::id(), rand_suffix());
    let url = with_database(&base, &name);
    let dir = tempfile::tempdir().unwrap();
    let env = [("DATABASE_URL", url.as_str())];
    let server = Server::start(dir.path(), &env);
    assert!(server.log_contains("applied migration"));
    let (status, body) = get(server.addr, "/version/");
    assert_eq!(status, 200);
    assert!(body.contains("\"database\":\"postgres\""), "{body}");
    assert!(server.stop().0.success());

    let again = Server::start(dir.path(), &env);
    assert!(!again.log_contains("applied migration"));
    assert_eq!(get(again.addr, "/health/readiness/").0, 200);
    assert!(again.stop().0.success());

    let migrate = run(dir.path(), &env, &["migrate"]);
    assert!(migrate.status.success());
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("up to date"));
    drop_database(&base, &name);
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match head[authority_end..].find('/') {
        Some(slash) => &head[..authority_end + slash],
        None => head,
    };
    format!("{base}/{name}{query}")
}

fn drop_database(base: &str, name: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, conn) = tokio_postgres::connect(base, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
    });
}
