//! Moderation rules shared by comments and proposals: blocked words and public reasons.

use civique_api::comments::limits;
use civique_api::{BlockedWordsAction, SiteSettings};

use super::Error;

/// A comment waiting for staff (see [`civique_api::staff::WaitingComment`]).
pub use civique_api::staff::WaitingComment as Waiting;

/// Does `text` contain one of the site's blocked words (case-insensitive, whole words)?
pub fn has_blocked_word(settings: &SiteSettings, text: &str) -> bool {
    let text = text.to_lowercase();
    settings.blocked_words.iter().any(|word| {
        let word = word.trim().to_lowercase();
        !word.is_empty()
            && text.match_indices(&word).any(|(at, found)| {
                let before = text[..at].chars().next_back();
                let after = text[at + found.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
    })
}

/// Applies the site's blocked words to a resident's text: `Err(BlockedWords)` when the site
/// refuses such texts, `Ok(true)` when it holds them for review.
pub fn held_for_review(settings: &SiteSettings, text: &str) -> Result<bool, Error> {
    if !has_blocked_word(settings, text) {
        return Ok(false);
    }
    match settings.blocked_words_action {
        BlockedWordsAction::Reject => Err(Error::BlockedWords),
        BlockedWordsAction::Review => Ok(true),
    }
}

/// A staff moderation reason: trimmed, `None` when blank.
pub fn check_reason(reason: Option<&str>) -> Result<Option<String>, Error> {
    match reason.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > limits::REMOVAL_REASON_MAX_LEN => {
            Err(Error::InvalidInput(format!(
                "reason is longer than {} characters",
                limits::REMOVAL_REASON_MAX_LEN
            )))
        }
        Some(text) => Ok(Some(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_words_match_whole_words_only() {
        let settings = SiteSettings {
            blocked_words: vec!["Idiot".into()],
            ..SiteSettings::default()
        };
        assert!(has_blocked_word(&settings, "quel idiot !"));
        assert!(!has_blocked_word(&settings, "idiotie"));
    }
}
