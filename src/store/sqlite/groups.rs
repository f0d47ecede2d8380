//! Groups of an organisation and their members, in SQLite.

use super::SqliteStore;
use super::rows::{all, exactly_one, exec, one};
use crate::domain::permission::{Group, GroupId, NewGroup};
use crate::domain::{OrganisationId, UserId};
use crate::store::groups::{GROUP_COLUMNS, group, member};
use crate::store::{GroupStore, Result, StoreError};
use async_trait::async_trait;
use rusqlite::{Connection, params, params_from_iter};

fn groups_where(conn: &Connection, filter: &str, args: &[i64]) -> Result<Vec<Group>> {
    let sql = format!("SELECT {GROUP_COLUMNS} FROM user_groups g WHERE {filter} ORDER BY g.id");
    let mut groups = all(conn, &sql, params_from_iter(args), group)?;
    for g in &mut groups {
        g.members = all(
            conn,
            "SELECT user_id, group_admin FROM group_members WHERE group_id = ? ORDER BY user_id",
            [g.id.0],
            member,
        )?;
    }
    Ok(groups)
}

fn find_group(conn: &Connection, id: GroupId) -> Result<Group> {
    groups_where(conn, "g.id = ?", &[id.0])?
        .pop()
        .ok_or(StoreError::NotFound)
}

#[async_trait]
impl GroupStore for SqliteStore {
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
}
