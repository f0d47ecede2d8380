//! Identity overrides: an identity's own states, its flags with their origin, and copying.
//
// Identity overrides through `environments/{key}/identities/{id}/featurestates/`: an
// identity's own states, the flags it would get with where each comes from, and copying
// another identity's overrides.

use serde_json::Value;

use super::feature_states::{StateView, UPDATE, ValueSpelling};
use super::{Caller, Service, ServiceError, ServiceResult, StateChange, StateDraft};
use crate::domain::audit::Audit;
use crate::domain::environment::Environment;
use crate::domain::feature::Feature;
use crate::domain::feature_state::{FeatureState, MvStateValue, Scope};
use crate::domain::identity::Identity;
use crate::domain::{
    FeatureId, FeatureSegmentId, FeatureStateId, IdentityId, Page, PageRequest, SegmentId,
};
use crate::snapshot::{EnvSnapshot, IdentityFlags, Source, value_json};
use crate::store::StoreError;

/// Which state an identity's flag comes from, as `featurestates/all/` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverriddenBy {
    Identity,
    Segment,
}

impl OverriddenBy {
    pub fn as_str(self) -> &'static str {
        match self {
            OverriddenBy::Identity => "IDENTITY",
            OverriddenBy::Segment => "SEGMENT",
        }
    }
}

/// One of an identity's effective flags, with its provenance.
#[derive(Debug, Clone)]
pub struct IdentityFlag {
    pub feature: Feature,
    pub enabled: bool,
    /// The value served to this identity (its multivariate bucket applied).
    pub value: Value,
    pub overridden_by: Option<OverriddenBy>,
    /// The segment whose override serves the flag.
    pub segment: Option<(SegmentId, String)>,
    /// The serving state's multivariate shares: each option's value and percentage.
    pub shares: Vec<(Value, f64)>,
}

impl Service {
    /// The identity, when it lives in the environment.
    async fn identity_in(&self, env: &Environment, id: IdentityId) -> ServiceResult<Identity> {
        match self.store.identity(id).await {
            Ok(i) if i.environment_id == env.id => Ok(i),
            Ok(_) | Err(StoreError::NotFound) => Err(ServiceError::NotFound(None)),
            Err(e) => Err(e.into()),
        }
    }

    /// The override, when it is the identity's.
    async fn override_of(
        &self,
        identity: &Identity,
        id: FeatureStateId,
    ) -> ServiceResult<FeatureState> {
        match self.store.feature_state(id).await {
            Ok(s) if s.scope == Scope::Identity(identity.id) => Ok(s),
            Ok(_) | Err(StoreError::NotFound) => Err(ServiceError::NotFound(None)),
            Err(e) => Err(e.into()),
        }
    }

    /// One page of the identity's overrides, optionally of one feature.
    pub async fn identity_overrides(
        &self,
        caller: &Caller,
        env_key: &str,
        identity: IdentityId,
        feature: Option<FeatureId>,
        page: PageRequest,
    ) -> ServiceResult<Page<StateView>> {
        let (_, env, _) = self.environment_for(caller, env_key, None).await?;
        let identity = self.identity_in(&env, identity).await?;
        let mut states = self.store.identity_overrides(identity.id).await?;
        states.retain(|s| feature.is_none_or(|f| s.feature_id == f));
        states.sort_by_key(|s| s.id);
        let views = states
            .into_iter()
            .map(|state| StateView {
                state,
                identity: Some(identity.clone()),
            })
            .collect();
        Ok(Page::slice(views, page))
    }

    /// A new override for the identity (`UPDATE_FEATURE_STATE`); one per feature.
    pub async fn create_identity_override(
        &self,
        caller: &Caller,
        env_key: &str,
        identity: IdentityId,
        mut draft: StateDraft,
    ) -> ServiceResult<FeatureState> {
        let (project, env, access) = self.environment_for(caller, env_key, None).await?;
        let identity = self.identity_in(&env, identity).await?;
        if draft.identity.is_some_and(|i| i != identity.id) {
            return Err(ServiceError::invalid(
                "identity",
                "Must be the identity the request addresses.",
            ));
        }
        draft.identity = Some(identity.id);
        draft.identifier = None;
        draft.feature_segment = None;
        self.create_in(caller, &project, &env, &access, draft, ValueSpelling::Raw)
            .await
    }

    pub async fn identity_override(
        &self,
        caller: &Caller,
        env_key: &str,
        identity: IdentityId,
        id: FeatureStateId,
    ) -> ServiceResult<FeatureState> {
        let (_, env, _) = self.environment_for(caller, env_key, None).await?;
        let identity = self.identity_in(&env, identity).await?;
        self.override_of(&identity, id).await
    }

    /// Changes the override's `enabled`, value or shares (`UPDATE_FEATURE_STATE`).
    pub async fn update_identity_override(
        &self,
        caller: &Caller,
        env_key: &str,
        identity: IdentityId,
        id: FeatureStateId,
        change: StateChange,
    ) -> ServiceResult<FeatureState> {
        let (_, env, _) = self.environment_for(caller, env_key, Some(UPDATE)).await?;
        let identity = self.identity_in(&env, identity).await?;
        let state = self.override_of(&identity, id).await?;
        self.change_state(caller, state, change, ValueSpelling::Raw)
            .await
    }

    /// Removes the override: the identity gets the segment's or environment's flag again.
    pub async fn delete_identity_override(
        &self,
        caller: &Caller,
        env_key: &str,
        identity: IdentityId,
        id: FeatureStateId,
    ) -> ServiceResult<()> {
        let (_, env, _) = self.environment_for(caller, env_key, Some(UPDATE)).await?;
        let identity = self.identity_in(&env, identity).await?;
        let state = self.override_of(&identity, id).await?;
        let log = self.state_log(&state, "deleted").await?;
        self.store
            .delete_feature_state(state.id, &Audit::new(caller.author(), log))
            .await?;
        Ok(())
    }

    /// Replaces the identity's overrides with copies of another identity's in the same
    /// environment (`UPDATE_FEATURE_STATE`), then answers its flags.
    pub async fn clone_identity_overrides(
        &self,
        caller: &Caller,
        env_key: &str,
        identity: IdentityId,
        source: IdentityId,
    ) -> ServiceResult<Vec<IdentityFlag>> {
        let (_, env, _) = self.environment_for(caller, env_key, Some(UPDATE)).await?;
        let identity = self.identity_in(&env, identity).await?;
        let source = match self.identity_in(&env, source).await {
            Err(ServiceError::NotFound(_)) => {
                return Err(ServiceError::invalid(
                    "source_identity_id",
                    "Identity does not exist in environment.",
                ));
            }
            other => other?,
        };
        if source.id == identity.id {
            return Err(ServiceError::invalid(
                "source_identity_id",
                "An identity cannot clone its own feature states.",
            ));
        }
        let log = format!(
            "Flag states of identity '{}' cloned from identity '{}'",
            identity.identifier, source.identifier
        );
        self.store
            .copy_identity_overrides(source.id, identity.id, &Audit::new(caller.author(), log))
            .await?;
        self.flags_of(&env, &identity).await
    }

    /// Every feature's flag for the identity, with where it comes from. Unlike the SDK
    /// endpoints this shows disabled flags and server-key-only features too.
    pub async fn identity_all_flags(
        &self,
        caller: &Caller,
        env_key: &str,
        identity: IdentityId,
    ) -> ServiceResult<Vec<IdentityFlag>> {
        let (_, env, _) = self.environment_for(caller, env_key, None).await?;
        let identity = self.identity_in(&env, identity).await?;
        self.flags_of(&env, &identity).await
    }

    async fn flags_of(
        &self,
        env: &Environment,
        identity: &Identity,
    ) -> ServiceResult<Vec<IdentityFlag>> {
        let snapshot = self.snapshots.get(env.id).await?;
        let traits = self
            .store
            .traits(identity.id)
            .await?
            .iter()
            .map(|t| (t.key.clone(), t.value.to_json()))
            .collect();
        let overrides = self.store.identity_overrides(identity.id).await?;
        let who = IdentityFlags {
            identifier: &identity.identifier,
            identity_id: Some(identity.id.0),
            traits,
            overrides: &overrides,
        };
        let mut flags = Vec::with_capacity(snapshot.features.len());
        for resolved in snapshot.resolve_identity(&who) {
            let (overridden_by, segment, shares) = match resolved.source {
                Source::Identity => {
                    let state = overrides
                        .iter()
                        .find(|s| s.id.0 == resolved.state_id)
                        .map(|s| &s.mv_values[..])
                        .unwrap_or_default();
                    (Some(OverriddenBy::Identity), None, shares(&snapshot, state))
                }
                Source::Segment(fs) => {
                    let container = self.store.feature_segment(FeatureSegmentId(fs)).await?;
                    let segment = self.store.segment(container.segment_id).await?;
                    let state = self
                        .store
                        .feature_state(FeatureStateId(resolved.state_id))
                        .await?;
                    (
                        Some(OverriddenBy::Segment),
                        Some((segment.id, segment.name)),
                        shares(&snapshot, &state.mv_values),
                    )
                }
                Source::Default => (
                    None,
                    None,
                    shares(&snapshot, &resolved.entry.default.mv_values),
                ),
            };
            flags.push(IdentityFlag {
                feature: resolved.entry.feature.clone(),
                enabled: resolved.enabled,
                value: resolved.value,
                overridden_by,
                segment,
                shares,
            });
        }
        Ok(flags)
    }
}

/// Each share's option value and percentage.
fn shares(snapshot: &EnvSnapshot, values: &[MvStateValue]) -> Vec<(Value, f64)> {
    values
        .iter()
        .filter_map(|v| {
            let option = snapshot.options.get(&v.mv_option_id)?;
            Some((value_json(&option.value), v.percentage_allocation))
        })
        .collect()
}
