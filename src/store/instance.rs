//! Instance-wide settings and login throttling: the storage trait and how a row reads.

use super::Result;
use crate::domain::Timestamp;
use crate::domain::user::LoginFailures;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Installation-wide state: settings written at first run, and login lockouts.
#[async_trait]
pub trait InstanceStore: Send + Sync {
    /// The value of an installation setting, if set.
    async fn setting(&self, key: &str) -> Result<Option<String>>;

    /// Sets (or replaces) an installation setting.
    async fn set_setting(&self, key: &str, value: &str) -> Result<()>;

    /// The failures counted against `key`, if any.
    async fn login_failures(&self, key: &str) -> Result<Option<LoginFailures>>;

    /// Counts one more failure against `key` at the store's now and returns the state after
    /// counting. A count is forgotten, and starts again from one with no lock, when the lock
    /// it led to ended, or (never locked) its last failure happened, at or before
    /// `forget_before`. Otherwise the count goes on past the end of a lock, and the lock is
    /// kept as it was. Concurrent calls all count.
    async fn record_login_failure(
        &self,
        key: &str,
        forget_before: Timestamp,
    ) -> Result<LoginFailures>;

    /// Locks `key` until `until`, or keeps its lock when that ends later, and returns the
    /// lock's end; `None` when `key` has no failures counted (cleared in the meantime).
    async fn lock_login(&self, key: &str, until: Timestamp) -> Result<Option<Timestamp>>;

    /// Forgets the failures counted against `key` (after a successful login).
    async fn clear_login_failures(&self, key: &str) -> Result<()>;
}

/// Reads `failures, locked_until` of a login-failure row.
pub(super) fn login_failures(row: &dyn Columns) -> Result<LoginFailures> {
    Ok(LoginFailures {
        failures: row.get(0)?,
        locked_until: row.get(1)?,
    })
}
