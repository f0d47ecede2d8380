//! Feature states by id or uuid, whatever they apply to, in PostgreSQL.

use super::Tx;
use super::audit::record;
use super::mv_shares::{set_shares, with_shares};
use super::rows::{Conn, all, exec, id_by_uuid, one};
use super::segment_overrides::renumber;
use super::{PostgresStore, read_snapshot};
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

pub(super) const STATE: &str = "Feature state";
/// The states matching `filter` (SQL after `WHERE` on `$1`, ordering included), with their shares.
pub(super) async fn list(client: &impl Conn, filter: &str, id: i64) -> Result<Vec<FeatureState>> {
    let states = all(
        client,
        &format!("SELECT {COLUMNS} FROM feature_states WHERE {filter}"),
        &[&id],
        state,
    )
    .await?;
    with_shares(client, states).await
}

/// `list` in a snapshot of its own, for the trait's reads.
pub(super) async fn read(
    store: &PostgresStore,
    filter: &str,
    id: i64,
) -> Result<Vec<FeatureState>> {
    let mut client = store.client().await?;
    let tx = read_snapshot(&mut client).await?;
    let states = list(&tx, filter, id).await?;
    tx.commit().await?;
    Ok(states)
}

/// The identity's overrides, by feature.
pub(super) async fn identity_overrides_of(
    client: &impl Conn,
    identity: IdentityId,
) -> Result<Vec<FeatureState>> {
    list(client, "identity_id = $1 ORDER BY feature_id", identity.0).await
}

pub(super) async fn find(client: &impl Conn, id: FeatureStateId) -> Result<FeatureState> {
    list(client, "id = $1", id.0)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// `NotFound` unless the row of `table` (features or segments) belongs to the environment's project.
pub(super) async fn in_project_of(
    tx: &Tx<'_>,
    table: &str,
    id: i64,
    env: EnvironmentId,
) -> Result<()> {
    one(
        tx,
        &format!(
            "SELECT 1 FROM {table} x JOIN environments e ON e.project_id = x.project_id
             WHERE x.id = $1 AND e.id = $2"
        ),
        &[&id, &env.0],
        |_| Ok(()),
    )
    .await
}

/// Inserts a segment or identity override's state.
pub(super) async fn insert(
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        &[
            &new_uuid(),
            &feature.0,
            &env.0,
            &identity,
            &feature_segment,
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
    Ok(FeatureStateId(id))
}

#[async_trait]
impl FeatureStateStore for PostgresStore {
    async fn feature_state(&self, id: FeatureStateId) -> Result<FeatureState> {
        read(self, "id = $1", id.0)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn feature_state_by_uuid(&self, uuid: &str) -> Result<FeatureState> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let id = id_by_uuid(&tx, "feature_states", uuid).await?;
        let found = find(&tx, FeatureStateId(id)).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn update_feature_state(
        &self,
        id: FeatureStateId,
        patch: &FeatureStatePatch,
        audit: &Audit,
    ) -> Result<FeatureState> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let before = find(&tx, id).await?;
        let enabled = patch.enabled.unwrap_or(before.enabled);
        let value = patch.value.as_ref().unwrap_or(&before.value);
        exec(
            &tx,
            "UPDATE feature_states SET enabled = $1, value_type = $2, string_value = $3,
                     integer_value = $4, boolean_value = $5, updated_at = $6
                 WHERE id = $7",
            &[
                &enabled,
                &value.type_name(),
                &value.string_column(),
                &value.integer_column(),
                &value.boolean_column(),
                &now,
                &id.0,
            ],
        )
        .await?;
        if let Some(shares) = &patch.mv_values {
            set_shares(&tx, id, before.feature_id, shares).await?;
        }
        let after = find(&tx, id).await?;
        let change = Change::updated(
            audit,
            STATE,
            id.0,
            Some(&after.uuid),
            Scope::Environment(after.environment_id),
            &StateContent::from(&before),
            &StateContent::from(&after),
        )
        .flag(Some(&before), Some(&after));
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(after)
    }

    async fn delete_feature_state(&self, id: FeatureStateId, audit: &Audit) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let state = find(&tx, id).await?;
        if state.scope == Applies::Environment {
            return Err(StoreError::Conflict(
                "an environment default lives as long as its feature".into(),
            ));
        }
        let scope = Scope::Environment(state.environment_id);
        let change =
            Change::deleted(audit, STATE, id.0, Some(&state.uuid), scope).flag(Some(&state), None);
        record(&tx, now, &change).await?;
        if let Applies::Segment(fs) = state.scope {
            // The state goes with its feature segment.
            exec(&tx, "DELETE FROM feature_segments WHERE id = $1", &[&fs.0]).await?;
            renumber(&tx, state.feature_id, state.environment_id).await?;
        } else {
            exec(&tx, "DELETE FROM feature_states WHERE id = $1", &[&id.0]).await?;
        }
        self.commit(tx).await?;
        Ok(())
    }
}
