//! `GET /api/v1/environment-document/`: the document local-evaluation SDKs download.
//
// `GET /api/v1/environment-document/`: what local-evaluation SDKs download (server keys only),
// answered 304 when the caller's copy is current.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Header;
use poem_openapi::{ApiResponse, OpenApi};

use super::SdkAuth;
use crate::api::Tag;
use crate::api::raw_json::RawJson;
use crate::domain::Timestamp;
use crate::service::Service;

pub struct SdkDocumentApi;

#[derive(ApiResponse)]
pub enum DocumentAnswer {
    /// The environment document.
    #[oai(status = 200)]
    Document(
        RawJson<serde_json::Value>,
        #[oai(header = "Last-Modified")] String,
        #[oai(header = "X-Flagsmith-Document-Updated-At")] String,
    ),
    /// The caller's copy is current.
    #[oai(status = 304)]
    NotModified(#[oai(header = "Last-Modified")] String),
}

/// An HTTP date (IMF-fixdate).
fn http_date(t: Timestamp) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Whether a copy from `since` is current for a document changed at `updated_at`
/// (HTTP dates have whole seconds).
fn still_current(since: Option<&str>, updated_at: Timestamp) -> bool {
    let Some(since) = since.and_then(|s| chrono::DateTime::parse_from_rfc2822(s.trim()).ok())
    else {
        return false;
    };
    since.timestamp() >= updated_at.timestamp()
}

#[OpenApi(tag = "Tag::Sdk")]
impl SdkDocumentApi {
    /// The environment document for local evaluation (server-side keys only).
    #[oai(path = "/api/v1/environment-document/", method = "get")]
    async fn document(
        &self,
        svc: Data<&Arc<Service>>,
        auth: SdkAuth,
        #[oai(name = "If-Modified-Since")] since: Header<Option<String>>,
    ) -> poem::Result<DocumentAnswer> {
        let sdk = svc.sdk_server_environment(auth.key()).await?;
        let updated_at = sdk.updated_at();
        if still_current(since.0.as_deref(), updated_at) {
            return Ok(DocumentAnswer::NotModified(http_date(updated_at)));
        }
        let body = svc.sdk_document(&sdk).await?;
        Ok(DocumentAnswer::Document(
            RawJson::new(body),
            http_date(updated_at),
            sdk.updated_at_header().to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn http_dates_compare_at_whole_seconds() {
        let t = chrono::Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap()
            + chrono::TimeDelta::microseconds(500);
        assert_eq!(http_date(t), "Wed, 01 May 2024 10:00:00 GMT");
        assert!(still_current(Some("Wed, 01 May 2024 10:00:00 GMT"), t));
        assert!(!still_current(Some("Wed, 01 May 2024 09:59:59 GMT"), t));
        assert!(!still_current(Some("yesterday"), t));
        assert!(!still_current(None, t));
    }
}
