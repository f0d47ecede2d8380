//! Invitations by email and invite links, and joining an organisation through them.

use super::secrets::random_alphanumeric;
use super::{Caller, FieldErrors, OrganisationView, Service, ServiceError, ServiceResult};
use crate::domain::organisation::Role;
use crate::domain::permission::{Invite, InviteLink};
use crate::domain::user::normalise_email;
use crate::domain::{OrganisationId, Timestamp};

impl Service {
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
            return Err(ServiceError::NotFound(None));
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
            return Err(ServiceError::NotFound(None));
        }
        Ok(self.store.delete_invite_link(id).await?)
    }

    /// Joins the organisation of an email invite meant for the caller's address.
    pub async fn join_by_invite(
        &self,
        caller: &Caller,
        hash: &str,
    ) -> ServiceResult<OrganisationView> {
        let user = caller.user().ok_or(ServiceError::Forbidden(None))?;
        let invite = self
            .store
            .invite_by_hash(hash)
            .await?
            .ok_or_else(|| ServiceError::bad_request("Invalid invite."))?;
        if invite.email != user.email {
            return Err(ServiceError::bad_request(
                "This invite was sent to another email address.",
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
        let user = caller.user().ok_or(ServiceError::Forbidden(None))?;
        let link = self
            .store
            .invite_link_by_hash(hash)
            .await?
            .filter(|l| l.expires_at.is_none_or(|at| at > self.clock.now()))
            .ok_or_else(|| ServiceError::bad_request("Invalid or expired invite link."))?;
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
