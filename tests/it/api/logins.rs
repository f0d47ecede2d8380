//! Login lockout per account and client address, behind proxies and under a burst.
//
// Login lockout per (account, client address) with a growing lock, upstream's per-account
// mode, the client address behind proxies, and bounded password hashing under a burst.

use chrono::TimeDelta;
use flagstaff::clock::Clock;
use poem::http::StatusCode;
use serde_json::json;

use super::{TestApp, json, run};
use crate::harness::Backend;
use crate::server::{Server, read_response};

const PASSWORD: &str = "correct horse battery";
const ROOT: &str = "root@example.com";
const A: &str = "203.0.113.1";
const B: &str = "198.51.100.2";

/// Runs each named scenario on both backends with the given settings.
macro_rules! with_env_on_both_backends {
    ($env:expr => $($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::run(crate::harness::Backend::Sqlite, $env, super::$name).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::run(crate::harness::Backend::Postgres, $env, super::$name).await
            }
        }
    )*};
}

with_env_on_both_backends!(&[("NUM_PROXIES", "1")] =>
    a_strangers_failures_lock_only_their_address,
    the_lock_doubles_with_each_failure_after_it_up_to_the_cap,
);
with_env_on_both_backends!(&[("NUM_PROXIES", "1"), ("AXES_ONLY_USER_FAILURES", "true")] =>
    per_account_mode_locks_every_address,
);
with_env_on_both_backends!(&[] =>
    without_proxies_x_forwarded_for_is_ignored,
);
with_env_on_both_backends!(&[("LOGIN_THROTTLE_RATE", "1000/min"), ("AXES_FAILURE_LIMIT", "1000")] =>
    a_burst_of_parallel_logins_is_answered_or_throttled,
);
/// A login from `client`, as the one proxy in front (`NUM_PROXIES=1`) reports it.
async fn log_in_from(app: &TestApp, client: &str, password: &str) -> poem::test::TestResponse {
    app.client
        .post("/api/v1/auth/login/")
        .header("x-forwarded-for", format!("6.6.6.6, {client}"))
        .body_json(&json!({"email": ROOT, "password": password}))
        .send()
        .await
}

async fn assert_locked(resp: poem::test::TestResponse, until: &str) {
    resp.assert_status(StatusCode::FORBIDDEN);
    let detail = json(resp).await["detail"].as_str().unwrap().to_string();
    assert!(
        detail.contains(&format!("locked until {until}")),
        "{detail}"
    );
}

/// Ten failures from A: the 10th locks A out of the account for a minute.
async fn fail_until_locked(app: &TestApp, client: &str) {
    for _ in 0..9 {
        log_in_from(app, client, "wrong horse")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    }
    assert_locked(
        log_in_from(app, client, "wrong horse").await,
        "2024-05-01 10:01 UTC",
    )
    .await;
}

async fn a_strangers_failures_lock_only_their_address(app: TestApp) {
    app.superuser(ROOT).await;
    fail_until_locked(&app, A).await;
    // The right password does not get through at A...
    assert_locked(log_in_from(&app, A, PASSWORD).await, "2024-05-01 10:01 UTC").await;
    // ...but the owner at another address logs in, and that does not unlock A.
    log_in_from(&app, B, PASSWORD).await.assert_status_is_ok();
    log_in_from(&app, A, PASSWORD)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // The first lock is short.
    app.clock.advance(TimeDelta::minutes(1));
    log_in_from(&app, A, PASSWORD).await.assert_status_is_ok();
    // A success forgot A's failures: one more failure is just a failure.
    log_in_from(&app, A, "wrong horse")
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}

async fn the_lock_doubles_with_each_failure_after_it_up_to_the_cap(app: TestApp) {
    app.superuser(ROOT).await;
    fail_until_locked(&app, A).await;
    app.clock.advance(TimeDelta::minutes(1));
    // login_lockout_minutes (60) caps the doubling.
    for minutes in [2, 4, 8, 16, 32, 60, 60] {
        let now = app.clock.now();
        let until = (now + TimeDelta::minutes(minutes)).format("%Y-%m-%d %H:%M UTC");
        assert_locked(
            log_in_from(&app, A, "wrong horse").await,
            &until.to_string(),
        )
        .await;
        app.clock
            .advance(TimeDelta::minutes(minutes) - TimeDelta::seconds(1));
        // Still locked a second before the end, even with the right password; attempts
        // refused by a lock do not count.
        log_in_from(&app, A, PASSWORD)
            .await
            .assert_status(StatusCode::FORBIDDEN);
        app.clock.advance(TimeDelta::seconds(1));
    }
    log_in_from(&app, A, PASSWORD).await.assert_status_is_ok();
    log_in_from(&app, A, "wrong horse")
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}

async fn per_account_mode_locks_every_address(app: TestApp) {
    app.superuser(ROOT).await;
    fail_until_locked(&app, A).await;
    assert_locked(log_in_from(&app, B, PASSWORD).await, "2024-05-01 10:01 UTC").await;
    // The lock grows here too, instead of one long lock.
    app.clock.advance(TimeDelta::minutes(1));
    log_in_from(&app, B, PASSWORD).await.assert_status_is_ok();
}

async fn without_proxies_x_forwarded_for_is_ignored(app: TestApp) {
    app.superuser(ROOT).await;
    // Each failure claims another address; with NUM_PROXIES=0 they are all the same peer.
    for n in 1..=9 {
        log_in_from(&app, &format!("192.0.2.{n}"), "wrong horse")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    }
    assert_locked(
        log_in_from(&app, "192.0.2.10", "wrong horse").await,
        "2024-05-01 10:01 UTC",
    )
    .await;
    log_in_from(&app, B, PASSWORD)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_throttle_counts_the_client_that_num_proxies_finds() {
    let attempts = |app: TestApp| async move {
        let mut statuses = Vec::new();
        for n in 1..=3 {
            let resp = log_in_from(&app, &format!("192.0.2.{n}"), "wrong horse").await;
            statuses.push(resp.0.status());
        }
        statuses
    };
    let throttled = [
        StatusCode::BAD_REQUEST,
        StatusCode::BAD_REQUEST,
        StatusCode::TOO_MANY_REQUESTS,
    ];
    // Without proxies a client's X-Forwarded-For does not buy it a new allowance.
    run(
        Backend::Sqlite,
        &[("LOGIN_THROTTLE_RATE", "2/min")],
        |app| async move { assert_eq!(attempts(app).await, throttled) },
    )
    .await;
    // Behind one proxy, the addresses it reports are different clients.
    run(
        Backend::Sqlite,
        &[("LOGIN_THROTTLE_RATE", "2/min"), ("NUM_PROXIES", "1")],
        |app| async move { assert_eq!(attempts(app).await, [StatusCode::BAD_REQUEST; 3]) },
    )
    .await;
}

/// 100 logins at once, half with the right password: each is answered, or refused with 429
/// and `Retry-After` when it cannot get a hashing slot in time; never a 500.
async fn a_burst_of_parallel_logins_is_answered_or_throttled(app: TestApp) {
    app.superuser(ROOT).await;
    let logins = (0..100).map(|n| {
        let password = if n % 2 == 0 { PASSWORD } else { "wrong horse" };
        app.post(
            "/api/v1/auth/login/",
            None,
            json!({"email": ROOT, "password": password}),
        )
    });
    let answers = futures_util::future::join_all(logins).await;
    let mut ok = 0;
    for (n, resp) in answers.iter().enumerate() {
        match resp.0.status() {
            StatusCode::OK if n % 2 == 0 => ok += 1,
            StatusCode::BAD_REQUEST if n % 2 == 1 => {}
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(resp.0.headers().contains_key("retry-after"), "login {n}");
            }
            other => panic!("login {n} answered {other}"),
        }
    }
    assert!(ok > 0, "no login got through");
}

/// A login to the real server over a socket: the status.
fn log_in_over_http(addr: std::net::SocketAddr, password: &str) -> u16 {
    use std::io::Write;
    let body = json!({"email": "admin@example.com", "password": password}).to_string();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /api/v1/auth/login/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    read_response(stream).0
}

/// A light request (refused: no environment key).
fn poke(addr: std::net::SocketAddr) {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /api/v1/flags/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_response(stream);
}

fn resident_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib / 1024
}

/// Each argon2 hash takes 19 MiB; after a burst of 100 parallel logins the server's resident
/// memory comes back near where it was (bench/logins.sh prints the figures).
#[test]
fn resident_memory_comes_back_after_a_burst_of_logins() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("SKIPPED: no /proc to read resident memory from");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[
            ("FLAGSTAFF_ADMIN_INITIATION", "true"),
            ("FLAGSTAFF_ADMIN_PASSWORD", PASSWORD),
            ("FLAGSTAFF_LOGIN_THROTTLE_RATE", "100000/min"),
            ("FLAGSTAFF_LOGIN_FAILURE_LIMIT", "100000"),
        ],
    );
    let (addr, pid) = (server.addr, server.child.id());
    assert_eq!(log_in_over_http(addr, PASSWORD), 200);
    let baseline = resident_mib(pid);
    let burst: Vec<_> = (0..100)
        .map(|n| {
            std::thread::spawn(move || {
                log_in_over_http(addr, if n % 2 == 0 { PASSWORD } else { "wrong" })
            })
        })
        .collect();
    for login in burst {
        let status = login.join().unwrap();
        assert!(
            [200, 400, 429].contains(&status),
            "a login answered {status}"
        );
    }
    // Memory freed by the last hashes may take a moment to be unmapped: poll with light
    // requests rather than sleep.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let mut after = resident_mib(pid);
    while after > baseline + 32 && std::time::Instant::now() < deadline {
        for _ in 0..10 {
            poke(addr);
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        after = resident_mib(pid);
    }
    eprintln!("resident memory: {baseline} MiB after one login, {after} MiB after the burst");
    assert!(
        after <= baseline + 32,
        "resident memory {after} MiB after the burst, {baseline} MiB before"
    );
}
