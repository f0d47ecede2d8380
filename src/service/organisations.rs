//! Organisations, their members and their API keys.

use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::organisation::{
    Membership, NewOrganisation, Organisation, OrganisationSettings, Role,
};
use crate::domain::user::User;
use crate::domain::{OrganisationId, UserId};

pub const NAME_LIMIT: usize = 2000;

/// An organisation as a member sees it.
#[derive(Debug, Clone)]
pub struct OrganisationView {
    pub organisation: Organisation,
    pub role: Role,
    pub num_seats: usize,
}

/// The changes an admin may make to an organisation.
#[derive(Debug, Clone, Default)]
pub struct OrganisationPatch {
    pub name: Option<String>,
    pub webhook_notification_email: Option<Option<String>>,
    pub restrict_project_create_to_admin: Option<bool>,
    pub force_2fa: Option<bool>,
}

pub(crate) fn check_name(errors: &mut FieldErrors, field: &str, name: &str, limit: usize) {
    if name.trim().is_empty() {
        errors.add(field, "This field may not be blank.");
    } else if name.chars().count() > limit {
        errors.add(
            field,
            format!("Ensure this field has no more than {limit} characters."),
        );
    }
}

impl Service {
    /// The organisations the caller belongs to (an API key: its own), with the caller's role.
    pub async fn organisations(&self, caller: &Caller) -> ServiceResult<Vec<OrganisationView>> {
        let orgs = match caller {
            Caller::User(user) => self.store.organisations_of(user.id).await?,
            Caller::ApiKey(key) => {
                let role = if key.is_admin {
                    Role::Admin
                } else {
                    Role::User
                };
                vec![(self.store.organisation(key.organisation_id).await?, role)]
            }
        };
        let mut views = Vec::with_capacity(orgs.len());
        for (organisation, role) in orgs {
            let num_seats = self.store.members(organisation.id).await?.len();
            views.push(OrganisationView {
                organisation,
                role,
                num_seats,
            });
        }
        Ok(views)
    }

    /// One of the caller's organisations, by its uuid: any member may read it this way.
    pub async fn organisation_by_uuid(
        &self,
        caller: &Caller,
        uuid: &str,
    ) -> ServiceResult<OrganisationView> {
        (self.organisations(caller).await?.into_iter())
            .find(|view| view.organisation.uuid == uuid)
            .ok_or(ServiceError::NotFound(None))
    }

    pub async fn organisation(
        &self,
        caller: &Caller,
        id: OrganisationId,
    ) -> ServiceResult<OrganisationView> {
        let role = self.org_role(caller, id).await?;
        let organisation = self.store.organisation(id).await?;
        let num_seats = self.store.members(id).await?.len();
        Ok(OrganisationView {
            organisation,
            role,
            num_seats,
        })
    }

    /// Creates an organisation with the calling user as its admin.
    pub async fn create_organisation(
        &self,
        caller: &Caller,
        name: &str,
    ) -> ServiceResult<OrganisationView> {
        let user = caller.user().ok_or(ServiceError::Forbidden(None))?;
        if self.policy.restrict_org_create_to_superusers && !user.is_superuser {
            return Err(ServiceError::Forbidden(None));
        }
        let mut errors = FieldErrors::default();
        check_name(&mut errors, "name", name, NAME_LIMIT);
        errors.into_result()?;
        let new = NewOrganisation {
            name: name.trim().to_string(),
            settings: OrganisationSettings {
                persist_trait_data: self.policy.default_org_store_traits,
                ..OrganisationSettings::default()
            },
        };
        let audit = Audit::new(
            caller.author(),
            format!("New Organisation created: {}", new.name),
        );
        let organisation = self
            .store
            .create_organisation(&new, Some(user.id), &audit)
            .await?;
        Ok(OrganisationView {
            organisation,
            role: Role::Admin,
            num_seats: 1,
        })
    }

    pub async fn update_organisation(
        &self,
        caller: &Caller,
        id: OrganisationId,
        patch: OrganisationPatch,
    ) -> ServiceResult<OrganisationView> {
        self.require_org_admin(caller, id).await?;
        let current = self.store.organisation(id).await?;
        let name = patch.name.unwrap_or(current.name.clone());
        let mut errors = FieldErrors::default();
        check_name(&mut errors, "name", &name, NAME_LIMIT);
        if let Some(Some(email)) = &patch.webhook_notification_email
            && !email.is_empty()
            && !super::valid_email(email)
        {
            errors.add("webhook_notification_email", "Enter a valid email address.");
        }
        errors.into_result()?;
        let mut settings = current.settings.clone();
        if let Some(email) = patch.webhook_notification_email {
            settings.webhook_notification_email = email.filter(|e| !e.is_empty());
        }
        if let Some(flag) = patch.restrict_project_create_to_admin {
            settings.restrict_project_create_to_admin = flag;
        }
        if let Some(flag) = patch.force_2fa {
            settings.force_2fa = flag;
        }
        let audit = Audit::new(caller.author(), format!("Organisation updated: {name}"));
        self.store
            .update_organisation(id, name.trim(), &settings, &audit)
            .await?;
        self.organisation(caller, id).await
    }

    pub async fn delete_organisation(
        &self,
        caller: &Caller,
        id: OrganisationId,
    ) -> ServiceResult<()> {
        self.require_org_admin(caller, id).await?;
        self.store.delete_organisation(id).await?;
        Ok(())
    }

    /// The members, optionally without the caller.
    pub async fn members(
        &self,
        caller: &Caller,
        org: OrganisationId,
        exclude_current: bool,
    ) -> ServiceResult<Vec<(User, Membership)>> {
        self.org_role(caller, org).await?;
        let mut members = self.store.members(org).await?;
        if let (true, Some(me)) = (exclude_current, caller.user()) {
            members.retain(|(u, _)| u.id != me.id);
        }
        Ok(members)
    }

    pub async fn update_role(
        &self,
        caller: &Caller,
        org: OrganisationId,
        user: UserId,
        role: Role,
    ) -> ServiceResult<(User, Membership)> {
        self.require_org_admin(caller, org).await?;
        if self.store.membership(org, user).await?.is_none() {
            return Err(ServiceError::NotFound(None));
        }
        if role != Role::Admin {
            self.keep_an_admin(org, &[user], "role").await?;
        }
        let membership = self.store.set_membership(org, user, role).await?;
        Ok((self.store.user(user).await?, membership))
    }

    /// Removes members; ids of non-members are ignored, as upstream does.
    pub async fn remove_members(
        &self,
        caller: &Caller,
        org: OrganisationId,
        users: &[UserId],
    ) -> ServiceResult<()> {
        self.require_org_admin(caller, org).await?;
        self.keep_an_admin(org, users, "non_field_errors").await?;
        for user in users {
            match self.store.remove_membership(org, *user).await {
                Ok(()) | Err(crate::store::StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Refuses a change that would leave an organisation with members but no administrator:
    /// nobody could manage it again.
    async fn keep_an_admin(
        &self,
        org: OrganisationId,
        leaving: &[UserId],
        field: &str,
    ) -> ServiceResult<()> {
        let members = self.store.members(org).await?;
        let admins = members.iter().filter(|(_, m)| m.role == Role::Admin);
        let admins_left = admins
            .clone()
            .filter(|(u, _)| !leaving.contains(&u.id))
            .count();
        if admins.count() > 0 && admins_left == 0 {
            return Err(ServiceError::invalid(
                field,
                "The organisation needs at least one administrator; make someone else an \
                 administrator first.",
            ));
        }
        Ok(())
    }
}
