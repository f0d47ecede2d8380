//! Feature owners: the users and groups of the organisation who answer for a feature.

use super::Tx;
use super::listing::Listing;
use super::rows::exec;
use super::{PostgresStore, features};
use crate::domain::FeatureId;
use crate::domain::feature::Feature;
use crate::domain::feature::{FeatureQuery, Owners};
use crate::store::FeatureOwnerStore;
use crate::store::Result;
use async_trait::async_trait;

/// Adds the owners; ones the feature has already stay as they are.
pub(super) async fn add(tx: &Tx<'_>, feature: FeatureId, owners: &Owners) -> Result<()> {
    for user in &owners.users {
        exec(
            tx,
            "INSERT INTO feature_owners (feature_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&feature.0, &user.0],
        )
        .await?;
    }
    for group in &owners.groups {
        exec(
            tx,
            "INSERT INTO feature_group_owners (feature_id, group_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
            &[&feature.0, &group.0],
        )
        .await?;
    }
    Ok(())
}

/// Removes the owners; ones the feature does not have are ignored.
pub(super) async fn remove(tx: &Tx<'_>, feature: FeatureId, owners: &Owners) -> Result<()> {
    let users: Vec<i64> = owners.users.iter().map(|u| u.0).collect();
    exec(
        tx,
        "DELETE FROM feature_owners WHERE feature_id = $1 AND user_id = ANY($2)",
        &[&feature.0, &users],
    )
    .await?;
    let groups: Vec<i64> = owners.groups.iter().map(|g| g.0).collect();
    exec(
        tx,
        "DELETE FROM feature_group_owners WHERE feature_id = $1 AND group_id = ANY($2)",
        &[&feature.0, &groups],
    )
    .await?;
    Ok(())
}

/// Keeps features owned by any of the query's users, and by any of its groups.
pub(super) fn filter(list: &mut Listing, query: &FeatureQuery) {
    if let Some(users) = &query.owners {
        let p = list.arg(users.iter().map(|u| u.0).collect::<Vec<i64>>());
        list.filter(format!(
            "EXISTS (SELECT 1 FROM feature_owners o WHERE o.feature_id = f.id
                 AND o.user_id = ANY({p}))"
        ));
    }
    if let Some(groups) = &query.group_owners {
        let p = list.arg(groups.iter().map(|g| g.0).collect::<Vec<i64>>());
        list.filter(format!(
            "EXISTS (SELECT 1 FROM feature_group_owners o WHERE o.feature_id = f.id
                 AND o.group_id = ANY({p}))"
        ));
    }
}

#[async_trait]
impl FeatureOwnerStore for PostgresStore {
    async fn add_feature_owners(&self, id: FeatureId, owners: &Owners) -> Result<Feature> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        features::find(&tx, id).await?;
        add(&tx, id, owners).await?;
        let feature = features::find(&tx, id).await?;
        self.commit(tx).await?;
        Ok(feature)
    }

    async fn remove_feature_owners(&self, id: FeatureId, owners: &Owners) -> Result<Feature> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        features::find(&tx, id).await?;
        remove(&tx, id, owners).await?;
        let feature = features::find(&tx, id).await?;
        self.commit(tx).await?;
        Ok(feature)
    }
}
