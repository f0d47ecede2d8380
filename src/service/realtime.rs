//! Realtime: the environments SDKs stream, and the `updated_at` each stream is told.
//
// A stream subscribes to its environment's `watch` channel, which holds the environment's
// latest `updated_at` (epoch seconds). After every change the change sink wakes one task, which
// reads each streamed environment's snapshot (rebuilding what the change dropped) and moves the
// channel when `updated_at` moved. An environment that is gone closes its streams. Idle streams
// cost a channel receiver each; nothing runs for them between changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{Notify, watch};

use super::{Service, ServiceError, ServiceResult};
use crate::domain::{EnvironmentId, Timestamp};
use crate::snapshot::{KeyLookup, Origin, SnapshotError, Snapshots};

/// A stream of one environment's `updated_at`, in epoch seconds; it ends when the environment
/// is deleted or the server stops.
pub type Updates = watch::Receiver<f64>;

/// The environments SDKs stream, and the wake-up after changes.
#[derive(Default)]
pub(crate) struct Realtime {
    channels: Mutex<HashMap<EnvironmentId, watch::Sender<f64>>>,
    changed: Notify,
    started: OnceLock<()>,
    closing: watch::Sender<bool>,
}

impl Realtime {
    /// Called by the change sink: something changed, the streams may need telling.
    pub fn wake(&self) {
        self.changed.notify_one();
    }

    /// Ends every stream (the server is stopping).
    pub fn close(&self) {
        self.closing.send_replace(true);
        lock(&self.channels).clear();
    }

    fn subscribe(
        self: &Arc<Self>,
        env: EnvironmentId,
        now: f64,
        snapshots: &Arc<Snapshots>,
    ) -> Updates {
        if *self.closing.borrow() {
            // A stream that ends at once.
            return watch::channel(now).1;
        }
        if self.started.set(()).is_ok() {
            tokio::spawn(tell(self.clone(), snapshots.clone()));
        }
        let updates = {
            let mut channels = lock(&self.channels);
            let sender = channels.entry(env).or_insert_with(|| watch::channel(now).0);
            sender.send_if_modified(|v| later(v, now));
            sender.subscribe()
        };
        // A change between reading `now` and here found no channel to move: look again.
        self.wake();
        updates
    }

    /// How many streams are open.
    pub fn open(&self) -> usize {
        lock(&self.channels)
            .values()
            .map(|s| s.receiver_count())
            .sum()
    }
}

/// After each wake-up, moves the channel of every streamed environment whose `updated_at`
/// moved, and closes those of environments that are gone.
async fn tell(realtime: Arc<Realtime>, snapshots: Arc<Snapshots>) {
    loop {
        realtime.changed.notified().await;
        let streamed: Vec<EnvironmentId> = {
            let mut channels = lock(&realtime.channels);
            channels.retain(|_, s| s.receiver_count() > 0);
            channels.keys().copied().collect()
        };
        for env in streamed {
            let now = match snapshots.get(env).await {
                Ok(snapshot) => Some(epoch_seconds(snapshot.environment.updated_at)),
                Err(SnapshotError::NotFound) => None,
                Err(e) => {
                    tracing::warn!(error = %e, environment = env.0, "could not read a streamed environment");
                    continue;
                }
            };
            let mut channels = lock(&realtime.channels);
            match now {
                Some(now) => {
                    if let Some(sender) = channels.get(&env) {
                        sender.send_if_modified(|v| later(v, now));
                    }
                }
                // Dropping the sender ends the environment's streams.
                None => {
                    channels.remove(&env);
                }
            }
        }
    }
}

fn later(current: &mut f64, now: f64) -> bool {
    if now > *current {
        *current = now;
        true
    } else {
        false
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `updated_at` as SDKs compare it: epoch seconds with microseconds.
pub fn epoch_seconds(t: Timestamp) -> f64 {
    t.timestamp_micros() as f64 / 1e6
}

impl Service {
    /// The updates of the environment a client key names (the key SDKs put in the stream's
    /// address); `NotFound` for any other key.
    pub async fn environment_updates(&self, key: &str) -> ServiceResult<Updates> {
        match self.snapshots.for_key(key, self.clock.now()).await? {
            KeyLookup::Found(snapshot, Origin::Client) => Ok(self.realtime.subscribe(
                snapshot.environment.id,
                epoch_seconds(snapshot.environment.updated_at),
                &self.snapshots,
            )),
            _ => Err(ServiceError::NotFound(None)),
        }
    }

    /// Ends every realtime stream, so that stopping the server waits for none.
    pub fn close_streams(&self) {
        self.realtime.close();
    }

    /// How many realtime streams are open.
    pub fn open_streams(&self) -> usize {
        self.realtime.open()
    }

    /// Sets the gauges that describe this moment: streams open, identity states kept,
    /// database connections.
    pub fn observe(&self) {
        metrics::gauge!("flagstaff_realtime_streams_open").set(self.open_streams() as f64);
        metrics::gauge!("flagstaff_identity_cache_entries").set(self.identities.entries() as f64);
        let connections = self.store.connections();
        for (state, count) in [
            ("busy", connections.busy),
            ("idle", connections.idle),
            ("waiting", connections.waiting),
        ] {
            metrics::gauge!("flagstaff_database_connections", "state" => state).set(count as f64);
        }
    }
}
