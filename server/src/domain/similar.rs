//! Similar titles while a resident types: an index of a box's published titles, ranked as
//! the database's full-text search ranks them (BM25), held in memory so that a look-up
//! costs the words it matches, not a ranking of every proposal that shares one of them.

use std::collections::HashMap;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// BM25's term-frequency saturation and length normalisation, as SQLite's FTS5 and most
/// engines set them.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// A word as the index compares it: lowercase, without diacritics (`Vélo` is `velo`), as
/// the full-text search's tokenizer folds it.
pub fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The folded words of `text`: its runs of letters and digits.
fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(fold)
}

/// The published titles of one box, by word.
#[derive(Debug, Default)]
pub struct TitleIndex {
    /// Proposal ids, by document number.
    ids: Vec<i64>,
    /// Words in each title, by document number.
    lengths: Vec<u32>,
    average_length: f64,
    /// Every word, sorted, with the documents holding it and how often.
    words: Vec<(String, Vec<(u32, u32)>)>,
}

impl TitleIndex {
    /// The index of `titles` (proposal id, title).
    pub fn new(titles: impl IntoIterator<Item = (i64, String)>) -> Self {
        let mut ids = Vec::new();
        let mut lengths = Vec::new();
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        for (doc, (id, title)) in titles.into_iter().enumerate() {
            let doc = u32::try_from(doc).unwrap_or(u32::MAX);
            let mut length = 0;
            for word in tokens(&title) {
                length += 1;
                let list = postings.entry(word).or_default();
                match list.last_mut() {
                    Some((last, count)) if *last == doc => *count += 1,
                    _ => list.push((doc, 1)),
                }
            }
            ids.push(id);
            lengths.push(length);
        }
        let total: u64 = lengths.iter().map(|&l| u64::from(l)).sum();
        let average_length = if ids.is_empty() {
            1.0
        } else {
            (total as f64 / ids.len() as f64).max(1.0)
        };
        let mut words: Vec<_> = postings.into_iter().collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self {
            ids,
            lengths,
            average_length,
            words,
        }
    }

    /// How many titles it holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ids of the `limit` titles that best match `terms`, each a word's beginning (as
    /// typed: folded here), any of which may match: best first, ties by id.
    pub fn best(&self, terms: &[String], limit: usize) -> Vec<i64> {
        let documents = self.ids.len() as f64;
        let mut scores: HashMap<u32, f64> = HashMap::new();
        for term in terms {
            let prefix = fold(term);
            let start = self.words.partition_point(|(word, _)| *word < prefix);
            // How often the term (any word it begins) is in each title.
            let mut frequency: HashMap<u32, u32> = HashMap::new();
            for (_, list) in self.words[start..]
                .iter()
                .take_while(|(word, _)| word.starts_with(&prefix))
            {
                for &(doc, count) in list {
                    *frequency.entry(doc).or_default() += count;
                }
            }
            if frequency.is_empty() {
                continue;
            }
            let holding = frequency.len() as f64;
            // FTS5's inverse document frequency, kept positive for very common words.
            let idf = ((documents - holding + 0.5) / (holding + 0.5))
                .ln()
                .max(1e-6);
            for (doc, count) in frequency {
                let count = f64::from(count);
                let length = f64::from(self.lengths[doc as usize]);
                let norm = K1 * (1.0 - B + B * length / self.average_length);
                *scores.entry(doc).or_default() += idf * count * (K1 + 1.0) / (count + norm);
            }
        }
        let mut ranked: Vec<(f64, i64)> = scores
            .into_iter()
            .map(|(doc, score)| (score, self.ids[doc as usize]))
            .collect();
        let by_rank = |a: &(f64, i64), b: &(f64, i64)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if ranked.len() > limit {
            ranked.select_nth_unstable_by(limit, by_rank);
            ranked.truncate(limit);
        }
        ranked.sort_unstable_by(by_rank);
        ranked.into_iter().map(|(_, id)| id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> TitleIndex {
        TitleIndex::new(
            [
                "Des abris vélos sécurisés près de la gare",
                "Un jardin partagé au parc des Saules",
                "Éclairage du terrain de sport",
                "Une piste cyclable vers la gare",
                "Un parking vélo devant la mairie",
                "Jardins",
            ]
            .into_iter()
            .enumerate()
            .map(|(i, title)| (i as i64 + 10, title.to_owned())),
        )
    }

    fn terms(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn words_are_folded_as_the_search_folds_them() {
        assert_eq!(fold("Éclairage"), "eclairage");
        assert_eq!(fold("VÉLOS"), "velos");
        assert_eq!(fold("Noël"), "noel");
    }

    #[test]
    fn titles_matching_more_and_rarer_words_come_first() {
        let index = index();
        assert_eq!(index.len(), 6);
        // Both words beat one; "abri" is rarer than "velo".
        assert_eq!(index.best(&terms(&["abri", "velo"]), 3), [10, 14]);
        // A word's beginning matches, accents or not; a short title wins among equals.
        assert_eq!(index.best(&terms(&["jardin"]), 3), [15, 11]);
        assert_eq!(
            index.best(&terms(&["jardin", "partagé", "saules"]), 3),
            [11, 15]
        );
        assert_eq!(index.best(&terms(&["éclairage"]), 3), [12]);
        assert_eq!(index.best(&terms(&["gare"]), 1).len(), 1);
        assert!(index.best(&terms(&["potager"]), 3).is_empty());
        assert!(TitleIndex::new([]).best(&terms(&["gare"]), 3).is_empty());
    }

    #[test]
    fn ties_are_broken_by_id() {
        let index = TitleIndex::new([(7, "Des bancs".to_owned()), (3, "Des bancs".to_owned())]);
        assert_eq!(index.best(&terms(&["bancs"]), 3), [3, 7]);
    }
}
