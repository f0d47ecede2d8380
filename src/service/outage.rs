//! A database outage, told once: a warning, a reminder a minute, one line when it ends.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::Store;

/// How often the database is probed while it is down.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// How often a lasting outage is reported.
const REMIND_EVERY: Duration = Duration::from_secs(60);
/// What `Retry-After` tells clients refused during an outage, in seconds.
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// Whether the database is known to be down, and since when.
#[derive(Debug, Default)]
pub struct Outage {
    down: Mutex<Option<Down>>,
}

#[derive(Debug)]
struct Down {
    since: Instant,
    /// Requests and tasks refused since the outage began.
    refused: u64,
}

impl Outage {
    /// Counts a request (or task) the database could not serve; the first one starts a watch
    /// that probes the database until it answers and reports the outage.
    pub fn refused(self: &Arc<Self>, store: &Arc<dyn Store>) {
        let mut down = self.down.lock().unwrap_or_else(|e| e.into_inner());
        match down.as_mut() {
            Some(down) => down.refused += 1,
            None => {
                *down = Some(Down {
                    since: Instant::now(),
                    refused: 1,
                });
                tokio::spawn(self.clone().watch(store.clone()));
            }
        }
    }

    async fn watch(self: Arc<Self>, store: Arc<dyn Store>) {
        let mut reported = false;
        let mut reminded = Instant::now();
        loop {
            let probe = tokio::time::timeout(PROBE_EVERY * 2, store.ping()).await;
            let error = match probe {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(_) => Some("no answer within 2 s".to_string()),
            };
            let (seconds, refused) = self.status();
            match error {
                None => {
                    *self.down.lock().unwrap_or_else(|e| e.into_inner()) = None;
                    if reported {
                        tracing::info!(
                            down_for_seconds = seconds,
                            refused,
                            "the database answers again; the outage is over"
                        );
                    } else {
                        tracing::warn!(refused, "the database was briefly unavailable");
                    }
                    return;
                }
                Some(reason) if !reported => {
                    reported = true;
                    reminded = Instant::now();
                    tracing::warn!(
                        %reason,
                        "the database is unreachable: requests that need it are answered 503 with \
                         Retry-After, flags keep being served from memory; probing it every second"
                    );
                }
                Some(reason) if reminded.elapsed() >= REMIND_EVERY => {
                    reminded = Instant::now();
                    tracing::warn!(
                        %reason,
                        down_for_seconds = seconds,
                        refused,
                        "the database is still unreachable"
                    );
                }
                Some(_) => {}
            }
            tokio::time::sleep(PROBE_EVERY).await;
        }
    }

    fn status(&self) -> (u64, u64) {
        self.down
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or((0, 0), |d| (d.since.elapsed().as_secs(), d.refused))
    }
}
