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
        limit: u32,
        lock_until: Timestamp,
    ) -> Result<LoginFailures> {
        let (key, now) = (key.to_string(), self.now());
        self.write(move |tx| {
            let count = match failures(tx, &key)? {
                Some(previous) if previous.locked_until.is_some_and(|until| until <= now) => 1,
                Some(previous) => previous.failures + 1,
                None => 1,
            };
            let locked_until = (count >= limit).then_some(lock_until);
            tx.prepare_cached(
                "INSERT INTO login_failures (key, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?)
                 ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
                     last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
            )?
            .execute(params![key, count, ts(now), locked_until.map(ts)])?;
            Ok(LoginFailures {
                failures: count,
                locked_until,
            })
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
