use async_trait::async_trait;

use super::PostgresStore;
use crate::domain::identity::{Identity, IdentityQuery, Trait, TraitWrite};
use crate::domain::{EnvironmentId, IdentityId, Page, PageRequest, TraitId};
use crate::store::{IdentityStore, Result, StoreError};

#[async_trait]
#[allow(unused_variables)]
impl IdentityStore for PostgresStore {
    async fn create_identity(&self, env: EnvironmentId, identifier: &str) -> Result<Identity> {
        Err(StoreError::Other("identities are not stored yet".into()))
    }

    async fn identity(&self, id: IdentityId) -> Result<Identity> {
        Err(StoreError::Other("identities are not stored yet".into()))
    }

    async fn identity_by_identifier(
        &self,
        env: EnvironmentId,
        identifier: &str,
    ) -> Result<Option<Identity>> {
        Err(StoreError::Other("identities are not stored yet".into()))
    }

    async fn identities(
        &self,
        env: EnvironmentId,
        query: &IdentityQuery,
        page: PageRequest,
    ) -> Result<Page<Identity>> {
        Err(StoreError::Other("identities are not stored yet".into()))
    }

    async fn delete_identity(&self, id: IdentityId) -> Result<()> {
        Err(StoreError::Other("identities are not stored yet".into()))
    }

    async fn traits(&self, identity: IdentityId) -> Result<Vec<Trait>> {
        Err(StoreError::Other("identities are not stored yet".into()))
    }

    async fn identify(
        &self,
        env: EnvironmentId,
        identifier: &str,
        writes: &[TraitWrite],
    ) -> Result<(Identity, Vec<Trait>)> {
        Err(StoreError::Other("identities are not stored yet".into()))
    }

    async fn delete_trait(&self, id: TraitId) -> Result<()> {
        Err(StoreError::Other("identities are not stored yet".into()))
    }
}
