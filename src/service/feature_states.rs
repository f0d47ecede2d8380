//! Feature states: reading and changing defaults, segment overrides' states and identity overrides.
//
// Feature states: reading and changing a feature's environment default, segment overrides'
// states and identity overrides, through `environments/{key}/featurestates/` (by client key)
// and `features/featurestates/` (by environment id).

use super::values::{check_allocation, check_value};
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::environment::Environment;
use crate::domain::feature::Feature;
use crate::domain::feature_state::{FeatureState, FeatureStatePatch, Scope};
use crate::domain::identity::Identity;
use crate::domain::project::Project;
use crate::domain::{
    EnvironmentId, FeatureId, FeatureSegmentId, FeatureStateId, IdentityId, Page, PageRequest,
};
use crate::store::StoreError;

pub(crate) const UPDATE: &str = "UPDATE_FEATURE_STATE";
pub(crate) const MANAGE_OVERRIDES: &str = "MANAGE_SEGMENT_OVERRIDES";

/// Which of an environment's states `environments/{key}/featurestates/` lists.
#[derive(Debug, Clone, Default)]
pub struct StateFilter {
    pub feature: Option<FeatureId>,
    /// Matched ignoring case.
    pub feature_name: Option<String>,
    /// Identity overrides instead of environment defaults (`?anyIdentity=`).
    pub any_identity: bool,
}

/// A state with the identity it overrides for, as lists show it.
#[derive(Debug, Clone)]
pub struct StateView {
    pub state: FeatureState,
    pub identity: Option<Identity>,
}

/// How a request spelled the value, which decides how its problems are named: a raw
/// `feature_state_value` is checked as `integer_value`/`string_value` (as upstream), a typed one
/// as `feature_state_value.integer_value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueSpelling {
    Raw,
    Typed,
}

impl ValueSpelling {
    fn prefix(self) -> &'static str {
        match self {
            ValueSpelling::Raw => "",
            ValueSpelling::Typed => "feature_state_value.",
        }
    }
}

/// A change to a state, with the feature and environment a request may repeat (and may not
/// change).
#[derive(Debug, Clone, Default)]
pub struct StateChange {
    pub patch: FeatureStatePatch,
    pub feature: Option<FeatureId>,
    pub environment: Option<EnvironmentId>,
    pub identity: Option<IdentityId>,
    pub feature_segment: Option<FeatureSegmentId>,
}

impl Service {
    /// One page of an environment's defaults (or, with `any_identity`, identity overrides).
    pub async fn environment_states(
        &self,
        caller: &Caller,
        env_key: &str,
        filter: &StateFilter,
        page: PageRequest,
    ) -> ServiceResult<Page<StateView>> {
        let (project, env, _) = self.environment_for(caller, env_key, None).await?;
        let mut states = if filter.any_identity {
            self.store.identity_overrides_in(env.id).await?
        } else {
            self.store.environment_defaults(env.id).await?
        };
        states.retain(|s| filter.feature.is_none_or(|f| s.feature_id == f));
        if let Some(name) = &filter.feature_name {
            let wanted = self.feature_named(&project, name).await?;
            states.retain(|s| Some(s.feature_id) == wanted);
        }
        states.sort_by_key(|s| s.id);
        let page = Page::slice(states, page);
        let mut items = Vec::with_capacity(page.items.len());
        for state in page.items {
            let identity = match state.scope {
                Scope::Identity(i) => Some(self.store.identity(i).await?),
                _ => None,
            };
            items.push(StateView { state, identity });
        }
        Ok(Page {
            items,
            total: page.total,
        })
    }

    async fn feature_named(
        &self,
        project: &Project,
        name: &str,
    ) -> ServiceResult<Option<FeatureId>> {
        let query = crate::domain::feature::FeatureQuery {
            search: Some(name.to_string()),
            ..Default::default()
        };
        let folded = name.to_lowercase();
        let found = self
            .store
            .features_of(project.id, &query, PageRequest::all())
            .await?;
        Ok(found
            .items
            .into_iter()
            .find(|f| f.name.to_lowercase() == folded)
            .map(|f| f.id))
    }

    /// A state of the environment that `environments/{key}/featurestates/{id}/` may address:
    /// an environment default, or with `any_identity` an identity override.
    async fn addressable(
        &self,
        env: &Environment,
        id: FeatureStateId,
        any_identity: bool,
    ) -> ServiceResult<FeatureState> {
        let state = self.state_of(env.id, id).await?;
        match state.scope {
            Scope::Environment => Ok(state),
            Scope::Identity(_) if any_identity => Ok(state),
            _ => Err(ServiceError::NotFound(None)),
        }
    }

    /// The state, when it is the environment's.
    async fn state_of(
        &self,
        env: EnvironmentId,
        id: FeatureStateId,
    ) -> ServiceResult<FeatureState> {
        match self.store.feature_state(id).await {
            Ok(s) if s.environment_id == env => Ok(s),
            Ok(_) | Err(StoreError::NotFound) => Err(ServiceError::NotFound(None)),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn environment_state(
        &self,
        caller: &Caller,
        env_key: &str,
        id: FeatureStateId,
        any_identity: bool,
    ) -> ServiceResult<FeatureState> {
        let (_, env, _) = self.environment_for(caller, env_key, None).await?;
        self.addressable(&env, id, any_identity).await
    }

    /// Changes an environment default or identity override (`UPDATE_FEATURE_STATE`).
    pub async fn update_environment_state(
        &self,
        caller: &Caller,
        env_key: &str,
        id: FeatureStateId,
        any_identity: bool,
        change: StateChange,
    ) -> ServiceResult<FeatureState> {
        let (_, env, _) = self.environment_for(caller, env_key, Some(UPDATE)).await?;
        let state = self.addressable(&env, id, any_identity).await?;
        self.change_state(caller, state, change, ValueSpelling::Raw)
            .await
    }

    /// Deletes an identity override (`UPDATE_FEATURE_STATE`). An environment default lives
    /// as long as its feature.
    pub async fn delete_environment_state(
        &self,
        caller: &Caller,
        env_key: &str,
        id: FeatureStateId,
        any_identity: bool,
    ) -> ServiceResult<()> {
        let (_, env, _) = self.environment_for(caller, env_key, Some(UPDATE)).await?;
        let state = self.addressable(&env, id, any_identity).await?;
        if state.scope == Scope::Environment {
            return Err(ServiceError::bad_request(
                "An environment default cannot be deleted; delete the feature instead.",
            ));
        }
        let log = self.state_log(&state, "deleted").await?;
        self.store
            .delete_feature_state(state.id, &Audit::new(caller.author(), log))
            .await?;
        Ok(())
    }

    /// One page of all the environment's states (`features/featurestates/?environment=`).
    pub async fn states(
        &self,
        caller: &Caller,
        env: EnvironmentId,
        feature: Option<FeatureId>,
        feature_segment: Option<FeatureSegmentId>,
        page: PageRequest,
    ) -> ServiceResult<Page<FeatureState>> {
        let (_, env, _) = self.environment_by_id_for(caller, env, None).await?;
        let mut states = self.store.environment_defaults(env.id).await?;
        states.extend(self.store.segment_override_states(env.id).await?);
        states.extend(self.store.identity_overrides_in(env.id).await?);
        states.retain(|s| feature.is_none_or(|f| s.feature_id == f));
        if let Some(fs) = feature_segment {
            states.retain(|s| s.scope == Scope::Segment(fs));
        }
        states.sort_by_key(|s| s.id);
        Ok(Page::slice(states, page))
    }

    /// A state of any environment the caller may view, by its uuid.
    pub async fn state_by_uuid(&self, caller: &Caller, uuid: &str) -> ServiceResult<FeatureState> {
        let state = self.store.feature_state_by_uuid(uuid).await?;
        self.environment_by_id_for(caller, state.environment_id, None)
            .await?;
        Ok(state)
    }

    /// Changes any state of an environment the caller may update: `UPDATE_FEATURE_STATE`, or
    /// for a segment override's state also `MANAGE_SEGMENT_OVERRIDES`.
    pub async fn update_state(
        &self,
        caller: &Caller,
        id: FeatureStateId,
        change: StateChange,
    ) -> ServiceResult<FeatureState> {
        let state = self.store.feature_state(id).await?;
        let (_, _, access) = self
            .environment_by_id_for(caller, state.environment_id, None)
            .await?;
        if !may_write(&access, state.scope) {
            return Err(ServiceError::Forbidden(None));
        }
        self.change_state(caller, state, change, ValueSpelling::Typed)
            .await
    }

    /// Checks and writes a change to a state the caller may write.
    pub(crate) async fn change_state(
        &self,
        caller: &Caller,
        state: FeatureState,
        change: StateChange,
        spelling: ValueSpelling,
    ) -> ServiceResult<FeatureState> {
        let mut errors = FieldErrors::default();
        if change.feature.is_some_and(|f| f != state.feature_id) {
            errors.add("feature", "Cannot change the feature of a feature state");
        }
        if change
            .environment
            .is_some_and(|e| e != state.environment_id)
        {
            errors.add(
                "environment",
                "Cannot change the environment of a feature state",
            );
        }
        let (identity, feature_segment) = match state.scope {
            Scope::Identity(i) => (Some(i), None),
            Scope::Segment(fs) => (None, Some(fs)),
            Scope::Environment => (None, None),
        };
        if change.identity.is_some_and(|i| Some(i) != identity) {
            errors.add("identity", "Cannot change the identity of a feature state");
        }
        if change
            .feature_segment
            .is_some_and(|fs| Some(fs) != feature_segment)
        {
            errors.add(
                "feature_segment",
                "Cannot change the feature segment of a feature state",
            );
        }
        errors.into_result()?;
        self.check_patch(&change.patch, state.feature_id, Some(&state), spelling)
            .await?;
        let log = self.state_log(&state, "updated").await?;
        let changed = self
            .store
            .update_feature_state(state.id, &change.patch, &Audit::new(caller.author(), log))
            .await?;
        Ok(changed)
    }

    /// The value must fit its columns; the shares must be the feature's options, each 0–100,
    /// and with the shares the state keeps, at most 100 in all.
    pub(crate) async fn check_patch(
        &self,
        patch: &FeatureStatePatch,
        feature: FeatureId,
        current: Option<&FeatureState>,
        spelling: ValueSpelling,
    ) -> ServiceResult<()> {
        let mut errors = FieldErrors::default();
        if let Some(value) = &patch.value {
            check_value(&mut errors, spelling.prefix(), value);
        }
        if let Some(shares) = &patch.mv_values {
            let options = self.store.mv_options(feature).await?;
            for (i, share) in shares.iter().enumerate() {
                let at = format!("multivariate_feature_state_values[{i}].");
                if !options.iter().any(|o| o.id == share.mv_option_id) {
                    errors.add(
                        format!("{at}multivariate_feature_option"),
                        format!(
                            "Invalid pk \"{}\" - object does not exist.",
                            share.mv_option_id
                        ),
                    );
                }
                check_allocation(
                    &mut errors,
                    &format!("{at}percentage_allocation"),
                    share.percentage_allocation,
                );
            }
            let kept: f64 = current
                .map(|s| &s.mv_values[..])
                .unwrap_or_default()
                .iter()
                .filter(|v| !shares.iter().any(|s| s.mv_option_id == v.mv_option_id))
                .map(|v| v.percentage_allocation)
                .sum();
            let given: f64 = shares.iter().map(|s| s.percentage_allocation).sum();
            if errors.is_empty() && kept + given > 100.0 {
                errors.add(
                    "non_field_errors",
                    "Multivariate percentage values exceed 100%.",
                );
            }
        }
        errors.into_result()
    }

    /// The audit text for a change to the state, as upstream words it.
    pub(crate) async fn state_log(
        &self,
        state: &FeatureState,
        done: &str,
    ) -> ServiceResult<String> {
        let feature: Feature = self.store.feature(state.feature_id).await?;
        Ok(match state.scope {
            Scope::Environment => format!(
                "Flag state / Remote Config value {done} for feature: {}",
                feature.name
            ),
            Scope::Identity(i) => format!(
                "Flag state / Remote config value {done} for feature '{}' and identity '{}'",
                feature.name,
                self.store.identity(i).await?.identifier
            ),
            Scope::Segment(fs) => {
                let segment = self.store.feature_segment(fs).await?.segment_id;
                format!(
                    "Flag state / Remote config value {done} for feature '{}' and segment '{}'",
                    feature.name,
                    self.store.segment(segment).await?.name
                )
            }
        })
    }
}

/// Whether the access lets a caller write a state of this scope.
pub(crate) fn may_write(access: &super::Access, scope: Scope) -> bool {
    access.allows(UPDATE) || (matches!(scope, Scope::Segment(_)) && access.allows(MANAGE_OVERRIDES))
}
