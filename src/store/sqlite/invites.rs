//! Invitations by email and invite links, and joining through them, in SQLite.

use super::SqliteStore;
use super::Tx;
use super::rows::{all, exactly_one, exec, one, opt, opt_ts, ts};
use crate::domain::organisation::Role;
use crate::domain::permission::{Invite, InviteLink};
use crate::domain::{OrganisationId, Timestamp, UserId};
use crate::store::invites::{INVITE_COLUMNS, LINK_COLUMNS, invite, link};
use crate::store::{InviteStore, Result};
use async_trait::async_trait;
use rusqlite::params;

/// Makes the user a member with `role` (an admin stays admin) and adds them to the default groups.
fn join(tx: &Tx<'_>, org: OrganisationId, user: UserId, role: Role, now: Timestamp) -> Result<()> {
    exec(
        tx,
        "INSERT INTO memberships (user_id, organisation_id, role, date_joined) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, organisation_id) DO UPDATE SET
             role = CASE WHEN memberships.role = 'ADMIN' THEN 'ADMIN' ELSE excluded.role END",
        params![user.0, org.0, role.as_str(), ts(now)],
    )?;
    exec(
        tx,
        "INSERT INTO group_members (group_id, user_id) SELECT id, ? FROM user_groups
         WHERE organisation_id = ? AND is_default ON CONFLICT DO NOTHING",
        params![user.0, org.0],
    )?;
    Ok(())
}

#[async_trait]
impl InviteStore for SqliteStore {
    async fn create_invite(
        &self,
        org: OrganisationId,
        email: &str,
        role: Role,
        hash: &str,
        invited_by: Option<UserId>,
    ) -> Result<Invite> {
        let (email, hash, now) = (email.to_string(), hash.to_string(), self.now());
        self.write(move |tx| {
            one(tx, &format!(
                    "INSERT INTO invites (organisation_id, email, role, hash, invited_by, date_created)
                     VALUES (?, ?, ?, ?, ?, ?) RETURNING {INVITE_COLUMNS}"
                ), params![org.0, email, role.as_str(), hash, invited_by.map(|u| u.0), ts(now)], invite)
        })
        .await
    }

    async fn invites(&self, org: OrganisationId) -> Result<Vec<Invite>> {
        self.read(move |c| {
            all(
                c,
                &format!(
                    "SELECT {INVITE_COLUMNS} FROM invites WHERE organisation_id = ? ORDER BY id"
                ),
                [org.0],
                invite,
            )
        })
        .await
    }

    async fn invite_by_hash(&self, hash: &str) -> Result<Option<Invite>> {
        let hash = hash.to_string();
        self.read(move |c| {
            opt(
                c,
                &format!("SELECT {INVITE_COLUMNS} FROM invites WHERE hash = ?"),
                [hash],
                invite,
            )
        })
        .await
    }

    async fn delete_invite(&self, id: i64) -> Result<()> {
        self.write(move |tx| exactly_one(exec(tx, "DELETE FROM invites WHERE id = ?", [id])?))
            .await
    }

    async fn create_invite_link(
        &self,
        org: OrganisationId,
        role: Role,
        hash: &str,
        expires_at: Option<Timestamp>,
    ) -> Result<InviteLink> {
        let (hash, now) = (hash.to_string(), self.now());
        self.write(move |tx| {
            one(tx, &format!(
                    "INSERT INTO invite_links (organisation_id, role, hash, date_created, expires_at)
                     VALUES (?, ?, ?, ?, ?) RETURNING {LINK_COLUMNS}"
                ), params![org.0, role.as_str(), hash, ts(now), opt_ts(expires_at)], link)
        })
        .await
    }

    async fn invite_links(&self, org: OrganisationId) -> Result<Vec<InviteLink>> {
        self.read(move |c| {
            all(
                c,
                &format!(
                    "SELECT {LINK_COLUMNS} FROM invite_links WHERE organisation_id = ? ORDER BY id"
                ),
                [org.0],
                link,
            )
        })
        .await
    }

    async fn invite_link_by_hash(&self, hash: &str) -> Result<Option<InviteLink>> {
        let hash = hash.to_string();
        self.read(move |c| {
            opt(
                c,
                &format!("SELECT {LINK_COLUMNS} FROM invite_links WHERE hash = ?"),
                [hash],
                link,
            )
        })
        .await
    }

    async fn delete_invite_link(&self, id: i64) -> Result<()> {
        self.write(move |tx| exactly_one(exec(tx, "DELETE FROM invite_links WHERE id = ?", [id])?))
            .await
    }

    async fn accept_invite(&self, invite_id: i64, user: UserId) -> Result<()> {
        let now = self.now();
        self.write(move |tx| {
            let found = one(
                tx,
                &format!("SELECT {INVITE_COLUMNS} FROM invites WHERE id = ?"),
                [invite_id],
                invite,
            )?;
            join(tx, found.organisation_id, user, found.role, now)?;
            exec(tx, "DELETE FROM invites WHERE id = ?", [invite_id])?;
            Ok(())
        })
        .await
    }

    async fn join_by_link(&self, link_id: i64, user: UserId) -> Result<()> {
        let now = self.now();
        self.write(move |tx| {
            let found = one(
                tx,
                &format!("SELECT {LINK_COLUMNS} FROM invite_links WHERE id = ?"),
                [link_id],
                link,
            )?;
            join(tx, found.organisation_id, user, found.role, now)
        })
        .await
    }
}
