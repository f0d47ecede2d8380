//! `…/segments/{id}/members/`: which of an environment's stored identities a segment holds.

use std::collections::BTreeMap;
use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::query_params::{Bounded, Integer, NonBlank, Param, Required};
use crate::api::Tag;
use crate::api::auth::AdminAuth;
use crate::api::values::Scalar;
use crate::domain::{EnvironmentId, ProjectId, SegmentId};
use crate::service::{Member, MembersPage, MembersQuery, Service};

/// Members answered when `limit` is not given.
const DEFAULT_LIMIT: i64 = 100;

/// An identity the segment holds.
#[derive(Debug, Object)]
pub struct SegmentMemberOut {
    identifier: String,
    /// `{environment key}_{identifier}`, as the SDKs key identities.
    identity_key: String,
    /// The identity's traits by key; null when it has none.
    traits: Option<BTreeMap<String, Scalar>>,
}

/// One page of members, in identifier order.
#[derive(Debug, Object)]
pub struct SegmentMembersOut {
    results: Vec<SegmentMemberOut>,
    /// The `cursor` of the next page (the last identifier here); null on the last page.
    next_cursor: Option<String>,
}

fn member(environment_key: &str, m: Member) -> SegmentMemberOut {
    let traits: BTreeMap<_, _> = m
        .traits
        .iter()
        .map(|t| (t.key.clone(), Scalar(t.value.to_json())))
        .collect();
    SegmentMemberOut {
        identity_key: format!("{environment_key}_{}", m.identity.identifier),
        identifier: m.identity.identifier,
        traits: (!traits.is_empty()).then_some(traits),
    }
}

impl From<MembersPage> for SegmentMembersOut {
    fn from(page: MembersPage) -> Self {
        let key = page.environment_key;
        SegmentMembersOut {
            results: page.members.into_iter().map(|m| member(&key, m)).collect(),
            next_cursor: page.next_cursor,
        }
    }
}

pub struct SegmentMembersApi;

#[OpenApi(tag = "Tag::Segments")]
impl SegmentMembersApi {
    /// The identities of an environment the segment holds, by their stored traits.
    ///
    /// `environment` is an environment id of the project. Members come in identifier order:
    /// `cursor` continues after the last one answered, `q` keeps identifiers containing it.
    /// Needs `MANAGE_SEGMENTS`, and `VIEW_IDENTITIES` in the environment.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/api/v1/projects/:project/segments/:id/members/",
        method = "get"
    )]
    async fn members(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        project: Path<i64>,
        id: Path<i64>,
        environment: Query<Required<Integer>>,
        cursor: Query<Param<NonBlank>>,
        q: Query<Param<NonBlank>>,
        limit: Query<Param<Bounded<1, 200>>>,
    ) -> poem::Result<Json<SegmentMembersOut>> {
        let env = environment.0.integer("environment")?;
        let query = MembersQuery {
            cursor: cursor.0.non_blank("cursor")?,
            q: q.0.non_blank("q")?,
            limit: limit.0.bounded("limit", DEFAULT_LIMIT)? as usize,
        };
        let page = svc
            .segment_members(
                auth.caller(),
                ProjectId(project.0),
                SegmentId(id.0),
                EnvironmentId(env),
                query,
            )
            .await?;
        Ok(Json(page.into()))
    }
}
