//! Telling the rest of the server which scopes a committed write changed.
//
// Every audited write moves the `updated_at` of the environments in its scope (`bump` in each
// backend's audit file), and that same call notes the scope in the write's transaction. When the
// transaction commits, the backend hands the scopes to the [`ChangeSink`] the service attached;
// a write that rolls back tells nobody.

use super::audit::Scope;
use crate::domain::{EnvironmentId, IdentityId, OrganisationId, ProjectId};
use std::ops::Deref;
use std::sync::{Arc, Mutex, RwLock, Weak};

/// Told, after each commit, which scopes the write changed.
pub trait ChangeSink: Send + Sync {
    fn changed(&self, scopes: &[Scope]);

    /// Changes may have been missed (the connection that hears other processes' changes was
    /// lost and is back): anything may have changed.
    fn missed(&self);
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

    /// The transaction, to commit, and the scopes to tell once it has (each once).
    pub fn into_parts(self) -> (T, Vec<Scope>) {
        let changed = self.changed.into_inner().unwrap_or_else(|e| e.into_inner());
        (self.tx, distinct(changed))
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

    /// Tells the sinks about a committed write's scopes.
    pub fn committed(&self, scopes: Vec<Scope>) {
        if scopes.is_empty() {
            return;
        }
        for sink in self.sinks() {
            sink.changed(&scopes);
        }
    }

    /// Tells the sinks that changes may have been missed.
    pub fn missed(&self) {
        for sink in self.sinks() {
            sink.missed();
        }
    }

    fn sinks(&self) -> Vec<Arc<dyn ChangeSink>> {
        let sinks = self.0.read().unwrap_or_else(|e| e.into_inner());
        sinks.iter().filter_map(Weak::upgrade).collect()
    }
}

/// Each scope once, in the order first seen.
fn distinct(mut scopes: Vec<Scope>) -> Vec<Scope> {
    let mut seen = Vec::with_capacity(scopes.len());
    scopes.retain(|s| {
        let first = !seen.contains(s);
        seen.push(*s);
        first
    });
    scopes
}

/// The text of a change notice between processes: the sending process, then its scopes
/// (`e12 p3 o1 i7`: environment 12, project 3, organisation 1, identity 7).
pub(crate) fn notice(node: &str, scopes: &[Scope]) -> String {
    let mut text = node.to_string();
    for scope in scopes {
        let (kind, id) = match scope {
            Scope::Environment(e) => ('e', e.0),
            Scope::Project(p) => ('p', p.0),
            Scope::Organisation(o) => ('o', o.0),
            Scope::Identity(i) => ('i', i.0),
        };
        text.push_str(&format!(" {kind}{id}"));
    }
    text
}

/// The sending process and scopes of a change notice; `None` when it is not one.
pub(crate) fn read_notice(text: &str) -> Option<(&str, Vec<Scope>)> {
    let mut words = text.split(' ');
    let node = words.next().filter(|n| !n.is_empty())?;
    let scopes = words
        .map(|word| {
            let id: i64 = word.get(1..)?.parse().ok()?;
            match word.as_bytes().first()? {
                b'e' => Some(Scope::Environment(EnvironmentId(id))),
                b'p' => Some(Scope::Project(ProjectId(id))),
                b'o' => Some(Scope::Organisation(OrganisationId(id))),
                b'i' => Some(Scope::Identity(IdentityId(id))),
                _ => None,
            }
        })
        .collect::<Option<Vec<Scope>>>()?;
    Some((node, scopes))
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

    #[derive(Default)]
    struct Seen(Mutex<Vec<Vec<Scope>>>);
    impl ChangeSink for Seen {
        fn changed(&self, scopes: &[Scope]) {
            self.0.lock().unwrap().push(scopes.to_vec());
        }
        fn missed(&self) {}
    }

    #[test]
    fn a_notice_reads_back_and_anything_else_is_refused() {
        let scopes = [
            Scope::Environment(EnvironmentId(12)),
            Scope::Project(ProjectId(3)),
            Scope::Organisation(OrganisationId(1)),
            Scope::Identity(IdentityId(7)),
        ];
        let text = notice("node-a", &scopes);
        assert_eq!(text, "node-a e12 p3 o1 i7");
        assert_eq!(read_notice(&text), Some(("node-a", scopes.to_vec())));
        assert_eq!(read_notice("node-b"), Some(("node-b", vec![])));
        for bad in ["", "n x12", "n e", "n e1x", "n  e1"] {
            assert_eq!(read_notice(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_commit_tells_each_scope_once_and_an_empty_one_tells_nothing() {
        let listener = Listener::default();
        let seen = Arc::new(Seen::default());
        listener.attach(&(seen.clone() as Arc<dyn ChangeSink>));
        let env = Scope::Environment(EnvironmentId(3));
        let project = Scope::Project(ProjectId(1));
        let tx = Noting::new(());
        for scope in [env, project, env] {
            tx.changed(scope);
        }
        let ((), changed) = tx.into_parts();
        listener.committed(changed);
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
