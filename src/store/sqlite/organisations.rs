use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::audit::record;
use super::rows::{exactly_one, get_opt_ts, get_ts, opt_ts, ts};
use super::users::{USER_COLUMNS, user_at};
use crate::domain::audit::Audit;
use crate::domain::organisation::{
    Membership, NewOrgApiKey, NewOrganisation, OrgApiKey, OrgApiKeyPatch, Organisation,
    OrganisationSettings, Role,
};
use crate::domain::user::User;
use crate::domain::{OrgApiKeyId, OrganisationId, Timestamp, UserId, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::{OrganisationStore, Result, StoreError};

const ORG_COLUMNS: &str = "o.id, o.uuid, o.name, o.created_date, o.webhook_notification_email,
    o.restrict_project_create_to_admin, o.persist_trait_data, o.stop_serving_flags, o.force_2fa,
    o.block_access_to_admin, o.feature_analytics";

fn organisation(row: &Row<'_>) -> rusqlite::Result<Organisation> {
    Ok(Organisation {
        id: OrganisationId(row.get(0)?),
        uuid: row.get(1)?,
        name: row.get(2)?,
        created_date: get_ts(row, 3)?,
        settings: OrganisationSettings {
            webhook_notification_email: row.get(4)?,
            restrict_project_create_to_admin: row.get(5)?,
            persist_trait_data: row.get(6)?,
            stop_serving_flags: row.get(7)?,
            force_2fa: row.get(8)?,
            block_access_to_admin: row.get(9)?,
            feature_analytics: row.get(10)?,
        },
    })
}

fn find(conn: &Connection, id: OrganisationId) -> Result<Organisation> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ORG_COLUMNS} FROM organisations o WHERE o.id = ?"
        ))?
        .query_row([id.0], organisation)?)
}

fn role(text: String) -> rusqlite::Result<Role> {
    Role::parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, text.into())
    })
}

fn membership(row: &Row<'_>, at: usize) -> rusqlite::Result<Membership> {
    Ok(Membership {
        user_id: UserId(row.get(at)?),
        organisation_id: OrganisationId(row.get(at + 1)?),
        role: role(row.get(at + 2)?)?,
        date_joined: get_ts(row, at + 3)?,
    })
}

fn find_membership(
    conn: &Connection,
    org: OrganisationId,
    user: UserId,
) -> Result<Option<Membership>> {
    Ok(conn
        .prepare_cached(
            "SELECT user_id, organisation_id, role, date_joined FROM memberships
             WHERE organisation_id = ? AND user_id = ?",
        )?
        .query_row([org.0, user.0], |r| membership(r, 0))
        .optional()?)
}

fn upsert_membership(
    conn: &Connection,
    org: OrganisationId,
    user: UserId,
    role: Role,
    now: Timestamp,
) -> Result<Membership> {
    conn.prepare_cached(
        "INSERT INTO memberships (user_id, organisation_id, role, date_joined) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, organisation_id) DO UPDATE SET role = excluded.role",
    )?
    .execute(params![user.0, org.0, role.as_str(), ts(now)])?;
    find_membership(conn, org, user)?.ok_or(StoreError::NotFound)
}

const KEY_COLUMNS: &str = "id, organisation_id, prefix, hashed_key, name, created, revoked,
    expiry_date, is_admin, created_by";

fn api_key(row: &Row<'_>) -> rusqlite::Result<OrgApiKey> {
    Ok(OrgApiKey {
        id: OrgApiKeyId(row.get(0)?),
        organisation_id: OrganisationId(row.get(1)?),
        prefix: row.get(2)?,
        hashed_key: row.get(3)?,
        name: row.get(4)?,
        created: get_ts(row, 5)?,
        revoked: row.get(6)?,
        expiry_date: get_opt_ts(row, 7)?,
        is_admin: row.get(8)?,
        created_by: row.get::<_, Option<i64>>(9)?.map(UserId),
    })
}

fn find_key(conn: &Connection, id: OrgApiKeyId) -> Result<OrgApiKey> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE id = ?"
        ))?
        .query_row([id.0], api_key)?)
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
            let id: i64 = tx
                .prepare_cached(
                    "INSERT INTO organisations (uuid, name, created_date, webhook_notification_email,
                         restrict_project_create_to_admin, persist_trait_data, stop_serving_flags,
                         force_2fa, block_access_to_admin, feature_analytics)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )?
                .query_row(
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
            let change = Change::created(&audit, "Organisation", id.0, Some(&created.uuid), Scope::Organisation(id));
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
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {ORG_COLUMNS}, m.role FROM organisations o
                 JOIN memberships m ON m.organisation_id = o.id
                 WHERE m.user_id = ? ORDER BY o.id"
            ))?;
            let rows = stmt
                .query_map([user.0], |r| Ok((organisation(r)?, role(r.get(11)?)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
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
            tx.prepare_cached(
                "UPDATE organisations SET name = ?, webhook_notification_email = ?,
                     restrict_project_create_to_admin = ?, persist_trait_data = ?,
                     stop_serving_flags = ?, force_2fa = ?, block_access_to_admin = ?,
                     feature_analytics = ?
                 WHERE id = ?",
            )?
            .execute(params![
                name,
                s.webhook_notification_email,
                s.restrict_project_create_to_admin,
                s.persist_trait_data,
                s.stop_serving_flags,
                s.force_2fa,
                s.block_access_to_admin,
                s.feature_analytics,
                id.0,
            ])?;
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
            exactly_one(
                tx.prepare_cached("DELETE FROM organisations WHERE id = ?")?
                    .execute([id.0])?,
            )
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
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, m.user_id, m.organisation_id, m.role, m.date_joined
                 FROM memberships m JOIN users ON users.id = m.user_id
                 WHERE m.organisation_id = ? ORDER BY users.id"
            ))?;
            let rows = stmt
                .query_map([org.0], |r| Ok((user_at(r, 0)?, membership(r, 12)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    async fn remove_membership(&self, org: OrganisationId, user: UserId) -> Result<()> {
        self.write(move |tx| {
            exactly_one(
                tx.prepare_cached(
                    "DELETE FROM memberships WHERE organisation_id = ? AND user_id = ?",
                )?
                .execute([org.0, user.0])?,
            )
        })
        .await
    }

    async fn create_org_api_key(&self, key: &NewOrgApiKey, audit: &Audit) -> Result<OrgApiKey> {
        let (key, audit, now) = (key.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let id: i64 = tx
                .prepare_cached(
                    "INSERT INTO organisation_api_keys (organisation_id, prefix, hashed_key, name,
                         created, expiry_date, is_admin, created_by)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )?
                .query_row(
                    params![
                        key.organisation_id.0,
                        key.prefix,
                        key.hashed_key,
                        key.name,
                        ts(now),
                        opt_ts(key.expiry_date),
                        key.is_admin,
                        key.created_by.map(|u| u.0),
                    ],
                    |r| r.get(0),
                )?;
            let scope = Scope::Organisation(key.organisation_id);
            record(
                tx,
                now,
                &Change::created(&audit, "Master API key", id, None, scope),
            )?;
            find_key(tx, OrgApiKeyId(id))
        })
        .await
    }

    async fn org_api_keys(&self, org: OrganisationId) -> Result<Vec<OrgApiKey>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE organisation_id = ? ORDER BY id"
            ))?;
            let keys = stmt
                .query_map([org.0], api_key)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(keys)
        })
        .await
    }

    async fn org_api_key_by_prefix(&self, prefix: &str) -> Result<Option<OrgApiKey>> {
        let prefix = prefix.to_string();
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE prefix = ?"
            ))?
            .query_row([prefix], api_key)
            .optional()?)
        })
        .await
    }

    async fn update_org_api_key(
        &self,
        id: OrgApiKeyId,
        patch: &OrgApiKeyPatch,
        audit: &Audit,
    ) -> Result<OrgApiKey> {
        let (patch, audit, now) = (patch.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let before = find_key(tx, id)?;
            let expiry = match patch.expiry_date {
                Some(new) => new,
                None => before.expiry_date,
            };
            tx.prepare_cached(
                "UPDATE organisation_api_keys SET name = COALESCE(?, name),
                     revoked = COALESCE(?, revoked), expiry_date = ?
                 WHERE id = ?",
            )?
            .execute(params![patch.name, patch.revoked, opt_ts(expiry), id.0])?;
            let after = find_key(tx, id)?;
            let scope = Scope::Organisation(after.organisation_id);
            let change =
                Change::updated(&audit, "Master API key", id.0, None, scope, &before, &after);
            record(tx, now, &change)?;
            Ok(after)
        })
        .await
    }

    async fn delete_org_api_key(&self, id: OrgApiKeyId, audit: &Audit) -> Result<()> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let key = find_key(tx, id)?;
            let scope = Scope::Organisation(key.organisation_id);
            record(
                tx,
                now,
                &Change::deleted(&audit, "Master API key", id.0, None, scope),
            )?;
            tx.prepare_cached("DELETE FROM organisation_api_keys WHERE id = ?")?
                .execute([id.0])?;
            Ok(())
        })
        .await
    }
}
