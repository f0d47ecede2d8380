//! Segment overrides' containers: which segment overrides a feature in an environment, and
//! in which priority.

use rusqlite::{Connection, Transaction, params};

use super::rows::{all, exec, one};
use crate::domain::feature_state::{FeatureSegment, NewSegmentOverride};
use crate::domain::{EnvironmentId, FeatureId, FeatureSegmentId, new_uuid};
use crate::store::Result;
use crate::store::priorities::{insertion_point, reorder};
use crate::store::segment_overrides::{COLUMNS, feature_segment};

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
pub(super) fn insert(tx: &Transaction<'_>, new: &NewSegmentOverride) -> Result<FeatureSegment> {
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
    tx: &Transaction<'_>,
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
pub(super) fn renumber(tx: &Transaction<'_>, feature: FeatureId, env: EnvironmentId) -> Result<()> {
    reprioritise(tx, env, feature, &[]).map(|_| ())
}
