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
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

mod sender;
pub use sender::{Attempt, SIGNATURE_HEADER, Sender, signature};

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
