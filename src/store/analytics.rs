//! Flag evaluation counts per feature and day: the storage trait and how a row reads.

use super::Result;
use crate::domain::analytics::{EvaluationCount, Labels, labels_of};
use crate::domain::{EnvironmentId, FeatureId};
use crate::store::rows::Columns;
use async_trait::async_trait;
use chrono::NaiveDate;

/// Counts of flag evaluations.
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// Adds each count to the feature's count for the environment, day and labels, in one
    /// transaction. Features that are not (or no longer) in the environment's project are
    /// skipped; a missing environment is `NotFound`.
    async fn record_evaluations(
        &self,
        env: EnvironmentId,
        day: NaiveDate,
        labels: &Labels,
        counts: &[(FeatureId, i64)],
    ) -> Result<()>;

    /// The feature's counts in the environment from `since` on, by day then labels.
    async fn evaluations(
        &self,
        env: EnvironmentId,
        feature: FeatureId,
        since: NaiveDate,
    ) -> Result<Vec<EvaluationCount>>;
}

/// A row of `day, labels, count`.
pub(super) fn evaluation_count(row: &dyn Columns) -> Result<EvaluationCount> {
    let labels: String = row.get(1)?;
    Ok(EvaluationCount {
        day: row.get(0)?,
        labels: labels_of(&labels),
        count: row.get(2)?,
    })
}
