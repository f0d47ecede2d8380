//! Segments of a project: named rule trees over identity traits.

use super::features::feature_in;
use super::organisations::check_name;
use super::segment_rules::check_rules;
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::feature_state::{FeatureState, Scope};
use crate::domain::project::Project;
use crate::domain::segment::{NewSegment, Segment, SegmentQuery, SegmentRule, SegmentUpdate};
use crate::domain::{EnvironmentId, FeatureId, Page, PageRequest, ProjectId, SegmentId};
use crate::store::StoreError;

/// A segment as a request writes it; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SegmentDraft {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    /// The feature a feature-specific segment belongs to; only set on create.
    pub feature: Option<FeatureId>,
    /// Rules and conditions marked `"delete": true` are already left out.
    pub rules: Option<Vec<SegmentRule>>,
}

const MANAGE: &str = "MANAGE_SEGMENTS";

impl Service {
    /// One page of the project's segments, by id.
    pub async fn segments(
        &self,
        caller: &Caller,
        project: ProjectId,
        query: &SegmentQuery,
        page: PageRequest,
    ) -> ServiceResult<Page<Segment>> {
        let (project, _) = self.project_for(caller, project, None).await?;
        Ok(self.store.segments_of(project.id, query, page).await?)
    }

    pub async fn segment(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: SegmentId,
    ) -> ServiceResult<Segment> {
        let (project, _) = self.project_for(caller, project, None).await?;
        self.segment_in(&project, id).await
    }

    /// A segment of any project the caller may view, by its uuid.
    pub async fn segment_by_uuid(&self, caller: &Caller, uuid: &str) -> ServiceResult<Segment> {
        let segment = self.store.segment_by_uuid(uuid).await?;
        self.project_for(caller, segment.project_id, None).await?;
        Ok(segment)
    }

    /// The segment, when it belongs to the project; else `NotFound`.
    pub(crate) async fn segment_in(
        &self,
        project: &Project,
        id: SegmentId,
    ) -> ServiceResult<Segment> {
        match self.store.segment(id).await {
            Ok(s) if s.project_id == project.id => Ok(s),
            Ok(_) | Err(StoreError::NotFound) => Err(ServiceError::NotFound(None)),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates a segment (`MANAGE_SEGMENTS`); `name` and non-empty `rules` are required.
    pub async fn create_segment(
        &self,
        caller: &Caller,
        project: ProjectId,
        draft: SegmentDraft,
    ) -> ServiceResult<Segment> {
        let (project, _) = self.project_for(caller, project, Some(MANAGE)).await?;
        let mut errors = FieldErrors::default();
        let name = required_name(&mut errors, draft.name.as_deref());
        match &draft.rules {
            None => errors.add("rules", "This field is required."),
            Some(rules) => check_rules(&mut errors, rules),
        }
        if let Some(feature) = draft.feature {
            match feature_in(self, &project, feature).await {
                Ok(_) => {}
                Err(ServiceError::NotFound(_)) => errors.add(
                    "feature",
                    format!("Invalid pk \"{feature}\" - object does not exist."),
                ),
                Err(e) => return Err(e),
            }
        }
        errors.into_result()?;
        let new = NewSegment {
            project_id: project.id,
            name,
            description: draft.description.flatten(),
            feature_id: draft.feature,
            rules: draft.rules.unwrap_or_default(),
        };
        let audit = Audit::new(
            caller.author(),
            format!("New Segment created: {}", new.name),
        );
        let created = self.store.create_segment(&new, &audit).await?;
        Ok(created)
    }

    /// Changes a segment (`MANAGE_SEGMENTS`). A full update (PUT) needs `name` and `rules`;
    /// a partial one keeps what it does not name. Given rules replace the whole tree.
    pub async fn update_segment(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: SegmentId,
        draft: SegmentDraft,
        partial: bool,
    ) -> ServiceResult<Segment> {
        let (project, _) = self.project_for(caller, project, Some(MANAGE)).await?;
        let current = self.segment_in(&project, id).await?;
        let mut errors = FieldErrors::default();
        if draft.feature.is_some_and(|f| Some(f) != current.feature_id) {
            errors.add("feature", "The feature of a segment cannot be changed.");
        }
        let name = match (&draft.name, partial) {
            (None, true) => current.name.clone(),
            (name, _) => required_name(&mut errors, name.as_deref()),
        };
        match (&draft.rules, partial) {
            (None, true) => {}
            (None, false) => errors.add("rules", "This field is required."),
            (Some(rules), _) => check_rules(&mut errors, rules),
        }
        errors.into_result()?;
        let update = SegmentUpdate {
            name,
            description: draft.description.unwrap_or(current.description),
            rules: draft.rules.unwrap_or(current.rules),
        };
        let audit = Audit::new(caller.author(), format!("Segment updated: {}", update.name));
        let updated = self.store.update_segment(id, &update, &audit).await?;
        Ok(updated)
    }

    /// Deletes a segment with the overrides that use it (`MANAGE_SEGMENTS`).
    pub async fn delete_segment(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: SegmentId,
    ) -> ServiceResult<()> {
        let (project, _) = self.project_for(caller, project, Some(MANAGE)).await?;
        let segment = self.segment_in(&project, id).await?;
        let audit = Audit::new(
            caller.author(),
            format!("Segment deleted: {}", segment.name),
        );
        self.store.delete_segment(id, &audit).await?;
        Ok(())
    }

    /// A copy of the segment (rules, description and feature) under a new name
    /// (`MANAGE_SEGMENTS`).
    pub async fn clone_segment(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: SegmentId,
        name: Option<&str>,
    ) -> ServiceResult<Segment> {
        let (project, _) = self.project_for(caller, project, Some(MANAGE)).await?;
        let source = self.segment_in(&project, id).await?;
        let mut errors = FieldErrors::default();
        let name = required_name(&mut errors, name);
        errors.into_result()?;
        let new = NewSegment {
            project_id: project.id,
            name,
            description: source.description,
            feature_id: source.feature_id,
            // The store writes new rows; the source's row ids are not reused.
            rules: source.rules,
        };
        let audit = Audit::new(
            caller.author(),
            format!(
                "New Segment created: {} (cloned from {})",
                new.name, source.name
            ),
        );
        let created = self.store.create_segment(&new, &audit).await?;
        Ok(created)
    }

    /// One page of the states that override features for this segment, in one environment of
    /// the project or all, by id.
    pub async fn associated_features(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: SegmentId,
        environment: Option<EnvironmentId>,
        page: PageRequest,
    ) -> ServiceResult<Page<FeatureState>> {
        let (project, _) = self.project_for(caller, project, None).await?;
        let segment = self.segment_in(&project, id).await?;
        let envs = match environment {
            Some(env) => {
                let (env_project, env, _) = self.environment_by_id_for(caller, env, None).await?;
                if env_project.id != project.id {
                    return Err(ServiceError::NotFound(None));
                }
                vec![env]
            }
            None => self.store.environments_of(project.id).await?,
        };
        let mut states = Vec::new();
        for env in envs {
            let ours: Vec<_> = self
                .store
                .feature_segments(env.id, None)
                .await?
                .into_iter()
                .filter(|fs| fs.segment_id == segment.id)
                .map(|fs| fs.id)
                .collect();
            states.extend(
                self.store
                    .segment_override_states(env.id)
                    .await?
                    .into_iter()
                    .filter(|s| matches!(s.scope, Scope::Segment(fs) if ours.contains(&fs))),
            );
        }
        states.sort_by_key(|s| s.id);
        Ok(Page::slice(states, page))
    }
}

fn required_name(errors: &mut FieldErrors, name: Option<&str>) -> String {
    match name {
        None => {
            errors.add("name", "This field is required.");
            String::new()
        }
        Some(name) => {
            check_name(errors, "name", name, 2000);
            name.trim().to_string()
        }
    }
}
