//! Groups of an organisation and their members: the storage trait.

use super::Result;
use crate::domain::permission::{Group, GroupId, NewGroup};
use crate::domain::{OrganisationId, UserId};
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
