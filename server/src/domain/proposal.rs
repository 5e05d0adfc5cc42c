//! Proposal boxes: boxes, proposals (ideas or questions), the town's decisions, supports and
//! the words that full-text search and similar-title suggestions look for.

use civique_api::proposals::limits;
use civique_api::{
    is_valid_id, BoxInput, BoxMode, BoxPatch, BoxView, Category, Participation, PollStatus,
    ProposalInput, ProposalSort, ProposalStatus, ProposalView, StatusChange, ThreadInput,
    Visibility,
};
use time::OffsetDateTime;

use super::comment::{new_thread, Thread};
use super::markdown::check_markdown;
use super::text::{check_id, check_name, label, optional_text, required_text, Label};
use super::time::{format_time, parse_window, status_at};
use super::Error;

/// A stored (or validated) box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalBox {
    pub id: String,
    pub site_id: String,
    pub title: String,
    pub description: Option<String>,
    pub mode: BoxMode,
    pub categories: Vec<Category>,
    pub threshold: Option<u64>,
    pub pre_moderation: bool,
    pub opens_at: Option<OffsetDateTime>,
    pub closes_at: Option<OffsetDateTime>,
    pub participation: Participation,
    /// Changes whenever one of the box's published titles does (the database keeps it):
    /// what is kept in memory of those titles is read again then.
    pub titles_version: i64,
}

impl ProposalBox {
    /// Validates admin (or seed) input; the error message says what to fix.
    pub fn from_input(input: BoxInput) -> Result<Self, String> {
        check_id("id", &input.id)?;
        check_id("site_id", &input.site_id)?;
        let title = required_text("title", &input.title, limits::BOX_TITLE_MAX_LEN)?;
        let description = optional_text(
            "description",
            input.description.as_deref(),
            limits::BOX_DESCRIPTION_MAX_LEN,
        )?;
        if input.categories.len() > limits::MAX_CATEGORIES {
            return Err(format!(
                "a box has at most {} categories",
                limits::MAX_CATEGORIES
            ));
        }
        if input.mode == BoxMode::Questions && !input.categories.is_empty() {
            return Err("questions boxes have no categories".to_owned());
        }
        let mut categories: Vec<Category> = Vec::with_capacity(input.categories.len());
        for category in input.categories {
            if !is_valid_id(&category.id) {
                return Err(format!(
                    "category id {:?} must be a slug (a-z 0-9 -)",
                    category.id
                ));
            }
            if categories.iter().any(|c| c.id == category.id) {
                return Err(format!("category {:?} appears twice", category.id));
            }
            let label = required_text(
                "category label",
                &category.label,
                limits::CATEGORY_LABEL_MAX_LEN,
            )?;
            categories.push(Category {
                id: category.id,
                label,
            });
        }
        if input.threshold == Some(0) {
            return Err("threshold must be at least 1".to_owned());
        }
        let (opens_at, closes_at) =
            parse_window(input.opens_at.as_deref(), input.closes_at.as_deref())?;
        Ok(Self {
            id: input.id,
            site_id: input.site_id,
            title,
            description,
            mode: input.mode,
            categories,
            threshold: input.threshold,
            pre_moderation: input.pre_moderation,
            opens_at,
            closes_at,
            participation: input.participation,
            titles_version: 0,
        })
    }

    /// The box with `patch` applied (an empty time removes it).
    pub fn patched(&self, patch: BoxPatch) -> Result<Self, String> {
        let time = |given: Option<String>, current: Option<OffsetDateTime>| match given {
            None => current.map(format_time),
            Some(text) if text.trim().is_empty() => None,
            Some(text) => Some(text),
        };
        let opens_at = time(patch.opens_at, self.opens_at);
        let closes_at = time(patch.closes_at, self.closes_at);
        let (opens_at, closes_at) = parse_window(opens_at.as_deref(), closes_at.as_deref())?;
        Ok(Self {
            pre_moderation: patch.pre_moderation.unwrap_or(self.pre_moderation),
            opens_at,
            closes_at,
            ..self.clone()
        })
    }

    pub fn status(&self, now: OffsetDateTime) -> PollStatus {
        status_at(self.opens_at, self.closes_at, now)
    }

    /// Proposals and supports are accepted only while the box is open.
    pub fn ensure_open(&self, now: OffsetDateTime) -> Result<(), Error> {
        match self.status(now) {
            PollStatus::Open => Ok(()),
            PollStatus::Upcoming => Err(Error::BoxNotOpen),
            PollStatus::Closed => Err(Error::BoxClosed),
        }
    }

    pub fn view(&self, now: OffsetDateTime, count: u64) -> BoxView {
        BoxView {
            id: self.id.clone(),
            site_id: self.site_id.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            mode: self.mode,
            categories: self.categories.clone(),
            threshold: self.threshold,
            pre_moderation: self.pre_moderation,
            opens_at: self.opens_at.map(format_time),
            closes_at: self.closes_at.map(format_time),
            status: self.status(now),
            count,
            participation: self.participation,
        }
    }

    /// Validates a resident's proposal (or question) and renders its description.
    pub fn check_proposal(&self, input: ProposalInput) -> Result<NewProposal, Error> {
        let max = match self.mode {
            BoxMode::Ideas => limits::TITLE_MAX_LEN,
            BoxMode::Questions => limits::QUESTION_MAX_LEN,
        };
        let title = label(&input.title, max).map_err(|fault| match fault {
            Label::Empty => Error::EmptyTitle,
            Label::TooLong => Error::TitleTooLong(max),
            Label::Hidden(_) | Label::NoLetter => Error::InvalidTitle,
        })?;
        let author_name = check_name(&input.author_name, false)?;
        let mut new = NewProposal {
            title,
            text: String::new(),
            html: String::new(),
            category: None,
            place: None,
            author_name,
        };
        if self.mode == BoxMode::Questions {
            return Ok(new);
        }
        (new.text, new.html) = check_markdown(&input.text, limits::TEXT_MAX_LEN)?;
        new.category = self.check_category(input.category.as_deref())?;
        new.place = match input.place.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(place) if place.chars().count() > limits::PLACE_MAX_LEN => {
                return Err(Error::PlaceTooLong);
            }
            Some(place) => Some(place.to_owned()),
        };
        Ok(new)
    }

    /// A category of a new proposal: required when the box has some, one of them.
    fn check_category(&self, given: Option<&str>) -> Result<Option<String>, Error> {
        match given.map(str::trim).filter(|id| !id.is_empty()) {
            None if self.categories.is_empty() => Ok(None),
            None => Err(Error::CategoryRequired),
            Some(id) => self.known_category(id).map(Some),
        }
    }

    /// `id` if it names one of the box's categories.
    pub fn known_category(&self, id: &str) -> Result<String, Error> {
        if self.categories.iter().any(|c| c.id == id) {
            Ok(id.to_owned())
        } else {
            Err(Error::UnknownCategory(id.to_owned()))
        }
    }

    /// Ideas go through review to a decision; questions are only ever answered.
    pub fn check_status(&self, status: ProposalStatus) -> Result<(), Error> {
        let fits = match self.mode {
            BoxMode::Ideas => status != ProposalStatus::Answered,
            BoxMode::Questions => {
                matches!(status, ProposalStatus::Submitted | ProposalStatus::Answered)
            }
        };
        if fits {
            Ok(())
        } else {
            Err(Error::InvalidStatus(status.as_str()))
        }
    }

    /// The comment thread of proposal `id` (ideas mode), moderated like the box.
    pub fn thread_of(&self, id: i64, title: &str) -> Option<Thread> {
        if self.mode != BoxMode::Ideas {
            return None;
        }
        new_thread(ThreadInput {
            id: format!("proposal-{id}"),
            site_id: self.site_id.clone(),
            title: title.to_owned(),
            pre_moderation: self.pre_moderation,
            max_depth: None,
            participation: self.participation,
        })
        .ok()
    }
}

/// A validated proposal to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProposal {
    pub title: String,
    pub text: String,
    pub html: String,
    pub category: Option<String>,
    pub place: Option<String>,
    pub author_name: String,
}

/// Checks a staff name for the history: trimmed, "Mairie" when absent or blank.
pub fn check_actor(by: Option<&str>) -> Result<String, Error> {
    Ok(optional_text("by", by, limits::ACTOR_MAX_LEN)
        .map_err(Error::InvalidInput)?
        .unwrap_or_else(|| "Mairie".to_owned()))
}

/// A stored proposal as one participant sees it (`mine`, `my_support` depend on the reader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    pub box_id: String,
    pub title: String,
    pub text: String,
    pub html: String,
    pub category: Option<String>,
    pub place: Option<String>,
    pub author_name: String,
    pub status: ProposalStatus,
    pub duplicate_of: Option<i64>,
    pub visibility: Visibility,
    pub answer: Option<String>,
    pub answer_html: Option<String>,
    pub answered_at: Option<String>,
    pub supports: u64,
    pub threshold_reached_at: Option<String>,
    pub thread_id: Option<String>,
    pub created_at: String,
    pub mine: bool,
    pub my_support: bool,
}

impl Proposal {
    /// May this reader see it? Published ones, and pending ones to their author.
    pub fn visible_to_reader(&self) -> bool {
        match self.visibility {
            Visibility::Published => true,
            Visibility::Pending => self.mine,
            Visibility::Hidden => false,
        }
    }

    pub fn view(&self, history: Vec<StatusChange>) -> ProposalView {
        ProposalView {
            id: self.id,
            box_id: self.box_id.clone(),
            title: self.title.clone(),
            text: self.text.clone(),
            html: self.html.clone(),
            category: self.category.clone(),
            place: self.place.clone(),
            author_name: self.author_name.clone(),
            status: self.status,
            duplicate_of: self.duplicate_of,
            visibility: self.visibility,
            answer: self.answer.clone(),
            answer_html: self.answer_html.clone(),
            answered_at: self.answered_at.clone(),
            supports: self.supports,
            my_support: self.my_support,
            mine: self.mine,
            threshold_reached_at: self.threshold_reached_at.clone(),
            thread_id: self.thread_id.clone(),
            created_at: self.created_at.clone(),
            history,
        }
    }
}

/// A staff decision on a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    pub by: String,
    pub from: ProposalStatus,
    pub to: ProposalStatus,
    pub duplicate_of: Option<i64>,
    /// New answer (source, html); `None` keeps the current one, an empty source removes it.
    pub answer: Option<(String, String)>,
}

/// What adding or withdrawing a support did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportChange {
    /// `false`: the participant already supported (or did not support) the proposal.
    pub changed: bool,
    pub supports: u64,
    pub threshold_reached_at: Option<String>,
    /// This support is the one that reached the box's threshold.
    pub crossed: bool,
}

/// What a listing shows: published proposals of a box, filtered, in `sort` order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalFilter {
    pub sort: ProposalSort,
    pub category: Option<String>,
    pub status: Option<ProposalStatus>,
    pub search: Option<SearchTerms>,
}

/// Words to look for, each as a prefix; each backend writes them in its own query language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms {
    /// Lowercased runs of letters and digits: never query syntax.
    pub words: Vec<String>,
    /// Every word must match (a search), or any of them (similar titles).
    pub all: bool,
}

impl SearchTerms {
    /// The words in a query language: each made a `token`, joined by `and` (all must
    /// match) or `or` (any may).
    pub fn query(&self, token: impl Fn(&str) -> String, and: &str, or: &str) -> String {
        let words: Vec<String> = self.words.iter().map(|word| token(word)).collect();
        words.join(if self.all { and } else { or })
    }
}

/// Common French and English words that say nothing about a proposal's subject.
const STOP_WORDS: &[&str] = &[
    "les", "des", "une", "aux", "pour", "par", "sur", "sous", "dans", "avec", "sans", "chez",
    "entre", "vers", "que", "qui", "quoi", "dont", "est", "sont", "ont", "pas", "plus", "moins",
    "tout", "tous", "toute", "toutes", "cette", "ces", "ses", "son", "sa", "mes", "mon", "nos",
    "notre", "vos", "votre", "leur", "leurs", "mais", "donc", "car", "comme", "aussi", "très",
    "trop", "peu", "faire", "fait", "être", "avoir", "nous", "vous", "ils", "elle", "elles", "lui",
    "the", "and", "for", "with", "from", "this", "that", "these", "those", "are", "was", "were",
    "not", "but", "our", "your", "their", "into", "about", "more", "less", "all", "any", "can",
    "has", "have", "its", "too", "very", "there", "what", "which", "who", "how", "why",
];

/// Lowercased runs of letters and digits of at least `min_chars` characters.
fn words(text: &str, min_chars: usize) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(move |word| word.chars().count() >= min_chars)
        .map(str::to_lowercase)
}

fn terms(words: impl Iterator<Item = String>, all: bool) -> Option<SearchTerms> {
    let words: Vec<String> = words.collect();
    (!words.is_empty()).then_some(SearchTerms { words, all })
}

/// The words of a listing's `q`: all required. One-letter words (the elided `l'`, `d'`)
/// are left out.
pub fn search_terms(q: &str) -> Option<SearchTerms> {
    terms(words(q, 2), true)
}

/// The words of a title being typed, for similar proposals: any word of at least three
/// letters that is not a stop word.
pub fn similar_terms(q: &str) -> Option<SearchTerms> {
    terms(
        words(q, 3).filter(|word| !STOP_WORDS.contains(&word.as_str())),
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn input() -> BoxInput {
        BoxInput {
            id: "idees".into(),
            site_id: "town".into(),
            title: " Vos idées ".into(),
            description: Some(" ".into()),
            mode: BoxMode::Ideas,
            categories: vec![Category {
                id: "nature".into(),
                label: "Nature en ville".into(),
            }],
            threshold: Some(50),
            pre_moderation: false,
            opens_at: Some("2026-01-01T00:00:00Z".into()),
            closes_at: None,
            participation: Participation::Device,
        }
    }

    fn proposal(title: &str) -> ProposalInput {
        ProposalInput {
            title: title.into(),
            text: " Des *arbres* ".into(),
            category: Some("nature".into()),
            place: Some("  ".into()),
            author_name: " Camille ".into(),
        }
    }

    #[test]
    fn box_input_is_normalized_and_checked() {
        let b = ProposalBox::from_input(input()).unwrap();
        assert_eq!(b.title, "Vos idées");
        assert_eq!(b.description, None);
        let cases: [fn(&mut BoxInput); 6] = [
            |i| i.threshold = Some(0),
            |i| i.categories[0].id = "Nature".into(),
            |i| i.categories.push(i.categories[0].clone()),
            |i| i.categories[0].label = " ".into(),
            |i| i.mode = BoxMode::Questions,
            |i| i.closes_at = Some("2025-01-01T00:00:00Z".into()),
        ];
        for case in cases {
            let mut i = input();
            case(&mut i);
            assert!(ProposalBox::from_input(i).is_err());
        }
    }

    #[test]
    fn patches_change_times_and_an_empty_time_removes_it() {
        let b = ProposalBox::from_input(input()).unwrap();
        let patched = b
            .patched(BoxPatch {
                opens_at: Some(String::new()),
                closes_at: Some("2026-02-01T00:00:00Z".into()),
                pre_moderation: Some(true),
            })
            .unwrap();
        assert_eq!(patched.opens_at, None);
        assert_eq!(patched.closes_at, Some(datetime!(2026-02-01 0:00 UTC)));
        assert!(patched.pre_moderation);
        let bad = BoxPatch {
            closes_at: Some("2025-01-01T00:00:00Z".into()),
            ..BoxPatch::default()
        };
        assert!(b.patched(bad).is_err());
    }

    #[test]
    fn proposals_are_checked_by_mode() {
        let ideas = ProposalBox::from_input(input()).unwrap();
        let new = ideas.check_proposal(proposal(" Un parc ")).unwrap();
        assert_eq!(new.title, "Un parc");
        assert_eq!(new.html, "<p>Des <em>arbres</em></p>\n");
        assert_eq!(new.place, None);
        assert_eq!(new.author_name, "Camille");
        let too_long = ideas.check_proposal(proposal(&"x".repeat(121)));
        assert!(matches!(too_long, Err(Error::TitleTooLong(120))));
        let mut missing = proposal("a");
        missing.category = Some(" ".into());
        assert!(matches!(
            ideas.check_proposal(missing),
            Err(Error::CategoryRequired)
        ));

        let mut questions = ideas.clone();
        questions.mode = BoxMode::Questions;
        questions.categories.clear();
        let new = questions
            .check_proposal(proposal(&"x".repeat(280)))
            .unwrap();
        assert_eq!((new.text.as_str(), new.category), ("", None));
        assert!(questions.check_status(ProposalStatus::Answered).is_ok());
        assert!(questions.check_status(ProposalStatus::Accepted).is_err());
        assert!(ideas.check_status(ProposalStatus::Answered).is_err());
        assert!(questions.thread_of(1, "q").is_none());
        assert_eq!(ideas.thread_of(7, "t").unwrap().id, "proposal-7");
    }

    #[test]
    fn search_words_keep_letters_and_digits_only() {
        let terms = search_terms("l'éclairage \"du\" parc* 12").unwrap();
        assert_eq!(terms.words, ["éclairage", "du", "parc", "12"]);
        assert!(terms.all);
        assert_eq!(search_terms("' * ( -"), None);
        let similar = similar_terms("Des arbres pour la place OR NEAR").unwrap();
        assert_eq!(similar.words, ["arbres", "place", "near"]);
        assert!(!similar.all);
        assert_eq!(similar_terms("les et de"), None);
    }
}
