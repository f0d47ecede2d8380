//! First run: the installation form and the optional bootstrap from configuration.

use super::{FieldErrors, Service, ServiceError, ServiceResult, passwords};
use crate::domain::audit::{Audit, Author};
use crate::domain::organisation::{NewOrganisation, OrganisationSettings};
use crate::domain::project::ProjectSettings;
use crate::domain::user::{NewUser, User, normalise_email};

/// What `ALLOW_ADMIN_INITIATION_VIA_CLI` creates at start when nothing exists yet.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub admin_email: String,
    pub admin_password: String,
    pub organisation_name: String,
    pub project_name: String,
}

impl Service {
    /// Whether the installation form may still be used.
    pub async fn needs_installation(&self) -> ServiceResult<bool> {
        Ok(self.store.count_users().await? == 0)
    }

    /// The installation form: the first superuser and the site's name and domain.
    /// `NotFound` once any user exists.
    pub async fn install(
        &self,
        email: &str,
        password: &str,
        site_name: &str,
        site_domain: &str,
    ) -> ServiceResult<User> {
        if !self.needs_installation().await? {
            return Err(ServiceError::not_found_with(
                "CAN NOT INIT CONFIGURATION. USER(S) ALREADY EXIST IN SYSTEM.",
            ));
        }
        let email = normalise_email(email);
        let mut errors = FieldErrors::default();
        if !super::valid_email(&email) {
            errors.add("email", "Enter a valid email address.");
        }
        for reason in passwords::weaknesses(password, &email) {
            errors.add("password", reason);
        }
        for (field, value) in [("site_name", site_name), ("site_domain", site_domain)] {
            if value.chars().count() > 255 {
                errors.add(field, "Ensure this field has no more than 255 characters.");
            }
        }
        errors.into_result()?;
        let user = self
            .store
            .create_first_user(&superuser(email, self.passwords.hash(password).await?))
            .await?
            .ok_or_else(|| {
                ServiceError::not_found_with(
                    "CAN NOT INIT CONFIGURATION. USER(S) ALREADY EXIST IN SYSTEM.",
                )
            })?;
        self.store
            .set_setting("site_name", site_name.trim())
            .await?;
        self.store
            .set_setting("site_domain", site_domain.trim())
            .await?;
        Ok(user)
    }

    /// Creates the superuser, organisation and project that do not exist yet; each step is
    /// skipped when one of its kind already exists.
    pub async fn bootstrap(&self, plan: &Bootstrap) -> ServiceResult<()> {
        let email = normalise_email(&plan.admin_email);
        let admin = match self.store.user_by_email(&email).await? {
            Some(user) => Some(user),
            None if self.store.count_users().await? == 0 => {
                let hash = self.passwords.hash(&plan.admin_password).await?;
                let created = self
                    .store
                    .create_first_user(&superuser(email.clone(), hash))
                    .await?;
                if created.is_some() {
                    tracing::info!(email = %email, "bootstrap created the superuser");
                }
                created
            }
            None => None,
        };
        let Some(admin) = admin else {
            return Ok(());
        };
        let audit = Audit::new(Author::System, "Bootstrap");
        let org = match self
            .store
            .organisations_of(admin.id)
            .await?
            .into_iter()
            .next()
        {
            Some((org, _)) => org,
            None => {
                let new = NewOrganisation {
                    name: plan.organisation_name.clone(),
                    settings: OrganisationSettings {
                        persist_trait_data: self.policy.default_org_store_traits,
                        ..OrganisationSettings::default()
                    },
                };
                tracing::info!(name = %new.name, "bootstrap created the organisation");
                self.store
                    .create_organisation(&new, Some(admin.id), &audit)
                    .await?
            }
        };
        if self.store.projects_of(org.id).await?.is_empty() {
            let settings = ProjectSettings::named(plan.project_name.clone());
            self.store.create_project(org.id, &settings, &audit).await?;
            tracing::info!(name = %plan.project_name, "bootstrap created the project");
        }
        Ok(())
    }
}

fn superuser(email: String, password_hash: String) -> NewUser {
    NewUser {
        email,
        password_hash: Some(password_hash),
        first_name: String::new(),
        last_name: String::new(),
        is_superuser: true,
        sign_up_type: None,
        marketing_consent_given: false,
    }
}
