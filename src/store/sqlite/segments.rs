use async_trait::async_trait;

use super::SqliteStore;
use crate::domain::audit::Audit;
use crate::domain::segment::{NewSegment, Segment, SegmentQuery, SegmentUpdate};
use crate::domain::{Page, PageRequest, ProjectId, SegmentId};
use crate::store::{Result, SegmentStore, StoreError};

#[async_trait]
#[allow(unused_variables)]
impl SegmentStore for SqliteStore {
    async fn create_segment(&self, segment: &NewSegment, audit: &Audit) -> Result<Segment> {
        Err(StoreError::Other("segments are not stored yet".into()))
    }

    async fn segment(&self, id: SegmentId) -> Result<Segment> {
        Err(StoreError::Other("segments are not stored yet".into()))
    }

    async fn segments_of(
        &self,
        project: ProjectId,
        query: &SegmentQuery,
        page: PageRequest,
    ) -> Result<Page<Segment>> {
        Err(StoreError::Other("segments are not stored yet".into()))
    }

    async fn all_segments_of(&self, project: ProjectId) -> Result<Vec<Segment>> {
        Err(StoreError::Other("segments are not stored yet".into()))
    }

    async fn update_segment(
        &self,
        id: SegmentId,
        update: &SegmentUpdate,
        audit: &Audit,
    ) -> Result<Segment> {
        Err(StoreError::Other("segments are not stored yet".into()))
    }

    async fn delete_segment(&self, id: SegmentId, audit: &Audit) -> Result<()> {
        Err(StoreError::Other("segments are not stored yet".into()))
    }
}
