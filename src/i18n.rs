//! Interface texts in French (the default) and English, with plural rules and date formatting.

use civique_api::codes;

mod my_data;
#[cfg(feature = "proposals")]
mod proposals;
pub use my_data::DataText;
#[cfg(feature = "proposals")]
pub use proposals::BoxText;

/// Non-breaking space: French typography puts one before `:` and `%`.
const NBSP: char = '\u{a0}';

/// The language a widget speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// French, the default for any tag that is not English.
    #[default]
    Fr,
    /// English (`en`, `en-GB`, …).
    En,
}

/// A fixed sentence of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Submit button before voting.
    Vote,
    /// Submit button once this participant has voted.
    ChangeVote,
    /// Live status after a successful vote.
    Recorded,
    /// Button that reloads a poll that failed to load.
    Retry,
    /// Shown while the poll loads.
    Loading,
    /// The endpoint cannot be reached at all.
    Unreachable,
    /// The endpoint cannot be reached while voting.
    NetworkRetry,
    /// The poll does not exist.
    NotFound,
    /// The poll is closed: its results are final.
    ClosedFinal,
    /// Results hidden until this participant votes.
    ResultsAfterVote,
    /// Results hidden until the poll closes.
    ResultsAfterClose,
    /// Title of the results section.
    Results,
    /// Marks this participant's own choices in the results.
    YourChoice,
    /// Vote refused: the poll is not open yet.
    PollNotOpen,
    /// Vote refused: the poll is closed.
    PollClosed,
    /// Vote refused: an option no longer exists.
    UnknownOption,
    /// Vote refused: nothing chosen.
    NoChoice,
    /// The host site is not allowed to show this poll.
    OriginNotAllowed,
    /// Under results: how participations were counted.
    PerDevice,
    PerSiteAccount,
    PerEmail,
    /// The widget takes part with accounts of the host website and the resident is not
    /// signed in there.
    SiteAccountRequired,
    EmailRequired,
    /// The host website's sign-in could not be checked (expired, or refused).
    SiteAccountExpired,
    /// Anything else.
    Generic,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Shown while a comment thread loads.
    CommentsLoading,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// The thread does not exist.
    ThreadNotFound,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// The host site is not allowed to show this thread.
    ThreadOriginNotAllowed,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// A locked thread: no more comments.
    Locked,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Label of the sort select.
    Sort,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Sort option: oldest first.
    SortOldest,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Sort option: newest first.
    SortNewest,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Sort option: most useful first.
    SortUseful,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Button loading the next page of comments.
    LoadMore,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// An empty thread.
    NoComments,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Label of the display name field.
    YourName,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Label of the comment text area.
    YourComment,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// In place of the name of an author whose data the site's retention period erased.
    Anonymous,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Label of a reply's text area.
    YourReply,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Label of the text area editing a comment.
    EditText,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// What Markdown the text area accepts.
    MarkdownHint,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Submit button of a new comment or reply.
    Publish,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Opens the reply form under a comment.
    Reply,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Closes a reply, edit or report form.
    Cancel,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Opens the edit form of one's own comment.
    Edit,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Saves an edited comment.
    Save,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Deletes one's own comment.
    Delete,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Asked before deleting.
    ConfirmDelete,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Opens the report form.
    Report,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Label of the report reason select.
    ReportReason,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Report reason: abusive language.
    ReasonAbuse,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Report reason: spam.
    ReasonSpam,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Report reason: off topic.
    ReasonOffTopic,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Report reason: anything else.
    ReasonOther,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Label of the optional report details.
    ReportDetails,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Submit button of the report form.
    SendReport,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Status after a report.
    Reported,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// The "useful" toggle button.
    Useful,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Badge of an official comment.
    Official,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Marker of a pinned comment.
    Pinned,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Marker of an edited comment.
    Edited,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Marker of one's own comment waiting for approval.
    Pending,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Status after posting.
    Posted,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Status after posting under moderation.
    PostedPending,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Placeholder of a comment removed by the moderators.
    RemovedByModeration,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Placeholder of a comment deleted by its author.
    DeletedByAuthor,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Comment refused: empty.
    EmptyText,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Comment refused: too long.
    TextTooLong,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Comment refused: too many links.
    TooManyLinks,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Comment refused: bad display name.
    InvalidName,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Refused: a name that would pass for the town's staff.
    ReservedName,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Reply refused: the parent is gone.
    InvalidParent,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Edit refused: too late.
    EditWindowOver,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Edit refused: someone else's comment.
    NotAuthor,
    /// Refused: posting too fast, or too many newcomers from the resident's network (a
    /// vote, a support, a mark or a report may meet it too).
    RateLimited,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Comment refused: blocked words.
    BlockedWords,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// Report refused: already reported.
    AlreadyReported,
    #[cfg(any(feature = "comments", feature = "proposals"))]
    /// The comment no longer exists.
    CommentGone,
}

impl Lang {
    /// Normalises a BCP 47 tag: English when it starts with `en`, French otherwise.
    pub fn from_tag(tag: &str) -> Lang {
        let tag = tag.trim().as_bytes();
        let is_en = tag.len() >= 2
            && tag[..2].eq_ignore_ascii_case(b"en")
            && tag.get(2).is_none_or(|&b| b == b'-' || b == b'_');
        if is_en {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    /// An author's display name, "Anonyme" once the site's retention period erased it.
    #[cfg(any(feature = "comments", feature = "proposals"))]
    pub fn author(self, name: &str) -> &str {
        if name.is_empty() {
            self.text(Text::Anonymous)
        } else {
            name
        }
    }

    /// The tag put in `lang` attributes and given to `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// A fixed sentence in this language.
    pub fn text(self, text: Text) -> &'static str {
        let (fr, en) = match text {
            Text::Vote => ("Voter", "Vote"),
            Text::ChangeVote => ("Modifier mon vote", "Change my vote"),
            Text::Recorded => ("Votre vote est enregistré.", "Your vote has been recorded."),
            Text::Retry => ("Réessayer", "Try again"),
            Text::Loading => ("Chargement du sondage…", "Loading the poll…"),
            Text::Unreachable => (
                "Le service de consultation est injoignable.",
                "The consultation service cannot be reached.",
            ),
            Text::NetworkRetry => (
                "Le service de consultation est injoignable. Vérifiez votre connexion puis réessayez.",
                "The consultation service cannot be reached. Check your connection and try again.",
            ),
            Text::NotFound => (
                "Ce sondage n'existe pas ou a été supprimé.",
                "This poll does not exist or has been removed.",
            ),
            Text::ClosedFinal => (
                "Ce sondage est clos. Voici les résultats définitifs.",
                "This poll is closed. Here are the final results.",
            ),
            Text::ResultsAfterVote => (
                "Les résultats s'afficheront après votre vote.",
                "Results will be shown once you have voted.",
            ),
            Text::ResultsAfterClose => (
                "Les résultats seront publiés à la clôture du sondage.",
                "Results will be published when the poll closes.",
            ),
            Text::Results => ("Résultats", "Results"),
            Text::YourChoice => ("(votre choix)", "(your choice)"),
            Text::PollNotOpen => (
                "Ce sondage n'est pas encore ouvert.",
                "This poll is not open yet.",
            ),
            Text::PollClosed => (
                "Ce sondage n'accepte plus de vote\u{a0}: il est clos.",
                "This poll no longer accepts votes: it has closed.",
            ),
            Text::UnknownOption => (
                "Une des réponses choisies n'est plus proposée.",
                "One of the chosen answers is no longer offered.",
            ),
            Text::NoChoice => (
                "Choisissez au moins une réponse.",
                "Choose at least one answer.",
            ),
            Text::OriginNotAllowed => (
                "Ce site n'est pas autorisé à afficher ce sondage.",
                "This site is not allowed to show this poll.",
            ),
            Text::PerDevice => ("1 participation par appareil", "1 participation per device"),
            Text::PerSiteAccount => (
                "1 participation par compte du site",
                "1 participation per site account",
            ),
            Text::PerEmail => (
                "1 participation par adresse e-mail vérifiée",
                "1 participation per verified e-mail address",
            ),
            Text::EmailRequired => (
                "Cette consultation demande une adresse e-mail vérifiée.",
                "This consultation needs a verified e-mail address.",
            ),
            Text::SiteAccountRequired => (
                "Pour participer, connectez-vous à votre compte sur ce site.",
                "To take part, sign in to your account on this site.",
            ),
            Text::SiteAccountExpired => (
                "Votre connexion au site n'a pas pu être vérifiée. Rechargez la page, puis réessayez.",
                "Your sign-in to the site could not be checked. Reload the page, then try again.",
            ),
            Text::Generic => (
                "Une erreur est survenue. Réessayez.",
                "Something went wrong. Please try again.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::CommentsLoading => ("Chargement des commentaires…", "Loading comments…"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::ThreadNotFound => (
                "Cette discussion n'existe pas ou a été supprimée.",
                "This discussion does not exist or has been removed.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::ThreadOriginNotAllowed => (
                "Ce site n'est pas autorisé à afficher cette discussion.",
                "This site is not allowed to show this discussion.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Locked => (
                "Cette discussion est fermée.",
                "This discussion is closed.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Sort => ("Trier par", "Sort by"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::SortOldest => ("Plus anciens", "Oldest"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::SortNewest => ("Plus récents", "Newest"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::SortUseful => ("Plus utiles", "Most useful"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::LoadMore => ("Charger plus de commentaires", "Load more comments"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::NoComments => (
                "Aucun commentaire pour l'instant.",
                "No comments yet.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::YourName => ("Votre nom", "Your name"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::YourComment => ("Votre commentaire", "Your comment"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Anonymous => ("Anonyme", "Anonymous"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::YourReply => ("Votre réponse", "Your reply"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::EditText => ("Modifier votre commentaire", "Edit your comment"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::MarkdownHint => (
                "Markdown simple\u{a0}: *italique*, **gras**, [lien](https://…), listes",
                "Simple Markdown: *italic*, **bold**, [link](https://…), lists",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Publish => ("Publier", "Post"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Reply => ("Répondre", "Reply"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Cancel => ("Annuler", "Cancel"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Edit => ("Modifier", "Edit"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Save => ("Enregistrer", "Save"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Delete => ("Supprimer", "Delete"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::ConfirmDelete => (
                "Supprimer définitivement ce commentaire\u{a0}?",
                "Delete this comment for good?",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Report => ("Signaler", "Report"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::ReportReason => ("Motif du signalement", "Reason for reporting"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::ReasonAbuse => ("Propos injurieux", "Abusive language"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::ReasonSpam => ("Spam", "Spam"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::ReasonOffTopic => ("Hors sujet", "Off topic"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::ReasonOther => ("Autre", "Other"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::ReportDetails => ("Précisions (facultatif)", "Details (optional)"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::SendReport => ("Envoyer le signalement", "Send the report"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Reported => (
                "Merci, votre signalement a été transmis.",
                "Thank you, your report has been sent.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Useful => ("Utile", "Useful"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Official => ("Réponse de la mairie", "Official reply"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Pinned => ("Épinglé", "Pinned"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Edited => ("modifié", "edited"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Pending => ("en attente de modération", "awaiting moderation"),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::Posted => (
                "Votre commentaire est publié.",
                "Your comment has been posted.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::PostedPending => (
                "Votre commentaire sera publié après modération.",
                "Your comment will be published once approved.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::RemovedByModeration => (
                "Commentaire retiré par la modération",
                "Comment removed by the moderators",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::DeletedByAuthor => (
                "Commentaire supprimé par son auteur",
                "Comment deleted by its author",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::EmptyText => (
                "Écrivez votre commentaire avant de publier.",
                "Write your comment before posting.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::TextTooLong => (
                "Votre commentaire dépasse 5\u{a0}000 caractères. Raccourcissez-le.",
                "Your comment is longer than 5,000 characters. Please shorten it.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::TooManyLinks => (
                "Votre commentaire contient trop de liens (5 au plus).",
                "Your comment contains too many links (5 at most).",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::InvalidName => (
                "Indiquez votre nom\u{a0}: 60 caractères au plus, dont au moins une lettre, \
                 sans caractère invisible.",
                "Enter your name: 60 characters at most, at least one letter, no invisible \
                 character.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::ReservedName => (
                "Ce nom est réservé à l'équipe de la mairie. Choisissez-en un autre.",
                "This name is reserved for the town's staff. Please choose another.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::InvalidParent => (
                "Ce commentaire n'accepte plus de réponse.",
                "This comment no longer accepts replies.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::EditWindowOver => (
                "Le délai de 15 minutes pour modifier ou supprimer ce commentaire est dépassé.",
                "The 15 minutes to edit or delete this comment are over.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::NotAuthor => (
                "Vous ne pouvez modifier que vos propres commentaires.",
                "You can only change your own comments.",
            ),
            Text::RateLimited => (
                "Trop de participations en peu de temps. Patientez un peu puis réessayez.",
                "Too many contributions in a short time. Wait a little, then try again.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::BlockedWords => (
                "Votre commentaire contient des mots refusés sur ce site. Reformulez-le.",
                "Your comment contains words this site does not accept. Please rephrase it.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::AlreadyReported => (
                "Vous avez déjà signalé ce commentaire.",
                "You have already reported this comment.",
            ),
            #[cfg(any(feature = "comments", feature = "proposals"))]
            Text::CommentGone => (
                "Ce commentaire n'existe plus.",
                "This comment no longer exists.",
            ),
        };
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// `n` followed by the singular or plural noun (0 and 1 take the singular, as in French).
    fn count(self, n: u64, singular: &str, plural: &str) -> String {
        format!("{n} {}", if n <= 1 { singular } else { plural })
    }

    /// "12 votes", "1 vote".
    pub fn votes(self, n: u64) -> String {
        self.count(n, "vote", "votes")
    }

    /// "12 participants", "1 participant".
    pub fn participants(self, n: u64) -> String {
        self.count(n, "participant", "participants")
    }

    /// "40 %" in French, "40%" in English.
    pub fn percent(self, p: u64) -> String {
        match self {
            Lang::Fr => format!("{p}{NBSP}%"),
            Lang::En => format!("{p}%"),
        }
    }

    /// One line of the results: "Piste cyclable : 12 votes (40 %)".
    pub fn result_line(self, label: &str, votes: u64, percent: u64) -> String {
        let colon = match self {
            Lang::Fr => format!("{NBSP}:"),
            Lang::En => ":".to_owned(),
        };
        format!(
            "{label}{colon} {} ({})",
            self.votes(votes),
            self.percent(percent)
        )
    }

    /// Hint of a multiple-choice poll: "Jusqu'à 3 choix".
    pub fn up_to_choices(self, n: u32) -> String {
        match self {
            Lang::Fr => format!("Jusqu'à {n} choix"),
            Lang::En => format!("Up to {}", self.count(n.into(), "choice", "choices")),
        }
    }

    /// "Vous pouvez choisir au plus 3 réponses."
    pub fn too_many_choices(self, n: u32) -> String {
        match self {
            Lang::Fr => format!(
                "Vous pouvez choisir au plus {}.",
                self.count(n.into(), "réponse", "réponses")
            ),
            Lang::En => format!(
                "You can choose at most {}.",
                self.count(n.into(), "answer", "answers")
            ),
        }
    }

    /// "Ce sondage ouvrira le 1 mars 2027 à 18:00." from an already formatted date.
    pub fn opens_on(self, date: &str) -> String {
        match self {
            Lang::Fr => format!("Ce sondage ouvrira {date}."),
            Lang::En => format!("This poll opens on {date}."),
        }
    }

    /// "Clôture le 1 mars 2027 à 18:00." from an already formatted date.
    pub fn closes_on(self, date: &str) -> String {
        match self {
            Lang::Fr => format!("Clôture {date}."),
            Lang::En => format!("Closes on {date}."),
        }
    }

    /// The sentence shown to the resident for an API error code (`network` for no answer).
    pub fn error(self, code: &str, max_choices: u32) -> String {
        let text = match code {
            codes::NOT_FOUND => Text::NotFound,
            codes::POLL_NOT_OPEN => Text::PollNotOpen,
            codes::POLL_CLOSED => Text::PollClosed,
            codes::UNKNOWN_OPTION => Text::UnknownOption,
            codes::TOO_MANY_CHOICES => return self.too_many_choices(max_choices),
            codes::NO_CHOICE => Text::NoChoice,
            codes::ORIGIN_NOT_ALLOWED => Text::OriginNotAllowed,
            codes::RATE_LIMITED => Text::RateLimited,
            codes::PARTICIPATION_REQUIRED => Text::SiteAccountRequired,
            codes::EMAIL_REQUIRED => Text::EmailRequired,
            codes::SSO_EXPIRED | codes::SSO_REFUSED => Text::SiteAccountExpired,
            // The endpoint answered but cannot reach its database, or the request's body
            // came too slowly: to the resident, the same as no answer (what they typed or
            // chose is kept, they try again).
            codes::UNAVAILABLE | codes::REQUEST_TIMEOUT | crate::client::NETWORK => {
                Text::NetworkRetry
            }
            _ => Text::Generic,
        };
        self.text(text).to_owned()
    }

    /// The sentence shown for an error code of a comment thread (`network` for no answer).
    #[cfg(any(feature = "comments", feature = "proposals"))]
    pub fn comment_error(self, code: &str) -> String {
        let text = match code {
            codes::NOT_FOUND => Text::CommentGone,
            codes::ORIGIN_NOT_ALLOWED => Text::ThreadOriginNotAllowed,
            codes::EMPTY_TEXT => Text::EmptyText,
            codes::TEXT_TOO_LONG => Text::TextTooLong,
            codes::TOO_MANY_LINKS => Text::TooManyLinks,
            codes::INVALID_NAME => Text::InvalidName,
            codes::RESERVED_NAME => Text::ReservedName,
            codes::INVALID_PARENT => Text::InvalidParent,
            codes::THREAD_LOCKED => Text::Locked,
            codes::EDIT_WINDOW_OVER => Text::EditWindowOver,
            codes::NOT_AUTHOR => Text::NotAuthor,
            codes::BLOCKED_WORDS => Text::BlockedWords,
            codes::CONFLICT => Text::AlreadyReported,
            _ => return self.error(code, 1),
        };
        self.text(text).to_owned()
    }

    /// `n` and a noun with plural rules: French takes the singular for 0 and 1, English
    /// only for 1.
    fn plural(self, n: u64, fr: (&str, &str), en: (&str, &str)) -> String {
        let ((one, many), singular) = match self {
            Lang::Fr => (fr, n <= 1),
            Lang::En => (en, n == 1),
        };
        format!("{n} {}", if singular { one } else { many })
    }

    /// "12 commentaires", "1 comment".
    pub fn comments(self, n: u64) -> String {
        self.plural(n, ("commentaire", "commentaires"), ("comment", "comments"))
    }

    /// "3 nouveaux commentaires", "1 new comment".
    pub fn new_comments(self, n: u64) -> String {
        self.plural(
            n,
            ("nouveau commentaire", "nouveaux commentaires"),
            ("new comment", "new comments"),
        )
    }

    /// "Afficher 2 autres réponses", "Show 1 more reply".
    pub fn more_replies(self, n: u64) -> String {
        match self {
            Lang::Fr => format!(
                "Afficher {}",
                self.plural(n, ("autre réponse", "autres réponses"), ("", ""))
            ),
            Lang::En => format!(
                "Show {}",
                self.plural(n, ("", ""), ("more reply", "more replies"))
            ),
        }
    }

    /// "en réponse à Bob", "replying to Bob".
    pub fn reply_to(self, name: &str) -> String {
        match self {
            Lang::Fr => format!("en réponse à {name}"),
            Lang::En => format!("replying to {name}"),
        }
    }

    /// `n` with thousands grouped: "5 000" (non-breaking space), "5,000".
    pub fn group(self, n: usize) -> String {
        let digits = n.to_string();
        let separator = match self {
            Lang::Fr => NBSP,
            Lang::En => ',',
        };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(c);
        }
        out
    }

    /// The visible character counter of a comment: "120 / 5 000".
    pub fn char_counter(self, n: usize) -> String {
        self.char_counter_of(n, civique_api::comments::limits::TEXT_MAX_LEN)
    }

    /// The visible character counter of a field of `max` characters: "12 / 280".
    pub fn char_counter_of(self, n: usize, max: usize) -> String {
        format!("{} / {}", self.group(n), self.group(max))
    }

    /// What the polite counter of a comment announces for `used` characters, only at a few
    /// steps so that screen readers are not interrupted at each keystroke: `None` far from
    /// the limit.
    pub fn chars_left(self, used: usize) -> Option<String> {
        self.chars_left_of(used, civique_api::comments::limits::TEXT_MAX_LEN)
    }

    /// [`Lang::chars_left`] for a field of `max` characters: short fields (under 2 500)
    /// speak only from 50 characters left.
    pub fn chars_left_of(self, used: usize, max: usize) -> Option<String> {
        if used > max {
            let over = used - max;
            return Some(match self {
                Lang::Fr => {
                    self.plural(over as u64, ("caractère", "caractères"), ("", "")) + " de trop"
                }
                Lang::En => {
                    self.plural(over as u64, ("", ""), ("character", "characters")) + " too many"
                }
            });
        }
        let left = max - used;
        // Announce at 500, 400 … 100 characters left, then at 50 and 0.
        let step = if left > 100 {
            left.div_ceil(100) * 100
        } else if left > 50 {
            100
        } else if left > 0 {
            50
        } else {
            0
        };
        let from = if max >= 2_500 { 500 } else { 50 };
        (step <= from).then(|| match (self, step) {
            (Lang::Fr, 0) => "0 caractère restant".to_owned(),
            (Lang::En, 0) => "0 characters left".to_owned(),
            (Lang::Fr, _) => format!("Il reste moins de {step} caractères"),
            (Lang::En, _) => format!("Fewer than {step} characters left"),
        })
    }

    /// "il y a 5 minutes", "5 minutes ago": `rfc3339` relative to `now_ms` (milliseconds
    /// since the epoch), through `Intl.RelativeTimeFormat`.
    pub fn relative(self, rfc3339: &str, now_ms: f64) -> String {
        use js_sys::{Array, Date, Intl::RelativeTimeFormat, Object, Reflect};
        use wasm_bindgen::JsValue;

        let then = Date::new(&JsValue::from_str(rfc3339)).get_time();
        if then.is_nan() {
            return rfc3339.to_owned();
        }
        let (value, unit) = relative_unit((then - now_ms) / 1000.0);
        let options = Object::new();
        let _ = Reflect::set(&options, &"numeric".into(), &"auto".into());
        let locales = Array::of1(&self.tag().into());
        RelativeTimeFormat::new(&locales, &options)
            .format(value, unit)
            .into()
    }

    /// Joins a formatted day and time: "le 1 mars 2027 à 18:00", "March 1, 2027 at 6:00 PM".
    pub fn date_at(self, day: &str, time: &str) -> String {
        match self {
            Lang::Fr => format!("le {day} à {time}"),
            Lang::En => format!("{day} at {time}"),
        }
    }

    /// Formats an RFC 3339 instant in the browser's time zone (falls back to the raw text).
    pub fn datetime(self, rfc3339: &str) -> String {
        use js_sys::{Date, Object, Reflect};
        use wasm_bindgen::JsValue;

        let date = Date::new(&JsValue::from_str(rfc3339));
        if date.get_time().is_nan() {
            return rfc3339.to_owned();
        }
        let options = |pairs: &[(&str, &str)]| {
            let o = Object::new();
            for (k, v) in pairs {
                let _ = Reflect::set(&o, &(*k).into(), &(*v).into());
            }
            o
        };
        let day = date.to_locale_date_string(
            self.tag(),
            &options(&[("day", "numeric"), ("month", "long"), ("year", "numeric")]),
        );
        let time = date.to_locale_string(
            self.tag(),
            &options(&[("hour", "numeric"), ("minute", "2-digit")]),
        );
        self.date_at(&String::from(day), &String::from(time))
    }
}

/// The value and `Intl` unit that describe a time `seconds` away (negative: past), rounded
/// toward zero in the largest unit that is at least one: `(-5.0, "minute")`. The last minute,
/// and the future (comments are never from the future: that is clock skew between the
/// endpoint and the device), read "now".
pub fn relative_unit(seconds: f64) -> (f64, &'static str) {
    if seconds > -60.0 {
        return (0.0, "second");
    }
    const UNITS: [(f64, &str); 6] = [
        (365.0 * 86_400.0, "year"),
        (30.0 * 86_400.0, "month"),
        (86_400.0, "day"),
        (3_600.0, "hour"),
        (60.0, "minute"),
        (1.0, "second"),
    ];
    let size = seconds.abs();
    let (unit_secs, unit) = UNITS
        .into_iter()
        .find(|(s, _)| size >= *s)
        .unwrap_or((1.0, "second"));
    let value = (size / unit_secs).floor();
    (if seconds < 0.0 { -value } else { value }, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_without_its_database_reads_as_unreachable() {
        for lang in [Lang::Fr, Lang::En] {
            let network = lang.error(crate::client::NETWORK, 1);
            assert_eq!(lang.error(codes::UNAVAILABLE, 1), network);
            assert_eq!(lang.comment_error(codes::UNAVAILABLE), network);
            assert_eq!(lang.error(codes::REQUEST_TIMEOUT, 1), network);
            assert_eq!(lang.comment_error(codes::REQUEST_TIMEOUT), network);
            assert_ne!(lang.error("whatever", 1), network);
        }
    }

    #[test]
    fn every_vote_refusal_has_its_own_message() {
        for lang in [Lang::Fr, Lang::En] {
            let generic = lang.error("whatever", 1);
            let texts: Vec<String> = [
                codes::RATE_LIMITED,
                codes::PARTICIPATION_REQUIRED,
                codes::SSO_EXPIRED,
                codes::EMAIL_REQUIRED,
            ]
            .iter()
            .map(|code| lang.error(code, 1))
            .collect();
            assert!(texts.iter().all(|text| *text != generic), "{texts:?}");
            assert_ne!(texts[0], texts[1]);
            assert_ne!(texts[1], texts[2]);
            assert_ne!(texts[1], texts[3]);
            assert_eq!(lang.error(codes::SSO_REFUSED, 1), texts[2]);
        }
    }

    #[test]
    fn every_comment_error_has_its_own_message() {
        for lang in [Lang::Fr, Lang::En] {
            let generic = lang.comment_error("whatever");
            for code in [
                codes::EMPTY_TEXT,
                codes::TEXT_TOO_LONG,
                codes::TOO_MANY_LINKS,
                codes::INVALID_NAME,
                codes::RESERVED_NAME,
                codes::INVALID_PARENT,
                codes::THREAD_LOCKED,
                codes::EDIT_WINDOW_OVER,
                codes::NOT_AUTHOR,
                codes::RATE_LIMITED,
                codes::BLOCKED_WORDS,
            ] {
                assert_ne!(lang.comment_error(code), generic, "{code}");
            }
        }
    }

    #[test]
    fn tags_normalise_to_french_unless_english() {
        assert_eq!(Lang::from_tag("en"), Lang::En);
        assert_eq!(Lang::from_tag("EN-gb"), Lang::En);
        assert_eq!(Lang::from_tag("en_US"), Lang::En);
        assert_eq!(Lang::from_tag("fr-FR"), Lang::Fr);
        assert_eq!(Lang::from_tag(""), Lang::Fr);
        assert_eq!(Lang::from_tag("de"), Lang::Fr);
        assert_eq!(Lang::from_tag("eng"), Lang::Fr);
    }

    #[test]
    fn zero_and_one_take_the_singular() {
        for lang in [Lang::Fr, Lang::En] {
            assert_eq!(lang.votes(0), "0 vote");
            assert_eq!(lang.votes(1), "1 vote");
            assert_eq!(lang.votes(2), "2 votes");
            assert_eq!(lang.participants(1), "1 participant");
            assert_eq!(lang.participants(12), "12 participants");
        }
        assert_eq!(Lang::En.up_to_choices(1), "Up to 1 choice");
        assert_eq!(Lang::En.up_to_choices(3), "Up to 3 choices");
        assert_eq!(Lang::Fr.up_to_choices(3), "Jusqu'à 3 choix");
    }

    #[test]
    fn french_typography_uses_non_breaking_spaces() {
        assert_eq!(
            Lang::Fr.result_line("Piste cyclable", 12, 40),
            "Piste cyclable\u{a0}: 12 votes (40\u{a0}%)"
        );
        assert_eq!(
            Lang::En.result_line("Bike lane", 1, 5),
            "Bike lane: 1 vote (5%)"
        );
    }

    #[test]
    fn errors_are_translated_by_code() {
        assert_eq!(
            Lang::Fr.error("too_many_choices", 2),
            "Vous pouvez choisir au plus 2 réponses."
        );
        assert_eq!(
            Lang::En.error("too_many_choices", 1),
            "You can choose at most 1 answer."
        );
        assert_eq!(
            Lang::Fr.error("no_choice", 1),
            "Choisissez au moins une réponse."
        );
        assert_eq!(
            Lang::En.error("network", 1),
            "The consultation service cannot be reached. Check your connection and try again."
        );
        assert_eq!(
            Lang::Fr.error("internal", 1),
            "Une erreur est survenue. Réessayez."
        );
    }

    #[test]
    fn dates_read_naturally() {
        assert_eq!(
            Lang::Fr.opens_on(&Lang::Fr.date_at("1 mars 2027", "18:00")),
            "Ce sondage ouvrira le 1 mars 2027 à 18:00."
        );
        assert_eq!(
            Lang::En.closes_on(&Lang::En.date_at("March 1, 2027", "6:00 PM")),
            "Closes on March 1, 2027 at 6:00 PM."
        );
    }

    #[test]
    fn comment_counts_follow_each_language() {
        assert_eq!(Lang::Fr.comments(0), "0 commentaire");
        assert_eq!(Lang::Fr.comments(12), "12 commentaires");
        assert_eq!(Lang::En.comments(0), "0 comments");
        assert_eq!(Lang::En.comments(1), "1 comment");
        assert_eq!(Lang::Fr.new_comments(3), "3 nouveaux commentaires");
        assert_eq!(Lang::En.new_comments(1), "1 new comment");
        assert_eq!(Lang::Fr.more_replies(2), "Afficher 2 autres réponses");
        assert_eq!(Lang::Fr.more_replies(1), "Afficher 1 autre réponse");
        assert_eq!(Lang::En.more_replies(4), "Show 4 more replies");
    }

    #[test]
    fn comment_errors_are_translated_by_code() {
        assert_eq!(
            Lang::Fr.comment_error("thread_locked"),
            "Cette discussion est fermée."
        );
        assert_eq!(
            Lang::En.comment_error("rate_limited"),
            "Too many contributions in a short time. Wait a little, then try again."
        );
        assert_eq!(
            Lang::Fr.comment_error("network"),
            Lang::Fr.error("network", 1)
        );
        assert_eq!(
            Lang::En.comment_error("whatever"),
            "Something went wrong. Please try again."
        );
    }

    #[test]
    fn the_counter_speaks_only_near_the_limit() {
        assert_eq!(Lang::Fr.chars_left(10), None);
        assert_eq!(Lang::Fr.chars_left(4_499), None);
        assert_eq!(
            Lang::Fr.chars_left(4_500).as_deref(),
            Some("Il reste moins de 500 caractères")
        );
        assert_eq!(Lang::Fr.chars_left(4_501), Lang::Fr.chars_left(4_599));
        assert_eq!(
            Lang::En.chars_left(4_990).as_deref(),
            Some("Fewer than 50 characters left")
        );
        assert_eq!(
            Lang::En.chars_left(5_000).as_deref(),
            Some("0 characters left")
        );
        assert_eq!(
            Lang::Fr.chars_left(5_002).as_deref(),
            Some("2 caractères de trop")
        );
        assert_eq!(
            Lang::En.chars_left(5_001).as_deref(),
            Some("1 character too many")
        );
    }

    #[test]
    fn short_fields_count_and_speak_near_their_own_limit() {
        assert_eq!(Lang::Fr.char_counter(12), "12 / 5\u{a0}000");
        assert_eq!(Lang::En.char_counter_of(1_234, 280), "1,234 / 280");
        assert_eq!(Lang::Fr.group(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(Lang::Fr.chars_left_of(100, 280), None);
        assert_eq!(
            Lang::Fr.chars_left_of(240, 280).as_deref(),
            Some("Il reste moins de 50 caractères")
        );
        assert_eq!(
            Lang::En.chars_left_of(122, 120).as_deref(),
            Some("2 characters too many")
        );
    }

    #[test]
    fn relative_times_pick_the_largest_whole_unit() {
        assert_eq!(relative_unit(-300.0), (-5.0, "minute"));
        assert_eq!(relative_unit(-59.0), (0.0, "second"));
        assert_eq!(
            relative_unit(1.5),
            (0.0, "second"),
            "clock skew reads as now"
        );
        assert_eq!(relative_unit(-61.0), (-1.0, "minute"));
        assert_eq!(relative_unit(-7_300.0), (-2.0, "hour"));
        assert_eq!(relative_unit(-3.0 * 86_400.0), (-3.0, "day"));
        assert_eq!(relative_unit(-400.0 * 86_400.0), (-1.0, "year"));
        assert_eq!(relative_unit(0.0), (0.0, "second"));
    }
}
