//! Device tokens earned with a proof of work (ALTCHA-style), so that a script cannot mint a
//! fresh participant per ballot for free.
//!
//! The endpoint hands out a [`challenge`]: a `salt` that carries its expiry, and the
//! SHA-256 of the salt followed by a secret number below `maxnumber`, signed with the
//! endpoint's key. The device tries numbers until the hash matches (about `maxnumber / 2`
//! hashes), and sends the number back; [`verify`] needs no state but the signature, and
//! the caller spends the salt so that one solution serves once. The device then holds a
//! token [`issue`] signed: `d`, 32 hex digits of randomness, 32 hex digits of MAC.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::sso::{hex, is_tagged_hex};

type HmacSha256 = Hmac<Sha256>;

/// The only algorithm offered.
pub const ALGORITHM: &str = "SHA-256";
/// A challenge must be solved and sent within this many seconds.
pub const CHALLENGE_LIFETIME_SECS: i64 = 600;
/// Hardest accepted setting: beyond it a phone takes minutes.
pub const MAX_NUMBER_LIMIT: u64 = 10_000_000;
const SALT_RANDOM_LEN: usize = 32;
const TOKEN_LEN: usize = 1 + 32 + 32;

/// Why a proof or a device token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the proof of work is malformed")]
    Malformed,
    #[error("the proof of work does not solve this endpoint's challenge")]
    Wrong,
    #[error("the proof of work expired: solve a new challenge")]
    Expired,
    #[error("the proof of work was already spent")]
    Replayed,
    #[error("the device token is not one this endpoint issued")]
    ForgedToken,
    #[error("a device new to this site must first prove its work (GET /api/v1/devices/challenge)")]
    Required,
}

/// A puzzle as [`challenge`] makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub salt: String,
    pub challenge: String,
    pub signature: String,
    pub expires: i64,
}

/// A puzzle whose answer is `number` (kept secret, at most `max_number`), with
/// `random` (hex) in its salt, signed with the endpoint's `key`, expiring after
/// [`CHALLENGE_LIFETIME_SECS`].
pub fn challenge(key: &str, random: &str, number: u64, now: i64) -> Challenge {
    let expires = now.saturating_add(CHALLENGE_LIFETIME_SECS);
    let salt = format!("{expires}.{random}.");
    let challenge = digest(&salt, number);
    let signature = hex(&mac(key, &challenge).finalize().into_bytes());
    Challenge {
        salt,
        challenge,
        signature,
        expires,
    }
}

/// Checks a solved challenge at `now`: the salt's shape and expiry, the number's bound, and
/// that the endpoint signed the hash it gives. Returns the salt's expiry, until which the
/// caller must remember it was spent.
pub fn verify(
    key: &str,
    salt: &str,
    number: u64,
    signature: &str,
    max_number: u64,
    now: i64,
) -> Result<i64, Problem> {
    let mut parts = salt.split('.');
    let (Some(expires), Some(random), Some(""), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Problem::Malformed);
    };
    let expires: i64 = expires.parse().map_err(|_| Problem::Malformed)?;
    let well_formed = random.len() == SALT_RANDOM_LEN
        && random.bytes().all(|b| b.is_ascii_hexdigit())
        && signature.len() == 64;
    if !well_formed {
        return Err(Problem::Malformed);
    }
    let signature = unhex(signature).ok_or(Problem::Malformed)?;
    if number > max_number {
        return Err(Problem::Wrong);
    }
    mac(key, &digest(salt, number))
        .verify_slice(&signature)
        .map_err(|_| Problem::Wrong)?;
    // Checked after the signature: a forged salt cannot tell expired from wrong.
    if expires <= now {
        return Err(Problem::Expired);
    }
    if expires > now.saturating_add(CHALLENGE_LIFETIME_SECS) {
        return Err(Problem::Wrong);
    }
    Ok(expires)
}

/// The hex SHA-256 of `salt` followed by `number` in decimal: what the device computes.
pub fn digest(salt: &str, number: u64) -> String {
    hex(&Sha256::digest(format!("{salt}{number}").as_bytes()))
}

/// What a device solves `challenge` with: the first number up to `max_number` whose
/// [`digest`] is the challenge (the widget does the same with the browser's SHA-256).
pub fn solve(salt: &str, challenge: &str, max_number: u64) -> Option<u64> {
    (0..=max_number).find(|&n| digest(salt, n) == challenge)
}

/// A device token for `random` (32 hex digits), signed with the endpoint's `key`.
pub fn issue(key: &str, random: &str) -> String {
    let body = format!("d{random}");
    let signature = hex(&mac(key, &body).finalize().into_bytes()[..16]);
    body + &signature
}

/// Does `token` have the shape of a token [`issue`] makes? The widget's own tokens of
/// earlier releases (32 characters of base64) never do.
pub fn is_issued(token: &str) -> bool {
    is_tagged_hex(token, 'd', TOKEN_LEN)
}

/// Checks a token of [`is_issued`] shape against the endpoint's `key`.
pub fn check(key: &str, token: &str) -> Result<(), Problem> {
    if !is_issued(token) {
        return Err(Problem::Malformed);
    }
    let (body, signature) = token.split_at(TOKEN_LEN - 32);
    let signature = unhex(signature).ok_or(Problem::Malformed)?;
    mac(key, body)
        .verify_truncated_left(&signature)
        .map_err(|_| Problem::ForgedToken)
}

fn mac(key: &str, data: &str) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("device:{data}").as_bytes());
    mac
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "endpoint-key";
    const NOW: i64 = 1_800_000_000;
    const RANDOM: &str = "0123456789abcdef0123456789abcdef";

    fn solved(max: u64) -> (Challenge, u64) {
        let c = challenge(KEY, RANDOM, 777, NOW);
        let number = solve(&c.salt, &c.challenge, max).expect("777 is within reach");
        (c, number)
    }

    #[test]
    fn a_solution_is_accepted_until_the_challenge_expires() {
        let (c, number) = solved(1000);
        assert_eq!(number, 777);
        assert_eq!(
            verify(KEY, &c.salt, number, &c.signature, 1000, NOW),
            Ok(c.expires)
        );
        let later = c.expires;
        assert_eq!(
            verify(KEY, &c.salt, number, &c.signature, 1000, later),
            Err(Problem::Expired)
        );
    }

    #[test]
    fn wrong_numbers_forged_signatures_and_other_keys_are_refused() {
        let (c, number) = solved(1000);
        let wrong = |salt: &str, number, signature: &str, key| {
            verify(key, salt, number, signature, 1000, NOW)
        };
        assert_eq!(
            wrong(&c.salt, number + 1, &c.signature, KEY),
            Err(Problem::Wrong)
        );
        assert_eq!(
            wrong(&c.salt, number, &c.signature, "another"),
            Err(Problem::Wrong)
        );
        let forged = hex(&mac(KEY, &digest(&c.salt, 1)).finalize().into_bytes());
        assert_eq!(
            wrong(&c.salt, 1, &forged, "a guess"),
            Err(Problem::Wrong),
            "a signature under another key"
        );
        // A salt pushed into the future keeps the hash from matching the signature.
        let later_salt = c.salt.replacen(&c.expires.to_string(), "1900000000", 1);
        assert_eq!(
            wrong(&later_salt, number, &c.signature, KEY),
            Err(Problem::Wrong)
        );
        assert_eq!(
            verify(KEY, &c.salt, number, &c.signature, 700, NOW),
            Err(Problem::Wrong),
            "over the configured bound"
        );
    }

    #[test]
    fn malformed_proofs_are_malformed() {
        let (c, number) = solved(1000);
        for salt in [
            "",
            "x",
            "1.2",
            "1800000600.zz.",
            "1800000600.0123.",
            "a.b.c.d",
        ] {
            assert_eq!(
                verify(KEY, salt, number, &c.signature, 1000, NOW),
                Err(Problem::Malformed),
                "{salt:?}"
            );
        }
        assert_eq!(
            verify(KEY, &c.salt, number, "00", 1000, NOW),
            Err(Problem::Malformed)
        );
    }

    #[test]
    fn issued_tokens_check_and_forgeries_do_not() {
        let token = issue(KEY, RANDOM);
        assert_eq!(token.len(), TOKEN_LEN);
        assert!(is_issued(&token));
        assert!(civique_api::is_valid_token(&token));
        assert_eq!(check(KEY, &token), Ok(()));
        assert_eq!(check("another", &token), Err(Problem::ForgedToken));
        let mut forged = token.clone();
        forged.replace_range(1..2, if &token[1..2] == "0" { "1" } else { "0" });
        assert_eq!(check(KEY, &forged), Err(Problem::ForgedToken));
        assert!(!is_issued("abcdefghijklmnopqrstuvwxyz012345"));
        assert!(!is_issued(&token.to_uppercase()));
    }
}
