//! Texts of the "Mes données" panel, at the foot of every widget.

use super::Lang;

/// A fixed sentence of the "Mes données" panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataText {
    /// The panel's disclosure.
    Title,
    /// The device never acted on this site.
    NothingSent,
    /// While the export loads.
    Loading,
    /// The download link.
    Download,
    /// Opens the erasure confirmation.
    Erase,
    /// The erasure confirmation.
    ConfirmErase,
    /// Confirms the erasure.
    EraseNow,
    /// After the erasure.
    Erased,
    /// The link to the site's privacy notice.
    Privacy,
    /// Its title: it opens in a new window.
    PrivacyTitle,
}

/// A noun's singular and plural.
type Noun = (&'static str, &'static str);

impl Lang {
    pub fn data_text(self, text: DataText) -> &'static str {
        let (fr, en) = match text {
            DataText::Title => ("Mes données", "My data"),
            DataText::NothingSent => (
                "Cet appareil n'a rien envoyé sur ce site\u{a0}: il n'y a rien à effacer.",
                "This device has sent nothing on this site: there is nothing to erase.",
            ),
            DataText::Loading => ("Chargement de vos données…", "Loading your data…"),
            DataText::Download => ("Télécharger mes données (JSON)", "Download my data (JSON)"),
            DataText::Erase => ("Effacer mes contributions…", "Erase my contributions…"),
            DataText::ConfirmErase => (
                "Effacer pour de bon\u{a0}? Vos commentaires et propositions disparaissent\u{a0}; \
                 vos votes et soutiens restent comptés dans les résultats, sans plus vous être \
                 rattachés.",
                "Erase for good? Your comments and proposals disappear; your votes and \
                 supports stay counted in the results, no longer tied to you.",
            ),
            DataText::EraseNow => ("Oui, tout effacer", "Yes, erase everything"),
            DataText::Erased => (
                "Vos contributions sur ce site sont effacées.",
                "Your contributions on this site are erased.",
            ),
            DataText::Privacy => ("Confidentialité", "Privacy"),
            DataText::PrivacyTitle => {
                ("Confidentialité (nouvelle fenêtre)", "Privacy (new window)")
            }
        };
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// "Sur ce site, cet appareil a envoyé : 2 votes, 1 commentaire." from the counts of
    /// ballots, comments, proposals, supports, useful marks and reports (kinds at 0 left out).
    pub fn contributions(self, counts: [u64; 6]) -> String {
        const KINDS: [(Noun, Noun); 6] = [
            (("vote", "votes"), ("vote", "votes")),
            (("commentaire", "commentaires"), ("comment", "comments")),
            (("proposition", "propositions"), ("proposal", "proposals")),
            (("soutien", "soutiens"), ("support", "supports")),
            (
                (
                    "mention «\u{a0}utile\u{a0}»",
                    "mentions «\u{a0}utile\u{a0}»",
                ),
                ("“useful” mark", "“useful” marks"),
            ),
            (("signalement", "signalements"), ("report", "reports")),
        ];
        let mut list = String::new();
        for ((fr, en), n) in KINDS.iter().zip(counts) {
            if n > 0 {
                if !list.is_empty() {
                    list.push_str(", ");
                }
                list.push_str(&self.plural(n, *fr, *en));
            }
        }
        if list.is_empty() {
            return self.data_text(DataText::NothingSent).to_owned();
        }
        match self {
            Lang::Fr => format!("Sur ce site, cet appareil a envoyé\u{a0}: {list}."),
            Lang::En => format!("On this site, this device sent: {list}."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contributions_name_only_the_kinds_sent() {
        assert_eq!(
            Lang::Fr.contributions([2, 1, 0, 0, 1, 0]),
            "Sur ce site, cet appareil a envoyé\u{a0}: 2 votes, 1 commentaire, \
             1 mention «\u{a0}utile\u{a0}»."
        );
        assert_eq!(
            Lang::En.contributions([0, 0, 1, 3, 0, 1]),
            "On this site, this device sent: 1 proposal, 3 supports, 1 report."
        );
        assert_eq!(
            Lang::En.contributions([0; 6]),
            Lang::En.data_text(DataText::NothingSent)
        );
    }
}
