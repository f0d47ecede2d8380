//! Organisations and their memberships, in SQLite.

use super::SqliteStore;
use super::audit::record;
use super::rows::{all, exactly_one, exec, one, opt, ts};
use crate::domain::audit::Audit;
use crate::domain::organisation::{
    Membership, NewOrganisation, Organisation, OrganisationSettings, Role,
};
use crate::domain::user::User;
use crate::domain::{OrganisationId, Timestamp, UserId, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::organisations::{ORG_COLUMNS, membership, organisation, role};
use crate::store::users::{USER_COLUMNS, user_at};
use crate::store::{OrganisationStore, Result, StoreError};
use async_trait::async_trait;
use rusqlite::{Connection, params};

fn find(conn: &Connection, id: OrganisationId) -> Result<Organisation> {
    one(
        conn,
        &format!("SELECT {ORG_COLUMNS} FROM organisations o WHERE o.id = ?"),
        [id.0],
        organisation,
    )
}

fn find_membership(
    conn: &Connection,
    org: OrganisationId,
    user: UserId,
) -> Result<Option<Membership>> {
    opt(
        conn,
        "SELECT user_id, organisation_id, role, date_joined FROM memberships
             WHERE organisation_id = ? AND user_id = ?",
        [org.0, user.0],
        |r| membership(r, 0),
    )
}

fn upsert_membership(
    conn: &Connection,
    org: OrganisationId,
    user: UserId,
    role: Role,
    now: Timestamp,
) -> Result<Membership> {
    exec(
        conn,
        "INSERT INTO memberships (user_id, organisation_id, role, date_joined) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, organisation_id) DO UPDATE SET role = excluded.role",
        params![user.0, org.0, role.as_str(), ts(now)],
    )?;
    find_membership(conn, org, user)?.ok_or(StoreError::NotFound)
}

#[async_trait]
impl OrganisationStore for SqliteStore {
    async fn create_organisation(
        &self,
        org: &NewOrganisation,
        admin: Option<UserId>,
        audit: &Audit,
    ) -> Result<Organisation> {
        let (org, audit, now) = (org.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let s = &org.settings;
            let id: i64 = one(
                tx,
                "INSERT INTO organisations (uuid, name, created_date, webhook_notification_email,
                         restrict_project_create_to_admin, persist_trait_data, stop_serving_flags,
                         force_2fa, block_access_to_admin, feature_analytics)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                params![
                    new_uuid(),
                    org.name,
                    ts(now),
                    s.webhook_notification_email,
                    s.restrict_project_create_to_admin,
                    s.persist_trait_data,
                    s.stop_serving_flags,
                    s.force_2fa,
                    s.block_access_to_admin,
                    s.feature_analytics,
                ],
                |r| r.get(0),
            )?;
            let id = OrganisationId(id);
            if let Some(user) = admin {
                upsert_membership(tx, id, user, Role::Admin, now)?;
            }
            let created = find(tx, id)?;
            let change = Change::created(
                &audit,
                "Organisation",
                id.0,
                Some(&created.uuid),
                Scope::Organisation(id),
            );
            record(tx, now, &change)?;
            Ok(created)
        })
        .await
    }

    async fn organisation(&self, id: OrganisationId) -> Result<Organisation> {
        self.read(move |c| find(c, id)).await
    }

    async fn organisations_of(&self, user: UserId) -> Result<Vec<(Organisation, Role)>> {
        self.read(move |c| {
            let rows = all(
                c,
                &format!(
                    "SELECT {ORG_COLUMNS}, m.role FROM organisations o
                 JOIN memberships m ON m.organisation_id = o.id
                 WHERE m.user_id = ? ORDER BY o.id"
                ),
                [user.0],
                |r| Ok((organisation(r)?, role(&r.get::<String>(11)?)?)),
            )?;
            Ok(rows)
        })
        .await
    }

    async fn update_organisation(
        &self,
        id: OrganisationId,
        name: &str,
        settings: &OrganisationSettings,
        audit: &Audit,
    ) -> Result<Organisation> {
        let (name, s, audit, now) = (
            name.to_string(),
            settings.clone(),
            audit.clone(),
            self.now(),
        );
        self.write(move |tx| {
            let before = find(tx, id)?;
            exec(
                tx,
                "UPDATE organisations SET name = ?, webhook_notification_email = ?,
                     restrict_project_create_to_admin = ?, persist_trait_data = ?,
                     stop_serving_flags = ?, force_2fa = ?, block_access_to_admin = ?,
                     feature_analytics = ?
                 WHERE id = ?",
                params![
                    name,
                    s.webhook_notification_email,
                    s.restrict_project_create_to_admin,
                    s.persist_trait_data,
                    s.stop_serving_flags,
                    s.force_2fa,
                    s.block_access_to_admin,
                    s.feature_analytics,
                    id.0,
                ],
            )?;
            let after = find(tx, id)?;
            let change = Change::updated(
                &audit,
                "Organisation",
                id.0,
                Some(&after.uuid),
                Scope::Organisation(id),
                &before,
                &after,
            );
            record(tx, now, &change)?;
            Ok(after)
        })
        .await
    }

    async fn delete_organisation(&self, id: OrganisationId) -> Result<()> {
        self.write(move |tx| {
            exactly_one(exec(tx, "DELETE FROM organisations WHERE id = ?", [id.0])?)?;
            tx.changed(Scope::Organisation(id));
            Ok(())
        })
        .await
    }

    async fn set_membership(
        &self,
        org: OrganisationId,
        user: UserId,
        role: Role,
    ) -> Result<Membership> {
        let now = self.now();
        self.write(move |tx| upsert_membership(tx, org, user, role, now))
            .await
    }

    async fn membership(&self, org: OrganisationId, user: UserId) -> Result<Option<Membership>> {
        self.read(move |c| find_membership(c, org, user)).await
    }

    async fn members(&self, org: OrganisationId) -> Result<Vec<(User, Membership)>> {
        self.read(move |c| {
            let rows = all(
                c,
                &format!(
                    "SELECT {USER_COLUMNS}, m.user_id, m.organisation_id, m.role, m.date_joined
                 FROM memberships m JOIN users ON users.id = m.user_id
                 WHERE m.organisation_id = ? ORDER BY users.id"
                ),
                [org.0],
                |r| Ok((user_at(r, 0)?, membership(r, 12)?)),
            )?;
            Ok(rows)
        })
        .await
    }

    async fn remove_membership(&self, org: OrganisationId, user: UserId) -> Result<()> {
        self.write(move |tx| {
            exactly_one(exec(
                tx,
                "DELETE FROM memberships WHERE organisation_id = ? AND user_id = ?",
                [org.0, user.0],
            )?)
        })
        .await
    }
}
