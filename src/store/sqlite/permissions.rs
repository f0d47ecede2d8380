use async_trait::async_trait;
use rusqlite::{Connection, Row, Transaction, params};

use super::SqliteStore;
use super::rows::{all, exactly_one, exec, one, opt, opt_ts, ts};
use crate::domain::organisation::Role;
use crate::domain::permission::{
    Grant, GrantId, GrantTarget, Grantee, Group, GroupId, GroupMember, Invite, InviteLink,
    NewGroup, normalise_keys,
};
use crate::domain::{OrganisationId, Timestamp, UserId};
use crate::store::grants::grant_row;
use crate::store::invites::{INVITE_COLUMNS, LINK_COLUMNS, invite, link};
use crate::store::{PermissionStore, Result, StoreError};

fn group_row(conn: &Connection, row: &Row<'_>) -> Result<Group> {
    let id = GroupId(row.get(0)?);
    let members = all(
        conn,
        "SELECT user_id, group_admin FROM group_members WHERE group_id = ? ORDER BY user_id",
        [id.0],
        |r| {
            Ok(GroupMember {
                user_id: UserId(r.get(0)?),
                group_admin: r.get(1)?,
            })
        },
    )?;
    Ok(Group {
        id,
        organisation_id: OrganisationId(row.get(1)?),
        name: row.get(2)?,
        is_default: row.get(3)?,
        external_id: row.get(4)?,
        members,
    })
}

const GROUP_COLUMNS: &str = "g.id, g.organisation_id, g.name, g.is_default, g.external_id";

fn groups_where(conn: &Connection, filter: &str, args: &[i64]) -> Result<Vec<Group>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {GROUP_COLUMNS} FROM user_groups g WHERE {filter} ORDER BY g.id"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
    let mut groups = Vec::new();
    while let Some(row) = rows.next()? {
        groups.push(group_row(conn, row)?);
    }
    Ok(groups)
}

fn find_group(conn: &Connection, id: GroupId) -> Result<Group> {
    groups_where(conn, "g.id = ?", &[id.0])?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// (table, target column, target id) of a grant target.
fn grant_table(target: GrantTarget) -> (&'static str, &'static str, i64) {
    match target {
        GrantTarget::Organisation(o) => ("organisation_grants", "organisation_id", o.0),
        GrantTarget::Project(p) => ("project_grants", "project_id", p.0),
        GrantTarget::Environment(e) => ("environment_grants", "environment_id", e.0),
    }
}

fn grant_columns(column: &str) -> String {
    format!("id, {column}, user_id, group_id, admin, permissions")
}

fn find_grant(conn: &Connection, target: GrantTarget, id: GrantId) -> Result<Grant> {
    let (table, column, _) = grant_table(target);
    one(
        conn,
        &format!("SELECT {} FROM {table} WHERE id = ?", grant_columns(column)),
        [id.0],
        |r| grant_row(target, r),
    )
}

/// Makes the user a member with `role` (an admin stays admin) and adds them to the default groups.
fn join(
    tx: &Transaction<'_>,
    org: OrganisationId,
    user: UserId,
    role: Role,
    now: Timestamp,
) -> Result<()> {
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
impl PermissionStore for SqliteStore {
    async fn create_group(&self, group: &NewGroup) -> Result<Group> {
        let group = group.clone();
        self.write(move |tx| {
            let id: i64 = one(
                tx,
                "INSERT INTO user_groups (organisation_id, name, is_default, external_id)
                     VALUES (?, ?, ?, ?) RETURNING id",
                params![
                    group.organisation_id.0,
                    group.name,
                    group.is_default,
                    group.external_id
                ],
                |r| r.get(0),
            )?;
            find_group(tx, GroupId(id))
        })
        .await
    }

    async fn group(&self, id: GroupId) -> Result<Group> {
        self.read(move |c| find_group(c, id)).await
    }

    async fn groups_of(&self, org: OrganisationId) -> Result<Vec<Group>> {
        self.read(move |c| groups_where(c, "g.organisation_id = ?", &[org.0]))
            .await
    }

    async fn groups_of_user(&self, org: OrganisationId, user: UserId) -> Result<Vec<Group>> {
        self.read(move |c| {
            groups_where(
                c,
                "g.organisation_id = ? AND g.id IN (SELECT group_id FROM group_members WHERE user_id = ?)",
                &[org.0, user.0],
            )
        })
        .await
    }

    async fn update_group(
        &self,
        id: GroupId,
        name: &str,
        is_default: bool,
        external_id: Option<&str>,
    ) -> Result<Group> {
        let (name, external_id) = (name.to_string(), external_id.map(str::to_string));
        self.write(move |tx| {
            exactly_one(exec(
                tx,
                "UPDATE user_groups SET name = ?, is_default = ?, external_id = ? WHERE id = ?",
                params![name, is_default, external_id, id.0],
            )?)?;
            find_group(tx, id)
        })
        .await
    }

    async fn delete_group(&self, id: GroupId) -> Result<()> {
        self.write(move |tx| exactly_one(exec(tx, "DELETE FROM user_groups WHERE id = ?", [id.0])?))
            .await
    }

    async fn add_group_members(&self, id: GroupId, users: &[UserId]) -> Result<Group> {
        let users = users.to_vec();
        self.write(move |tx| {
            find_group(tx, id)?;
            for user in users {
                exec(tx, "INSERT INTO group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [id.0, user.0])?;
            }
            find_group(tx, id)
        })
        .await
    }

    async fn remove_group_members(&self, id: GroupId, users: &[UserId]) -> Result<Group> {
        let users = users.to_vec();
        self.write(move |tx| {
            find_group(tx, id)?;
            for user in users {
                exec(
                    tx,
                    "DELETE FROM group_members WHERE group_id = ? AND user_id = ?",
                    [id.0, user.0],
                )?;
            }
            find_group(tx, id)
        })
        .await
    }

    async fn set_group_admin(&self, id: GroupId, user: UserId, admin: bool) -> Result<Group> {
        self.write(move |tx| {
            exactly_one(exec(
                tx,
                "UPDATE group_members SET group_admin = ? WHERE group_id = ? AND user_id = ?",
                params![admin, id.0, user.0],
            )?)?;
            find_group(tx, id)
        })
        .await
    }

    async fn create_grant(
        &self,
        target: GrantTarget,
        grantee: Grantee,
        admin: bool,
        permissions: &[String],
    ) -> Result<Grant> {
        let keys = normalise_keys(permissions).join(",");
        self.write(move |tx| {
            let (table, column, object) = grant_table(target);
            let (user, group) = match grantee {
                Grantee::User(u) => (Some(u.0), None),
                Grantee::Group(g) => (None, Some(g.0)),
            };
            let id: i64 = one(
                tx,
                &format!(
                    "INSERT INTO {table} ({column}, user_id, group_id, admin, permissions)
                     VALUES (?, ?, ?, ?, ?) RETURNING id"
                ),
                params![object, user, group, admin, keys],
                |r| r.get(0),
            )?;
            find_grant(tx, target, GrantId(id))
        })
        .await
    }

    async fn grants(&self, target: GrantTarget) -> Result<Vec<Grant>> {
        self.read(move |c| {
            let (table, column, object) = grant_table(target);
            all(
                c,
                &format!(
                    "SELECT {} FROM {table} WHERE {column} = ? ORDER BY id",
                    grant_columns(column)
                ),
                [object],
                |r| grant_row(target, r),
            )
        })
        .await
    }

    async fn grant(&self, target: GrantTarget, id: GrantId) -> Result<Grant> {
        self.read(move |c| find_grant(c, target, id)).await
    }

    async fn update_grant(
        &self,
        target: GrantTarget,
        id: GrantId,
        admin: bool,
        permissions: &[String],
    ) -> Result<Grant> {
        let keys = normalise_keys(permissions).join(",");
        self.write(move |tx| {
            let (table, _, _) = grant_table(target);
            exactly_one(exec(
                tx,
                &format!("UPDATE {table} SET admin = ?, permissions = ? WHERE id = ?"),
                params![admin, keys, id.0],
            )?)?;
            find_grant(tx, target, id)
        })
        .await
    }

    async fn delete_grant(&self, target: GrantTarget, id: GrantId) -> Result<()> {
        self.write(move |tx| {
            let (table, _, _) = grant_table(target);
            exactly_one(exec(
                tx,
                &format!("DELETE FROM {table} WHERE id = ?"),
                [id.0],
            )?)
        })
        .await
    }

    async fn grants_for_user(&self, target: GrantTarget, user: UserId) -> Result<Vec<Grant>> {
        self.read(move |c| {
            let (table, column, object) = grant_table(target);
            all(
                c,
                &format!(
                    "SELECT {} FROM {table} WHERE {column} = ?1 AND (user_id = ?2
                     OR group_id IN (SELECT group_id FROM group_members WHERE user_id = ?2))
                 ORDER BY id",
                    grant_columns(column)
                ),
                [object, user.0],
                |r| grant_row(target, r),
            )
        })
        .await
    }

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
