//! Webhooks sent by real servers to a receiver on loopback, across a restart in the middle.
//
// The receiver checks each body's `X-Flagsmith-Signature` (HMAC-SHA256 under the webhook's
// secret), answers 500 to the first two posts of every body and 200 to the third. Flag changes
// are made, the server is restarted while deliveries are still being retried, more changes are
// made, and then every body must have come exactly three times: nothing lost in the restart, and
// nothing sent twice. On PostgreSQL two servers share the database, so that exactly one node
// sending each delivery is tested too.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::api::metrics::sample;
use crate::harness::{Backend, TestDb};
use crate::server::{Server, call, get, seed};

/// Posts a receiver turns away before it takes a body.
const REFUSALS: usize = 2;

/// One post the receiver took.
#[derive(Debug, Clone)]
pub struct Post {
    pub path: String,
    pub body: String,
    /// Whether `X-Flagsmith-Signature` was the body's HMAC under the path's secret.
    pub signed: bool,
}

/// An HTTP receiver on loopback that answers 500 to the first `refusals` posts of each body
/// (200 after), and 302 to any post to `/redirect`.
pub struct Receiver {
    pub addr: SocketAddr,
    posts: Arc<Mutex<Vec<Post>>>,
}

impl Receiver {
    /// `secrets`: the secret each path's bodies are signed with.
    pub fn start(secrets: &[(&str, &str)], refusals: usize) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let posts: Arc<Mutex<Vec<Post>>> = Arc::default();
        let secrets: BTreeMap<String, String> = secrets
            .iter()
            .map(|(p, s)| (p.to_string(), s.to_string()))
            .collect();
        let taken = posts.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some((path, headers, body)) = read_request(&mut stream) else {
                    continue;
                };
                let signed = secrets.get(&path).is_some_and(|secret| {
                    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
                    mac.update(body.as_bytes());
                    let expected: String = mac
                        .finalize()
                        .into_bytes()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    headers.get("x-flagsmith-signature") == Some(&expected)
                });
                let mut posts = taken.lock().unwrap();
                let seen = posts
                    .iter()
                    .filter(|p| p.body == body && p.path == path)
                    .count();
                posts.push(Post {
                    path: path.clone(),
                    body,
                    signed,
                });
                drop(posts);
                let status = if path == "/redirect" {
                    "302 Found\r\nLocation: /landing"
                } else if seen < refusals {
                    "500 Internal Server Error"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        Receiver { addr, posts }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn posts(&self) -> Vec<Post> {
        self.posts.lock().unwrap().clone()
    }

    /// How many times each body came to each path.
    fn tally(&self) -> BTreeMap<(String, String), usize> {
        let mut tally = BTreeMap::new();
        for post in self.posts() {
            *tally.entry((post.path, post.body)).or_default() += 1;
        }
        tally
    }
}

/// The path, lower-cased headers and body of one request.
fn read_request(
    stream: &mut std::net::TcpStream,
) -> Option<(String, BTreeMap<String, String>, String)> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    let length: usize = headers.get("content-length")?.parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, headers, String::from_utf8(body).ok()?))
}

#[test]
fn webhooks_survive_a_restart_on_sqlite() {
    deliveries_survive_a_restart(Backend::Sqlite);
}

#[test]
fn webhooks_survive_a_restart_and_go_out_once_from_two_servers_on_postgres() {
    deliveries_survive_a_restart(Backend::Postgres);
}

fn deliveries_survive_a_restart(backend: Backend) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(TestDb::new(backend)) else {
        return;
    };
    let url = db.url_string();
    let secrets = [
        ("/environment", "env-secret"),
        ("/organisation", "org-secret"),
    ];
    let receiver = Receiver::start(&secrets, REFUSALS);
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let env = [
        ("FLAGSTAFF_DATABASE_URL", url.as_str()),
        ("FLAGSTAFF_WEBHOOK_PRIVATE_NETWORKS", "true"),
        ("FLAGSTAFF_WEBHOOK_TIMEOUT", "5"),
    ];
    let mut a = Server::start(dir_a.path(), &env);
    // A second node on the same database claims deliveries side by side with the first.
    let b = (backend == Backend::Postgres).then(|| Server::start(dir_b.path(), &env));

    let seeded = seed(a.addr, false);
    let (token, key) = (seeded.token, seeded.key);
    let auth = [("Authorization", token.as_str())];
    let created = |addr, path: &str, body: Value| {
        let (status, _, body) = call(addr, "POST", path, &auth, Some(body));
        assert_eq!(status, 201, "{path}: {body}");
        body
    };
    let env_hook = created(
        a.addr,
        &format!("/api/v1/environments/{key}/webhooks/"),
        json!({"url": receiver.url("/environment"), "secret": "env-secret"}),
    );
    let org_hook = created(
        a.addr,
        &format!("/api/v1/organisations/{}/webhooks/", seeded.organisation),
        json!({"name": "audit", "url": receiver.url("/organisation"), "secret": "org-secret"}),
    );
    let (_, _, states) = call(
        a.addr,
        "GET",
        &format!("/api/v1/environments/{key}/featurestates/"),
        &auth,
        None,
    );
    let state = states["results"][0]["id"].as_i64().unwrap();
    let toggle = |addr, enabled: bool| {
        let path = format!("/api/v1/environments/{key}/featurestates/{state}/");
        let (status, _, body) = call(
            addr,
            "PATCH",
            &path,
            &auth,
            Some(json!({"enabled": enabled})),
        );
        assert_eq!(status, 200, "{body}");
    };

    // Three changes; restart A while their deliveries are between attempts; two more changes.
    for i in 0..3 {
        toggle(a.addr, i % 2 == 0);
    }
    let waited = Instant::now();
    while receiver.posts().is_empty() {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "nothing was posted"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, _) = a.stop();
    assert!(status.success(), "A stopped with {status}");
    a = Server::start(dir_a.path(), &env);
    for i in 3..5 {
        toggle(a.addr, i % 2 == 0);
    }

    // Each change: FLAG_UPDATED to the environment webhook; AUDIT_LOG_CREATED and FLAG_UPDATED
    // to the organisation webhook.
    let expected = 5 * 3;
    let waited = Instant::now();
    while receiver.tally().values().filter(|n| **n > REFUSALS).count() < expected {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "{} of {expected} bodies delivered: {:#?}",
            receiver.tally().values().filter(|n| **n > REFUSALS).count(),
            receiver.tally()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Long enough for a duplicate to show, were one sent.
    std::thread::sleep(Duration::from_millis(500));
    let posts = receiver.posts();
    let tally = receiver.tally();
    assert_eq!(tally.len(), expected, "{tally:#?}");
    assert!(
        tally.values().all(|n| *n == REFUSALS + 1),
        "every body comes {} times, no more: {tally:#?}",
        REFUSALS + 1
    );
    assert!(posts.iter().all(|p| p.signed), "unsigned posts: {posts:#?}");
    let events = |path: &str| -> Vec<String> {
        let mut events: Vec<String> = tally
            .keys()
            .filter(|(to, _)| to == path)
            .map(|(_, body)| {
                let body: Value = serde_json::from_str(body).unwrap();
                body["event_type"].as_str().unwrap().to_string()
            })
            .collect();
        events.sort();
        events
    };
    assert_eq!(events("/environment"), vec!["FLAG_UPDATED"; 5]);
    let mut org_events = vec!["AUDIT_LOG_CREATED"; 5];
    org_events.extend(vec!["FLAG_UPDATED"; 5]);
    assert_eq!(events("/organisation"), org_events);

    // A flag body tells of the state before and after, as Flagsmith's does.
    let flag: Value = posts
        .iter()
        .filter(|p| p.path == "/environment")
        .map(|p| serde_json::from_str(&p.body).unwrap())
        .find(|b: &Value| b["data"]["new_state"]["enabled"] == true)
        .unwrap();
    assert_eq!(flag["data"]["previous_state"]["enabled"], false);
    assert_eq!(flag["data"]["new_state"]["feature"]["name"], "checkout");
    assert_eq!(flag["data"]["changed_by"], "admin@example.com");

    // The delivery logs say the same.
    let log = |path: String| {
        let (status, _, page) = call(a.addr, "GET", &path, &auth, None);
        assert_eq!(status, 200, "{page}");
        page
    };
    let env_log = log(format!(
        "/api/v1/environments/{key}/webhooks/{}/deliveries/",
        env_hook["id"]
    ));
    let org_log = log(format!(
        "/api/v1/organisations/{}/webhooks/{}/deliveries/",
        seeded.organisation, org_hook["id"]
    ));
    assert_eq!(env_log["count"], 5);
    assert_eq!(org_log["count"], 10);
    for delivery in env_log["results"]
        .as_array()
        .unwrap()
        .iter()
        .chain(org_log["results"].as_array().unwrap())
    {
        assert_eq!(delivery["status"], "delivered", "{delivery}");
        assert_eq!(delivery["attempts"], 3, "{delivery}");
        assert_eq!(delivery["response_code"], 200, "{delivery}");
    }

    // Metrics count attempts by outcome on each node (A's since its restart), and the outbox
    // empties on every node's next look.
    let scrape = |name: &str, labels: &[(&str, &str)]| -> f64 {
        let nodes = std::iter::once(&a).chain(b.as_ref());
        nodes
            .map(|node| sample(&get(node.addr, "/metrics").1, name, labels))
            .sum()
    };
    assert!(
        scrape(
            "flagstaff_webhook_deliveries_total",
            &[("outcome", "delivered")]
        ) >= 1.0
    );
    assert!(
        scrape(
            "flagstaff_webhook_deliveries_total",
            &[("outcome", "retried")]
        ) >= 1.0
    );
    let waited = Instant::now();
    while scrape("flagstaff_webhook_outbox_depth", &[]) != 0.0 {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "the outbox depth stays above 0"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "webhooks on {backend:?}: {} bodies, {} posts, each body {} times, across a restart",
        tally.len(),
        posts.len(),
        REFUSALS + 1
    );
}
