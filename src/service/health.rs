//! What the health and version endpoints ask: whether the database answers, and what it holds.

use super::{Service, ServiceResult};

/// What `/version/` reports of this installation.
#[derive(Debug, Clone)]
pub struct InstanceFacts {
    pub has_users: bool,
    pub has_logins: bool,
    /// "sqlite" or "postgres".
    pub database: &'static str,
}

impl Service {
    /// Answers when the database does (readiness).
    pub async fn ping(&self) -> ServiceResult<()> {
        Ok(self.store.ping().await?)
    }

    pub async fn instance_facts(&self) -> ServiceResult<InstanceFacts> {
        Ok(InstanceFacts {
            has_users: self.store.count_users().await? > 0,
            has_logins: self.store.any_login().await?,
            database: self.store.backend(),
        })
    }
}
