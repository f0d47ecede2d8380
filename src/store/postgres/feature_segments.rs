//! Segment overrides' containers: which segment overrides a feature in an environment, and
//! in which priority.

use deadpool_postgres::{GenericClient, Transaction};

use super::rows::{all, one};
use crate::domain::feature_state::{FeatureSegment, NewSegmentOverride};
use crate::domain::{EnvironmentId, FeatureId, FeatureSegmentId, new_uuid};
use crate::store::Result;
use crate::store::priorities::{insertion_point, reorder};
use crate::store::segment_overrides::{COLUMNS, feature_segment};

pub(super) async fn find(
    client: &impl GenericClient,
    id: FeatureSegmentId,
) -> Result<FeatureSegment> {
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
    client: &impl GenericClient,
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
pub(super) async fn insert(
    tx: &Transaction<'_>,
    new: &NewSegmentOverride,
) -> Result<FeatureSegment> {
    let count = list(tx, new.environment_id, Some(new.feature_id))
        .await?
        .len();
    let priority = insertion_point(new.priority, count);
    let shift = tx
        .prepare_cached(
            "UPDATE feature_segments SET priority = priority + 1
             WHERE feature_id = $1 AND environment_id = $2 AND priority >= $3",
        )
        .await?;
    tx.execute(
        &shift,
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
    tx: &Transaction<'_>,
    env: EnvironmentId,
    feature: FeatureId,
    given: &[(FeatureSegmentId, i32)],
) -> Result<Vec<(FeatureSegment, FeatureSegment)>> {
    let current = list(tx, env, Some(feature)).await?;
    let stmt = tx
        .prepare_cached("UPDATE feature_segments SET priority = $1 WHERE id = $2")
        .await?;
    let mut moved = Vec::new();
    for after in reorder(&current, given)? {
        let Some(before) = current.iter().find(|fs| fs.id == after.id) else {
            continue;
        };
        if before.priority != after.priority {
            tx.execute(&stmt, &[&after.priority, &after.id.0]).await?;
            moved.push((before.clone(), after));
        }
    }
    Ok(moved)
}

/// Closes the gaps a deletion left in the feature's priorities in the environment.
pub(super) async fn renumber(
    tx: &Transaction<'_>,
    feature: FeatureId,
    env: EnvironmentId,
) -> Result<()> {
    reprioritise(tx, env, feature, &[]).await.map(|_| ())
}
