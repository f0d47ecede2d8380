//! What request handlers share besides the service: the secret that signs forms.

use std::sync::Arc;

use crate::service::Service;

/// Handed to every handler as poem data.
pub struct State {
    pub service: Arc<Service>,
    /// Signs sessions and links; never logged.
    pub secret_key: String,
    /// Who may read `GET /metrics` on this listener.
    pub metrics: MetricsAccess,
}

/// Where `GET /metrics` answers, and what it asks for.
#[derive(Clone, Default)]
pub struct MetricsAccess {
    /// False when the metrics have an address of their own: this listener answers 404.
    pub here: bool,
    /// The bearer token asked for, when set; never logged.
    pub token: Option<String>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State").finish_non_exhaustive()
    }
}
