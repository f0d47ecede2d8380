//! `…/segments/{id}/members/`: the stored identities a segment holds, judged by stored traits.

use serde_json::json;

use super::{Caller, Service, ServiceError, ServiceResult};
use crate::domain::identity::{Identity, IdentityQuery, Trait};
use crate::domain::{EnvironmentId, PageRequest, ProjectId, SegmentId};
use crate::engine::IdentityContext;
use crate::snapshot::trait_json;

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
        let segment_id = json!(segment.id.0);
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
                let context = IdentityContext {
                    identifier: identity.identifier.clone(),
                    key: None,
                    traits: traits
                        .iter()
                        .map(|t| (t.key.clone(), trait_json(&t.value)))
                        .collect(),
                };
                let evaluation = snapshot.model.evaluate(Some(&context));
                let member = evaluation
                    .segments
                    .iter()
                    .any(|s| s.metadata.and_then(|m| m.get("id")) == Some(&segment_id));
                if member {
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
