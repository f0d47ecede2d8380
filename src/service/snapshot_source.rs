//! The store as the source evaluation snapshots are built from.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::environment::ServerKey;
use crate::domain::feature::{FeatureQuery, FeatureType};
use crate::domain::feature_state::{FeatureState, Scope};
use crate::domain::identity::Identity;
use crate::domain::{EnvironmentId, IdentityId, PageRequest, ProjectId, Timestamp};
use crate::snapshot::{Inputs, SegmentOverrides, SnapshotError, SnapshotSource};
use crate::store::{Store, StoreError};

/// Reads what a snapshot needs from the store, one store call per piece.
pub(super) struct StoreSource {
    store: Arc<dyn Store>,
}

impl StoreSource {
    pub(super) fn new(store: Arc<dyn Store>) -> Self {
        StoreSource { store }
    }
}

impl From<StoreError> for SnapshotError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => SnapshotError::NotFound,
            StoreError::Unavailable(why) => SnapshotError::Unavailable(why),
            // Reads do not lose uniqueness races; should one say so, it is a fault.
            StoreError::Conflict(what) => SnapshotError::Other(format!("conflict: {what}")),
            StoreError::Other(why) => SnapshotError::Other(why),
        }
    }
}

#[async_trait]
impl SnapshotSource for StoreSource {
    async fn inputs(&self, env: EnvironmentId) -> Result<Inputs, SnapshotError> {
        let store = &self.store;
        let environment = store.environment(env).await?;
        let project = store.project(environment.project_id).await?;
        let organisation = store.organisation(project.organisation_id).await?;
        // By id: a feature that moved between pages while they were read counts once.
        let mut features = HashMap::new();
        let query = FeatureQuery::default();
        let mut page = 1;
        loop {
            let request = PageRequest {
                page,
                page_size: PageRequest::MAX_SIZE,
            };
            let found = store
                .features_of(environment.project_id, &query, request)
                .await?;
            let count = found.items.len();
            features.extend(found.items.into_iter().map(|f| (f.id, f)));
            if count < request.page_size as usize {
                break;
            }
            page += 1;
        }
        let mut options = Vec::new();
        for feature in features
            .values()
            .filter(|f| f.feature_type == FeatureType::Multivariate)
        {
            options.extend(store.mv_options(feature.id).await?);
        }
        let defaults = store.environment_defaults(env).await?;
        let segment_overrides = self.segment_overrides(env, project.id).await?;
        let server_keys = store.server_keys(env).await?;
        Ok(Inputs {
            environment,
            project,
            organisation,
            features: features.into_values().collect(),
            options,
            defaults,
            segment_overrides,
            server_keys,
        })
    }

    async fn updated_at(&self, env: EnvironmentId) -> Result<Timestamp, SnapshotError> {
        Ok(self.store.environment(env).await?.updated_at)
    }

    async fn segment_overrides(
        &self,
        env: EnvironmentId,
        project: ProjectId,
    ) -> Result<SegmentOverrides, SnapshotError> {
        Ok(SegmentOverrides {
            feature_segments: self.store.feature_segments(env, None).await?,
            states: self.store.segment_override_states(env).await?,
            segments: self.store.all_segments_of(project).await?,
        })
    }

    async fn identity_overrides(
        &self,
        env: EnvironmentId,
    ) -> Result<Vec<(Identity, Vec<FeatureState>)>, SnapshotError> {
        let mut by_identity: BTreeMap<IdentityId, Vec<FeatureState>> = BTreeMap::new();
        for state in self.store.identity_overrides_in(env).await? {
            if let Scope::Identity(identity) = state.scope {
                by_identity.entry(identity).or_default().push(state);
            }
        }
        let mut found = Vec::with_capacity(by_identity.len());
        for (identity_id, states) in by_identity {
            match self.store.identity(identity_id).await {
                Ok(identity) => found.push((identity, states)),
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(found)
    }

    async fn server_key(&self, key: &str) -> Result<Option<ServerKey>, SnapshotError> {
        Ok(self.store.server_key_by_key(key).await?)
    }

    async fn environment_with_key(
        &self,
        api_key: &str,
    ) -> Result<Option<EnvironmentId>, SnapshotError> {
        Ok(self
            .store
            .environment_by_api_key(api_key)
            .await?
            .map(|e| e.id))
    }

    async fn environment_versions(&self) -> Result<Vec<(EnvironmentId, Timestamp)>, SnapshotError> {
        Ok(self.store.environment_versions().await?)
    }
}
