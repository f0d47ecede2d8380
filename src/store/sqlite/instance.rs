//! Instance-wide settings and login throttling, in SQLite.

use super::SqliteStore;
use super::rows::{exec, one, opt, ts};
use crate::domain::Timestamp;
use crate::domain::user::LoginFailures;
use crate::store::instance::login_failures;
use crate::store::{InstanceStore, Result};
use async_trait::async_trait;
use rusqlite::{Connection, params};

fn failures(conn: &Connection, key: &str) -> Result<Option<LoginFailures>> {
    opt(
        conn,
        "SELECT failures, locked_until FROM login_failures WHERE key = ?",
        [key],
        login_failures,
    )
}

#[async_trait]
impl InstanceStore for SqliteStore {
    async fn setting(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_string();
        self.read(move |c| {
            opt(
                c,
                "SELECT value FROM instance_settings WHERE key = ?",
                [key],
                |r| r.get(0),
            )
        })
        .await
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let (key, value) = (key.to_string(), value.to_string());
        self.write(move |tx| {
            exec(
                tx,
                "INSERT INTO instance_settings (key, value) VALUES (?, ?)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )?;
            Ok(())
        })
        .await
    }

    async fn login_failures(&self, key: &str) -> Result<Option<LoginFailures>> {
        let key = key.to_string();
        self.read(move |c| failures(c, &key)).await
    }

    async fn record_login_failure(
        &self,
        key: &str,
        forget_before: Timestamp,
    ) -> Result<LoginFailures> {
        let (key, now) = (key.to_string(), self.now());
        self.write(move |tx| {
            // In SET, the columns are the row's values before the update.
            one(
                tx,
                "INSERT INTO login_failures (key, failures, last_failure_at) VALUES (?1, 1, ?2)
                     ON CONFLICT (key) DO UPDATE SET
                         failures = CASE WHEN COALESCE(locked_until, last_failure_at) <= ?3
                             THEN 1 ELSE failures + 1 END,
                         locked_until = CASE WHEN COALESCE(locked_until, last_failure_at) <= ?3
                             THEN NULL ELSE locked_until END,
                         last_failure_at = excluded.last_failure_at
                     RETURNING failures, locked_until",
                params![key, ts(now), ts(forget_before)],
                login_failures,
            )
        })
        .await
    }

    async fn lock_login(&self, key: &str, until: Timestamp) -> Result<Option<Timestamp>> {
        let key = key.to_string();
        self.write(move |tx| {
            // Timestamps are fixed-width text, so MAX orders them in time.
            Ok(opt(
                tx,
                "UPDATE login_failures SET locked_until = MAX(COALESCE(locked_until, ?2), ?2)
                     WHERE key = ?1 RETURNING locked_until",
                params![key, ts(until)],
                |r| r.get(0),
            )?
            .flatten())
        })
        .await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        let key = key.to_string();
        self.write(move |tx| {
            exec(tx, "DELETE FROM login_failures WHERE key = ?", [key])?;
            Ok(())
        })
        .await
    }
}
