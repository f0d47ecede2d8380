use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use super::PostgresStore;
use super::rows::{all, exactly_one, exec, one};
use crate::domain::organisation::Role;
use crate::domain::permission::{
    Grant, GrantId, GrantTarget, Grantee, Group, GroupId, GroupMember, Invite, InviteLink,
    NewGroup, normalise_keys,
};
use crate::domain::{OrganisationId, Timestamp, UserId};
use crate::store::grants::grant_row;
use crate::store::invites::{INVITE_COLUMNS, LINK_COLUMNS, invite, link};
use crate::store::{PermissionStore, Result, StoreError};

const GROUP_COLUMNS: &str = "g.id, g.organisation_id, g.name, g.is_default, g.external_id";

async fn group_row(client: &impl GenericClient, row: &Row) -> Result<Group> {
    let id = GroupId(row.try_get(0)?);
    let members = all(
        client,
        "SELECT user_id, group_admin FROM group_members WHERE group_id = $1 ORDER BY user_id",
        &[&id.0],
        |r| {
            Ok(GroupMember {
                user_id: UserId(r.get(0)?),
                group_admin: r.get(1)?,
            })
        },
    )
    .await?;
    Ok(Group {
        id,
        organisation_id: OrganisationId(row.try_get(1)?),
        name: row.try_get(2)?,
        is_default: row.try_get(3)?,
        external_id: row.try_get(4)?,
        members,
    })
}

async fn groups_where(
    client: &impl GenericClient,
    filter: &str,
    args: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<Group>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {GROUP_COLUMNS} FROM user_groups g WHERE {filter} ORDER BY g.id"
        ))
        .await?;
    let mut groups = Vec::new();
    for row in client.query(&stmt, args).await? {
        groups.push(group_row(client, &row).await?);
    }
    Ok(groups)
}

async fn find_group(client: &impl GenericClient, id: GroupId) -> Result<Group> {
    groups_where(client, "g.id = $1", &[&id.0])
        .await?
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

async fn find_grant(
    client: &impl GenericClient,
    target: GrantTarget,
    id: GrantId,
) -> Result<Grant> {
    let (table, column, _) = grant_table(target);
    one(
        client,
        &format!(
            "SELECT {} FROM {table} WHERE id = $1",
            grant_columns(column)
        ),
        &[&id.0],
        |r| grant_row(target, r),
    )
    .await
}

/// Makes the user a member with `role` (an admin stays admin) and adds them to the default groups.
async fn join(
    tx: &Transaction<'_>,
    org: OrganisationId,
    user: UserId,
    role: Role,
    now: Timestamp,
) -> Result<()> {
    let member = tx
        .prepare_cached(
            "INSERT INTO memberships (user_id, organisation_id, role, date_joined) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, organisation_id) DO UPDATE SET
                 role = CASE WHEN memberships.role = 'ADMIN' THEN 'ADMIN' ELSE excluded.role END",
        )
        .await?;
    tx.execute(&member, &[&user.0, &org.0, &role.as_str(), &now])
        .await?;
    let groups = tx
        .prepare_cached(
            "INSERT INTO group_members (group_id, user_id) SELECT id, $1 FROM user_groups
             WHERE organisation_id = $2 AND is_default ON CONFLICT DO NOTHING",
        )
        .await?;
    tx.execute(&groups, &[&user.0, &org.0]).await?;
    Ok(())
}

#[async_trait]
impl PermissionStore for PostgresStore {
    async fn create_group(&self, group: &NewGroup) -> Result<Group> {
        let client = self.client().await?;
        let id: i64 = one(
            &client,
            "INSERT INTO user_groups (organisation_id, name, is_default, external_id)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            &[
                &group.organisation_id.0,
                &group.name,
                &group.is_default,
                &group.external_id,
            ],
            |r| r.get(0),
        )
        .await?;
        find_group(&client, GroupId(id)).await
    }

    async fn group(&self, id: GroupId) -> Result<Group> {
        let client = self.client().await?;
        find_group(&client, id).await
    }

    async fn groups_of(&self, org: OrganisationId) -> Result<Vec<Group>> {
        let client = self.client().await?;
        groups_where(&client, "g.organisation_id = $1", &[&org.0]).await
    }

    async fn groups_of_user(&self, org: OrganisationId, user: UserId) -> Result<Vec<Group>> {
        let client = self.client().await?;
        groups_where(
            &client,
            "g.organisation_id = $1 AND g.id IN (SELECT group_id FROM group_members WHERE user_id = $2)",
            &[&org.0, &user.0],
        )
        .await
    }

    async fn update_group(
        &self,
        id: GroupId,
        name: &str,
        is_default: bool,
        external_id: Option<&str>,
    ) -> Result<Group> {
        let client = self.client().await?;
        exactly_one(
            exec(
                &client,
                "UPDATE user_groups SET name = $1, is_default = $2, external_id = $3 WHERE id = $4",
                &[&name, &is_default, &external_id, &id.0],
            )
            .await?,
        )?;
        find_group(&client, id).await
    }

    async fn delete_group(&self, id: GroupId) -> Result<()> {
        let client = self.client().await?;
        exactly_one(exec(&client, "DELETE FROM user_groups WHERE id = $1", &[&id.0]).await?)
    }

    async fn add_group_members(&self, id: GroupId, users: &[UserId]) -> Result<Group> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        find_group(&tx, id).await?;
        let stmt = tx
            .prepare_cached("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .await?;
        for user in users {
            tx.execute(&stmt, &[&id.0, &user.0]).await?;
        }
        let group = find_group(&tx, id).await?;
        tx.commit().await?;
        Ok(group)
    }

    async fn remove_group_members(&self, id: GroupId, users: &[UserId]) -> Result<Group> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        find_group(&tx, id).await?;
        let stmt = tx
            .prepare_cached("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
            .await?;
        for user in users {
            tx.execute(&stmt, &[&id.0, &user.0]).await?;
        }
        let group = find_group(&tx, id).await?;
        tx.commit().await?;
        Ok(group)
    }

    async fn set_group_admin(&self, id: GroupId, user: UserId, admin: bool) -> Result<Group> {
        let client = self.client().await?;
        exactly_one(
            exec(
                &client,
                "UPDATE group_members SET group_admin = $1 WHERE group_id = $2 AND user_id = $3",
                &[&admin, &id.0, &user.0],
            )
            .await?,
        )?;
        find_group(&client, id).await
    }

    async fn create_grant(
        &self,
        target: GrantTarget,
        grantee: Grantee,
        admin: bool,
        permissions: &[String],
    ) -> Result<Grant> {
        let keys = normalise_keys(permissions).join(",");
        let (table, column, object) = grant_table(target);
        let (user, group) = match grantee {
            Grantee::User(u) => (Some(u.0), None),
            Grantee::Group(g) => (None, Some(g.0)),
        };
        let client = self.client().await?;
        one(
            &client,
            &format!(
                "INSERT INTO {table} ({column}, user_id, group_id, admin, permissions)
                 VALUES ($1, $2, $3, $4, $5) RETURNING {}",
                grant_columns(column)
            ),
            &[&object, &user, &group, &admin, &keys],
            |r| grant_row(target, r),
        )
        .await
    }

    async fn grants(&self, target: GrantTarget) -> Result<Vec<Grant>> {
        let (table, column, object) = grant_table(target);
        let client = self.client().await?;
        all(
            &client,
            &format!(
                "SELECT {} FROM {table} WHERE {column} = $1 ORDER BY id",
                grant_columns(column)
            ),
            &[&object],
            |r| grant_row(target, r),
        )
        .await
    }

    async fn grant(&self, target: GrantTarget, id: GrantId) -> Result<Grant> {
        let client = self.client().await?;
        find_grant(&client, target, id).await
    }

    async fn update_grant(
        &self,
        target: GrantTarget,
        id: GrantId,
        admin: bool,
        permissions: &[String],
    ) -> Result<Grant> {
        let keys = normalise_keys(permissions).join(",");
        let (table, _, _) = grant_table(target);
        let client = self.client().await?;
        exactly_one(
            exec(
                &client,
                &format!("UPDATE {table} SET admin = $1, permissions = $2 WHERE id = $3"),
                &[&admin, &keys, &id.0],
            )
            .await?,
        )?;
        find_grant(&client, target, id).await
    }

    async fn delete_grant(&self, target: GrantTarget, id: GrantId) -> Result<()> {
        let (table, _, _) = grant_table(target);
        let client = self.client().await?;
        exactly_one(
            exec(
                &client,
                &format!("DELETE FROM {table} WHERE id = $1"),
                &[&id.0],
            )
            .await?,
        )
    }

    async fn grants_for_user(&self, target: GrantTarget, user: UserId) -> Result<Vec<Grant>> {
        let (table, column, object) = grant_table(target);
        let client = self.client().await?;
        all(
            &client,
            &format!(
                "SELECT {} FROM {table} WHERE {column} = $1 AND (user_id = $2
                     OR group_id IN (SELECT group_id FROM group_members WHERE user_id = $2))
                 ORDER BY id",
                grant_columns(column)
            ),
            &[&object, &user.0],
            |r| grant_row(target, r),
        )
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
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {INVITE_COLUMNS} FROM invites WHERE hash = $1"
            ))
            .await?;
        client
            .query_opt(&stmt, &[&hash])
            .await?
            .map(|r| invite(&r))
            .transpose()
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
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {LINK_COLUMNS} FROM invite_links WHERE hash = $1"
            ))
            .await?;
        client
            .query_opt(&stmt, &[&hash])
            .await?
            .map(|r| link(&r))
            .transpose()
    }

    async fn delete_invite_link(&self, id: i64) -> Result<()> {
        let client = self.client().await?;
        exactly_one(exec(&client, "DELETE FROM invite_links WHERE id = $1", &[&id]).await?)
    }

    async fn accept_invite(&self, invite_id: i64, user: UserId) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let stmt = tx
            .prepare_cached(&format!(
                "SELECT {INVITE_COLUMNS} FROM invites WHERE id = $1 FOR UPDATE"
            ))
            .await?;
        let found = invite(
            &tx.query_opt(&stmt, &[&invite_id])
                .await?
                .ok_or(StoreError::NotFound)?,
        )?;
        join(&tx, found.organisation_id, user, found.role, now).await?;
        let delete = tx
            .prepare_cached("DELETE FROM invites WHERE id = $1")
            .await?;
        tx.execute(&delete, &[&invite_id]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn join_by_link(&self, link_id: i64, user: UserId) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let stmt = tx
            .prepare_cached(&format!(
                "SELECT {LINK_COLUMNS} FROM invite_links WHERE id = $1"
            ))
            .await?;
        let found = link(
            &tx.query_opt(&stmt, &[&link_id])
                .await?
                .ok_or(StoreError::NotFound)?,
        )?;
        join(&tx, found.organisation_id, user, found.role, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
