//! Projects.

use super::organisations::check_name;
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::feature::FeatureQuery;
use crate::domain::organisation::Role;
use crate::domain::permission::{GrantTarget, Grantee};
use crate::domain::project::{Project, ProjectSettings};
use crate::domain::segment::SegmentQuery;
use crate::domain::{OrganisationId, PageRequest, ProjectId};

/// The project settings a request may change; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub hide_disabled_flags: Option<bool>,
    pub prevent_flag_defaults: Option<bool>,
    pub enforce_feature_owners: Option<bool>,
    pub enable_realtime_updates: Option<bool>,
    pub only_allow_lower_case_feature_names: Option<bool>,
    pub feature_name_regex: Option<Option<String>>,
    pub stale_flags_limit_days: Option<i32>,
    pub minimum_change_request_approvals: Option<Option<i32>>,
}

impl ProjectPatch {
    fn apply(self, s: &mut ProjectSettings) {
        if let Some(v) = self.name {
            s.name = v.trim().to_string();
        }
        if let Some(v) = self.hide_disabled_flags {
            s.hide_disabled_flags = v;
        }
        if let Some(v) = self.prevent_flag_defaults {
            s.prevent_flag_defaults = v;
        }
        if let Some(v) = self.enforce_feature_owners {
            s.enforce_feature_owners = v;
        }
        if let Some(v) = self.enable_realtime_updates {
            s.enable_realtime_updates = v;
        }
        if let Some(v) = self.only_allow_lower_case_feature_names {
            s.only_allow_lower_case_feature_names = v;
        }
        if let Some(v) = self.feature_name_regex {
            s.feature_name_regex = v.filter(|r| !r.is_empty());
        }
        if let Some(v) = self.stale_flags_limit_days {
            s.stale_flags_limit_days = v;
        }
        if let Some(v) = self.minimum_change_request_approvals {
            s.minimum_change_request_approvals = v;
        }
    }
}

fn validate(s: &ProjectSettings) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    check_name(&mut errors, "name", &s.name, 2000);
    if let Some(regex) = &s.feature_name_regex
        && let Err(e) = regex::Regex::new(regex)
    {
        errors.add(
            "feature_name_regex",
            format!("Invalid regular expression: {e}"),
        );
    }
    if s.stale_flags_limit_days < 1 {
        errors.add(
            "stale_flags_limit_days",
            "Ensure this value is greater than or equal to 1.",
        );
    }
    if s.minimum_change_request_approvals.is_some_and(|n| n < 0) {
        errors.add(
            "minimum_change_request_approvals",
            "Ensure this value is greater than or equal to 0.",
        );
    }
    errors.into_result()
}

const DUPLICATE: &str = "A project with this name already exists.";

impl Service {
    /// The projects the caller may view, of one organisation or of all theirs, by id.
    /// `organisations/{id}/projects/`: like `projects` filtered by the organisation, but an
    /// organisation the caller does not belong to is not found.
    pub async fn organisation_projects(
        &self,
        caller: &Caller,
        org: OrganisationId,
    ) -> ServiceResult<Vec<Project>> {
        self.org_role(caller, org).await?;
        self.projects(caller, Some(org)).await
    }

    pub async fn projects(
        &self,
        caller: &Caller,
        org: Option<OrganisationId>,
    ) -> ServiceResult<Vec<Project>> {
        let orgs = match org {
            Some(org) => vec![org],
            None => self
                .organisations(caller)
                .await?
                .into_iter()
                .map(|v| v.organisation.id)
                .collect(),
        };
        let mut visible = Vec::new();
        for org in orgs {
            if self.org_role(caller, org).await.is_err() {
                continue;
            }
            for project in self.store.projects_of(org).await? {
                if self
                    .project_access(caller, &project)
                    .await?
                    .allows("VIEW_PROJECT")
                {
                    visible.push(project);
                }
            }
        }
        Ok(visible)
    }

    pub async fn project(&self, caller: &Caller, id: ProjectId) -> ServiceResult<Project> {
        Ok(self.project_for(caller, id, None).await?.0)
    }

    /// The project with its numbers of features and segments (feature-specific ones included).
    pub async fn project_with_totals(
        &self,
        caller: &Caller,
        id: ProjectId,
    ) -> ServiceResult<(Project, u64, u64)> {
        let project = self.project(caller, id).await?;
        let one = PageRequest {
            page: 1,
            page_size: 1,
        };
        let features = self
            .store
            .features_of(id, &FeatureQuery::default(), one)
            .await?
            .total;
        let segments = SegmentQuery {
            search: None,
            include_feature_specific: true,
        };
        let segments = self.store.segments_of(id, &segments, one).await?.total;
        Ok((project, features, segments))
    }

    /// Creates a project; the creating user becomes its admin.
    pub async fn create_project(
        &self,
        caller: &Caller,
        org: OrganisationId,
        patch: ProjectPatch,
    ) -> ServiceResult<Project> {
        let role = match self.org_role(caller, org).await {
            Ok(role) => role,
            Err(ServiceError::NotFound(_)) => {
                return Err(ServiceError::invalid(
                    "organisation",
                    "Invalid pk - object does not exist.",
                ));
            }
            Err(e) => return Err(e),
        };
        if role != Role::Admin {
            let organisation = self.store.organisation(org).await?;
            let may = !organisation.settings.restrict_project_create_to_admin
                && self.org_access(caller, org).await?.allows("CREATE_PROJECT");
            if !may {
                return Err(ServiceError::Forbidden(None));
            }
        }
        let mut settings = ProjectSettings::named(patch.name.clone().unwrap_or_default());
        patch.apply(&mut settings);
        validate(&settings)?;
        if self
            .store
            .projects_of(org)
            .await?
            .iter()
            .any(|p| p.settings.name == settings.name)
        {
            return Err(ServiceError::invalid("non_field_errors", DUPLICATE));
        }
        let audit = Audit::new(
            caller.author(),
            format!("New Project created: {}", settings.name),
        );
        let project = self
            .store
            .create_project(org, &settings, &audit)
            .await
            .map_err(conflict)?;
        if let Some(user) = caller.user() {
            self.store
                .create_grant(
                    GrantTarget::Project(project.id),
                    Grantee::User(user.id),
                    true,
                    &[],
                )
                .await?;
        }
        Ok(project)
    }

    pub async fn update_project(
        &self,
        caller: &Caller,
        id: ProjectId,
        patch: ProjectPatch,
    ) -> ServiceResult<Project> {
        let (project, access) = self.project_for(caller, id, None).await?;
        if !access.admin {
            return Err(ServiceError::Forbidden(None));
        }
        let mut settings = project.settings.clone();
        patch.apply(&mut settings);
        validate(&settings)?;
        let audit = Audit::new(
            caller.author(),
            format!("Project updated: {}", settings.name),
        );
        let updated = self
            .store
            .update_project(id, &settings, &audit)
            .await
            .map_err(conflict)?;
        Ok(updated)
    }

    pub async fn delete_project(&self, caller: &Caller, id: ProjectId) -> ServiceResult<()> {
        let (project, access) = self.project_for(caller, id, None).await?;
        if !access.admin {
            return Err(ServiceError::Forbidden(None));
        }
        let audit = Audit::new(
            caller.author(),
            format!("Project deleted: {}", project.settings.name),
        );
        self.store.delete_project(id, &audit).await?;
        Ok(())
    }

    /// The projects the caller may view (of one organisation, with `org`), and with `uuid`
    /// only the one of that uuid.
    pub async fn projects_matching(
        &self,
        caller: &Caller,
        org: Option<OrganisationId>,
        uuid: Option<&str>,
    ) -> ServiceResult<Vec<Project>> {
        let mut found = self.projects(caller, org).await?;
        if let Some(uuid) = uuid {
            found.retain(|p| p.uuid == uuid);
        }
        Ok(found)
    }

    /// A project the caller may view, by its uuid.
    pub async fn project_by_uuid(&self, caller: &Caller, uuid: &str) -> ServiceResult<Project> {
        self.projects_matching(caller, None, Some(uuid))
            .await?
            .pop()
            .ok_or(ServiceError::NotFound(None))
    }

    /// The caller's own access to a project (`my-permissions`).
    pub async fn my_project_access(
        &self,
        caller: &Caller,
        id: ProjectId,
    ) -> ServiceResult<super::Access> {
        let project = self.store.project(id).await?;
        self.project_access(caller, &project).await
    }
}

fn conflict(e: crate::store::StoreError) -> ServiceError {
    match e {
        crate::store::StoreError::Conflict(_) => {
            ServiceError::invalid("non_field_errors", DUPLICATE)
        }
        other => other.into(),
    }
}
