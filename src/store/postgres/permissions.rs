use async_trait::async_trait;

use super::PostgresStore;
use crate::domain::organisation::Role;
use crate::domain::permission::{
    Grant, GrantId, GrantTarget, Grantee, Group, GroupId, Invite, InviteLink, NewGroup,
};
use crate::domain::{OrganisationId, Timestamp, UserId};
use crate::store::{PermissionStore, Result, StoreError};

#[async_trait]
#[allow(unused_variables)]
impl PermissionStore for PostgresStore {
    async fn create_group(&self, group: &NewGroup) -> Result<Group> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn group(&self, id: GroupId) -> Result<Group> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn groups_of(&self, org: OrganisationId) -> Result<Vec<Group>> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn groups_of_user(&self, org: OrganisationId, user: UserId) -> Result<Vec<Group>> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn update_group(
        &self,
        id: GroupId,
        name: &str,
        is_default: bool,
        external_id: Option<&str>,
    ) -> Result<Group> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn delete_group(&self, id: GroupId) -> Result<()> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn add_group_members(&self, id: GroupId, users: &[UserId]) -> Result<Group> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn remove_group_members(&self, id: GroupId, users: &[UserId]) -> Result<Group> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn set_group_admin(&self, id: GroupId, user: UserId, admin: bool) -> Result<Group> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn create_grant(
        &self,
        target: GrantTarget,
        grantee: Grantee,
        admin: bool,
        permissions: &[String],
    ) -> Result<Grant> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn grants(&self, target: GrantTarget) -> Result<Vec<Grant>> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn grant(&self, target: GrantTarget, id: GrantId) -> Result<Grant> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn update_grant(
        &self,
        target: GrantTarget,
        id: GrantId,
        admin: bool,
        permissions: &[String],
    ) -> Result<Grant> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn delete_grant(&self, target: GrantTarget, id: GrantId) -> Result<()> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn grants_for_user(&self, target: GrantTarget, user: UserId) -> Result<Vec<Grant>> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn create_invite(
        &self,
        org: OrganisationId,
        email: &str,
        role: Role,
        hash: &str,
        invited_by: Option<UserId>,
    ) -> Result<Invite> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn invites(&self, org: OrganisationId) -> Result<Vec<Invite>> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn invite_by_hash(&self, hash: &str) -> Result<Option<Invite>> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn delete_invite(&self, id: i64) -> Result<()> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn create_invite_link(
        &self,
        org: OrganisationId,
        role: Role,
        hash: &str,
        expires_at: Option<Timestamp>,
    ) -> Result<InviteLink> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn invite_links(&self, org: OrganisationId) -> Result<Vec<InviteLink>> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn invite_link_by_hash(&self, hash: &str) -> Result<Option<InviteLink>> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn delete_invite_link(&self, id: i64) -> Result<()> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn accept_invite(&self, invite_id: i64, user: UserId) -> Result<()> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }

    async fn join_by_link(&self, link_id: i64, user: UserId) -> Result<()> {
        Err(StoreError::Other("permissions are not stored yet".into()))
    }
}
