//! Feature owners: the users and groups who answer for a feature.

use crate::domain::FeatureId;
use crate::domain::feature::{Feature, Owners};
use crate::store::Result;
use async_trait::async_trait;

/// The owners of features.
#[async_trait]
pub trait FeatureOwnerStore: Send + Sync {
    /// Adds users and groups as owners; ones the feature has already stay. Owners are not
    /// audited, as upstream. `NotFound` when there is no such feature.
    async fn add_feature_owners(&self, id: FeatureId, owners: &Owners) -> Result<Feature>;

    /// Removes users and groups from the owners; ones it does not have are ignored.
    async fn remove_feature_owners(&self, id: FeatureId, owners: &Owners) -> Result<Feature>;
}
