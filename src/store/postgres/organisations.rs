use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::audit::record;
use super::users::{USER_COLUMNS, user_at};
use super::{PostgresStore, exactly_one};
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

fn organisation(row: &Row) -> Result<Organisation> {
    Ok(Organisation {
        id: OrganisationId(row.try_get(0)?),
        uuid: row.try_get(1)?,
        name: row.try_get(2)?,
        created_date: row.try_get(3)?,
        settings: OrganisationSettings {
            webhook_notification_email: row.try_get(4)?,
            restrict_project_create_to_admin: row.try_get(5)?,
            persist_trait_data: row.try_get(6)?,
            stop_serving_flags: row.try_get(7)?,
            force_2fa: row.try_get(8)?,
            block_access_to_admin: row.try_get(9)?,
            feature_analytics: row.try_get(10)?,
        },
    })
}

async fn find(client: &impl GenericClient, id: OrganisationId) -> Result<Organisation> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {ORG_COLUMNS} FROM organisations o WHERE o.id = $1"
        ))
        .await?;
    let row = client
        .query_opt(&stmt, &[&id.0])
        .await?
        .ok_or(StoreError::NotFound)?;
    organisation(&row)
}

fn role(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| StoreError::Other(format!("unknown role {text:?}")))
}

fn membership(row: &Row, at: usize) -> Result<Membership> {
    Ok(Membership {
        user_id: UserId(row.try_get(at)?),
        organisation_id: OrganisationId(row.try_get(at + 1)?),
        role: role(row.try_get(at + 2)?)?,
        date_joined: row.try_get(at + 3)?,
    })
}

async fn find_membership(
    client: &impl GenericClient,
    org: OrganisationId,
    user: UserId,
) -> Result<Option<Membership>> {
    let stmt = client
        .prepare_cached(
            "SELECT user_id, organisation_id, role, date_joined FROM memberships
             WHERE organisation_id = $1 AND user_id = $2",
        )
        .await?;
    client
        .query_opt(&stmt, &[&org.0, &user.0])
        .await?
        .map(|row| membership(&row, 0))
        .transpose()
}

async fn upsert_membership(
    client: &impl GenericClient,
    org: OrganisationId,
    user: UserId,
    role: Role,
    now: Timestamp,
) -> Result<Membership> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO memberships (user_id, organisation_id, role, date_joined) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, organisation_id) DO UPDATE SET role = excluded.role",
        )
        .await?;
    client
        .execute(&stmt, &[&user.0, &org.0, &role.as_str(), &now])
        .await?;
    find_membership(client, org, user)
        .await?
        .ok_or(StoreError::NotFound)
}

const KEY_COLUMNS: &str = "id, organisation_id, prefix, hashed_key, name, created, revoked,
    expiry_date, is_admin, created_by";

fn api_key(row: &Row) -> Result<OrgApiKey> {
    Ok(OrgApiKey {
        id: OrgApiKeyId(row.try_get(0)?),
        organisation_id: OrganisationId(row.try_get(1)?),
        prefix: row.try_get(2)?,
        hashed_key: row.try_get(3)?,
        name: row.try_get(4)?,
        created: row.try_get(5)?,
        revoked: row.try_get(6)?,
        expiry_date: row.try_get(7)?,
        is_admin: row.try_get(8)?,
        created_by: row.try_get::<_, Option<i64>>(9)?.map(UserId),
    })
}

async fn find_key(client: &impl GenericClient, id: OrgApiKeyId) -> Result<OrgApiKey> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE id = $1"
        ))
        .await?;
    let row = client
        .query_opt(&stmt, &[&id.0])
        .await?
        .ok_or(StoreError::NotFound)?;
    api_key(&row)
}

#[async_trait]
impl OrganisationStore for PostgresStore {
    async fn create_organisation(
        &self,
        org: &NewOrganisation,
        admin: Option<UserId>,
        audit: &Audit,
    ) -> Result<Organisation> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let s = &org.settings;
        let stmt = tx
            .prepare_cached(
                "INSERT INTO organisations (uuid, name, created_date, webhook_notification_email,
                     restrict_project_create_to_admin, persist_trait_data, stop_serving_flags,
                     force_2fa, block_access_to_admin, feature_analytics)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .await?;
        let id: i64 = tx
            .query_one(
                &stmt,
                &[
                    &new_uuid(),
                    &org.name,
                    &now,
                    &s.webhook_notification_email,
                    &s.restrict_project_create_to_admin,
                    &s.persist_trait_data,
                    &s.stop_serving_flags,
                    &s.force_2fa,
                    &s.block_access_to_admin,
                    &s.feature_analytics,
                ],
            )
            .await?
            .try_get(0)?;
        let id = OrganisationId(id);
        if let Some(user) = admin {
            upsert_membership(&tx, id, user, Role::Admin, now).await?;
        }
        let created = find(&tx, id).await?;
        let change = Change::created(
            audit,
            "Organisation",
            id.0,
            Some(&created.uuid),
            Scope::Organisation(id),
        );
        record(&tx, now, &change).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn organisation(&self, id: OrganisationId) -> Result<Organisation> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn organisations_of(&self, user: UserId) -> Result<Vec<(Organisation, Role)>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {ORG_COLUMNS}, m.role FROM organisations o
                 JOIN memberships m ON m.organisation_id = o.id
                 WHERE m.user_id = $1 ORDER BY o.id"
            ))
            .await?;
        client
            .query(&stmt, &[&user.0])
            .await?
            .iter()
            .map(|r| Ok((organisation(r)?, role(r.try_get(11)?)?)))
            .collect()
    }

    async fn update_organisation(
        &self,
        id: OrganisationId,
        name: &str,
        settings: &OrganisationSettings,
        audit: &Audit,
    ) -> Result<Organisation> {
        let now = self.now();
        let s = settings;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let before = find(&tx, id).await?;
        let stmt = tx
            .prepare_cached(
                "UPDATE organisations SET name = $1, webhook_notification_email = $2,
                     restrict_project_create_to_admin = $3, persist_trait_data = $4,
                     stop_serving_flags = $5, force_2fa = $6, block_access_to_admin = $7,
                     feature_analytics = $8
                 WHERE id = $9",
            )
            .await?;
        tx.execute(
            &stmt,
            &[
                &name,
                &s.webhook_notification_email,
                &s.restrict_project_create_to_admin,
                &s.persist_trait_data,
                &s.stop_serving_flags,
                &s.force_2fa,
                &s.block_access_to_admin,
                &s.feature_analytics,
                &id.0,
            ],
        )
        .await?;
        let after = find(&tx, id).await?;
        let change = Change::updated(
            audit,
            "Organisation",
            id.0,
            Some(&after.uuid),
            Scope::Organisation(id),
            &before,
            &after,
        );
        record(&tx, now, &change).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn delete_organisation(&self, id: OrganisationId) -> Result<()> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("DELETE FROM organisations WHERE id = $1")
            .await?;
        exactly_one(client.execute(&stmt, &[&id.0]).await?)
    }

    async fn set_membership(
        &self,
        org: OrganisationId,
        user: UserId,
        role: Role,
    ) -> Result<Membership> {
        let client = self.client().await?;
        upsert_membership(&client, org, user, role, self.now()).await
    }

    async fn membership(&self, org: OrganisationId, user: UserId) -> Result<Option<Membership>> {
        let client = self.client().await?;
        find_membership(&client, org, user).await
    }

    async fn members(&self, org: OrganisationId) -> Result<Vec<(User, Membership)>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, m.user_id, m.organisation_id, m.role, m.date_joined
                 FROM memberships m JOIN users ON users.id = m.user_id
                 WHERE m.organisation_id = $1 ORDER BY users.id"
            ))
            .await?;
        client
            .query(&stmt, &[&org.0])
            .await?
            .iter()
            .map(|r| Ok((user_at(r, 0)?, membership(r, 12)?)))
            .collect()
    }

    async fn remove_membership(&self, org: OrganisationId, user: UserId) -> Result<()> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("DELETE FROM memberships WHERE organisation_id = $1 AND user_id = $2")
            .await?;
        exactly_one(client.execute(&stmt, &[&org.0, &user.0]).await?)
    }

    async fn create_org_api_key(&self, key: &NewOrgApiKey, audit: &Audit) -> Result<OrgApiKey> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let stmt = tx
            .prepare_cached(
                "INSERT INTO organisation_api_keys (organisation_id, prefix, hashed_key, name,
                     created, expiry_date, is_admin, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .await?;
        let id: i64 = tx
            .query_one(
                &stmt,
                &[
                    &key.organisation_id.0,
                    &key.prefix,
                    &key.hashed_key,
                    &key.name,
                    &now,
                    &key.expiry_date,
                    &key.is_admin,
                    &key.created_by.map(|u| u.0),
                ],
            )
            .await?
            .try_get(0)?;
        let scope = Scope::Organisation(key.organisation_id);
        record(
            &tx,
            now,
            &Change::created(audit, "Master API key", id, None, scope),
        )
        .await?;
        let created = find_key(&tx, OrgApiKeyId(id)).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn org_api_keys(&self, org: OrganisationId) -> Result<Vec<OrgApiKey>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE organisation_id = $1 ORDER BY id"
            ))
            .await?;
        client
            .query(&stmt, &[&org.0])
            .await?
            .iter()
            .map(api_key)
            .collect()
    }

    async fn org_api_key_by_prefix(&self, prefix: &str) -> Result<Option<OrgApiKey>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM organisation_api_keys WHERE prefix = $1"
            ))
            .await?;
        client
            .query_opt(&stmt, &[&prefix])
            .await?
            .map(|row| api_key(&row))
            .transpose()
    }

    async fn update_org_api_key(
        &self,
        id: OrgApiKeyId,
        patch: &OrgApiKeyPatch,
        audit: &Audit,
    ) -> Result<OrgApiKey> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let before = find_key(&tx, id).await?;
        let expiry = match patch.expiry_date {
            Some(new) => new,
            None => before.expiry_date,
        };
        let stmt = tx
            .prepare_cached(
                "UPDATE organisation_api_keys SET name = COALESCE($1, name),
                     revoked = COALESCE($2, revoked), expiry_date = $3
                 WHERE id = $4",
            )
            .await?;
        tx.execute(&stmt, &[&patch.name, &patch.revoked, &expiry, &id.0])
            .await?;
        let after = find_key(&tx, id).await?;
        let scope = Scope::Organisation(after.organisation_id);
        let change = Change::updated(audit, "Master API key", id.0, None, scope, &before, &after);
        record(&tx, now, &change).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn delete_org_api_key(&self, id: OrgApiKeyId, audit: &Audit) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let key = find_key(&tx, id).await?;
        let scope = Scope::Organisation(key.organisation_id);
        record(
            &tx,
            now,
            &Change::deleted(audit, "Master API key", id.0, None, scope),
        )
        .await?;
        let stmt = tx
            .prepare_cached("DELETE FROM organisation_api_keys WHERE id = $1")
            .await?;
        tx.execute(&stmt, &[&id.0]).await?;
        tx.commit().await?;
        Ok(())
    }
}
