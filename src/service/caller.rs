//! Who is calling the management API.

use crate::domain::OrganisationId;
use crate::domain::audit::Author;
use crate::domain::organisation::OrgApiKey;
use crate::domain::user::User;

/// An authenticated caller: a user (by token) or an organisation API key.
#[derive(Debug, Clone)]
pub enum Caller {
    User(User),
    ApiKey(OrgApiKey),
}

impl Caller {
    pub fn author(&self) -> Author {
        match self {
            Caller::User(user) => Author::User(user.id),
            Caller::ApiKey(key) => Author::ApiKey(key.id),
        }
    }

    /// The user behind the call; `None` for an API key.
    pub fn user(&self) -> Option<&User> {
        match self {
            Caller::User(user) => Some(user),
            Caller::ApiKey(_) => None,
        }
    }

    pub fn is_superuser(&self) -> bool {
        self.user().is_some_and(|u| u.is_superuser)
    }

    /// The organisation an API key belongs to.
    pub fn key_organisation(&self) -> Option<OrganisationId> {
        match self {
            Caller::ApiKey(key) => Some(key.organisation_id),
            Caller::User(_) => None,
        }
    }
}
