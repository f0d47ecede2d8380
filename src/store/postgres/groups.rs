//! Groups of an organisation and their members, in PostgreSQL.

use super::PostgresStore;
use super::Tx;
use super::rows::{Conn, Params, all, exactly_one, exec, one};
use crate::domain::permission::{Group, GroupId, NewGroup};
use crate::domain::{OrganisationId, UserId};
use crate::store::groups::{GROUP_COLUMNS, group, member};
use crate::store::{GroupStore, Result, StoreError};
use async_trait::async_trait;

async fn groups_where(client: &impl Conn, filter: &str, args: Params<'_>) -> Result<Vec<Group>> {
    let sql = format!("SELECT {GROUP_COLUMNS} FROM user_groups g WHERE {filter} ORDER BY g.id");
    let mut groups = all(client, &sql, args, group).await?;
    for g in &mut groups {
        g.members = all(
            client,
            "SELECT user_id, group_admin FROM group_members WHERE group_id = $1 ORDER BY user_id",
            &[&g.id.0],
            member,
        )
        .await?;
    }
    Ok(groups)
}

async fn find_group(client: &impl Conn, id: GroupId) -> Result<Group> {
    groups_where(client, "g.id = $1", &[&id.0])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

#[async_trait]
impl GroupStore for PostgresStore {
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
        let tx = Tx::begin(&mut client).await?;
        find_group(&tx, id).await?;
        for user in users {
            exec(
                &tx,
                "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&id.0, &user.0],
            )
            .await?;
        }
        let group = find_group(&tx, id).await?;
        self.commit(tx).await?;
        Ok(group)
    }

    async fn remove_group_members(&self, id: GroupId, users: &[UserId]) -> Result<Group> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        find_group(&tx, id).await?;
        for user in users {
            exec(
                &tx,
                "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2",
                &[&id.0, &user.0],
            )
            .await?;
        }
        let group = find_group(&tx, id).await?;
        self.commit(tx).await?;
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
}
