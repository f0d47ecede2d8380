use async_trait::async_trait;

use super::Result;
use crate::domain::organisation::Role;
use crate::domain::permission::{
    Grant, GrantId, GrantTarget, Grantee, Group, GroupId, Invite, InviteLink, NewGroup,
};
use crate::domain::{OrganisationId, Timestamp, UserId};

/// Groups, permission grants and invitations.
#[async_trait]
pub trait PermissionStore: Send + Sync {
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

    /// Creates an invite for an email; a second invite to the same email in the organisation
    /// is a `Conflict`. The hash must be unique.
    async fn create_invite(
        &self,
        org: OrganisationId,
        email: &str,
        role: Role,
        hash: &str,
        invited_by: Option<UserId>,
    ) -> Result<Invite>;

    /// The organisation's pending invites, ordered by id.
    async fn invites(&self, org: OrganisationId) -> Result<Vec<Invite>>;

    async fn invite_by_hash(&self, hash: &str) -> Result<Option<Invite>>;

    /// `NotFound` when there is no such invite.
    async fn delete_invite(&self, id: i64) -> Result<()>;

    async fn create_invite_link(
        &self,
        org: OrganisationId,
        role: Role,
        hash: &str,
        expires_at: Option<Timestamp>,
    ) -> Result<InviteLink>;

    /// The organisation's invite links, ordered by id.
    async fn invite_links(&self, org: OrganisationId) -> Result<Vec<InviteLink>>;

    async fn invite_link_by_hash(&self, hash: &str) -> Result<Option<InviteLink>>;

    /// `NotFound` when there is no such link.
    async fn delete_invite_link(&self, id: i64) -> Result<()>;

    /// Accepts an invite in one transaction: the user joins the organisation with the
    /// invite's role (keeping a higher role they have), joins its default groups, and the
    /// invite is used up. `NotFound` when the invite is gone.
    async fn accept_invite(&self, invite_id: i64, user: UserId) -> Result<()>;

    /// Joins through a link: like `accept_invite` but the link stays.
    async fn join_by_link(&self, link_id: i64, user: UserId) -> Result<()>;
}
