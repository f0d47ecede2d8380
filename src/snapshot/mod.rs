//! Per-environment evaluation snapshots: SDK requests read flags from memory, never from SQL.
//
// A snapshot is built on first use from what its source (the service, over the store) reads,
// and kept until a change invalidates it.
// Management writes invalidate the environments they touch before they answer, so the next
// SDK request sees the change; a periodic check of `updated_at` catches changes made by other
// servers sharing the database.

mod build;
mod document;
mod flags;
mod identity_flags;
mod source;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;

pub use build::{hashing_seed, value_json};
pub use flags::Rendered;
pub use flags::{
    EnvironmentView, FeatureView, Served, environment_flag, flag_json, identity_variant,
};
pub use identity_flags::{IdentityFlags, Resolved, Source};
pub use source::{Inputs, SegmentOverrides, SnapshotError, SnapshotSource};

use crate::domain::environment::{Environment, ServerKey};
use crate::domain::feature::{Feature, MvOption};
use crate::domain::feature_state::FeatureState;
use crate::domain::organisation::Organisation;
use crate::domain::project::Project;
use crate::domain::{EnvironmentId, FeatureId, MvOptionId, OrganisationId, ProjectId, Timestamp};

/// Which kind of environment key a request presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Client,
    Server,
}

/// A feature and its environment default.
#[derive(Debug, Clone)]
pub struct FeatureEntry {
    pub feature: Feature,
    pub default: FeatureState,
    /// The flag objects' `feature`, rendered once (it is the same in every flag).
    pub rendered: Value,
    /// The same, as JSON text.
    pub rendered_raw: Box<serde_json::value::RawValue>,
}

/// Everything the SDK endpoints need about one environment, immutable once built.
pub struct EnvSnapshot {
    pub environment: Environment,
    pub project: Project,
    pub organisation: Organisation,
    /// In the order of their default states' ids.
    pub features: Vec<FeatureEntry>,
    by_name: HashMap<String, usize>,
    by_folded_name: HashMap<String, usize>,
    pub options: HashMap<MvOptionId, MvOption>,
    pub server_keys: Vec<ServerKey>,
    pub model: crate::engine::Environment,
    /// The effective `hide_disabled_flags`.
    pub hide_disabled: bool,
    /// `X-Flagsmith-Document-Updated-At`: `updated_at` as POSIX seconds.
    pub updated_at_header: String,
    /// `GET /flags/` bodies, rendered once.
    pub flags_for_client: Rendered,
    pub flags_for_server: Rendered,
    /// The environment document, rendered on first request.
    document: tokio::sync::OnceCell<bytes::Bytes>,
}

impl std::fmt::Debug for EnvSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvSnapshot")
            .field("environment", &self.environment.id)
            .field("features", &self.features.len())
            .finish_non_exhaustive()
    }
}

impl EnvSnapshot {
    pub(crate) fn new(
        environment: Environment,
        project: Project,
        organisation: Organisation,
        features: Vec<FeatureEntry>,
        options: HashMap<MvOptionId, MvOption>,
        server_keys: Vec<ServerKey>,
        model: crate::engine::Environment,
    ) -> Self {
        let mut features = features;
        let view = flags::environment_view(&environment);
        for entry in &mut features {
            entry.rendered = flags::feature_object(view, &entry.feature);
            entry.rendered_raw = serde_json::value::to_raw_value(&entry.rendered)
                .unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned());
        }
        let mut by_name = HashMap::new();
        let mut by_folded_name = HashMap::new();
        for (i, entry) in features.iter().enumerate() {
            by_name.insert(entry.feature.name.clone(), i);
            by_folded_name
                .entry(entry.feature.name.to_lowercase())
                .or_insert(i);
        }
        let hide_disabled = environment
            .settings
            .hide_disabled_flags
            .unwrap_or(project.settings.hide_disabled_flags);
        let updated_at_header = posix_seconds(environment.updated_at);
        let mut snapshot = EnvSnapshot {
            environment,
            project,
            organisation,
            features,
            by_name,
            by_folded_name,
            options,
            server_keys,
            model,
            hide_disabled,
            updated_at_header,
            flags_for_client: Rendered::default(),
            flags_for_server: Rendered::default(),
            document: tokio::sync::OnceCell::new(),
        };
        snapshot.flags_for_client = flags::environment_flags(&snapshot, Origin::Client);
        snapshot.flags_for_server = flags::environment_flags(&snapshot, Origin::Server);
        snapshot
    }

    /// The feature of this name; `case_sensitive` as `/identities/` wants, else as `/flags/`.
    pub fn feature_named(&self, name: &str, case_sensitive: bool) -> Option<&FeatureEntry> {
        let index = if case_sensitive {
            self.by_name.get(name)
        } else {
            self.by_folded_name.get(&name.to_lowercase())
        };
        index.map(|i| &self.features[*i])
    }

    /// Whether a feature is served to this kind of key at all.
    pub fn visible_to(&self, feature: &Feature, origin: Origin) -> bool {
        origin == Origin::Server || !feature.settings.is_server_key_only
    }

    pub fn feature_index(&self) -> HashMap<FeatureId, usize> {
        self.features
            .iter()
            .enumerate()
            .map(|(i, e)| (e.feature.id, i))
            .collect()
    }
}

/// `updated_at` as the float of POSIX seconds the SDKs parse.
fn posix_seconds(t: Timestamp) -> String {
    format!("{}.{:06}", t.timestamp(), t.timestamp_subsec_micros())
}

/// The environment a presented key names.
#[derive(Debug, Clone)]
enum KeyRef {
    Client(EnvironmentId),
    Server(ServerKey),
}

/// The snapshots of every environment in use, and the keys that lead to them.
pub struct Snapshots {
    source: Arc<dyn SnapshotSource>,
    entries: RwLock<HashMap<EnvironmentId, Arc<EnvSnapshot>>>,
    keys: RwLock<HashMap<String, KeyRef>>,
    building: tokio::sync::Mutex<()>,
    /// Counts invalidations. A snapshot or key read from the database is cached only if no
    /// invalidation came while it was read: a change committed meanwhile would be lost.
    generation: Mutex<u64>,
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshots").finish_non_exhaustive()
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

/// A key lookup's answer.
pub enum KeyLookup {
    Found(Arc<EnvSnapshot>, Origin),
    /// No environment has this key (or the server key is inactive or expired).
    Unknown,
}

impl Snapshots {
    pub fn new(source: Arc<dyn SnapshotSource>) -> Self {
        Snapshots {
            source,
            entries: RwLock::new(HashMap::new()),
            keys: RwLock::new(HashMap::new()),
            building: tokio::sync::Mutex::new(()),
            generation: Mutex::new(0),
        }
    }

    /// The snapshot of the environment a client or server key names.
    pub async fn for_key(&self, key: &str, now: Timestamp) -> Result<KeyLookup, SnapshotError> {
        let known = read(&self.keys).get(key).cloned();
        let found = match known {
            Some(found) => found,
            None => match (self.generation(), self.resolve(key).await?) {
                (generation, Some(found)) => {
                    self.keep(generation, || {
                        write(&self.keys).insert(key.to_string(), found.clone());
                    });
                    found
                }
                (_, None) => return Ok(KeyLookup::Unknown),
            },
        };
        let (env, origin) = match found {
            KeyRef::Client(env) => (env, Origin::Client),
            KeyRef::Server(server) if server.is_valid(now) => {
                (server.environment_id, Origin::Server)
            }
            KeyRef::Server(_) => return Ok(KeyLookup::Unknown),
        };
        match self.get(env).await {
            Ok(snapshot) => Ok(KeyLookup::Found(snapshot, origin)),
            Err(SnapshotError::NotFound) => {
                write(&self.keys).remove(key);
                Ok(KeyLookup::Unknown)
            }
            Err(e) => Err(e),
        }
    }

    async fn resolve(&self, key: &str) -> Result<Option<KeyRef>, SnapshotError> {
        if key.starts_with("ser.") {
            Ok(self.source.server_key(key).await?.map(KeyRef::Server))
        } else {
            Ok(self
                .source
                .environment_with_key(key)
                .await?
                .map(KeyRef::Client))
        }
    }

    /// The environment's snapshot, built when missing (one build at a time).
    pub async fn get(&self, env: EnvironmentId) -> Result<Arc<EnvSnapshot>, SnapshotError> {
        if let Some(found) = read(&self.entries).get(&env) {
            return Ok(found.clone());
        }
        let _building = self.building.lock().await;
        if let Some(found) = read(&self.entries).get(&env) {
            return Ok(found.clone());
        }
        let generation = self.generation();
        let started = std::time::Instant::now();
        let snapshot = loop {
            let built = build::build(self.source.inputs(env).await?)?;
            // A change that landed while reading moved updated_at: read again.
            let now = self.source.updated_at(env).await?;
            if now == built.environment.updated_at {
                break Arc::new(built);
            }
        };
        metrics::counter!("flagstaff_snapshot_builds_total").increment(1);
        metrics::histogram!("flagstaff_snapshot_build_duration_seconds")
            .record(started.elapsed().as_secs_f64());
        self.keep(generation, || {
            write(&self.entries).insert(env, snapshot.clone());
        });
        Ok(snapshot)
    }

    fn generation(&self) -> u64 {
        *lock(&self.generation)
    }

    /// Runs `insert` unless an invalidation came since `generation`.
    fn keep(&self, generation: u64, insert: impl FnOnce()) {
        let current = lock(&self.generation);
        if *current == generation {
            insert();
        }
    }

    /// The snapshot's environment document, rendered once.
    pub async fn document(&self, snapshot: &EnvSnapshot) -> Result<bytes::Bytes, SnapshotError> {
        snapshot
            .document
            .get_or_try_init(|| async {
                let env = &snapshot.environment;
                let segments = self
                    .source
                    .segment_overrides(env.id, snapshot.project.id)
                    .await?;
                let identities = if env.settings.use_identity_overrides_in_local_eval {
                    self.source.identity_overrides(env.id).await?
                } else {
                    Vec::new()
                };
                Ok(document::build(snapshot, &segments, &identities))
            })
            .await
            .cloned()
    }

    /// Drops an environment's snapshot and the keys that lead to it.
    pub fn invalidate_environment(&self, env: EnvironmentId) {
        *lock(&self.generation) += 1;
        write(&self.entries).remove(&env);
        write(&self.keys).retain(|_, k| match k {
            KeyRef::Client(e) => *e != env,
            KeyRef::Server(s) => s.environment_id != env,
        });
    }

    /// Drops the snapshots of every environment of a project.
    pub fn invalidate_project(&self, project: ProjectId) {
        self.invalidate_where(|s| s.project.id == project);
    }

    /// Drops the snapshots of every environment of an organisation.
    pub fn invalidate_organisation(&self, organisation: OrganisationId) {
        self.invalidate_where(|s| s.organisation.id == organisation);
    }

    fn invalidate_where(&self, pick: impl Fn(&EnvSnapshot) -> bool) {
        // Counted even when nothing is cached: a snapshot may be being read.
        *lock(&self.generation) += 1;
        let envs: Vec<EnvironmentId> = read(&self.entries)
            .values()
            .filter(|s| pick(s))
            .map(|s| s.environment.id)
            .collect();
        for env in envs {
            self.invalidate_environment(env);
        }
    }

    /// Drops everything.
    pub fn invalidate_all(&self) {
        *lock(&self.generation) += 1;
        write(&self.entries).clear();
        write(&self.keys).clear();
    }

    /// Builds the snapshot of every environment, so that the first SDK request after a start
    /// finds it ready; answers how many were built.
    pub async fn warm(&self) -> Result<usize, SnapshotError> {
        let environments = self.source.environment_versions().await?;
        for (env, _) in &environments {
            self.get(*env).await?;
        }
        Ok(environments.len())
    }

    /// Drops the snapshots whose environment changed or went away since they were built (by
    /// another process on the same database); answers how many were dropped.
    pub async fn drop_stale(&self) -> Result<usize, SnapshotError> {
        let current: HashMap<EnvironmentId, Timestamp> = self
            .source
            .environment_versions()
            .await?
            .into_iter()
            .collect();
        let stale: Vec<EnvironmentId> = read(&self.entries)
            .values()
            .filter(|s| current.get(&s.environment.id) != Some(&s.environment.updated_at))
            .map(|s| s.environment.id)
            .collect();
        for env in &stale {
            self.invalidate_environment(*env);
        }
        Ok(stale.len())
    }
}
