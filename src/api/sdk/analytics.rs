//! `/api/v1/analytics/flags/` and `/api/v2/analytics/flags/`: SDKs report flag evaluations.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Header;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use serde_json::Value;

use super::SdkAuth;
use crate::api::Tag;
use crate::api::body::Body;
use crate::api::values::WholeNumber;
use crate::service::{Reporter, Service, ServiceError};

pub struct SdkAnalyticsApi;

#[derive(ApiResponse)]
pub enum Recorded {
    /// Counted (v1 answers 200 with no body).
    #[oai(status = 200)]
    Ok,
}

#[derive(ApiResponse)]
pub enum RecordedV2 {
    /// Counted.
    #[oai(status = 204)]
    NoContent,
}

/// One line of a v2 report.
#[derive(Debug, Object, Deserialize)]
pub struct EvaluationIn {
    feature_name: String,
    /// Not kept: counts are per feature.
    identity_identifier: Option<String>,
    /// Not kept: counts are per feature.
    enabled_when_evaluated: Option<bool>,
    count: WholeNumber,
}

#[derive(Debug, Object, Deserialize)]
pub struct EvaluationsIn {
    evaluations: Vec<EvaluationIn>,
}

fn reporter(
    name: Option<String>,
    version: Option<String>,
    sdk_agent: Option<String>,
    agent: Option<String>,
) -> Reporter {
    Reporter {
        application_name: name,
        application_version: version,
        user_agent: sdk_agent.or(agent),
    }
}

#[OpenApi(tag = "Tag::Sdk")]
impl SdkAnalyticsApi {
    /// Report flag evaluations: `{"<feature name>": <count>, …}`. Unknown names and counts
    /// that are not positive integers are dropped.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v1/analytics/flags/", method = "post")]
    async fn flags(
        &self,
        svc: Data<&Arc<Service>>,
        auth: SdkAuth,
        #[oai(name = "Flagsmith-Application-Name")] name: Header<Option<String>>,
        #[oai(name = "Flagsmith-Application-Version")] version: Header<Option<String>>,
        #[oai(name = "Flagsmith-SDK-User-Agent")] sdk_agent: Header<Option<String>>,
        #[oai(name = "User-Agent")] agent: Header<Option<String>>,
        body: Body<Value>,
    ) -> poem::Result<Recorded> {
        let sdk = svc.sdk_environment(auth.key()).await?;
        let Value::Object(counts) = body.0 else {
            return Err(
                ServiceError::invalid("non_field_errors", "Expected a JSON object.").into(),
            );
        };
        let who = reporter(name.0, version.0, sdk_agent.0, agent.0);
        svc.record_flag_evaluations(&sdk, counts.into_iter().collect(), &who)
            .await?;
        Ok(Recorded::Ok)
    }

    /// Report flag evaluations, one line per feature (identity and enabled state are not kept).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v2/analytics/flags/", method = "post")]
    async fn flags_v2(
        &self,
        svc: Data<&Arc<Service>>,
        auth: SdkAuth,
        #[oai(name = "Flagsmith-Application-Name")] name: Header<Option<String>>,
        #[oai(name = "Flagsmith-Application-Version")] version: Header<Option<String>>,
        #[oai(name = "Flagsmith-SDK-User-Agent")] sdk_agent: Header<Option<String>>,
        #[oai(name = "User-Agent")] agent: Header<Option<String>>,
        body: Body<EvaluationsIn>,
    ) -> poem::Result<RecordedV2> {
        let sdk = svc.sdk_environment(auth.key()).await?;
        let counts = body
            .0
            .evaluations
            .into_iter()
            .map(|e| (e.feature_name, e.count.0))
            .collect();
        let who = reporter(name.0, version.0, sdk_agent.0, agent.0);
        svc.record_flag_evaluations(&sdk, counts, &who).await?;
        Ok(RecordedV2::NoContent)
    }
}
