//! Segments of a project with their rule trees: the storage trait and how a row reads.

use super::Result;
use crate::domain::audit::Audit;
use crate::domain::segment::{NewSegment, Segment, SegmentQuery, SegmentUpdate};
use crate::domain::{FeatureId, Page, PageRequest, ProjectId, SegmentId};
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Segments with their rule trees. Rules and conditions come back in the order written.
/// Every write moves `updated_at` of every environment of the project.
#[async_trait]
pub trait SegmentStore: Send + Sync {
    /// `NotFound` when the project (or the feature, for a feature-specific segment) does not exist.
    async fn create_segment(&self, segment: &NewSegment, audit: &Audit) -> Result<Segment>;

    /// `NotFound` when there is no such segment.
    async fn segment(&self, id: SegmentId) -> Result<Segment>;

    /// `NotFound` when no segment has that uuid.
    async fn segment_by_uuid(&self, uuid: &str) -> Result<Segment>;

    /// One page of the project's segments, ordered by id.
    async fn segments_of(
        &self,
        project: ProjectId,
        query: &SegmentQuery,
        page: PageRequest,
    ) -> Result<Page<Segment>>;

    /// Every segment of the project with its rules, ordered by id (for evaluation).
    async fn all_segments_of(&self, project: ProjectId) -> Result<Vec<Segment>>;

    /// Replaces name, description and the whole rule tree.
    async fn update_segment(
        &self,
        id: SegmentId,
        update: &SegmentUpdate,
        audit: &Audit,
    ) -> Result<Segment>;

    /// Deletes the segment with its rules and the overrides that use it.
    async fn delete_segment(&self, id: SegmentId, audit: &Audit) -> Result<()>;
}

pub(super) const COLUMNS: &str =
    "id, uuid, project_id, name, description, feature_id, created_at, updated_at";

/// The segment without its rules, which `with_rules` adds.
pub(super) fn segment(row: &dyn Columns) -> Result<Segment> {
    Ok(Segment {
        id: SegmentId(row.get(0)?),
        uuid: row.get(1)?,
        project_id: ProjectId(row.get(2)?),
        name: row.get(3)?,
        description: row.get(4)?,
        feature_id: row.get::<Option<i64>>(5)?.map(FeatureId),
        rules: Vec::new(),
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}
