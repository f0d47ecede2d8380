//! Permission grants on organisations, projects and environments: how a row reads.

use crate::domain::permission::{Grant, GrantId, GrantTarget, Grantee, GroupId};
use crate::domain::{OrganisationId, UserId};
use crate::store::Result;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Permission grants to users and groups on organisations, projects and environments.
#[async_trait]
pub trait GrantStore: Send + Sync {
    /// Creates a grant. `Conflict` when the grantee already has one on the target; `NotFound`
    /// when the target or grantee does not exist. Keys are stored sorted and de-duplicated.
    async fn create_grant(
        &self,
        target: GrantTarget,
        grantee: Grantee,
        admin: bool,
        permissions: &[String],
    ) -> Result<Grant>;

    /// The grants on a target, ordered by id. Grants of one kind of target have their own ids.
    async fn grants(&self, target: GrantTarget) -> Result<Vec<Grant>>;

    /// The grant with this id on this kind of target (the id inside `target` is ignored).
    async fn grant(&self, target: GrantTarget, id: GrantId) -> Result<Grant>;

    /// Replaces admin and keys. `NotFound` when there is no such grant of that kind.
    async fn update_grant(
        &self,
        target: GrantTarget,
        id: GrantId,
        admin: bool,
        permissions: &[String],
    ) -> Result<Grant>;

    /// `NotFound` when there is no such grant of that kind.
    async fn delete_grant(&self, target: GrantTarget, id: GrantId) -> Result<()>;

    /// The grants that apply to a user on a target: their own and their groups', ordered by id.
    async fn grants_for_user(&self, target: GrantTarget, user: UserId) -> Result<Vec<Grant>>;
}

pub(super) fn grant_row(target: GrantTarget, row: &dyn Columns) -> Result<Grant> {
    let object: i64 = row.get(1)?;
    let target = match target {
        GrantTarget::Organisation(_) => GrantTarget::Organisation(OrganisationId(object)),
        GrantTarget::Project(_) => GrantTarget::Project(crate::domain::ProjectId(object)),
        GrantTarget::Environment(_) => {
            GrantTarget::Environment(crate::domain::EnvironmentId(object))
        }
    };
    let user: Option<i64> = row.get(2)?;
    let group: Option<i64> = row.get(3)?;
    let grantee = match (user, group) {
        (Some(u), _) => Grantee::User(UserId(u)),
        (None, g) => Grantee::Group(GroupId(g.unwrap_or_default())),
    };
    let keys: String = row.get(5)?;
    Ok(Grant {
        id: GrantId(row.get(0)?),
        target,
        grantee,
        admin: row.get(4)?,
        permissions: keys
            .split(',')
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect(),
    })
}
