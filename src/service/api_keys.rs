//! Organisation API keys: issued once, listed, renamed, revoked.

use super::organisations::check_name;
use super::secrets::{hash_secret, random_alphanumeric};
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::organisation::{NewOrgApiKey, OrgApiKey, OrgApiKeyPatch};
use crate::domain::{OrgApiKeyId, OrganisationId, Timestamp};

/// A new API key: the stored record and the secret, shown once.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub key: OrgApiKey,
    pub secret: String,
}

impl Service {
    pub async fn api_keys(
        &self,
        caller: &Caller,
        org: OrganisationId,
    ) -> ServiceResult<Vec<OrgApiKey>> {
        self.require_key_manager(caller, org).await?;
        Ok(self.store.org_api_keys(org).await?)
    }

    pub async fn api_key(
        &self,
        caller: &Caller,
        org: OrganisationId,
        prefix: &str,
    ) -> ServiceResult<OrgApiKey> {
        self.require_key_manager(caller, org).await?;
        match self.store.org_api_key_by_prefix(prefix).await? {
            Some(key) if key.organisation_id == org => Ok(key),
            _ => Err(ServiceError::NotFound(None)),
        }
    }

    pub async fn create_api_key(
        &self,
        caller: &Caller,
        org: OrganisationId,
        name: &str,
        expiry_date: Option<Timestamp>,
    ) -> ServiceResult<IssuedKey> {
        self.require_key_manager(caller, org).await?;
        let mut errors = FieldErrors::default();
        check_name(&mut errors, "name", name, 200);
        errors.into_result()?;
        let prefix = random_alphanumeric(8)?;
        let secret = format!("{prefix}.{}", random_alphanumeric(32)?);
        let new = NewOrgApiKey {
            organisation_id: org,
            prefix,
            hashed_key: hash_secret(&secret),
            name: name.trim().to_string(),
            expiry_date,
            is_admin: true,
            created_by: caller.user().map(|u| u.id),
        };
        let audit = Audit::new(
            caller.author(),
            format!("Master API key created: {}", new.name),
        );
        let key = self.store.create_org_api_key(&new, &audit).await?;
        Ok(IssuedKey { key, secret })
    }

    pub async fn update_api_key(
        &self,
        caller: &Caller,
        org: OrganisationId,
        prefix: &str,
        patch: &OrgApiKeyPatch,
    ) -> ServiceResult<OrgApiKey> {
        let key = self.api_key(caller, org, prefix).await?;
        if let Some(name) = &patch.name {
            let mut errors = FieldErrors::default();
            check_name(&mut errors, "name", name, 200);
            errors.into_result()?;
        }
        let audit = Audit::new(
            caller.author(),
            format!("Master API key updated: {}", key.name),
        );
        Ok(self.store.update_org_api_key(key.id, patch, &audit).await?)
    }

    pub async fn delete_api_key(
        &self,
        caller: &Caller,
        org: OrganisationId,
        prefix: &str,
    ) -> ServiceResult<()> {
        let key = self.api_key(caller, org, prefix).await?;
        let audit = Audit::new(
            caller.author(),
            format!("Master API key deleted: {}", key.name),
        );
        Ok(self
            .store
            .delete_org_api_key(OrgApiKeyId(key.id.0), &audit)
            .await?)
    }
}

impl Service {
    /// API keys are managed by users (not by other keys) who administer the organisation.
    async fn require_key_manager(&self, caller: &Caller, org: OrganisationId) -> ServiceResult<()> {
        self.require_org_admin(caller, org).await?;
        match caller {
            Caller::User(_) => Ok(()),
            Caller::ApiKey(_) => Err(ServiceError::Forbidden(None)),
        }
    }
}
