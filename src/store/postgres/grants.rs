//! Permission grants to users and groups, in PostgreSQL.

use super::PostgresStore;
use super::rows::{Conn, all, exactly_one, exec, one};
use crate::domain::UserId;
use crate::domain::permission::{Grant, GrantId, GrantTarget, Grantee, normalise_keys};
use crate::store::grants::grant_row;
use crate::store::{GrantStore, Result};
use async_trait::async_trait;

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

async fn find_grant(client: &impl Conn, target: GrantTarget, id: GrantId) -> Result<Grant> {
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

#[async_trait]
impl GrantStore for PostgresStore {
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
}
