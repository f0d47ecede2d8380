//! Accounts: sign-up, login with lockout, tokens, the current user, passwords.

use std::net::IpAddr;
use std::time::Duration;

use chrono::TimeDelta;

use super::secrets::{hash_secret, new_token, secret_matches};
use super::{FieldErrors, Service, ServiceError, ServiceResult, passwords, throttle};
use crate::domain::organisation::OrgApiKey;
use crate::domain::user::{NewUser, User, UserPatch, normalise_email};

/// What sign-up asks for.
#[derive(Debug, Clone, Default)]
pub struct Signup {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub superuser: bool,
    pub sign_up_type: Option<String>,
    /// An email invite's or an invite link's hash, needed when sign-up requires an invite.
    pub invite_hash: Option<String>,
    pub marketing_consent_given: bool,
}

const BAD_CREDENTIALS: &str = "Unable to log in with provided credentials.";
/// The first lock's length; each further failure after a lock doubles it, up to the cap.
const FIRST_LOCK: Duration = Duration::from_secs(60);
const NAME_LIMIT: usize = 150;
const EMAIL_LIMIT: usize = 254;

/// Django's `EmailValidator`, reduced to what matters for a login name.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.len() <= EMAIL_LIMIT
}

fn check_names(errors: &mut FieldErrors, first: &str, last: &str) {
    for (field, value) in [("first_name", first), ("last_name", last)] {
        if value.chars().count() > NAME_LIMIT {
            errors.add(
                field,
                format!("Ensure this field has no more than {NAME_LIMIT} characters."),
            );
        }
    }
}

impl Service {
    /// Creates an account and returns it with a login token.
    pub async fn sign_up(&self, signup: Signup) -> ServiceResult<(User, String)> {
        if self.policy.prevent_signup {
            return Err(ServiceError::Unauthenticated(
                "Authentication credentials were not provided.".into(),
            ));
        }
        let email = normalise_email(&signup.email);
        let mut errors = FieldErrors::default();
        if !valid_email(&email) {
            errors.add("email", "Enter a valid email address.");
        }
        for reason in passwords::weaknesses(&signup.password, &email) {
            errors.add("password", reason);
        }
        check_names(&mut errors, &signup.first_name, &signup.last_name);
        errors.into_result()?;
        if !signup.superuser
            && !self.policy.allow_registration_without_invite
            && !self.invited(&email, signup.invite_hash.as_deref()).await?
        {
            return Err(ServiceError::forbidden_with(
                "User registration without an invite is disabled for this installation.",
            ));
        }
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(ServiceError::invalid(
                "email",
                "Email already exists. Please log in.",
            ));
        }
        let new = NewUser {
            email,
            password_hash: Some(self.passwords.hash(&signup.password).await?),
            first_name: signup.first_name,
            last_name: signup.last_name,
            is_superuser: signup.superuser,
            sign_up_type: signup.sign_up_type,
            marketing_consent_given: signup.marketing_consent_given,
        };
        let user = if signup.superuser {
            self.store.create_first_user(&new).await?.ok_or_else(|| {
                ServiceError::invalid(
                    "superuser",
                    "A superuser can only be created while no user exists.",
                )
            })?
        } else {
            self.store.create_user(&new).await.map_err(|e| match e {
                crate::store::StoreError::Conflict(_) => {
                    ServiceError::invalid("email", "Email already exists. Please log in.")
                }
                other => other.into(),
            })?
        };
        let token = self.issue_token(&user).await?;
        Ok((user, token))
    }

    /// The client address a request counts against, from its TCP peer and its
    /// `X-Forwarded-For` header as `num_proxies` says (see `throttle::client_address`).
    pub fn client_address(
        &self,
        peer: Option<IpAddr>,
        forwarded_for: Option<&str>,
    ) -> Option<IpAddr> {
        throttle::client_address(peer, forwarded_for, self.policy.num_proxies)
    }

    /// Checks a password login and returns a new token. Failures count towards a lock on
    /// the lockout key (see `lockout_key`), which grows with further failures.
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> ServiceResult<String> {
        // Clients whose address is unknown share one allowance.
        let peer = client.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        self.login_throttle.check(peer, self.clock.now())?;
        let email = normalise_email(email);
        let key = self.lockout_key(&email, client);
        let now = self.clock.now();
        if let Some(state) = self.store.login_failures(&key).await?
            && state.is_locked(now)
        {
            return Err(locked(state.locked_until));
        }
        let user = self.store.user_by_email(&email).await?;
        let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let matches = self.passwords.verify(password, stored).await?;
        match user {
            Some(user) if matches && user.is_active => {
                self.store.clear_login_failures(&key).await?;
                self.store.record_login(user.id, now).await?;
                self.issue_token(&user).await
            }
            _ => {
                let cap = TimeDelta::from_std(self.policy.login_lockout).unwrap_or(TimeDelta::MAX);
                let forget_before = now.checked_sub_signed(cap).unwrap_or(now);
                let state = self.store.record_login_failure(&key, forget_before).await?;
                let lock = lock_period(
                    state.failures,
                    self.policy.login_failure_limit,
                    self.policy.login_lockout,
                )
                .and_then(|period| TimeDelta::from_std(period).ok())
                .and_then(|period| now.checked_add_signed(period));
                if let Some(until) = lock
                    && let Some(until) = self.store.lock_login(&key, until).await?
                {
                    tracing::warn!(
                        failures = state.failures,
                        until = %until,
                        "a login was locked after repeated failures"
                    );
                    return Err(locked(Some(until)));
                }
                Err(ServiceError::invalid("non_field_errors", BAD_CREDENTIALS))
            }
        }
    }

    /// What failures count against: the account and the client address together, so a
    /// stranger's failures never lock the owner out from elsewhere; the account alone when
    /// `login_only_user_failures` asks for upstream's per-account lock.
    fn lockout_key(&self, email: &str, client: Option<IpAddr>) -> String {
        if self.policy.login_only_user_failures {
            return format!("user:{email}");
        }
        match client {
            Some(ip) => format!("user:{email} ip:{ip}"),
            None => format!("user:{email} ip:unknown"),
        }
    }

    async fn issue_token(&self, user: &User) -> ServiceResult<String> {
        let token = new_token()?;
        self.store
            .create_token(user.id, &hash_secret(&token))
            .await?;
        Ok(token)
    }

    /// The active user a token belongs to, if any.
    pub async fn user_for_token(&self, token: &str) -> ServiceResult<Option<User>> {
        Ok(self.store.user_by_token(&hash_secret(token)).await?)
    }

    /// The usable organisation API key `prefix.secret` names, if any.
    pub async fn api_key_for(&self, presented: &str) -> ServiceResult<Option<OrgApiKey>> {
        let Some((prefix, _)) = presented.split_once('.') else {
            return Ok(None);
        };
        let Some(key) = self.store.org_api_key_by_prefix(prefix).await? else {
            return Ok(None);
        };
        let usable = secret_matches(presented, &key.hashed_key)
            && !key.revoked
            && !key.has_expired(self.clock.now());
        Ok(usable.then_some(key))
    }

    /// Deletes the token the caller authenticated with.
    pub async fn log_out(&self, token: &str) -> ServiceResult<()> {
        Ok(self.store.delete_token(&hash_secret(token)).await?)
    }

    pub async fn update_me(&self, user: &User, patch: &UserPatch) -> ServiceResult<User> {
        let mut errors = FieldErrors::default();
        check_names(
            &mut errors,
            patch.first_name.as_deref().unwrap_or_default(),
            patch.last_name.as_deref().unwrap_or_default(),
        );
        errors.into_result()?;
        Ok(self.store.update_user(user.id, patch).await?)
    }

    pub async fn set_password(
        &self,
        user: &User,
        current: &str,
        new: &str,
        repeated: &str,
    ) -> ServiceResult<()> {
        if !self
            .passwords
            .verify(current, user.password_hash.as_deref())
            .await?
        {
            return Err(ServiceError::invalid(
                "current_password",
                "Invalid password.",
            ));
        }
        let mut errors = FieldErrors::default();
        if new != repeated {
            errors.add("non_field_errors", "The two password fields didn't match.");
        }
        for reason in passwords::weaknesses(new, &user.email) {
            errors.add("new_password", reason);
        }
        errors.into_result()?;
        let hash = self.passwords.hash(new).await?;
        Ok(self.store.set_password_hash(user.id, &hash).await?)
    }

    /// `flagstaff createsuperuser`: a superuser with a password, refusing a weak one.
    pub async fn create_superuser(&self, email: &str, password: &str) -> ServiceResult<User> {
        let email = normalise_email(email);
        let mut errors = FieldErrors::default();
        if !valid_email(&email) {
            errors.add("email", "Enter a valid email address.");
        }
        for reason in passwords::weaknesses(password, &email) {
            errors.add("password", reason);
        }
        errors.into_result()?;
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(ServiceError::invalid(
                "email",
                "A user with this email already exists.",
            ));
        }
        let new = NewUser {
            email,
            password_hash: Some(self.passwords.hash(password).await?),
            first_name: String::new(),
            last_name: String::new(),
            is_superuser: true,
            sign_up_type: None,
            marketing_consent_given: false,
        };
        Ok(self.store.create_user(&new).await?)
    }
}

/// How long a key is locked after its `failures`-th counted failure: not at all below
/// `limit`, then `FIRST_LOCK`, doubling with each further failure, never longer than `cap`
/// (a zero cap never locks).
pub(crate) fn lock_period(failures: u32, limit: u32, cap: Duration) -> Option<Duration> {
    let doublings = failures.checked_sub(limit)?;
    let period = FIRST_LOCK
        .checked_mul(2u32.checked_pow(doublings).unwrap_or(u32::MAX))
        .unwrap_or(Duration::MAX)
        .min(cap);
    (!period.is_zero()).then_some(period)
}

fn locked(until: Option<crate::domain::Timestamp>) -> ServiceError {
    let when = until
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "later".into());
    ServiceError::forbidden_with(format!(
        "Too many failed login attempts: this account is locked until {when}. Try again then, or ask an administrator."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);
    const fn minutes(n: u64) -> Option<Duration> {
        Some(Duration::from_secs(n * 60))
    }

    #[test]
    fn no_lock_below_the_limit() {
        assert_eq!(lock_period(0, 10, HOUR), None);
        assert_eq!(lock_period(9, 10, HOUR), None);
    }

    #[test]
    fn the_lock_starts_short_and_doubles_up_to_the_cap() {
        let periods: Vec<_> = (10..18).map(|n| lock_period(n, 10, HOUR)).collect();
        assert_eq!(
            periods,
            [
                minutes(1),
                minutes(2),
                minutes(4),
                minutes(8),
                minutes(16),
                minutes(32),
                minutes(60),
                minutes(60)
            ]
        );
        assert_eq!(lock_period(1, 1, HOUR), minutes(1));
        assert_eq!(lock_period(u32::MAX, 1, HOUR), minutes(60));
    }

    #[test]
    fn the_cap_wins_over_the_first_lock() {
        assert_eq!(
            lock_period(10, 10, Duration::from_secs(30)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(lock_period(10, 10, Duration::ZERO), None);
    }
}
