//! Multivariate options of a feature, and the shares environment defaults give them.

use super::Tx;
use super::audit::record;
use super::rows::{all, exactly_one, exec, id_by_uuid, one};
use super::{SqliteStore, features};
use crate::domain::audit::Audit;
use crate::domain::feature::{MvOption, NewMvOption};
use crate::domain::{FeatureId, MvOptionId, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::mv_options::{COLUMNS, option};
use crate::store::{MvOptionStore, Result};
use async_trait::async_trait;
use rusqlite::{Connection, params};

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
pub(super) fn insert(tx: &Tx<'_>, feature: FeatureId, new: &NewMvOption) -> Result<MvOption> {
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
pub(super) fn share_with_defaults(tx: &Tx<'_>, option: &MvOption) -> Result<()> {
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

pub(super) fn update(tx: &Tx<'_>, id: MvOptionId, new: &NewMvOption) -> Result<MvOption> {
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
pub(super) fn delete(tx: &Tx<'_>, id: MvOptionId) -> Result<()> {
    exactly_one(exec(tx, "DELETE FROM mv_options WHERE id = ?", [id.0])?)
}

/// Makes the feature `MULTIVARIATE` exactly while it has options.
pub(super) fn retype(tx: &Tx<'_>, feature: FeatureId) -> Result<()> {
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

const OPTION: &str = "Multivariate feature option";

#[async_trait]
impl MvOptionStore for SqliteStore {
    async fn create_mv_option(
        &self,
        feature: FeatureId,
        option: &NewMvOption,
        audit: &Audit,
    ) -> Result<MvOption> {
        let (new, audit, now) = (option.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let project = features::find(tx, feature)?.project_id;
            let created = insert(tx, feature, &new)?;
            share_with_defaults(tx, &created)?;
            retype(tx, feature)?;
            let uuid = Some(created.uuid.as_str());
            let change =
                Change::created(&audit, OPTION, created.id.0, uuid, Scope::Project(project));
            record(tx, now, &change)?;
            Ok(created)
        })
        .await
    }

    async fn mv_option(&self, id: MvOptionId) -> Result<MvOption> {
        self.read(move |c| find(c, id)).await
    }

    async fn mv_option_by_uuid(&self, uuid: &str) -> Result<MvOption> {
        let uuid = uuid.to_string();
        self.read(move |c| find(c, MvOptionId(id_by_uuid(c, "mv_options", &uuid)?)))
            .await
    }

    async fn mv_options(&self, feature: FeatureId) -> Result<Vec<MvOption>> {
        self.read(move |c| of(c, feature)).await
    }

    async fn update_mv_option(
        &self,
        id: MvOptionId,
        option: &NewMvOption,
        audit: &Audit,
    ) -> Result<MvOption> {
        let (new, audit, now) = (option.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let before = find(tx, id)?;
            let after = update(tx, id, &new)?;
            let scope = Scope::Project(features::find(tx, after.feature_id)?.project_id);
            let uuid = Some(after.uuid.as_str());
            let change = Change::updated(&audit, OPTION, id.0, uuid, scope, &before, &after);
            record(tx, now, &change)?;
            Ok(after)
        })
        .await
    }

    async fn delete_mv_option(&self, id: MvOptionId, audit: &Audit) -> Result<()> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let option = find(tx, id)?;
            let scope = Scope::Project(features::find(tx, option.feature_id)?.project_id);
            let change = Change::deleted(&audit, OPTION, id.0, Some(&option.uuid), scope);
            record(tx, now, &change)?;
            delete(tx, id)?;
            retype(tx, option.feature_id)
        })
        .await
    }
}
