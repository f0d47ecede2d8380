//! Server-side keys of an environment, in PostgreSQL.

use super::PostgresStore;
use super::Tx;
use super::audit::record;
use super::rows::{Conn, all, exec, one, opt};
use crate::domain::audit::Audit;
use crate::domain::environment::{NewServerKey, ServerKey, ServerKeyPatch};
use crate::domain::{EnvironmentId, ServerKeyId};
use crate::store::audit::{Change, Scope};
use crate::store::server_keys::{KEY_COLUMNS, server_key};
use crate::store::{Result, ServerKeyStore};
use async_trait::async_trait;

async fn find_key(client: &impl Conn, id: ServerKeyId) -> Result<ServerKey> {
    one(
        client,
        &format!("SELECT {KEY_COLUMNS} FROM server_keys WHERE id = $1"),
        &[&id.0],
        server_key,
    )
    .await
}

const KEY_TYPE: &str = "Environment API key";

#[async_trait]
impl ServerKeyStore for PostgresStore {
    async fn create_server_key(&self, key: &NewServerKey, audit: &Audit) -> Result<ServerKey> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let id: i64 = one(
            &tx,
            "INSERT INTO server_keys (environment_id, key, name, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[
                &key.environment_id.0,
                &key.key,
                &key.name,
                &now,
                &key.expires_at,
            ],
            |r| r.get(0),
        )
        .await?;
        let scope = Scope::Environment(key.environment_id);
        record(&tx, now, &Change::created(audit, KEY_TYPE, id, None, scope)).await?;
        let created = find_key(&tx, ServerKeyId(id)).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn server_keys(&self, env: EnvironmentId) -> Result<Vec<ServerKey>> {
        let client = self.client().await?;
        all(
            &client,
            &format!("SELECT {KEY_COLUMNS} FROM server_keys WHERE environment_id = $1 ORDER BY id"),
            &[&env.0],
            server_key,
        )
        .await
    }

    async fn server_key_by_key(&self, key: &str) -> Result<Option<ServerKey>> {
        let client = self.client().await?;
        opt(
            &client,
            &format!("SELECT {KEY_COLUMNS} FROM server_keys WHERE key = $1"),
            &[&key],
            server_key,
        )
        .await
    }

    async fn update_server_key(
        &self,
        id: ServerKeyId,
        patch: &ServerKeyPatch,
        audit: &Audit,
    ) -> Result<ServerKey> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let before = find_key(&tx, id).await?;
        let expires_at = patch.expires_at.unwrap_or(before.expires_at);
        exec(
            &tx,
            "UPDATE server_keys SET name = COALESCE($1, name), active = COALESCE($2, active),
                     expires_at = $3 WHERE id = $4",
            &[&patch.name, &patch.active, &expires_at, &id.0],
        )
        .await?;
        let after = find_key(&tx, id).await?;
        let scope = Scope::Environment(after.environment_id);
        record(
            &tx,
            now,
            &Change::updated(audit, KEY_TYPE, id.0, None, scope, &before, &after),
        )
        .await?;
        self.commit(tx).await?;
        Ok(after)
    }

    async fn delete_server_key(&self, id: ServerKeyId, audit: &Audit) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let key = find_key(&tx, id).await?;
        let scope = Scope::Environment(key.environment_id);
        record(
            &tx,
            now,
            &Change::deleted(audit, KEY_TYPE, id.0, None, scope),
        )
        .await?;
        exec(&tx, "DELETE FROM server_keys WHERE id = $1", &[&id.0]).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
