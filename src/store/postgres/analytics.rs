//! Flag evaluation counts per feature and day, in PostgreSQL.

use super::PostgresStore;
use super::Tx;
use super::rows::{all, exec, exists};
use crate::domain::analytics::{EvaluationCount, Labels, labels_key};
use crate::domain::{EnvironmentId, FeatureId};
use crate::store::analytics::evaluation_count;
use crate::store::{AnalyticsStore, Result, StoreError};
use async_trait::async_trait;
use chrono::NaiveDate;

#[async_trait]
impl AnalyticsStore for PostgresStore {
    async fn record_evaluations(
        &self,
        env: EnvironmentId,
        day: NaiveDate,
        labels: &Labels,
        counts: &[(FeatureId, i64)],
    ) -> Result<()> {
        let labels = labels_key(labels);
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        if !exists(&tx, "SELECT 1 FROM environments WHERE id = $1", &[&env.0]).await? {
            return Err(StoreError::NotFound);
        }
        for (feature, count) in counts {
            exec(
                &tx,
                "INSERT INTO feature_evaluations (environment_id, feature_id, day, labels, count)
                 SELECT e.id, f.id, $3, $4, $5 FROM environments e
                 JOIN features f ON f.project_id = e.project_id
                 WHERE e.id = $1 AND f.id = $2
                 ON CONFLICT (environment_id, feature_id, day, labels)
                 DO UPDATE SET count = feature_evaluations.count + excluded.count",
                &[&env.0, &feature.0, &day, &labels, count],
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(())
    }

    async fn evaluations(
        &self,
        env: EnvironmentId,
        feature: FeatureId,
        since: NaiveDate,
    ) -> Result<Vec<EvaluationCount>> {
        let client = self.client().await?;
        all(
            &client,
            "SELECT day, labels, count FROM feature_evaluations
             WHERE environment_id = $1 AND feature_id = $2 AND day >= $3
             ORDER BY day, labels",
            &[&env.0, &feature.0, &since],
            evaluation_count,
        )
        .await
    }
}
