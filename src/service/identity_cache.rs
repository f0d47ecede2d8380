//! Recently read identity states (identity, traits, overrides), kept in memory for SDK requests.
//
// A bounded least-recently-used map from (environment, identifier) to what
// `IdentityStore::identity_state` read. The change events keep it true: a write to one identity
// (its traits, its existence) drops that identity; a change in an environment (overrides,
// renames) makes the environment's entries stale; a project or organisation change, or changes
// possibly missed, make every entry stale. Staleness is counted, not swept: each entry remembers
// the counts it was read under and is a miss once they moved. A read from the database that an
// invalidation overtook is answered but not kept, so the cache never holds what was read before
// a change it has already been told of.

use crate::domain::feature_state::FeatureState;
use crate::domain::identity::{Identity, Trait};
use crate::domain::{EnvironmentId, IdentityId};
use hashlink::LruCache;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// An identity with its traits (by id) and its overrides (by feature).
pub type IdentityState = (Identity, Vec<Trait>, Vec<FeatureState>);

type Key = (EnvironmentId, String);

struct Entry {
    state: Arc<IdentityState>,
    /// The global and environment counts the state was read under.
    counts: (u64, u64),
}

#[derive(Default)]
struct Counts {
    /// Moves on a change that may touch any environment.
    global: u64,
    /// Moves on a change to one environment.
    environments: HashMap<EnvironmentId, u64>,
    /// Moves on every identity dropped, so that a read it overtook is not kept.
    identities: u64,
}

impl Counts {
    fn of(&self, env: EnvironmentId) -> (u64, u64) {
        (
            self.global,
            self.environments.get(&env).copied().unwrap_or(0),
        )
    }
}

struct Inner {
    entries: LruCache<Key, Entry>,
    ids: HashMap<IdentityId, Key>,
    counts: Counts,
}

/// Taken before reading from the database: whether what is read may be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    counts: (u64, u64),
    identities: u64,
}

/// The cache; `capacity` 0 keeps nothing.
pub struct IdentityCache {
    inner: Mutex<Inner>,
    capacity: usize,
}

impl IdentityCache {
    pub fn new(capacity: usize) -> Self {
        IdentityCache {
            inner: Mutex::new(Inner {
                entries: LruCache::new(capacity.max(1)),
                ids: HashMap::new(),
                counts: Counts::default(),
            }),
            capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state kept for this identifier, if it is still true; otherwise a ticket to keep the
    /// state about to be read.
    pub fn get(&self, env: EnvironmentId, identifier: &str) -> Result<Arc<IdentityState>, Ticket> {
        let mut inner = self.lock();
        let counts = inner.counts.of(env);
        let ticket = Ticket {
            counts,
            identities: inner.counts.identities,
        };
        if self.capacity == 0 {
            return Err(ticket);
        }
        let key = (env, identifier.to_string());
        match inner.entries.get(&key) {
            Some(entry) if entry.counts == counts => {
                metrics::counter!("flagstaff_identity_cache_total", "result" => "hit").increment(1);
                Ok(entry.state.clone())
            }
            _ => {
                metrics::counter!("flagstaff_identity_cache_total", "result" => "miss")
                    .increment(1);
                Err(ticket)
            }
        }
    }

    /// Keeps a state read under `ticket`, unless an invalidation came since.
    pub fn keep(&self, ticket: Ticket, state: Arc<IdentityState>) {
        if self.capacity == 0 {
            return;
        }
        let env = state.0.environment_id;
        let mut inner = self.lock();
        if inner.counts.of(env) != ticket.counts || inner.counts.identities != ticket.identities {
            return;
        }
        let key = (env, state.0.identifier.clone());
        inner.ids.insert(state.0.id, key.clone());
        let entry = Entry {
            state,
            counts: ticket.counts,
        };
        inner.entries.insert(key, entry);
        while inner.entries.len() > self.capacity {
            let Some((_, evicted)) = inner.entries.remove_lru() else {
                break;
            };
            inner.ids.remove(&evicted.state.0.id);
        }
    }

    /// One identity changed (its traits, or it was deleted).
    pub fn drop_identity(&self, id: IdentityId) {
        let mut inner = self.lock();
        inner.counts.identities += 1;
        if let Some(key) = inner.ids.remove(&id) {
            inner.entries.remove(&key);
        }
    }

    /// Something in the environment changed that identity states carry (overrides, renames).
    pub fn drop_environment(&self, env: EnvironmentId) {
        let mut inner = self.lock();
        *inner.counts.environments.entry(env).or_default() += 1;
    }

    /// Anything may have changed.
    pub fn drop_all(&self) {
        let mut inner = self.lock();
        inner.counts.global += 1;
        inner.counts.identities += 1;
    }

    /// Entries held (stale ones included, until they are read or evicted).
    pub fn entries(&self) -> usize {
        self.lock().entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, SystemClock};

    fn state(env: i64, id: i64, identifier: &str) -> Arc<IdentityState> {
        Arc::new((
            Identity {
                id: IdentityId(id),
                environment_id: EnvironmentId(env),
                identifier: identifier.into(),
                created_date: SystemClock.now(),
            },
            Vec::new(),
            Vec::new(),
        ))
    }

    fn read(cache: &IdentityCache, env: i64, identifier: &str) -> Option<i64> {
        cache
            .get(EnvironmentId(env), identifier)
            .ok()
            .map(|s| s.0.id.0)
    }

    fn fill(cache: &IdentityCache, env: i64, id: i64, identifier: &str) {
        let ticket = cache.get(EnvironmentId(env), identifier).unwrap_err();
        cache.keep(ticket, state(env, id, identifier));
    }

    #[test]
    fn changes_drop_what_they_touch_and_no_more() {
        let cache = IdentityCache::new(10);
        fill(&cache, 1, 11, "ada");
        fill(&cache, 1, 12, "bob");
        fill(&cache, 2, 21, "ada");
        assert_eq!(read(&cache, 1, "ada"), Some(11));

        cache.drop_identity(IdentityId(11));
        assert_eq!(read(&cache, 1, "ada"), None);
        assert_eq!(read(&cache, 1, "bob"), Some(12));

        cache.drop_environment(EnvironmentId(1));
        assert_eq!(read(&cache, 1, "bob"), None);
        assert_eq!(read(&cache, 2, "ada"), Some(21));

        cache.drop_all();
        assert_eq!(read(&cache, 2, "ada"), None);
    }

    #[test]
    fn a_read_overtaken_by_a_change_is_not_kept() {
        let cache = IdentityCache::new(10);
        let ticket = cache.get(EnvironmentId(1), "ada").unwrap_err();
        cache.drop_identity(IdentityId(11));
        cache.keep(ticket, state(1, 11, "ada"));
        assert_eq!(read(&cache, 1, "ada"), None);

        let ticket = cache.get(EnvironmentId(1), "ada").unwrap_err();
        cache.drop_environment(EnvironmentId(1));
        cache.keep(ticket, state(1, 11, "ada"));
        assert_eq!(read(&cache, 1, "ada"), None);
    }

    #[test]
    fn the_least_recently_read_go_first_and_the_size_stays_bounded() {
        let cache = IdentityCache::new(2);
        fill(&cache, 1, 1, "a");
        fill(&cache, 1, 2, "b");
        assert_eq!(read(&cache, 1, "a"), Some(1));
        fill(&cache, 1, 3, "c");
        assert_eq!(cache.entries(), 2);
        assert_eq!(read(&cache, 1, "b"), None);
        assert_eq!(read(&cache, 1, "a"), Some(1));
        assert_eq!(read(&cache, 1, "c"), Some(3));

        let off = IdentityCache::new(0);
        fill(&off, 1, 1, "a");
        assert_eq!(read(&off, 1, "a"), None);
    }
}
