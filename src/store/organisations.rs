//! Organisations and their memberships: the storage trait and how a row reads.

use super::Result;
use crate::domain::audit::Audit;
use crate::domain::organisation::{
    Membership, NewOrganisation, Organisation, OrganisationSettings, Role,
};
use crate::domain::user::User;
use crate::domain::{OrganisationId, UserId};
use crate::store::StoreError;
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Organisations, memberships and organisation API keys.
#[async_trait]
pub trait OrganisationStore: Send + Sync {
    /// Creates an organisation; `admin`, when given, becomes its `ADMIN` in the same transaction.
    /// `NotFound` when `admin` names no user.
    async fn create_organisation(
        &self,
        org: &NewOrganisation,
        admin: Option<UserId>,
        audit: &Audit,
    ) -> Result<Organisation>;

    /// `NotFound` when there is no such organisation.
    async fn organisation(&self, id: OrganisationId) -> Result<Organisation>;

    /// The organisations the user belongs to, with the user's role there, ordered by id.
    async fn organisations_of(&self, user: UserId) -> Result<Vec<(Organisation, Role)>>;

    /// Renames the organisation and replaces its settings. `NotFound` when there is no such
    /// organisation.
    async fn update_organisation(
        &self,
        id: OrganisationId,
        name: &str,
        settings: &OrganisationSettings,
        audit: &Audit,
    ) -> Result<Organisation>;

    /// Deletes the organisation and everything in it (projects, environments, keys, audit log).
    /// `NotFound` when there is no such organisation.
    async fn delete_organisation(&self, id: OrganisationId) -> Result<()>;

    /// Adds the user to the organisation, or changes the role of a member.
    /// `NotFound` when the user or the organisation does not exist.
    async fn set_membership(
        &self,
        org: OrganisationId,
        user: UserId,
        role: Role,
    ) -> Result<Membership>;

    async fn membership(&self, org: OrganisationId, user: UserId) -> Result<Option<Membership>>;

    /// The members with their user records, ordered by user id.
    async fn members(&self, org: OrganisationId) -> Result<Vec<(User, Membership)>>;

    /// Removes a member. `NotFound` when the user is not a member.
    async fn remove_membership(&self, org: OrganisationId, user: UserId) -> Result<()>;
}

pub(super) const ORG_COLUMNS: &str =
    "o.id, o.uuid, o.name, o.created_date, o.webhook_notification_email,
    o.restrict_project_create_to_admin, o.persist_trait_data, o.stop_serving_flags, o.force_2fa,
    o.block_access_to_admin, o.feature_analytics";

pub(super) fn organisation(row: &dyn Columns) -> Result<Organisation> {
    Ok(Organisation {
        id: OrganisationId(row.get(0)?),
        uuid: row.get(1)?,
        name: row.get(2)?,
        created_date: row.get(3)?,
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

pub(super) fn membership(row: &dyn Columns, at: usize) -> Result<Membership> {
    Ok(Membership {
        user_id: UserId(row.get(at)?),
        organisation_id: OrganisationId(row.get(at + 1)?),
        role: role(&row.get::<String>(at + 2)?)?,
        date_joined: row.get(at + 3)?,
    })
}

/// A member's role from its stored name.
pub(super) fn role(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| StoreError::Other(format!("unknown role {text:?}")))
}
