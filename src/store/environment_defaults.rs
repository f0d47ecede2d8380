//! The default state of each feature in each environment: the storage trait.

use super::Result;
use crate::domain::feature_state::FeatureState;
use crate::domain::{EnvironmentId, FeatureId, FeatureValue};
use crate::store::rows::Columns;
use async_trait::async_trait;

/// The default state of each feature in an environment.
#[async_trait]
pub trait EnvironmentDefaultStore: Send + Sync {
    /// The environment default states of the environment, ordered by feature id.
    async fn environment_defaults(&self, env: EnvironmentId) -> Result<Vec<FeatureState>>;
}

/// What a feature contributes to its default state in a new environment.
#[derive(Debug, Clone)]
pub(super) struct FeatureDefaults {
    pub id: FeatureId,
    pub default_enabled: bool,
    pub initial_value: Option<String>,
    /// (option id, default percentage allocation), by option id.
    pub options: Vec<(i64, f64)>,
}

/// Reads `id, default_enabled, initial_value` of a feature; its options are read next.
pub(super) fn feature_defaults(row: &dyn Columns) -> Result<FeatureDefaults> {
    Ok(FeatureDefaults {
        id: FeatureId(row.get(0)?),
        default_enabled: row.get(1)?,
        initial_value: row.get(2)?,
        options: Vec::new(),
    })
}

impl FeatureDefaults {
    /// Whether the new state is enabled, and its value: disabled and empty when the project
    /// prevents flag defaults.
    pub fn initial_state(&self, prevent_flag_defaults: bool) -> (bool, FeatureValue) {
        if prevent_flag_defaults {
            (false, FeatureValue::Null)
        } else {
            (
                self.default_enabled,
                FeatureValue::from_initial_value(self.initial_value.as_deref()),
            )
        }
    }
}
