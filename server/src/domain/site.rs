//! Sites (one per town website): their definition, allowed origins and participants.

use civique_api::staff::SiteField;
use civique_api::{limits, SiteInput};
use sha2::{Digest, Sha256};

use super::text::{check_id, required_text};

/// Validates a site definition (admin API, CLI, seed file and config).
pub fn check_site(site: &SiteInput) -> Result<(), String> {
    check_id("id", &site.id)?;
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
    site_problem(site).map_or(Ok(()), |(_, problem)| Err(problem))
}

/// The first of a new site's fields that is wrong (its id, then its settings), and what is
/// wrong with it.
pub fn new_site_problem(site: &SiteInput) -> Option<(SiteField, String)> {
    match check_id("id", &site.id) {
        Err(problem) => Some((SiteField::Id, problem)),
        Ok(()) => site_problem(site),
    }
}

/// The first of a site's settings that is wrong, and what is wrong with it (its id and
/// account secret aside, which [`check_site`] checks too).
pub fn site_problem(site: &SiteInput) -> Option<(SiteField, String)> {
    let settings = &site.settings;
    let problem = if let Err(problem) = required_text("name", &site.name, limits::SITE_NAME_MAX_LEN)
    {
        (SiteField::Name, problem)
    } else if !(1..=limits::MAX_RETENTION_MONTHS).contains(&site.retention_months) {
        (
            SiteField::RetentionMonths,
            format!(
                "retention_months must be between 1 and {}",
                limits::MAX_RETENTION_MONTHS
            ),
        )
    } else if settings.report_threshold == 0 {
        (
            SiteField::ReportThreshold,
            "report_threshold must be at least 1".to_owned(),
        )
    } else if let Some(word) = settings
        .blocked_words
        .iter()
        .find(|w| w.trim().is_empty() || w.contains('\n'))
    {
        (
            SiteField::BlockedWords,
            format!("blocked word {word:?} is empty or spans lines"),
        )
    } else if let Some(url) = site
        .privacy_url
        .as_ref()
        .filter(|url| url.len() > limits::PRIVACY_URL_MAX_LEN || !is_web_address(url))
    {
        (
            SiteField::PrivacyUrl,
            format!(
                "privacy_url must be an http(s) address of at most {} characters, without \
                 spaces or quotes, got {url:?}",
                limits::PRIVACY_URL_MAX_LEN
            ),
        )
    } else if let Some(origin) = site.origins.iter().find(|origin| !is_origin(origin)) {
        (
            SiteField::Origins,
            format!(
                "{origin:?} is not an origin (scheme://host[:port], no path, no trailing slash)"
            ),
        )
    } else {
        return None;
    };
    Some(problem)
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

/// An absolute `http(s)` address with a host, made of printable ASCII a page can put in a
/// link as is (no space, quote or angle bracket).
fn is_web_address(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        !rest.is_empty()
            && !rest.starts_with('/')
            && rest
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'<' | b'>' | b'\\'))
    })
}

/// What a site's privacy link shows: its own notice, or the endpoint's, which names it and
/// its retention period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub name: String,
    pub privacy_url: Option<String>,
    pub retention_months: u32,
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
    fn privacy_notices_are_web_addresses_a_link_can_hold() {
        assert!(is_web_address(
            "https://www.saint-exemple.fr/mentions-legales#donnees"
        ));
        assert!(is_web_address("http://127.0.0.1:8080/confidentialite.html"));
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "//saint-exemple.fr",
            "https://saint-exemple.fr/a b",
            "https://saint-exemple.fr/\"onmouseover=x",
            "https://saint-exemple.fr/<script>",
            "https://saint-exemple.fr/é",
        ] {
            assert!(!is_web_address(bad), "{bad}");
        }
    }

    #[test]
    fn origins_have_no_path() {
        assert!(is_origin("https://www.saint-exemple.fr"));
        assert!(is_origin("http://127.0.0.1:8080"));
        assert!(!is_origin("https://example.fr/"));
        assert!(!is_origin("example.fr"));
    }
}
