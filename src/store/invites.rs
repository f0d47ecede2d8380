//! Invitations by email and invite links: how a row reads.

use crate::domain::organisation::Role;
use crate::domain::permission::{Invite, InviteLink};
use crate::domain::{OrganisationId, Timestamp, UserId};
use crate::store::Result;
use crate::store::organisations::role;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Invitations by email and invite links, and joining through them.
#[async_trait]
pub trait InviteStore: Send + Sync {
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

pub(super) const INVITE_COLUMNS: &str =
    "id, organisation_id, email, role, hash, invited_by, date_created";

pub(super) const LINK_COLUMNS: &str = "id, organisation_id, role, hash, date_created, expires_at";

pub(super) fn invite(row: &dyn Columns) -> Result<Invite> {
    Ok(Invite {
        id: row.get(0)?,
        organisation_id: OrganisationId(row.get(1)?),
        email: row.get(2)?,
        role: role(&row.get::<String>(3)?)?,
        hash: row.get(4)?,
        invited_by: row.get::<Option<i64>>(5)?.map(UserId),
        date_created: row.get(6)?,
    })
}

pub(super) fn link(row: &dyn Columns) -> Result<InviteLink> {
    Ok(InviteLink {
        id: row.get(0)?,
        organisation_id: OrganisationId(row.get(1)?),
        role: role(&row.get::<String>(2)?)?,
        hash: row.get(3)?,
        date_created: row.get(4)?,
        expires_at: row.get(5)?,
    })
}
