//! DRF-style throttling: at most N requests per period from one client, in fixed windows.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use super::{ServiceError, ServiceResult};
use crate::domain::Timestamp;

/// A rate such as `20/min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

impl Rate {
    /// Parses DRF's `N/period` with period `s`, `sec`, `m`, `min`, `h`, `hour`, `d`, `day`.
    pub fn parse(text: &str) -> Option<Rate> {
        let (count, period) = text.trim().split_once('/')?;
        let count = count.trim().parse().ok()?;
        let secs = match period.trim().chars().next()? {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        Some(Rate {
            count,
            per: Duration::from_secs(secs),
        })
    }
}

/// The client a request comes from, as DRF's `get_ident` finds it with `NUM_PROXIES`: with
/// no proxies the TCP peer (a client's own `X-Forwarded-For` is ignored); behind
/// `num_proxies` proxies the address that many entries from the right of `X-Forwarded-For`,
/// the one the outermost proxy saw. A header that is absent, shorter than that, or not an
/// address there falls back to the peer.
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    num_proxies: usize,
) -> Option<IpAddr> {
    if num_proxies == 0 {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let entries: Vec<&str> = header.split(',').map(str::trim).collect();
    let Some(index) = entries.len().checked_sub(num_proxies) else {
        return peer;
    };
    let entry = entries[index];
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
        .or(peer)
}

#[derive(Debug)]
pub struct Throttle {
    rate: Rate,
    windows: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl Throttle {
    pub fn new(rate: Rate) -> Self {
        Throttle {
            rate,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `client`; `Throttled` with the seconds left when over the rate.
    pub fn check(&self, client: IpAddr, now: Timestamp) -> ServiceResult<()> {
        let period = self.rate.per.as_secs().max(1) as i64;
        let window = now.timestamp().div_euclid(period);
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 10_000 {
            windows.retain(|_, (w, _)| *w == window);
        }
        let entry = windows.entry(client).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.rate.count {
            let retry = (window + 1) * period - now.timestamp();
            return Err(ServiceError::Throttled(retry.max(1) as u64));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn rates_parse_like_drf() {
        assert_eq!(
            Rate::parse("20/min"),
            Some(Rate {
                count: 20,
                per: Duration::from_secs(60)
            })
        );
        assert_eq!(Rate::parse("5/s").map(|r| r.per.as_secs()), Some(1));
        assert_eq!(Rate::parse("10000/day").map(|r| r.count), Some(10000));
        assert_eq!(Rate::parse("lots"), None);
    }

    #[test]
    fn the_client_is_the_peer_unless_proxies_are_declared() {
        let peer: IpAddr = "10.1.1.1".parse().unwrap();
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // No proxies: whatever the client says is ignored.
        assert_eq!(
            client_address(Some(peer), Some("203.0.113.9"), 0),
            Some(peer)
        );
        assert_eq!(client_address(None, Some("203.0.113.9"), 0), None);
        // One proxy: the rightmost entry, the one it appended; earlier ones are the client's.
        assert_eq!(
            client_address(Some(peer), Some("6.6.6.6, 203.0.113.9"), 1),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(Some(peer), Some("6.6.6.6, 203.0.113.9 ,10.0.0.2"), 2),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(Some(peer), Some("[2001:db8::1]:4711"), 1),
            ip("2001:db8::1")
        );
        // Absent, too short or not an address: the peer.
        assert_eq!(client_address(Some(peer), None, 1), Some(peer));
        assert_eq!(
            client_address(Some(peer), Some("203.0.113.9"), 2),
            Some(peer)
        );
        assert_eq!(client_address(Some(peer), Some("nonsense"), 1), Some(peer));
        assert_eq!(client_address(Some(peer), Some(""), 1), Some(peer));
    }

    #[test]
    fn a_client_over_the_rate_waits_for_the_next_window() {
        let throttle = Throttle::new(Rate {
            count: 2,
            per: Duration::from_secs(60),
        });
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let t = chrono::Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 10).unwrap();
        assert!(throttle.check(ip, t).is_ok());
        assert!(throttle.check(ip, t).is_ok());
        assert!(matches!(
            throttle.check(ip, t),
            Err(ServiceError::Throttled(50))
        ));
        assert!(throttle.check(other, t).is_ok());
        assert!(
            throttle
                .check(ip, t + chrono::TimeDelta::seconds(50))
                .is_ok()
        );
    }
}
