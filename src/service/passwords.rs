//! Password hashing (argon2id, PHC strings) and the strength rules a new password must meet.

use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{ServiceError, ServiceResult};

/// How long a hash waits for a free core before the request is refused with 429.
const HASH_WAIT: Duration = Duration::from_secs(5);

/// Hashes and verifies passwords on the blocking pool, a bounded number at a time: each
/// argon2 hash holds 19 MiB for its whole run, so unbounded parallel logins would hold
/// 19 MiB each and gain nothing once every core is busy.
#[derive(Debug, Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Passwords {
    /// As many hashes at once as the machine has cores; a request that waits longer than
    /// `HASH_WAIT` for one is throttled.
    pub fn sized_to_cores() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores, HASH_WAIT)
    }

    pub fn new(at_once: usize, wait: Duration) -> Self {
        Passwords {
            permits: Arc::new(Semaphore::new(at_once.max(1))),
            wait,
        }
    }

    /// A hashing slot; `Throttled` (429 with `Retry-After`) when none frees up in time.
    async fn permit(&self) -> ServiceResult<OwnedSemaphorePermit> {
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(ServiceError::Internal(format!(
                "the password hashing slots are gone: {closed}"
            ))),
            Err(_) => {
                tracing::warn!("a password hash waited too long for a free core; answering 429");
                Err(ServiceError::Throttled(self.wait.as_secs().max(1)))
            }
        }
    }

    /// Hashes on the blocking pool: argon2 is deliberately slow.
    pub async fn hash(&self, password: &str) -> ServiceResult<String> {
        let permit = self.permit().await?;
        let password = password.to_string();
        // The permit moves into the task: a client that goes away does not free the slot
        // before the hash (and its memory) is done.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| ServiceError::Internal(format!("hashing a password failed: {e}")))
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing task failed: {e}")))?
    }

    /// Whether `password` matches the stored hash. Without a hash, a dummy verification still
    /// runs (under the same bound) so that unknown accounts answer as slowly as known ones.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> ServiceResult<bool> {
        let permit = self.permit().await?;
        let password = password.to_string();
        let stored = stored.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let (phc, real) = match stored.as_deref() {
                Some(s) => (s, true),
                None => (dummy_hash(), false),
            };
            let Ok(parsed) = PasswordHash::new(phc) else {
                return false;
            };
            let ok = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            ok && real
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("verification task failed: {e}")))
    }
}

/// The argon2id hash of a password nobody knows, made once, for equally slow refusals.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"no account has this password")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "qwerty123",
    "qwertyuiop",
    "iloveyou",
    "admin123",
    "letmein1",
    "welcome1",
    "abc12345",
    "11111111",
    "00000000",
    "passw0rd",
    "changeme",
    "flagsmith",
    "flagstaff",
];

/// The reasons `password` is too weak, as Django's default validators give them.
pub fn weaknesses(password: &str, email: &str) -> Vec<String> {
    let mut reasons = Vec::new();
    if password.chars().count() < 8 {
        reasons
            .push("This password is too short. It must contain at least 8 characters.".to_string());
    }
    if !password.is_empty() && password.chars().all(|c| c.is_ascii_digit()) {
        reasons.push("This password is entirely numeric.".to_string());
    }
    if COMMON.contains(&password.to_lowercase().as_str()) {
        reasons.push("This password is too common.".to_string());
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.len() >= 3 && password.to_lowercase().contains(&local) {
        reasons.push("The password is too similar to the email address.".to_string());
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_reasons() {
        assert!(
            weaknesses("", "a@b.c")
                .iter()
                .any(|r| r.contains("too short"))
        );
        assert!(
            weaknesses("12345678", "a@b.c")
                .iter()
                .any(|r| r.contains("numeric"))
        );
        assert!(
            weaknesses("Password", "a@b.c")
                .iter()
                .any(|r| r.contains("common"))
        );
        assert!(
            weaknesses("ada-lovelace-1815", "ada@example.com")
                .iter()
                .any(|r| r.contains("similar"))
        );
        assert!(weaknesses("correct horse battery", "ada@example.com").is_empty());
    }

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let passwords = Passwords::sized_to_cores();
        let stored = passwords.hash("correct horse battery").await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            passwords
                .verify("correct horse battery", Some(&stored))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("wrong horse battery", Some(&stored))
                .await
                .unwrap()
        );
        assert!(!passwords.verify("anything", None).await.unwrap());
    }

    #[tokio::test]
    async fn a_hash_that_cannot_get_a_slot_in_time_is_throttled() {
        let passwords = Passwords::new(1, Duration::from_millis(10));
        let busy = passwords.permit().await.unwrap();
        assert!(matches!(
            passwords.hash("correct horse battery").await,
            Err(ServiceError::Throttled(1))
        ));
        assert!(matches!(
            passwords.verify("anything", None).await,
            Err(ServiceError::Throttled(1))
        ));
        drop(busy);
        assert!(!passwords.verify("anything", None).await.unwrap());
    }
}
