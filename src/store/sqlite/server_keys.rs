//! Server-side keys of an environment, in SQLite.

use super::SqliteStore;
use super::audit::record;
use super::rows::{all, exec, one, opt, opt_ts, ts};
use crate::domain::audit::Audit;
use crate::domain::environment::{NewServerKey, ServerKey, ServerKeyPatch};
use crate::domain::{EnvironmentId, ServerKeyId};
use crate::store::audit::{Change, Scope};
use crate::store::server_keys::{KEY_COLUMNS, server_key};
use crate::store::{Result, ServerKeyStore};
use async_trait::async_trait;
use rusqlite::{Connection, params};

fn find_key(conn: &Connection, id: ServerKeyId) -> Result<ServerKey> {
    one(
        conn,
        &format!("SELECT {KEY_COLUMNS} FROM server_keys WHERE id = ?"),
        [id.0],
        server_key,
    )
}

const KEY_TYPE: &str = "Environment API key";

#[async_trait]
impl ServerKeyStore for SqliteStore {
    async fn create_server_key(&self, key: &NewServerKey, audit: &Audit) -> Result<ServerKey> {
        let (key, audit, now) = (key.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let id: i64 = one(
                tx,
                "INSERT INTO server_keys (environment_id, key, name, created_at, expires_at)
                     VALUES (?, ?, ?, ?, ?) RETURNING id",
                params![
                    key.environment_id.0,
                    key.key,
                    key.name,
                    ts(now),
                    opt_ts(key.expires_at)
                ],
                |r| r.get(0),
            )?;
            let scope = Scope::Environment(key.environment_id);
            record(tx, now, &Change::created(&audit, KEY_TYPE, id, None, scope))?;
            find_key(tx, ServerKeyId(id))
        })
        .await
    }

    async fn server_keys(&self, env: EnvironmentId) -> Result<Vec<ServerKey>> {
        self.read(move |c| {
            all(
                c,
                &format!(
                    "SELECT {KEY_COLUMNS} FROM server_keys WHERE environment_id = ? ORDER BY id"
                ),
                [env.0],
                server_key,
            )
        })
        .await
    }

    async fn server_key_by_key(&self, key: &str) -> Result<Option<ServerKey>> {
        let key = key.to_string();
        self.read(move |c| {
            opt(
                c,
                &format!("SELECT {KEY_COLUMNS} FROM server_keys WHERE key = ?"),
                [key],
                server_key,
            )
        })
        .await
    }

    async fn update_server_key(
        &self,
        id: ServerKeyId,
        patch: &ServerKeyPatch,
        audit: &Audit,
    ) -> Result<ServerKey> {
        let (patch, audit, now) = (patch.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let before = find_key(tx, id)?;
            let expires_at = patch.expires_at.unwrap_or(before.expires_at);
            exec(
                tx,
                "UPDATE server_keys SET name = COALESCE(?, name), active = COALESCE(?, active),
                     expires_at = ? WHERE id = ?",
                params![patch.name, patch.active, opt_ts(expires_at), id.0],
            )?;
            let after = find_key(tx, id)?;
            let scope = Scope::Environment(after.environment_id);
            record(
                tx,
                now,
                &Change::updated(&audit, KEY_TYPE, id.0, None, scope, &before, &after),
            )?;
            Ok(after)
        })
        .await
    }

    async fn delete_server_key(&self, id: ServerKeyId, audit: &Audit) -> Result<()> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let key = find_key(tx, id)?;
            let scope = Scope::Environment(key.environment_id);
            record(
                tx,
                now,
                &Change::deleted(&audit, KEY_TYPE, id.0, None, scope),
            )?;
            exec(tx, "DELETE FROM server_keys WHERE id = ?", [id.0])?;
            Ok(())
        })
        .await
    }
}
