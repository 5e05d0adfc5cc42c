//! Verified e-mail addresses: one participation per address, proven with a one-time code.
//!
//! The resident gives an address; the endpoint mails a six-digit code and answers a
//! [`ticket`]: `t`, expiry (8 hex digits), the address's keyed hash (32), a random nonce
//! (32), and a MAC (32) over all that *and the code*. The endpoint keeps nothing until the
//! code comes back: [`redeem`] recomputes the MAC with the code typed, and the caller
//! spends the nonce so that a code serves once. The participant then holds a token
//! [`super::sso::issue_for`] signed at the `email` level, naming the address's hash.
//!
//! The address itself is never stored: only [`subject`], an HMAC of it under the
//! endpoint's key, so that a copy of the database cannot be searched for a known address.

use hmac::Mac;

use super::sso::{hex, is_tagged_hex, mac, signs};

/// A code must be typed back within this many seconds.
pub const CODE_LIFETIME_SECS: i64 = 15 * 60;
/// Digits of a code.
pub const CODE_LEN: usize = 6;
/// Longest address accepted (RFC 5321's path limit).
pub const ADDRESS_MAX_LEN: usize = 254;
const TICKET_LEN: usize = 1 + 8 + 32 + 32 + 32;

/// Why an address, a code or its ticket is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the code's ticket is malformed")]
    Malformed,
    #[error("the code is wrong")]
    Wrong,
    #[error("the code has expired: ask for a new one")]
    Expired,
    #[error("the code was already used")]
    Replayed,
    #[error("this endpoint sends no e-mail: its [email] settings are missing")]
    NotEnabled,
}

/// The address as one participant: trimmed and lowercased (`Marie@Ville.fr` and
/// `marie@ville.fr` are one resident), or why it is not an address a code can go to.
pub fn normalize(address: &str) -> Result<String, String> {
    let address = address.trim().to_lowercase();
    let refuse = |why: &str| Err(format!("{why}: give an address such as marie@example.fr"));
    if address.is_empty() || address.chars().count() > ADDRESS_MAX_LEN {
        return refuse(&format!(
            "the address must be 1..={ADDRESS_MAX_LEN} characters"
        ));
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return refuse("the address has no @");
    };
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"@".contains(c);
    if local.is_empty() || local.len() > 64 || local.chars().any(forbidden) {
        return refuse("the part before the @ is not valid");
    }
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c == '-' || c.is_alphanumeric())
    });
    if !domain.contains('.') || !labels_ok {
        return refuse("the domain after the @ is not valid");
    }
    Ok(address)
}

/// The participant's pseudonym for a normalized `address` on `site_id`: an HMAC under the
/// endpoint's `key`, 32 hex digits.
pub fn subject(key: &str, site_id: &str, address: &str) -> String {
    hex(&mac(
        key.as_bytes(),
        format!("email:{site_id}:{address}").as_bytes(),
    )
    .finalize()
    .into_bytes()[..16])
}

/// A code from `random` (any integer; its value modulo 10⁶), zero-padded.
pub fn code(random: u32) -> String {
    format!("{:06}", random % 1_000_000)
}

fn ticket_mac(key: &str, site_id: &str, body: &str, code: &str) -> super::sso::HmacSha256 {
    mac(
        key.as_bytes(),
        format!("email-code:{site_id}:{body}:{code}").as_bytes(),
    )
}

/// The ticket for `code` sent to the address whose [`subject`] is `subject`, with `nonce`
/// (32 hex digits), and its expiry (Unix seconds).
pub fn ticket(
    key: &str,
    site_id: &str,
    subject: &str,
    code: &str,
    nonce: &str,
    now: i64,
) -> (String, i64) {
    let expires = now.saturating_add(CODE_LIFETIME_SECS);
    let body = format!(
        "t{:08x}{subject}{nonce}",
        expires.clamp(0, i64::from(u32::MAX))
    );
    let signature = hex(&ticket_mac(key, site_id, &body, code)
        .finalize()
        .into_bytes()[..16]);
    (body + &signature, expires)
}

/// What a redeemed ticket names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemed {
    pub subject: String,
    /// To spend, so that the code serves once.
    pub nonce: String,
    pub expires: i64,
}

/// Checks `code` (as typed: spaces are ignored) against `ticket` for `site_id` at `now`.
pub fn redeem(
    key: &str,
    site_id: &str,
    ticket: &str,
    code: &str,
    now: i64,
) -> Result<Redeemed, Problem> {
    if !is_tagged_hex(ticket, 't', TICKET_LEN) {
        return Err(Problem::Malformed);
    }
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != CODE_LEN || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::Wrong);
    }
    let (body, signature) = ticket.split_at(TICKET_LEN - 32);
    if !signs(ticket_mac(key, site_id, body, &code), signature).ok_or(Problem::Malformed)? {
        return Err(Problem::Wrong);
    }
    let expires = i64::from_str_radix(&body[1..9], 16).map_err(|_| Problem::Malformed)?;
    if expires <= now {
        return Err(Problem::Expired);
    }
    Ok(Redeemed {
        subject: body[9..41].to_owned(),
        nonce: body[41..73].to_owned(),
        expires,
    })
}

/// The message that carries `code`: subject and plain-text body, in `lang` (`en`, or
/// French).
pub fn message(lang: &str, site_name: &str, code: &str) -> (String, String) {
    let minutes = CODE_LIFETIME_SECS / 60;
    if lang.starts_with("en") {
        (
            format!("Your participation code: {code}"),
            format!(
                "Hello,\n\nHere is your code to take part on {site_name}: {code}\n\
                 It is valid for {minutes} minutes.\n\n\
                 If you did not ask for it, ignore this message: your address is not kept.\n"
            ),
        )
    } else {
        (
            format!("Votre code de participation : {code}"),
            format!(
                "Bonjour,\n\nVoici votre code pour participer sur {site_name} : {code}\n\
                 Il est valable {minutes} minutes.\n\n\
                 Si vous ne l'avez pas demandé, ignorez ce message : votre adresse n'est \
                 pas conservée.\n"
            ),
        )
    }
}

/// A resident's contribution the town may answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authored {
    /// A proposal (the answer comes with its status).
    Proposal(i64),
    /// A comment (the answer is an official reply to it).
    Comment(i64),
}

/// The address kept for a resident who asked to be told of answers, with what the message
/// names: the site, and the proposal's title or the thread's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub address: String,
    pub lang: String,
    pub site_name: String,
    pub title: String,
}

/// The language a message is written in: `en` for English tags, French otherwise.
pub fn lang_of(tag: Option<&str>) -> &'static str {
    if tag.is_some_and(|tag| tag.trim().to_ascii_lowercase().starts_with("en")) {
        "en"
    } else {
        "fr"
    }
}

/// The subject and text telling `contact` that the town answered `what` with `answer`.
pub fn answer_message(contact: &Contact, what: Authored, answer: &str) -> (String, String) {
    let (site, title) = (&contact.site_name, &contact.title);
    let en = contact.lang == "en";
    let (subject, intro) = match (what, en) {
        (Authored::Proposal(_), false) => (
            format!("Réponse à votre proposition « {title} »"),
            format!("{site} a répondu à votre proposition « {title} » :"),
        ),
        (Authored::Comment(_), false) => (
            format!("Réponse à votre commentaire sur « {title} »"),
            format!("{site} a répondu à votre commentaire sur « {title} » :"),
        ),
        (Authored::Proposal(_), true) => (
            format!("An answer to your proposal \"{title}\""),
            format!("{site} answered your proposal \"{title}\":"),
        ),
        (Authored::Comment(_), true) => (
            format!("An answer to your comment on \"{title}\""),
            format!("{site} answered your comment on \"{title}\":"),
        ),
    };
    let stop = if en {
        "You get this message because you asked to be told of answers. To stop, erase your \
         data from \"Mes données\" at the foot of the widget: your address goes with it."
    } else {
        "Vous recevez ce message parce que vous avez demandé à être prévenu des réponses. \
         Pour ne plus en recevoir, effacez vos données depuis « Mes données », au pied du \
         widget : votre adresse est effacée avec elles."
    };
    let greeting = if en { "Hello," } else { "Bonjour," };
    (
        subject,
        format!("{greeting}\n\n{intro}\n\n{answer}\n\n-- \n{stop}\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_told_in_the_residents_language() {
        let mut contact = Contact {
            address: "marie@ville.fr".into(),
            lang: lang_of(None).into(),
            site_name: "Ville de Saint-Exemple".into(),
            title: "Un banc".into(),
        };
        let (subject, body) = answer_message(&contact, Authored::Proposal(1), "Accepté.");
        assert_eq!(subject, "Réponse à votre proposition « Un banc »");
        assert!(body.contains("Ville de Saint-Exemple a répondu"), "{body}");
        assert!(body.contains("\n\nAccepté.\n\n"), "{body}");
        assert!(body.contains("Mes données"), "{body}");
        contact.lang = lang_of(Some("en-GB")).into();
        let (subject, body) = answer_message(&contact, Authored::Comment(2), "Thanks.");
        assert_eq!(subject, "An answer to your comment on \"Un banc\"");
        assert!(body.starts_with("Hello,"), "{body}");
        assert_eq!(lang_of(Some("de")), "fr");
    }

    const NOW: i64 = 1_800_000_000;
    const NONCE: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn addresses_are_normalized_or_refused() {
        assert_eq!(normalize("  Marie@Ville.FR ").unwrap(), "marie@ville.fr");
        assert_eq!(normalize("élu@mairie.fr").unwrap(), "élu@mairie.fr");
        for bad in [
            "",
            "marie",
            "@ville.fr",
            "marie@",
            "marie@ville",
            "ma rie@ville.fr",
            "marie@ville..fr",
            "marie@-ville.fr",
            "<marie>@ville.fr",
            "marie\u{0}@ville.fr",
        ] {
            assert!(normalize(bad).is_err(), "{bad:?}");
        }
        assert!(normalize(&format!("{}@ville.fr", "a".repeat(65))).is_err());
    }

    #[test]
    fn a_ticket_redeems_with_its_code_once_and_only_before_expiry() {
        let subject = subject("key", "town", "marie@ville.fr");
        assert_eq!(subject.len(), 32);
        assert_ne!(subject, super::subject("key", "town", "jean@ville.fr"));
        assert_ne!(subject, super::subject("key", "other", "marie@ville.fr"));
        assert_ne!(subject, super::subject("yek", "town", "marie@ville.fr"));
        let (ticket, expires) = ticket("key", "town", &subject, "042917", NONCE, NOW);
        assert_eq!(expires, NOW + CODE_LIFETIME_SECS);
        let redeemed = redeem("key", "town", &ticket, " 042 917 ", NOW).unwrap();
        assert_eq!(redeemed.subject, subject);
        assert_eq!(redeemed.nonce, NONCE);
        let refused = |t: &str, site: &str, code: &str, now| redeem("key", site, t, code, now);
        assert_eq!(refused(&ticket, "town", "042918", NOW), Err(Problem::Wrong));
        assert_eq!(refused(&ticket, "town", "42917", NOW), Err(Problem::Wrong));
        assert_eq!(
            refused(&ticket, "other", "042917", NOW),
            Err(Problem::Wrong)
        );
        assert_eq!(
            refused(&ticket, "town", "042917", expires),
            Err(Problem::Expired)
        );
        let other_subject = super::subject("key", "town", "jean@ville.fr");
        let moved = ticket.replacen(&subject, &other_subject, 1);
        assert_eq!(refused(&moved, "town", "042917", NOW), Err(Problem::Wrong));
        assert_eq!(
            refused(&ticket[1..], "town", "042917", NOW),
            Err(Problem::Malformed)
        );
    }

    #[test]
    fn codes_have_six_digits_and_messages_carry_them() {
        assert_eq!(code(42), "000042");
        assert_eq!(code(u32::MAX), "967295");
        let (subject, body) = message("fr", "Saint-Exemple", "123456");
        assert!(subject.contains("123456") && body.contains("Saint-Exemple : 123456"));
        let (subject, body) = message("en", "Saint-Exemple", "123456");
        assert!(subject.starts_with("Your") && body.contains("15 minutes"));
    }
}
