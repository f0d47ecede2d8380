use async_trait::async_trait;

use super::Result;
use crate::domain::audit::Audit;
use crate::domain::organisation::{
    Membership, NewOrgApiKey, NewOrganisation, OrgApiKey, OrgApiKeyPatch, Organisation,
    OrganisationSettings, Role,
};
use crate::domain::user::User;
use crate::domain::{OrgApiKeyId, OrganisationId, UserId};

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

    /// `Conflict` when the prefix is taken; `NotFound` when the organisation does not exist.
    async fn create_org_api_key(&self, key: &NewOrgApiKey, audit: &Audit) -> Result<OrgApiKey>;

    /// The organisation's keys, revoked ones included, ordered by id.
    async fn org_api_keys(&self, org: OrganisationId) -> Result<Vec<OrgApiKey>>;

    /// The key with this prefix in any organisation, if any.
    async fn org_api_key_by_prefix(&self, prefix: &str) -> Result<Option<OrgApiKey>>;

    /// `NotFound` when there is no such key.
    async fn update_org_api_key(
        &self,
        id: OrgApiKeyId,
        patch: &OrgApiKeyPatch,
        audit: &Audit,
    ) -> Result<OrgApiKey>;

    /// `NotFound` when there is no such key.
    async fn delete_org_api_key(&self, id: OrgApiKeyId, audit: &Audit) -> Result<()>;
}
