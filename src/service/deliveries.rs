//! Sending webhooks: the dispatcher that drains the outbox, and one signed POST per attempt.
//
// Deliveries are written by the store in the transaction of the change they tell of. The
// dispatcher claims due ones (on PostgreSQL, several nodes claim side by side and never the same
// row), posts each, and records the outcome: delivered, tried again later, or given up. A node
// that dies mid-attempt leaves a claim that runs out, and another node (or the same one, after
// its restart) tries again: a delivery is sent at least once, and by one node at a time.

use crate::clock::Clock;
use crate::domain::Timestamp;
use crate::domain::webhook::{Claimed, Outcome};
use crate::store::Store;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// How webhooks are sent (settings `webhook_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sending {
    /// Allow loopback, private, link-local and other internal addresses.
    pub private_networks: bool,
    /// One attempt's limit.
    pub timeout: Duration,
    /// How long after it was written a delivery is still retried.
    pub retry_for: Duration,
}

impl Default for Sending {
    fn default() -> Self {
        Sending {
            private_networks: false,
            timeout: Duration::from_secs(10),
            retry_for: Duration::from_secs(3600),
        }
    }
}

/// The first retry waits this long; each next one twice as long, up to [`LONGEST_WAIT`].
const FIRST_WAIT: Duration = Duration::from_secs(1);
const LONGEST_WAIT: Duration = Duration::from_secs(300);
/// Deliveries one claim takes, and so the most attempts in flight on one node.
const BATCH: usize = 16;
/// The longest sleep between looks at the outbox when nothing wakes the dispatcher.
const IDLE_LOOK: Duration = Duration::from_secs(5);
/// Delivered and failed deliveries are kept this long in the delivery log.
const KEEP_LOG: Duration = Duration::from_secs(14 * 24 * 3600);

/// The header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "X-Flagsmith-Signature";

/// Hex HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &str, body: &str) -> String {
    // HMAC takes a key of any length: this never returns early.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What one POST gave: the status code if the receiver answered, the error otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub code: Option<i32>,
    pub error: Option<String>,
}

impl Attempt {
    pub fn delivered(&self) -> bool {
        matches!(self.code, Some(200..=299))
    }

    /// What the delivery log says of a failed attempt.
    fn reason(&self) -> String {
        match (&self.error, self.code) {
            (Some(e), _) => e.clone(),
            (None, Some(code)) => format!("the receiver answered {code}"),
            (None, None) => "no answer".into(),
        }
    }
}

/// Posts webhook bodies: no redirects followed, one timeout per attempt, and (unless private
/// networks are allowed) only to public addresses, checked on the addresses actually dialled.
#[derive(Clone)]
pub struct Sender {
    agent: ureq::Agent,
}

impl Sender {
    pub fn new(sending: &Sending) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(sending.timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .proxy(None)
            .user_agent(format!("Flagstaff/{}", env!("CARGO_PKG_VERSION")))
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(root_certs())
                    .build(),
            )
            .build();
        let resolver = Guard {
            private_networks: sending.private_networks,
            inner: DefaultResolver::default(),
        };
        Sender {
            agent: ureq::Agent::with_parts(config, DefaultConnector::default(), resolver),
        }
    }

    /// POSTs `body` to `url`, signed when `secret` is not empty. Blocks: call it off the runtime.
    pub fn post(&self, url: &str, body: &str, secret: &str) -> Attempt {
        let mut request = self
            .agent
            .post(url)
            .header("Content-Type", "application/json");
        if !secret.is_empty() {
            request = request.header(SIGNATURE_HEADER, signature(secret, body));
        }
        match request.send(body) {
            Ok(response) => Attempt {
                code: Some(i32::from(response.status().as_u16())),
                error: None,
            },
            Err(e) => Attempt {
                code: None,
                error: Some(describe(&e)),
            },
        }
    }

    /// [`Sender::post`] on a blocking thread.
    pub async fn send(&self, url: String, body: String, secret: String) -> Attempt {
        let sender = self.clone();
        tokio::task::spawn_blocking(move || sender.post(&url, &body, &secret))
            .await
            .unwrap_or_else(|e| Attempt {
                code: None,
                error: Some(format!("the attempt stopped: {e}")),
            })
    }
}

/// The system's trusted certificates (what an air-gapped network's own CA is added to), or the
/// built-in web roots when the system has none.
fn root_certs() -> ureq::tls::RootCerts {
    let loaded = rustls_native_certs::load_native_certs();
    let certs: Vec<_> = loaded
        .certs
        .iter()
        .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    if certs.is_empty() {
        ureq::tls::RootCerts::WebPki
    } else {
        ureq::tls::RootCerts::new_with_certs(&certs)
    }
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "the host name does not resolve".into(),
        ureq::Error::ConnectionFailed => "could not connect".into(),
        ureq::Error::BadUri(uri) => format!("not a URL: {uri}"),
        ureq::Error::Other(e) => e.to_string(),
        other => other.to_string(),
    }
}

/// Resolves as usual, then keeps only the addresses webhooks may reach.
#[derive(Debug)]
struct Guard {
    private_networks: bool,
    inner: DefaultResolver,
}

#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl Resolver for Guard {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = self.inner.resolve(uri, config, timeout)?;
        if self.private_networks {
            return Ok(resolved);
        }
        let mut kept = self.inner.empty();
        for address in resolved.iter() {
            if public(address.ip()) {
                kept.push(*address);
            }
        }
        if kept.is_empty() {
            let host = uri.host().unwrap_or_default();
            return Err(ureq::Error::Other(Box::new(Refused(format!(
                "refused: {host} is a loopback, private, link-local or metadata address \
                 (set webhook_private_networks = true to allow it)"
            )))));
        }
        Ok(kept)
    }
}

/// Whether webhooks may reach `ip` when private networks are not allowed.
pub fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public_v4(v4);
            }
            let first = v6.segments()[0];
            let nat64 = v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
            if nat64 {
                let [.., a, b] = v6.segments();
                let v4 = Ipv4Addr::from((u32::from(a) << 16) | u32::from(b));
                return public_v4(v4);
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 among them
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local
                || v6 == Ipv6Addr::from([0u16, 0, 0, 0, 0, 0, 0, 1]))
        }
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16: cloud metadata services
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b)) // shared address space, 100.100.100.200 among them
        || (a == 192 && b == 0 && ip.octets()[2] == 0))
}

/// When to try again after `attempts` failed ones, or `None` to give up.
pub fn next_attempt(
    sending: &Sending,
    created_at: Timestamp,
    attempts: i32,
    now: Timestamp,
) -> Option<Timestamp> {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    let wait = FIRST_WAIT.saturating_mul(1 << doublings).min(LONGEST_WAIT);
    let at = now + wait;
    let deadline = created_at + sending.retry_for;
    (at <= deadline).then_some(at)
}

/// Drains the outbox while the server runs.
pub struct Dispatcher {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sending: Sending,
    sender: Sender,
    wake: Arc<Notify>,
    node: String,
}

impl Dispatcher {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sending: Sending,
        wake: Arc<Notify>,
    ) -> Self {
        let mut random = [0u8; 4];
        let _ = getrandom::fill(&mut random);
        Dispatcher {
            store,
            clock,
            sender: Sender::new(&sending),
            sending,
            wake,
            node: format!("{}.{:08x}", std::process::id(), u32::from_be_bytes(random)),
        }
    }

    /// Runs until `stop` turns true; an attempt under way when it does is finished and recorded,
    /// so that a clean restart neither repeats nor loses one.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut claims: u64 = 0;
        let mut failing = false;
        let mut pruned_at: Option<std::time::Instant> = None;
        while !*stop.borrow() {
            claims += 1;
            let claim = format!("{}#{claims}", self.node);
            let lease = self.sending.timeout + Duration::from_secs(10);
            let looked = async {
                let batch = self.store.claim_deliveries(&claim, lease, BATCH).await?;
                let busy = batch.len() == BATCH;
                self.attempt_all(&claim, batch).await;
                let outbox = self.store.outbox().await?;
                metrics::gauge!("flagstaff_webhook_outbox_depth").set(outbox.pending as f64);
                if pruned_at.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
                    let before = self.clock.now() - KEEP_LOG;
                    self.store.prune_deliveries(before).await?;
                    pruned_at = Some(std::time::Instant::now());
                }
                Ok::<_, crate::store::StoreError>((busy, outbox.next_due))
            }
            .await;
            let pause = match looked {
                Ok((true, _)) => Duration::ZERO,
                Ok((false, next_due)) => {
                    if failing {
                        tracing::info!("webhook deliveries go on: the outbox can be read again");
                        failing = false;
                    }
                    next_due.map_or(IDLE_LOOK, |due| {
                        (due - self.clock.now())
                            .to_std()
                            .unwrap_or(Duration::ZERO)
                            .min(IDLE_LOOK)
                    })
                }
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, "cannot read the webhook outbox; trying again");
                        failing = true;
                    }
                    IDLE_LOOK
                }
            };
            if !pause.is_zero() {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }

    async fn attempt_all(&self, claim: &str, batch: Vec<Claimed>) {
        let attempts = batch.into_iter().map(|delivery| async move {
            let attempt = self
                .sender
                .send(
                    delivery.url.clone(),
                    delivery.payload.clone(),
                    delivery.secret.clone(),
                )
                .await;
            let outcome = self.outcome(&delivery, &attempt);
            let label = match outcome {
                Outcome::Delivered { .. } => "delivered",
                Outcome::Retry { .. } => "retried",
                Outcome::Failed { .. } => "failed",
            };
            metrics::counter!("flagstaff_webhook_deliveries_total", "outcome" => label)
                .increment(1);
            if let Outcome::Failed { error, .. } = &outcome {
                tracing::warn!(
                    delivery = delivery.id,
                    attempts = delivery.attempts,
                    error = %error,
                    "a webhook delivery was given up"
                );
            }
            if let Err(e) = self
                .store
                .finish_delivery(delivery.id, claim, &outcome)
                .await
            {
                tracing::warn!(delivery = delivery.id, error = %e, "cannot record a webhook attempt");
            }
        });
        futures_util::future::join_all(attempts).await;
    }

    fn outcome(&self, delivery: &Claimed, attempt: &Attempt) -> Outcome {
        if attempt.delivered() {
            return Outcome::Delivered {
                code: attempt.code.unwrap_or(200),
            };
        }
        let now = self.clock.now();
        match next_attempt(&self.sending, delivery.created_at, delivery.attempts, now) {
            Some(at) => Outcome::Retry {
                at,
                code: attempt.code,
                error: attempt.reason(),
            },
            None => Outcome::Failed {
                code: attempt.code,
                error: attempt.reason(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hex_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(!public(internal.parse().unwrap()), "{internal}");
        }
        for outside in ["93.184.216.34", "2606:2800:220:1::1", "::ffff:8.8.8.8"] {
            assert!(public(outside.parse().unwrap()), "{outside}");
        }
    }

    #[test]
    fn retries_double_until_the_retry_time_runs_out() {
        let sending = Sending {
            retry_for: Duration::from_secs(10),
            ..Sending::default()
        };
        let created = crate::clock::SystemClock.now();
        let waits: Vec<_> = (1..=5)
            .map(|n| {
                next_attempt(&sending, created, n, created).map(|at| (at - created).num_seconds())
            })
            .collect();
        assert_eq!(waits, [Some(1), Some(2), Some(4), Some(8), None]);
        let once = Sending {
            retry_for: Duration::ZERO,
            ..Sending::default()
        };
        assert_eq!(next_attempt(&once, created, 1, created), None);
    }
}
