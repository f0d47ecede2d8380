use async_trait::async_trait;
use deadpool_postgres::GenericClient;

use super::PostgresStore;
use crate::domain::Timestamp;
use crate::domain::user::LoginFailures;
use crate::store::{InstanceStore, Result};

async fn failures(
    client: &impl GenericClient,
    key: &str,
    lock: bool,
) -> Result<Option<LoginFailures>> {
    let sql = if lock {
        "SELECT failures, locked_until FROM login_failures WHERE key = $1 FOR UPDATE"
    } else {
        "SELECT failures, locked_until FROM login_failures WHERE key = $1"
    };
    let stmt = client.prepare_cached(sql).await?;
    client
        .query_opt(&stmt, &[&key])
        .await?
        .map(|r| {
            Ok(LoginFailures {
                failures: r.try_get::<_, i32>(0)? as u32,
                locked_until: r.try_get(1)?,
            })
        })
        .transpose()
}

#[async_trait]
impl InstanceStore for PostgresStore {
    async fn setting(&self, key: &str) -> Result<Option<String>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT value FROM instance_settings WHERE key = $1")
            .await?;
        Ok(client
            .query_opt(&stmt, &[&key])
            .await?
            .map(|r| r.try_get(0))
            .transpose()?)
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "INSERT INTO instance_settings (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .await?;
        client.execute(&stmt, &[&key, &value]).await?;
        Ok(())
    }

    async fn login_failures(&self, key: &str) -> Result<Option<LoginFailures>> {
        let client = self.client().await?;
        failures(&client, key, false).await
    }

    async fn record_login_failure(
        &self,
        key: &str,
        limit: u32,
        lock_until: Timestamp,
    ) -> Result<LoginFailures> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Make sure the row exists, then count under its row lock.
        let ensure = tx
            .prepare_cached(
                "INSERT INTO login_failures (key, failures, last_failure_at) VALUES ($1, 0, $2)
                 ON CONFLICT (key) DO NOTHING",
            )
            .await?;
        tx.execute(&ensure, &[&key, &now]).await?;
        let count = match failures(&tx, key, true).await? {
            Some(previous) if previous.locked_until.is_some_and(|until| until <= now) => 1,
            Some(previous) => previous.failures + 1,
            None => 1,
        };
        let locked_until = (count >= limit).then_some(lock_until);
        let update = tx
            .prepare_cached(
                "UPDATE login_failures SET failures = $2, last_failure_at = $3, locked_until = $4 WHERE key = $1",
            )
            .await?;
        tx.execute(&update, &[&key, &(count as i32), &now, &locked_until])
            .await?;
        tx.commit().await?;
        Ok(LoginFailures {
            failures: count,
            locked_until,
        })
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("DELETE FROM login_failures WHERE key = $1")
            .await?;
        client.execute(&stmt, &[&key]).await?;
        Ok(())
    }
}
