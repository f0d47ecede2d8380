//! Features of a project: the storage trait and how a row reads.

use super::Result;
use crate::domain::audit::Audit;
use crate::domain::feature::{
    Feature, FeaturePatch, FeatureQuery, FeatureSettings, FeatureType, NewFeature, Owners,
};
use crate::domain::permission::GroupId;
use crate::domain::{FeatureId, Page, PageRequest, ProjectId, TagId, UserId};
use crate::store::StoreError;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Features of a project.
#[async_trait]
pub trait FeatureStore: Send + Sync {
    /// Creates the feature with its tags and options, and its default state in every
    /// environment of the project (as `create_environment` describes). The type is
    /// `MULTIVARIATE` when options are given. Moves `updated_at` of every environment.
    /// `Conflict` when the project has a feature of that name in any letter case;
    /// `NotFound` when the project or a tag does not exist.
    async fn create_feature(&self, feature: &NewFeature, audit: &Audit) -> Result<Feature>;

    /// `NotFound` when there is no such feature.
    async fn feature(&self, id: FeatureId) -> Result<Feature>;

    /// `NotFound` when no feature has that uuid.
    async fn feature_by_uuid(&self, uuid: &str) -> Result<Feature>;

    /// One page of the project's features, filtered and sorted by the query; ties in the
    /// sort key are ordered by id.
    async fn features_of(
        &self,
        project: ProjectId,
        query: &FeatureQuery,
        page: PageRequest,
    ) -> Result<Page<Feature>>;

    /// Changes what the patch sets; moves `updated_at` of every environment.
    async fn update_feature(
        &self,
        id: FeatureId,
        patch: &FeaturePatch,
        audit: &Audit,
    ) -> Result<Feature>;

    /// Deletes the feature with its states, overrides and options; moves `updated_at`.
    async fn delete_feature(&self, id: FeatureId, audit: &Audit) -> Result<()>;
}

pub(super) fn feature(row: &dyn Columns) -> Result<Feature> {
    let type_name: String = row.get(4)?;
    let feature_type = FeatureType::parse(&type_name)
        .ok_or_else(|| StoreError::Other(format!("unknown feature type {type_name:?}")))?;
    let tags: Vec<i64> = row.get(11)?;
    let users: Vec<i64> = row.get(12)?;
    let groups: Vec<i64> = row.get(13)?;
    Ok(Feature {
        id: FeatureId(row.get(0)?),
        uuid: row.get(1)?,
        project_id: ProjectId(row.get(2)?),
        name: row.get(3)?,
        feature_type,
        default_enabled: row.get(5)?,
        initial_value: row.get(6)?,
        created_date: row.get(7)?,
        tags: tags.into_iter().map(TagId).collect(),
        owners: Owners {
            users: users.into_iter().map(UserId).collect(),
            groups: groups.into_iter().map(GroupId).collect(),
        },
        settings: FeatureSettings {
            description: row.get(8)?,
            is_archived: row.get(9)?,
            is_server_key_only: row.get(10)?,
        },
    })
}
