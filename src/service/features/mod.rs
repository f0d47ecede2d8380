//! Features (flags and remote config) of a project.

mod view;

pub use self::view::FeatureView;
use self::view::Overlay;
use super::mv_options::{DUPLICATE_KEY, MvOptionPatch, duplicate_key};
use super::organisations::check_name;
use super::values::check_string_value;
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::feature::{
    Feature, FeaturePatch, FeatureQuery, FeatureSettings, FeatureType, NewFeature, Owners,
};
use crate::domain::project::Project;
use crate::domain::{EnvironmentId, FeatureId, Page, PageRequest, ProjectId, SegmentId, TagId};
use crate::store::StoreError;

/// A new feature as a request describes it.
#[derive(Debug, Clone, Default)]
pub struct FeatureDraft {
    pub name: String,
    /// `STANDARD` or `MULTIVARIATE`; the options decide, so it is only checked.
    pub feature_type: Option<String>,
    pub default_enabled: bool,
    /// Already text: non-strings are coerced at the edge, as upstream does.
    pub initial_value: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<TagId>,
    /// None given: the creating user owns the feature, as upstream.
    pub owners: Owners,
    pub multivariate_options: Vec<MvOptionPatch>,
    pub is_archived: bool,
    pub is_server_key_only: bool,
}

/// Where to look at features from: an environment (by id) and, in it, a segment.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeatureContext {
    pub environment: Option<EnvironmentId>,
    pub segment: Option<SegmentId>,
}

const DUPLICATE_NAME: &str = "Feature with that name already exists for this project. Note that \
     feature names are case insensitive.";
const MV_NEEDS_ADMIN: &str = "User must be project admin to modify / create MV options.";
const FEATURE_LIMIT: &str = "The Project has reached the maximum allowed features limit.";

/// The feature, when it belongs to the project; else `NotFound`.
pub(crate) async fn feature_in(
    svc: &Service,
    project: &Project,
    id: FeatureId,
) -> ServiceResult<Feature> {
    match svc.store.feature(id).await {
        Ok(f) if f.project_id == project.id => Ok(f),
        Ok(_) | Err(StoreError::NotFound) => Err(ServiceError::NotFound(None)),
        Err(e) => Err(e.into()),
    }
}

fn name_matches(regex: &str, name: &str) -> bool {
    regex::Regex::new(&format!("^(?:{regex})$")).is_ok_and(|r| r.is_match(name))
}

impl Service {
    /// One page of the project's features, as seen from the context.
    pub async fn features(
        &self,
        caller: &Caller,
        project: ProjectId,
        query: &FeatureQuery,
        context: FeatureContext,
        page: PageRequest,
    ) -> ServiceResult<Page<FeatureView>> {
        let (project, _) = self.project_for(caller, project, None).await?;
        let overlay = self.overlay(caller, &project, context).await?;
        let found = self.store.features_of(project.id, query, page).await?;
        let directory = self
            .directory_for(project.organisation_id, &found.items)
            .await?;
        let mut items = Vec::with_capacity(found.items.len());
        for feature in found.items {
            items.push(self.view(feature, &overlay, &directory).await?);
        }
        Ok(Page {
            items,
            total: found.total,
        })
    }

    pub async fn feature(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: FeatureId,
        context: FeatureContext,
    ) -> ServiceResult<FeatureView> {
        let (project, _) = self.project_for(caller, project, None).await?;
        let feature = feature_in(self, &project, id).await?;
        let overlay = self.overlay(caller, &project, context).await?;
        let directory = self
            .directory_for(project.organisation_id, std::slice::from_ref(&feature))
            .await?;
        self.view(feature, &overlay, &directory).await
    }

    /// A feature of any project the caller may view, by its uuid (no environment's state).
    pub async fn feature_by_uuid(&self, caller: &Caller, uuid: &str) -> ServiceResult<FeatureView> {
        let feature = self.store.feature_by_uuid(uuid).await?;
        self.feature(
            caller,
            feature.project_id,
            feature.id,
            FeatureContext::default(),
        )
        .await
    }

    /// The feature as a write answers it: no environment, owners named.
    pub(crate) async fn feature_view(
        &self,
        project: &Project,
        feature: Feature,
    ) -> ServiceResult<FeatureView> {
        let directory = self
            .directory_for(project.organisation_id, std::slice::from_ref(&feature))
            .await?;
        self.view(feature, &Overlay::default(), &directory).await
    }

    /// Creates a feature (`CREATE_FEATURE`; inline options need a project admin) with its
    /// default state in every environment.
    pub async fn create_feature(
        &self,
        caller: &Caller,
        project: ProjectId,
        draft: FeatureDraft,
    ) -> ServiceResult<FeatureView> {
        let (project, access) = self
            .project_for(caller, project, Some("CREATE_FEATURE"))
            .await?;
        if !draft.multivariate_options.is_empty() && !access.admin {
            return Err(ServiceError::forbidden_with(MV_NEEDS_ADMIN));
        }
        let new = self.checked_feature(caller, &project, draft).await?;
        let count = self
            .store
            .features_of(project.id, &FeatureQuery::default(), PageRequest::all())
            .await?
            .total;
        if count >= u64::try_from(project.settings.max_features_allowed).unwrap_or(0) {
            return Err(ServiceError::invalid("project", FEATURE_LIMIT));
        }
        let audit = Audit::new(
            caller.author(),
            format!("New Flag / Remote Config created: {}", new.name),
        );
        let feature = self
            .store
            .create_feature(&new, &audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => ServiceError::invalid("name", DUPLICATE_NAME),
                other => other.into(),
            })?;
        self.feature_view(&project, feature).await
    }

    /// Validates a draft into a new feature of the project.
    async fn checked_feature(
        &self,
        caller: &Caller,
        project: &Project,
        draft: FeatureDraft,
    ) -> ServiceResult<NewFeature> {
        let mut errors = FieldErrors::default();
        let name = draft.name.trim().to_string();
        check_name(&mut errors, "name", &name, 2000);
        if let Some(regex) = &project.settings.feature_name_regex
            && !name.is_empty()
            && !name_matches(regex, &name)
        {
            errors.add("name", format!("Feature name must match regex: {regex}"));
        }
        if !errors.0.contains_key("name") && self.name_taken(project.id, &name).await? {
            errors.add("name", DUPLICATE_NAME);
        }
        if let Some(t) = &draft.feature_type
            && FeatureType::parse(t).is_none()
        {
            errors.add("type", format!("\"{t}\" is not a valid choice."));
        }
        if let Some(v) = &draft.initial_value {
            check_string_value(&mut errors, "initial_value", v);
        }
        let mut options = Vec::with_capacity(draft.multivariate_options.len());
        for (i, patch) in draft.multivariate_options.into_iter().enumerate() {
            options.push(patch.build(None, &format!("multivariate_options[{i}]."), &mut errors));
        }
        if let Some(i) = duplicate_key(&options) {
            errors.add(format!("multivariate_options[{i}].key"), DUPLICATE_KEY);
        }
        let shared: f64 = options
            .iter()
            .map(|o| o.default_percentage_allocation)
            .sum();
        if shared > 100.0 {
            errors.add("multivariate_options", "Invalid percentage allocation");
        }
        self.check_tags(caller, &mut errors, project.id, &draft.tags)
            .await?;
        let org = project.organisation_id;
        let fields = ("owners", "group_owners");
        self.check_owners(&mut errors, fields, org, &draft.owners)
            .await?;
        errors.into_result()?;
        let mut owners = draft.owners;
        if owners.is_empty()
            && let Some(user) = caller.user()
            && self.store.membership(org, user.id).await?.is_some()
        {
            owners.users.push(user.id);
        }
        Ok(NewFeature {
            owners,
            project_id: project.id,
            name,
            default_enabled: draft.default_enabled,
            initial_value: draft.initial_value,
            settings: FeatureSettings {
                description: draft.description,
                is_archived: draft.is_archived,
                is_server_key_only: draft.is_server_key_only,
            },
            tags: draft.tags,
            mv_options: options,
        })
    }

    async fn name_taken(&self, project: ProjectId, name: &str) -> ServiceResult<bool> {
        let query = FeatureQuery {
            search: Some(name.to_string()),
            ..FeatureQuery::default()
        };
        let folded = name.to_lowercase();
        let found = self
            .store
            .features_of(project, &query, PageRequest::all())
            .await?;
        Ok(found.items.iter().any(|f| f.name.to_lowercase() == folded))
    }

    /// Changes description, archiving, server-key-only and tags (`EDIT_FEATURE`). Name and
    /// defaults cannot change after creation, as upstream.
    pub async fn update_feature(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: FeatureId,
        patch: FeaturePatch,
    ) -> ServiceResult<FeatureView> {
        let (project, _) = self
            .project_for(caller, project, Some("EDIT_FEATURE"))
            .await?;
        let feature = feature_in(self, &project, id).await?;
        if let Some(tags) = &patch.tags {
            let mut errors = FieldErrors::default();
            self.check_tags(caller, &mut errors, project.id, tags)
                .await?;
            errors.into_result()?;
        }
        let audit = Audit::new(
            caller.author(),
            format!("Flag / Remote Config updated: {}", feature.name),
        );
        let updated = self.store.update_feature(id, &patch, &audit).await?;
        self.feature_view(&project, updated).await
    }

    /// Deletes a feature with its states and overrides (`DELETE_FEATURE`).
    pub async fn delete_feature(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: FeatureId,
    ) -> ServiceResult<()> {
        let (project, _) = self
            .project_for(caller, project, Some("DELETE_FEATURE"))
            .await?;
        let feature = feature_in(self, &project, id).await?;
        let audit = Audit::new(
            caller.author(),
            format!("Flag / Remote Config Deleted: {}", feature.name),
        );
        self.store.delete_feature(id, &audit).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn the_name_regex_must_match_the_whole_name() {
        assert!(name_matches("[a-z_]+", "new_checkout"));
        assert!(!name_matches("[a-z_]+", "New_checkout"));
        assert!(!name_matches("[a-z]+", "abc1"));
        assert!(name_matches("a|b", "b"));
    }
}
