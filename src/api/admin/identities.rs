//! `/api/v1/environments/{env_key}/identities/…`: identities and their traits.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::query_params::{Integer, Param};
use super::{Created, NoContent};
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::{Paginated, page_request};
use crate::api::values::{Choice, Creating, RequiredToCreate, ValueType};
use crate::api::{Tag, datetime};
use crate::domain::identity::{Identity, Trait, TraitValue};
use crate::domain::{IdentityId, TraitId};
use crate::service::{Service, ServiceError, ServiceResult};

pub struct IdentitiesApi;

#[derive(Debug, Object)]
pub struct IdentityOut {
    id: i64,
    identifier: String,
    environment: i64,
}

impl From<Identity> for IdentityOut {
    fn from(i: Identity) -> Self {
        IdentityOut {
            id: i.id.0,
            identifier: i.identifier,
            environment: i.environment_id.0,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct IdentityIn {
    identifier: String,
}

/// A trait with its value in the column its type names.
#[derive(Debug, Object)]
pub struct TraitOut {
    id: i64,
    trait_key: String,
    value_type: Choice<ValueType>,
    integer_value: Option<i64>,
    string_value: Option<String>,
    boolean_value: Option<bool>,
    float_value: Option<f64>,
    created_date: String,
}

impl From<Trait> for TraitOut {
    fn from(t: Trait) -> Self {
        TraitOut {
            id: t.id.0,
            trait_key: t.key,
            value_type: Choice::new(t.value.type_name()),
            integer_value: t.value.integer_column(),
            string_value: t.value.string_column().map(str::to_string),
            boolean_value: t.value.boolean_column(),
            float_value: t.value.float_column(),
            created_date: datetime(t.created_date),
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct TraitIn {
    trait_key: Option<String>,
    /// Defaults to `unicode`.
    value_type: Option<Choice<ValueType>>,
    integer_value: Option<i64>,
    string_value: Option<String>,
    boolean_value: Option<bool>,
    float_value: Option<f64>,
}

impl RequiredToCreate for TraitIn {
    const FIELDS: &'static [&'static str] = &["trait_key"];
}

impl TraitIn {
    fn value(&self) -> ServiceResult<TraitValue> {
        let missing = |field: &str| {
            ServiceError::invalid(field, "This field is required for this value_type.")
        };
        match self.value_type.as_ref().map_or("unicode", |t| t.as_str()) {
            "int" => self
                .integer_value
                .map(TraitValue::Integer)
                .ok_or_else(|| missing("integer_value")),
            "bool" => self
                .boolean_value
                .map(TraitValue::Boolean)
                .ok_or_else(|| missing("boolean_value")),
            "float" => self
                .float_value
                .map(TraitValue::Float)
                .ok_or_else(|| missing("float_value")),
            "unicode" => Ok(TraitValue::String(
                self.string_value.clone().unwrap_or_default(),
            )),
            other => Err(ServiceError::invalid(
                "value_type",
                format!("\"{other}\" is not a valid choice."),
            )),
        }
    }
}

#[OpenApi(tag = "Tag::Identities")]
impl IdentitiesApi {
    /// The environment's identities, oldest first; `q` searches identifiers (`"exact"` in quotes).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v1/environments/:api_key/identities/", method = "get")]
    async fn list(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        req: &Request,
        api_key: Path<String>,
        q: Query<Option<String>>,
        page: Query<Param<Integer>>,
        page_size: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<IdentityOut>>> {
        let request = page_request(page.0.into_text(), page_size.0.into_text(), 999)?;
        let found = svc
            .identities(auth.caller(), &api_key.0, q.0.as_deref(), request)
            .await?;
        Ok(Json(Paginated::page(req, request, found, Into::into)))
    }

    /// Creates an identity in the environment (`MANAGE_IDENTITIES`).
    #[oai(path = "/api/v1/environments/:api_key/identities/", method = "post")]
    async fn create(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        body: Body<IdentityIn>,
    ) -> poem::Result<Created<IdentityOut>> {
        let identity = svc
            .create_identity(auth.caller(), &api_key.0, &body.0.identifier)
            .await?;
        Ok(Created::Created(Json(identity.into())))
    }

    /// One identity of the environment.
    #[oai(path = "/api/v1/environments/:api_key/identities/:id/", method = "get")]
    async fn get(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
    ) -> poem::Result<Json<IdentityOut>> {
        Ok(Json(
            svc.identity(auth.caller(), &api_key.0, IdentityId(id.0), false)
                .await?
                .into(),
        ))
    }

    /// Replaces an identity's identifier (`MANAGE_IDENTITIES`).
    #[oai(path = "/api/v1/environments/:api_key/identities/:id/", method = "put")]
    async fn replace(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        body: Body<IdentityIn>,
    ) -> poem::Result<Json<IdentityOut>> {
        self.rename(svc, auth, api_key, id, body).await
    }

    /// Rename the identity (`MANAGE_IDENTITIES`); its traits and overrides stay.
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:id/",
        method = "patch"
    )]
    async fn rename(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        body: Body<IdentityIn>,
    ) -> poem::Result<Json<IdentityOut>> {
        let identity = svc
            .rename_identity(
                auth.caller(),
                &api_key.0,
                IdentityId(id.0),
                &body.0.identifier,
            )
            .await?;
        Ok(Json(identity.into()))
    }

    /// Delete the identity with its traits and overrides.
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:id/",
        method = "delete"
    )]
    async fn delete(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_identity(auth.caller(), &api_key.0, IdentityId(id.0))
            .await?;
        Ok(NoContent::Done)
    }

    /// An identity's traits.
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:id/traits/",
        method = "get"
    )]
    async fn traits(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
    ) -> poem::Result<Json<Paginated<TraitOut>>> {
        let traits = svc
            .traits(auth.caller(), &api_key.0, IdentityId(id.0))
            .await?;
        Ok(Json(Paginated::all(
            traits.into_iter().map(Into::into).collect(),
        )))
    }

    /// Set a trait (a key the identity has is replaced).
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:id/traits/",
        method = "post"
    )]
    async fn create_trait(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        body: Body<Creating<TraitIn>>,
    ) -> poem::Result<Created<TraitOut>> {
        let body = Body(body.0.0);
        let key = body
            .0
            .trait_key
            .clone()
            .ok_or_else(|| ServiceError::invalid("trait_key", "This field is required."))?;
        let value = body.0.value()?;
        let set = svc
            .set_trait(auth.caller(), &api_key.0, IdentityId(id.0), &key, value)
            .await?;
        Ok(Created::Created(Json(set.into())))
    }

    /// One of an identity's traits.
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:id/traits/:trait_id/",
        method = "get"
    )]
    async fn get_trait(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        trait_id: Path<i64>,
    ) -> poem::Result<Json<TraitOut>> {
        let found = svc
            .trait_of(
                auth.caller(),
                &api_key.0,
                IdentityId(id.0),
                TraitId(trait_id.0),
            )
            .await?;
        Ok(Json(found.into()))
    }

    /// Replaces a trait's value (its key stays).
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:id/traits/:trait_id/",
        method = "put"
    )]
    async fn replace_trait(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        trait_id: Path<i64>,
        body: Body<TraitIn>,
    ) -> poem::Result<Json<TraitOut>> {
        self.update_trait(svc, auth, api_key, id, trait_id, body)
            .await
    }

    /// Change a trait's value (its key stays).
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:id/traits/:trait_id/",
        method = "patch"
    )]
    async fn update_trait(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        trait_id: Path<i64>,
        body: Body<TraitIn>,
    ) -> poem::Result<Json<TraitOut>> {
        let found = svc
            .trait_of(
                auth.caller(),
                &api_key.0,
                IdentityId(id.0),
                TraitId(trait_id.0),
            )
            .await?;
        let value = body.0.value()?;
        let set = svc
            .set_trait(
                auth.caller(),
                &api_key.0,
                IdentityId(id.0),
                &found.key,
                value,
            )
            .await?;
        Ok(Json(set.into()))
    }

    /// Delete a trait; `deleteAllMatchingTraits=true` deletes the key from every identity.
    #[oai(
        path = "/api/v1/environments/:api_key/identities/:id/traits/:trait_id/",
        method = "delete"
    )]
    async fn delete_trait(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        api_key: Path<String>,
        id: Path<i64>,
        trait_id: Path<i64>,
        #[oai(name = "deleteAllMatchingTraits")] everywhere: Query<Option<bool>>,
    ) -> poem::Result<NoContent> {
        svc.delete_trait(
            auth.caller(),
            &api_key.0,
            IdentityId(id.0),
            TraitId(trait_id.0),
            everywhere.0.unwrap_or(false),
        )
        .await?;
        Ok(NoContent::Done)
    }
}
