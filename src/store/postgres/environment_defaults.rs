//! Environment default states on PostgreSQL: one per (feature, environment) pair.

use super::rows::{all, one};
use super::{PostgresStore, feature_states};
use crate::domain::feature_state::FeatureState;
use crate::domain::{
    EnvironmentId, FeatureId, FeatureStateId, FeatureValue, ProjectId, Timestamp, new_uuid,
};
use crate::store::{EnvironmentDefaultStore, Result, StoreError};
use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};

/// What a feature contributes to its default state in a new environment.
#[derive(Debug, Clone)]
pub(super) struct FeatureDefaults {
    pub id: FeatureId,
    pub default_enabled: bool,
    pub initial_value: Option<String>,
    /// (option id, default percentage allocation), by option id.
    pub options: Vec<(i64, f64)>,
}

/// The defaults of every feature of the project, by feature id.
pub(super) async fn features_of(
    tx: &Transaction<'_>,
    project: ProjectId,
) -> Result<Vec<FeatureDefaults>> {
    let stmt = tx
        .prepare_cached("SELECT id, default_enabled, initial_value FROM features WHERE project_id = $1 ORDER BY id")
        .await?;
    let mut features = Vec::new();
    for row in tx.query(&stmt, &[&project.0]).await? {
        let id = FeatureId(row.try_get(0)?);
        features.push(FeatureDefaults {
            id,
            default_enabled: row.try_get(1)?,
            initial_value: row.try_get(2)?,
            options: options_of(tx, id).await?,
        });
    }
    Ok(features)
}

/// (option id, default allocation) of a feature's options, by id.
pub(super) async fn options_of(
    tx: &Transaction<'_>,
    feature: FeatureId,
) -> Result<Vec<(i64, f64)>> {
    all(tx, "SELECT id, default_percentage_allocation FROM mv_options WHERE feature_id = $1 ORDER BY id", &[&feature.0], |r| Ok((r.get(0)?, r.get(1)?))).await
}

/// Whether the project asks new states to start disabled and empty.
pub(super) async fn prevents_flag_defaults(
    tx: &Transaction<'_>,
    project: ProjectId,
) -> Result<bool> {
    let stmt = tx
        .prepare_cached("SELECT prevent_flag_defaults FROM projects WHERE id = $1")
        .await?;
    let row = tx
        .query_opt(&stmt, &[&project.0])
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get(0)?)
}

/// Creates the environment default state of `feature` in `env`, with one share per option.
pub(super) async fn insert_default_state(
    tx: &Transaction<'_>,
    env: EnvironmentId,
    feature: &FeatureDefaults,
    prevent_flag_defaults: bool,
    now: Timestamp,
) -> Result<FeatureStateId> {
    let (enabled, value) = if prevent_flag_defaults {
        (false, FeatureValue::Null)
    } else {
        (
            feature.default_enabled,
            FeatureValue::from_initial_value(feature.initial_value.as_deref()),
        )
    };
    let id: i64 = one(
        tx,
        "INSERT INTO feature_states (uuid, feature_id, environment_id, enabled, value_type,
                 string_value, integer_value, boolean_value, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        &[
            &new_uuid(),
            &feature.id.0,
            &env.0,
            &enabled,
            &value.type_name(),
            &value.string_column(),
            &value.integer_column(),
            &value.boolean_column(),
            &now,
        ],
        |r| r.get(0),
    )
    .await?;
    let share = tx
        .prepare_cached(
            "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation) VALUES ($1, $2, $3)",
        )
        .await?;
    for (option, allocation) in &feature.options {
        tx.execute(&share, &[&id, option, allocation]).await?;
    }
    Ok(FeatureStateId(id))
}

#[async_trait]
impl EnvironmentDefaultStore for PostgresStore {
    async fn environment_defaults(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        feature_states::read(
            self,
            "environment_id = $1 AND identity_id IS NULL AND feature_segment_id IS NULL
             ORDER BY feature_id",
            env.0,
        )
        .await
    }
}
