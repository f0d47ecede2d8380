//! Segment overrides (feature segments): how a row reads.

use crate::domain::audit::Audit;
use crate::domain::feature_state::{FeatureSegment, FeatureState, NewSegmentOverride};
use crate::domain::{EnvironmentId, FeatureId, FeatureSegmentId, SegmentId};
use crate::store::Result;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Segment overrides (a feature's state for a segment in an environment), in priority order.
#[async_trait]
pub trait SegmentOverrideStore: Send + Sync {
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
}

pub(super) const COLUMNS: &str = "id, uuid, feature_id, segment_id, environment_id, priority";

pub(super) fn feature_segment(row: &dyn Columns) -> Result<FeatureSegment> {
    Ok(FeatureSegment {
        id: FeatureSegmentId(row.get(0)?),
        uuid: row.get(1)?,
        feature_id: FeatureId(row.get(2)?),
        segment_id: SegmentId(row.get(3)?),
        environment_id: EnvironmentId(row.get(4)?),
        priority: row.get(5)?,
    })
}
