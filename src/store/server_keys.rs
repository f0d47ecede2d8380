//! Server-side environment keys: how a row reads.

use crate::domain::environment::ServerKey;
use crate::domain::{EnvironmentId, ServerKeyId};
use crate::store::Result;
use crate::store::rows::Columns;

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
