//! `…/segments/{id}/members/`: which of an environment's stored identities a segment holds.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::identities::IdentityOut;
use super::query_params::{Integer, Param, Required};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::pagination::{Paginated, page_request};
use crate::domain::{EnvironmentId, ProjectId, SegmentId};
use crate::service::Service;

pub struct SegmentMembersApi;

#[OpenApi(tag = "Tag::Segments")]
impl SegmentMembersApi {
    /// The identities of `environment` (an environment id, required) that are in the segment
    /// by their stored traits, paginated like the identity list.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/api/v1/projects/:project/segments/:id/members/",
        method = "get"
    )]
    async fn members(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        req: &Request,
        project: Path<i64>,
        id: Path<i64>,
        environment: Query<Required<Integer>>,
        page: Query<Param<Integer>>,
        page_size: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<IdentityOut>>> {
        let env = environment.0.integer("environment")?;
        let request = page_request(page.0.into_text(), page_size.0.into_text(), 999)?;
        let found = svc
            .segment_members(
                auth.caller(),
                ProjectId(project.0),
                SegmentId(id.0),
                EnvironmentId(env),
                request,
            )
            .await?;
        Ok(Json(Paginated::checked_page(
            req,
            request,
            found,
            Into::into,
        )?))
    }
}
