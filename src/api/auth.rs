//! The management API's credentials: user tokens (`Token`) and organisation API keys (`Api-Key`).

use std::sync::Arc;

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::ApiKey;

use crate::service::{Caller, Service, ServiceError};

const INVALID_TOKEN: &str = "Invalid token.";
const INVALID_KEY: &str = "Valid Master API Key not found.";
const NO_CREDENTIALS: &str = "Authentication credentials were not provided.";

/// A user's login token.
#[derive(SecurityScheme)]
#[oai(
    rename = "Token",
    ty = "api_key",
    key_name = "Authorization",
    key_in = "header",
    checker = "check_token"
)]
pub struct TokenAuth(pub Authenticated);

/// An organisation API key.
#[derive(SecurityScheme)]
#[oai(
    rename = "Api-Key",
    ty = "api_key",
    key_name = "Authorization",
    key_in = "header",
    checker = "check_api_key"
)]
pub struct ApiKeyAuth(pub Authenticated);

/// Either credential; the management endpoints accept both.
#[derive(SecurityScheme)]
pub enum AdminAuth {
    Token(TokenAuth),
    ApiKey(ApiKeyAuth),
}

impl AdminAuth {
    pub fn caller(&self) -> &Caller {
        match self {
            AdminAuth::Token(TokenAuth(a)) | AdminAuth::ApiKey(ApiKeyAuth(a)) => &a.caller,
        }
    }
}

/// A verified caller and the raw token it presented (needed to log out).
pub struct Authenticated {
    pub caller: Caller,
    pub token: Option<String>,
}

fn service(req: &Request) -> poem::Result<&Arc<Service>> {
    req.data::<Arc<Service>>().ok_or_else(|| {
        ServiceError::Internal("the service is not attached to the request".into()).into()
    })
}

/// Verifies whichever credential the header carries.
async fn authenticate(req: &Request, header: &str) -> poem::Result<Authenticated> {
    let service = service(req)?;
    let (scheme, value) = header.trim().split_once(' ').unwrap_or((header, ""));
    let value = value.trim();
    match scheme {
        "Token" | "token" => match service.user_for_token(value).await? {
            Some(user) => Ok(Authenticated {
                caller: Caller::User(user),
                token: Some(value.to_string()),
            }),
            None => Err(ServiceError::Unauthenticated(INVALID_TOKEN.into()).into()),
        },
        "Api-Key" | "api-key" => match service.api_key_for(value).await? {
            Some(key) => Ok(Authenticated {
                caller: Caller::ApiKey(key),
                token: None,
            }),
            None => Err(ServiceError::Unauthenticated(INVALID_KEY.into()).into()),
        },
        _ => Err(ServiceError::Unauthenticated(NO_CREDENTIALS.into()).into()),
    }
}

/// The error that lets the other scheme try, and is never the last one reported.
fn not_this_scheme() -> poem::Error {
    ServiceError::Unauthenticated(NO_CREDENTIALS.into()).into()
}

async fn check_token(req: &Request, key: ApiKey) -> poem::Result<Authenticated> {
    if !key
        .key
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("token ")
    {
        return Err(not_this_scheme());
    }
    let auth = authenticate(req, &key.key).await?;
    match auth.caller {
        Caller::User(_) => Ok(auth),
        Caller::ApiKey(_) => Err(not_this_scheme()),
    }
}

async fn check_api_key(req: &Request, key: ApiKey) -> poem::Result<Authenticated> {
    let auth = authenticate(req, &key.key).await?;
    match auth.caller {
        Caller::ApiKey(_) => Ok(auth),
        Caller::User(_) => Err(not_this_scheme()),
    }
}
