//! Groups of an organisation and their members: the storage trait.

use super::Result;
use crate::domain::permission::{Group, GroupId, GroupMember, NewGroup};
use crate::domain::{OrganisationId, UserId};
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Groups of an organisation and their members.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// `Conflict` when the organisation has a group of that name; `NotFound` without the organisation.
    async fn create_group(&self, group: &NewGroup) -> Result<Group>;

    /// `NotFound` when there is no such group.
    async fn group(&self, id: GroupId) -> Result<Group>;

    /// The organisation's groups with their members, ordered by id.
    async fn groups_of(&self, org: OrganisationId) -> Result<Vec<Group>>;

    /// The groups of the organisation the user is a member of, ordered by id.
    async fn groups_of_user(&self, org: OrganisationId, user: UserId) -> Result<Vec<Group>>;

    /// Renames the group and changes its default flag and external id. `Conflict` on a taken name.
    async fn update_group(
        &self,
        id: GroupId,
        name: &str,
        is_default: bool,
        external_id: Option<&str>,
    ) -> Result<Group>;

    /// Deletes the group, its memberships and its grants.
    async fn delete_group(&self, id: GroupId) -> Result<()>;

    /// Adds users to the group (already-members are left as they are). `NotFound` when the
    /// group or a user does not exist.
    async fn add_group_members(&self, id: GroupId, users: &[UserId]) -> Result<Group>;

    /// Removes users from the group; users who are not members are ignored.
    async fn remove_group_members(&self, id: GroupId, users: &[UserId]) -> Result<Group>;

    /// Makes a member a group admin or not. `NotFound` when the user is not a member.
    async fn set_group_admin(&self, id: GroupId, user: UserId, admin: bool) -> Result<Group>;
}

pub(super) const GROUP_COLUMNS: &str =
    "g.id, g.organisation_id, g.name, g.is_default, g.external_id";

/// Reads a group's [`GROUP_COLUMNS`]; its members are read next.
pub(super) fn group(row: &dyn Columns) -> Result<Group> {
    Ok(Group {
        id: GroupId(row.get(0)?),
        organisation_id: OrganisationId(row.get(1)?),
        name: row.get(2)?,
        is_default: row.get(3)?,
        external_id: row.get(4)?,
        members: Vec::new(),
    })
}

/// Reads `user_id, group_admin` of a membership.
pub(super) fn member(row: &dyn Columns) -> Result<GroupMember> {
    Ok(GroupMember {
        user_id: UserId(row.get(0)?),
        group_admin: row.get(1)?,
    })
}
