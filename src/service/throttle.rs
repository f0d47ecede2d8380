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
