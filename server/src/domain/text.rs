//! Checks shared by every kind of input: identifiers, required and optional texts, names.

use civique_api::comments::limits::AUTHOR_NAME_MAX_LEN;
use civique_api::{is_valid_id, limits};

use super::Error;

/// `Ok` when `id` is a valid identifier; the message names `field`.
pub fn check_id(field: &str, id: &str) -> Result<(), String> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(format!(
            "{field} must be 1..={} characters among a-z 0-9 -, got {id:?}",
            limits::POLL_ID_MAX_LEN
        ))
    }
}

/// Trimmed, not empty, at most `max_chars` characters.
pub fn required_text(field: &str, text: &str, max_chars: usize) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if text.chars().count() > max_chars {
        return Err(format!("{field} is longer than {max_chars} characters"));
    }
    Ok(text.to_owned())
}

/// Trimmed text, `None` when absent or blank.
pub fn optional_text(
    field: &str,
    text: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, String> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => required_text(field, text, max_chars).map(Some),
    }
}

/// A resident's display name, trimmed.
pub fn check_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > AUTHOR_NAME_MAX_LEN {
        return Err(Error::InvalidName);
    }
    Ok(name.to_owned())
}
