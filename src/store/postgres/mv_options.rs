//! Multivariate options of a feature, and the shares environment defaults give them.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use super::exactly_one;
use crate::domain::feature::{MvOption, NewMvOption};
use crate::domain::{FeatureId, FeatureValue, MvOptionId, new_uuid};
use crate::store::{Result, StoreError};

const COLUMNS: &str = "id, uuid, feature_id, key, value_type, string_value, integer_value,
    boolean_value, default_percentage_allocation";

fn option(row: &Row) -> Result<MvOption> {
    let value_type: &str = row.try_get(4)?;
    Ok(MvOption {
        id: MvOptionId(row.try_get(0)?),
        uuid: row.try_get(1)?,
        feature_id: FeatureId(row.try_get(2)?),
        key: row.try_get(3)?,
        value: FeatureValue::from_columns(
            value_type,
            row.try_get(5)?,
            row.try_get(6)?,
            row.try_get(7)?,
        ),
        default_percentage_allocation: row.try_get(8)?,
    })
}

pub(super) async fn find(client: &impl GenericClient, id: MvOptionId) -> Result<MvOption> {
    let stmt = client
        .prepare_cached(&format!("SELECT {COLUMNS} FROM mv_options WHERE id = $1"))
        .await?;
    let row = client
        .query_opt(&stmt, &[&id.0])
        .await?
        .ok_or(StoreError::NotFound)?;
    option(&row)
}

pub(super) async fn of(client: &impl GenericClient, feature: FeatureId) -> Result<Vec<MvOption>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM mv_options WHERE feature_id = $1 ORDER BY id"
        ))
        .await?;
    client
        .query(&stmt, &[&feature.0])
        .await?
        .iter()
        .map(option)
        .collect()
}

/// Inserts the option alone; `Conflict` when the key is taken in the feature.
pub(super) async fn insert(
    tx: &Transaction<'_>,
    feature: FeatureId,
    new: &NewMvOption,
) -> Result<MvOption> {
    let v = &new.value;
    let stmt = tx
        .prepare_cached(
            "INSERT INTO mv_options (uuid, feature_id, key, value_type, string_value,
                 integer_value, boolean_value, default_percentage_allocation)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .await?;
    let id: i64 = tx
        .query_one(
            &stmt,
            &[
                &new_uuid(),
                &feature.0,
                &new.key,
                &v.type_name(),
                &v.string_column(),
                &v.integer_column(),
                &v.boolean_column(),
                &new.default_percentage_allocation,
            ],
        )
        .await?
        .try_get(0)?;
    find(tx, MvOptionId(id)).await
}

/// Gives every environment default state of the option's feature its default share.
pub(super) async fn share_with_defaults(tx: &Transaction<'_>, option: &MvOption) -> Result<()> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation)
             SELECT id, $1, $2 FROM feature_states
             WHERE feature_id = $3 AND identity_id IS NULL AND feature_segment_id IS NULL ORDER BY id",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &option.id.0,
            &option.default_percentage_allocation,
            &option.feature_id.0,
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn update(
    tx: &Transaction<'_>,
    id: MvOptionId,
    new: &NewMvOption,
) -> Result<MvOption> {
    let v = &new.value;
    let stmt = tx
        .prepare_cached(
            "UPDATE mv_options SET key = $1, value_type = $2, string_value = $3, integer_value = $4,
                 boolean_value = $5, default_percentage_allocation = $6
             WHERE id = $7",
        )
        .await?;
    exactly_one(
        tx.execute(
            &stmt,
            &[
                &new.key,
                &v.type_name(),
                &v.string_column(),
                &v.integer_column(),
                &v.boolean_column(),
                &new.default_percentage_allocation,
                &id.0,
            ],
        )
        .await?,
    )?;
    find(tx, id).await
}

/// Deletes the option with its shares.
pub(super) async fn delete(tx: &Transaction<'_>, id: MvOptionId) -> Result<()> {
    let stmt = tx
        .prepare_cached("DELETE FROM mv_options WHERE id = $1")
        .await?;
    exactly_one(tx.execute(&stmt, &[&id.0]).await?)
}

/// Makes the feature `MULTIVARIATE` exactly while it has options.
pub(super) async fn retype(tx: &Transaction<'_>, feature: FeatureId) -> Result<()> {
    let stmt = tx
        .prepare_cached(
            "UPDATE features SET type = CASE
                 WHEN EXISTS (SELECT 1 FROM mv_options WHERE feature_id = $1) THEN 'MULTIVARIATE'
                 ELSE 'STANDARD' END
             WHERE id = $1",
        )
        .await?;
    tx.execute(&stmt, &[&feature.0]).await?;
    Ok(())
}
