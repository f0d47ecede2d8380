//! User accounts and their tokens, in SQLite.

use super::SqliteStore;
use super::rows::{exactly_one, exec, one, opt, ts};
use crate::domain::user::{NewUser, User, UserPatch};
use crate::domain::{Timestamp, UserId, new_uuid};
use crate::store::users::{USER_COLUMNS, user};
use crate::store::{Result, UserStore};
use async_trait::async_trait;
use rusqlite::{Connection, params};

fn find(conn: &Connection, id: UserId) -> Result<User> {
    one(
        conn,
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"),
        [id.0],
        user,
    )
}

fn insert(conn: &Connection, new: &NewUser, now: Timestamp) -> Result<User> {
    let id: i64 = one(
        conn,
        "INSERT INTO users (uuid, email, password_hash, first_name, last_name, is_superuser,
                 date_joined, sign_up_type, marketing_consent_given)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            new_uuid(),
            new.email,
            new.password_hash,
            new.first_name,
            new.last_name,
            new.is_superuser,
            ts(now),
            new.sign_up_type,
            new.marketing_consent_given,
        ],
        |r| r.get(0),
    )?;
    find(conn, UserId(id))
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn create_user(&self, user: &NewUser) -> Result<User> {
        let (user, now) = (user.clone(), self.now());
        self.write(move |tx| insert(tx, &user, now)).await
    }

    async fn create_first_user(&self, user: &NewUser) -> Result<Option<User>> {
        let (user, now) = (user.clone(), self.now());
        // The single writer serialises this check with every other insert.
        self.write(move |tx| {
            let any: bool = one(tx, "SELECT EXISTS (SELECT 1 FROM users)", [], |r| r.get(0))?;
            if any {
                Ok(None)
            } else {
                insert(tx, &user, now).map(Some)
            }
        })
        .await
    }

    async fn user(&self, id: UserId) -> Result<User> {
        self.read(move |c| find(c, id)).await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let email = email.to_string();
        self.read(move |c| {
            opt(
                c,
                &format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?"),
                [email],
                user,
            )
        })
        .await
    }

    async fn update_user(&self, id: UserId, patch: &UserPatch) -> Result<User> {
        let patch = patch.clone();
        self.write(move |tx| {
            exactly_one(exec(
                tx,
                "UPDATE users SET first_name = COALESCE(?, first_name),
                         last_name = COALESCE(?, last_name),
                         marketing_consent_given = COALESCE(?, marketing_consent_given)
                     WHERE id = ?",
                params![
                    patch.first_name,
                    patch.last_name,
                    patch.marketing_consent_given,
                    id.0
                ],
            )?)?;
            find(tx, id)
        })
        .await
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<()> {
        let hash = hash.to_string();
        self.write(move |tx| {
            exactly_one(exec(
                tx,
                "UPDATE users SET password_hash = ? WHERE id = ?",
                params![hash, id.0],
            )?)
        })
        .await
    }

    async fn record_login(&self, id: UserId, at: Timestamp) -> Result<()> {
        self.write(move |tx| {
            exactly_one(exec(
                tx,
                "UPDATE users SET last_login = ? WHERE id = ?",
                params![ts(at), id.0],
            )?)
        })
        .await
    }

    async fn count_users(&self) -> Result<u64> {
        self.read(|c| {
            let n: i64 = one(c, "SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
            Ok(n as u64)
        })
        .await
    }

    async fn any_login(&self) -> Result<bool> {
        self.read(|c| {
            one(
                c,
                "SELECT EXISTS (SELECT 1 FROM users WHERE last_login IS NOT NULL)",
                [],
                |r| r.get(0),
            )
        })
        .await
    }

    async fn delete_user(&self, id: UserId) -> Result<()> {
        self.write(move |tx| exactly_one(exec(tx, "DELETE FROM users WHERE id = ?", [id.0])?))
            .await
    }

    async fn create_token(&self, user: UserId, token_hash: &str) -> Result<()> {
        let (hash, now) = (token_hash.to_string(), self.now());
        self.write(move |tx| {
            exec(
                tx,
                "INSERT INTO auth_tokens (token_hash, user_id, created) VALUES (?, ?, ?)",
                params![hash, user.0, ts(now)],
            )?;
            Ok(())
        })
        .await
    }

    async fn user_by_token(&self, token_hash: &str) -> Result<Option<User>> {
        let hash = token_hash.to_string();
        self.read(move |c| {
            opt(
                c,
                &format!(
                    "SELECT {USER_COLUMNS} FROM auth_tokens t JOIN users ON users.id = t.user_id
                 WHERE t.token_hash = ? AND users.is_active"
                ),
                [hash],
                user,
            )
        })
        .await
    }

    async fn delete_token(&self, token_hash: &str) -> Result<()> {
        let hash = token_hash.to_string();
        self.write(move |tx| {
            exec(tx, "DELETE FROM auth_tokens WHERE token_hash = ?", [hash])?;
            Ok(())
        })
        .await
    }

    async fn delete_tokens_of(&self, user: UserId) -> Result<()> {
        self.write(move |tx| {
            exec(tx, "DELETE FROM auth_tokens WHERE user_id = ?", [user.0])?;
            Ok(())
        })
        .await
    }
}
