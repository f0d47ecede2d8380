//! Multivariate options: how a row reads.

use crate::domain::audit::Audit;
use crate::domain::feature::{MvOption, NewMvOption};
use crate::domain::{FeatureId, FeatureValue, MvOptionId};
use crate::store::Result;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Multivariate options of a feature.
#[async_trait]
pub trait MvOptionStore: Send + Sync {
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

    /// `NotFound` when no option has that uuid.
    async fn mv_option_by_uuid(&self, uuid: &str) -> Result<MvOption>;

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
}

pub(super) const COLUMNS: &str =
    "id, uuid, feature_id, key, value_type, string_value, integer_value,
    boolean_value, default_percentage_allocation";

pub(super) fn option(row: &dyn Columns) -> Result<MvOption> {
    let value_type: String = row.get(4)?;
    Ok(MvOption {
        id: MvOptionId(row.get(0)?),
        uuid: row.get(1)?,
        feature_id: FeatureId(row.get(2)?),
        key: row.get(3)?,
        value: FeatureValue::from_columns(&value_type, row.get(5)?, row.get(6)?, row.get(7)?),
        default_percentage_allocation: row.get(8)?,
    })
}
