//! `…/segments/{id}/members/`: the stored identities a segment holds, judged by stored traits.

use serde_json::json;

use super::{Caller, Service, ServiceError, ServiceResult};
use crate::domain::identity::{Identity, IdentityQuery};
use crate::domain::{EnvironmentId, Page, PageRequest, ProjectId, SegmentId};
use crate::engine::IdentityContext;
use crate::snapshot::trait_json;

impl Service {
    /// One page of the members, in the order identities are listed. Needs the project's
    /// segment and `VIEW_IDENTITIES` (or `MANAGE_IDENTITIES`) in an environment of the project.
    pub async fn segment_members(
        &self,
        caller: &Caller,
        project: ProjectId,
        id: SegmentId,
        env: EnvironmentId,
        page: PageRequest,
    ) -> ServiceResult<Page<Identity>> {
        let (project, _) = self.project_for(caller, project, None).await?;
        let segment = self.segment_in(&project, id).await?;
        let (_, env, access) = self.environment_by_id_for(caller, env, None).await?;
        if env.project_id != project.id {
            return Err(ServiceError::invalid(
                "environment",
                "The environment is not in the segment's project.",
            ));
        }
        if !(access.allows("VIEW_IDENTITIES") || access.allows("MANAGE_IDENTITIES")) {
            return Err(ServiceError::Forbidden(None));
        }
        let snapshot = self.snapshots.get(env.id).await?;
        let segment_id = json!(segment.id.0);
        let mut members = Vec::new();
        let mut request = PageRequest {
            page: 1,
            page_size: PageRequest::MAX_SIZE,
        };
        loop {
            let found = self
                .store
                .identities(env.id, &IdentityQuery::default(), request)
                .await?;
            let last = request.page * request.page_size >= found.total || found.items.is_empty();
            for identity in found.items {
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
                    members.push(identity);
                }
            }
            if last {
                break;
            }
            request.page += 1;
        }
        Ok(Page::slice(members, page))
    }
}
