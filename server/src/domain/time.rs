//! Time on the wire and in storage (RFC 3339, UTC, whole seconds) and consultation windows.

use civique_api::PollStatus;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

/// Now, in whole seconds, as stored and sent.
pub fn now_text() -> String {
    let now = OffsetDateTime::now_utc();
    format_time(now.replace_nanosecond(0).unwrap_or(now))
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

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
}
