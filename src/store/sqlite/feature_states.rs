use async_trait::async_trait;
use rusqlite::{Connection, Transaction, params};

use super::SqliteStore;
use super::audit::{bump, record};
use super::feature_segments::{self, renumber, reprioritise};
use super::mv_shares::{set_shares, with_shares};
use super::rows::{all, exec, id_by_uuid, one, ts};
use crate::domain::audit::Audit;
use crate::domain::feature_state::{
    FeatureSegment, FeatureState, FeatureStatePatch, MvAllocation, NewIdentityOverride,
    NewSegmentOverride, Scope as Applies,
};
use crate::domain::{
    EnvironmentId, FeatureId, FeatureSegmentId, FeatureStateId, FeatureValue, IdentityId,
    Timestamp, new_uuid,
};
use crate::store::audit::{Change, Scope};
use crate::store::audited::StateContent;
use crate::store::feature_states::{COLUMNS, state};
use crate::store::{FeatureStateStore, Result, StoreError};

const STATE: &str = "Feature state";
const OVERRIDE: &str = "Segment override";

/// The states matching `filter` (SQL after `WHERE`, ordering included), with their shares.
fn list(conn: &Connection, filter: &str, id: i64) -> Result<Vec<FeatureState>> {
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

fn find(conn: &Connection, id: FeatureStateId) -> Result<FeatureState> {
    list(conn, "id = ?", id.0)?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// `NotFound` unless the row of `table` (features or segments) belongs to the environment's project.
fn in_project_of(tx: &Transaction<'_>, table: &str, id: i64, env: EnvironmentId) -> Result<()> {
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
fn insert(
    tx: &Transaction<'_>,
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

    async fn environment_defaults(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        self.read(move |c| {
            list(
                c,
                "environment_id = ? AND identity_id IS NULL AND feature_segment_id IS NULL
                 ORDER BY feature_id",
                env.0,
            )
        })
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
            );
            record(tx, now, &change)?;
            Ok(after)
        })
        .await
    }

    async fn create_segment_override(
        &self,
        new: &NewSegmentOverride,
        audit: &Audit,
    ) -> Result<(FeatureSegment, FeatureState)> {
        let (new, audit, now) = (new.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let env = new.environment_id;
            in_project_of(tx, "features", new.feature_id.0, env)?;
            in_project_of(tx, "segments", new.segment_id.0, env)?;
            let created = feature_segments::insert(tx, &new)?;
            let applies = Applies::Segment(created.id);
            let value = (new.enabled, &new.value);
            let state = insert(tx, new.feature_id, env, applies, value, now)?;
            set_shares(tx, state, new.feature_id, &new.mv_values)?;
            let scope = Scope::Environment(env);
            let change =
                Change::created(&audit, OVERRIDE, created.id.0, Some(&created.uuid), scope);
            record(tx, now, &change)?;
            Ok((created, find(tx, state)?))
        })
        .await
    }

    async fn feature_segment(&self, id: FeatureSegmentId) -> Result<FeatureSegment> {
        self.read(move |c| feature_segments::find(c, id)).await
    }

    async fn feature_segment_by_uuid(&self, uuid: &str) -> Result<FeatureSegment> {
        let uuid = uuid.to_string();
        self.read(move |c| {
            let id = id_by_uuid(c, "feature_segments", &uuid)?;
            feature_segments::find(c, FeatureSegmentId(id))
        })
        .await
    }

    async fn feature_segments(
        &self,
        env: EnvironmentId,
        feature: Option<FeatureId>,
    ) -> Result<Vec<FeatureSegment>> {
        self.read(move |c| feature_segments::list(c, env, feature))
            .await
    }

    async fn segment_override_states(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        self.read(move |c| {
            list(
                c,
                "environment_id = ? AND feature_segment_id IS NOT NULL ORDER BY id",
                env.0,
            )
        })
        .await
    }

    async fn delete_feature_segment(&self, id: FeatureSegmentId, audit: &Audit) -> Result<()> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let fs = feature_segments::find(tx, id)?;
            let scope = Scope::Environment(fs.environment_id);
            record(
                tx,
                now,
                &Change::deleted(&audit, OVERRIDE, id.0, Some(&fs.uuid), scope),
            )?;
            exec(tx, "DELETE FROM feature_segments WHERE id = ?", [id.0])?;
            renumber(tx, fs.feature_id, fs.environment_id)
        })
        .await
    }

    async fn set_priorities(
        &self,
        env: EnvironmentId,
        feature: FeatureId,
        priorities: &[(FeatureSegmentId, i32)],
        audit: &Audit,
    ) -> Result<Vec<FeatureSegment>> {
        let (priorities, audit, now) = (priorities.to_vec(), audit.clone(), self.now());
        self.write(move |tx| {
            let scope = Scope::Environment(env);
            for (before, after) in reprioritise(tx, env, feature, &priorities)? {
                let uuid = Some(after.uuid.as_str());
                let change =
                    Change::updated(&audit, OVERRIDE, after.id.0, uuid, scope, &before, &after);
                record(tx, now, &change)?;
            }
            bump(tx, now, scope)?;
            feature_segments::list(tx, env, Some(feature))
        })
        .await
    }

    async fn create_identity_override(
        &self,
        new: &NewIdentityOverride,
        audit: &Audit,
    ) -> Result<FeatureState> {
        let (new, audit, now) = (new.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let env = EnvironmentId(one(
                tx,
                "SELECT environment_id FROM identities WHERE id = ?",
                [new.identity_id.0],
                |r| r.get(0),
            )?);
            in_project_of(tx, "features", new.feature_id.0, env)?;
            let applies = Applies::Identity(new.identity_id);
            let value = (new.enabled, &new.value);
            let created = find(tx, insert(tx, new.feature_id, env, applies, value, now)?)?;
            let scope = Scope::Environment(env);
            let change = Change::created(&audit, STATE, created.id.0, Some(&created.uuid), scope);
            record(tx, now, &change)?;
            Ok(created)
        })
        .await
    }

    async fn identity_overrides(&self, identity: IdentityId) -> Result<Vec<FeatureState>> {
        self.read(move |c| identity_overrides_of(c, identity)).await
    }

    async fn copy_identity_overrides(
        &self,
        from: IdentityId,
        to: IdentityId,
        audit: &Audit,
    ) -> Result<Vec<FeatureState>> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let env: i64 = one(
                tx,
                "SELECT a.environment_id FROM identities a JOIN identities b
                     ON a.environment_id = b.environment_id WHERE a.id = ? AND b.id = ?",
                [from.0, to.0],
                |r| r.get(0),
            )?;
            let env = EnvironmentId(env);
            let scope = Scope::Environment(env);
            let sources = list(tx, "identity_id = ? ORDER BY feature_id", from.0)?;
            for old in list(tx, "identity_id = ? ORDER BY feature_id", to.0)? {
                let change = Change::deleted(&audit, STATE, old.id.0, Some(&old.uuid), scope);
                record(tx, now, &change)?;
                exec(tx, "DELETE FROM feature_states WHERE id = ?", [old.id.0])?;
            }
            for source in &sources {
                let value = (source.enabled, &source.value);
                let shares: Vec<MvAllocation> = source.mv_values.iter().map(Into::into).collect();
                let applies = Applies::Identity(to);
                let id = insert(tx, source.feature_id, env, applies, value, now)?;
                set_shares(tx, id, source.feature_id, &shares)?;
                let created = find(tx, id)?;
                let change = Change::created(&audit, STATE, id.0, Some(&created.uuid), scope);
                record(tx, now, &change)?;
            }
            list(tx, "identity_id = ? ORDER BY feature_id", to.0)
        })
        .await
    }

    async fn identity_overrides_in(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        self.read(move |c| {
            list(
                c,
                "environment_id = ? AND identity_id IS NOT NULL ORDER BY identity_id, feature_id",
                env.0,
            )
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
                &Change::deleted(&audit, STATE, id.0, Some(&state.uuid), scope),
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
