//! Feature owners: the users and groups of the organisation who answer for a feature.

use std::collections::HashMap;

use super::features::{FeatureView, feature_in};
use super::{Caller, FieldErrors, Service, ServiceResult};
use crate::domain::feature::{Feature, Owners};
use crate::domain::permission::GroupId;
use crate::domain::project::Project;
use crate::domain::user::User;
use crate::domain::{FeatureId, OrganisationId, ProjectId, UserId};

/// Names for the owners of a list of features: the organisation's members and groups.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    users: HashMap<UserId, User>,
    groups: HashMap<GroupId, String>,
}

impl Directory {
    /// The feature's owners who still belong to the organisation, as users and `(id, name)`.
    pub(crate) fn owners_of(&self, feature: &Feature) -> (Vec<User>, Vec<(GroupId, String)>) {
        let users = feature.owners.users.iter();
        let groups = feature.owners.groups.iter();
        (
            users.filter_map(|u| self.users.get(u).cloned()).collect(),
            groups
                .filter_map(|g| self.groups.get(g).map(|name| (*g, name.clone())))
                .collect(),
        )
    }
}

impl Service {
    /// Adds users and groups as owners of a feature (`EDIT_FEATURE`); each must belong to the
    /// project's organisation (named in `user_ids` or `group_ids` otherwise).
    pub async fn add_feature_owners(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: FeatureId,
        owners: Owners,
    ) -> ServiceResult<FeatureView> {
        let project = self.owned_feature(caller, project, id).await?;
        let mut errors = FieldErrors::default();
        let fields = ("user_ids", "group_ids");
        self.check_owners(&mut errors, fields, project.organisation_id, &owners)
            .await?;
        errors.into_result()?;
        let feature = self.store.add_feature_owners(id, &owners).await?;
        self.feature_view(&project, feature).await
    }

    /// Removes users and groups from a feature's owners (`EDIT_FEATURE`); ones it does not
    /// have are ignored.
    pub async fn remove_feature_owners(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: FeatureId,
        owners: Owners,
    ) -> ServiceResult<FeatureView> {
        let project = self.owned_feature(caller, project, id).await?;
        let feature = self.store.remove_feature_owners(id, &owners).await?;
        self.feature_view(&project, feature).await
    }

    /// The project, when the feature is in it and the caller may edit it.
    async fn owned_feature(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: FeatureId,
    ) -> ServiceResult<Project> {
        let (project, _) = self
            .project_for(caller, project, Some("EDIT_FEATURE"))
            .await?;
        feature_in(self, &project, id).await?;
        Ok(project)
    }

    /// Names in `fields` (users, groups) each owner that is not of the organisation.
    pub(crate) async fn check_owners(
        &self,
        errors: &mut FieldErrors,
        fields: (&str, &str),
        org: OrganisationId,
        owners: &Owners,
    ) -> ServiceResult<()> {
        if owners.is_empty() {
            return Ok(());
        }
        let directory = self.directory(org).await?;
        for user in &owners.users {
            if !directory.users.contains_key(user) {
                errors.add(
                    fields.0,
                    format!("Invalid pk \"{user}\" - object does not exist."),
                );
            }
        }
        for group in &owners.groups {
            if !directory.groups.contains_key(group) {
                errors.add(
                    fields.1,
                    format!("Invalid pk \"{}\" - object does not exist.", group.0),
                );
            }
        }
        Ok(())
    }

    /// The organisation's members and groups, read only when some feature has owners.
    pub(crate) async fn directory_for(
        &self,
        org: OrganisationId,
        features: &[Feature],
    ) -> ServiceResult<Directory> {
        if features.iter().all(|f| f.owners.is_empty()) {
            return Ok(Directory::default());
        }
        self.directory(org).await
    }

    async fn directory(&self, org: OrganisationId) -> ServiceResult<Directory> {
        let users = self.store.members(org).await?;
        let groups = self.store.groups_of(org).await?;
        Ok(Directory {
            users: users.into_iter().map(|(u, _)| (u.id, u)).collect(),
            groups: groups.into_iter().map(|g| (g.id, g.name)).collect(),
        })
    }
}
