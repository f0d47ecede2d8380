//! Telling the rest of the server which scopes a committed write changed.
//
// Every audited write moves the `updated_at` of the environments in its scope (`bump` in each
// backend's audit file), and that same call notes the scope in the write's transaction. When the
// transaction commits, the backend hands the scopes to the [`ChangeSink`] the service attached;
// a write that rolls back tells nobody.

use super::audit::Scope;
use std::ops::Deref;
use std::sync::{Arc, Mutex, RwLock, Weak};

/// Told, after each commit, which scopes the write changed.
pub trait ChangeSink: Send + Sync {
    fn changed(&self, scopes: &[Scope]);
}

/// A backend's write transaction, noting the scopes its changes touch for the sinks.
pub(crate) struct Noting<T> {
    tx: T,
    changed: Mutex<Vec<Scope>>,
}

impl<T> Noting<T> {
    pub fn new(tx: T) -> Self {
        Noting {
            tx,
            changed: Mutex::new(Vec::new()),
        }
    }

    /// Notes that this write changed what `scope` covers.
    pub fn changed(&self, scope: Scope) {
        self.changed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(scope);
    }

    /// The transaction, to commit, and the scopes to tell once it has.
    pub fn into_parts(self) -> (T, Vec<Scope>) {
        let changed = self.changed.into_inner().unwrap_or_else(|e| e.into_inner());
        (self.tx, changed)
    }
}

impl<T> Deref for Noting<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.tx
    }
}

/// The sinks a store tells: each service attached to it, for as long as that service lives.
#[derive(Default)]
pub(crate) struct Listener(RwLock<Vec<Weak<dyn ChangeSink>>>);

impl Listener {
    /// Attaches a sink, held weakly: the store does not keep a dropped service's sink alive.
    pub fn attach(&self, sink: &Arc<dyn ChangeSink>) {
        let mut sinks = self.0.write().unwrap_or_else(|e| e.into_inner());
        sinks.retain(|s| s.strong_count() > 0);
        sinks.push(Arc::downgrade(sink));
    }

    /// Tells the sinks about a committed write's scopes, each once, in the order first seen.
    pub fn committed(&self, mut scopes: Vec<Scope>) {
        if scopes.is_empty() {
            return;
        }
        let mut seen = Vec::with_capacity(scopes.len());
        scopes.retain(|s| {
            let first = !seen.contains(s);
            seen.push(*s);
            first
        });
        let sinks = self.0.read().unwrap_or_else(|e| e.into_inner());
        for sink in sinks.iter().filter_map(Weak::upgrade) {
            sink.changed(&scopes);
        }
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sinks = self.0.read().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("Listener")
            .field("sinks", &sinks.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EnvironmentId, ProjectId};
    use std::sync::Mutex;

    #[derive(Default)]
    struct Seen(Mutex<Vec<Vec<Scope>>>);
    impl ChangeSink for Seen {
        fn changed(&self, scopes: &[Scope]) {
            self.0.lock().unwrap().push(scopes.to_vec());
        }
    }

    #[test]
    fn a_commit_tells_each_scope_once_and_an_empty_one_tells_nothing() {
        let listener = Listener::default();
        let seen = Arc::new(Seen::default());
        listener.attach(&(seen.clone() as Arc<dyn ChangeSink>));
        let env = Scope::Environment(EnvironmentId(3));
        let project = Scope::Project(ProjectId(1));
        listener.committed(vec![env, project, env]);
        listener.committed(Vec::new());
        assert_eq!(*seen.0.lock().unwrap(), vec![vec![env, project]]);
    }

    #[test]
    fn a_dropped_sink_is_let_go() {
        let listener = Listener::default();
        let first: Arc<dyn ChangeSink> = Arc::new(Seen::default());
        listener.attach(&first);
        drop(first);
        let second: Arc<dyn ChangeSink> = Arc::new(Seen::default());
        listener.attach(&second);
        assert_eq!(format!("{listener:?}"), "Listener { sinks: 1 }");
    }
}
