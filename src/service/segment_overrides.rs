//! Segment overrides: a segment's own state for a feature in an environment, with a priority.
//
// Written with `MANAGE_SEGMENT_OVERRIDES`.

use std::collections::BTreeSet;

use super::feature_states::{MANAGE_OVERRIDES, ValueSpelling};
use super::state_creation::invalid_pk;
use super::{Access, Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::environment::Environment;
use crate::domain::feature::Feature;
use crate::domain::feature_state::{
    FeatureSegment, FeatureState, FeatureStatePatch, MvAllocation, NewSegmentOverride,
};
use crate::domain::project::Project;
use crate::domain::segment::Segment;
use crate::domain::{
    EnvironmentId, FeatureId, FeatureSegmentId, FeatureValue, Page, PageRequest, SegmentId,
};
use crate::store::StoreError;

/// An override with what lists show of its segment.
#[derive(Debug, Clone)]
pub struct FeatureSegmentView {
    pub feature_segment: FeatureSegment,
    pub segment_name: String,
    pub is_feature_specific: bool,
}

/// `create-segment-override`: the override's segment and priority with its state.
#[derive(Debug, Clone)]
pub struct SegmentOverrideDraft {
    pub segment: SegmentId,
    /// `None` puts it last; a taken priority moves the others down.
    pub priority: Option<i32>,
    pub enabled: bool,
    pub value: FeatureValue,
    pub mv_values: Vec<MvAllocation>,
}

const LIMIT: &str = "The environment has reached the maximum allowed segments overrides limit.";
const DUPLICATE: &str = "The fields feature, environment, segment must make a unique set.";
pub(super) const NOT_FOUND_IDS: &str = "Some of the provided ids were not found.";

pub(super) fn manages(access: &Access) -> ServiceResult<()> {
    if access.allows(MANAGE_OVERRIDES) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(None))
    }
}

impl Service {
    /// One page of a feature's overrides in an environment (by id), strongest first.
    pub async fn feature_segments(
        &self,
        caller: &Caller,
        env: EnvironmentId,
        feature: FeatureId,
        page: PageRequest,
    ) -> ServiceResult<Page<FeatureSegmentView>> {
        let (_, env, _) = self.environment_by_id_for(caller, env, None).await?;
        let found = self.store.feature_segments(env.id, Some(feature)).await?;
        let page = Page::slice(found, page);
        let mut items = Vec::with_capacity(page.items.len());
        for fs in page.items {
            items.push(self.segment_view(fs).await?);
        }
        Ok(Page {
            items,
            total: page.total,
        })
    }

    /// An override of an environment the caller may view, by id.
    pub async fn feature_segment(
        &self,
        caller: &Caller,
        id: FeatureSegmentId,
    ) -> ServiceResult<FeatureSegmentView> {
        self.visible_segment_view(caller, self.store.feature_segment(id).await?)
            .await
    }

    /// An override of an environment the caller may view, by its uuid.
    pub async fn feature_segment_by_uuid(
        &self,
        caller: &Caller,
        uuid: &str,
    ) -> ServiceResult<FeatureSegmentView> {
        self.visible_segment_view(caller, self.store.feature_segment_by_uuid(uuid).await?)
            .await
    }

    async fn visible_segment_view(
        &self,
        caller: &Caller,
        fs: FeatureSegment,
    ) -> ServiceResult<FeatureSegmentView> {
        self.environment_by_id_for(caller, fs.environment_id, None)
            .await?;
        self.segment_view(fs).await
    }

    pub(super) async fn segment_view(
        &self,
        fs: FeatureSegment,
    ) -> ServiceResult<FeatureSegmentView> {
        let segment = self.store.segment(fs.segment_id).await?;
        Ok(FeatureSegmentView {
            segment_name: segment.name,
            is_feature_specific: segment.feature_id.is_some(),
            feature_segment: fs,
        })
    }

    /// `POST features/feature-segments/`: binds a segment to a feature in an environment (by
    /// id), last in priority. Its state starts as the environment default, so nothing changes
    /// until the state is written.
    pub async fn create_feature_segment(
        &self,
        caller: &Caller,
        feature: FeatureId,
        segment: SegmentId,
        env: EnvironmentId,
    ) -> ServiceResult<FeatureSegment> {
        let (project, env, access) = match self.environment_by_id_for(caller, env, None).await {
            Err(ServiceError::NotFound(_)) => return Err(invalid_pk("environment", env)),
            other => other?,
        };
        manages(&access)?;
        let mut errors = FieldErrors::default();
        let feature = in_project(
            &mut errors,
            "feature",
            feature,
            self.store.feature(feature).await,
            &project,
        )?;
        let segment = in_project(
            &mut errors,
            "segment",
            segment,
            self.store.segment(segment).await,
            &project,
        )?;
        errors.into_result()?;
        let (Some(feature), Some(segment)) = (feature, segment) else {
            return Err(ServiceError::NotFound(None));
        };
        self.check_override(&project, &env, &feature, &segment, "feature")
            .await?;
        let default = self
            .store
            .environment_defaults(env.id)
            .await?
            .into_iter()
            .find(|s| s.feature_id == feature.id)
            .ok_or(ServiceError::NotFound(None))?;
        let new = NewSegmentOverride {
            feature_id: feature.id,
            segment_id: segment.id,
            environment_id: env.id,
            priority: None,
            enabled: default.enabled,
            value: default.value,
            mv_values: default
                .mv_values
                .iter()
                .map(|v| MvAllocation {
                    mv_option_id: v.mv_option_id,
                    percentage_allocation: v.percentage_allocation,
                })
                .collect(),
        };
        Ok(self
            .write_override(caller, &new, &feature, &segment)
            .await?
            .0)
    }

    /// A feature-specific segment overrides only its feature; an environment holds at most
    /// `max_segment_overrides_allowed` overridden segments.
    async fn check_override(
        &self,
        project: &Project,
        env: &Environment,
        feature: &Feature,
        segment: &Segment,
        field: &str,
    ) -> ServiceResult<()> {
        if let Some(owner) = segment.feature_id
            && owner != feature.id
        {
            return Err(ServiceError::invalid(
                field,
                format!("Can only create segment override(using this segment) for feature {owner}"),
            ));
        }
        let overridden: BTreeSet<SegmentId> = self
            .store
            .feature_segments(env.id, None)
            .await?
            .iter()
            .map(|fs| fs.segment_id)
            .collect();
        let limit = usize::try_from(project.settings.max_segment_overrides_allowed).unwrap_or(0);
        if overridden.len() >= limit {
            return Err(ServiceError::invalid("environment", LIMIT));
        }
        Ok(())
    }

    async fn write_override(
        &self,
        caller: &Caller,
        new: &NewSegmentOverride,
        feature: &Feature,
        segment: &Segment,
    ) -> ServiceResult<(FeatureSegment, FeatureState)> {
        let log = format!(
            "Segment override created for feature '{}' and segment '{}'",
            feature.name, segment.name
        );
        let created = self
            .store
            .create_segment_override(new, &Audit::new(caller.author(), log))
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => ServiceError::invalid("non_field_errors", DUPLICATE),
                other => other.into(),
            })?;
        Ok(created)
    }

    /// `POST environments/{key}/features/{feature}/create-segment-override/`: the override
    /// and its state at once.
    pub async fn create_segment_override(
        &self,
        caller: &Caller,
        env_key: &str,
        feature: FeatureId,
        draft: SegmentOverrideDraft,
    ) -> ServiceResult<(FeatureSegment, FeatureState)> {
        let (project, env, access) = self.environment_for(caller, env_key, None).await?;
        manages(&access)?;
        let feature = super::features::feature_in(self, &project, feature).await?;
        let segment = match self.segment_in(&project, draft.segment).await {
            Err(ServiceError::NotFound(_)) => {
                return Err(invalid_pk("feature_segment.segment", draft.segment));
            }
            other => other?,
        };
        let mut errors = FieldErrors::default();
        if draft.priority.is_some_and(|p| p < 0) {
            errors.add(
                "feature_segment.priority",
                "Ensure this value is greater than or equal to 0.",
            );
        }
        errors.into_result()?;
        let patch = FeatureStatePatch {
            enabled: Some(draft.enabled),
            value: Some(draft.value.clone()),
            mv_values: Some(draft.mv_values.clone()),
        };
        self.check_patch(&patch, feature.id, None, ValueSpelling::Typed)
            .await?;
        self.check_override(
            &project,
            &env,
            &feature,
            &segment,
            "feature_segment.segment",
        )
        .await?;
        let new = NewSegmentOverride {
            feature_id: feature.id,
            segment_id: segment.id,
            environment_id: env.id,
            priority: draft.priority,
            enabled: draft.enabled,
            value: draft.value,
            mv_values: draft.mv_values,
        };
        self.write_override(caller, &new, &feature, &segment).await
    }

    /// Deletes an override and its state.
    pub async fn delete_feature_segment(
        &self,
        caller: &Caller,
        id: FeatureSegmentId,
    ) -> ServiceResult<()> {
        let fs = self.store.feature_segment(id).await?;
        let (_, _, access) = self
            .environment_by_id_for(caller, fs.environment_id, None)
            .await?;
        manages(&access)?;
        let feature = self.store.feature(fs.feature_id).await?;
        let segment = self.store.segment(fs.segment_id).await?;
        let log = format!(
            "Flag state / Remote config value deleted for feature '{}' and segment '{}'",
            feature.name, segment.name
        );
        self.store
            .delete_feature_segment(id, &Audit::new(caller.author(), log))
            .await?;
        Ok(())
    }
}

/// The object when it is the project's; `None` with a field error when it is not there.
fn in_project<T: InProject>(
    errors: &mut FieldErrors,
    field: &str,
    id: impl std::fmt::Display,
    found: Result<T, StoreError>,
    project: &Project,
) -> ServiceResult<Option<T>> {
    match found {
        Ok(o) if o.project() == project.id => Ok(Some(o)),
        Ok(_) | Err(StoreError::NotFound) => {
            errors.add(
                field,
                format!("Invalid pk \"{id}\" - object does not exist."),
            );
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Features and segments both belong to a project.
trait InProject {
    fn project(&self) -> crate::domain::ProjectId;
}

impl InProject for Feature {
    fn project(&self) -> crate::domain::ProjectId {
        self.project_id
    }
}

impl InProject for Segment {
    fn project(&self) -> crate::domain::ProjectId {
        self.project_id
    }
}
