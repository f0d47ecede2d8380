//! User accounts and their tokens: the storage trait and how a row reads.

use super::Result;
use crate::domain::user::{NewUser, User, UserPatch};
use crate::domain::{Timestamp, UserId};
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Users and their login tokens. Tokens are stored only as hashes.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates a user. `email` must already be normalised; `Conflict` when a user has it.
    async fn create_user(&self, user: &NewUser) -> Result<User>;

    /// Creates the user only while no user exists at all (the first superuser); `None` when
    /// one already does. Concurrent callers cannot both succeed.
    async fn create_first_user(&self, user: &NewUser) -> Result<Option<User>>;

    /// `NotFound` when there is no such user.
    async fn user(&self, id: UserId) -> Result<User>;

    /// The user with this normalised email, if any.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;

    /// Changes the fields the patch sets. `NotFound` when there is no such user.
    async fn update_user(&self, id: UserId, patch: &UserPatch) -> Result<User>;

    /// Replaces the password hash. `NotFound` when there is no such user.
    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<()>;

    /// Sets `last_login`. `NotFound` when there is no such user.
    async fn record_login(&self, id: UserId, at: Timestamp) -> Result<()>;

    async fn count_users(&self) -> Result<u64>;

    /// Whether any user has ever logged in.
    async fn any_login(&self) -> Result<bool>;

    /// Deletes the user with their tokens and memberships; audit entries they wrote lose
    /// their author. `NotFound` when there is no such user.
    async fn delete_user(&self, id: UserId) -> Result<()>;

    /// Stores a login token by the hash of its secret; a user may hold several.
    /// `NotFound` when there is no such user.
    async fn create_token(&self, user: UserId, token_hash: &str) -> Result<()>;

    /// The active user owning the token with this hash, if any.
    async fn user_by_token(&self, token_hash: &str) -> Result<Option<User>>;

    /// Deletes one token; an unknown hash is not an error.
    async fn delete_token(&self, token_hash: &str) -> Result<()>;

    /// Deletes every token of the user.
    async fn delete_tokens_of(&self, user: UserId) -> Result<()>;
}

pub(super) const USER_COLUMNS: &str = "users.id, users.uuid, users.email, users.password_hash,
    users.first_name, users.last_name, users.is_active, users.is_superuser, users.date_joined,
    users.last_login, users.sign_up_type, users.marketing_consent_given";

/// Reads a user from the twelve columns of `USER_COLUMNS`, starting at `at`.
pub(super) fn user_at(row: &dyn Columns, at: usize) -> Result<User> {
    Ok(User {
        id: UserId(row.get(at)?),
        uuid: row.get(at + 1)?,
        email: row.get(at + 2)?,
        password_hash: row.get(at + 3)?,
        first_name: row.get(at + 4)?,
        last_name: row.get(at + 5)?,
        is_active: row.get(at + 6)?,
        is_superuser: row.get(at + 7)?,
        date_joined: row.get(at + 8)?,
        last_login: row.get(at + 9)?,
        sign_up_type: row.get(at + 10)?,
        marketing_consent_given: row.get(at + 11)?,
    })
}

pub(super) fn user(row: &dyn Columns) -> Result<User> {
    user_at(row, 0)
}
