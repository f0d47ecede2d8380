use async_trait::async_trait;

use super::Result;
use crate::domain::UserId;
use crate::domain::audit::Audit;
use crate::domain::feature::{
    Feature, FeaturePatch, FeatureQuery, MvOption, NewFeature, NewMvOption, NewTag, Owners, Tag,
};
use crate::domain::feature::{FeatureSettings, FeatureType};
use crate::domain::permission::GroupId;
use crate::domain::{FeatureId, MvOptionId, Page, PageRequest, ProjectId, TagId};
use crate::store::StoreError;
use crate::store::rows::Columns;

/// Features, their multivariate options, and tags.
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

    /// Adds users and groups as owners; ones the feature has already stay. Owners are not
    /// audited, as upstream. `NotFound` when there is no such feature.
    async fn add_feature_owners(&self, id: FeatureId, owners: &Owners) -> Result<Feature>;

    /// Removes users and groups from the owners; ones it does not have are ignored.
    async fn remove_feature_owners(&self, id: FeatureId, owners: &Owners) -> Result<Feature>;

    /// Deletes the feature with its states, overrides and options; moves `updated_at`.
    async fn delete_feature(&self, id: FeatureId, audit: &Audit) -> Result<()>;

    /// Adds an option, gives every environment default state of the feature a share of it
    /// equal to its default allocation, and makes the feature `MULTIVARIATE`.
    /// `Conflict` when the key is taken in the feature.
    async fn create_mv_option(
        &self,
        feature: FeatureId,
        option: &NewMvOption,
        audit: &Audit,
    ) -> Result<MvOption>;

    /// `NotFound` when there is no such option.
    async fn mv_option(&self, id: MvOptionId) -> Result<MvOption>;

    /// The feature's options, ordered by id.
    async fn mv_options(&self, feature: FeatureId) -> Result<Vec<MvOption>>;

    /// Replaces the option's key, value and default allocation (existing shares stay).
    async fn update_mv_option(
        &self,
        id: MvOptionId,
        option: &NewMvOption,
        audit: &Audit,
    ) -> Result<MvOption>;

    /// Deletes the option and its shares; the feature becomes `STANDARD` when it was the last.
    async fn delete_mv_option(&self, id: MvOptionId, audit: &Audit) -> Result<()>;

    /// `NotFound` when the project does not exist.
    async fn create_tag(&self, tag: &NewTag) -> Result<Tag>;

    /// `NotFound` when there is no such tag.
    async fn tag(&self, id: TagId) -> Result<Tag>;

    /// `NotFound` when no tag has that uuid.
    async fn tag_by_uuid(&self, uuid: &str) -> Result<Tag>;

    /// The project's tags, ordered by id.
    async fn tags_of(&self, project: ProjectId) -> Result<Vec<Tag>>;

    /// Replaces label, colour, description and permanence (the project stays).
    async fn update_tag(&self, id: TagId, tag: &NewTag) -> Result<Tag>;

    /// Deletes the tag and removes it from every feature.
    async fn delete_tag(&self, id: TagId) -> Result<()>;
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
