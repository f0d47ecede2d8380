//! Instance-wide settings and login throttling, in PostgreSQL.

use super::PostgresStore;
use super::rows::{Conn, exec, one, opt};
use crate::domain::Timestamp;
use crate::domain::user::LoginFailures;
use crate::store::instance::login_failures;
use crate::store::{InstanceStore, Result};
use async_trait::async_trait;

async fn failures(client: &impl Conn, key: &str) -> Result<Option<LoginFailures>> {
    opt(
        client,
        "SELECT failures, locked_until FROM login_failures WHERE key = $1",
        &[&key],
        login_failures,
    )
    .await
}

#[async_trait]
impl InstanceStore for PostgresStore {
    async fn setting(&self, key: &str) -> Result<Option<String>> {
        let client = self.client().await?;
        opt(
            &client,
            "SELECT value FROM instance_settings WHERE key = $1",
            &[&key],
            |r| r.get(0),
        )
        .await
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let client = self.client().await?;
        exec(
            &client,
            "INSERT INTO instance_settings (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )
        .await?;
        Ok(())
    }

    async fn login_failures(&self, key: &str) -> Result<Option<LoginFailures>> {
        let client = self.client().await?;
        failures(&client, key).await
    }

    async fn record_login_failure(
        &self,
        key: &str,
        forget_before: Timestamp,
    ) -> Result<LoginFailures> {
        let now = self.now();
        let client = self.client().await?;
        // In SET, the columns are the row's values before the update; the upsert holds the
        // row lock, so concurrent calls all count.
        one(
            &client,
            "INSERT INTO login_failures (key, failures, last_failure_at) VALUES ($1, 1, $2)
                 ON CONFLICT (key) DO UPDATE SET
                     failures = CASE WHEN COALESCE(login_failures.locked_until,
                             login_failures.last_failure_at) <= $3
                         THEN 1 ELSE login_failures.failures + 1 END,
                     locked_until = CASE WHEN COALESCE(login_failures.locked_until,
                             login_failures.last_failure_at) <= $3
                         THEN NULL ELSE login_failures.locked_until END,
                     last_failure_at = excluded.last_failure_at
                 RETURNING failures, locked_until",
            &[&key, &now, &forget_before],
            login_failures,
        )
        .await
    }

    async fn lock_login(&self, key: &str, until: Timestamp) -> Result<Option<Timestamp>> {
        let client = self.client().await?;
        // GREATEST ignores a NULL lock.
        opt(
            &client,
            "UPDATE login_failures SET locked_until = GREATEST(locked_until, $2)
                 WHERE key = $1 RETURNING locked_until",
            &[&key, &until],
            |r| r.get(0),
        )
        .await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        let client = self.client().await?;
        exec(
            &client,
            "DELETE FROM login_failures WHERE key = $1",
            &[&key],
        )
        .await?;
        Ok(())
    }
}
