//! Crash safety: a server killed mid-write keeps every acknowledged write and reopens cleanly.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::server::{Server, read_response};

/// One HTTP/1.1 request with a JSON body; `None` when the connection failed (server gone).
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    let body = body.to_string();
    let auth = token
        .map(|t| format!("Authorization: Token {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    std::panic::catch_unwind(move || read_response(stream)).ok()
}

fn body_of(response: Option<(u16, String)>) -> Value {
    let (status, body) = response.expect("the server answered");
    assert!(status < 300, "{status}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn sigkill_during_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[("FLAGSTAFF_LOG_LEVEL", "warn,flagstaff::app=info")],
    );
    let addr = server.addr;
    let signup = json!({"email": "root@example.com", "password": "correct horse battery", "superuser": true});
    let token = body_of(request(addr, "POST", "/api/v1/auth/users/", None, &signup))["key"]
        .as_str()
        .unwrap()
        .to_string();
    let org = body_of(request(
        addr,
        "POST",
        "/api/v1/organisations/",
        Some(&token),
        &json!({"name": "Acme"}),
    ))["id"]
        .as_i64()
        .unwrap();

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (acknowledged, stop, token) = (acknowledged.clone(), stop.clone(), token.clone());
            std::thread::spawn(move || {
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let name = format!("p-{w}-{n}");
                    let body = json!({"name": name, "organisation": org});
                    match request(addr, "POST", "/api/v1/projects/", Some(&token), &body) {
                        Some((201, _)) => acknowledged.lock().unwrap().push(name),
                        Some(_) => {}
                        None => break,
                    }
                }
            })
        })
        .collect();
    // Kill once a good number of writes have been answered, while the writers keep going.
    while acknowledged.lock().unwrap().len() < 40 {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.signal("KILL");
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    drop(server);
    let acknowledged = acknowledged.lock().unwrap().clone();

    let db = rusqlite::Connection::open(dir.path().join("data/flagstaff.db")).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(db);

    let again = Server::start(
        dir.path(),
        &[("FLAGSTAFF_LOG_LEVEL", "warn,flagstaff::app=info")],
    );
    let login = json!({"email": "root@example.com", "password": "correct horse battery"});
    let token = body_of(request(
        again.addr,
        "POST",
        "/api/v1/auth/login/",
        None,
        &login,
    ))["key"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = request(
        again.addr,
        "GET",
        &format!("/api/v1/projects/?organisation={org}"),
        Some(&token),
        &json!({}),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let names: Vec<String> = serde_json::from_str::<Vec<Value>>(&body)
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    let missing: Vec<&String> = acknowledged.iter().filter(|n| !names.contains(n)).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert!(again.stop().0.success());
}
