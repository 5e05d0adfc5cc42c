//! Checks shared by every kind of input: identifiers, required and optional texts, names.

use civique_api::comments::limits::AUTHOR_NAME_MAX_LEN;
use civique_api::{is_valid_id, limits};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

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

/// A one-line label (a name, a title, an option), trimmed and NFC-normalised, not empty,
/// at most `max_chars` characters, holding a visible letter or digit and no invisible or
/// control character (see [`Label`]).
pub fn required_text(field: &str, text: &str, max_chars: usize) -> Result<String, String> {
    match label(text, max_chars) {
        Ok(text) => Ok(text),
        Err(Label::Empty) => Err(format!("{field} must not be empty")),
        Err(Label::TooLong) => Err(format!("{field} is longer than {max_chars} characters")),
        Err(Label::Hidden(c)) => Err(format!(
            "{field} holds the invisible or control character U+{:04X}",
            c as u32
        )),
        Err(Label::NoLetter) => Err(format!("{field} must hold a letter or a digit")),
    }
}

/// Why a label was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Empty,
    TooLong,
    /// A control (Cc), format (Cf: bidi overrides and isolates, zero-width characters,
    /// soft hyphen…), line or paragraph separator, private-use or unassigned character:
    /// it would hide or reorder what readers see ("\u{202e}eiriaM" shows as "Mairie").
    Hidden(char),
    /// Only spaces, marks and punctuation.
    NoLetter,
}

/// `text` trimmed and NFC-normalised, if it is a label of at most `max_chars` characters.
pub fn label(text: &str, max_chars: usize) -> Result<String, Label> {
    let text: String = text.trim().nfc().collect();
    if text.is_empty() {
        return Err(Label::Empty);
    }
    if text.chars().count() > max_chars {
        return Err(Label::TooLong);
    }
    if let Some(c) = text.chars().find(|&c| hidden(c)) {
        return Err(Label::Hidden(c));
    }
    if !text.chars().any(char::is_alphanumeric) {
        return Err(Label::NoLetter);
    }
    Ok(text)
}

/// Characters a label may not hold. Spaces other than U+0020 (no-break, thin) are fine:
/// French writes "Saint\u{a0}Exemple".
fn hidden(c: char) -> bool {
    use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
    matches!(
        c.general_category(),
        G::Control
            | G::Format
            | G::LineSeparator
            | G::ParagraphSeparator
            | G::PrivateUse
            | G::Surrogate
            | G::Unassigned
    )
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

/// A display name, as a [`label`]. Staff may sign as the town; a resident may not (see
/// [`reserved`]).
pub fn check_name(name: &str, staff: bool) -> Result<String, Error> {
    let name = label(name, AUTHOR_NAME_MAX_LEN).map_err(|_| Error::InvalidName)?;
    if !staff && reserved(&name) {
        return Err(Error::ReservedName);
    }
    Ok(name)
}

/// First words that speak for the town or its staff, accents and case aside.
const STAFF_WORDS: &[&str] = &[
    "admin",
    "administrateur",
    "administration",
    "administratrice",
    "administrator",
    "civique",
    "mairie",
    "moderateur",
    "moderation",
    "moderatrice",
    "moderator",
    "officiel",
    "officielle",
    "official",
    "staff",
    "webmaster",
];

/// Whole names that speak for the town ("Le maire", but not "Jean Maire").
const STAFF_NAMES: &[&str] = &["maire", "le maire", "la maire", "la mairie", "la ville"];

/// Whether a resident's `name` would pass for the town's staff: it starts with one of
/// [`STAFF_WORDS`], is one of [`STAFF_NAMES`], or starts "Ville de".
pub fn reserved(name: &str) -> bool {
    let folded = fold(name);
    let first = folded.split(' ').next().unwrap_or_default();
    STAFF_WORDS.contains(&first)
        || STAFF_NAMES.contains(&folded.as_str())
        || folded.starts_with("ville de ")
}

/// Lower case without accents, letters and digits only, words split by single spaces.
fn fold(name: &str) -> String {
    let letters: String = name
        .nfd()
        .filter(|&c| !is_combining_mark(c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    letters.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_refuse_what_hides_or_reorders_text() {
        for text in [
            "\u{202e}eiriaM",
            "\u{200b}",
            "Nom\u{0}",
            "Nom\u{1b}[31m",
            "Mai\u{200d}rie",
            "a\u{2066}b",
            "ligne\u{2028}deux",
            "\u{e000}priv\u{e9}",
        ] {
            assert!(
                matches!(label(text, 60), Err(Label::Hidden(_))),
                "{text:?} was accepted"
            );
        }
        assert_eq!(label("   ", 60), Err(Label::Empty));
        assert_eq!(label("\u{2014} ! \u{2026}", 60), Err(Label::NoLetter));
        assert_eq!(label("\u{301}\u{301}", 60), Err(Label::NoLetter));
        assert_eq!(label("abcdef", 5), Err(Label::TooLong));
    }

    #[test]
    fn labels_are_trimmed_and_composed() {
        // "e" followed by a combining acute accent becomes one "é".
        assert_eq!(label("  Rene\u{301}e ", 60).as_deref(), Ok("Ren\u{e9}e"));
        assert_eq!(label("Rene\u{301}e", 5).as_deref(), Ok("Ren\u{e9}e"));
        assert_eq!(
            label("Saint\u{a0}Exemple", 60).as_deref(),
            Ok("Saint\u{a0}Exemple")
        );
        assert_eq!(label("2027", 60).as_deref(), Ok("2027"));
        assert_eq!(label("Jean-Luc ✌️", 60).as_deref(), Ok("Jean-Luc ✌️"));
        assert_eq!(label("سارة", 60).as_deref(), Ok("سارة"));
    }

    #[test]
    fn residents_may_not_sign_as_the_town() {
        for name in [
            "Mairie",
            "MAIRIE de Saint-Exemple",
            "Mairie\u{a0}de Saint-Exemple",
            "Modérateur",
            "moderatrice 2",
            "Admin",
            "Le Maire",
            "la   mairie",
            "Ville de Saint-Exemple",
        ] {
            assert_eq!(check_name(name, false), Err(Error::ReservedName), "{name}");
            assert!(check_name(name, true).is_ok(), "staff may sign {name}");
        }
        for name in ["Jean Maire", "Camille", "Villeneuve", "Marie Admina"] {
            assert!(check_name(name, false).is_ok(), "{name}");
        }
        assert_eq!(check_name("\u{202e}eiriaM", false), Err(Error::InvalidName));
    }
}
