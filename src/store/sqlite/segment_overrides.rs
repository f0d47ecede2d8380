//! Segment overrides on SQLite: which segments override a feature, in which priority.

use super::Tx;
use super::audit::{bump, record};
use super::mv_shares::set_shares;
use super::rows::{all, exec, id_by_uuid, one};
use super::{SqliteStore, feature_states};
use crate::domain::audit::Audit;
use crate::domain::feature_state::{
    FeatureSegment, FeatureState, NewSegmentOverride, Scope as Applies,
};
use crate::domain::{EnvironmentId, FeatureId, FeatureSegmentId, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::priorities::{insertion_point, reorder};
use crate::store::segment_overrides::{COLUMNS, feature_segment};
use crate::store::{Result, SegmentOverrideStore};
use async_trait::async_trait;
use rusqlite::{Connection, params};

pub(super) fn find(conn: &Connection, id: FeatureSegmentId) -> Result<FeatureSegment> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM feature_segments WHERE id = ?"),
        [id.0],
        feature_segment,
    )
}

/// The environment's overrides, of one feature or all, by feature and priority.
pub(super) fn list(
    conn: &Connection,
    env: EnvironmentId,
    feature: Option<FeatureId>,
) -> Result<Vec<FeatureSegment>> {
    all(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM feature_segments
             WHERE environment_id = ?1 AND (?2 IS NULL OR feature_id = ?2)
             ORDER BY feature_id, priority, id"
        ),
        params![env.0, feature.map(|f| f.0)],
        feature_segment,
    )
}

/// Inserts the override at its priority, moving the ones at or after it down by one.
pub(super) fn insert(tx: &Tx<'_>, new: &NewSegmentOverride) -> Result<FeatureSegment> {
    let count = list(tx, new.environment_id, Some(new.feature_id))?.len();
    let priority = insertion_point(new.priority, count);
    exec(
        tx,
        "UPDATE feature_segments SET priority = priority + 1
         WHERE feature_id = ? AND environment_id = ? AND priority >= ?",
        params![new.feature_id.0, new.environment_id.0, priority],
    )?;
    let id: i64 = one(
        tx,
        "INSERT INTO feature_segments (uuid, feature_id, segment_id, environment_id, priority)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        params![
            new_uuid(),
            new.feature_id.0,
            new.segment_id.0,
            new.environment_id.0,
            priority
        ],
        |r| r.get(0),
    )?;
    find(tx, FeatureSegmentId(id))
}

/// Gives the given overrides the given priorities and renumbers all densely (see
/// [`reorder`]). Returns each override that moved, before and after.
pub(super) fn reprioritise(
    tx: &Tx<'_>,
    env: EnvironmentId,
    feature: FeatureId,
    given: &[(FeatureSegmentId, i32)],
) -> Result<Vec<(FeatureSegment, FeatureSegment)>> {
    let current = list(tx, env, Some(feature))?;
    let mut moved = Vec::new();
    for after in reorder(&current, given)? {
        let Some(before) = current.iter().find(|fs| fs.id == after.id) else {
            continue;
        };
        if before.priority != after.priority {
            exec(
                tx,
                "UPDATE feature_segments SET priority = ? WHERE id = ?",
                params![after.priority, after.id.0],
            )?;
            moved.push((before.clone(), after));
        }
    }
    Ok(moved)
}

/// Closes the gaps a deletion left in the feature's priorities in the environment.
pub(super) fn renumber(tx: &Tx<'_>, feature: FeatureId, env: EnvironmentId) -> Result<()> {
    reprioritise(tx, env, feature, &[]).map(|_| ())
}

const OVERRIDE: &str = "Segment override";

#[async_trait]
impl SegmentOverrideStore for SqliteStore {
    async fn create_segment_override(
        &self,
        new: &NewSegmentOverride,
        audit: &Audit,
    ) -> Result<(FeatureSegment, FeatureState)> {
        let (new, audit, now) = (new.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let env = new.environment_id;
            feature_states::in_project_of(tx, "features", new.feature_id.0, env)?;
            feature_states::in_project_of(tx, "segments", new.segment_id.0, env)?;
            let created = insert(tx, &new)?;
            let applies = Applies::Segment(created.id);
            let value = (new.enabled, &new.value);
            let state = feature_states::insert(tx, new.feature_id, env, applies, value, now)?;
            set_shares(tx, state, new.feature_id, &new.mv_values)?;
            let scope = Scope::Environment(env);
            let state = feature_states::find(tx, state)?;
            let change =
                Change::created(&audit, OVERRIDE, created.id.0, Some(&created.uuid), scope)
                    .flag(None, Some(&state));
            record(tx, now, &change)?;
            Ok((created, state))
        })
        .await
    }

    async fn feature_segment(&self, id: FeatureSegmentId) -> Result<FeatureSegment> {
        self.read(move |c| find(c, id)).await
    }

    async fn feature_segment_by_uuid(&self, uuid: &str) -> Result<FeatureSegment> {
        let uuid = uuid.to_string();
        self.read(move |c| {
            let id = id_by_uuid(c, "feature_segments", &uuid)?;
            find(c, FeatureSegmentId(id))
        })
        .await
    }

    async fn feature_segments(
        &self,
        env: EnvironmentId,
        feature: Option<FeatureId>,
    ) -> Result<Vec<FeatureSegment>> {
        self.read(move |c| list(c, env, feature)).await
    }

    async fn segment_override_states(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        self.read(move |c| {
            feature_states::list(
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
            let fs = find(tx, id)?;
            let scope = Scope::Environment(fs.environment_id);
            let mut change = Change::deleted(&audit, OVERRIDE, id.0, Some(&fs.uuid), scope);
            for state in feature_states::list(tx, "feature_segment_id = ?", id.0)? {
                change = change.flag(Some(&state), None);
            }
            record(tx, now, &change)?;
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
            list(tx, env, Some(feature))
        })
        .await
    }
}
