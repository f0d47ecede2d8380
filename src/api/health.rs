//! Health and version endpoints, with Flagsmith's paths.

use std::sync::Arc;
use std::time::Duration;

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::{Value, json};

use super::{Tag, VERSION};
use crate::service::Service;

/// Readiness gives the database this long to answer.
const READINESS_TIMEOUT: Duration = Duration::from_secs(3);

pub struct HealthApi;

#[derive(Debug, Object)]
pub struct Status {
    status: String,
}

#[derive(ApiResponse)]
pub enum Readiness {
    /// The database answers.
    #[oai(status = 200)]
    Ready(Json<Status>),
    /// The database does not answer.
    #[oai(status = 503)]
    NotReady(Json<Status>),
}

#[OpenApi(tag = "Tag::Health")]
impl HealthApi {
    /// 200 while the process runs.
    #[oai(path = "/health/liveness/", method = "get")]
    async fn liveness(&self) -> Json<Status> {
        Json(Status {
            status: "ok".into(),
        })
    }

    /// 200 only when the database answers.
    #[oai(path = "/health/readiness/", method = "get")]
    async fn readiness(&self, svc: Data<&Arc<Service>>) -> Readiness {
        match tokio::time::timeout(READINESS_TIMEOUT, svc.ping()).await {
            Ok(Ok(())) => Readiness::Ready(Json(Status {
                status: "ok".into(),
            })),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: the database did not answer");
                Readiness::NotReady(Json(Status {
                    status: "error".into(),
                }))
            }
            Err(_) => {
                tracing::warn!("readiness: the database did not answer in time");
                Readiness::NotReady(Json(Status {
                    status: "error".into(),
                }))
            }
        }
    }

    /// Flagsmith's `/version/`; the dashboard reads `self_hosted_data.has_users` on first run.
    #[oai(path = "/version/", method = "get")]
    async fn version(&self, svc: Data<&Arc<Service>>) -> poem::Result<Json<Value>> {
        let facts = svc.instance_facts().await?;
        Ok(Json(json!({
            "ci_commit_sha": option_env!("FLAGSTAFF_GIT_SHA").unwrap_or("unknown"),
            "image_tag": VERSION,
            "has_email_provider": false,
            "is_enterprise": false,
            "is_saas": false,
            "package_versions": {".": VERSION},
            "self_hosted_data": {"has_users": facts.has_users, "has_logins": facts.has_logins},
            "flagstaff": {"version": VERSION, "database": facts.database},
        })))
    }
}
