//! Interface texts in French (the default) and English, with plural rules and date formatting.

use civique_api::codes;

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
    /// Anything else.
    Generic,
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
            Text::Generic => (
                "Une erreur est survenue. Réessayez.",
                "Something went wrong. Please try again.",
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
            crate::client::NETWORK => Text::NetworkRetry,
            _ => Text::Generic,
        };
        self.text(text).to_owned()
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
