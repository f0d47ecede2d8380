//! A feature as the API shows it: its options, and an environment's states laid over it.

use std::collections::HashMap;

use super::super::feature_owners::Directory;
use super::super::{Caller, Service, ServiceError, ServiceResult};
use super::FeatureContext;
use crate::domain::FeatureId;
use crate::domain::feature::{Feature, FeatureType, MvOption};
use crate::domain::feature_state::FeatureState;
use crate::domain::permission::GroupId;
use crate::domain::project::Project;
use crate::domain::user::User;

/// A feature with its options and, given an environment, its states and override counts there.
#[derive(Debug, Clone)]
pub struct FeatureView {
    pub feature: Feature,
    pub options: Vec<MvOption>,
    pub environment_state: Option<FeatureState>,
    pub segment_state: Option<FeatureState>,
    pub num_segment_overrides: usize,
    /// `None` without an environment, as upstream.
    pub num_identity_overrides: Option<usize>,
    /// Owners who belong to the organisation, ordered by id.
    pub owners: Vec<User>,
    pub group_owners: Vec<(GroupId, String)>,
}

impl Service {
    /// What an environment (and a segment in it) says about the project's features.
    pub(super) async fn overlay(
        &self,
        caller: &Caller,
        project: &Project,
        context: FeatureContext,
    ) -> ServiceResult<Overlay> {
        let Some(env) = context.environment else {
            return Ok(Overlay::default());
        };
        let (env_project, env, _) = self.environment_by_id_for(caller, env, None).await?;
        if env_project.id != project.id {
            return Err(ServiceError::NotFound(None));
        }
        let overrides = self.store.feature_segments(env.id, None).await?;
        let segment_states = match context.segment {
            None => Vec::new(),
            Some(segment) => {
                let ours: Vec<_> = overrides
                    .iter()
                    .filter(|fs| fs.segment_id == segment)
                    .map(|fs| fs.id)
                    .collect();
                self.store
                    .segment_override_states(env.id)
                    .await?
                    .into_iter()
                    .filter(|s| {
                        matches!(s.scope, crate::domain::feature_state::Scope::Segment(fs)
                            if ours.contains(&fs))
                    })
                    .collect()
            }
        };
        let mut overlay = Overlay {
            active: true,
            ..Overlay::default()
        };
        for state in self.store.environment_defaults(env.id).await? {
            overlay.defaults.insert(state.feature_id, state);
        }
        for state in segment_states {
            overlay.segment_states.insert(state.feature_id, state);
        }
        for fs in &overrides {
            *overlay.segment_overrides.entry(fs.feature_id).or_default() += 1;
        }
        for state in self.store.identity_overrides_in(env.id).await? {
            *overlay
                .identity_overrides
                .entry(state.feature_id)
                .or_default() += 1;
        }
        Ok(overlay)
    }

    pub(super) async fn view(
        &self,
        feature: Feature,
        overlay: &Overlay,
        directory: &Directory,
    ) -> ServiceResult<FeatureView> {
        let options = match feature.feature_type {
            FeatureType::Multivariate => self.store.mv_options(feature.id).await?,
            FeatureType::Standard => Vec::new(),
        };
        let count =
            |counts: &HashMap<FeatureId, usize>| counts.get(&feature.id).copied().unwrap_or(0);
        let (owners, group_owners) = directory.owners_of(&feature);
        Ok(FeatureView {
            owners,
            group_owners,
            environment_state: overlay.defaults.get(&feature.id).cloned(),
            segment_state: overlay.segment_states.get(&feature.id).cloned(),
            num_segment_overrides: count(&overlay.segment_overrides),
            num_identity_overrides: overlay.active.then(|| count(&overlay.identity_overrides)),
            options,
            feature,
        })
    }
}

/// An environment's states and overrides, to lay over a list of features.
#[derive(Debug, Default)]
pub(super) struct Overlay {
    /// Whether an environment was given.
    active: bool,
    defaults: HashMap<FeatureId, FeatureState>,
    segment_states: HashMap<FeatureId, FeatureState>,
    segment_overrides: HashMap<FeatureId, usize>,
    identity_overrides: HashMap<FeatureId, usize>,
}
