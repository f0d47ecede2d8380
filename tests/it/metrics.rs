//! Metrics from a running binary: on an address of their own, and sent to StatsD.

use std::time::Duration;

use crate::server::{Server, call, free_port, get, seed};

#[test]
fn metrics_can_have_an_address_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let address = format!("127.0.0.1:{}", free_port());
    let server = Server::start(dir.path(), &[("FLAGSTAFF_METRICS_BIND", &address)]);
    assert!(server.log_contains("metrics are served on their own address"));
    let (status, _) = get(server.addr, "/metrics");
    assert_eq!(status, 404, "the main address still answers /metrics");
    let (status, body) = get(address.parse().unwrap(), "/metrics");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("flagstaff_http_requests_total"), "{body}");
    assert!(server.stop().0.success());
}

#[test]
fn metrics_also_go_to_statsd_when_asked() {
    let statsd = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    statsd
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let port = statsd.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[
            ("STATSD_HOST", "127.0.0.1"),
            ("STATSD_PORT", &port),
            ("STATSD_PREFIX", "flags.test"),
        ],
    );
    assert!(server.log_contains("metrics are also sent to StatsD"));
    let seeded = seed(server.addr, true);
    let sdk = [("X-Environment-Key", seeded.key.as_str())];
    for _ in 0..20 {
        let (status, _, _) = call(server.addr, "GET", "/api/v1/flags/", &sdk, None);
        assert_eq!(status, 200);
    }
    // Lines come in datagrams as the client's buffer fills: read until both families came.
    let mut lines = String::new();
    let wanted = [
        "flags.test.flagstaff_http_requests_total:1|c|#",
        "flags.test.flagstaff_sdk_evaluations_total:1|c|#kind:environment",
    ];
    while !wanted.iter().all(|w| lines.contains(w)) {
        let mut datagram = [0u8; 65536];
        let n = statsd
            .recv(&mut datagram)
            .unwrap_or_else(|e| panic!("{e}; StatsD heard only:\n{lines}"));
        lines.push_str(&String::from_utf8_lossy(&datagram[..n]));
        lines.push('\n');
    }
    assert!(lines.contains("route:/api/v1/flags/"), "{lines}");
    assert!(server.stop().0.success());
}
