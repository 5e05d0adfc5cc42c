//! Poll rules that do not depend on storage: validation, status, result visibility, time.

use civique_api::{
    is_valid_id, limits, PollInput, PollKind, PollOption, PollResults, PollStatus, PollView,
    ResultsVisibility, SiteInput,
};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::error::ApiError;

/// A poll's settings; `O` is a stored option ([`Poll`]) or a label still to store ([`NewPoll`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollSpec<O> {
    pub id: String,
    pub site_id: String,
    pub question: String,
    pub description: Option<String>,
    pub kind: PollKind,
    pub max_choices: u32,
    pub options: Vec<O>,
    pub opens_at: Option<OffsetDateTime>,
    pub closes_at: Option<OffsetDateTime>,
    pub results_visibility: ResultsVisibility,
}

/// A stored poll.
pub type Poll = PollSpec<PollOption>;

/// A validated [`PollInput`], ready to be stored.
pub type NewPoll = PollSpec<String>;

impl Poll {
    pub fn status(&self, now: OffsetDateTime) -> PollStatus {
        status_at(self.opens_at, self.closes_at, now)
    }

    /// May someone who has (or has not) voted see the results now?
    pub fn results_visible(&self, status: PollStatus, has_voted: bool) -> bool {
        status == PollStatus::Closed
            || match self.results_visibility {
                ResultsVisibility::Always => true,
                ResultsVisibility::AfterVote => has_voted,
                ResultsVisibility::AfterClose => false,
            }
    }

    /// Votes are accepted only while the poll is open.
    pub fn ensure_open(&self, now: OffsetDateTime) -> Result<(), ApiError> {
        match self.status(now) {
            PollStatus::Open => Ok(()),
            PollStatus::Upcoming => Err(ApiError::PollNotOpen),
            PollStatus::Closed => Err(ApiError::PollClosed),
        }
    }

    /// Checks a ballot against the poll's options and choice limit.
    pub fn check_choices(&self, choices: &[i64]) -> Result<(), ApiError> {
        if choices.is_empty() {
            return Err(ApiError::NoChoice);
        }
        for (i, choice) in choices.iter().enumerate() {
            if choices[..i].contains(choice) {
                return Err(ApiError::DuplicateChoice(*choice));
            }
            if !self.options.iter().any(|o| o.id == *choice) {
                return Err(ApiError::UnknownOption(*choice));
            }
        }
        if choices.len() > self.max_choices as usize {
            return Err(ApiError::TooManyChoices(self.max_choices));
        }
        Ok(())
    }

    pub fn view(
        &self,
        status: PollStatus,
        results: Option<PollResults>,
        my_choices: Vec<i64>,
    ) -> PollView {
        PollView {
            id: self.id.clone(),
            site_id: self.site_id.clone(),
            question: self.question.clone(),
            description: self.description.clone(),
            kind: self.kind,
            max_choices: self.max_choices,
            options: self.options.clone(),
            opens_at: self.opens_at.map(format_time),
            closes_at: self.closes_at.map(format_time),
            status,
            results_visibility: self.results_visibility,
            results,
            my_choices,
        }
    }
}

impl NewPoll {
    /// Validates admin input; the error message says what to fix.
    pub fn from_input(input: PollInput) -> Result<Self, String> {
        check_id("id", &input.id)?;
        check_id("site_id", &input.site_id)?;
        let question = required_text("question", &input.question, limits::QUESTION_MAX_LEN)?;
        let description = optional_text(
            "description",
            input.description.as_deref(),
            limits::DESCRIPTION_MAX_LEN,
        )?;
        let count = input.options.len();
        if !(limits::MIN_OPTIONS..=limits::MAX_OPTIONS).contains(&count) {
            return Err(format!(
                "a poll needs {}..={} options, got {count}",
                limits::MIN_OPTIONS,
                limits::MAX_OPTIONS
            ));
        }
        let mut options = Vec::with_capacity(count);
        for label in &input.options {
            let label = required_text("option label", label, limits::OPTION_LABEL_MAX_LEN)?;
            if options.contains(&label) {
                return Err(format!("option {label:?} appears twice"));
            }
            options.push(label);
        }
        let max_choices = match (input.kind, input.max_choices) {
            (PollKind::Single, _) => 1,
            (PollKind::Multiple, None) => count as u32,
            (PollKind::Multiple, Some(n)) if (1..=count as u32).contains(&n) => n,
            (PollKind::Multiple, Some(n)) => {
                return Err(format!(
                    "max_choices must be between 1 and {count}, got {n}"
                ))
            }
        };
        let (opens_at, closes_at) =
            parse_window(input.opens_at.as_deref(), input.closes_at.as_deref())?;
        Ok(Self {
            id: input.id,
            site_id: input.site_id,
            question,
            description,
            kind: input.kind,
            max_choices,
            options,
            opens_at,
            closes_at,
            results_visibility: input.results_visibility,
        })
    }
}

/// Where a consultation open from `opens_at` until `closes_at` (each optional) stands at `now`.
pub fn status_at(
    opens_at: Option<OffsetDateTime>,
    closes_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> PollStatus {
    if opens_at.is_some_and(|t| now < t) {
        PollStatus::Upcoming
    } else if closes_at.is_some_and(|t| now >= t) {
        PollStatus::Closed
    } else {
        PollStatus::Open
    }
}

/// Parses optional RFC 3339 opening and closing times; the opening comes first.
pub fn parse_window(
    opens_at: Option<&str>,
    closes_at: Option<&str>,
) -> Result<(Option<OffsetDateTime>, Option<OffsetDateTime>), String> {
    let opens_at = opens_at.map(parse_time).transpose()?;
    let closes_at = closes_at.map(parse_time).transpose()?;
    if let (Some(opens), Some(closes)) = (opens_at, closes_at) {
        if opens >= closes {
            return Err("opens_at must be before closes_at".to_owned());
        }
    }
    Ok((opens_at, closes_at))
}

/// Validates a site definition (admin API, CLI, seed file and config).
pub fn check_site(site: &SiteInput) -> Result<(), String> {
    check_id("id", &site.id)?;
    required_text("name", &site.name, limits::SITE_NAME_MAX_LEN)?;
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

pub(crate) fn check_id(field: &str, id: &str) -> Result<(), String> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(format!(
            "{field} must be 1..={} characters among a-z 0-9 -, got {id:?}",
            limits::POLL_ID_MAX_LEN
        ))
    }
}

pub(crate) fn required_text(field: &str, text: &str, max_chars: usize) -> Result<String, String> {
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
pub(crate) fn optional_text(
    field: &str,
    text: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, String> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => required_text(field, text, max_chars).map(Some),
    }
}

/// Parses an RFC 3339 timestamp, normalized to UTC whole seconds.
pub fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| {
            t.to_offset(UtcOffset::UTC)
                .replace_nanosecond(0)
                .unwrap_or(t)
        })
        .map_err(|e| format!("{text:?} is not an RFC 3339 timestamp: {e}"))
}

/// Formats a timestamp the way it travels on the wire: `2026-11-21T18:00:00Z`.
pub fn format_time(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Resolves an operator-written time: RFC 3339, or an offset from `now` such as `+30d`,
/// `-2d`, `+3h`, `+15m` (seed files and CLI), so demo content keeps believable dates.
pub fn resolve_time(text: &str, now: OffsetDateTime) -> Result<String, String> {
    let Some(sign) = text.chars().next().filter(|c| matches!(c, '+' | '-')) else {
        return parse_time(text).map(format_time);
    };
    let body = &text[1..];
    let (number, unit) = body.split_at(
        body.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(body.len()),
    );
    let amount: i64 = number
        .parse()
        .map_err(|_| format!("{text:?} is neither RFC 3339 nor an offset like +30d"))?;
    let offset = match unit {
        "d" => Duration::days(amount),
        "h" => Duration::hours(amount),
        "m" => Duration::minutes(amount),
        _ => return Err(format!("{text:?}: offset unit must be d, h or m")),
    };
    let at = if sign == '+' {
        now + offset
    } else {
        now - offset
    };
    Ok(format_time(at.replace_nanosecond(0).unwrap_or(at)))
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
    use time::macros::datetime;

    fn input() -> PollInput {
        PollInput {
            id: "budget".into(),
            site_id: "town".into(),
            question: " Which project? ".into(),
            description: Some("  ".into()),
            kind: PollKind::Multiple,
            max_choices: None,
            options: vec!["Park".into(), "Library".into(), "Pool".into()],
            opens_at: Some("2026-01-01T10:00:00+01:00".into()),
            closes_at: None,
            results_visibility: ResultsVisibility::Always,
        }
    }

    fn poll(opens_at: Option<OffsetDateTime>, closes_at: Option<OffsetDateTime>) -> Poll {
        Poll {
            id: "p".into(),
            site_id: "s".into(),
            question: "q".into(),
            description: None,
            kind: PollKind::Multiple,
            max_choices: 2,
            options: (1..=3)
                .map(|id| PollOption {
                    id,
                    label: id.to_string(),
                })
                .collect(),
            opens_at,
            closes_at,
            results_visibility: ResultsVisibility::AfterVote,
        }
    }

    #[test]
    fn input_is_normalized() {
        let new = NewPoll::from_input(input()).unwrap();
        assert_eq!(new.question, "Which project?");
        assert_eq!(new.description, None);
        assert_eq!(new.max_choices, 3);
        assert_eq!(new.opens_at, Some(datetime!(2026-01-01 09:00 UTC)));
    }

    #[test]
    fn bad_input_is_explained() {
        let cases: [fn(&mut PollInput); 7] = [
            |i| i.id = "Bad Id".into(),
            |i| i.question = " ".into(),
            |i| i.options.truncate(1),
            |i| i.options[1] = "Park".into(),
            |i| i.max_choices = Some(4),
            |i| i.opens_at = Some("tomorrow".into()),
            |i| i.closes_at = Some("2025-12-31T00:00:00Z".into()),
        ];
        for case in cases {
            let mut i = input();
            case(&mut i);
            assert!(NewPoll::from_input(i).is_err());
        }
    }

    #[test]
    fn status_follows_the_clock() {
        let now = datetime!(2026-06-01 12:00 UTC);
        let p = poll(Some(now + Duration::hours(1)), None);
        assert_eq!(p.status(now), PollStatus::Upcoming);
        let p = poll(Some(now - Duration::hours(1)), Some(now));
        assert_eq!(p.status(now), PollStatus::Closed);
        assert_eq!(poll(None, None).status(now), PollStatus::Open);
    }

    #[test]
    fn choices_are_checked_in_order() {
        let p = poll(None, None);
        assert!(matches!(p.check_choices(&[]), Err(ApiError::NoChoice)));
        assert!(matches!(
            p.check_choices(&[1, 1]),
            Err(ApiError::DuplicateChoice(1))
        ));
        assert!(matches!(
            p.check_choices(&[9]),
            Err(ApiError::UnknownOption(9))
        ));
        assert!(matches!(
            p.check_choices(&[1, 2, 3]),
            Err(ApiError::TooManyChoices(2))
        ));
        assert!(p.check_choices(&[3, 1]).is_ok());
    }

    #[test]
    fn relative_times_resolve_against_now() {
        let now = datetime!(2026-06-01 12:00:30.5 UTC);
        assert_eq!(resolve_time("+30d", now).unwrap(), "2026-07-01T12:00:30Z");
        assert_eq!(resolve_time("-2d", now).unwrap(), "2026-05-30T12:00:30Z");
        assert_eq!(resolve_time("+3h", now).unwrap(), "2026-06-01T15:00:30Z");
        assert_eq!(
            resolve_time("2026-01-01T00:00:00+02:00", now).unwrap(),
            "2025-12-31T22:00:00Z"
        );
        assert!(resolve_time("+3y", now).is_err());
        assert!(resolve_time("+d", now).is_err());
    }

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
