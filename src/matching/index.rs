//! The in-memory index, built once per run: every name of every term as a normalised key,
//! and a map from normalised key to the keys that have it for exact lookups.

use std::collections::HashMap;

use serde::Serialize;

use super::normalize::{graphemes, has_han, normalize_key, normalize_words};
use crate::glossary::Term;

/// A term's position in `Index::terms`.
pub type TermId = usize;

/// Which field of the term a key comes from; earlier kinds win ties in ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    Id,
    Abbr,
    English,
    Chinese,
    Alias,
}

/// One way of naming a term, prepared for every matching rule.
#[derive(Debug, Clone)]
pub struct IndexKey {
    pub term: TermId,
    pub kind: KeyKind,
    /// The name as written in the glossary, shown in notes and `--json` `match.key`.
    pub text: String,
    pub normalized: String,
    /// Normalised words, for word-prefix matching (`stable diff`).
    pub words: Vec<String>,
    /// Length in user-perceived characters of `normalized`.
    pub length: usize,
    pub is_chinese: bool,
}

/// Glossary terms plus everything the matching rules need, computed once.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub terms: Vec<Term>,
    pub keys: Vec<IndexKey>,
    /// Initials of each term's English name (`Contrastive Language-Image Pre-training` →
    /// `clipt`, and without small words), for acronym-like queries.
    pub initials: Vec<Initials>,
    exact: HashMap<String, Vec<usize>>,
    by_id: HashMap<String, TermId>,
}

/// The initials of a term's English name and the key (its English name) they stand for.
#[derive(Debug, Clone)]
pub struct Initials {
    pub term: TermId,
    pub key: usize,
    pub letters: String,
}

/// Words that acronyms usually skip (`Mixture of Experts` is MoE or ME).
const SMALL_WORDS: &[&str] = &[
    "of", "the", "and", "for", "to", "in", "on", "a", "an", "with", "by",
];

impl Index {
    pub fn build(terms: Vec<Term>) -> Index {
        let mut index = Index {
            terms,
            ..Index::default()
        };
        for term_id in 0..index.terms.len() {
            index.add_term_keys(term_id);
        }
        index
    }

    fn add_term_keys(&mut self, term_id: TermId) {
        let term = &self.terms[term_id];
        self.by_id.insert(term.id.clone(), term_id);
        let mut names: Vec<(KeyKind, String)> = vec![
            (KeyKind::Id, term.id.clone()),
            (KeyKind::English, term.en.clone()),
            (KeyKind::Chinese, term.zh.clone()),
        ];
        names.extend(term.abbr.iter().map(|name| (KeyKind::Abbr, name.clone())));
        names.extend(
            term.aliases
                .iter()
                .map(|name| (KeyKind::Alias, name.clone())),
        );
        let mut initials = vec![
            english_initials(&term.en, false),
            english_initials(&term.en, true),
        ];
        initials.dedup();
        let first_key = self.keys.len();
        for (kind, text) in names {
            let normalized = normalize_key(&text);
            if normalized.is_empty() {
                continue;
            }
            // One term may name the same key twice (id `gan`, abbr `GAN`): keep the first.
            let same_term_has_it = self
                .exact
                .get(&normalized)
                .is_some_and(|keys| keys.iter().any(|&at| self.keys[at].term == term_id));
            if same_term_has_it {
                continue;
            }
            let key = IndexKey {
                term: term_id,
                kind,
                words: normalize_words(&text),
                length: graphemes(&normalized).len(),
                is_chinese: has_han(&normalized),
                normalized,
                text,
            };
            self.exact
                .entry(key.normalized.clone())
                .or_default()
                .push(self.keys.len());
            self.keys.push(key);
        }
        let english_key = (first_key..self.keys.len())
            .find(|&at| self.keys[at].kind == KeyKind::English)
            .unwrap_or(first_key);
        for letters in initials.into_iter().filter(|letters| letters.len() >= 2) {
            self.initials.push(Initials {
                term: term_id,
                key: english_key,
                letters,
            });
        }
    }

    pub fn term(&self, id: TermId) -> &Term {
        &self.terms[id]
    }

    pub fn by_id(&self, id: &str) -> Option<TermId> {
        self.by_id.get(id).copied()
    }

    /// Positions in `keys` of the keys equal to an already normalised query.
    pub fn exact_keys(&self, normalized: &str) -> &[usize] {
        self.exact.get(normalized).map_or(&[], Vec::as_slice)
    }
}

/// First letters of the words of an English name, optionally skipping small words.
fn english_initials(name: &str, skip_small_words: bool) -> String {
    normalize_words(name)
        .iter()
        .filter(|word| !(skip_small_words && SMALL_WORDS.contains(&word.as_str())))
        .filter_map(|word| word.chars().next())
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample_term(id: &str, en: &str, zh: &str, abbr: &[&str], aliases: &[&str]) -> Term {
        Term {
            id: id.into(),
            en: en.into(),
            zh: zh.into(),
            abbr: abbr.iter().map(|s| s.to_string()).collect(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            ..Term::default()
        }
    }

    #[test]
    fn keys_are_normalised_and_deduplicated_per_term() {
        let index = Index::build(vec![sample_term(
            "gan",
            "Generative Adversarial Network",
            "生成对抗网络",
            &["GAN"],
            &["GANs"],
        )]);
        let texts: Vec<&str> = index
            .keys
            .iter()
            .map(|key| key.normalized.as_str())
            .collect();
        assert_eq!(
            texts,
            vec![
                "gan",
                "generativeadversarialnetwork",
                "生成对抗网络",
                "gans"
            ]
        );
        assert_eq!(index.exact_keys("gan").len(), 1);
    }

    #[test]
    fn initials_with_and_without_small_words() {
        assert_eq!(english_initials("Mixture of Experts", false), "moe");
        assert_eq!(english_initials("Mixture of Experts", true), "me");
        assert_eq!(
            english_initials("Contrastive Language-Image Pre-training", true),
            "clipt"
        );
    }

    #[test]
    fn shared_keys_keep_every_owner() {
        let index = Index::build(vec![
            sample_term("a", "Alpha", "甲", &["SD"], &[]),
            sample_term("b", "Beta", "乙", &[], &["sd"]),
        ]);
        assert_eq!(index.exact_keys("sd").len(), 2);
        assert_eq!(index.by_id("b"), Some(1));
    }
}
