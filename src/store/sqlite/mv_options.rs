//! Multivariate options of a feature, and the shares environment defaults give them.

use rusqlite::{Connection, Row, Transaction, params};

use super::rows::exactly_one;
use crate::domain::feature::{MvOption, NewMvOption};
use crate::domain::{FeatureId, FeatureValue, MvOptionId, new_uuid};
use crate::store::Result;

const COLUMNS: &str = "id, uuid, feature_id, key, value_type, string_value, integer_value,
    boolean_value, default_percentage_allocation";

fn option(row: &Row<'_>) -> rusqlite::Result<MvOption> {
    let value_type: String = row.get(4)?;
    Ok(MvOption {
        id: MvOptionId(row.get(0)?),
        uuid: row.get(1)?,
        feature_id: FeatureId(row.get(2)?),
        key: row.get(3)?,
        value: FeatureValue::from_columns(&value_type, row.get(5)?, row.get(6)?, row.get(7)?),
        default_percentage_allocation: row.get(8)?,
    })
}

pub(super) fn find(conn: &Connection, id: MvOptionId) -> Result<MvOption> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM mv_options WHERE id = ?"))?
        .query_row([id.0], option)?)
}

pub(super) fn of(conn: &Connection, feature: FeatureId) -> Result<Vec<MvOption>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM mv_options WHERE feature_id = ? ORDER BY id"
        ))?
        .query_map([feature.0], option)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Inserts the option alone; `Conflict` when the key is taken in the feature.
pub(super) fn insert(
    tx: &Transaction<'_>,
    feature: FeatureId,
    new: &NewMvOption,
) -> Result<MvOption> {
    let v = &new.value;
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO mv_options (uuid, feature_id, key, value_type, string_value,
                 integer_value, boolean_value, default_percentage_allocation)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )?
        .query_row(
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
    tx.prepare_cached(
        "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation)
         SELECT id, ?, ? FROM feature_states
         WHERE feature_id = ? AND identity_id IS NULL AND feature_segment_id IS NULL ORDER BY id",
    )?
    .execute(params![
        option.id.0,
        option.default_percentage_allocation,
        option.feature_id.0
    ])?;
    Ok(())
}

pub(super) fn update(tx: &Transaction<'_>, id: MvOptionId, new: &NewMvOption) -> Result<MvOption> {
    let v = &new.value;
    exactly_one(
        tx.prepare_cached(
            "UPDATE mv_options SET key = ?, value_type = ?, string_value = ?, integer_value = ?,
                 boolean_value = ?, default_percentage_allocation = ?
             WHERE id = ?",
        )?
        .execute(params![
            new.key,
            v.type_name(),
            v.string_column(),
            v.integer_column(),
            v.boolean_column(),
            new.default_percentage_allocation,
            id.0,
        ])?,
    )?;
    find(tx, id)
}

/// Deletes the option with its shares.
pub(super) fn delete(tx: &Transaction<'_>, id: MvOptionId) -> Result<()> {
    exactly_one(
        tx.prepare_cached("DELETE FROM mv_options WHERE id = ?")?
            .execute([id.0])?,
    )
}

/// Makes the feature `MULTIVARIATE` exactly while it has options.
pub(super) fn retype(tx: &Transaction<'_>, feature: FeatureId) -> Result<()> {
    tx.prepare_cached(
        "UPDATE features SET type = CASE
             WHEN EXISTS (SELECT 1 FROM mv_options WHERE feature_id = ?1) THEN 'MULTIVARIATE'
             ELSE 'STANDARD' END
         WHERE id = ?1",
    )?
    .execute([feature.0])?;
    Ok(())
}
