//! Identity overrides: a feature's state for one identity, in SQLite.

use super::audit::record;
use super::mv_shares::set_shares;
use super::rows::{exec, one};
use super::{SqliteStore, feature_states};
use crate::domain::audit::Audit;
use crate::domain::feature_state::{
    FeatureState, MvAllocation, NewIdentityOverride, Scope as Applies,
};
use crate::domain::{EnvironmentId, IdentityId};
use crate::store::audit::{Change, Scope};
use crate::store::{IdentityOverrideStore, Result};
use async_trait::async_trait;

#[async_trait]
impl IdentityOverrideStore for SqliteStore {
    async fn create_identity_override(
        &self,
        new: &NewIdentityOverride,
        audit: &Audit,
    ) -> Result<FeatureState> {
        let (new, audit, now) = (new.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let env = EnvironmentId(one(
                tx,
                "SELECT environment_id FROM identities WHERE id = ?",
                [new.identity_id.0],
                |r| r.get(0),
            )?);
            feature_states::in_project_of(tx, "features", new.feature_id.0, env)?;
            let applies = Applies::Identity(new.identity_id);
            let value = (new.enabled, &new.value);
            let created = feature_states::find(
                tx,
                feature_states::insert(tx, new.feature_id, env, applies, value, now)?,
            )?;
            let scope = Scope::Environment(env);
            let change = Change::created(
                &audit,
                feature_states::STATE,
                created.id.0,
                Some(&created.uuid),
                scope,
            )
            .flag(None, Some(&created));
            record(tx, now, &change)?;
            Ok(created)
        })
        .await
    }

    async fn identity_overrides(&self, identity: IdentityId) -> Result<Vec<FeatureState>> {
        self.read(move |c| feature_states::identity_overrides_of(c, identity))
            .await
    }

    async fn copy_identity_overrides(
        &self,
        from: IdentityId,
        to: IdentityId,
        audit: &Audit,
    ) -> Result<Vec<FeatureState>> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let env: i64 = one(
                tx,
                "SELECT a.environment_id FROM identities a JOIN identities b
                     ON a.environment_id = b.environment_id WHERE a.id = ? AND b.id = ?",
                [from.0, to.0],
                |r| r.get(0),
            )?;
            let env = EnvironmentId(env);
            let scope = Scope::Environment(env);
            let sources = feature_states::list(tx, "identity_id = ? ORDER BY feature_id", from.0)?;
            for old in feature_states::list(tx, "identity_id = ? ORDER BY feature_id", to.0)? {
                let change = Change::deleted(
                    &audit,
                    feature_states::STATE,
                    old.id.0,
                    Some(&old.uuid),
                    scope,
                )
                .flag(Some(&old), None);
                record(tx, now, &change)?;
                exec(tx, "DELETE FROM feature_states WHERE id = ?", [old.id.0])?;
            }
            for source in &sources {
                let value = (source.enabled, &source.value);
                let shares: Vec<MvAllocation> = source.mv_values.iter().map(Into::into).collect();
                let applies = Applies::Identity(to);
                let id = feature_states::insert(tx, source.feature_id, env, applies, value, now)?;
                set_shares(tx, id, source.feature_id, &shares)?;
                let created = feature_states::find(tx, id)?;
                let change = Change::created(
                    &audit,
                    feature_states::STATE,
                    id.0,
                    Some(&created.uuid),
                    scope,
                )
                .flag(None, Some(&created));
                record(tx, now, &change)?;
            }
            feature_states::list(tx, "identity_id = ? ORDER BY feature_id", to.0)
        })
        .await
    }

    async fn identity_overrides_in(&self, env: EnvironmentId) -> Result<Vec<FeatureState>> {
        self.read(move |c| {
            feature_states::list(
                c,
                "environment_id = ? AND identity_id IS NOT NULL ORDER BY identity_id, feature_id",
                env.0,
            )
        })
        .await
    }
}
