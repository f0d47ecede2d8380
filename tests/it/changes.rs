//! Two servers on one PostgreSQL database: a change through one is served by the other at once.
//
// Two `flagstaff serve` processes share a database. A hundred flag changes are made through A,
// and B is asked for the flags until it serves each one; the delays are printed (run with
// `--nocapture` to read them), and B's realtime stream hears one. Then B's listening connection
// is killed from PostgreSQL (`pg_terminate_backend`), and the next change must still reach B.
// The safety-net poll runs every 30 s, so only the change notices can bring a change to B within
// the 5 s allowed here. Last, traits written through A reach B's identity cache the same way.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::api::metrics::sample;
use crate::harness::{Backend, TestDb, postgres_admin};
use crate::server::{Server, call, get, seed};

/// Longer than a notice needs, far shorter than the 30 s poll.
const PATIENCE: Duration = Duration::from_secs(5);

#[test]
fn a_change_through_one_server_is_served_by_another_on_the_same_database() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(TestDb::new(Backend::Postgres)) else {
        return;
    };
    let url = db.url_string();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let env = [("FLAGSTAFF_DATABASE_URL", url.as_str())];
    let a = Server::start(dir_a.path(), &env);
    let b = Server::start(dir_b.path(), &env);

    let seeded = seed(a.addr, false);
    let (token, key) = (seeded.token, seeded.key);
    let auth = [("Authorization", token.as_str())];
    let (_, _, states) = call(
        a.addr,
        "GET",
        &format!("/api/v1/environments/{key}/featurestates/"),
        &auth,
        None,
    );
    let state = states["results"][0]["id"].as_i64().unwrap();
    let sdk = [("X-Environment-Key", key.as_str())];
    let served = |enabled: bool| {
        let (status, _, flags) = call(b.addr, "GET", "/api/v1/flags/", &sdk, None);
        status == 200 && flags[0]["enabled"] == enabled
    };
    // B has the environment cached from now on.
    assert!(served(false));

    let toggle = |enabled: bool| {
        let path = format!("/api/v1/environments/{key}/featurestates/{state}/");
        let (status, _, body) = call(
            a.addr,
            "PATCH",
            &path,
            &auth,
            Some(json!({"enabled": enabled})),
        );
        assert_eq!(status, 200, "{body}");
        let made = Instant::now();
        while !served(enabled) {
            assert!(
                made.elapsed() < PATIENCE,
                "B did not serve enabled={enabled} within {PATIENCE:?}"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        made.elapsed()
    };
    let mut delays: Vec<Duration> = (0..100).map(|i| toggle(i % 2 == 0)).collect();
    delays.sort();
    println!(
        "cross-server delay over {} changes: median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        delays.len(),
        delays[delays.len() / 2].as_secs_f64() * 1000.0,
        delays[delays.len() * 99 / 100 - 1].as_secs_f64() * 1000.0,
        delays[delays.len() - 1].as_secs_f64() * 1000.0,
    );

    // B's realtime stream hears a change made through A.
    let mut stream = std::net::TcpStream::connect(b.addr).unwrap();
    write!(
        stream,
        "GET /sse/environments/{key}/stream HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut heard = String::new();
    let mut events = |until: usize| {
        while heard.matches("event: environment_updated").count() < until {
            let mut chunk = [0u8; 1024];
            let n = stream
                .read(&mut chunk)
                .expect("no event from B's stream in time");
            assert!(n > 0, "B's stream ended: {heard}");
            heard.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    };
    events(1);
    toggle(true);
    events(2);

    // Kill B's listening connection; B reconnects and the next change still arrives.
    let terminated: i64 = runtime.block_on(async {
        let admin = postgres_admin().await;
        let pattern = format!("flagstaff listener {}.%", b.child.id());
        let row = admin
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE $1",
                &[&pattern],
            )
            .await
            .unwrap();
        row.get(0)
    });
    assert_eq!(terminated, 1, "B's listening connection");
    let after = toggle(false);
    println!(
        "after B's listening connection was killed: {:.1} ms",
        after.as_secs_f64() * 1000.0
    );
    let reconnected = (0..250).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        b.log_contains("listening for other servers' changes again")
    });
    assert!(reconnected, "B did not say it listens again");

    // B keeps identity states in memory; a trait written through A drops B's copy at once.
    let traits = |server: &Server| {
        let path = "/api/v1/identities/?identifier=ada";
        let (status, _, body) = call(server.addr, "GET", path, &sdk, None);
        assert_eq!(status, 200, "{body}");
        body["traits"].clone()
    };
    // The first read creates ada, the second reads and keeps her, the third finds her kept.
    for _ in 0..3 {
        assert_eq!(traits(&b), json!([]));
    }
    let mut trait_delays = Vec::new();
    for plan in ["pro", "team", "free"] {
        let identify =
            json!({"identifier": "ada", "traits": [{"trait_key": "plan", "trait_value": plan}]});
        let (status, _, body) = call(a.addr, "POST", "/api/v1/identities/", &sdk, Some(identify));
        assert_eq!(status, 200, "{body}");
        let made = Instant::now();
        while traits(&b)[0]["trait_value"] != plan {
            assert!(
                made.elapsed() < PATIENCE,
                "B did not serve plan={plan} within {PATIENCE:?}"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        trait_delays.push(made.elapsed().as_secs_f64() * 1000.0);
    }
    println!("a trait written through A, read from B: {trait_delays:.1?} ms");

    // Each server counts the notices it sent and heard.
    let counted = |server: &Server, name: &str| {
        let (status, text) = get(server.addr, "/metrics");
        assert_eq!(status, 200, "{text}");
        sample(&text, name, &[])
    };
    let (_, text) = get(b.addr, "/metrics");
    let hits = sample(
        &text,
        "flagstaff_identity_cache_total",
        &[("result", "hit")],
    );
    assert!(hits >= 1.0, "B read ada from its identity cache");
    assert!(counted(&a, "flagstaff_change_events_sent_total") >= 102.0);
    // The last change may come while B reconnects: B then drops everything instead.
    let heard = counted(&b, "flagstaff_change_events_received_total");
    assert!(heard >= 101.0, "B heard {heard} notices");
    assert_eq!(counted(&b, "flagstaff_change_events_sent_total"), 0.0);
    drop(db);
}
