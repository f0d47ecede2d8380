//! One signed POST per attempt: no redirects, a timeout, and only public addresses unless allowed.

use super::Sending;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

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
    pub(super) fn reason(&self) -> String {
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
}
