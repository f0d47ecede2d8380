//! Organisation API keys, in PostgreSQL.

use super::PostgresStore;
use super::Tx;
use super::audit::record;
use super::rows::{Conn, all, exec, one, opt};
use crate::domain::audit::Audit;
use crate::domain::organisation::{NewOrgApiKey, OrgApiKey, OrgApiKeyPatch};
use crate::domain::{OrgApiKeyId, OrganisationId};
use crate::store::api_keys::{KEY_COLUMNS, api_key};
use crate::store::audit::{Change, Scope};
use crate::store::{ApiKeyStore, Result};
use async_trait::async_trait;

async fn find_key(client: &impl Conn, id: OrgApiKeyId) -> Result<OrgApiKey> {
    one(
        client,
        &format!("SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE id = $1"),
        &[&id.0],
        api_key,
    )
    .await
}

#[async_trait]
impl ApiKeyStore for PostgresStore {
    async fn create_org_api_key(&self, key: &NewOrgApiKey, audit: &Audit) -> Result<OrgApiKey> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let id: i64 = one(
            &tx,
            "INSERT INTO organisation_api_keys (organisation_id, prefix, hashed_key, name,
                     created, expiry_date, is_admin, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                &key.organisation_id.0,
                &key.prefix,
                &key.hashed_key,
                &key.name,
                &now,
                &key.expiry_date,
                &key.is_admin,
                &key.created_by.map(|u| u.0),
            ],
            |r| r.get(0),
        )
        .await?;
        let scope = Scope::Organisation(key.organisation_id);
        record(
            &tx,
            now,
            &Change::created(audit, "Master API key", id, None, scope),
        )
        .await?;
        let created = find_key(&tx, OrgApiKeyId(id)).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn org_api_keys(&self, org: OrganisationId) -> Result<Vec<OrgApiKey>> {
        let client = self.client().await?;
        all(&client, &format!(
                "SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE organisation_id = $1 ORDER BY id"
            ), &[&org.0], api_key).await
    }

    async fn org_api_key_by_prefix(&self, prefix: &str) -> Result<Option<OrgApiKey>> {
        let client = self.client().await?;
        opt(
            &client,
            &format!("SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE prefix = $1"),
            &[&prefix],
            api_key,
        )
        .await
    }

    async fn update_org_api_key(
        &self,
        id: OrgApiKeyId,
        patch: &OrgApiKeyPatch,
        audit: &Audit,
    ) -> Result<OrgApiKey> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let before = find_key(&tx, id).await?;
        let expiry = match patch.expiry_date {
            Some(new) => new,
            None => before.expiry_date,
        };
        exec(
            &tx,
            "UPDATE organisation_api_keys SET name = COALESCE($1, name),
                     revoked = COALESCE($2, revoked), expiry_date = $3
                 WHERE id = $4",
            &[&patch.name, &patch.revoked, &expiry, &id.0],
        )
        .await?;
        let after = find_key(&tx, id).await?;
        let scope = Scope::Organisation(after.organisation_id);
        let change = Change::updated(audit, "Master API key", id.0, None, scope, &before, &after);
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(after)
    }

    async fn delete_org_api_key(&self, id: OrgApiKeyId, audit: &Audit) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let key = find_key(&tx, id).await?;
        let scope = Scope::Organisation(key.organisation_id);
        record(
            &tx,
            now,
            &Change::deleted(audit, "Master API key", id.0, None, scope),
        )
        .await?;
        exec(
            &tx,
            "DELETE FROM organisation_api_keys WHERE id = $1",
            &[&id.0],
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
