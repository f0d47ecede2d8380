//! User accounts and their tokens, in PostgreSQL.

use super::PostgresStore;
use super::Tx;
use super::rows::{Conn, exactly_one, exec, one, opt};
use crate::domain::user::{NewUser, User, UserPatch};
use crate::domain::{Timestamp, UserId, new_uuid};
use crate::store::users::{USER_COLUMNS, user};
use crate::store::{Result, UserStore};
use async_trait::async_trait;

async fn find(client: &impl Conn, id: UserId) -> Result<User> {
    one(
        client,
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
        &[&id.0],
        user,
    )
    .await
}

async fn insert(client: &impl Conn, new: &NewUser, now: Timestamp) -> Result<User> {
    one(
        client,
        &format!(
            "INSERT INTO users (uuid, email, password_hash, first_name, last_name, is_superuser,
                 date_joined, sign_up_type, marketing_consent_given)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {USER_COLUMNS}"
        ),
        &[
            &new_uuid(),
            &new.email,
            &new.password_hash,
            &new.first_name,
            &new.last_name,
            &new.is_superuser,
            &now,
            &new.sign_up_type,
            &new.marketing_consent_given,
        ],
        user,
    )
    .await
}

#[async_trait]
impl UserStore for PostgresStore {
    async fn create_user(&self, user: &NewUser) -> Result<User> {
        let client = self.client().await?;
        insert(&client, user, self.now()).await
    }

    async fn create_first_user(&self, user: &NewUser) -> Result<Option<User>> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        // Blocks concurrent inserts until commit, so only one first user can exist.
        tx.batch_execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
            .await?;
        let any: bool = one(&tx, "SELECT EXISTS (SELECT 1 FROM users)", &[], |r| {
            r.get(0)
        })
        .await?;
        let created = if any {
            None
        } else {
            Some(insert(&tx, user, self.now()).await?)
        };
        self.commit(tx).await?;
        Ok(created)
    }

    async fn user(&self, id: UserId) -> Result<User> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let client = self.client().await?;
        opt(
            &client,
            &format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"),
            &[&email],
            user,
        )
        .await
    }

    async fn update_user(&self, id: UserId, patch: &UserPatch) -> Result<User> {
        let client = self.client().await?;
        exactly_one(
            exec(
                &client,
                "UPDATE users SET first_name = COALESCE($1, first_name),
                     last_name = COALESCE($2, last_name),
                     marketing_consent_given = COALESCE($3, marketing_consent_given)
                 WHERE id = $4",
                &[
                    &patch.first_name,
                    &patch.last_name,
                    &patch.marketing_consent_given,
                    &id.0,
                ],
            )
            .await?,
        )?;
        find(&client, id).await
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<()> {
        let client = self.client().await?;
        exactly_one(
            exec(
                &client,
                "UPDATE users SET password_hash = $1 WHERE id = $2",
                &[&hash, &id.0],
            )
            .await?,
        )
    }

    async fn record_login(&self, id: UserId, at: Timestamp) -> Result<()> {
        let client = self.client().await?;
        exactly_one(
            exec(
                &client,
                "UPDATE users SET last_login = $1 WHERE id = $2",
                &[&at, &id.0],
            )
            .await?,
        )
    }

    async fn count_users(&self) -> Result<u64> {
        let client = self.client().await?;
        let n: i64 = one(&client, "SELECT COUNT(*) FROM users", &[], |r| r.get(0)).await?;
        Ok(n as u64)
    }

    async fn any_login(&self) -> Result<bool> {
        let client = self.client().await?;
        one(
            &client,
            "SELECT EXISTS (SELECT 1 FROM users WHERE last_login IS NOT NULL)",
            &[],
            |r| r.get(0),
        )
        .await
    }

    async fn delete_user(&self, id: UserId) -> Result<()> {
        let client = self.client().await?;
        exactly_one(exec(&client, "DELETE FROM users WHERE id = $1", &[&id.0]).await?)
    }

    async fn create_token(&self, user: UserId, token_hash: &str) -> Result<()> {
        let client = self.client().await?;
        exec(
            &client,
            "INSERT INTO auth_tokens (token_hash, user_id, created) VALUES ($1, $2, $3)",
            &[&token_hash, &user.0, &self.now()],
        )
        .await?;
        Ok(())
    }

    async fn user_by_token(&self, token_hash: &str) -> Result<Option<User>> {
        let client = self.client().await?;
        opt(
            &client,
            &format!(
                "SELECT {USER_COLUMNS} FROM auth_tokens t JOIN users ON users.id = t.user_id
                 WHERE t.token_hash = $1 AND users.is_active"
            ),
            &[&token_hash],
            user,
        )
        .await
    }

    async fn delete_token(&self, token_hash: &str) -> Result<()> {
        let client = self.client().await?;
        exec(
            &client,
            "DELETE FROM auth_tokens WHERE token_hash = $1",
            &[&token_hash],
        )
        .await?;
        Ok(())
    }

    async fn delete_tokens_of(&self, user: UserId) -> Result<()> {
        let client = self.client().await?;
        exec(
            &client,
            "DELETE FROM auth_tokens WHERE user_id = $1",
            &[&user.0],
        )
        .await?;
        Ok(())
    }
}
