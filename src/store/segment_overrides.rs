//! Segment overrides (feature segments): how a row reads.

use crate::domain::feature_state::FeatureSegment;
use crate::domain::{EnvironmentId, FeatureId, FeatureSegmentId, SegmentId};
use crate::store::Result;
use crate::store::rows::Columns;

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
