//! Server-side keys of an environment: listed, created, renamed, revoked.

use super::organisations::check_name;
use super::secrets::random_alphanumeric;
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::environment::{Environment, NewServerKey, ServerKey, ServerKeyPatch};
use crate::domain::{ServerKeyId, Timestamp};

impl Service {
    pub async fn server_keys(
        &self,
        caller: &Caller,
        api_key: &str,
    ) -> ServiceResult<Vec<ServerKey>> {
        let (env, _) = self.environment_admin(caller, api_key).await?;
        Ok(self.store.server_keys(env.id).await?)
    }

    pub async fn create_server_key(
        &self,
        caller: &Caller,
        api_key: &str,
        name: &str,
        expires_at: Option<Timestamp>,
    ) -> ServiceResult<ServerKey> {
        let (env, _) = self.environment_admin(caller, api_key).await?;
        let mut errors = FieldErrors::default();
        check_name(&mut errors, "name", name, 100);
        errors.into_result()?;
        let new = NewServerKey {
            environment_id: env.id,
            key: format!("ser.{}", random_alphanumeric(22)?),
            name: name.trim().to_string(),
            expires_at,
        };
        let audit = Audit::new(
            caller.author(),
            format!("Server-side key created: {}", new.name),
        );
        let key = self.store.create_server_key(&new, &audit).await?;
        Ok(key)
    }

    pub async fn update_server_key(
        &self,
        caller: &Caller,
        api_key: &str,
        id: ServerKeyId,
        patch: &ServerKeyPatch,
    ) -> ServiceResult<ServerKey> {
        let (env, _) = self.environment_admin(caller, api_key).await?;
        let key = self.own_server_key(&env, id).await?;
        if let Some(name) = &patch.name {
            let mut errors = FieldErrors::default();
            check_name(&mut errors, "name", name, 100);
            errors.into_result()?;
        }
        let audit = Audit::new(
            caller.author(),
            format!("Server-side key updated: {}", key.name),
        );
        let updated = self.store.update_server_key(id, patch, &audit).await?;
        Ok(updated)
    }

    pub async fn delete_server_key(
        &self,
        caller: &Caller,
        api_key: &str,
        id: ServerKeyId,
    ) -> ServiceResult<()> {
        let (env, _) = self.environment_admin(caller, api_key).await?;
        let key = self.own_server_key(&env, id).await?;
        let audit = Audit::new(
            caller.author(),
            format!("Server-side key deleted: {}", key.name),
        );
        self.store.delete_server_key(id, &audit).await?;
        Ok(())
    }
}

impl Service {
    /// A server-side key of the environment; keys of other environments are `NotFound`.
    async fn own_server_key(&self, env: &Environment, id: ServerKeyId) -> ServiceResult<ServerKey> {
        let keys = self.store.server_keys(env.id).await?;
        keys.into_iter()
            .find(|k| k.id == id)
            .ok_or(ServiceError::NotFound(None))
    }
}
