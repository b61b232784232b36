//! The fuzzy matching rules. Each compares a prepared query with one key (or one set of
//! initials) and returns a score in [0, 1] with a short account of how it was made; ranking
//! (`rank.rs`) keeps each term's best. All rules are pure and bounded in cost.
//!
//! Score bands (an exact match is 1.0, and only an exact match is):
//! - typo       0.50 + 0.45 × similarity, similarity = 1 − edits / longer length
//! - prefix     0.60 + 0.35 × coverage,   coverage = query length / key length
//! - word prefix 0.58 + 0.35 × coverage
//! - acronym    0.85 for a term's initials, 0.80 for the same letters in another order
//! - partial    0.55 + 0.30 × coverage (a Chinese query inside a Chinese name)
//!
//! Lengths count user-perceived characters (graphemes) of normalised text.

use serde::Serialize;

use super::index::IndexKey;
use super::normalize::{graphemes, has_han, normalize_key, normalize_words};

/// Queries longer than this (in characters) skip edit-distance work: nobody misspells a
/// 50-letter name, and the cost of the distance table grows with the square of the length.
pub const MAX_TYPO_QUERY: usize = 48;
/// Keys longer than this are not compared by edit distance either.
const MAX_TYPO_KEY: usize = 96;
/// Prefix rules need this many characters (Latin) before a prefix says anything.
const MIN_PREFIX_LATIN: usize = 3;
/// A Chinese prefix or partial name needs this many characters (扩散).
const MIN_PREFIX_HAN: usize = 2;

/// Which rule matched; the names are the `match.kind` values of `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    Exact,
    Prefix,
    WordPrefix,
    Acronym,
    Typo,
    Partial,
}

impl MatchKind {
    pub fn name(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Prefix => "prefix",
            MatchKind::WordPrefix => "word-prefix",
            MatchKind::Acronym => "acronym",
            MatchKind::Typo => "typo",
            MatchKind::Partial => "partial",
        }
    }
}

/// A rule's verdict: the score and, for `--explain`, how it was computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub kind: MatchKind,
    pub why: String,
}

/// A query prepared once, then compared with every candidate key.
#[derive(Debug, Clone)]
pub struct Query {
    pub text: String,
    pub normalized: String,
    pub words: Vec<String>,
    pub length: usize,
    pub is_chinese: bool,
    /// Only ASCII letters and digits: could be an acronym.
    pub is_acronym_like: bool,
}

impl Query {
    pub fn new(text: &str) -> Query {
        let normalized = normalize_key(text);
        Query {
            text: text.to_string(),
            words: normalize_words(text),
            length: graphemes(&normalized).len(),
            is_chinese: has_han(&normalized),
            is_acronym_like: !normalized.is_empty()
                && normalized.bytes().all(|b| b.is_ascii_alphanumeric()),
            normalized,
        }
    }
}

/// How many edits a name of `length` characters may carry and still be recognised.
/// Short names get none: `gna` is as likely another acronym as a typo of `gan`.
pub fn allowed_edits(length: usize, is_chinese: bool) -> usize {
    match (is_chinese, length) {
        (true, 0..=2) => 0,
        (true, 3..=6) => 1,
        (true, _) => 2,
        (false, 0..=3) => 0,
        (false, 4..=5) => 1,
        (false, 6..=9) => 2,
        (false, _) => 3,
    }
}

/// Misspellings: optimal-string-alignment distance (Damerau with adjacent transpositions).
pub fn typo(query: &Query, key: &IndexKey) -> Option<Scored> {
    if query.length > MAX_TYPO_QUERY || key.length > MAX_TYPO_KEY {
        return None;
    }
    let budget = allowed_edits(query.length.min(key.length), query.is_chinese);
    if budget == 0 || query.length.abs_diff(key.length) > budget {
        return None;
    }
    let edits = strsim::osa_distance(&query.normalized, &key.normalized);
    if edits == 0 || edits > budget {
        return None;
    }
    let similarity = 1.0 - edits as f64 / query.length.max(key.length) as f64;
    Some(Scored {
        score: 0.50 + 0.45 * similarity,
        kind: MatchKind::Typo,
        why: format!("0.50 + 0.45 × similarity {similarity:.2} ({edits} edit(s))"),
    })
}

/// The query is the beginning of a name (`stable diff` → Stable Diffusion, `扩散` → 扩散模型).
pub fn prefix(query: &Query, key: &IndexKey) -> Option<Scored> {
    let minimum = if query.is_chinese {
        MIN_PREFIX_HAN
    } else {
        MIN_PREFIX_LATIN
    };
    if query.length < minimum
        || query.length >= key.length
        || !key.normalized.starts_with(&query.normalized)
    {
        return None;
    }
    let coverage = query.length as f64 / key.length as f64;
    Some(Scored {
        score: 0.60 + 0.35 * coverage,
        kind: MatchKind::Prefix,
        why: format!("0.60 + 0.35 × coverage {coverage:.2}"),
    })
}

/// Each query word begins the name's words in order (`diff mod` → diffusion model).
pub fn word_prefix(query: &Query, key: &IndexKey) -> Option<Scored> {
    if query.words.len() < 2 || query.words.len() > key.words.len() {
        return None;
    }
    let all_begin = query
        .words
        .iter()
        .zip(&key.words)
        .all(|(typed, word)| word.starts_with(typed.as_str()));
    if !all_begin || query.length < MIN_PREFIX_LATIN {
        return None;
    }
    let coverage = (query.length as f64 / key.length as f64).min(1.0);
    Some(Scored {
        score: 0.58 + 0.35 * coverage,
        kind: MatchKind::WordPrefix,
        why: format!("0.58 + 0.35 × coverage {coverage:.2}"),
    })
}

/// A Chinese query found inside a Chinese name, compared grapheme by grapheme
/// (`对抗网络` → 生成对抗网络). Prefixes are the prefix rule's.
pub fn partial(query: &Query, key: &IndexKey) -> Option<Scored> {
    if !query.is_chinese
        || !key.is_chinese
        || query.length < MIN_PREFIX_HAN
        || query.length >= key.length
    {
        return None;
    }
    let wanted = graphemes(&query.normalized);
    let name = graphemes(&key.normalized);
    let found = name
        .windows(wanted.len())
        .skip(1)
        .any(|window| window == wanted.as_slice());
    if !found {
        return None;
    }
    let coverage = query.length as f64 / key.length as f64;
    Some(Scored {
        score: 0.55 + 0.30 * coverage,
        kind: MatchKind::Partial,
        why: format!("0.55 + 0.30 × coverage {coverage:.2}"),
    })
}

/// Acronym-like queries against the initials of a term's English name (`llm` → Large
/// Language Model), or the same letters shuffled (`clpi` → CLIP), of initials or an abbr.
pub fn acronym(query: &Query, initials: &str) -> Option<Scored> {
    if !query.is_acronym_like || !(2..=8).contains(&query.length) {
        return None;
    }
    if query.normalized == initials {
        return Some(Scored {
            score: 0.85,
            kind: MatchKind::Acronym,
            why: format!("initials '{initials}'"),
        });
    }
    if query.length >= 3
        && query.length == initials.len()
        && same_letters(&query.normalized, initials)
    {
        return Some(Scored {
            score: 0.80,
            kind: MatchKind::Acronym,
            why: format!("letters of '{initials}' reordered"),
        });
    }
    None
}

fn same_letters(a: &str, b: &str) -> bool {
    let mut a: Vec<u8> = a.bytes().collect();
    let mut b: Vec<u8> = b.bytes().collect();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::index::KeyKind;

    fn key(text: &str) -> IndexKey {
        let normalized = normalize_key(text);
        IndexKey {
            term: 0,
            kind: KeyKind::English,
            text: text.into(),
            words: normalize_words(text),
            length: graphemes(&normalized).len(),
            is_chinese: has_han(&normalized),
            normalized,
        }
    }

    fn score(
        rule: fn(&Query, &IndexKey) -> Option<Scored>,
        query: &str,
        name: &str,
    ) -> Option<f64> {
        rule(&Query::new(query), &key(name)).map(|scored| scored.score)
    }

    #[test]
    fn typo_scales_with_length() {
        let one_edit = score(typo, "difusion", "diffusion").unwrap();
        assert!((one_edit - (0.50 + 0.45 * (1.0 - 1.0 / 9.0))).abs() < 1e-9);
        assert!(
            score(typo, "clpi", "clip").is_some(),
            "a transposition is one edit"
        );
        assert_eq!(
            score(typo, "gna", "gan"),
            None,
            "three letters allow no edit"
        );
        assert_eq!(score(typo, "kubernetes", "transformer"), None);
    }

    #[test]
    fn typo_in_chinese_counts_characters() {
        assert!(score(typo, "扩撒模型", "扩散模型").is_some());
        assert_eq!(score(typo, "扩撒", "扩散"), None);
    }

    #[test]
    fn typo_is_bounded_for_huge_queries() {
        let huge = "a".repeat(100_000);
        assert_eq!(score(typo, &huge, "attention"), None);
    }

    #[test]
    fn prefix_needs_three_letters_or_two_han() {
        assert!(score(prefix, "stable diff", "Stable Diffusion").is_some());
        assert!(score(prefix, "扩散", "扩散模型").is_some());
        assert_eq!(score(prefix, "st", "Stable Diffusion"), None);
        assert_eq!(
            score(prefix, "stable diffusion", "Stable Diffusion"),
            None,
            "equal is exact, not prefix"
        );
    }

    #[test]
    fn longer_coverage_scores_higher() {
        let short = score(prefix, "stab", "Stable Diffusion").unwrap();
        let long = score(prefix, "stable diff", "Stable Diffusion").unwrap();
        assert!(long > short);
    }

    #[test]
    fn word_prefix_matches_word_beginnings() {
        assert!(score(word_prefix, "diff mod", "Diffusion Model").is_some());
        assert_eq!(score(word_prefix, "mod diff", "Diffusion Model"), None);
        assert_eq!(
            score(word_prefix, "diffusion", "Diffusion Model"),
            None,
            "one word is the prefix rule's"
        );
    }

    #[test]
    fn partial_finds_chinese_inside_names() {
        assert!(score(partial, "对抗网络", "生成对抗网络").is_some());
        assert_eq!(
            score(partial, "生成", "生成对抗网络"),
            None,
            "a prefix is the prefix rule's"
        );
        assert_eq!(
            score(partial, "网", "生成对抗网络"),
            None,
            "one character says too little"
        );
    }

    #[test]
    fn acronym_rule() {
        assert_eq!(
            acronym(&Query::new("llm"), "llm").map(|s| s.score),
            Some(0.85)
        );
        assert_eq!(
            acronym(&Query::new("clpi"), "clip").map(|s| s.score),
            Some(0.80)
        );
        assert_eq!(
            acronym(&Query::new("ab"), "ba"),
            None,
            "two letters reordered is too weak"
        );
        assert_eq!(acronym(&Query::new("生成"), "sc"), None);
    }
}
