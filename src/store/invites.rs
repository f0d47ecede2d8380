//! Invitations by email and invite links: how a row reads.

use crate::domain::permission::{Invite, InviteLink};
use crate::domain::{OrganisationId, UserId};
use crate::store::Result;
use crate::store::organisations::role;
use crate::store::rows::Columns;

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
