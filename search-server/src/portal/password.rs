//! Password hashing with argon2id (the crate's defaults: OWASP's m=19 MiB, t=2, p=1) in PHC
//! strings. Hashing takes tens of milliseconds: callers run it on a blocking thread.

use argon2::Argon2;

use super::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

#[derive(Debug, thiserror::Error)]
#[error("cannot hash a password: {0}")]
pub struct PasswordError(String);

/// The argon2id PHC string of `password` with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| PasswordError(error.to_string()))
}

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password has at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
}

impl WeakPassword {
    /// The reason as the portal's pages say it.
    pub fn dutch(self) -> &'static str {
        match self {
            WeakPassword::TooShort => "Kies een wachtwoord van minstens 10 tekens.",
            WeakPassword::TooLong => "Kies een wachtwoord van hoogstens 256 tekens.",
        }
    }
}

/// The rule every new password meets, on the pages and on the command line alike.
pub fn check_new_password(password: &str) -> Result<(), WeakPassword> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(WeakPassword::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(WeakPassword::TooLong);
    }
    Ok(())
}

/// Whether `password` matches `hash`. A malformed hash matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A hash of no one's password, verified against when an account does not exist, so that a
/// failed sign-in takes as long either way.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password of nobody").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("anything", "not a phc string"));
        let again = hash_password("correct horse battery").expect("hash");
        assert_ne!(hash, again, "every hash has its own salt");
    }

    #[test]
    fn new_passwords_are_between_10_characters_and_256_bytes() {
        assert_eq!(check_new_password("negen-tek"), Err(WeakPassword::TooShort));
        assert_eq!(check_new_password("tien-tekst"), Ok(()));
        assert_eq!(check_new_password("ééééééééé"), Err(WeakPassword::TooShort));
        assert_eq!(check_new_password(&"a".repeat(256)), Ok(()));
        assert_eq!(
            check_new_password(&"a".repeat(257)),
            Err(WeakPassword::TooLong)
        );
    }
}
