//! Organisation API keys: how a row reads.

use crate::domain::organisation::OrgApiKey;
use crate::domain::{OrgApiKeyId, OrganisationId, UserId};
use crate::store::Result;
use crate::store::rows::Columns;

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
