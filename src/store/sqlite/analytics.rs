//! Flag evaluation counts per feature and day, in SQLite.

use super::SqliteStore;
use super::rows::{all, exec, exists};
use crate::domain::analytics::{EvaluationCount, Labels, labels_key};
use crate::domain::{EnvironmentId, FeatureId};
use crate::store::analytics::evaluation_count;
use crate::store::{AnalyticsStore, Result, StoreError};
use async_trait::async_trait;
use chrono::NaiveDate;
use rusqlite::params;

const DAY: &str = "%Y-%m-%d";

#[async_trait]
impl AnalyticsStore for SqliteStore {
    async fn record_evaluations(
        &self,
        env: EnvironmentId,
        day: NaiveDate,
        labels: &Labels,
        counts: &[(FeatureId, i64)],
    ) -> Result<()> {
        let (labels, counts) = (labels_key(labels), counts.to_vec());
        let day = day.format(DAY).to_string();
        self.write(move |tx| {
            if !exists(tx, "SELECT 1 FROM environments WHERE id = ?", [env.0])? {
                return Err(StoreError::NotFound);
            }
            for (feature, count) in &counts {
                exec(
                    tx,
                    "INSERT INTO feature_evaluations (environment_id, feature_id, day, labels, count)
                     SELECT e.id, f.id, ?3, ?4, ?5 FROM environments e
                     JOIN features f ON f.project_id = e.project_id
                     WHERE e.id = ?1 AND f.id = ?2
                     ON CONFLICT (environment_id, feature_id, day, labels)
                     DO UPDATE SET count = count + excluded.count",
                    params![env.0, feature.0, day, labels, count],
                )?;
            }
            Ok(())
        })
        .await
    }

    async fn evaluations(
        &self,
        env: EnvironmentId,
        feature: FeatureId,
        since: NaiveDate,
    ) -> Result<Vec<EvaluationCount>> {
        let since = since.format(DAY).to_string();
        self.read(move |c| {
            all(
                c,
                "SELECT day, labels, count FROM feature_evaluations
                 WHERE environment_id = ? AND feature_id = ? AND day >= ?
                 ORDER BY day, labels",
                params![env.0, feature.0, since],
                evaluation_count,
            )
        })
        .await
    }
}
