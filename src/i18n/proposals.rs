//! Texts of proposal boxes (ideas and questions), only in the module that shows them.

use civique_api::codes;
use civique_api::proposals::ProposalStatus;

use super::{Lang, Text, NBSP};

/// A fixed sentence of a proposal box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxText {
    /// Button opening the ideas form, and the form's name.
    ProposeIdea,
    /// Label of the title field.
    Title,
    /// Label of the description field.
    Description,
    /// Label of the category select (form and filter).
    Category,
    /// First option of the form's category select.
    ChooseCategory,
    /// Label of the place field.
    Place,
    /// The place, in a proposal's facts.
    PlaceFact,
    /// Submit button of the ideas form.
    SubmitProposal,
    /// Heading of the similar suggestions.
    Similar,
    /// Under the similar suggestions heading.
    SimilarHint,
    /// Status after submitting an idea.
    ThanksPublished,
    /// Status after submitting an idea to a pre-moderated box.
    ThanksPending,
    /// Status after asking a question.
    ThanksQuestion,
    /// Status after asking a question in a pre-moderated box.
    ThanksQuestionPending,
    /// Link to one's new proposal.
    SeeMine,
    /// Sort option: most supported first.
    SortSupports,
    /// Sort option: newest first.
    SortNewest,
    /// Sort option: most recently answered first.
    SortAnswered,
    /// First option of the category filter.
    AllCategories,
    /// Label of the status filter.
    Status,
    /// First option of the status filter.
    AllStatuses,
    /// Label of the search field.
    SearchLabel,
    /// Search button.
    Search,
    /// Name of the pagination landmark.
    Pagination,
    /// Pagination button.
    PreviousPage,
    /// Pagination button.
    NextPage,
    /// Support toggle (ideas).
    Support,
    /// Support toggle (questions).
    Upvote,
    /// Name of the progress bar toward the threshold.
    Progress,
    /// Marker of a proposal that reached the threshold.
    ThresholdReached,
    /// Closes the opened proposal.
    BackToList,
    /// Heading of the town's answer.
    TownAnswer,
    /// Heading of the status history.
    History,
    /// Link from a duplicate to its original.
    SeeOriginal,
    /// Heading of a proposal's comment thread.
    Discussion,
    /// Name of the questions form.
    AskQuestion,
    /// Label of the question text area.
    YourQuestion,
    /// Submit button of the questions form.
    SubmitQuestion,
    /// Name of the questions tab list.
    Tabs,
    /// Shown while the box loads.
    Loading,
    /// Shown while an opened proposal loads.
    LoadingProposal,
    /// The box does not exist.
    BoxNotFound,
    /// The host site may not show this box.
    OriginNotAllowed,
    /// An empty box.
    NoProposals,
    /// An empty question list.
    NoQuestions,
    /// Filters that match nothing.
    NoMatch,
    /// A closed box.
    Closed,
    /// A pre-moderated box.
    PreModerated,
    /// The opened proposal is gone.
    Gone,
    /// Polite status after supporting.
    SupportRecorded,
    /// Polite status after withdrawing a support.
    SupportWithdrawn,
    /// Polite status after withdrawing an upvote.
    VoteWithdrawn,
    /// Refused: not open yet.
    NotOpen,
    /// Refused: closed.
    BoxClosed,
    /// Refused: no title.
    EmptyTitle,
    /// Refused: no question.
    EmptyQuestion,
    /// Refused: title too long.
    TitleTooLong,
    /// Refused: question too long.
    QuestionTooLong,
    /// Refused: a title without a letter, or with an invisible character.
    InvalidTitle,
    /// Refused: a question without a letter, or with an invisible character.
    InvalidQuestion,
    /// Refused: place too long.
    PlaceTooLong,
    /// Refused: unknown category.
    UnknownCategory,
    /// Refused: no category.
    CategoryRequired,
    /// Refused: already supported.
    AlreadySupported,
    /// Refused: not supported.
    NotSupported,
    /// Refused: description too long.
    TextTooLong,
    /// Refused: too many links.
    TooManyLinks,
    /// Refused: blocked words.
    BlockedWords,
}

impl Lang {
    /// A fixed sentence of a proposal box in this language.
    pub fn box_text(self, text: BoxText) -> &'static str {
        use BoxText as B;
        let (fr, en) = match text {
            B::ProposeIdea => ("Proposer une idée", "Propose an idea"),
            B::Title => ("Titre", "Title"),
            B::Description => ("Description", "Description"),
            B::Category => ("Catégorie", "Category"),
            B::ChooseCategory => ("Choisir une catégorie", "Choose a category"),
            B::Place => ("Lieu (facultatif)", "Place (optional)"),
            B::PlaceFact => ("Lieu", "Place"),
            B::SubmitProposal => ("Envoyer la proposition", "Submit the proposal"),
            B::Similar => ("Propositions semblables", "Similar proposals"),
            B::SimilarHint => (
                "Votre idée existe peut-être déjà\u{a0}: vous pouvez la soutenir au lieu d'en déposer une nouvelle.",
                "Your idea may already exist: you can support it instead of submitting a new one.",
            ),
            B::ThanksPublished => (
                "Merci\u{a0}! Votre proposition est publiée.",
                "Thank you! Your proposal has been published.",
            ),
            B::ThanksPending => (
                "Merci\u{a0}! Votre proposition sera publiée après validation par la mairie.",
                "Thank you! Your proposal will be published once the town has approved it.",
            ),
            B::ThanksQuestion => (
                "Merci\u{a0}! Votre question est publiée.",
                "Thank you! Your question has been published.",
            ),
            B::ThanksQuestionPending => (
                "Merci\u{a0}! Votre question sera publiée après validation par la mairie.",
                "Thank you! Your question will be published once the town has approved it.",
            ),
            B::SeeMine => ("Voir votre proposition", "See your proposal"),
            B::SortSupports => ("Les plus soutenues", "Most supported"),
            B::SortNewest => ("Les plus récentes", "Newest"),
            B::SortAnswered => ("Réponses récentes", "Recently answered"),
            B::AllCategories => ("Toutes", "All"),
            B::Status => ("Statut", "Status"),
            B::AllStatuses => ("Tous", "All"),
            B::SearchLabel => ("Rechercher une proposition", "Search proposals"),
            B::Search => ("Rechercher", "Search"),
            B::Pagination => ("Pagination", "Pagination"),
            B::PreviousPage => ("Page précédente", "Previous page"),
            B::NextPage => ("Page suivante", "Next page"),
            B::Support => ("Soutenir", "Support"),
            B::Upvote => ("Voter", "Upvote"),
            B::Progress => ("Progression vers le seuil", "Progress toward the threshold"),
            B::ThresholdReached => ("Seuil atteint", "Threshold reached"),
            B::BackToList => ("Retour à la liste", "Back to the list"),
            B::TownAnswer => ("Réponse de la mairie", "The town's answer"),
            B::History => ("Historique", "History"),
            B::SeeOriginal => ("Voir la proposition d'origine", "See the original proposal"),
            B::Discussion => ("Discussion", "Discussion"),
            B::AskQuestion => ("Poser une question", "Ask a question"),
            B::YourQuestion => ("Votre question", "Your question"),
            B::SubmitQuestion => ("Poser la question", "Ask the question"),
            B::Tabs => ("Questions", "Questions"),
            B::Loading => ("Chargement des propositions…", "Loading proposals…"),
            B::LoadingProposal => ("Chargement de la proposition…", "Loading the proposal…"),
            B::BoxNotFound => (
                "Cet espace de participation n'existe pas ou a été supprimé.",
                "This participation space does not exist or has been removed.",
            ),
            B::OriginNotAllowed => (
                "Ce site n'est pas autorisé à afficher cet espace de participation.",
                "This site is not allowed to show this participation space.",
            ),
            B::NoProposals => (
                "Aucune proposition pour l'instant.",
                "No proposals yet.",
            ),
            B::NoQuestions => ("Aucune question pour l'instant.", "No questions yet."),
            B::NoMatch => (
                "Aucune proposition ne correspond à votre recherche.",
                "No proposal matches your search.",
            ),
            B::Closed => (
                "Le dépôt est clos. Vous pouvez encore consulter les propositions.",
                "Submissions are closed. You can still read the proposals.",
            ),
            B::PreModerated => (
                "Les contributions sont relues par la mairie avant d'être publiées.",
                "Contributions are read by the town before they are published.",
            ),
            B::Gone => (
                "Cette proposition n'existe pas ou a été retirée.",
                "This proposal does not exist or has been removed.",
            ),
            B::SupportRecorded => (
                "Votre soutien est enregistré.",
                "Your support has been recorded.",
            ),
            B::SupportWithdrawn => (
                "Votre soutien est retiré.",
                "Your support has been withdrawn.",
            ),
            B::VoteWithdrawn => ("Votre vote est retiré.", "Your vote has been withdrawn."),
            B::NotOpen => (
                "Le dépôt n'est pas encore ouvert.",
                "Submissions are not open yet.",
            ),
            B::BoxClosed => (
                "Le dépôt est clos\u{a0}: il n'accepte plus de contribution ni de soutien.",
                "Submissions are closed: no more contributions or supports are accepted.",
            ),
            B::EmptyTitle => (
                "Donnez un titre à votre proposition.",
                "Give your proposal a title.",
            ),
            B::EmptyQuestion => (
                "Écrivez votre question avant de l'envoyer.",
                "Write your question before sending it.",
            ),
            B::TitleTooLong => (
                "Le titre dépasse 120 caractères. Raccourcissez-le.",
                "The title is longer than 120 characters. Please shorten it.",
            ),
            B::QuestionTooLong => (
                "Votre question dépasse 280 caractères. Raccourcissez-la.",
                "Your question is longer than 280 characters. Please shorten it.",
            ),
            B::InvalidTitle => (
                "Le titre doit contenir au moins une lettre, sans caractère invisible.",
                "The title must hold at least one letter and no invisible character.",
            ),
            B::InvalidQuestion => (
                "Votre question doit contenir au moins une lettre, sans caractère invisible.",
                "Your question must hold at least one letter and no invisible character.",
            ),
            B::PlaceTooLong => (
                "Le lieu dépasse 120 caractères. Raccourcissez-le.",
                "The place is longer than 120 characters. Please shorten it.",
            ),
            B::UnknownCategory => (
                "Cette catégorie n'existe plus. Choisissez-en une autre.",
                "This category no longer exists. Choose another one.",
            ),
            B::CategoryRequired => ("Choisissez une catégorie.", "Choose a category."),
            B::AlreadySupported => (
                "Vous soutenez déjà cette proposition.",
                "You already support this proposal.",
            ),
            B::NotSupported => (
                "Vous ne souteniez pas cette proposition.",
                "You did not support this proposal.",
            ),
            B::TextTooLong => (
                "La description dépasse 5\u{a0}000 caractères. Raccourcissez-la.",
                "The description is longer than 5,000 characters. Please shorten it.",
            ),
            B::TooManyLinks => (
                "La description contient trop de liens (5 au plus).",
                "The description contains too many links (5 at most).",
            ),
            B::BlockedWords => (
                "Votre texte contient des mots refusés sur ce site. Reformulez-le.",
                "Your text contains words this site does not accept. Please rephrase it.",
            ),
        };
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// The sentence shown for an error code of a proposal box (`network` for no answer);
    /// `questions` when the box takes questions.
    pub fn proposal_error(self, code: &str, questions: bool) -> String {
        use BoxText as B;
        let text = match code {
            codes::NOT_FOUND => B::Gone,
            codes::ORIGIN_NOT_ALLOWED => B::OriginNotAllowed,
            codes::BOX_NOT_OPEN => B::NotOpen,
            codes::BOX_CLOSED => B::BoxClosed,
            codes::EMPTY_TITLE if questions => B::EmptyQuestion,
            codes::EMPTY_TITLE => B::EmptyTitle,
            codes::TITLE_TOO_LONG if questions => B::QuestionTooLong,
            codes::TITLE_TOO_LONG => B::TitleTooLong,
            codes::INVALID_TITLE if questions => B::InvalidQuestion,
            codes::INVALID_TITLE => B::InvalidTitle,
            codes::PLACE_TOO_LONG => B::PlaceTooLong,
            codes::UNKNOWN_CATEGORY => B::UnknownCategory,
            codes::CATEGORY_REQUIRED => B::CategoryRequired,
            codes::ALREADY_SUPPORTED => B::AlreadySupported,
            codes::NOT_SUPPORTED => B::NotSupported,
            codes::TEXT_TOO_LONG => B::TextTooLong,
            codes::TOO_MANY_LINKS => B::TooManyLinks,
            codes::BLOCKED_WORDS => B::BlockedWords,
            codes::INVALID_NAME => return self.text(Text::InvalidName).to_owned(),
            codes::RESERVED_NAME => return self.text(Text::ReservedName).to_owned(),
            _ => return self.error(code, 1),
        };
        self.box_text(text).to_owned()
    }

    /// The label of a proposal status: "À l'étude", "Under review".
    pub fn status_label(self, status: ProposalStatus) -> &'static str {
        let (fr, en) = match status {
            ProposalStatus::Submitted => ("Déposée", "Submitted"),
            ProposalStatus::UnderReview => ("À l'étude", "Under review"),
            ProposalStatus::Accepted => ("Retenue", "Accepted"),
            ProposalStatus::Rejected => ("Non retenue", "Rejected"),
            ProposalStatus::Implemented => ("Réalisée", "Implemented"),
            ProposalStatus::Duplicate => ("Doublon", "Duplicate"),
            ProposalStatus::Answered => ("Répondue", "Answered"),
        };
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// "12 propositions", "1 proposal".
    pub fn proposals(self, n: u64) -> String {
        self.plural(
            n,
            ("proposition", "propositions"),
            ("proposal", "proposals"),
        )
    }

    /// "12 questions", "1 question".
    pub fn questions(self, n: u64) -> String {
        self.plural(n, ("question", "questions"), ("question", "questions"))
    }

    /// "2 propositions semblables", "1 similar proposal".
    pub fn similar_count(self, n: u64) -> String {
        self.plural(
            n,
            ("proposition semblable", "propositions semblables"),
            ("similar proposal", "similar proposals"),
        )
    }

    /// "12 soutiens", "1 support"; questions: "12 votes", "0 votes".
    pub fn supports(self, n: u64, questions: bool) -> String {
        if questions {
            self.plural(n, ("vote", "votes"), ("vote", "votes"))
        } else {
            self.plural(n, ("soutien", "soutiens"), ("support", "supports"))
        }
    }

    /// Value text of the progress bar: "12 soutiens sur 50", "12 supports of 50".
    pub fn supports_of(self, n: u64, threshold: u64) -> String {
        match self {
            Lang::Fr => format!("{} sur {threshold}", self.supports(n, false)),
            Lang::En => format!("{} of {threshold}", self.supports(n, false)),
        }
    }

    /// "Les propositions qui atteignent 50 soutiens sont étudiées par la mairie."
    pub fn threshold_note(self, threshold: u64) -> String {
        match self {
            Lang::Fr => format!(
                "Les propositions qui atteignent {} sont étudiées par la mairie.",
                self.supports(threshold, false)
            ),
            Lang::En => format!(
                "Proposals that reach {} are examined by the town.",
                self.supports(threshold, false)
            ),
        }
    }

    /// "Page 2 sur 5", "Page 2 of 5".
    pub fn page_of(self, page: u32, pages: u32) -> String {
        match self {
            Lang::Fr => format!("Page {page} sur {pages}"),
            Lang::En => format!("Page {page} of {pages}"),
        }
    }

    /// Tab of the open questions: "À traiter (4)", "Open (4)".
    pub fn open_tab(self, n: u64) -> String {
        match self {
            Lang::Fr => format!("À traiter ({n})"),
            Lang::En => format!("Open ({n})"),
        }
    }

    /// Tab of the answered questions: "Répondues (2)", "Answered (2)".
    pub fn answered_tab(self, n: u64) -> String {
        match self {
            Lang::Fr => format!("Répondues ({n})"),
            Lang::En => format!("Answered ({n})"),
        }
    }

    /// "Proposée par Ana", "Proposed by Ana"; questions: "Posée par Ana", "Asked by Ana".
    pub fn proposed_by(self, name: &str, questions: bool) -> String {
        let name = self.author(name);
        match (self, questions) {
            (Lang::Fr, false) => format!("Proposée par {name}"),
            (Lang::Fr, true) => format!("Posée par {name}"),
            (Lang::En, false) => format!("Proposed by {name}"),
            (Lang::En, true) => format!("Asked by {name}"),
        }
    }

    /// "Le dépôt ouvrira le 1 mars 2027 à 18:00." from an already formatted date.
    pub fn box_opens_on(self, date: &str) -> String {
        match self {
            Lang::Fr => format!("Le dépôt ouvrira {date}."),
            Lang::En => format!("Submissions open on {date}."),
        }
    }

    /// What follows the date in a line of the status history: " : Déposée → À l'étude
    /// (Mairie)" (French puts a non-breaking space before the colon).
    pub fn history_change(self, from: ProposalStatus, to: ProposalStatus, by: &str) -> String {
        let colon = match self {
            Lang::Fr => format!("{NBSP}:"),
            Lang::En => ":".to_owned(),
        };
        format!(
            "{colon} {} → {} ({by})",
            self.status_label(from),
            self.status_label(to)
        )
    }

    /// "Catégorie : Mobilité", "Category: Mobility" (also for the place).
    pub fn labelled(self, label: &str, value: &str) -> String {
        match self {
            Lang::Fr => format!("{label}{NBSP}: {value}"),
            Lang::En => format!("{label}: {value}"),
        }
    }

    /// An RFC 3339 instant as a long date ("3 mars 2027"), with the time when `time`
    /// ("3 mars 2027 à 18:00"), in the browser's time zone; the raw text when invalid.
    pub fn long_date(self, rfc3339: &str, time: bool) -> String {
        use js_sys::{Date, Object, Reflect};
        use wasm_bindgen::JsValue;

        let date = Date::new(&JsValue::from_str(rfc3339));
        if date.get_time().is_nan() {
            return rfc3339.to_owned();
        }
        let options = Object::new();
        let _ = Reflect::set(&options, &"dateStyle".into(), &"long".into());
        if time {
            let _ = Reflect::set(&options, &"timeStyle".into(), &"short".into());
        }
        date.to_locale_string(self.tag(), &options).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_erased_author_reads_as_anonymous() {
        assert_eq!(Lang::Fr.proposed_by("Ana", false), "Proposée par Ana");
        assert_eq!(Lang::Fr.proposed_by("", false), "Proposée par Anonyme");
        assert_eq!(Lang::En.proposed_by("", true), "Asked by Anonymous");
        assert_eq!(Lang::Fr.author("Ana"), "Ana");
    }

    #[test]
    fn counts_follow_each_language() {
        assert_eq!(Lang::Fr.proposals(0), "0 proposition");
        assert_eq!(Lang::Fr.proposals(2), "2 propositions");
        assert_eq!(Lang::En.proposals(1), "1 proposal");
        assert_eq!(Lang::Fr.supports(1, false), "1 soutien");
        assert_eq!(Lang::En.supports(0, false), "0 supports");
        assert_eq!(Lang::En.supports(0, true), "0 votes");
        assert_eq!(Lang::Fr.supports_of(12, 50), "12 soutiens sur 50");
        assert_eq!(Lang::En.supports_of(1, 5), "1 support of 5");
        assert_eq!(Lang::Fr.page_of(2, 5), "Page 2 sur 5");
        assert_eq!(Lang::Fr.open_tab(4), "À traiter (4)");
        assert_eq!(Lang::En.answered_tab(0), "Answered (0)");
    }

    #[test]
    fn history_lines_name_both_statuses() {
        assert_eq!(
            Lang::Fr.history_change(
                ProposalStatus::Submitted,
                ProposalStatus::UnderReview,
                "Mairie"
            ),
            "\u{a0}: Déposée → À l'étude (Mairie)"
        );
        assert_eq!(
            Lang::En.history_change(ProposalStatus::Accepted, ProposalStatus::Implemented, "Ana"),
            ": Accepted → Implemented (Ana)"
        );
    }

    #[test]
    fn proposal_errors_are_translated_by_code() {
        assert_eq!(
            Lang::Fr.proposal_error("category_required", false),
            "Choisissez une catégorie."
        );
        assert_eq!(
            Lang::En.proposal_error("title_too_long", true),
            "Your question is longer than 280 characters. Please shorten it."
        );
        assert_eq!(
            Lang::Fr.proposal_error("rate_limited", false),
            Lang::Fr.text(Text::RateLimited)
        );
        assert_eq!(
            Lang::En.proposal_error("whatever", false),
            "Something went wrong. Please try again."
        );
    }

    #[test]
    fn every_proposal_error_has_its_own_message() {
        for lang in [Lang::Fr, Lang::En] {
            let generic = lang.proposal_error("whatever", false);
            for code in [
                codes::BOX_NOT_OPEN,
                codes::BOX_CLOSED,
                codes::EMPTY_TITLE,
                codes::TITLE_TOO_LONG,
                codes::INVALID_TITLE,
                codes::PLACE_TOO_LONG,
                codes::UNKNOWN_CATEGORY,
                codes::CATEGORY_REQUIRED,
                codes::ALREADY_SUPPORTED,
                codes::NOT_SUPPORTED,
                codes::TEXT_TOO_LONG,
                codes::TOO_MANY_LINKS,
                codes::BLOCKED_WORDS,
                codes::INVALID_NAME,
                codes::RESERVED_NAME,
                codes::RATE_LIMITED,
                codes::NOT_FOUND,
            ] {
                for questions in [false, true] {
                    assert_ne!(lang.proposal_error(code, questions), generic, "{code}");
                }
            }
        }
    }
}
