//! Invitations, invite links and joining: `…/invite/`, `…/invites/`, `…/invite-links/`, `join/`.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::organisations::{MemberOut, OrganisationOut, RoleName};
use super::{Created, NoContent};
use crate::api::auth::AdminAuth;
use crate::api::body::Body;
use crate::api::email::Email;
use crate::api::pagination::Paginated;
use crate::api::{Tag, datetime};
use crate::domain::OrganisationId;
use crate::domain::Timestamp;
use crate::domain::organisation::Role;
use crate::domain::permission::{Invite, InviteLink};
use crate::service::{Caller, Service};

pub struct InvitesApi;

#[derive(Debug, Object)]
pub struct InviteOut {
    id: i64,
    email: String,
    role: String,
    date_created: String,
    /// The member who invited, with their role (null once they have left).
    invited_by: Option<MemberOut>,
    /// Always empty: invites here add people to no group.
    permission_groups: Vec<i64>,
    /// Where the invited person joins (no email is sent: hand this over).
    link: String,
}

/// The invites as answered, each with the member who sent it.
async fn out(
    svc: &Service,
    caller: &Caller,
    org: OrganisationId,
    invites: Vec<Invite>,
) -> poem::Result<Vec<InviteOut>> {
    let members = svc.members(caller, org, false).await?;
    Ok(invites
        .into_iter()
        .map(|i| InviteOut {
            link: format!("/api/v1/users/join/{}/", i.hash),
            id: i.id,
            email: i.email,
            role: i.role.as_str().to_string(),
            date_created: datetime(i.date_created),
            invited_by: members
                .iter()
                .find(|(u, _)| Some(u.id) == i.invited_by)
                .cloned()
                .map(Into::into),
            permission_groups: Vec::new(),
        })
        .collect())
}

#[derive(Debug, Object, Deserialize)]
pub struct InviteItem {
    email: Email,
    role: Option<RoleName>,
}

#[derive(Debug, Object, Deserialize)]
pub struct InvitesIn {
    #[serde(default)]
    #[oai(default)]
    invites: Vec<InviteItem>,
    /// Older clients send plain addresses, invited as users.
    #[serde(default)]
    #[oai(default)]
    emails: Vec<Email>,
}

#[derive(Debug, Object)]
pub struct InviteLinkOut {
    id: i64,
    hash: String,
    date_created: String,
    role: String,
    expires_at: Option<String>,
}

impl From<InviteLink> for InviteLinkOut {
    fn from(l: InviteLink) -> Self {
        InviteLinkOut {
            id: l.id,
            hash: l.hash,
            date_created: datetime(l.date_created),
            role: l.role.as_str().to_string(),
            expires_at: l.expires_at.map(datetime),
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct InviteLinkIn {
    role: Option<RoleName>,
    expires_at: Option<Timestamp>,
}

#[OpenApi(tag = "Tag::Organisations")]
impl InvitesApi {
    /// Invite people by email; without an email server the answer carries each join link.
    #[oai(path = "/api/v1/organisations/:org/invite/", method = "post")]
    async fn invite(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        body: Body<InvitesIn>,
    ) -> poem::Result<Created<Vec<InviteOut>>> {
        let b = body.0;
        let mut wanted: Vec<(String, Role)> = b
            .invites
            .into_iter()
            .map(|i| (i.email.0, i.role.map(Role::from).unwrap_or(Role::User)))
            .collect();
        wanted.extend(b.emails.into_iter().map(|e| (e.0, Role::User)));
        let org = OrganisationId(org.0);
        let invites = svc.invite(auth.caller(), org, &wanted).await?;
        Ok(Created::Created(Json(
            out(&svc, auth.caller(), org, invites).await?,
        )))
    }

    /// Pending invites.
    #[oai(path = "/api/v1/organisations/:org/invites/", method = "get")]
    async fn invites(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
    ) -> poem::Result<Json<Paginated<InviteOut>>> {
        let org = OrganisationId(org.0);
        let invites = svc.invites(auth.caller(), org).await?;
        Ok(Json(Paginated::all(
            out(&svc, auth.caller(), org, invites).await?,
        )))
    }

    /// One pending invite (organisation admins).
    #[oai(path = "/api/v1/organisations/:org/invites/:id/", method = "get")]
    async fn get_invite(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<Json<InviteOut>> {
        let org = OrganisationId(org.0);
        let invites = svc.invites(auth.caller(), org).await?;
        let found = invites
            .into_iter()
            .find(|i| i.id == id.0)
            .ok_or(crate::service::ServiceError::NotFound(None))?;
        let mut answered = out(&svc, auth.caller(), org, vec![found]).await?;
        Ok(Json(answered.remove(0)))
    }

    /// Without an email server there is nothing to resend: answers the invite with its link.
    #[oai(
        path = "/api/v1/organisations/:org/invites/:id/resend/",
        method = "post"
    )]
    async fn resend_invite(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<Json<InviteOut>> {
        self.get_invite(svc, auth, org, id).await
    }

    /// Withdraws a pending invite (organisation admins).
    #[oai(path = "/api/v1/organisations/:org/invites/:id/", method = "delete")]
    async fn delete_invite(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_invite(auth.caller(), OrganisationId(org.0), id.0)
            .await?;
        Ok(NoContent::Done)
    }

    /// The organisation's invite links (organisation admins).
    #[oai(path = "/api/v1/organisations/:org/invite-links/", method = "get")]
    async fn invite_links(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
    ) -> poem::Result<Json<Vec<InviteLinkOut>>> {
        let links = svc
            .invite_links(auth.caller(), OrganisationId(org.0))
            .await?;
        Ok(Json(links.into_iter().map(Into::into).collect()))
    }

    /// Creates an invite link with a role and expiry (organisation admins).
    #[oai(path = "/api/v1/organisations/:org/invite-links/", method = "post")]
    async fn create_invite_link(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        body: Body<InviteLinkIn>,
    ) -> poem::Result<Created<InviteLinkOut>> {
        let role = body.0.role.map(Role::from).unwrap_or(Role::User);
        let link = svc
            .create_invite_link(
                auth.caller(),
                OrganisationId(org.0),
                role,
                body.0.expires_at,
            )
            .await?;
        Ok(Created::Created(Json(link.into())))
    }

    /// Revokes an invite link (organisation admins).
    #[oai(
        path = "/api/v1/organisations/:org/invite-links/:id/",
        method = "delete"
    )]
    async fn delete_invite_link(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        org: Path<i64>,
        id: Path<i64>,
    ) -> poem::Result<NoContent> {
        svc.delete_invite_link(auth.caller(), OrganisationId(org.0), id.0)
            .await?;
        Ok(NoContent::Done)
    }

    /// Accept an email invite (the caller's address must be the invited one).
    #[oai(path = "/api/v1/users/join/:hash/", method = "post")]
    async fn join(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        hash: Path<String>,
    ) -> poem::Result<Json<OrganisationOut>> {
        Ok(Json(
            svc.join_by_invite(auth.caller(), &hash.0).await?.into(),
        ))
    }

    /// Join through an invite link.
    #[oai(path = "/api/v1/users/join/link/:hash/", method = "post")]
    async fn join_link(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        hash: Path<String>,
    ) -> poem::Result<Json<OrganisationOut>> {
        Ok(Json(svc.join_by_link(auth.caller(), &hash.0).await?.into()))
    }
}
