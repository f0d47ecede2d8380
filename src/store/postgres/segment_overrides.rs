//! Segment overrides on PostgreSQL: which segments override a feature, in which priority.

use super::Tx;
use super::audit::{bump, record};
use super::mv_shares::set_shares;
use super::rows::{Conn, all, exec, id_by_uuid, one};
use super::{PostgresStore, feature_states};
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

pub(super) async fn find(client: &impl Conn, id: FeatureSegmentId) -> Result<FeatureSegment> {
    one(
        client,
        &format!("SELECT {COLUMNS} FROM feature_segments WHERE id = $1"),
        &[&id.0],
        feature_segment,
    )
    .await
}

/// The environment's overrides, of one feature or all, by feature and priority.
pub(super) async fn list(
    client: &impl Conn,
    env: EnvironmentId,
    feature: Option<FeatureId>,
) -> Result<Vec<FeatureSegment>> {
    all(
        client,
        &format!(
            "SELECT {COLUMNS} FROM feature_segments
             WHERE environment_id = $1 AND ($2::BIGINT IS NULL OR feature_id = $2)
             ORDER BY feature_id, priority, id"
        ),
        &[&env.0, &feature.map(|f| f.0)],
        feature_segment,
    )
    .await
}

/// Inserts the override at its priority, moving the ones at or after it down by one.
pub(super) async fn insert(tx: &Tx<'_>, new: &NewSegmentOverride) -> Result<FeatureSegment> {
    let count = list(tx, new.environment_id, Some(new.feature_id))
        .await?
        .len();
    let priority = insertion_point(new.priority, count);
    exec(
        tx,
        "UPDATE feature_segments SET priority = priority + 1
             WHERE feature_id = $1 AND environment_id = $2 AND priority >= $3",
        &[&new.feature_id.0, &new.environment_id.0, &priority],
    )
    .await?;
    let id: i64 = one(
        tx,
        "INSERT INTO feature_segments (uuid, feature_id, segment_id, environment_id, priority)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        &[
            &new_uuid(),
            &new.feature_id.0,
            &new.segment_id.0,
            &new.environment_id.0,
            &priority,
        ],
        |r| r.get(0),
    )
    .await?;
    find(tx, FeatureSegmentId(id)).await
}

/// Gives the given overrides the given priorities and renumbers all densely (see
/// [`reorder`]). Returns each override that moved, before and after.
pub(super) async fn reprioritise(
    tx: &Tx<'_>,
    env: EnvironmentId,
    feature: FeatureId,
    given: &[(FeatureSegmentId, i32)],
) -> Result<Vec<(FeatureSegment, FeatureSegment)>> {
    let current = list(tx, env, Some(feature)).await?;
    let mut moved = Vec::new();
    for after in reorder(&current, given)? {
        let Some(before) = current.iter().find(|fs| fs.id == after.id) else {
            continue;
        };
        if before.priority != after.priority {
            exec(
                tx,
                "UPDATE feature_segments SET priority = $1 WHERE id = $2",
                &[&after.priority, &after.id.0],
            )
            .await?;
            moved.push((before.clone(), after));
        }
    }
    Ok(moved)
}

/// Closes the gaps a deletion left in the feature's priorities in the environment.
pub(super) async fn renumber(tx: &Tx<'_>, feature: FeatureId, env: EnvironmentId) -> Result<()> {
    reprioritise(tx, env, feature, &[]).await.map(|_| ())
}

const OVERRIDE: &str = "Segment override";

#[async_trait]
impl SegmentOverrideStore for PostgresStore {
    async fn create_segment_override(
        &self,
        new: &NewSegmentOverride,
        audit: &Audit,
    ) -> Result<(FeatureSegment, FeatureState)> {
        let (env, now) = (new.environment_id, self.now());
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        feature_states::in_project_of(&tx, "features", new.feature_id.0, env).await?;
        feature_states::in_project_of(&tx, "segments", new.segment_id.0, env).await?;
        let created = insert(&tx, new).await?;
        let applies = Applies::Segment(created.id);
        let value = (new.enabled, &new.value);
        let state = feature_states::insert(&tx, new.feature_id, env, applies, value, now).await?;
        set_shares(&tx, state, new.feature_id, &new.mv_values).await?;
        let scope = Scope::Environment(env);
        let state = feature_states::find(&tx, state).await?;
        let change = Change::created(audit, OVERRIDE, created.id.0, Some(&created.uuid), scope)
            .flag(None, Some(&state));
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok((created, state))
    }

    async fn feature_segment(&self, id: FeatureSegmentId) -> Result<FeatureSegment> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn feature_segment_by_uuid(&self, uuid: &str) -> Result<FeatureSegment> {
        let client = self.client().await?;
        let id = id_by_uuid(&client, "feature_segments", uuid).await?;
        find(&client, FeatureSegmentId(id)).await
    }

    async fn feature_segments(
        &self,
        env: EnvironmentId,
        feature: Option<FeatureId>,
    ) -> Result<Vec<FeatureSegment>> {
        let client = self.client().await?;
        list(&client, env, feature).await
    }

    async fn segment_override_states(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        feature_states::read(
            self,
            "environment_id = $1 AND feature_segment_id IS NOT NULL ORDER BY id",
            env.0,
        )
        .await
    }

    async fn delete_feature_segment(&self, id: FeatureSegmentId, audit: &Audit) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let fs = find(&tx, id).await?;
        let scope = Scope::Environment(fs.environment_id);
        let mut change = Change::deleted(audit, OVERRIDE, id.0, Some(&fs.uuid), scope);
        for state in feature_states::list(&tx, "feature_segment_id = $1", id.0).await? {
            change = change.flag(Some(&state), None);
        }
        record(&tx, now, &change).await?;
        exec(&tx, "DELETE FROM feature_segments WHERE id = $1", &[&id.0]).await?;
        renumber(&tx, fs.feature_id, fs.environment_id).await?;
        self.commit(tx).await?;
        Ok(())
    }

    async fn set_priorities(
        &self,
        env: EnvironmentId,
        feature: FeatureId,
        priorities: &[(FeatureSegmentId, i32)],
        audit: &Audit,
    ) -> Result<Vec<FeatureSegment>> {
        let (scope, now) = (Scope::Environment(env), self.now());
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        for (before, after) in reprioritise(&tx, env, feature, priorities).await? {
            let uuid = Some(after.uuid.as_str());
            let change = Change::updated(audit, OVERRIDE, after.id.0, uuid, scope, &before, &after);
            record(&tx, now, &change).await?;
        }
        bump(&tx, now, scope).await?;
        let ordered = list(&tx, env, Some(feature)).await?;
        self.commit(tx).await?;
        Ok(ordered)
    }
}
