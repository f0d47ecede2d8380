//! Multivariate options of a feature, and the shares environment defaults give them.

use super::Tx;
use super::audit::record;
use super::rows::{Conn, all, exactly_one, exec, id_by_uuid, one};
use super::{PostgresStore, features};
use crate::domain::audit::Audit;
use crate::domain::feature::{MvOption, NewMvOption};
use crate::domain::{FeatureId, MvOptionId, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::mv_options::{COLUMNS, option};
use crate::store::{MvOptionStore, Result};
use async_trait::async_trait;

pub(super) async fn find(client: &impl Conn, id: MvOptionId) -> Result<MvOption> {
    one(
        client,
        &format!("SELECT {COLUMNS} FROM mv_options WHERE id = $1"),
        &[&id.0],
        option,
    )
    .await
}

pub(super) async fn of(client: &impl Conn, feature: FeatureId) -> Result<Vec<MvOption>> {
    all(
        client,
        &format!("SELECT {COLUMNS} FROM mv_options WHERE feature_id = $1 ORDER BY id"),
        &[&feature.0],
        option,
    )
    .await
}

/// Inserts the option alone; `Conflict` when the key is taken in the feature.
pub(super) async fn insert(tx: &Tx<'_>, feature: FeatureId, new: &NewMvOption) -> Result<MvOption> {
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
pub(super) async fn share_with_defaults(tx: &Tx<'_>, option: &MvOption) -> Result<()> {
    exec(tx, "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation)
             SELECT id, $1, $2 FROM feature_states
             WHERE feature_id = $3 AND identity_id IS NULL AND feature_segment_id IS NULL ORDER BY id", &[
            &option.id.0,
            &option.default_percentage_allocation,
            &option.feature_id.0,
        ]).await?;
    Ok(())
}

pub(super) async fn update(tx: &Tx<'_>, id: MvOptionId, new: &NewMvOption) -> Result<MvOption> {
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
pub(super) async fn delete(tx: &Tx<'_>, id: MvOptionId) -> Result<()> {
    exactly_one(exec(tx, "DELETE FROM mv_options WHERE id = $1", &[&id.0]).await?)
}

/// Makes the feature `MULTIVARIATE` exactly while it has options.
pub(super) async fn retype(tx: &Tx<'_>, feature: FeatureId) -> Result<()> {
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

const OPTION: &str = "Multivariate feature option";

#[async_trait]
impl MvOptionStore for PostgresStore {
    async fn create_mv_option(
        &self,
        feature: FeatureId,
        option: &NewMvOption,
        audit: &Audit,
    ) -> Result<MvOption> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let project = features::find(&tx, feature).await?.project_id;
        let created = insert(&tx, feature, option).await?;
        share_with_defaults(&tx, &created).await?;
        retype(&tx, feature).await?;
        let uuid = Some(created.uuid.as_str());
        let change = Change::created(audit, OPTION, created.id.0, uuid, Scope::Project(project));
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn mv_option(&self, id: MvOptionId) -> Result<MvOption> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn mv_option_by_uuid(&self, uuid: &str) -> Result<MvOption> {
        let client = self.client().await?;
        find(
            &client,
            MvOptionId(id_by_uuid(&client, "mv_options", uuid).await?),
        )
        .await
    }

    async fn mv_options(&self, feature: FeatureId) -> Result<Vec<MvOption>> {
        let client = self.client().await?;
        of(&client, feature).await
    }

    async fn update_mv_option(
        &self,
        id: MvOptionId,
        option: &NewMvOption,
        audit: &Audit,
    ) -> Result<MvOption> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let before = find(&tx, id).await?;
        let after = update(&tx, id, option).await?;
        let scope = Scope::Project(features::find(&tx, after.feature_id).await?.project_id);
        let uuid = Some(after.uuid.as_str());
        let change = Change::updated(audit, OPTION, id.0, uuid, scope, &before, &after);
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(after)
    }

    async fn delete_mv_option(&self, id: MvOptionId, audit: &Audit) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let option = find(&tx, id).await?;
        let scope = Scope::Project(features::find(&tx, option.feature_id).await?.project_id);
        let change = Change::deleted(audit, OPTION, id.0, Some(&option.uuid), scope);
        record(&tx, now, &change).await?;
        delete(&tx, id).await?;
        retype(&tx, option.feature_id).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
