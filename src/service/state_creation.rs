//! Creating feature states through the generic endpoints: an identity or segment override's state.
//
// Creating feature states through the generic endpoints. Every feature already has a default
// in every environment and every segment override its state, so a "new" state is either an
// identity override, or the state of a segment override that the request fills in (upstream's
// dashboard creates the override, then posts its state).

use super::feature_states::{ValueSpelling, may_write};
use super::{Access, Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::environment::Environment;
use crate::domain::feature_state::{
    FeatureState, FeatureStatePatch, MvAllocation, NewIdentityOverride, Scope,
};
use crate::domain::project::Project;
use crate::domain::{EnvironmentId, FeatureId, FeatureSegmentId, FeatureValue, IdentityId};
use crate::store::StoreError;

/// A state a request asks for.
#[derive(Debug, Clone)]
pub struct StateDraft {
    pub feature: FeatureId,
    pub enabled: bool,
    pub value: Option<FeatureValue>,
    pub mv_values: Option<Vec<MvAllocation>>,
    pub identity: Option<IdentityId>,
    /// An alternative to `identity`.
    pub identifier: Option<String>,
    pub feature_segment: Option<FeatureSegmentId>,
    /// The environment as the body repeats it; it must be the one addressed.
    pub environment: Option<EnvironmentId>,
}

const EXISTS: &str = "Feature state already exists.";

/// Either lets a caller see an environment's identities.
const IDENTITY_KEYS: &[&str] = &["VIEW_IDENTITIES", "MANAGE_IDENTITIES"];

/// DRF's answer for a related object that is not there (or not the caller's to see).
pub(crate) fn invalid_pk(field: &str, id: impl std::fmt::Display) -> ServiceError {
    ServiceError::invalid(
        field,
        format!("Invalid pk \"{id}\" - object does not exist."),
    )
}

/// What a draft resolves to.
enum Target {
    Identity(IdentityId),
    Segment(FeatureState),
}

impl Service {
    /// `POST environments/{key}/featurestates/` (deprecated upstream): a state in the
    /// environment the key names, with a raw value.
    pub async fn create_environment_state(
        &self,
        caller: &Caller,
        env_key: &str,
        draft: StateDraft,
    ) -> ServiceResult<FeatureState> {
        let (project, env, access) = self.environment_for(caller, env_key, None).await?;
        self.create_in(caller, &project, &env, &access, draft, ValueSpelling::Raw)
            .await
    }

    /// `POST features/featurestates/`: a state in the environment the body names (by id),
    /// with a typed value. An environment the caller cannot see is an invalid pk.
    pub async fn create_state(
        &self,
        caller: &Caller,
        env: EnvironmentId,
        draft: StateDraft,
    ) -> ServiceResult<FeatureState> {
        let (project, env, access) = match self.environment_by_id_for(caller, env, None).await {
            Err(ServiceError::NotFound(_)) => return Err(invalid_pk("environment", env)),
            other => other?,
        };
        self.create_in(caller, &project, &env, &access, draft, ValueSpelling::Typed)
            .await
    }

    pub(super) async fn create_in(
        &self,
        caller: &Caller,
        project: &Project,
        env: &Environment,
        access: &Access,
        draft: StateDraft,
        spelling: ValueSpelling,
    ) -> ServiceResult<FeatureState> {
        // Refuse callers who may write no state at all before reading the request.
        if !may_write(access, Scope::Segment(FeatureSegmentId(0))) {
            return Err(ServiceError::Forbidden(None));
        }
        if draft.environment.is_some_and(|e| e != env.id) {
            return Err(ServiceError::invalid(
                "environment",
                "Must be the environment the request addresses.",
            ));
        }
        match self.store.feature(draft.feature).await {
            Ok(f) if f.project_id == project.id => {}
            Ok(f) if self.sees_project(caller, f.project_id).await? => {
                return Err(ServiceError::invalid(
                    "feature",
                    "Feature does not exist in project",
                ));
            }
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(invalid_pk("feature", draft.feature));
            }
            Err(e) => return Err(e.into()),
        }
        let target = self.target(caller, env, &draft).await?;
        let scope = match &target {
            Target::Identity(i) => Scope::Identity(*i),
            Target::Segment(state) => state.scope,
        };
        if !may_write(access, scope) {
            return Err(ServiceError::Forbidden(None));
        }
        let patch = FeatureStatePatch {
            enabled: Some(draft.enabled),
            value: draft.value,
            mv_values: draft.mv_values,
        };
        let state = match target {
            Target::Segment(state) => {
                if state.feature_id != draft.feature {
                    return Err(ServiceError::invalid(
                        "non_field_errors",
                        "Feature Segment does not belong to feature.",
                    ));
                }
                self.check_patch(&patch, state.feature_id, Some(&state), spelling)
                    .await?;
                let log = self.state_log(&state, "updated").await?;
                self.store
                    .update_feature_state(state.id, &patch, &Audit::new(caller.author(), log))
                    .await?
            }
            Target::Identity(identity) => {
                let mut patch = patch;
                // Identity overrides carry no multivariate shares.
                patch.mv_values = None;
                self.check_patch(&patch, draft.feature, None, spelling)
                    .await?;
                let new = NewIdentityOverride {
                    feature_id: draft.feature,
                    identity_id: identity,
                    enabled: draft.enabled,
                    value: patch.value.unwrap_or(FeatureValue::Null),
                };
                let feature = self.store.feature(draft.feature).await?.name;
                let identifier = self.store.identity(identity).await?.identifier;
                let log = format!(
                    "Flag state / Remote config value updated for feature '{feature}' and \
                     identity '{identifier}'"
                );
                self.store
                    .create_identity_override(&new, &Audit::new(caller.author(), log))
                    .await
                    .map_err(|e| match e {
                        StoreError::Conflict(_) => {
                            ServiceError::invalid("non_field_errors", EXISTS)
                        }
                        other => other.into(),
                    })?
            }
        };
        Ok(state)
    }

    /// The identity or segment override a draft is for; a draft for neither would be a
    /// second environment default. Objects of other environments are named as such only to
    /// a caller who may see them there; to others they do not exist.
    async fn target(
        &self,
        caller: &Caller,
        env: &Environment,
        draft: &StateDraft,
    ) -> ServiceResult<Target> {
        // Fields first, as DRF checks them: a dangling feature segment is its own error.
        if let Some(fs) = draft.feature_segment {
            match self.store.feature_segment(fs).await {
                Ok(f) if f.environment_id == env.id => {}
                Ok(f) if self.sees_environment(caller, f.environment_id, &[]).await? => {}
                Ok(_) | Err(StoreError::NotFound) => {
                    return Err(invalid_pk("feature_segment", fs));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let mut errors = FieldErrors::default();
        let identity = match (&draft.identifier, draft.identity) {
            (Some(identifier), _) => {
                match self
                    .store
                    .identity_by_identifier(env.id, identifier)
                    .await?
                {
                    Some(i) => Some(i.id),
                    None => {
                        return Err(ServiceError::invalid(
                            "non_field_errors",
                            "Invalid identifier",
                        ));
                    }
                }
            }
            (None, Some(id)) => match self.store.identity(id).await {
                Ok(i) if i.environment_id == env.id => Some(i.id),
                Ok(i)
                    if self
                        .sees_environment(caller, i.environment_id, IDENTITY_KEYS)
                        .await? =>
                {
                    errors.add(
                        "non_field_errors",
                        "Identity does not exist in environment.",
                    );
                    None
                }
                Ok(_) | Err(StoreError::NotFound) => return Err(invalid_pk("identity", id)),
                Err(e) => return Err(e.into()),
            },
            (None, None) => None,
        };
        errors.into_result()?;
        if let Some(identity) = identity {
            if draft.feature_segment.is_some() {
                return Err(ServiceError::invalid(
                    "non_field_errors",
                    "A feature state cannot be for an identity and a segment at once.",
                ));
            }
            return Ok(Target::Identity(identity));
        }
        let Some(fs) = draft.feature_segment else {
            return Err(ServiceError::invalid("non_field_errors", EXISTS));
        };
        let feature_segment = self.store.feature_segment(fs).await?;
        if feature_segment.environment_id != env.id {
            return Err(ServiceError::invalid(
                "non_field_errors",
                "Feature Segment does not belong to environment.",
            ));
        }
        self.store
            .segment_override_states(env.id)
            .await?
            .into_iter()
            .find(|s| s.scope == Scope::Segment(fs))
            .map(Target::Segment)
            .ok_or(ServiceError::NotFound(None))
    }
}
