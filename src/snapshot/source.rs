//! What snapshots are built from, as plain domain data, and the source outside that reads it.
//
// The service implements `SnapshotSource` over the store (`service/snapshot_source.rs`); this
// module turns the data into snapshots and never reads storage itself.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::domain::environment::{Environment, ServerKey};
use crate::domain::feature::{Feature, MvOption};
use crate::domain::feature_state::{FeatureSegment, FeatureState, Scope};
use crate::domain::identity::Identity;
use crate::domain::organisation::Organisation;
use crate::domain::project::Project;
use crate::domain::segment::Segment;
use crate::domain::{EnvironmentId, FeatureSegmentId, ProjectId, Timestamp};

/// Why a snapshot or its document could not be had. Worded as the store's errors, which are
/// what a source reports, so that logs read the same.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The environment, or something it needs, does not exist.
    #[error("not found")]
    NotFound,
    /// The source cannot answer right now; worth retrying.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

impl SnapshotError {
    /// Whether the source could not answer right now (the database is down or too busy).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, SnapshotError::Unavailable(_))
    }
}

/// Everything an environment's snapshot is built from.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub environment: Environment,
    pub project: Project,
    pub organisation: Organisation,
    /// Every feature of the project, each once.
    pub features: Vec<Feature>,
    /// The options of the project's multivariate features.
    pub options: Vec<MvOption>,
    /// The environment's default states, one per feature, ordered by feature id.
    pub defaults: Vec<FeatureState>,
    pub segment_overrides: SegmentOverrides,
    pub server_keys: Vec<ServerKey>,
}

/// The project's segments and the environment's overrides for them.
#[derive(Debug, Clone)]
pub struct SegmentOverrides {
    /// The environment's feature segments (a feature overridden for a segment, with its
    /// priority), ordered by feature id and priority.
    pub feature_segments: Vec<FeatureSegment>,
    /// The states of those overrides (scope `Segment`), ordered by id.
    pub states: Vec<FeatureState>,
    /// Every segment of the project with its rules, ordered by id.
    pub segments: Vec<Segment>,
}

impl SegmentOverrides {
    /// The override states by the feature segment they belong to.
    pub fn states_by_feature_segment(&self) -> HashMap<FeatureSegmentId, &FeatureState> {
        self.states
            .iter()
            .filter_map(|s| match s.scope {
                Scope::Segment(fs) => Some((fs, s)),
                _ => None,
            })
            .collect()
    }
}

/// Where snapshots come from. Each method answers `NotFound` only where it says so.
#[async_trait]
pub trait SnapshotSource: Send + Sync {
    /// What the environment's snapshot is built from, read in several steps: a change that
    /// lands in between moves `updated_at`, which `updated_at` below then shows.
    /// `NotFound` when the environment (or its project or organisation) does not exist.
    async fn inputs(&self, env: EnvironmentId) -> Result<Inputs, SnapshotError>;

    /// The environment's `updated_at` now; `NotFound` when it is gone.
    async fn updated_at(&self, env: EnvironmentId) -> Result<Timestamp, SnapshotError>;

    /// The project's segments and the environment's overrides for them.
    async fn segment_overrides(
        &self,
        env: EnvironmentId,
        project: ProjectId,
    ) -> Result<SegmentOverrides, SnapshotError>;

    /// The environment's identity overrides, grouped by identity in ascending id order;
    /// identities that went away meanwhile are left out.
    async fn identity_overrides(
        &self,
        env: EnvironmentId,
    ) -> Result<Vec<(Identity, Vec<FeatureState>)>, SnapshotError>;

    /// The server key with this key text, whatever its state.
    async fn server_key(&self, key: &str) -> Result<Option<ServerKey>, SnapshotError>;

    /// The environment whose client key this is.
    async fn environment_with_key(
        &self,
        api_key: &str,
    ) -> Result<Option<EnvironmentId>, SnapshotError>;

    /// Every environment's id and `updated_at`, for checking cached snapshots.
    async fn environment_versions(&self) -> Result<Vec<(EnvironmentId, Timestamp)>, SnapshotError>;
}
