use async_trait::async_trait;

use super::PostgresStore;
use crate::domain::audit::Audit;
use crate::domain::feature_state::{
    FeatureSegment, FeatureState, FeatureStatePatch, NewIdentityOverride, NewSegmentOverride,
};
use crate::domain::{EnvironmentId, FeatureId, FeatureSegmentId, FeatureStateId, IdentityId};
use crate::store::{FeatureStateStore, Result, StoreError};

#[async_trait]
#[allow(unused_variables)]
impl FeatureStateStore for PostgresStore {
    async fn feature_state(&self, id: FeatureStateId) -> Result<FeatureState> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn environment_defaults(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn update_feature_state(
        &self,
        id: FeatureStateId,
        patch: &FeatureStatePatch,
        audit: &Audit,
    ) -> Result<FeatureState> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn create_segment_override(
        &self,
        new: &NewSegmentOverride,
        audit: &Audit,
    ) -> Result<(FeatureSegment, FeatureState)> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn feature_segment(&self, id: FeatureSegmentId) -> Result<FeatureSegment> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn feature_segments(
        &self,
        env: EnvironmentId,
        feature: Option<FeatureId>,
    ) -> Result<Vec<FeatureSegment>> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn segment_override_states(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn delete_feature_segment(&self, id: FeatureSegmentId, audit: &Audit) -> Result<()> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn set_priorities(
        &self,
        env: EnvironmentId,
        feature: FeatureId,
        priorities: &[(FeatureSegmentId, i32)],
        audit: &Audit,
    ) -> Result<Vec<FeatureSegment>> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn create_identity_override(
        &self,
        new: &NewIdentityOverride,
        audit: &Audit,
    ) -> Result<FeatureState> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn identity_overrides(&self, identity: IdentityId) -> Result<Vec<FeatureState>> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn identity_overrides_in(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }

    async fn delete_feature_state(&self, id: FeatureStateId, audit: &Audit) -> Result<()> {
        Err(StoreError::Other(
            "feature_states are not stored yet".into(),
        ))
    }
}
