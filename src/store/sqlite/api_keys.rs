//! Organisation API keys, in SQLite.

use super::SqliteStore;
use super::audit::record;
use super::rows::{all, exec, one, opt, opt_ts, ts};
use crate::domain::audit::Audit;
use crate::domain::organisation::{NewOrgApiKey, OrgApiKey, OrgApiKeyPatch};
use crate::domain::{OrgApiKeyId, OrganisationId};
use crate::store::api_keys::{KEY_COLUMNS, api_key};
use crate::store::audit::{Change, Scope};
use crate::store::{ApiKeyStore, Result};
use async_trait::async_trait;
use rusqlite::{Connection, params};

fn find_key(conn: &Connection, id: OrgApiKeyId) -> Result<OrgApiKey> {
    one(
        conn,
        &format!("SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE id = ?"),
        [id.0],
        api_key,
    )
}

#[async_trait]
impl ApiKeyStore for SqliteStore {
    async fn create_org_api_key(&self, key: &NewOrgApiKey, audit: &Audit) -> Result<OrgApiKey> {
        let (key, audit, now) = (key.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let id: i64 = one(
                tx,
                "INSERT INTO organisation_api_keys (organisation_id, prefix, hashed_key, name,
                         created, expiry_date, is_admin, created_by)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                params![
                    key.organisation_id.0,
                    key.prefix,
                    key.hashed_key,
                    key.name,
                    ts(now),
                    opt_ts(key.expiry_date),
                    key.is_admin,
                    key.created_by.map(|u| u.0),
                ],
                |r| r.get(0),
            )?;
            let scope = Scope::Organisation(key.organisation_id);
            record(
                tx,
                now,
                &Change::created(&audit, "Master API key", id, None, scope),
            )?;
            find_key(tx, OrgApiKeyId(id))
        })
        .await
    }

    async fn org_api_keys(&self, org: OrganisationId) -> Result<Vec<OrgApiKey>> {
        self.read(move |c| {
            let keys = all(c, &format!(
                "SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE organisation_id = ? ORDER BY id"
            ), [org.0], api_key)?;
            Ok(keys)
        })
        .await
    }

    async fn org_api_key_by_prefix(&self, prefix: &str) -> Result<Option<OrgApiKey>> {
        let prefix = prefix.to_string();
        self.read(move |c| {
            opt(
                c,
                &format!("SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE prefix = ?"),
                [prefix],
                api_key,
            )
        })
        .await
    }

    async fn update_org_api_key(
        &self,
        id: OrgApiKeyId,
        patch: &OrgApiKeyPatch,
        audit: &Audit,
    ) -> Result<OrgApiKey> {
        let (patch, audit, now) = (patch.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let before = find_key(tx, id)?;
            let expiry = match patch.expiry_date {
                Some(new) => new,
                None => before.expiry_date,
            };
            exec(
                tx,
                "UPDATE organisation_api_keys SET name = COALESCE(?, name),
                     revoked = COALESCE(?, revoked), expiry_date = ?
                 WHERE id = ?",
                params![patch.name, patch.revoked, opt_ts(expiry), id.0],
            )?;
            let after = find_key(tx, id)?;
            let scope = Scope::Organisation(after.organisation_id);
            let change =
                Change::updated(&audit, "Master API key", id.0, None, scope, &before, &after);
            record(tx, now, &change)?;
            Ok(after)
        })
        .await
    }

    async fn delete_org_api_key(&self, id: OrgApiKeyId, audit: &Audit) -> Result<()> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let key = find_key(tx, id)?;
            let scope = Scope::Organisation(key.organisation_id);
            record(
                tx,
                now,
                &Change::deleted(&audit, "Master API key", id.0, None, scope),
            )?;
            exec(tx, "DELETE FROM organisation_api_keys WHERE id = ?", [id.0])?;
            Ok(())
        })
        .await
    }
}
