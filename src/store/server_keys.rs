//! Server-side environment keys: how a row reads.

use crate::domain::audit::Audit;
use crate::domain::environment::{NewServerKey, ServerKey, ServerKeyPatch};
use crate::domain::{EnvironmentId, ServerKeyId};
use crate::store::Result;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Server-side keys of an environment.
#[async_trait]
pub trait ServerKeyStore: Send + Sync {
    /// Moves `updated_at`. `Conflict` when the key exists anywhere.
    async fn create_server_key(&self, key: &NewServerKey, audit: &Audit) -> Result<ServerKey>;

    /// The environment's server-side keys, ordered by id.
    async fn server_keys(&self, env: EnvironmentId) -> Result<Vec<ServerKey>>;

    /// The server-side key with this text, active or not, if any.
    async fn server_key_by_key(&self, key: &str) -> Result<Option<ServerKey>>;

    /// Moves `updated_at`. `NotFound` when there is no such key.
    async fn update_server_key(
        &self,
        id: ServerKeyId,
        patch: &ServerKeyPatch,
        audit: &Audit,
    ) -> Result<ServerKey>;

    /// Moves `updated_at`. `NotFound` when there is no such key.
    async fn delete_server_key(&self, id: ServerKeyId, audit: &Audit) -> Result<()>;
}

pub(super) const KEY_COLUMNS: &str =
    "id, environment_id, key, name, created_at, expires_at, active";

pub(super) fn server_key(row: &dyn Columns) -> Result<ServerKey> {
    Ok(ServerKey {
        id: ServerKeyId(row.get(0)?),
        environment_id: EnvironmentId(row.get(1)?),
        key: row.get(2)?,
        name: row.get(3)?,
        created_at: row.get(4)?,
        expires_at: row.get(5)?,
        active: row.get(6)?,
    })
}
