//! `/api/v1/auth/…`: sign-up, login, logout, the current user, password change.

use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::NoContent;
use crate::api::Tag;
use crate::api::auth::{AdminAuth, TokenAuth};
use crate::api::body::Body;
use crate::domain::user::{User, UserPatch};
use crate::service::{Caller, Service, ServiceError, Signup};

pub struct AccountsApi;

#[derive(Debug, Object, Deserialize)]
#[oai(example)]
pub struct SignupRequest {
    email: String,
    password: String,
    #[serde(default)]
    #[oai(default)]
    first_name: String,
    #[serde(default)]
    #[oai(default)]
    last_name: String,
    /// Accepted only while no user exists: creates the first superuser.
    #[serde(default)]
    #[oai(default)]
    superuser: bool,
    /// `NO_INVITE`, `INVITE_EMAIL` or `INVITE_LINK`.
    sign_up_type: Option<String>,
    invite_hash: Option<String>,
    #[serde(default)]
    #[oai(default)]
    marketing_consent_given: bool,
}

impl poem_openapi::types::Example for SignupRequest {
    fn example() -> Self {
        SignupRequest {
            email: "ada@example.com".into(),
            password: "correct horse battery".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            superuser: false,
            sign_up_type: None,
            invite_hash: None,
            marketing_consent_given: false,
        }
    }
}

/// A new account and its login token.
#[derive(Debug, Object)]
pub struct SignupResponse {
    id: i64,
    uuid: String,
    email: String,
    first_name: String,
    last_name: String,
    sign_up_type: Option<String>,
    is_active: bool,
    marketing_consent_given: bool,
    key: String,
}

#[derive(ApiResponse)]
pub enum SignupCreated {
    #[oai(status = 201)]
    Created(Json<SignupResponse>),
}

#[derive(Debug, Object, Deserialize)]
#[oai(example)]
pub struct LoginRequest {
    email: String,
    password: String,
}

impl poem_openapi::types::Example for LoginRequest {
    fn example() -> Self {
        LoginRequest {
            email: "ada@example.com".into(),
            password: "correct horse battery".into(),
        }
    }
}

#[derive(Debug, Object)]
pub struct TokenResponse {
    key: String,
}

/// The current user.
#[derive(Debug, Object)]
pub struct CurrentUser {
    id: i64,
    uuid: String,
    email: String,
    first_name: String,
    last_name: String,
    sign_up_type: Option<String>,
    auth_type: String,
    is_superuser: bool,
    date_joined: String,
    last_login: Option<String>,
    marketing_consent_given: bool,
}

impl From<User> for CurrentUser {
    fn from(u: User) -> Self {
        CurrentUser {
            id: u.id.0,
            uuid: u.uuid,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            sign_up_type: u.sign_up_type,
            auth_type: "EMAIL".into(),
            is_superuser: u.is_superuser,
            date_joined: crate::api::datetime(u.date_joined),
            last_login: u.last_login.map(crate::api::datetime),
            marketing_consent_given: u.marketing_consent_given,
        }
    }
}

/// A user as other people see them: feature owners, grants, group members (upstream's
/// `UserListSerializer`).
#[derive(Debug, Clone, Object)]
pub struct UserOut {
    id: i64,
    email: String,
    first_name: String,
    last_name: String,
    last_login: Option<String>,
    uuid: String,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        UserOut {
            id: u.id.0,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            last_login: u.last_login.map(crate::api::datetime),
            uuid: u.uuid,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct UpdateMe {
    first_name: Option<String>,
    last_name: Option<String>,
    marketing_consent_given: Option<bool>,
}

#[derive(Debug, Object, Deserialize)]
pub struct SetPassword {
    current_password: String,
    new_password: String,
    re_new_password: String,
}

fn user_of(caller: &Caller) -> poem::Result<&User> {
    caller
        .user()
        .ok_or_else(|| ServiceError::Forbidden(None).into())
}

#[OpenApi(tag = "Tag::Accounts")]
impl AccountsApi {
    /// Sign up (with `superuser: true` only while no user exists).
    #[oai(path = "/api/v1/auth/users/", method = "post")]
    async fn sign_up(
        &self,
        service: Data<&Arc<Service>>,
        body: Body<SignupRequest>,
    ) -> poem::Result<SignupCreated> {
        let b = body.0;
        let signup = Signup {
            email: b.email,
            password: b.password,
            first_name: b.first_name,
            last_name: b.last_name,
            superuser: b.superuser,
            sign_up_type: b.sign_up_type,
            invite_hash: b.invite_hash,
            marketing_consent_given: b.marketing_consent_given,
        };
        let (user, key) = service.sign_up(signup).await?;
        Ok(SignupCreated::Created(Json(SignupResponse {
            id: user.id.0,
            uuid: user.uuid,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            sign_up_type: user.sign_up_type,
            is_active: user.is_active,
            marketing_consent_given: user.marketing_consent_given,
            key,
        })))
    }

    /// Log in with email and password; answers a token for `Authorization: Token <key>`.
    #[oai(path = "/api/v1/auth/login/", method = "post")]
    async fn log_in(
        &self,
        service: Data<&Arc<Service>>,
        req: &Request,
        body: Body<LoginRequest>,
    ) -> poem::Result<Json<TokenResponse>> {
        let peer = req.remote_addr().as_socket_addr().map(|a| a.ip());
        let forwarded_for = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let client = service.client_address(
            peer,
            Some(forwarded_for).filter(|h| !h.is_empty()).as_deref(),
        );
        let key = service
            .log_in(&body.0.email, &body.0.password, client)
            .await?;
        Ok(Json(TokenResponse { key }))
    }

    /// Log out: deletes the token used for this request.
    #[oai(path = "/api/v1/auth/token/", method = "delete")]
    async fn log_out(
        &self,
        service: Data<&Arc<Service>>,
        auth: TokenAuth,
    ) -> poem::Result<NoContent> {
        if let Some(token) = &auth.0.token {
            service.log_out(token).await?;
        }
        Ok(NoContent::Done)
    }

    /// The current user.
    #[oai(path = "/api/v1/auth/users/me/", method = "get")]
    async fn me(&self, auth: AdminAuth) -> poem::Result<Json<CurrentUser>> {
        Ok(Json(user_of(auth.caller())?.clone().into()))
    }

    /// Change the current user's names and consent.
    #[oai(path = "/api/v1/auth/users/me/", method = "put")]
    async fn replace_me(
        &self,
        service: Data<&Arc<Service>>,
        auth: AdminAuth,
        body: Body<UpdateMe>,
    ) -> poem::Result<Json<CurrentUser>> {
        self.update_me(service, auth, body).await
    }

    /// Change some of the current user's names and consent.
    #[oai(path = "/api/v1/auth/users/me/", method = "patch")]
    async fn update_me(
        &self,
        service: Data<&Arc<Service>>,
        auth: AdminAuth,
        body: Body<UpdateMe>,
    ) -> poem::Result<Json<CurrentUser>> {
        let patch = UserPatch {
            first_name: body.0.first_name,
            last_name: body.0.last_name,
            marketing_consent_given: body.0.marketing_consent_given,
        };
        let user = service.update_me(user_of(auth.caller())?, &patch).await?;
        Ok(Json(user.into()))
    }

    /// Change the current user's password.
    #[oai(path = "/api/v1/auth/users/set_password/", method = "post")]
    async fn set_password(
        &self,
        service: Data<&Arc<Service>>,
        auth: AdminAuth,
        body: Body<SetPassword>,
    ) -> poem::Result<NoContent> {
        let b = body.0;
        service
            .set_password(
                user_of(auth.caller())?,
                &b.current_password,
                &b.new_password,
                &b.re_new_password,
            )
            .await?;
        Ok(NoContent::Done)
    }
}
