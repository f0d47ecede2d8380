//! Environment default states on SQLite: one per (feature, environment) pair.

use super::Tx;
use super::rows::{all, exec, one, ts};
use super::{SqliteStore, feature_states};
use crate::domain::feature_state::FeatureState;
use crate::domain::{EnvironmentId, FeatureId, FeatureStateId, ProjectId, Timestamp, new_uuid};
pub(super) use crate::store::environment_defaults::FeatureDefaults;
use crate::store::environment_defaults::feature_defaults;
use crate::store::{EnvironmentDefaultStore, Result};
use async_trait::async_trait;
use rusqlite::params;

/// The defaults of every feature of the project, by feature id.
pub(super) fn features_of(tx: &Tx<'_>, project: ProjectId) -> Result<Vec<FeatureDefaults>> {
    let mut features = all(
        tx,
        "SELECT id, default_enabled, initial_value FROM features WHERE project_id = ? ORDER BY id",
        [project.0],
        feature_defaults,
    )?;
    for feature in &mut features {
        feature.options = options_of(tx, feature.id)?;
    }
    Ok(features)
}

/// (option id, default allocation) of a feature's options, by id.
pub(super) fn options_of(tx: &Tx<'_>, feature: FeatureId) -> Result<Vec<(i64, f64)>> {
    all(
        tx,
        "SELECT id, default_percentage_allocation FROM mv_options WHERE feature_id = ? ORDER BY id",
        [feature.0],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Whether the project asks new states to start disabled and empty.
pub(super) fn prevents_flag_defaults(tx: &Tx<'_>, project: ProjectId) -> Result<bool> {
    one(
        tx,
        "SELECT prevent_flag_defaults FROM projects WHERE id = ?",
        [project.0],
        |r| r.get(0),
    )
}

/// Creates the environment default state of `feature` in `env`, with one share per option.
pub(super) fn insert_default_state(
    tx: &Tx<'_>,
    env: EnvironmentId,
    feature: &FeatureDefaults,
    prevent_flag_defaults: bool,
    now: Timestamp,
) -> Result<FeatureStateId> {
    let (enabled, value) = feature.initial_state(prevent_flag_defaults);
    let id: i64 = one(
        tx,
        "INSERT INTO feature_states (uuid, feature_id, environment_id, enabled, value_type,
                 string_value, integer_value, boolean_value, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            new_uuid(),
            feature.id.0,
            env.0,
            enabled,
            value.type_name(),
            value.string_column(),
            value.integer_column(),
            value.boolean_column(),
            ts(now),
            ts(now),
        ],
        |r| r.get(0),
    )?;
    for (option, allocation) in &feature.options {
        exec(
            tx,
            "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation) VALUES (?, ?, ?)",
            params![id, option, allocation],
        )?;
    }
    Ok(FeatureStateId(id))
}

#[async_trait]
impl EnvironmentDefaultStore for SqliteStore {
    async fn environment_defaults(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        self.read(move |c| {
            feature_states::list(
                c,
                "environment_id = ? AND identity_id IS NULL AND feature_segment_id IS NULL
                 ORDER BY feature_id",
                env.0,
            )
        })
        .await
    }
}
