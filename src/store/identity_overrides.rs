//! Identity overrides: a feature's state for one identity: the storage trait.

use super::Result;
use crate::domain::audit::Audit;
use crate::domain::feature_state::{FeatureState, NewIdentityOverride};
use crate::domain::{EnvironmentId, IdentityId};
use async_trait::async_trait;

/// Identity overrides (a feature's state for one identity).
#[async_trait]
pub trait IdentityOverrideStore: Send + Sync {
    /// `Conflict` when the identity already overrides the feature; `NotFound` when the
    /// feature or identity does not exist.
    async fn create_identity_override(
        &self,
        new: &NewIdentityOverride,
        audit: &Audit,
    ) -> Result<FeatureState>;

    /// The identity's overrides, ordered by feature id.
    async fn identity_overrides(&self, identity: IdentityId) -> Result<Vec<FeatureState>>;

    /// Makes `to`'s overrides copies of `from`'s (enabled, value and multivariate shares):
    /// `to`'s own overrides are deleted and each copy is audited as created. `NotFound` unless
    /// both identities exist in one environment. The new overrides, ordered by feature id.
    async fn copy_identity_overrides(
        &self,
        from: IdentityId,
        to: IdentityId,
        audit: &Audit,
    ) -> Result<Vec<FeatureState>>;

    /// The environment's identity overrides, ordered by identity id then feature id.
    async fn identity_overrides_in(&self, env: EnvironmentId) -> Result<Vec<FeatureState>>;
}
