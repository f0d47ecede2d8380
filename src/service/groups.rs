//! Groups of users, invitations and joining an organisation.

use super::organisations::check_name;
use super::secrets::random_alphanumeric;
use super::{Caller, FieldErrors, OrganisationView, Service, ServiceError, ServiceResult};
use crate::domain::organisation::Role;
use crate::domain::permission::{Group, GroupId, Invite, InviteLink, NewGroup};
use crate::domain::user::normalise_email;
use crate::domain::{OrganisationId, Timestamp, UserId};
use crate::store::StoreError;

const DUPLICATE_GROUP: &str = "A group with this name already exists in the organisation.";

fn group_conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => ServiceError::invalid("name", DUPLICATE_GROUP),
        other => other.into(),
    }
}

impl Service {
    /// Admins, and holders of `MANAGE_USER_GROUPS`, manage groups.
    async fn require_group_manager(
        &self,
        caller: &Caller,
        org: OrganisationId,
    ) -> ServiceResult<()> {
        if self
            .org_access(caller, org)
            .await?
            .allows("MANAGE_USER_GROUPS")
        {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    pub async fn groups(&self, caller: &Caller, org: OrganisationId) -> ServiceResult<Vec<Group>> {
        self.org_role(caller, org).await?;
        Ok(self.store.groups_of(org).await?)
    }

    /// The caller's own groups in the organisation.
    pub async fn my_groups(
        &self,
        caller: &Caller,
        org: OrganisationId,
    ) -> ServiceResult<Vec<Group>> {
        self.org_role(caller, org).await?;
        match caller.user() {
            Some(user) => Ok(self.store.groups_of_user(org, user.id).await?),
            None => Ok(Vec::new()),
        }
    }

    /// A group of the organisation; groups elsewhere are `NotFound`.
    pub async fn group(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: GroupId,
    ) -> ServiceResult<Group> {
        self.org_role(caller, org).await?;
        let group = self.store.group(id).await?;
        if group.organisation_id != org {
            return Err(ServiceError::NotFound);
        }
        Ok(group)
    }

    pub async fn create_group(
        &self,
        caller: &Caller,
        org: OrganisationId,
        name: &str,
        is_default: bool,
        external_id: Option<String>,
    ) -> ServiceResult<Group> {
        self.require_group_manager(caller, org).await?;
        let mut errors = FieldErrors::default();
        check_name(&mut errors, "name", name, 200);
        errors.into_result()?;
        let new = NewGroup {
            organisation_id: org,
            name: name.trim().to_string(),
            is_default,
            external_id,
        };
        self.store.create_group(&new).await.map_err(group_conflict)
    }

    pub async fn update_group(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: GroupId,
        name: Option<String>,
        is_default: Option<bool>,
    ) -> ServiceResult<Group> {
        self.require_group_manager(caller, org).await?;
        let group = self.group(caller, org, id).await?;
        let name = name.unwrap_or(group.name);
        let mut errors = FieldErrors::default();
        check_name(&mut errors, "name", &name, 200);
        errors.into_result()?;
        self.store
            .update_group(
                id,
                name.trim(),
                is_default.unwrap_or(group.is_default),
                group.external_id.as_deref(),
            )
            .await
            .map_err(group_conflict)
    }

    pub async fn delete_group(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: GroupId,
    ) -> ServiceResult<()> {
        self.require_group_manager(caller, org).await?;
        self.group(caller, org, id).await?;
        Ok(self.store.delete_group(id).await?)
    }

    /// Adds or removes members; every user must belong to the organisation.
    pub async fn change_group_members(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: GroupId,
        users: &[UserId],
        add: bool,
    ) -> ServiceResult<Group> {
        self.require_group_manager(caller, org).await?;
        self.group(caller, org, id).await?;
        if add {
            for user in users {
                if self.store.membership(org, *user).await?.is_none() {
                    return Err(ServiceError::invalid(
                        "user_ids",
                        format!("User {user} is not a member of this organisation."),
                    ));
                }
            }
            Ok(self.store.add_group_members(id, users).await?)
        } else {
            Ok(self.store.remove_group_members(id, users).await?)
        }
    }

    pub async fn set_group_admin(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: GroupId,
        user: UserId,
        admin: bool,
    ) -> ServiceResult<Group> {
        self.require_group_manager(caller, org).await?;
        self.group(caller, org, id).await?;
        Ok(self.store.set_group_admin(id, user, admin).await?)
    }

    /// Invites each address; an address already invited keeps its pending invite.
    pub async fn invite(
        &self,
        caller: &Caller,
        org: OrganisationId,
        invites: &[(String, Role)],
    ) -> ServiceResult<Vec<Invite>> {
        self.require_org_admin(caller, org).await?;
        let mut errors = FieldErrors::default();
        for (email, _) in invites {
            if !super::valid_email(&normalise_email(email)) {
                errors.add(
                    "invites",
                    format!("\"{email}\" is not a valid email address."),
                );
            }
        }
        errors.into_result()?;
        let pending = self.store.invites(org).await?;
        let mut created = Vec::new();
        for (email, role) in invites {
            let email = normalise_email(email);
            if let Some(existing) = pending.iter().find(|i| i.email == email) {
                created.push(existing.clone());
                continue;
            }
            let hash = random_alphanumeric(22)?;
            let by = caller.user().map(|u| u.id);
            created.push(
                self.store
                    .create_invite(org, &email, *role, &hash, by)
                    .await?,
            );
        }
        Ok(created)
    }

    pub async fn invites(
        &self,
        caller: &Caller,
        org: OrganisationId,
    ) -> ServiceResult<Vec<Invite>> {
        self.require_org_admin(caller, org).await?;
        Ok(self.store.invites(org).await?)
    }

    pub async fn delete_invite(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: i64,
    ) -> ServiceResult<()> {
        self.require_org_admin(caller, org).await?;
        if !self.store.invites(org).await?.iter().any(|i| i.id == id) {
            return Err(ServiceError::NotFound);
        }
        Ok(self.store.delete_invite(id).await?)
    }

    pub async fn invite_links(
        &self,
        caller: &Caller,
        org: OrganisationId,
    ) -> ServiceResult<Vec<InviteLink>> {
        self.require_org_admin(caller, org).await?;
        Ok(self.store.invite_links(org).await?)
    }

    pub async fn create_invite_link(
        &self,
        caller: &Caller,
        org: OrganisationId,
        role: Role,
        expires_at: Option<Timestamp>,
    ) -> ServiceResult<InviteLink> {
        self.require_org_admin(caller, org).await?;
        let hash = random_alphanumeric(22)?;
        Ok(self
            .store
            .create_invite_link(org, role, &hash, expires_at)
            .await?)
    }

    pub async fn delete_invite_link(
        &self,
        caller: &Caller,
        org: OrganisationId,
        id: i64,
    ) -> ServiceResult<()> {
        self.require_org_admin(caller, org).await?;
        if !self
            .store
            .invite_links(org)
            .await?
            .iter()
            .any(|l| l.id == id)
        {
            return Err(ServiceError::NotFound);
        }
        Ok(self.store.delete_invite_link(id).await?)
    }

    /// Joins the organisation of an email invite meant for the caller's address.
    pub async fn join_by_invite(
        &self,
        caller: &Caller,
        hash: &str,
    ) -> ServiceResult<OrganisationView> {
        let user = caller.user().ok_or(ServiceError::Forbidden)?;
        let invite = self
            .store
            .invite_by_hash(hash)
            .await?
            .ok_or_else(|| ServiceError::BadRequest("Invalid invite.".into()))?;
        if invite.email != user.email {
            return Err(ServiceError::BadRequest(
                "This invite was sent to another email address.".into(),
            ));
        }
        self.store.accept_invite(invite.id, user.id).await?;
        self.organisation(caller, invite.organisation_id).await
    }

    /// Joins through an invite link that has not expired.
    pub async fn join_by_link(
        &self,
        caller: &Caller,
        hash: &str,
    ) -> ServiceResult<OrganisationView> {
        let user = caller.user().ok_or(ServiceError::Forbidden)?;
        let link = self
            .store
            .invite_link_by_hash(hash)
            .await?
            .filter(|l| l.expires_at.is_none_or(|at| at > self.clock.now()))
            .ok_or_else(|| ServiceError::BadRequest("Invalid or expired invite link.".into()))?;
        self.store.join_by_link(link.id, user.id).await?;
        self.organisation(caller, link.organisation_id).await
    }

    /// Whether a sign-up may proceed without `allow_registration_without_invite`: the hash
    /// names an email invite for this address, or a live invite link.
    pub(crate) async fn invited(&self, email: &str, hash: Option<&str>) -> ServiceResult<bool> {
        let Some(hash) = hash else {
            return Ok(false);
        };
        if let Some(invite) = self.store.invite_by_hash(hash).await? {
            return Ok(invite.email == email);
        }
        Ok(self
            .store
            .invite_link_by_hash(hash)
            .await?
            .is_some_and(|l| l.expires_at.is_none_or(|at| at > self.clock.now())))
    }
}
