//! Invitations by email and invite links, and joining through them, in PostgreSQL.

use super::PostgresStore;
use super::Tx;
use super::rows::{all, exactly_one, exec, one, opt};
use crate::domain::organisation::Role;
use crate::domain::permission::{Invite, InviteLink};
use crate::domain::{OrganisationId, Timestamp, UserId};
use crate::store::invites::{INVITE_COLUMNS, LINK_COLUMNS, invite, link};
use crate::store::{InviteStore, Result};
use async_trait::async_trait;

/// Makes the user a member with `role` (an admin stays admin) and adds them to the default groups.
async fn join(
    tx: &Tx<'_>,
    org: OrganisationId,
    user: UserId,
    role: Role,
    now: Timestamp,
) -> Result<()> {
    exec(
        tx,
        "INSERT INTO memberships (user_id, organisation_id, role, date_joined) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, organisation_id) DO UPDATE SET
             role = CASE WHEN memberships.role = 'ADMIN' THEN 'ADMIN' ELSE excluded.role END",
        &[&user.0, &org.0, &role.as_str(), &now],
    )
    .await?;
    exec(
        tx,
        "INSERT INTO group_members (group_id, user_id) SELECT id, $1 FROM user_groups
         WHERE organisation_id = $2 AND is_default ON CONFLICT DO NOTHING",
        &[&user.0, &org.0],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl InviteStore for PostgresStore {
    async fn create_invite(
        &self,
        org: OrganisationId,
        email: &str,
        role: Role,
        hash: &str,
        invited_by: Option<UserId>,
    ) -> Result<Invite> {
        let client = self.client().await?;
        one(
            &client,
            &format!(
                "INSERT INTO invites (organisation_id, email, role, hash, invited_by, date_created)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {INVITE_COLUMNS}"
            ),
            &[
                &org.0,
                &email,
                &role.as_str(),
                &hash,
                &invited_by.map(|u| u.0),
                &self.now(),
            ],
            invite,
        )
        .await
    }

    async fn invites(&self, org: OrganisationId) -> Result<Vec<Invite>> {
        let client = self.client().await?;
        all(
            &client,
            &format!("SELECT {INVITE_COLUMNS} FROM invites WHERE organisation_id = $1 ORDER BY id"),
            &[&org.0],
            invite,
        )
        .await
    }

    async fn invite_by_hash(&self, hash: &str) -> Result<Option<Invite>> {
        let client = self.client().await?;
        opt(
            &client,
            &format!("SELECT {INVITE_COLUMNS} FROM invites WHERE hash = $1"),
            &[&hash],
            invite,
        )
        .await
    }

    async fn delete_invite(&self, id: i64) -> Result<()> {
        let client = self.client().await?;
        exactly_one(exec(&client, "DELETE FROM invites WHERE id = $1", &[&id]).await?)
    }

    async fn create_invite_link(
        &self,
        org: OrganisationId,
        role: Role,
        hash: &str,
        expires_at: Option<Timestamp>,
    ) -> Result<InviteLink> {
        let client = self.client().await?;
        one(
            &client,
            &format!(
                "INSERT INTO invite_links (organisation_id, role, hash, date_created, expires_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING {LINK_COLUMNS}"
            ),
            &[&org.0, &role.as_str(), &hash, &self.now(), &expires_at],
            link,
        )
        .await
    }

    async fn invite_links(&self, org: OrganisationId) -> Result<Vec<InviteLink>> {
        let client = self.client().await?;
        all(
            &client,
            &format!(
                "SELECT {LINK_COLUMNS} FROM invite_links WHERE organisation_id = $1 ORDER BY id"
            ),
            &[&org.0],
            link,
        )
        .await
    }

    async fn invite_link_by_hash(&self, hash: &str) -> Result<Option<InviteLink>> {
        let client = self.client().await?;
        opt(
            &client,
            &format!("SELECT {LINK_COLUMNS} FROM invite_links WHERE hash = $1"),
            &[&hash],
            link,
        )
        .await
    }

    async fn delete_invite_link(&self, id: i64) -> Result<()> {
        let client = self.client().await?;
        exactly_one(exec(&client, "DELETE FROM invite_links WHERE id = $1", &[&id]).await?)
    }

    async fn accept_invite(&self, invite_id: i64, user: UserId) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let found = one(
            &tx,
            &format!("SELECT {INVITE_COLUMNS} FROM invites WHERE id = $1 FOR UPDATE"),
            &[&invite_id],
            invite,
        )
        .await?;
        join(&tx, found.organisation_id, user, found.role, now).await?;
        exec(&tx, "DELETE FROM invites WHERE id = $1", &[&invite_id]).await?;
        self.commit(tx).await?;
        Ok(())
    }

    async fn join_by_link(&self, link_id: i64, user: UserId) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let found = one(
            &tx,
            &format!("SELECT {LINK_COLUMNS} FROM invite_links WHERE id = $1"),
            &[&link_id],
            link,
        )
        .await?;
        join(&tx, found.organisation_id, user, found.role, now).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
