//! `…/features/{id}/evaluation-data/`: how often the SDKs evaluated a feature, per day.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::query_params::{Integer, Param, Period, Required};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::domain::analytics::EvaluationCount;
use crate::domain::{EnvironmentId, FeatureId, ProjectId};
use crate::service::{Service, ServiceError, period_days};

pub struct FeatureAnalyticsApi;

/// A day's count, by the labels the reporting SDKs sent.
#[derive(Debug, Object)]
pub struct EvaluationOut {
    /// `YYYY-MM-DD` (UTC).
    day: String,
    count: i64,
    labels: LabelsOut,
}

/// What the evaluating SDKs said they were; null where they did not say.
#[derive(Debug, Object)]
pub struct LabelsOut {
    client_application_name: Option<String>,
    client_application_version: Option<String>,
    user_agent: Option<String>,
}

impl From<EvaluationCount> for EvaluationOut {
    fn from(e: EvaluationCount) -> Self {
        let label = |key: &str| e.labels.get(key).cloned();
        EvaluationOut {
            day: e.day.format("%Y-%m-%d").to_string(),
            count: e.count,
            labels: LabelsOut {
                client_application_name: label("client_application_name"),
                client_application_version: label("client_application_version"),
                user_agent: label("user_agent"),
            },
        }
    }
}

#[OpenApi(tag = "Tag::Features")]
impl FeatureAnalyticsApi {
    /// The feature's evaluation counts in one environment (`environment_id`, required) over
    /// the `period` (`24h`, `7d`, …; default `30d`).
    #[oai(
        path = "/api/v1/projects/:project/features/:id/evaluation-data/",
        method = "get"
    )]
    async fn evaluation_data(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        environment_id: Query<Required<Integer>>,
        period: Query<Param<Period>>,
    ) -> poem::Result<Json<Vec<EvaluationOut>>> {
        let env = environment_id.0.integer("environment_id")?;
        let days = period_days(period.text())
            .map_err(|message| ServiceError::invalid("period", message))?;
        let counts = svc
            .feature_evaluations(
                auth.caller(),
                ProjectId(project.0),
                FeatureId(id.0),
                EnvironmentId(env),
                days,
            )
            .await?;
        Ok(Json(counts.into_iter().map(Into::into).collect()))
    }
}
