use async_trait::async_trait;

use super::PostgresStore;
use crate::domain::audit::Audit;
use crate::domain::feature::{
    Feature, FeaturePatch, FeatureQuery, MvOption, NewFeature, NewMvOption, NewTag, Tag,
};
use crate::domain::{FeatureId, MvOptionId, Page, PageRequest, ProjectId, TagId};
use crate::store::{FeatureStore, Result, StoreError};

#[async_trait]
#[allow(unused_variables)]
impl FeatureStore for PostgresStore {
    async fn create_feature(&self, feature: &NewFeature, audit: &Audit) -> Result<Feature> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn feature(&self, id: FeatureId) -> Result<Feature> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn features_of(
        &self,
        project: ProjectId,
        query: &FeatureQuery,
        page: PageRequest,
    ) -> Result<Page<Feature>> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn update_feature(
        &self,
        id: FeatureId,
        patch: &FeaturePatch,
        audit: &Audit,
    ) -> Result<Feature> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn delete_feature(&self, id: FeatureId, audit: &Audit) -> Result<()> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn create_mv_option(
        &self,
        feature: FeatureId,
        option: &NewMvOption,
        audit: &Audit,
    ) -> Result<MvOption> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn mv_option(&self, id: MvOptionId) -> Result<MvOption> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn mv_options(&self, feature: FeatureId) -> Result<Vec<MvOption>> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn update_mv_option(
        &self,
        id: MvOptionId,
        option: &NewMvOption,
        audit: &Audit,
    ) -> Result<MvOption> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn delete_mv_option(&self, id: MvOptionId, audit: &Audit) -> Result<()> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn create_tag(&self, tag: &NewTag) -> Result<Tag> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn tag(&self, id: TagId) -> Result<Tag> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn tags_of(&self, project: ProjectId) -> Result<Vec<Tag>> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn update_tag(&self, id: TagId, tag: &NewTag) -> Result<Tag> {
        Err(StoreError::Other("features are not stored yet".into()))
    }

    async fn delete_tag(&self, id: TagId) -> Result<()> {
        Err(StoreError::Other("features are not stored yet".into()))
    }
}
