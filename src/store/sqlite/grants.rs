//! Permission grants to users and groups, in SQLite.

use super::SqliteStore;
use super::rows::{all, exactly_one, exec, one};
use crate::domain::UserId;
use crate::domain::permission::{Grant, GrantId, GrantTarget, Grantee, normalise_keys};
use crate::store::grants::grant_row;
use crate::store::{GrantStore, Result};
use async_trait::async_trait;
use rusqlite::{Connection, params};

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

#[async_trait]
impl GrantStore for SqliteStore {
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
}
