//! Connections an operator's server must survive: silent, slow, and a flood of idle ones.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::server::{Server, get};

/// A connection that sends nothing, or sends its headers a byte at a time, is closed once the
/// header timeout passes, instead of being kept forever.
#[test]
fn silent_and_slow_connections_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[("FLAGSTAFF_HEADER_READ_TIMEOUT", "2")]);
    let silent = TcpStream::connect(server.addr).unwrap();
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.write_all(b"GET /health/liveness/ HTTP/1.1\r\n")
        .unwrap();
    let started = Instant::now();
    let mut slow_closed = false;
    // A header line every half second: a slowloris keeps sending, but never finishes.
    for i in 0..120 {
        if slow
            .write_all(format!("X-Slow-{i}: a\r\n").as_bytes())
            .is_err()
        {
            slow_closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        slow_closed,
        "a slow sender was kept for {:?}",
        started.elapsed()
    );
    assert_closed(silent);
    let (status, _) = get(server.addr, "/health/liveness/");
    assert_eq!(status, 200);
}

/// Reads until the peer closes; fails if it is still open after a minute.
fn assert_closed(mut stream: TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Ok(n) => panic!("unexpected bytes: {:?}", String::from_utf8_lossy(&buf[..n])),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the connection was not closed: {e}"),
    }
}

/// Under systemd's default open-file limit (1024), 1,100 idle connections used to make the
/// server stop answering everyone, silently. Now connections are capped below the limit, the
/// log says when the cap is reached, idle ones are closed, and a normal request is answered.
#[test]
fn a_flood_of_idle_connections_leaves_the_server_answering() {
    raise_own_file_limit(4096);
    let dir = tempfile::tempdir().unwrap();
    // Long enough for all of them to be open at once.
    let server =
        Server::start_with_file_limit(dir.path(), &[("FLAGSTAFF_HEADER_READ_TIMEOUT", "8")], 1024);
    let idle: Vec<TcpStream> = (0..1100)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    let mut stream = TcpStream::connect(server.addr).unwrap();
    write!(
        stream,
        "GET /health/liveness/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text:?}");
    assert!(
        server.log_contains("connection limit reached"),
        "the cap was not logged: {:?}",
        server.log_lines()
    );
    assert!(
        server.log_contains("connections capped below the open-file limit"),
        "the cap was not reported at start"
    );
    drop(idle);
}

/// The test itself holds over a thousand sockets.
fn raise_own_file_limit(at_least: u64) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|n| n < at_least) {
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        );
    }
}
