//! Permission grants on organisations, projects and environments: how a row reads.

use crate::domain::permission::{Grant, GrantId, GrantTarget, Grantee, GroupId};
use crate::domain::{OrganisationId, UserId};
use crate::store::Result;
use crate::store::rows::Columns;

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
