//! What a committed change sets off: snapshots and identities dropped, streams and webhooks woken.
//
// The store tells [`Changes`] the scopes of every committed write (see `store::ChangeSink`);
// this is the one place that decides what follows from a change.

use super::identity_cache::IdentityCache;
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
    identities: Arc<IdentityCache>,
}

impl Changes {
    pub fn new(
        snapshots: Arc<Snapshots>,
        realtime: Arc<Realtime>,
        deliveries: Arc<Notify>,
        identities: Arc<IdentityCache>,
    ) -> Self {
        Changes {
            snapshots,
            realtime,
            deliveries,
            identities,
        }
    }
}

impl ChangeSink for Changes {
    fn changed(&self, scopes: &[Scope]) {
        let mut flags = false;
        for scope in scopes {
            match *scope {
                Scope::Environment(env) => {
                    self.snapshots.invalidate_environment(env);
                    self.identities.drop_environment(env);
                }
                Scope::Project(project) => {
                    self.snapshots.invalidate_project(project);
                    self.identities.drop_all();
                }
                Scope::Organisation(organisation) => {
                    self.snapshots.invalidate_organisation(organisation);
                    self.identities.drop_all();
                }
                Scope::Identity(identity) => {
                    self.identities.drop_identity(identity);
                    continue;
                }
            }
            flags = true;
        }
        // Trait writes change no flag, no stream's answer and no webhook.
        if flags {
            self.realtime.wake();
            self.deliveries.notify_one();
        }
    }

    fn missed(&self) {
        self.snapshots.invalidate_all();
        self.identities.drop_all();
        self.realtime.wake();
    }
}
