//! Organisation API keys: `/api/v1/organisations/{id}/master-api-keys/…`.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::{Created, NoContent};
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::Paginated;
use crate::api::{Tag, datetime};
use crate::domain::organisation::{OrgApiKey, OrgApiKeyPatch};
use crate::domain::{OrganisationId, Timestamp};
use crate::service::{IssuedKey, Service};

pub struct ApiKeysApi;

#[derive(Debug, Object)]
pub struct ApiKeyOut {
    /// `<prefix>.<id>`; address the key by its prefix.
    id: String,
    prefix: String,
    name: String,
    created: String,
    revoked: bool,
    expiry_date: Option<String>,
    is_admin: bool,
    has_expired: bool,
    created_by: Option<i64>,
    /// The whole key, shown only when it is created.
    key: Option<String>,
}

fn api_key_out(k: OrgApiKey, now: Timestamp, secret: Option<String>) -> ApiKeyOut {
    ApiKeyOut {
        id: format!("{}.{}", k.prefix, k.id),
        has_expired: k.has_expired(now),
        prefix: k.prefix,
        name: k.name,
        created: datetime(k.created),
        revoked: k.revoked,
        expiry_date: k.expiry_date.map(datetime),
        is_admin: k.is_admin,
        created_by: k.created_by.map(|u| u.0),
        key: secret,
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct ApiKeyIn {
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    name: String,
    expiry_date: Option<Timestamp>,
}

#[derive(Debug, Object, Deserialize)]
pub struct ApiKeyUpdate {
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    name: Option<String>,
    revoked: Option<bool>,
    #[serde(default, with = "super::double_option")]
    expiry_date: Option<Option<Timestamp>>,
}

#[OpenApi(tag = "Tag::Organisations")]
impl ApiKeysApi {
    /// The organisation's API keys (managed with a user token only).
    #[oai(path = "/api/v1/organisations/:id/master-api-keys/", method = "get")]
    async fn api_keys(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
    ) -> poem::Result<Json<Paginated<ApiKeyOut>>> {
        let keys = svc.api_keys(auth.caller(), OrganisationId(id.0)).await?;
        let now = svc.now();
        Ok(Json(Paginated::all(
            keys.into_iter()
                .map(|k| api_key_out(k, now, None))
                .collect(),
        )))
    }

    /// Create an API key; the answer carries the key, which is not shown again.
    #[oai(path = "/api/v1/organisations/:id/master-api-keys/", method = "post")]
    async fn create_api_key(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        body: Body<ApiKeyIn>,
    ) -> poem::Result<Created<ApiKeyOut>> {
        let IssuedKey { key, secret } = svc
            .create_api_key(
                auth.caller(),
                OrganisationId(id.0),
                &body.0.name,
                body.0.expiry_date,
            )
            .await?;
        Ok(Created::Created(Json(api_key_out(
            key,
            svc.now(),
            Some(secret),
        ))))
    }

    /// One organisation API key, without its secret.
    #[oai(
        path = "/api/v1/organisations/:id/master-api-keys/:prefix/",
        method = "get"
    )]
    async fn api_key(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        prefix: Path<String>,
    ) -> poem::Result<Json<ApiKeyOut>> {
        let key = svc
            .api_key(auth.caller(), OrganisationId(id.0), &prefix.0)
            .await?;
        Ok(Json(api_key_out(key, svc.now(), None)))
    }

    /// Replaces an API key's name, expiry and revoked flag.
    #[oai(
        path = "/api/v1/organisations/:id/master-api-keys/:prefix/",
        method = "put"
    )]
    async fn replace_api_key(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        prefix: Path<String>,
        body: Body<ApiKeyUpdate>,
    ) -> poem::Result<Json<ApiKeyOut>> {
        self.update_api_key(svc, auth, id, prefix, body).await
    }

    /// Rename, revoke or change the expiry of an API key.
    #[oai(
        path = "/api/v1/organisations/:id/master-api-keys/:prefix/",
        method = "patch"
    )]
    async fn update_api_key(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        prefix: Path<String>,
        body: Body<ApiKeyUpdate>,
    ) -> poem::Result<Json<ApiKeyOut>> {
        let patch = OrgApiKeyPatch {
            name: body.0.name,
            revoked: body.0.revoked,
            expiry_date: body.0.expiry_date,
        };
        let key = svc
            .update_api_key(auth.caller(), OrganisationId(id.0), &prefix.0, &patch)
            .await?;
        Ok(Json(api_key_out(key, svc.now(), None)))
    }

    /// Deletes an organisation API key.
    #[oai(
        path = "/api/v1/organisations/:id/master-api-keys/:prefix/",
        method = "delete"
    )]
    async fn delete_api_key(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        prefix: Path<String>,
    ) -> poem::Result<NoContent> {
        svc.delete_api_key(auth.caller(), OrganisationId(id.0), &prefix.0)
            .await?;
        Ok(NoContent::Done)
    }
}
