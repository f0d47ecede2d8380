//! The management API, by area, and the response shapes they share.

pub mod accounts;
pub mod analytics;
pub mod api_keys;
pub mod audit;
pub mod deliveries;
pub mod environments;
pub mod feature_owners;
mod feature_query;
mod feature_state_json;
pub mod feature_states;
pub mod features;
mod grant_json;
pub mod grants;
pub mod groups;
pub mod identities;
pub mod identity_overrides;
pub mod install;
pub mod invites;
pub mod mv_options;
pub mod organisations;
mod permissions;
pub mod projects;
pub(crate) mod query_params;
mod segment_json;
pub mod segment_members;
pub mod segment_overrides;
pub mod segments;
pub mod server_keys;
pub mod tags;
pub mod user_permissions;
pub mod webhooks;

use poem_openapi::ApiResponse;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;

/// 204 with no body.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

/// 201 with the created object.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// `#[serde(default, with = "double_option")]` tells an absent field (`None`) from an explicit
/// `null` (`Some(None)`), for PATCH bodies that may clear a value.
pub mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(de).map(Some)
    }
}
