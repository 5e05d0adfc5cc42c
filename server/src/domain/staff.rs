//! Staff of the console: sign-in names, passwords (argon2id), sessions and lockout.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use civique_api::staff::{limits, SiteRole};
use sha2::{Digest, Sha256};

/// A stored account, as sign-in needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub password_hash: String,
    pub endpoint_admin: bool,
    pub disabled: bool,
    /// RFC 3339; sign-in refused until then.
    pub locked_until: Option<String>,
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub login: String,
    pub name: String,
    pub password_hash: String,
    pub endpoint_admin: bool,
    pub roles: Vec<SiteRole>,
}

/// An account as its administrators act on it: its roles, and whether it is disabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub id: i64,
    pub login: String,
    pub endpoint_admin: bool,
    pub disabled: bool,
    pub roles: Vec<SiteRole>,
}

/// An invitation to store: the hash of its link's token (see [`session_key`]), and what it
/// grants to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    pub key: String,
    pub invitation: Invitation,
    pub invited_by: String,
    pub expires_at: String,
}

/// What an invitation grants: `role` on `site_id`, to whoever signs in as `login`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub site_id: String,
    pub login: String,
    pub role: civique_api::staff::Role,
}

/// Who accepts an invitation: a new account (its name and password hash), or the account
/// that already signs in as the invited login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joining {
    New { name: String, password_hash: String },
    Existing(i64),
}

/// Why a sign-in is refused. The same for an unknown login and a wrong password, so that
/// the console tells no one which logins exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("wrong login or password")]
    Wrong,
    /// Too many wrong passwords in a row: refused for a while, even the right one.
    #[error("too many failed sign-ins: the account is locked for a while")]
    Locked,
    #[error("this account is disabled")]
    Disabled,
}

/// `login` as stored: trimmed and lowercased; an e-mail address.
pub fn normalize_login(login: &str) -> Result<String, String> {
    let login = login.trim().to_lowercase();
    let valid = login.len() <= limits::LOGIN_MAX_LEN
        && login
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
        && !login.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(login)
    } else {
        Err("login must be an e-mail address".to_owned())
    }
}

/// Refuses a password too short or too long to be one.
pub fn check_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if (limits::PASSWORD_MIN_LEN..=limits::PASSWORD_MAX_LEN).contains(&length) {
        Ok(())
    } else {
        Err(format!(
            "a password has {} to {} characters",
            limits::PASSWORD_MIN_LEN,
            limits::PASSWORD_MAX_LEN
        ))
    }
}

/// The argon2id hash (PHC string, with its own random salt) of `password`.
pub fn hash_password(password: &str, salt: &[u8; 16]) -> Result<String, String> {
    let salt = SaltString::encode_b64(salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` is the one `hash` was made of (constant time).
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A hash verified when the login is unknown, so that it takes as long as a known one.
pub const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$0Ht2E9SmbY9ksw9yRfnM6ArRG0gS7H9O4xZmTZK2VRo";

/// What a session is stored under: the SHA-256 of its cookie's token, never the token.
pub fn session_key(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery", &[7; 16]).unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse batterz"));
        assert!(!verify_password("not a hash", "correct horse battery"));
        assert_ne!(
            hash,
            hash_password("correct horse battery", &[8; 16]).unwrap()
        );
        assert!(PasswordHash::new(DECOY_HASH).is_ok());
        assert!(check_password("short").is_err());
        assert!(check_password("twelve chars").is_ok());
    }

    #[test]
    fn logins_are_lowercased_addresses() {
        assert_eq!(
            normalize_login("  Camille.Martin@Saint-Exemple.FR ").unwrap(),
            "camille.martin@saint-exemple.fr"
        );
        for bad in [
            "camille",
            "@saint-exemple.fr",
            "camille@local",
            "ca mille@x.fr",
        ] {
            assert!(normalize_login(bad).is_err(), "{bad}");
        }
    }
}
