//! Server-side SDK keys of an environment: `/api/v1/environments/{key}/api-keys/…`.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::{Created, NoContent};
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::{Tag, datetime};
use crate::domain::environment::{ServerKey, ServerKeyPatch};
use crate::domain::{ServerKeyId, Timestamp};
use crate::service::Service;

pub struct ServerKeysApi;

#[derive(Debug, Object)]
pub struct ServerKeyOut {
    id: i64,
    /// The key (`ser.…`) for server-side SDKs.
    key: String,
    active: bool,
    created_at: String,
    name: String,
    expires_at: Option<String>,
}

impl From<ServerKey> for ServerKeyOut {
    fn from(k: ServerKey) -> Self {
        ServerKeyOut {
            id: k.id.0,
            key: k.key,
            active: k.active,
            created_at: datetime(k.created_at),
            name: k.name,
            expires_at: k.expires_at.map(datetime),
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct ServerKeyIn {
    #[oai(validator(min_length = 1, max_length = 100, pattern = r"\S"))]
    name: String,
    expires_at: Option<Timestamp>,
}

#[derive(Debug, Object, Deserialize)]
pub struct ServerKeyUpdate {
    #[oai(validator(min_length = 1, max_length = 100, pattern = r"\S"))]
    name: Option<String>,
    active: Option<bool>,
    #[serde(default, with = "super::double_option")]
    expires_at: Option<Option<Timestamp>>,
}

#[OpenApi(tag = "Tag::Environments")]
impl ServerKeysApi {
    /// The environment's server-side SDK keys (environment admins).
    #[oai(path = "/api/v1/environments/:api_key/api-keys/", method = "get")]
    async fn server_keys(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
    ) -> poem::Result<Json<Vec<ServerKeyOut>>> {
        let keys = svc.server_keys(auth.caller(), &api_key.0).await?;
        Ok(Json(keys.into_iter().map(Into::into).collect()))
    }

    /// Creates a server-side SDK key for the environment (environment admins).
    #[oai(path = "/api/v1/environments/:api_key/api-keys/", method = "post")]
    async fn create_server_key(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        body: Body<ServerKeyIn>,
    ) -> poem::Result<Created<ServerKeyOut>> {
        let key = svc
            .create_server_key(auth.caller(), &api_key.0, &body.0.name, body.0.expires_at)
            .await?;
        Ok(Created::Created(Json(key.into())))
    }

    /// Replaces a server-side key's name, state and expiry (environment admins).
    #[oai(path = "/api/v1/environments/:api_key/api-keys/:id/", method = "put")]
    async fn replace_server_key(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        body: Body<ServerKeyUpdate>,
    ) -> poem::Result<Json<ServerKeyOut>> {
        self.update_server_key(svc, auth, api_key, id, body).await
    }

    /// Rename, deactivate or change the expiry of a server-side key.
    #[oai(path = "/api/v1/environments/:api_key/api-keys/:id/", method = "patch")]
    async fn update_server_key(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        body: Body<ServerKeyUpdate>,
    ) -> poem::Result<Json<ServerKeyOut>> {
        let patch = ServerKeyPatch {
            name: body.0.name,
            active: body.0.active,
            expires_at: body.0.expires_at,
        };
        let key = svc
            .update_server_key(auth.caller(), &api_key.0, ServerKeyId(id.0), &patch)
            .await?;
        Ok(Json(key.into()))
    }

    /// Deletes a server-side key (environment admins).
    #[oai(
        path = "/api/v1/environments/:api_key/api-keys/:id/",
        method = "delete"
    )]
    async fn delete_server_key(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_server_key(auth.caller(), &api_key.0, ServerKeyId(id.0))
            .await?;
        Ok(NoContent::Done)
    }
}
