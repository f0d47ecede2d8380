//! Health and version endpoints, with Flagsmith's paths.

use std::sync::Arc;
use std::time::Duration;

use poem::handler;
use poem::http::StatusCode;
use poem::web::{Data, Json};
use serde_json::{Value, json};

use super::VERSION;
use crate::app::State;

/// Readiness gives the database this long to answer.
const READINESS_TIMEOUT: Duration = Duration::from_secs(3);

/// 200 while the process runs.
#[handler]
pub async fn liveness() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// 200 only when the database answers.
#[handler]
pub async fn readiness(state: Data<&Arc<State>>) -> (StatusCode, Json<Value>) {
    match tokio::time::timeout(READINESS_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({"status": "ok"}))),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the database did not answer");
            unavailable()
        }
        Err(_) => {
            tracing::warn!("readiness: the database did not answer in time");
            unavailable()
        }
    }
}

fn unavailable() -> (StatusCode, Json<Value>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"status": "error", "detail": "The database is not available."})),
    )
}

/// Flagsmith's `/version/`; the dashboard reads `self_hosted_data.has_users` on first run.
#[handler]
pub async fn version(state: Data<&Arc<State>>) -> poem::Result<Json<Value>> {
    let has_users = state.store.count_users().await.map_err(internal)? > 0;
    let has_logins = state.store.any_login().await.map_err(internal)?;
    Ok(Json(json!({
        "ci_commit_sha": option_env!("FLAGSTAFF_GIT_SHA").unwrap_or("unknown"),
        "image_tag": VERSION,
        "has_email_provider": false,
        "is_enterprise": false,
        "is_saas": false,
        "package_versions": {".": VERSION},
        "self_hosted_data": {"has_users": has_users, "has_logins": has_logins},
        "flagstaff": {"version": VERSION, "database": state.store.backend()},
    })))
}

fn internal(e: crate::store::StoreError) -> poem::Error {
    tracing::error!(error = %e, "version: the store failed");
    poem::Error::from_status(StatusCode::SERVICE_UNAVAILABLE)
}
