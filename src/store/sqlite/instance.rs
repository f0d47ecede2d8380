use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use super::rows::{get_opt_ts, ts};
use crate::domain::Timestamp;
use crate::domain::user::LoginFailures;
use crate::store::{InstanceStore, Result};

fn failures(conn: &Connection, key: &str) -> Result<Option<LoginFailures>> {
    Ok(conn
        .prepare_cached("SELECT failures, locked_until FROM login_failures WHERE key = ?")?
        .query_row([key], |r| {
            Ok(LoginFailures {
                failures: r.get(0)?,
                locked_until: get_opt_ts(r, 1)?,
            })
        })
        .optional()?)
}

#[async_trait]
impl InstanceStore for SqliteStore {
    async fn setting(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_string();
        self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT value FROM instance_settings WHERE key = ?")?
                    .query_row([key], |r| r.get(0))
                    .optional()?,
            )
        })
        .await
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let (key, value) = (key.to_string(), value.to_string());
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO instance_settings (key, value) VALUES (?, ?)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([key, value])?;
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
            Ok(tx
                .prepare_cached(
                    "INSERT INTO login_failures (key, failures, last_failure_at) VALUES (?1, 1, ?2)
                     ON CONFLICT (key) DO UPDATE SET
                         failures = CASE WHEN COALESCE(locked_until, last_failure_at) <= ?3
                             THEN 1 ELSE failures + 1 END,
                         locked_until = CASE WHEN COALESCE(locked_until, last_failure_at) <= ?3
                             THEN NULL ELSE locked_until END,
                         last_failure_at = excluded.last_failure_at
                     RETURNING failures, locked_until",
                )?
                .query_row(params![key, ts(now), ts(forget_before)], |r| {
                    Ok(LoginFailures {
                        failures: r.get(0)?,
                        locked_until: get_opt_ts(r, 1)?,
                    })
                })?)
        })
        .await
    }

    async fn lock_login(&self, key: &str, until: Timestamp) -> Result<Option<Timestamp>> {
        let key = key.to_string();
        self.write(move |tx| {
            // Timestamps are fixed-width text, so MAX orders them in time.
            Ok(tx
                .prepare_cached(
                    "UPDATE login_failures SET locked_until = MAX(COALESCE(locked_until, ?2), ?2)
                     WHERE key = ?1 RETURNING locked_until",
                )?
                .query_row(params![key, ts(until)], |r| get_opt_ts(r, 0))
                .optional()?
                .flatten())
        })
        .await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        let key = key.to_string();
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM login_failures WHERE key = ?")?
                .execute([key])?;
            Ok(())
        })
        .await
    }
}
