//! Feature states by id or uuid, whatever they apply to: the storage trait and how a row reads.

use super::Result;
use crate::domain::audit::Audit;
use crate::domain::feature_state::{
    FeatureState, FeatureStatePatch, MvStateValue, Scope as Applies,
};
use crate::domain::{
    EnvironmentId, FeatureId, FeatureSegmentId, FeatureStateId, FeatureValue, IdentityId,
};
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Feature states: environment defaults, segment overrides and identity overrides.
/// Every write moves the environment's `updated_at`.
#[async_trait]
pub trait FeatureStateStore: Send + Sync {
    /// `NotFound` when there is no such state.
    async fn feature_state(&self, id: FeatureStateId) -> Result<FeatureState>;

    /// `NotFound` when no state has that uuid.
    async fn feature_state_by_uuid(&self, uuid: &str) -> Result<FeatureState>;

    /// Changes what the patch sets. Shares of options not named in the patch are kept.
    async fn update_feature_state(
        &self,
        id: FeatureStateId,
        patch: &FeatureStatePatch,
        audit: &Audit,
    ) -> Result<FeatureState>;

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

/// Reads `feature_state_id, id, mv_option_id, percentage_allocation` of a share.
pub(super) fn share(row: &dyn Columns) -> Result<(i64, MvStateValue)> {
    Ok((
        row.get(0)?,
        MvStateValue {
            id: row.get(1)?,
            mv_option_id: crate::domain::MvOptionId(row.get(2)?),
            percentage_allocation: row.get(3)?,
        },
    ))
}

/// Gives each state its shares (read by [`share`], in order).
pub(super) fn attach_shares(
    mut states: Vec<FeatureState>,
    shares: Vec<(i64, MvStateValue)>,
) -> Vec<FeatureState> {
    let mut by_state: std::collections::HashMap<i64, Vec<MvStateValue>> = Default::default();
    for (state, share) in shares {
        by_state.entry(state).or_default().push(share);
    }
    for s in &mut states {
        s.mv_values = by_state.remove(&s.id.0).unwrap_or_default();
    }
    states
}
