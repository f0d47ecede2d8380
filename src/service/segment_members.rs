//! Segment membership: the stored identities a segment holds, and the segments holding one.

use super::{Caller, Service, ServiceError, ServiceResult};
use crate::domain::identity::{Identity, IdentityQuery, Trait};
use crate::domain::segment::{Segment, SegmentQuery};
use crate::domain::{EnvironmentId, IdentityId, Page, PageRequest, ProjectId, SegmentId};
use crate::engine::IdentityContext;
use crate::snapshot::EnvSnapshot;

/// The segments of the environment's snapshot that hold the identity with these traits.
pub(crate) fn segments_holding(
    snapshot: &EnvSnapshot,
    identity: &Identity,
    traits: &[Trait],
) -> Vec<SegmentId> {
    let context = IdentityContext {
        identifier: identity.identifier.clone(),
        key: None,
        traits: traits
            .iter()
            .map(|t| (t.key.clone(), t.value.to_json()))
            .collect(),
    };
    snapshot
        .model
        .evaluate(Some(&context))
        .segments
        .iter()
        .filter_map(|s| s.metadata.and_then(|m| m.get("id")?.as_i64()))
        .map(SegmentId)
        .collect()
}

/// Which members to answer: identifiers after `cursor`, containing `q`, at most `limit`.
#[derive(Debug, Clone, Default)]
pub struct MembersQuery {
    pub cursor: Option<String>,
    pub q: Option<String>,
    pub limit: usize,
}

/// An identity the segment holds, with the traits that put it there.
#[derive(Debug, Clone)]
pub struct Member {
    pub identity: Identity,
    pub traits: Vec<Trait>,
}

/// Members in identifier order, the environment's key (identity keys are made from it), and
/// the identifier to continue after when there are more.
#[derive(Debug, Clone)]
pub struct MembersPage {
    pub members: Vec<Member>,
    pub environment_key: String,
    pub next_cursor: Option<String>,
}

impl Service {
    /// The members after the cursor, as upstream pages them: by identifier, continued from the
    /// last one answered. Needs `MANAGE_SEGMENTS` on the project and `VIEW_IDENTITIES` (or
    /// `MANAGE_IDENTITIES`) in the environment, which must be the project's.
    pub async fn segment_members(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: SegmentId,
        env: EnvironmentId,
        query: MembersQuery,
    ) -> ServiceResult<MembersPage> {
        let (project, access) = self.project_for(caller, project, None).await?;
        let segment = self.segment_in(&project, id).await?;
        if !access.allows("MANAGE_SEGMENTS") {
            return Err(ServiceError::Forbidden(None));
        }
        let (_, env, access) = self.environment_by_id_for(caller, env, None).await?;
        if env.project_id != project.id {
            return Err(ServiceError::NotFound(None));
        }
        if !(access.allows("VIEW_IDENTITIES") || access.allows("MANAGE_IDENTITIES")) {
            return Err(ServiceError::Forbidden(None));
        }
        let snapshot = self.snapshots.get(env.id).await?;
        let search = IdentityQuery {
            search: query.q.clone(),
            exact: false,
        };
        let after = |identity: &Identity| match &query.cursor {
            Some(cursor) => identity.identifier.as_str() > cursor.as_str(),
            None => true,
        };
        let mut members = Vec::new();
        let mut request = PageRequest {
            page: 1,
            page_size: PageRequest::MAX_SIZE,
        };
        loop {
            let found = self.store.identities(env.id, &search, request).await?;
            let last = request.page * request.page_size >= found.total || found.items.is_empty();
            for identity in found.items.into_iter().filter(after) {
                let traits = self.store.traits(identity.id).await?;
                if segments_holding(&snapshot, &identity, &traits).contains(&segment.id) {
                    members.push(Member { identity, traits });
                }
            }
            if last {
                break;
            }
            request.page += 1;
        }
        members.sort_by(|a, b| a.identity.identifier.cmp(&b.identity.identifier));
        let more = members.len() > query.limit;
        members.truncate(query.limit);
        let next_cursor = more
            .then(|| members.last().map(|m| m.identity.identifier.clone()))
            .flatten();
        Ok(MembersPage {
            members,
            environment_key: env.api_key,
            next_cursor,
        })
    }
}

impl Service {
    /// One page of the project's segments that hold the identity (an identity of one of the
    /// project's environments; `VIEW_IDENTITIES` or `MANAGE_IDENTITIES` there), by id.
    pub async fn segments_holding_identity(
        &self,
        caller: &Caller,
        project: ProjectId,
        identity: IdentityId,
        query: &SegmentQuery,
        page: PageRequest,
    ) -> ServiceResult<Page<Segment>> {
        let (project, _) = self.project_for(caller, project, None).await?;
        let identity = self.store.identity(identity).await?;
        let (_, env, access) = self
            .environment_by_id_for(caller, identity.environment_id, None)
            .await?;
        if env.project_id != project.id {
            return Err(ServiceError::NotFound(None));
        }
        if !(access.allows("VIEW_IDENTITIES") || access.allows("MANAGE_IDENTITIES")) {
            return Err(ServiceError::Forbidden(None));
        }
        let snapshot = self.snapshots.get(env.id).await?;
        let traits = self.store.traits(identity.id).await?;
        let holding = segments_holding(&snapshot, &identity, &traits);
        let mut segments = Vec::new();
        let mut request = PageRequest {
            page: 1,
            page_size: PageRequest::MAX_SIZE,
        };
        loop {
            let found = self.store.segments_of(project.id, query, request).await?;
            let last = request.page * request.page_size >= found.total || found.items.is_empty();
            segments.extend(found.items.into_iter().filter(|s| holding.contains(&s.id)));
            if last {
                break;
            }
            request.page += 1;
        }
        Ok(Page::slice(segments, page))
    }
}
