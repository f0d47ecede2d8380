//! Feature states by id or uuid, whatever they apply to, in SQLite.

use super::SqliteStore;
use super::Tx;
use super::audit::record;
use super::mv_shares::{set_shares, with_shares};
use super::rows::{all, exec, id_by_uuid, one, ts};
use super::segment_overrides::renumber;
use crate::domain::audit::Audit;
use crate::domain::feature_state::{FeatureState, FeatureStatePatch, Scope as Applies};
use crate::domain::{
    EnvironmentId, FeatureId, FeatureStateId, FeatureValue, IdentityId, Timestamp, new_uuid,
};
use crate::store::audit::{Change, Scope};
use crate::store::audited::StateContent;
use crate::store::feature_states::{COLUMNS, state};
use crate::store::{FeatureStateStore, Result, StoreError};
use async_trait::async_trait;
use rusqlite::{Connection, params};

pub(super) const STATE: &str = "Feature state";
/// The states matching `filter` (SQL after `WHERE`, ordering included), with their shares.
pub(super) fn list(conn: &Connection, filter: &str, id: i64) -> Result<Vec<FeatureState>> {
    let states = all(
        conn,
        &format!("SELECT {COLUMNS} FROM feature_states WHERE {filter}"),
        [id],
        state,
    )?;
    with_shares(conn, states)
}

/// The identity's overrides, by feature.
pub(super) fn identity_overrides_of(
    conn: &Connection,
    identity: IdentityId,
) -> Result<Vec<FeatureState>> {
    list(conn, "identity_id = ? ORDER BY feature_id", identity.0)
}

pub(super) fn find(conn: &Connection, id: FeatureStateId) -> Result<FeatureState> {
    list(conn, "id = ?", id.0)?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// `NotFound` unless the row of `table` (features or segments) belongs to the environment's project.
pub(super) fn in_project_of(tx: &Tx<'_>, table: &str, id: i64, env: EnvironmentId) -> Result<()> {
    one(
        tx,
        &format!(
            "SELECT 1 FROM {table} x JOIN environments e ON e.project_id = x.project_id
             WHERE x.id = ? AND e.id = ?"
        ),
        [id, env.0],
        |_| Ok(()),
    )
}

/// Inserts a segment or identity override's state.
pub(super) fn insert(
    tx: &Tx<'_>,
    feature: FeatureId,
    env: EnvironmentId,
    applies: Applies,
    (enabled, value): (bool, &FeatureValue),
    now: Timestamp,
) -> Result<FeatureStateId> {
    let (identity, feature_segment) = match applies {
        Applies::Environment => (None, None),
        Applies::Segment(fs) => (None, Some(fs.0)),
        Applies::Identity(i) => (Some(i.0), None),
    };
    let id: i64 = one(
        tx,
        "INSERT INTO feature_states (uuid, feature_id, environment_id, identity_id,
                 feature_segment_id, enabled, value_type, string_value, integer_value,
                 boolean_value, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            new_uuid(),
            feature.0,
            env.0,
            identity,
            feature_segment,
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
    Ok(FeatureStateId(id))
}

#[async_trait]
impl FeatureStateStore for SqliteStore {
    async fn feature_state(&self, id: FeatureStateId) -> Result<FeatureState> {
        self.read(move |c| find(c, id)).await
    }

    async fn feature_state_by_uuid(&self, uuid: &str) -> Result<FeatureState> {
        let uuid = uuid.to_string();
        self.read(move |c| find(c, FeatureStateId(id_by_uuid(c, "feature_states", &uuid)?)))
            .await
    }

    async fn update_feature_state(
        &self,
        id: FeatureStateId,
        patch: &FeatureStatePatch,
        audit: &Audit,
    ) -> Result<FeatureState> {
        let (patch, audit, now) = (patch.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let before = find(tx, id)?;
            let enabled = patch.enabled.unwrap_or(before.enabled);
            let value = patch.value.clone().unwrap_or_else(|| before.value.clone());
            exec(
                tx,
                "UPDATE feature_states SET enabled = ?, value_type = ?, string_value = ?,
                     integer_value = ?, boolean_value = ?, updated_at = ?
                 WHERE id = ?",
                params![
                    enabled,
                    value.type_name(),
                    value.string_column(),
                    value.integer_column(),
                    value.boolean_column(),
                    ts(now),
                    id.0,
                ],
            )?;
            if let Some(shares) = &patch.mv_values {
                set_shares(tx, id, before.feature_id, shares)?;
            }
            let after = find(tx, id)?;
            let change = Change::updated(
                &audit,
                STATE,
                id.0,
                Some(&after.uuid),
                Scope::Environment(after.environment_id),
                &StateContent::from(&before),
                &StateContent::from(&after),
            )
            .flag(Some(&before), Some(&after));
            record(tx, now, &change)?;
            Ok(after)
        })
        .await
    }

    async fn delete_feature_state(&self, id: FeatureStateId, audit: &Audit) -> Result<()> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let state = find(tx, id)?;
            if state.scope == Applies::Environment {
                return Err(StoreError::Conflict(
                    "an environment default lives as long as its feature".into(),
                ));
            }
            let scope = Scope::Environment(state.environment_id);
            record(
                tx,
                now,
                &Change::deleted(&audit, STATE, id.0, Some(&state.uuid), scope)
                    .flag(Some(&state), None),
            )?;
            if let Applies::Segment(fs) = state.scope {
                // The state goes with its feature segment.
                exec(tx, "DELETE FROM feature_segments WHERE id = ?", [fs.0])?;
                renumber(tx, state.feature_id, state.environment_id)
            } else {
                exec(tx, "DELETE FROM feature_states WHERE id = ?", [id.0])?;
                Ok(())
            }
        })
        .await
    }
}
