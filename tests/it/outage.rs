//! A PostgreSQL outage: served from memory where possible, 503 otherwise, told once, recovered.
//
// A PostgreSQL outage, made by cutting a TCP proxy between the server and the database: what
// needs no stored data keeps being served from memory, the rest is answered 503 with
// `Retry-After`, the log tells the outage once (not once per refused request), and the server
// recovers by itself.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{Backend, TestDb};
use crate::server::{Server, call, seed};

/// A TCP proxy to PostgreSQL that can cut every connection and refuse new ones.
struct Proxy {
    addr: SocketAddr,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let down = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (down_flag, sockets) = (down.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                if down_flag.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let mut sockets = sockets.lock().unwrap();
                sockets.push(client.try_clone().unwrap());
                sockets.push(server.try_clone().unwrap());
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Proxy { addr, down, open }
    }

    /// Cuts every open connection and refuses new ones.
    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for socket in self.open.lock().unwrap().drain(..) {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

/// `url` with its `host:port` replaced.
fn through(url: &str, addr: SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let at = rest.find('@').map_or(0, |i| i + 1);
    let end = rest[at..].find(['/', '?']).map_or(rest.len(), |i| at + i);
    format!("{scheme}://{}{addr}{}", &rest[..at], &rest[end..])
}

fn upstream(url: &str) -> SocketAddr {
    let rest = url.split_once("://").unwrap().1;
    let at = rest.find('@').map_or(0, |i| i + 1);
    let end = rest[at..].find(['/', '?']).map_or(rest.len(), |i| at + i);
    let authority = &rest[at..end];
    let authority = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:5432")
    };
    std::net::ToSocketAddrs::to_socket_addrs(&authority)
        .unwrap()
        .next()
        .unwrap()
}

#[test]
fn an_outage_is_served_from_memory_told_once_and_recovered_from() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(TestDb::new(Backend::Postgres)) else {
        return;
    };
    let url = db.url_string();
    let proxy = Proxy::start(upstream(&url));
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[("FLAGSTAFF_DATABASE_URL", &through(&url, proxy.addr))],
    );
    let addr = server.addr;

    let seeded = seed(addr, true);
    let (token, key) = (seeded.token, seeded.key);
    let auth = [("Authorization", token.as_str())];
    let sdk = [("X-Environment-Key", key.as_str())];
    let ofrep = [("X-API-Key", key.as_str())];
    // Warm the environment's snapshot.
    assert_eq!(call(addr, "GET", "/api/v1/flags/", &sdk, None).0, 200);

    proxy.cut();
    let started = Instant::now();
    let mut refused = 0;
    while started.elapsed() < Duration::from_secs(4) {
        // Served from memory: no stored data needed.
        let (status, _, flags) = call(addr, "GET", "/api/v1/flags/", &sdk, None);
        assert_eq!(status, 200, "{flags}");
        assert_eq!(flags[0]["feature"]["name"], "checkout");
        let (status, _, identity) = call(
            addr,
            "GET",
            "/api/v1/identities/?identifier=visitor&transient=true",
            &sdk,
            None,
        );
        assert_eq!(status, 200, "transient identity: {identity}");
        let (status, _, identity) = call(
            addr,
            "POST",
            "/api/v1/identities/",
            &sdk,
            Some(json!({"traits": [{"trait_key": "plan", "trait_value": "pro"}]})),
        );
        assert_eq!(status, 200, "anonymous identity: {identity}");
        let (status, _, bulk) = call(
            addr,
            "POST",
            "/ofrep/v1/evaluate/flags",
            &ofrep,
            Some(json!({"context": {"plan": "pro"}})),
        );
        assert_eq!(status, 200, "OFREP without a stored identity: {bulk}");
        // Requests that write nothing are answered as for an identity with nothing stored.
        let (status, _, bulk) = call(
            addr,
            "POST",
            "/ofrep/v1/evaluate/flags",
            &ofrep,
            Some(json!({"context": {"targetingKey": "visitor-7", "plan": "pro"}})),
        );
        assert_eq!(status, 200, "OFREP with a targeting key: {bulk}");
        let (status, _, identity) = call(
            addr,
            "POST",
            "/api/v1/identities/",
            &sdk,
            Some(json!({"identifier": "visitor-7", "transient": true, "traits": []})),
        );
        assert_eq!(status, 200, "transient identity by identifier: {identity}");
        // One that would be stored cannot be.
        let (status, retry_after, _) = call(
            addr,
            "POST",
            "/api/v1/identities/",
            &sdk,
            Some(json!({"identifier": "visitor-8", "traits": []})),
        );
        assert_eq!((status, retry_after.as_deref()), (503, Some("5")));
        // Needs the database: 503, with a hint when to retry.
        let (status, retry_after, body) = call(addr, "GET", "/api/v1/projects/", &auth, None);
        assert_eq!(status, 503, "{body}");
        assert_eq!(retry_after.as_deref(), Some("5"));
        refused += 1;
    }
    assert!(refused > 5);

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(60);
    while call(addr, "GET", "/api/v1/projects/", &auth, None).0 != 200 {
        assert!(Instant::now() < deadline, "the server did not recover");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The watch reports the end within a probe or two.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.log_contains("the outage is over") {
        assert!(
            Instant::now() < deadline,
            "the end of the outage was not logged"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, log) = server.stop();
    let warnings: Vec<&String> = log
        .iter()
        .filter(|l| l.contains("\"WARN\"") || l.contains("\"ERROR\""))
        .collect();
    assert_eq!(
        warnings
            .iter()
            .filter(|l| l.contains("the database is unreachable"))
            .count(),
        1,
        "{warnings:#?}"
    );
    assert!(
        warnings.len() <= 3,
        "{refused} refused requests flooded the log: {warnings:#?}"
    );
    drop(db);
}
