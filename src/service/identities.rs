//! Identities and their traits, as the management API sees them.

use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::environment::Environment;
use crate::domain::identity::{Identity, IdentityQuery, Trait, TraitValue, TraitWrite};
use crate::domain::{IdentityId, Page, PageRequest, TraitId};
use crate::store::StoreError;

pub const IDENTIFIER_LIMIT: usize = 2000;
pub const TRAIT_KEY_LIMIT: usize = 200;
pub const TRAIT_STRING_LIMIT: usize = 2000;

/// Checks a trait key and value as upstream's limits require.
pub fn check_trait(errors: &mut FieldErrors, key: &str, value: &TraitValue) {
    if key.is_empty() {
        errors.add("trait_key", "This field may not be blank.");
    } else if key.chars().count() > TRAIT_KEY_LIMIT {
        errors.add(
            "trait_key",
            format!("Ensure this field has no more than {TRAIT_KEY_LIMIT} characters."),
        );
    }
    if let TraitValue::String(s) = value
        && s.chars().count() > TRAIT_STRING_LIMIT
    {
        errors.add(
            "trait_value",
            format!("Ensure this value has no more than {TRAIT_STRING_LIMIT} characters."),
        );
    }
    if let TraitValue::Float(f) = value
        && !f.is_finite()
    {
        errors.add("trait_value", "A valid number is required.");
    }
}

fn check_identifier(identifier: &str) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    if identifier.is_empty() {
        errors.add("identifier", "This field may not be blank.");
    } else if identifier.chars().count() > IDENTIFIER_LIMIT {
        errors.add(
            "identifier",
            format!("Ensure this field has no more than {IDENTIFIER_LIMIT} characters."),
        );
    }
    errors.into_result()
}

/// A conflict on the identifier, as upstream words it.
fn taken(e: StoreError, identifier: &str) -> ServiceError {
    match e {
        StoreError::Conflict(_) => ServiceError::invalid(
            "identifier",
            format!("Identity with identifier '{identifier}' already exists in this environment"),
        ),
        other => other.into(),
    }
}

impl Service {
    /// An environment the caller may read identities of (or manage them, with `manage`).
    async fn identities_environment(
        &self,
        caller: &Caller,
        api_key: &str,
        manage: bool,
    ) -> ServiceResult<Environment> {
        let key = if manage {
            "MANAGE_IDENTITIES"
        } else {
            "VIEW_IDENTITIES"
        };
        let (_, env, access) = self.environment_for(caller, api_key, None).await?;
        if !(access.allows(key) || (!manage && access.allows("MANAGE_IDENTITIES"))) {
            return Err(ServiceError::Forbidden(None));
        }
        Ok(env)
    }

    /// One page of identities; `q` in double quotes matches the whole identifier.
    pub async fn identities(
        &self,
        caller: &Caller,
        api_key: &str,
        q: Option<&str>,
        page: PageRequest,
    ) -> ServiceResult<Page<Identity>> {
        let env = self.identities_environment(caller, api_key, false).await?;
        let query = match q.filter(|q| !q.is_empty()) {
            None => IdentityQuery::default(),
            Some(q) if q.len() >= 2 && q.starts_with('"') && q.ends_with('"') => IdentityQuery {
                search: Some(q[1..q.len() - 1].to_string()),
                exact: true,
            },
            Some(q) => IdentityQuery {
                search: Some(q.to_string()),
                exact: false,
            },
        };
        Ok(self.store.identities(env.id, &query, page).await?)
    }

    pub async fn create_identity(
        &self,
        caller: &Caller,
        api_key: &str,
        identifier: &str,
    ) -> ServiceResult<Identity> {
        let env = self.identities_environment(caller, api_key, true).await?;
        check_identifier(identifier)?;
        self.store
            .create_identity(env.id, identifier)
            .await
            .map_err(|e| taken(e, identifier))
    }

    /// Changes an identity's identifier (`MANAGE_IDENTITIES`). Its overrides are served under
    /// the new identifier from then on.
    pub async fn rename_identity(
        &self,
        caller: &Caller,
        api_key: &str,
        id: IdentityId,
        identifier: &str,
    ) -> ServiceResult<Identity> {
        let identity = self.identity(caller, api_key, id, true).await?;
        check_identifier(identifier)?;
        let log = format!(
            "Identity '{}' renamed to '{identifier}'",
            identity.identifier
        );
        let renamed = self
            .store
            .rename_identity(id, identifier, &Audit::new(caller.author(), log))
            .await
            .map_err(|e| taken(e, identifier))?;
        Ok(renamed)
    }

    /// An identity of the environment; identities elsewhere are `NotFound`.
    pub async fn identity(
        &self,
        caller: &Caller,
        api_key: &str,
        id: IdentityId,
        manage: bool,
    ) -> ServiceResult<Identity> {
        let env = self.identities_environment(caller, api_key, manage).await?;
        let identity = self.store.identity(id).await?;
        if identity.environment_id != env.id {
            return Err(ServiceError::NotFound(None));
        }
        Ok(identity)
    }

    pub async fn delete_identity(
        &self,
        caller: &Caller,
        api_key: &str,
        id: IdentityId,
    ) -> ServiceResult<()> {
        self.identity(caller, api_key, id, true).await?;
        self.store.delete_identity(id).await?;
        Ok(())
    }

    pub async fn traits(
        &self,
        caller: &Caller,
        api_key: &str,
        id: IdentityId,
    ) -> ServiceResult<Vec<Trait>> {
        self.identity(caller, api_key, id, false).await?;
        Ok(self.store.traits(id).await?)
    }

    /// Sets a trait (creating or replacing it) and returns it.
    pub async fn set_trait(
        &self,
        caller: &Caller,
        api_key: &str,
        id: IdentityId,
        key: &str,
        value: TraitValue,
    ) -> ServiceResult<Trait> {
        let identity = self.identity(caller, api_key, id, true).await?;
        let mut errors = FieldErrors::default();
        check_trait(&mut errors, key, &value);
        errors.into_result()?;
        let write = TraitWrite {
            key: key.to_string(),
            value: Some(value),
        };
        let (_, traits) = self
            .store
            .identify(identity.environment_id, &identity.identifier, &[write])
            .await?;
        traits
            .into_iter()
            .find(|t| t.key == key)
            .ok_or_else(|| ServiceError::Internal("a trait just written is missing".into()))
    }

    /// A trait of the identity; traits of others are `NotFound`.
    pub async fn trait_of(
        &self,
        caller: &Caller,
        api_key: &str,
        id: IdentityId,
        trait_id: TraitId,
    ) -> ServiceResult<Trait> {
        self.traits(caller, api_key, id)
            .await?
            .into_iter()
            .find(|t| t.id == trait_id)
            .ok_or(ServiceError::NotFound(None))
    }

    /// Deletes a trait; with `everywhere`, the same key on every identity of the environment.
    pub async fn delete_trait(
        &self,
        caller: &Caller,
        api_key: &str,
        id: IdentityId,
        trait_id: TraitId,
        everywhere: bool,
    ) -> ServiceResult<()> {
        let found = self.trait_of(caller, api_key, id, trait_id).await?;
        let identity = self.identity(caller, api_key, id, true).await?;
        if !everywhere {
            return Ok(self.store.delete_trait(trait_id).await?);
        }
        let mut page = 1;
        loop {
            let request = PageRequest {
                page,
                page_size: PageRequest::MAX_SIZE,
            };
            let identities = self
                .store
                .identities(identity.environment_id, &IdentityQuery::default(), request)
                .await?;
            for other in &identities.items {
                let removal = TraitWrite {
                    key: found.key.clone(),
                    value: None,
                };
                self.store
                    .identify(other.environment_id, &other.identifier, &[removal])
                    .await?;
            }
            if identities.items.len() < PageRequest::MAX_SIZE as usize {
                return Ok(());
            }
            page += 1;
        }
    }
}
