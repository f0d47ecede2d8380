use async_trait::async_trait;

use super::Result;
use crate::domain::FeatureValue;
use crate::domain::audit::Audit;
use crate::domain::feature_state::Scope as Applies;
use crate::domain::feature_state::{
    FeatureSegment, FeatureState, FeatureStatePatch, NewIdentityOverride, NewSegmentOverride,
};
use crate::domain::{EnvironmentId, FeatureId, FeatureSegmentId, FeatureStateId, IdentityId};
use crate::store::rows::Columns;

/// Feature states: environment defaults, segment overrides and identity overrides.
/// Every write moves the environment's `updated_at`.
#[async_trait]
pub trait FeatureStateStore: Send + Sync {
    /// `NotFound` when there is no such state.
    async fn feature_state(&self, id: FeatureStateId) -> Result<FeatureState>;

    /// `NotFound` when no state has that uuid.
    async fn feature_state_by_uuid(&self, uuid: &str) -> Result<FeatureState>;

    /// The environment default states of the environment, ordered by feature id.
    async fn environment_defaults(&self, env: EnvironmentId) -> Result<Vec<FeatureState>>;

    /// Changes what the patch sets. Shares of options not named in the patch are kept.
    async fn update_feature_state(
        &self,
        id: FeatureStateId,
        patch: &FeatureStatePatch,
        audit: &Audit,
    ) -> Result<FeatureState>;

    /// Creates a segment override and its state. With a priority, overrides at or after it
    /// move one down; without one, it goes last. Priorities stay dense from 0.
    /// `Conflict` when the segment already overrides the feature in the environment;
    /// `NotFound` when the feature, segment or environment does not exist.
    async fn create_segment_override(
        &self,
        new: &NewSegmentOverride,
        audit: &Audit,
    ) -> Result<(FeatureSegment, FeatureState)>;

    /// `NotFound` when there is no such feature segment.
    async fn feature_segment(&self, id: FeatureSegmentId) -> Result<FeatureSegment>;

    /// `NotFound` when no feature segment has that uuid.
    async fn feature_segment_by_uuid(&self, uuid: &str) -> Result<FeatureSegment>;

    /// The environment's segment overrides, of one feature or all, ordered by feature id and
    /// priority.
    async fn feature_segments(
        &self,
        env: EnvironmentId,
        feature: Option<FeatureId>,
    ) -> Result<Vec<FeatureSegment>>;

    /// The states of the environment's segment overrides, ordered by id.
    async fn segment_override_states(&self, env: EnvironmentId) -> Result<Vec<FeatureState>>;

    /// Deletes the override and its state; the remaining priorities close up.
    async fn delete_feature_segment(&self, id: FeatureSegmentId, audit: &Audit) -> Result<()>;

    /// Re-orders the feature's overrides in the environment: the given ids take the given
    /// priorities, then all are renumbered densely from 0 in that order. `NotFound` when an
    /// id is not an override of that feature in that environment. Returns them in priority order.
    async fn set_priorities(
        &self,
        env: EnvironmentId,
        feature: FeatureId,
        priorities: &[(FeatureSegmentId, i32)],
        audit: &Audit,
    ) -> Result<Vec<FeatureSegment>>;

    /// `Conflict` when the identity already overrides the feature; `NotFound` when the
    /// feature or identity does not exist.
    async fn create_identity_override(
        &self,
        new: &NewIdentityOverride,
        audit: &Audit,
    ) -> Result<FeatureState>;

    /// The identity's overrides, ordered by feature id.
    async fn identity_overrides(&self, identity: IdentityId) -> Result<Vec<FeatureState>>;

    /// Makes `to`'s overrides copies of `from`'s (enabled, value and multivariate shares):
    /// `to`'s own overrides are deleted and each copy is audited as created. `NotFound` unless
    /// both identities exist in one environment. The new overrides, ordered by feature id.
    async fn copy_identity_overrides(
        &self,
        from: IdentityId,
        to: IdentityId,
        audit: &Audit,
    ) -> Result<Vec<FeatureState>>;

    /// The environment's identity overrides, ordered by identity id then feature id.
    async fn identity_overrides_in(&self, env: EnvironmentId) -> Result<Vec<FeatureState>>;

    /// Deletes an identity override or a segment override's state (with its feature segment).
    /// `Conflict` for an environment default, which lives as long as its feature.
    async fn delete_feature_state(&self, id: FeatureStateId, audit: &Audit) -> Result<()>;
}

pub(super) const COLUMNS: &str =
    "id, uuid, feature_id, environment_id, identity_id, feature_segment_id,
    enabled, value_type, string_value, integer_value, boolean_value, mv_hashing_salt,
    created_at, updated_at";

/// The state without its shares, which `with_shares` adds.
pub(super) fn state(row: &dyn Columns) -> Result<FeatureState> {
    let identity: Option<i64> = row.get(4)?;
    let feature_segment: Option<i64> = row.get(5)?;
    let scope = match (identity, feature_segment) {
        (Some(i), _) => Applies::Identity(IdentityId(i)),
        (None, Some(fs)) => Applies::Segment(FeatureSegmentId(fs)),
        (None, None) => Applies::Environment,
    };
    let value_type: String = row.get(7)?;
    Ok(FeatureState {
        id: FeatureStateId(row.get(0)?),
        uuid: row.get(1)?,
        feature_id: FeatureId(row.get(2)?),
        environment_id: EnvironmentId(row.get(3)?),
        scope,
        enabled: row.get(6)?,
        value: FeatureValue::from_columns(&value_type, row.get(8)?, row.get(9)?, row.get(10)?),
        mv_hashing_salt: row.get(11)?,
        mv_values: Vec::new(),
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
    })
}
