//! Random credentials, kept only as SHA-256 hashes and compared in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{ServiceError, ServiceResult};

/// `len` random hex characters (`len / 2` random bytes).
pub fn random_hex(len: usize) -> ServiceResult<String> {
    let mut bytes = vec![0u8; len.div_ceil(2)];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    let mut text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    text.truncate(len);
    Ok(text)
}

/// `len` random characters from letters and digits.
pub fn random_alphanumeric(len: usize) -> ServiceResult<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
        // Rejection sampling keeps every character equally likely.
        for b in bytes {
            if (b as usize) < 248 && out.len() < len {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    Ok(out)
}

/// A user login token: 40 hex characters, as DRF's authtoken.
pub fn new_token() -> ServiceResult<String> {
    random_hex(40)
}

/// The stored form of a token or key.
pub fn hash_secret(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `secret` hashes to `stored`, in time independent of where they differ.
pub fn secret_matches(secret: &str, stored: &str) -> bool {
    hash_secret(secret)
        .as_bytes()
        .ct_eq(stored.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_forty_hex_characters_and_differ() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 40);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, new_token().unwrap());
    }

    #[test]
    fn secrets_match_only_their_own_hash() {
        let stored = hash_secret("abc");
        assert!(secret_matches("abc", &stored));
        assert!(!secret_matches("abd", &stored));
        assert_eq!(random_alphanumeric(22).unwrap().len(), 22);
    }
}
