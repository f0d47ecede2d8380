//! Multivariate options of a feature, and the shares environment defaults give them.

use rusqlite::{Connection, Transaction, params};

use super::rows::{all, exactly_one, exec, one};
use crate::domain::feature::{MvOption, NewMvOption};
use crate::domain::{FeatureId, MvOptionId, new_uuid};
use crate::store::Result;
use crate::store::mv_options::{COLUMNS, option};

pub(super) fn find(conn: &Connection, id: MvOptionId) -> Result<MvOption> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM mv_options WHERE id = ?"),
        [id.0],
        option,
    )
}

pub(super) fn of(conn: &Connection, feature: FeatureId) -> Result<Vec<MvOption>> {
    all(
        conn,
        &format!("SELECT {COLUMNS} FROM mv_options WHERE feature_id = ? ORDER BY id"),
        [feature.0],
        option,
    )
}

/// Inserts the option alone; `Conflict` when the key is taken in the feature.
pub(super) fn insert(
    tx: &Transaction<'_>,
    feature: FeatureId,
    new: &NewMvOption,
) -> Result<MvOption> {
    let v = &new.value;
    let id: i64 = one(
        tx,
        "INSERT INTO mv_options (uuid, feature_id, key, value_type, string_value,
                 integer_value, boolean_value, default_percentage_allocation)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            new_uuid(),
            feature.0,
            new.key,
            v.type_name(),
            v.string_column(),
            v.integer_column(),
            v.boolean_column(),
            new.default_percentage_allocation,
        ],
        |r| r.get(0),
    )?;
    find(tx, MvOptionId(id))
}

/// Gives every environment default state of the option's feature its default share.
pub(super) fn share_with_defaults(tx: &Transaction<'_>, option: &MvOption) -> Result<()> {
    exec(
        tx,
        "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation)
         SELECT id, ?, ? FROM feature_states
         WHERE feature_id = ? AND identity_id IS NULL AND feature_segment_id IS NULL ORDER BY id",
        params![
            option.id.0,
            option.default_percentage_allocation,
            option.feature_id.0
        ],
    )?;
    Ok(())
}

pub(super) fn update(tx: &Transaction<'_>, id: MvOptionId, new: &NewMvOption) -> Result<MvOption> {
    let v = &new.value;
    exactly_one(exec(
        tx,
        "UPDATE mv_options SET key = ?, value_type = ?, string_value = ?, integer_value = ?,
                 boolean_value = ?, default_percentage_allocation = ?
             WHERE id = ?",
        params![
            new.key,
            v.type_name(),
            v.string_column(),
            v.integer_column(),
            v.boolean_column(),
            new.default_percentage_allocation,
            id.0,
        ],
    )?)?;
    find(tx, id)
}

/// Deletes the option with its shares.
pub(super) fn delete(tx: &Transaction<'_>, id: MvOptionId) -> Result<()> {
    exactly_one(exec(tx, "DELETE FROM mv_options WHERE id = ?", [id.0])?)
}

/// Makes the feature `MULTIVARIATE` exactly while it has options.
pub(super) fn retype(tx: &Transaction<'_>, feature: FeatureId) -> Result<()> {
    exec(
        tx,
        "UPDATE features SET type = CASE
             WHEN EXISTS (SELECT 1 FROM mv_options WHERE feature_id = ?1) THEN 'MULTIVARIATE'
             ELSE 'STANDARD' END
         WHERE id = ?1",
        [feature.0],
    )?;
    Ok(())
}
