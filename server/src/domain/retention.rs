//! Retention: how long the personal data of a closed widget is kept, and what erasing it
//! did.

use time::{Date, Month, OffsetDateTime};

/// The actor named in the audit log for what the scheduled erasure does.
pub const ACTOR: &str = "retention";

/// The moment `months` calendar months before `now` (the same day of the month, or the
/// month's last day when it has fewer): widgets closed at or before it are past retention.
pub fn cutoff(now: OffsetDateTime, months: u32) -> OffsetDateTime {
    let total = i64::from(now.year()) * 12 + i64::from(u8::from(now.month())) - 1;
    let back = total - i64::from(months);
    let year = i32::try_from(back.div_euclid(12)).unwrap_or(i32::MIN);
    let month = Month::try_from(u8::try_from(back.rem_euclid(12) + 1).unwrap_or(1))
        .unwrap_or(Month::January);
    let day = now.day().min(month.length(year));
    match Date::from_calendar_date(year, month, day) {
        Ok(date) => now.replace_date(date),
        Err(_) => OffsetDateTime::UNIX_EPOCH,
    }
}

/// What one site's erasure did, for the audit log and the endpoint's log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retained {
    /// Ballots of closed polls, erased (the tallies stay).
    pub ballots: u64,
    /// Comments of locked threads and of closed boxes' proposals, no longer tied to their
    /// author nor naming them.
    pub comments: u64,
    /// Proposals of closed boxes, likewise.
    pub proposals: u64,
    /// Supports, "useful" marks and reports erased (their counts stay).
    pub supports: u64,
    pub useful_marks: u64,
    pub reports: u64,
    /// Participants left with nothing on the site, forgotten.
    pub participants: u64,
}

impl Retained {
    /// Whether anything was erased.
    pub fn any(&self) -> bool {
        *self != Self::default()
    }

    /// The reason written in the audit log.
    pub fn reason(&self, months: u32) -> String {
        format!(
            "{months} months after closing: {} ballots, {} comments, {} proposals, {} supports, \
             {} useful marks, {} reports, {} participants",
            self.ballots,
            self.comments,
            self.proposals,
            self.supports,
            self.useful_marks,
            self.reports,
            self.participants
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_cutoff_goes_back_calendar_months() {
        let now = datetime!(2026-12-03 13:14:10 UTC);
        assert_eq!(cutoff(now, 12), datetime!(2025-12-03 13:14:10 UTC));
        assert_eq!(cutoff(now, 1), datetime!(2026-11-03 13:14:10 UTC));
        assert_eq!(cutoff(now, 11), datetime!(2026-01-03 13:14:10 UTC));
        assert_eq!(cutoff(now, 120), datetime!(2016-12-03 13:14:10 UTC));
    }

    #[test]
    fn the_cutoff_keeps_to_the_last_day_of_a_shorter_month() {
        assert_eq!(
            cutoff(datetime!(2026-03-31 08:00 UTC), 1),
            datetime!(2026-02-28 08:00 UTC)
        );
        assert_eq!(
            cutoff(datetime!(2024-03-31 08:00 UTC), 1),
            datetime!(2024-02-29 08:00 UTC)
        );
        assert_eq!(
            cutoff(datetime!(2026-01-15 08:00 UTC), 2),
            datetime!(2025-11-15 08:00 UTC)
        );
    }

    #[test]
    fn the_reason_gives_every_count() {
        let retained = Retained {
            ballots: 3,
            participants: 2,
            ..Retained::default()
        };
        assert!(retained.any());
        assert!(!Retained::default().any());
        assert_eq!(
            retained.reason(12),
            "12 months after closing: 3 ballots, 0 comments, 0 proposals, 0 supports, \
             0 useful marks, 0 reports, 2 participants"
        );
    }
}
