//! `/api/v1/projects/{project}/tags/…`: the labels a project puts on its features.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::query_params::{Integer, Param};
use super::{Created, NoContent};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::pagination::{Paginated, page_request};
use crate::api::values::{Creating, RequiredToCreate};
use crate::domain::feature::Tag as FeatureTag;
use crate::domain::{PageRequest, ProjectId, TagId};
use crate::service::{Service, TagPatch};

pub struct TagsApi;

#[derive(Debug, Object)]
pub struct TagOut {
    id: i64,
    uuid: String,
    label: String,
    color: String,
    description: Option<String>,
    project: i64,
    is_permanent: bool,
    is_system_tag: bool,
    /// Always `NONE`: Flagstaff has no system tags.
    #[oai(rename = "type")]
    tag_type: String,
}

impl From<FeatureTag> for TagOut {
    fn from(t: FeatureTag) -> Self {
        TagOut {
            id: t.id.0,
            uuid: t.uuid,
            label: t.label,
            color: t.color,
            description: t.description,
            project: t.project_id.0,
            is_permanent: t.is_permanent,
            is_system_tag: false,
            tag_type: "NONE".into(),
        }
    }
}

/// A tag's writable fields; `label` and `color` are required on create.
#[derive(Debug, Object, Deserialize)]
pub struct TagIn {
    #[oai(validator(min_length = 1, max_length = 100, pattern = r"\S"))]
    label: Option<String>,
    #[oai(validator(min_length = 1, max_length = 10, pattern = r"\S"))]
    color: Option<String>,
    #[serde(default, with = "super::double_option")]
    description: Option<Option<String>>,
    is_permanent: Option<bool>,
}

impl RequiredToCreate for TagIn {
    const FIELDS: &'static [&'static str] = &["label", "color"];
}

impl From<TagIn> for TagPatch {
    fn from(t: TagIn) -> Self {
        TagPatch {
            label: t.label,
            color: t.color,
            description: t.description,
            is_permanent: t.is_permanent,
        }
    }
}

#[OpenApi(tag = "Tag::Features")]
impl TagsApi {
    /// The project's tags.
    #[oai(path = "/api/v1/projects/:project/tags/", method = "get")]
    async fn list_tags(
        &self,
        req: &Request,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        page: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<TagOut>>> {
        let page = page_request(page.0.into_text(), None, PageRequest::MAX_SIZE)?;
        let tags = svc.tags(auth.caller(), ProjectId(project.0), page).await?;
        Ok(Json(Paginated::checked_page(req, page, tags, Into::into)?))
    }

    /// Create a tag (`MANAGE_TAGS`).
    #[oai(path = "/api/v1/projects/:project/tags/", method = "post")]
    async fn create_tag(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        body: Body<Creating<TagIn>>,
    ) -> poem::Result<Created<TagOut>> {
        let tag = svc
            .create_tag(auth.caller(), ProjectId(project.0), body.0.0.into())
            .await?;
        Ok(Created::Created(Json(tag.into())))
    }

    /// A tag of the project, by its uuid.
    #[oai(
        path = "/api/v1/projects/:project/tags/get-by-uuid/:uuid/",
        method = "get"
    )]
    async fn tag_by_uuid(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        uuid: Path<String>,
    ) -> poem::Result<Json<TagOut>> {
        let tag = svc
            .tag_by_uuid(auth.caller(), ProjectId(project.0), &uuid.0)
            .await?;
        Ok(Json(tag.into()))
    }

    /// One tag of the project.
    #[oai(path = "/api/v1/projects/:project/tags/:id/", method = "get")]
    async fn get_tag(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<Json<TagOut>> {
        let tag = svc
            .tag(auth.caller(), ProjectId(project.0), TagId(id.0))
            .await?;
        Ok(Json(tag.into()))
    }

    /// Replaces a tag's label, colour, description and permanence (`MANAGE_TAGS`).
    #[oai(path = "/api/v1/projects/:project/tags/:id/", method = "put")]
    async fn replace_tag(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<TagIn>,
    ) -> poem::Result<Json<TagOut>> {
        self.update_tag(svc, auth, project, id, body).await
    }

    /// Change a tag (`MANAGE_TAGS`).
    #[oai(path = "/api/v1/projects/:project/tags/:id/", method = "patch")]
    async fn update_tag(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        body: Body<TagIn>,
    ) -> poem::Result<Json<TagOut>> {
        let tag = svc
            .update_tag(
                auth.caller(),
                ProjectId(project.0),
                TagId(id.0),
                body.0.into(),
            )
            .await?;
        Ok(Json(tag.into()))
    }

    /// Delete a tag; features lose it.
    #[oai(path = "/api/v1/projects/:project/tags/:id/", method = "delete")]
    async fn delete_tag(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_tag(auth.caller(), ProjectId(project.0), TagId(id.0))
            .await?;
        Ok(NoContent::Done)
    }
}
