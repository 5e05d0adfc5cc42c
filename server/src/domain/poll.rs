//! Polls: their settings, when they are open, who may see the results, what a valid ballot is.

use civique_api::{
    limits, Participation, PollInput, PollKind, PollOption, PollResults, PollStatus, PollView,
    ResultsVisibility,
};
use time::OffsetDateTime;

use super::text::{check_id, optional_text, required_text};
use super::time::{format_time, parse_window, status_at};
use super::Error;

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
    pub participation: Participation,
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
    pub fn ensure_open(&self, now: OffsetDateTime) -> Result<(), Error> {
        match self.status(now) {
            PollStatus::Open => Ok(()),
            PollStatus::Upcoming => Err(Error::PollNotOpen),
            PollStatus::Closed => Err(Error::PollClosed),
        }
    }

    /// Checks a ballot against the poll's options and choice limit.
    pub fn check_choices(&self, choices: &[i64]) -> Result<(), Error> {
        if choices.is_empty() {
            return Err(Error::NoChoice);
        }
        for (i, choice) in choices.iter().enumerate() {
            if choices[..i].contains(choice) {
                return Err(Error::DuplicateChoice(*choice));
            }
            if !self.options.iter().any(|o| o.id == *choice) {
                return Err(Error::UnknownOption(*choice));
            }
        }
        if choices.len() > self.max_choices as usize {
            return Err(Error::TooManyChoices(self.max_choices));
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
            participation: self.participation,
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
            participation: input.participation,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

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
            participation: Participation::Device,
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
            participation: Participation::Device,
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
        assert!(matches!(p.check_choices(&[]), Err(Error::NoChoice)));
        assert!(matches!(
            p.check_choices(&[1, 1]),
            Err(Error::DuplicateChoice(1))
        ));
        assert!(matches!(
            p.check_choices(&[9]),
            Err(Error::UnknownOption(9))
        ));
        assert!(matches!(
            p.check_choices(&[1, 2, 3]),
            Err(Error::TooManyChoices(2))
        ));
        assert!(p.check_choices(&[3, 1]).is_ok());
    }
}
