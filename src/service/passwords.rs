//! Password hashing (argon2id, PHC strings) and the strength rules a new password must meet.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::{ServiceError, ServiceResult};

/// Hashes on the blocking pool: argon2 is deliberately slow.
pub async fn hash(password: &str) -> ServiceResult<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("hashing a password failed: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("hashing task failed: {e}")))?
}

/// Whether `password` matches the stored hash. Without a hash, a dummy verification still
/// runs so that unknown accounts answer as slowly as known ones.
pub async fn verify(password: &str, stored: Option<&str>) -> ServiceResult<bool> {
    let password = password.to_string();
    let stored = stored.map(str::to_string);
    tokio::task::spawn_blocking(move || {
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
        let stored = hash("correct horse battery").await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery", Some(&stored))
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse battery", Some(&stored)).await.unwrap());
        assert!(!verify("anything", None).await.unwrap());
    }
}
