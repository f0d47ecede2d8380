//! The environment an SDK key names: resolved once per request, read by the SDK handlers.

use std::sync::Arc;

use serde_json::Value;

use super::{Service, ServiceError, ServiceResult};
use crate::domain::Timestamp;
use crate::snapshot::{EnvSnapshot, KeyLookup, Origin, environment_flag};

const KEY_MISSING: &str = "Invalid or missing Environment key";
const KEY_UNKNOWN: &str = "Invalid or missing Environment Key";
const STOPPED: &str = "Organisation is disabled from serving flags.";
pub(super) const FEATURE_NOT_FOUND: &str = "Given feature not found";

/// An environment as an SDK key sees it: its snapshot, and which side the key is on.
#[derive(Clone)]
pub struct SdkEnvironment {
    pub(super) snapshot: Arc<EnvSnapshot>,
    pub(super) origin: Origin,
}

impl SdkEnvironment {
    /// The environment's flags as `GET /api/v1/flags/` answers them, rendered once per change.
    pub fn flags_json(&self) -> bytes::Bytes {
        metrics::counter!("flagstaff_sdk_evaluations_total", "kind" => "environment").increment(1);
        match self.origin {
            Origin::Client => self.snapshot.flags_for_client.0.clone(),
            Origin::Server => self.snapshot.flags_for_server.0.clone(),
        }
    }

    /// One flag by its feature's name, or upstream's 404 when the key may not see it.
    pub fn flag_named(&self, name: &str) -> ServiceResult<Value> {
        let entry = self
            .snapshot
            .feature_named(name, false)
            .filter(|e| self.snapshot.visible_to(&e.feature, self.origin))
            .ok_or_else(|| ServiceError::not_found_with(FEATURE_NOT_FOUND))?;
        Ok(environment_flag(&self.snapshot, entry))
    }

    /// The value of the `X-Flagsmith-Document-Updated-At` header.
    pub fn updated_at_header(&self) -> &str {
        &self.snapshot.updated_at_header
    }

    /// When the environment last changed.
    pub fn updated_at(&self) -> Timestamp {
        self.snapshot.environment.updated_at
    }
}

impl Service {
    /// The environment an SDK key names, refused with upstream's 403 texts.
    pub async fn sdk_environment(&self, key: Option<&str>) -> ServiceResult<SdkEnvironment> {
        let key = key.map(str::trim).filter(|k| !k.is_empty());
        let Some(key) = key else {
            return Err(ServiceError::forbidden_with(KEY_MISSING));
        };
        match self.snapshots.for_key(key, self.clock.now()).await? {
            KeyLookup::Found(snapshot, origin) => {
                if snapshot.organisation.settings.stop_serving_flags {
                    return Err(ServiceError::forbidden_with(STOPPED));
                }
                Ok(SdkEnvironment { snapshot, origin })
            }
            KeyLookup::Unknown => Err(ServiceError::forbidden_with(KEY_UNKNOWN)),
        }
    }

    /// Like `sdk_environment`, for routes only server-side keys may use.
    pub async fn sdk_server_environment(&self, key: Option<&str>) -> ServiceResult<SdkEnvironment> {
        if !key.is_some_and(|k| k.trim().starts_with("ser.")) {
            return Err(ServiceError::forbidden_with(KEY_MISSING));
        }
        self.sdk_environment(key).await
    }

    /// Like `sdk_environment` for OFREP, which answers every refusal of the key alike:
    /// `None` when the key is refused.
    pub async fn ofrep_environment(&self, key: &str) -> ServiceResult<Option<SdkEnvironment>> {
        match self.sdk_environment(Some(key)).await {
            Ok(found) => Ok(Some(found)),
            Err(ServiceError::Forbidden(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The environment document that local-evaluation SDKs download.
    pub async fn sdk_document(&self, sdk: &SdkEnvironment) -> ServiceResult<bytes::Bytes> {
        Ok(self.snapshots.document(&sdk.snapshot).await?)
    }
}
