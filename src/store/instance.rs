use async_trait::async_trait;

use super::Result;
use crate::domain::Timestamp;
use crate::domain::user::LoginFailures;

/// Installation-wide state: settings written at first run, and login lockouts.
#[async_trait]
pub trait InstanceStore: Send + Sync {
    /// The value of an installation setting, if set.
    async fn setting(&self, key: &str) -> Result<Option<String>>;

    /// Sets (or replaces) an installation setting.
    async fn set_setting(&self, key: &str, value: &str) -> Result<()>;

    /// The failures counted against `key`, if any.
    async fn login_failures(&self, key: &str) -> Result<Option<LoginFailures>>;

    /// Counts one more failure against `key` at the store's now. A lock that has run out
    /// starts the count again from one. When the count reaches `limit`, the key is locked
    /// until `lock_until`. Returns the state after counting. Concurrent calls all count.
    async fn record_login_failure(
        &self,
        key: &str,
        limit: u32,
        lock_until: Timestamp,
    ) -> Result<LoginFailures>;

    /// Forgets the failures counted against `key` (after a successful login).
    async fn clear_login_failures(&self, key: &str) -> Result<()>;
}
