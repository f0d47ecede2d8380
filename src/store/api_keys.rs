//! Organisation API keys: how a row reads.

use crate::domain::audit::Audit;
use crate::domain::organisation::{NewOrgApiKey, OrgApiKey, OrgApiKeyPatch};
use crate::domain::{OrgApiKeyId, OrganisationId, UserId};
use crate::store::Result;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Organisation API keys.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// `Conflict` when the prefix is taken; `NotFound` when the organisation does not exist.
    async fn create_org_api_key(&self, key: &NewOrgApiKey, audit: &Audit) -> Result<OrgApiKey>;

    /// The organisation's keys, revoked ones included, ordered by id.
    async fn org_api_keys(&self, org: OrganisationId) -> Result<Vec<OrgApiKey>>;

    /// The key with this prefix in any organisation, if any.
    async fn org_api_key_by_prefix(&self, prefix: &str) -> Result<Option<OrgApiKey>>;

    /// `NotFound` when there is no such key.
    async fn update_org_api_key(
        &self,
        id: OrgApiKeyId,
        patch: &OrgApiKeyPatch,
        audit: &Audit,
    ) -> Result<OrgApiKey>;

    /// `NotFound` when there is no such key.
    async fn delete_org_api_key(&self, id: OrgApiKeyId, audit: &Audit) -> Result<()>;
}

pub(super) const KEY_COLUMNS: &str =
    "id, organisation_id, prefix, hashed_key, name, created, revoked,
    expiry_date, is_admin, created_by";

pub(super) fn api_key(row: &dyn Columns) -> Result<OrgApiKey> {
    Ok(OrgApiKey {
        id: OrgApiKeyId(row.get(0)?),
        organisation_id: OrganisationId(row.get(1)?),
        prefix: row.get(2)?,
        hashed_key: row.get(3)?,
        name: row.get(4)?,
        created: row.get(5)?,
        revoked: row.get(6)?,
        expiry_date: row.get(7)?,
        is_admin: row.get(8)?,
        created_by: row.get::<Option<i64>>(9)?.map(UserId),
    })
}
