//! Identity overrides: a feature's state for one identity, in PostgreSQL.

use super::Tx;
use super::audit::record;
use super::mv_shares::set_shares;
use super::rows::{exec, one};
use super::{PostgresStore, feature_states};
use crate::domain::audit::Audit;
use crate::domain::feature_state::{
    FeatureState, MvAllocation, NewIdentityOverride, Scope as Applies,
};
use crate::domain::{EnvironmentId, IdentityId};
use crate::store::audit::{Change, Scope};
use crate::store::{IdentityOverrideStore, Result};
use async_trait::async_trait;

#[async_trait]
impl IdentityOverrideStore for PostgresStore {
    async fn create_identity_override(
        &self,
        new: &NewIdentityOverride,
        audit: &Audit,
    ) -> Result<FeatureState> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let env = EnvironmentId(
            one(
                &tx,
                "SELECT environment_id FROM identities WHERE id = $1",
                &[&new.identity_id.0],
                |r| r.get(0),
            )
            .await?,
        );
        feature_states::in_project_of(&tx, "features", new.feature_id.0, env).await?;
        let applies = Applies::Identity(new.identity_id);
        let value = (new.enabled, &new.value);
        let id = feature_states::insert(&tx, new.feature_id, env, applies, value, now).await?;
        let created = feature_states::find(&tx, id).await?;
        let scope = Scope::Environment(env);
        let change = Change::created(
            audit,
            feature_states::STATE,
            id.0,
            Some(&created.uuid),
            scope,
        )
        .flag(None, Some(&created));
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn identity_overrides(&self, identity: IdentityId) -> Result<Vec<FeatureState>> {
        feature_states::read(self, "identity_id = $1 ORDER BY feature_id", identity.0).await
    }

    async fn copy_identity_overrides(
        &self,
        from: IdentityId,
        to: IdentityId,
        audit: &Audit,
    ) -> Result<Vec<FeatureState>> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let env = EnvironmentId(
            one(
                &tx,
                "SELECT a.environment_id FROM identities a JOIN identities b
                 ON a.environment_id = b.environment_id WHERE a.id = $1 AND b.id = $2",
                &[&from.0, &to.0],
                |r| r.get(0),
            )
            .await?,
        );
        let scope = Scope::Environment(env);
        let filter = "identity_id = $1 ORDER BY feature_id";
        let sources = feature_states::list(&tx, filter, from.0).await?;
        for old in feature_states::list(&tx, filter, to.0).await? {
            let change = Change::deleted(
                audit,
                feature_states::STATE,
                old.id.0,
                Some(&old.uuid),
                scope,
            )
            .flag(Some(&old), None);
            record(&tx, now, &change).await?;
            exec(
                &tx,
                "DELETE FROM feature_states WHERE id = $1",
                &[&old.id.0],
            )
            .await?;
        }
        for source in &sources {
            let value = (source.enabled, &source.value);
            let shares: Vec<MvAllocation> = source.mv_values.iter().map(Into::into).collect();
            let applies = Applies::Identity(to);
            let id =
                feature_states::insert(&tx, source.feature_id, env, applies, value, now).await?;
            set_shares(&tx, id, source.feature_id, &shares).await?;
            let created = feature_states::find(&tx, id).await?;
            let change = Change::created(
                audit,
                feature_states::STATE,
                id.0,
                Some(&created.uuid),
                scope,
            )
            .flag(None, Some(&created));
            record(&tx, now, &change).await?;
        }
        let copied = feature_states::list(&tx, filter, to.0).await?;
        self.commit(tx).await?;
        Ok(copied)
    }

    async fn identity_overrides_in(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        feature_states::read(
            self,
            "environment_id = $1 AND identity_id IS NOT NULL ORDER BY identity_id, feature_id",
            env.0,
        )
        .await
    }
}
