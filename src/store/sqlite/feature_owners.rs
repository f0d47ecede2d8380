//! Feature owners: the users and groups of the organisation who answer for a feature.

use super::Tx;
use super::listing::Listing;
use super::rows::exec;
use super::{SqliteStore, features};
use crate::domain::FeatureId;
use crate::domain::feature::Feature;
use crate::domain::feature::{FeatureQuery, Owners};
use crate::store::FeatureOwnerStore;
use crate::store::{Result, StoreError};
use async_trait::async_trait;

/// Adds the owners; ones the feature has already stay as they are.
pub(super) fn add(tx: &Tx<'_>, feature: FeatureId, owners: &Owners) -> Result<()> {
    for user in &owners.users {
        exec(
            tx,
            "INSERT INTO feature_owners (feature_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [feature.0, user.0],
        )?;
    }
    for group in &owners.groups {
        exec(
            tx,
            "INSERT INTO feature_group_owners (feature_id, group_id) VALUES (?, ?)
             ON CONFLICT DO NOTHING",
            [feature.0, group.0],
        )?;
    }
    Ok(())
}

/// Removes the owners; ones the feature does not have are ignored.
pub(super) fn remove(tx: &Tx<'_>, feature: FeatureId, owners: &Owners) -> Result<()> {
    for user in &owners.users {
        exec(
            tx,
            "DELETE FROM feature_owners WHERE feature_id = ? AND user_id = ?",
            [feature.0, user.0],
        )?;
    }
    for group in &owners.groups {
        exec(
            tx,
            "DELETE FROM feature_group_owners WHERE feature_id = ? AND group_id = ?",
            [feature.0, group.0],
        )?;
    }
    Ok(())
}

/// Keeps features owned by any of the query's users, and by any of its groups.
pub(super) fn filter(list: &mut Listing, query: &FeatureQuery) -> Result<()> {
    let ids = |ids: Vec<i64>| {
        serde_json::to_string(&ids).map_err(|e| StoreError::Other(format!("owner ids: {e}")))
    };
    if let Some(users) = &query.owners {
        let json = ids(users.iter().map(|u| u.0).collect())?;
        let p = list.arg(json);
        list.filter(format!(
            "EXISTS (SELECT 1 FROM feature_owners o WHERE o.feature_id = f.id
                 AND o.user_id IN (SELECT value FROM json_each({p})))"
        ));
    }
    if let Some(groups) = &query.group_owners {
        let json = ids(groups.iter().map(|g| g.0).collect())?;
        let p = list.arg(json);
        list.filter(format!(
            "EXISTS (SELECT 1 FROM feature_group_owners o WHERE o.feature_id = f.id
                 AND o.group_id IN (SELECT value FROM json_each({p})))"
        ));
    }
    Ok(())
}

#[async_trait]
impl FeatureOwnerStore for SqliteStore {
    async fn add_feature_owners(&self, id: FeatureId, owners: &Owners) -> Result<Feature> {
        let owners = owners.clone();
        self.write(move |tx| {
            features::find(tx, id)?;
            add(tx, id, &owners)?;
            features::find(tx, id)
        })
        .await
    }

    async fn remove_feature_owners(&self, id: FeatureId, owners: &Owners) -> Result<Feature> {
        let owners = owners.clone();
        self.write(move |tx| {
            features::find(tx, id)?;
            remove(tx, id, &owners)?;
            features::find(tx, id)
        })
        .await
    }
}
