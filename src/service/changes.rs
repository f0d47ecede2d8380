//! What a committed change sets off: its scopes' snapshots are dropped, realtime streams told,
//! the webhook dispatcher woken.
//
// The store tells [`Changes`] the scopes of every committed write (see `store::ChangeSink`);
// this is the one place that decides what follows from a change.

use super::realtime::Realtime;
use crate::snapshot::Snapshots;
use crate::store::{ChangeSink, Scope};
use std::sync::Arc;
use tokio::sync::Notify;

/// The service's side of the store's change sink.
pub(crate) struct Changes {
    snapshots: Arc<Snapshots>,
    realtime: Arc<Realtime>,
    /// Wakes the webhook dispatcher: the change may have written deliveries.
    deliveries: Arc<Notify>,
}

impl Changes {
    pub fn new(
        snapshots: Arc<Snapshots>,
        realtime: Arc<Realtime>,
        deliveries: Arc<Notify>,
    ) -> Self {
        Changes {
            snapshots,
            realtime,
            deliveries,
        }
    }
}

impl ChangeSink for Changes {
    fn changed(&self, scopes: &[Scope]) {
        for scope in scopes {
            match *scope {
                Scope::Environment(env) => self.snapshots.invalidate_environment(env),
                Scope::Project(project) => self.snapshots.invalidate_project(project),
                Scope::Organisation(organisation) => {
                    self.snapshots.invalidate_organisation(organisation)
                }
            }
        }
        self.realtime.wake();
        self.deliveries.notify_one();
    }

    fn missed(&self) {
        self.snapshots.invalidate_all();
        self.realtime.wake();
    }
}
