//! Sites (one per town website): their definition, allowed origins and participants.

use civique_api::{limits, SiteInput};
use sha2::{Digest, Sha256};

use super::text::{check_id, required_text};

/// Validates a site definition (admin API, CLI, seed file and config).
pub fn check_site(site: &SiteInput) -> Result<(), String> {
    check_id("id", &site.id)?;
    required_text("name", &site.name, limits::SITE_NAME_MAX_LEN)?;
    if !(1..=limits::MAX_RETENTION_MONTHS).contains(&site.retention_months) {
        return Err(format!(
            "retention_months must be between 1 and {}",
            limits::MAX_RETENTION_MONTHS
        ));
    }
    if site.settings.report_threshold == 0 {
        return Err("report_threshold must be at least 1".to_owned());
    }
    if let Some(word) = site
        .settings
        .blocked_words
        .iter()
        .find(|w| w.trim().is_empty() || w.contains('\n'))
    {
        return Err(format!("blocked word {word:?} is empty or spans lines"));
    }
    if site
        .sso_secret
        .as_ref()
        .is_some_and(|secret| secret.chars().count() < super::sso::MIN_SECRET_LEN)
    {
        return Err(format!(
            "sso_secret must be at least {} characters (a random one: openssl rand -hex 32)",
            super::sso::MIN_SECRET_LEN
        ));
    }
    for origin in &site.origins {
        if !is_origin(origin) {
            return Err(format!(
                "{origin:?} is not an origin (scheme://host[:port], no path, no trailing slash)"
            ));
        }
    }
    Ok(())
}

fn is_origin(origin: &str) -> bool {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    })
}

/// The stored participant key: sha256 of `site_id:token`, hex. The raw token is never stored
/// and the same token on two sites yields two unrelated participants.
pub fn participant_key(site_id: &str, token: &str) -> String {
    let digest = Sha256::digest(format!("{site_id}:{token}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participant_keys_are_site_scoped_hashes() {
        let a = participant_key("a", "tokentokentoken1");
        assert_eq!(a.len(), 64);
        assert_ne!(a, participant_key("b", "tokentokentoken1"));
        assert!(!a.contains("tokentokentoken1"));
    }

    #[test]
    fn origins_have_no_path() {
        assert!(is_origin("https://www.saint-exemple.fr"));
        assert!(is_origin("http://127.0.0.1:8080"));
        assert!(!is_origin("https://example.fr/"));
        assert!(!is_origin("example.fr"));
    }
}
