//! Full-text search over names and definitions in both languages, ranked, with the snippet
//! that matched. Latin words match at word starts (`gan` does not find "organ"); Chinese
//! words match anywhere, as Chinese has no spaces.

use super::index::{Index, TermId};
use super::normalize::{graphemes, has_han, normalize_words};

/// How much a hit in each field is worth: a name says more than a passing mention.
const NAME_WEIGHT: f64 = 3.0;
const ALIAS_WEIGHT: f64 = 2.0;
const DEFINITION_WEIGHT: f64 = 1.0;
/// Characters of context kept before and after the hit in a snippet.
const SNIPPET_BEFORE: usize = 24;
const SNIPPET_AFTER: usize = 56;

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub term: TermId,
    pub score: f64,
    /// Which field the snippet comes from: `en`, `zh`, `abbr`, `aliases`, `definition.en`, ...
    pub field: &'static str,
    pub snippet: String,
}

/// Terms containing every word of `text`, best first (ties in glossary order).
pub fn search(index: &Index, text: &str) -> Vec<SearchHit> {
    let words = normalize_words(text);
    if words.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<SearchHit> = index
        .terms
        .iter()
        .enumerate()
        .filter_map(|(term_id, _)| score_term(index, term_id, &words))
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.term.cmp(&b.term)));
    hits
}

fn score_term(index: &Index, term_id: TermId, words: &[String]) -> Option<SearchHit> {
    let term = index.term(term_id);
    let aliases = term
        .abbr
        .iter()
        .chain(&term.aliases)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" · ");
    let fields: [(&'static str, &str, f64); 5] = [
        ("en", &term.en, NAME_WEIGHT),
        ("zh", &term.zh, NAME_WEIGHT),
        ("aliases", &aliases, ALIAS_WEIGHT),
        ("definition.en", &term.definition.en, DEFINITION_WEIGHT),
        ("definition.zh", &term.definition.zh, DEFINITION_WEIGHT),
    ];
    let folded: Vec<Folded> = fields
        .iter()
        .map(|(_, text, _)| Folded::new(text))
        .collect();
    let mut score = 0.0;
    for word in words {
        let best_weight = fields
            .iter()
            .zip(&folded)
            .filter(|(_, folded)| folded.find_word(word).is_some())
            .map(|((_, _, weight), _)| *weight)
            .fold(0.0, f64::max);
        if best_weight == 0.0 {
            return None;
        }
        score += best_weight;
    }
    // The snippet shows the first word in context: a definition says more than a name
    // already printed beside it, so definitions are preferred.
    let snippet_order = [3, 4, 0, 1, 2];
    let snippet = snippet_order.iter().find_map(|&at| {
        let (name, text, _) = fields[at];
        folded[at]
            .find_word(&words[0])
            .map(|hit| (name, make_snippet(text, folded[at].original_offset(hit))))
    });
    let (field, snippet) = snippet?;
    Some(SearchHit {
        term: term_id,
        score,
        field,
        snippet,
    })
}

/// Lower-cased text with a map back to the original's byte offsets, so a snippet can show
/// the original letters.
struct Folded {
    text: String,
    /// `origin[i]` = byte offset in the original of the character that produced folded byte `i`.
    origin: Vec<usize>,
}

impl Folded {
    fn new(original: &str) -> Folded {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        for (at, c) in original.char_indices() {
            for lower in c.to_lowercase() {
                text.push(lower);
                origin.resize(text.len(), at);
            }
        }
        Folded { text, origin }
    }

    fn original_offset(&self, folded_offset: usize) -> usize {
        self.origin.get(folded_offset).copied().unwrap_or(0)
    }

    /// Byte offset of the first occurrence of `word` that starts a word (any occurrence for
    /// Chinese).
    fn find_word(&self, word: &str) -> Option<usize> {
        let chinese = has_han(word);
        self.text.match_indices(word).map(|(at, _)| at).find(|&at| {
            chinese
                || self.text[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|before| !before.is_alphanumeric())
        })
    }
}

/// A window of the text around `at`, cut at grapheme boundaries, with ellipses where cut.
fn make_snippet(text: &str, at: usize) -> String {
    let before = graphemes(&text[..at]);
    let after = graphemes(&text[at..]);
    let start = before.len().saturating_sub(SNIPPET_BEFORE);
    let mut snippet = String::new();
    if start > 0 {
        snippet.push('…');
    }
    snippet.push_str(&before[start..].concat());
    snippet.push_str(&after[..after.len().min(SNIPPET_AFTER)].concat());
    if after.len() > SNIPPET_AFTER {
        snippet.push('…');
    }
    snippet
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::{Definition, Term};

    fn index() -> Index {
        let term = |id: &str, en: &str, zh: &str, def_en: &str, def_zh: &str| Term {
            id: id.into(),
            en: en.into(),
            zh: zh.into(),
            definition: Definition {
                en: def_en.into(),
                zh: def_zh.into(),
            },
            ..Term::default()
        };
        Index::build(vec![
            term(
                "diffusion-model",
                "Diffusion Model",
                "扩散模型",
                "Learns to remove Gaussian noise step by step.",
                "学习逐步去除高斯噪声。",
            ),
            term(
                "gaussian-noise",
                "Gaussian Noise",
                "高斯噪声",
                "Random values from a normal distribution.",
                "服从正态分布的随机噪声。",
            ),
            term(
                "organ",
                "Organisation",
                "组织",
                "An organ of things.",
                "组织。",
            ),
        ])
    }

    fn ids(hits: &[SearchHit], index: &Index) -> Vec<String> {
        hits.iter()
            .map(|hit| index.term(hit.term).id.clone())
            .collect()
    }

    #[test]
    fn names_rank_above_definitions() {
        let index = index();
        let hits = search(&index, "noise");
        assert_eq!(
            ids(&hits, &index),
            vec!["gaussian-noise", "diffusion-model"]
        );
        assert_eq!(hits[1].field, "definition.en");
        assert!(hits[1].snippet.contains("Gaussian noise"));
    }

    #[test]
    fn every_word_must_match() {
        let index = index();
        assert_eq!(
            ids(&search(&index, "gaussian step"), &index),
            vec!["diffusion-model"]
        );
    }

    #[test]
    fn latin_matches_at_word_start_only() {
        let index = index();
        assert!(search(&index, "gan").is_empty());
        assert_eq!(ids(&search(&index, "org"), &index), vec!["organ"]);
    }

    #[test]
    fn chinese_matches_inside_text() {
        let index = index();
        assert_eq!(
            ids(&search(&index, "噪声"), &index),
            vec!["gaussian-noise", "diffusion-model"]
        );
    }

    #[test]
    fn snippets_cut_long_text_with_ellipses() {
        let text = format!("{}needle{}", "a ".repeat(40), "b ".repeat(60));
        let snippet = make_snippet(&text, text.find("needle").unwrap());
        assert!(snippet.starts_with('…') && snippet.ends_with('…'));
        assert!(snippet.contains("needle"));
    }
}
