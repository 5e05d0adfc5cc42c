//! Site accounts (SSO): the town's own website vouches for its logged-in user.
//!
//! The website signs a short-lived token with the site's secret (see `docs/sso.md`):
//!
//! ```text
//! v1.<base64url(JSON {"site", "sub", "name"?, "exp", "nonce"})>.<base64url(HMAC-SHA256)>
//! ```
//!
//! where the HMAC covers everything before the last dot. The endpoint [`verify`]s it and,
//! once per nonce, [`issue`]s a participant token of its own that names the user's
//! site-scoped pseudonym: a user who signs in from three devices is still one participant.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use civique_api::Participation;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::site::participant_key;

pub(super) type HmacSha256 = Hmac<Sha256>;

/// Shortest accepted site secret.
pub const MIN_SECRET_LEN: usize = 32;
/// Longest accepted token from the website.
pub const MAX_TOKEN_LEN: usize = 2048;
/// A website's token may live at most this long: it is a sign-in proof, not a session.
pub const MAX_LIFETIME_SECS: i64 = 3600;
/// The participant token the endpoint gives in exchange lives this long.
pub const PARTICIPANT_LIFETIME_SECS: i64 = 12 * 3600;
const SUB_MAX_LEN: usize = 200;
const NONCE_LEN: std::ops::RangeInclusive<usize> = 8..=128;
const NAME_MAX_LEN: usize = civique_api::comments::limits::AUTHOR_NAME_MAX_LEN;

/// What the website's token says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The civique site id the token is for.
    pub site: String,
    /// The user's id on the website (never stored: only a keyed hash of it is).
    pub sub: String,
    /// The user's display name, if the website gives one.
    #[serde(default)]
    pub name: Option<String>,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Single use: a token presented twice is refused the second time.
    pub nonce: String,
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the site account token is malformed")]
    Malformed,
    #[error("the site account token is not signed with this site's secret")]
    BadSignature,
    #[error("the site account token is for another site")]
    OtherSite,
    #[error("the site account token has expired")]
    Expired,
    #[error("the site account token must expire within an hour")]
    TooLongLived,
    #[error("the site account token was already used")]
    Replayed,
    #[error("this site takes no site accounts")]
    NotEnabled,
}

/// Checks a website's `token` for `site_id` at `now` (Unix seconds): its signature under
/// `secret` first, then what it says. The nonce is checked by the caller, against storage.
pub fn verify(token: &str, site_id: &str, secret: &str, now: i64) -> Result<Claims, Problem> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Problem::Malformed);
    }
    let (signed, signature) = token.rsplit_once('.').ok_or(Problem::Malformed)?;
    let payload = signed.strip_prefix("v1.").ok_or(Problem::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| Problem::Malformed)?;
    mac(secret.as_bytes(), signed.as_bytes())
        .verify_slice(&signature)
        .map_err(|_| Problem::BadSignature)?;
    let json = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| Problem::Malformed)?;
    let claims: Claims = serde_json::from_slice(&json).map_err(|_| Problem::Malformed)?;
    let printable = |text: &str| !text.chars().any(char::is_control);
    let well_formed = (1..=SUB_MAX_LEN).contains(&claims.sub.len())
        && printable(&claims.sub)
        && NONCE_LEN.contains(&claims.nonce.len())
        && printable(&claims.nonce)
        && claims
            .name
            .as_deref()
            .is_none_or(|name| name.chars().count() <= NAME_MAX_LEN && printable(name));
    if !well_formed {
        return Err(Problem::Malformed);
    }
    if claims.site != site_id {
        return Err(Problem::OtherSite);
    }
    if claims.exp <= now {
        return Err(Problem::Expired);
    }
    if claims.exp > now.saturating_add(MAX_LIFETIME_SECS) {
        return Err(Problem::TooLongLived);
    }
    Ok(claims)
}

/// A token for `claims` (their JSON) signed with `secret`, as the host website makes it
/// (`docs/sso.md` has the same in PHP and JavaScript).
pub fn sign(claims: &str, secret: &str) -> String {
    let signed = format!("v1.{}", URL_SAFE_NO_PAD.encode(claims));
    let signature = mac(secret.as_bytes(), signed.as_bytes()).finalize();
    format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(signature.into_bytes())
    )
}

pub(super) fn mac(key: &[u8], data: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac
}

/// Is `signature` (32 hex digits) the first half of `mac`? `None` when it is not hex.
pub(super) fn signs(mac: HmacSha256, signature: &str) -> Option<bool> {
    let bytes: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(signature.get(2 * i..2 * i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    Some(mac.verify_truncated_left(&bytes).is_ok())
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Participant tokens the endpoint issues: a tag (`s` for a site user, `e` for a verified
/// e-mail address), expiry (8 hex digits), subject (32 hex digits), MAC (32 hex digits).
/// URL-safe, so they travel like the widget's own tokens, which never have this shape.
const ISSUED_LEN: usize = 1 + 8 + 32 + 32;

/// The user's pseudonym on `site_id`: no one can tell their website id from it.
fn subject(site_id: &str, sub: &str) -> String {
    hex(&Sha256::digest(format!("sso:{site_id}:{sub}").as_bytes())[..16])
}

fn issued_mac(key: &str, site_id: &str, body: &str) -> HmacSha256 {
    mac(key.as_bytes(), format!("{site_id}:{body}").as_bytes())
}

/// The tag of the tokens issued at `level`, and the namespace of their participant keys.
fn tag(level: Participation) -> (char, &'static str) {
    match level {
        Participation::Email => ('e', "email"),
        Participation::Site | Participation::Device => ('s', "site"),
    }
}

/// The participant token standing for `claims.sub` on `site_id` until the returned expiry
/// (Unix seconds), signed with the endpoint's `key`.
pub fn issue(key: &str, site_id: &str, sub: &str, now: i64) -> (String, i64) {
    issue_for(
        key,
        site_id,
        Participation::Site,
        &subject(site_id, sub),
        now,
    )
}

/// The participant token standing for `subject` (32 hex digits, a pseudonym already) at
/// `level` on `site_id`, as [`issue`].
pub fn issue_for(
    key: &str,
    site_id: &str,
    level: Participation,
    subject: &str,
    now: i64,
) -> (String, i64) {
    let expires = now.saturating_add(PARTICIPANT_LIFETIME_SECS);
    let body = format!(
        "{}{:08x}{subject}",
        tag(level).0,
        expires.clamp(0, i64::from(u32::MAX)),
    );
    let signature = hex(&issued_mac(key, site_id, &body).finalize().into_bytes()[..16]);
    (body + &signature, expires)
}

/// Does `token` have the shape of a token [`issue_for`] makes? Others are device tokens.
pub fn is_issued(token: &str) -> bool {
    is_tagged_hex(token, 's', ISSUED_LEN) || is_tagged_hex(token, 'e', ISSUED_LEN)
}

/// Is `token` `len` characters long: `tag`, then lowercase hex digits? The shape of the
/// tokens the endpoint issues.
pub(super) fn is_tagged_hex(token: &str, tag: char, len: usize) -> bool {
    token.len() == len
        && token.starts_with(tag)
        && token[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The participant key of an issued `token` on `site_id`, and the level it vouches for,
/// checked against the endpoint's `key` and `now`: the same key for every token issued to
/// one user or address.
pub fn issued_key(
    key: &str,
    site_id: &str,
    token: &str,
    now: i64,
) -> Result<(String, Participation), Problem> {
    if !is_issued(token) {
        return Err(Problem::Malformed);
    }
    let (body, signature) = token.split_at(ISSUED_LEN - 32);
    if !signs(issued_mac(key, site_id, body), signature).ok_or(Problem::Malformed)? {
        return Err(Problem::BadSignature);
    }
    let expires = i64::from_str_radix(&body[1..9], 16).map_err(|_| Problem::Malformed)?;
    if expires <= now {
        return Err(Problem::Expired);
    }
    let level = if body.starts_with('e') {
        Participation::Email
    } else {
        Participation::Site
    };
    // A `:` never appears in a device token, so no device token can yield this key.
    let key = participant_key(site_id, &format!("{}:{}", tag(level).1, &body[9..]));
    Ok((key, level))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_800_000_000;

    fn claims(exp: i64) -> String {
        format!(r#"{{"site":"town","sub":"42","name":"Marie","exp":{exp},"nonce":"n-0123456789"}}"#)
    }

    #[test]
    fn a_signed_token_for_the_site_is_accepted() {
        let claims = verify(&sign(&claims(NOW + 600), SECRET), "town", SECRET, NOW).unwrap();
        assert_eq!(claims.sub, "42");
        assert_eq!(claims.name.as_deref(), Some("Marie"));
    }

    #[test]
    fn tampered_expired_long_lived_and_other_site_tokens_are_refused() {
        let good = sign(&claims(NOW + 600), SECRET);
        let check = |token: &str| verify(token, "town", SECRET, NOW).unwrap_err();
        assert_eq!(
            check(&sign(&claims(NOW + 600), &SECRET.replace('0', "1"))),
            Problem::BadSignature
        );
        let (signed, signature) = good.rsplit_once('.').unwrap();
        let other = sign(&claims(NOW + 601), SECRET);
        let forged = format!("{}.{signature}", other.rsplit_once('.').unwrap().0);
        assert_eq!(check(&forged), Problem::BadSignature);
        assert_eq!(check(&format!("{signed}.{signature}!")), Problem::Malformed);
        assert_eq!(check(&sign(&claims(NOW), SECRET)), Problem::Expired);
        assert_eq!(
            check(&sign(&claims(NOW + 3601), SECRET)),
            Problem::TooLongLived
        );
        let elsewhere = claims(NOW + 600).replace("\"town\"", "\"other\"");
        assert_eq!(check(&sign(&elsewhere, SECRET)), Problem::OtherSite);
        assert_eq!(
            check(&sign(&claims(NOW + 600).replace("42", ""), SECRET)),
            Problem::Malformed
        );
        assert_eq!(check(&sign("[]", SECRET)), Problem::Malformed);
        assert_eq!(check("v2.e30.AAAA"), Problem::Malformed);
    }

    #[test]
    fn issued_tokens_name_one_participant_per_user_and_site() {
        let (first, expires) = issue("key", "town", "42", NOW);
        let (later, _) = issue("key", "town", "42", NOW + 60);
        assert_eq!(expires, NOW + PARTICIPANT_LIFETIME_SECS);
        assert!(is_issued(&first) && civique_api::is_valid_token(&first));
        assert_ne!(first, later);
        let key = issued_key("key", "town", &first, NOW).unwrap();
        assert_eq!(key.1, Participation::Site);
        assert_eq!(key, issued_key("key", "town", &later, NOW).unwrap());
        let (other_user, _) = issue("key", "town", "43", NOW);
        assert_ne!(key, issued_key("key", "town", &other_user, NOW).unwrap());
        // A verified address with the same pseudonym is another participant, and its tag
        // cannot be changed into a site user's.
        let subject = &first[9..41];
        let (address, _) = issue_for("key", "town", Participation::Email, subject, NOW);
        let address_key = issued_key("key", "town", &address, NOW).unwrap();
        assert_eq!(address_key.1, Participation::Email);
        assert_ne!(address_key.0, key.0);
        assert_eq!(
            issued_key("key", "town", &address.replacen('e', "s", 1), NOW),
            Err(Problem::BadSignature)
        );
        assert_eq!(
            issued_key("key", "other", &first, NOW),
            Err(Problem::BadSignature)
        );
        assert_eq!(
            issued_key("yek", "town", &first, NOW),
            Err(Problem::BadSignature)
        );
        assert_eq!(
            issued_key("key", "town", &first, expires),
            Err(Problem::Expired)
        );
        let mut tampered = first.clone().into_bytes();
        tampered[12] = if tampered[12] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(
            issued_key("key", "town", &tampered, NOW),
            Err(Problem::BadSignature)
        );
        assert!(!is_issued("abcdefghijklmnopqrstuvwxyz012345"));
    }
}
