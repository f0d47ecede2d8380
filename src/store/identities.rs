//! Identities of an environment and their traits: the storage trait and how a row reads.

use super::Result;
use crate::domain::audit::Audit;
use crate::domain::feature_state::FeatureState;
use crate::domain::identity::{Identity, IdentityQuery, Trait, TraitValue, TraitWrite};
use crate::domain::{EnvironmentId, IdentityId, Page, PageRequest, TraitId};
use crate::store::StoreError;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Identities and their traits. These are written by SDK traffic, so no audit entries, except
/// for a rename, which an administrator makes.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// `Conflict` when the environment has the identifier; `NotFound` without the environment.
    async fn create_identity(&self, env: EnvironmentId, identifier: &str) -> Result<Identity>;

    /// `NotFound` when there is no such identity.
    async fn identity(&self, id: IdentityId) -> Result<Identity>;

    /// The identity of this identifier with its traits (by id) and its identity overrides (by
    /// feature), read together in one snapshot: what SDK requests need, in one trip to the
    /// database. `None` when the environment has no such identity.
    async fn identity_state(
        &self,
        env: EnvironmentId,
        identifier: &str,
    ) -> Result<Option<(Identity, Vec<Trait>, Vec<FeatureState>)>>;

    async fn identity_by_identifier(
        &self,
        env: EnvironmentId,
        identifier: &str,
    ) -> Result<Option<Identity>>;

    /// One page of the environment's identities, ordered by creation then id.
    async fn identities(
        &self,
        env: EnvironmentId,
        query: &IdentityQuery,
        page: PageRequest,
    ) -> Result<Page<Identity>>;

    /// Changes the identifier, keeping traits and overrides; audited as an update of the
    /// identity, moving its environment's `updated_at`. `Conflict` when the environment has
    /// another identity with that identifier; `NotFound` when there is no such identity.
    async fn rename_identity(
        &self,
        id: IdentityId,
        identifier: &str,
        audit: &Audit,
    ) -> Result<Identity>;

    /// Deletes the identity with its traits and overrides.
    async fn delete_identity(&self, id: IdentityId) -> Result<()>;

    /// The identity's traits, ordered by id.
    async fn traits(&self, identity: IdentityId) -> Result<Vec<Trait>>;

    /// Gets or creates the identity, then applies the writes in order: a value sets the
    /// trait (keeping its id and creation date when it existed), `None` deletes it. All in
    /// one transaction; concurrent calls for one identity lose no write. Returns the
    /// identity and all its traits afterwards, ordered by id.
    async fn identify(
        &self,
        env: EnvironmentId,
        identifier: &str,
        writes: &[TraitWrite],
    ) -> Result<(Identity, Vec<Trait>)>;

    /// Gets or creates the identity, then adds `by` to its integer trait `key` (a missing trait
    /// starts at 0), in one transaction so concurrent increments all count. Answers the new
    /// value, or `None` (changing nothing) when the trait holds something other than an integer.
    async fn increment_trait(
        &self,
        env: EnvironmentId,
        identifier: &str,
        key: &str,
        by: i64,
    ) -> Result<Option<i64>>;

    /// `NotFound` when there is no such trait.
    async fn delete_trait(&self, id: TraitId) -> Result<()>;
}

pub(super) const COLUMNS: &str = "id, environment_id, identifier, created_date";

pub(super) const TRAIT_COLUMNS: &str =
    "id, identity_id, trait_key, value_type, string_value, integer_value,
    boolean_value, float_value, created_date";

pub(super) fn identity(row: &dyn Columns) -> Result<Identity> {
    Ok(Identity {
        id: IdentityId(row.get(0)?),
        environment_id: EnvironmentId(row.get(1)?),
        identifier: row.get(2)?,
        created_date: row.get(3)?,
    })
}

pub(super) fn a_trait(row: &dyn Columns) -> Result<Trait> {
    let id: i64 = row.get(0)?;
    let value_type: String = row.get(3)?;
    let value = TraitValue::from_columns(
        &value_type,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    )
    .ok_or_else(|| StoreError::Other(format!("trait {id} has no {value_type} value")))?;
    Ok(Trait {
        id: TraitId(id),
        identity_id: IdentityId(row.get(1)?),
        key: row.get(2)?,
        value,
        created_date: row.get(8)?,
    })
}
