//! Organisations and their memberships, in PostgreSQL.

use super::PostgresStore;
use super::Tx;
use super::audit::record;
use super::rows::{Conn, all, exactly_one, exec, one, opt};
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

async fn find(client: &impl Conn, id: OrganisationId) -> Result<Organisation> {
    one(
        client,
        &format!("SELECT {ORG_COLUMNS} FROM organisations o WHERE o.id = $1"),
        &[&id.0],
        organisation,
    )
    .await
}

async fn find_membership(
    client: &impl Conn,
    org: OrganisationId,
    user: UserId,
) -> Result<Option<Membership>> {
    opt(
        client,
        "SELECT user_id, organisation_id, role, date_joined FROM memberships
             WHERE organisation_id = $1 AND user_id = $2",
        &[&org.0, &user.0],
        |r| membership(r, 0),
    )
    .await
}

async fn upsert_membership(
    client: &impl Conn,
    org: OrganisationId,
    user: UserId,
    role: Role,
    now: Timestamp,
) -> Result<Membership> {
    exec(client, "INSERT INTO memberships (user_id, organisation_id, role, date_joined) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, organisation_id) DO UPDATE SET role = excluded.role", &[&user.0, &org.0, &role.as_str(), &now]).await?;
    find_membership(client, org, user)
        .await?
        .ok_or(StoreError::NotFound)
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
        let tx = Tx::begin(&mut client).await?;
        let s = &org.settings;
        let id: i64 = one(
            &tx,
            "INSERT INTO organisations (uuid, name, created_date, webhook_notification_email,
                     restrict_project_create_to_admin, persist_trait_data, stop_serving_flags,
                     force_2fa, block_access_to_admin, feature_analytics)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
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
            |r| r.get(0),
        )
        .await?;
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
        self.commit(tx).await?;
        Ok(created)
    }

    async fn organisation(&self, id: OrganisationId) -> Result<Organisation> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn organisations_of(&self, user: UserId) -> Result<Vec<(Organisation, Role)>> {
        let client = self.client().await?;
        all(
            &client,
            &format!(
                "SELECT {ORG_COLUMNS}, m.role FROM organisations o
                 JOIN memberships m ON m.organisation_id = o.id
                 WHERE m.user_id = $1 ORDER BY o.id"
            ),
            &[&user.0],
            |r| Ok((organisation(r)?, role(&r.get::<String>(11)?)?)),
        )
        .await
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
        let tx = Tx::begin(&mut client).await?;
        let before = find(&tx, id).await?;
        exec(
            &tx,
            "UPDATE organisations SET name = $1, webhook_notification_email = $2,
                     restrict_project_create_to_admin = $3, persist_trait_data = $4,
                     stop_serving_flags = $5, force_2fa = $6, block_access_to_admin = $7,
                     feature_analytics = $8
                 WHERE id = $9",
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
        self.commit(tx).await?;
        Ok(after)
    }

    async fn delete_organisation(&self, id: OrganisationId) -> Result<()> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        exactly_one(exec(&tx, "DELETE FROM organisations WHERE id = $1", &[&id.0]).await?)?;
        tx.changed(Scope::Organisation(id));
        self.commit(tx).await
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
        all(
            &client,
            &format!(
                "SELECT {USER_COLUMNS}, m.user_id, m.organisation_id, m.role, m.date_joined
                 FROM memberships m JOIN users ON users.id = m.user_id
                 WHERE m.organisation_id = $1 ORDER BY users.id"
            ),
            &[&org.0],
            |r| Ok((user_at(r, 0)?, membership(r, 12)?)),
        )
        .await
    }

    async fn remove_membership(&self, org: OrganisationId, user: UserId) -> Result<()> {
        let client = self.client().await?;
        exactly_one(
            exec(
                &client,
                "DELETE FROM memberships WHERE organisation_id = $1 AND user_id = $2",
                &[&org.0, &user.0],
            )
            .await?,
        )
    }
}
