//! The default state of each feature in each environment: the storage trait.

use super::Result;
use crate::domain::EnvironmentId;
use crate::domain::feature_state::FeatureState;
use async_trait::async_trait;

/// The default state of each feature in an environment.
#[async_trait]
pub trait EnvironmentDefaultStore: Send + Sync {
    /// The environment default states of the environment, ordered by feature id.
    async fn environment_defaults(&self, env: EnvironmentId) -> Result<Vec<FeatureState>>;
}
