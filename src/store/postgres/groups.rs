//! Groups of an organisation and their members, in PostgreSQL.

use super::PostgresStore;
use super::rows::{all, exactly_one, exec, one};
use crate::domain::permission::{Group, GroupId, GroupMember, NewGroup};
use crate::domain::{OrganisationId, UserId};
use crate::store::{GroupStore, Result, StoreError};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

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
}
