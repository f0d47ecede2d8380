//! Multivariate options of a feature, and the shares environment defaults give them.

use deadpool_postgres::{GenericClient, Transaction};

use super::rows::{all, exactly_one, exec, one};
use crate::domain::feature::{MvOption, NewMvOption};
use crate::domain::{FeatureId, MvOptionId, new_uuid};
use crate::store::Result;
use crate::store::mv_options::{COLUMNS, option};

pub(super) async fn find(client: &impl GenericClient, id: MvOptionId) -> Result<MvOption> {
    one(
        client,
        &format!("SELECT {COLUMNS} FROM mv_options WHERE id = $1"),
        &[&id.0],
        option,
    )
    .await
}

pub(super) async fn of(client: &impl GenericClient, feature: FeatureId) -> Result<Vec<MvOption>> {
    all(
        client,
        &format!("SELECT {COLUMNS} FROM mv_options WHERE feature_id = $1 ORDER BY id"),
        &[&feature.0],
        option,
    )
    .await
}

/// Inserts the option alone; `Conflict` when the key is taken in the feature.
pub(super) async fn insert(
    tx: &Transaction<'_>,
    feature: FeatureId,
    new: &NewMvOption,
) -> Result<MvOption> {
    let v = &new.value;
    let id: i64 = one(
        tx,
        "INSERT INTO mv_options (uuid, feature_id, key, value_type, string_value,
                 integer_value, boolean_value, default_percentage_allocation)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
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
        |r| r.get(0),
    )
    .await?;
    find(tx, MvOptionId(id)).await
}

/// Gives every environment default state of the option's feature its default share.
pub(super) async fn share_with_defaults(tx: &Transaction<'_>, option: &MvOption) -> Result<()> {
    exec(tx, "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation)
             SELECT id, $1, $2 FROM feature_states
             WHERE feature_id = $3 AND identity_id IS NULL AND feature_segment_id IS NULL ORDER BY id", &[
            &option.id.0,
            &option.default_percentage_allocation,
            &option.feature_id.0,
        ]).await?;
    Ok(())
}

pub(super) async fn update(
    tx: &Transaction<'_>,
    id: MvOptionId,
    new: &NewMvOption,
) -> Result<MvOption> {
    let v = &new.value;
    exactly_one(
        exec(tx, "UPDATE mv_options SET key = $1, value_type = $2, string_value = $3, integer_value = $4,
                 boolean_value = $5, default_percentage_allocation = $6
             WHERE id = $7", &[
                &new.key,
                &v.type_name(),
                &v.string_column(),
                &v.integer_column(),
                &v.boolean_column(),
                &new.default_percentage_allocation,
                &id.0,
            ]).await?,
    )?;
    find(tx, id).await
}

/// Deletes the option with its shares.
pub(super) async fn delete(tx: &Transaction<'_>, id: MvOptionId) -> Result<()> {
    exactly_one(exec(tx, "DELETE FROM mv_options WHERE id = $1", &[&id.0]).await?)
}

/// Makes the feature `MULTIVARIATE` exactly while it has options.
pub(super) async fn retype(tx: &Transaction<'_>, feature: FeatureId) -> Result<()> {
    exec(
        tx,
        "UPDATE features SET type = CASE
                 WHEN EXISTS (SELECT 1 FROM mv_options WHERE feature_id = $1) THEN 'MULTIVARIATE'
                 ELSE 'STANDARD' END
             WHERE id = $1",
        &[&feature.0],
    )
    .await?;
    Ok(())
}
