//! Full-text search over names and definitions in both languages, ranked, with the snippet
//! that matched. Latin words match at word starts (`gan` does not find "organ", `nois`
//! finds "noise"); Chinese words match anywhere, as Chinese has no spaces.
//!
//! Hits come from the word table of the index (postings of words, Han characters and
//! character pairs), so a search reads the postings of its words, not every definition.

use rustc_hash::FxHashMap;

use super::index::{Index, TermId};
use unicode_segmentation::UnicodeSegmentation;

use super::normalize::{fold_for_search, folds_to_itself, push_folded_text, text_tokens, Token};
use crate::glossary::Term;
use crate::store::{search_fields, Damaged, FieldWeight};

/// Characters of context kept before and after the hit in a snippet.
const SNIPPET_BEFORE: usize = 24;
const SNIPPET_AFTER: usize = 56;

/// A ranked hit, before its snippet is made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub term: TermId,
    pub score: f64,
}

/// A hit ready to show: where the first word was found and the text around it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub term: TermId,
    pub score: f64,
    /// Which field the snippet comes from: `en`, `zh`, `aliases`, `definition.en`, ...
    pub field: &'static str,
    pub snippet: String,
}

/// Terms containing every word of `text`, best first (ties in glossary order), with the
/// words as searched (for snippets).
pub fn search(index: &Index, text: &str) -> Result<(Vec<Token>, Vec<Hit>), Damaged> {
    let words = text_tokens(text);
    if words.is_empty() {
        return Ok((words, Vec::new()));
    }
    let mut scores: Option<FxHashMap<u32, f64>> = None;
    for word in &words {
        let found = best_weights(index, word)?;
        scores = Some(match scores {
            None => found
                .into_iter()
                .map(|(term, weight)| (term, weight.value()))
                .collect(),
            Some(so_far) => so_far
                .into_iter()
                .filter_map(|(term, score)| {
                    found
                        .get(&term)
                        .map(|weight| (term, score + weight.value()))
                })
                .collect(),
        });
        if scores.as_ref().is_some_and(FxHashMap::is_empty) {
            break;
        }
    }
    let mut hits: Vec<Hit> = scores
        .unwrap_or_default()
        .into_iter()
        .map(|(term, score)| Hit {
            term: term as TermId,
            score,
        })
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.term.cmp(&b.term)));
    Ok((words, hits))
}

/// Every term containing `word`, with the best field it appears in.
fn best_weights(index: &Index, word: &Token) -> Result<FxHashMap<u32, FieldWeight>, Damaged> {
    let store = index.store();
    let mut best: FxHashMap<u32, FieldWeight> = FxHashMap::default();
    let merge = |postings: Vec<(u32, FieldWeight)>, best: &mut FxHashMap<u32, FieldWeight>| {
        for (term, weight) in postings {
            let entry = best.entry(term).or_insert(weight);
            *entry = (*entry).max(weight);
        }
    };
    match word {
        Token::Latin(word) => {
            for at in store.words_with_prefix(word)? {
                merge(store.word_postings(at)?, &mut best);
            }
        }
        Token::Han(run) => {
            let chars: Vec<char> = run.chars().collect();
            if chars.len() == 1 {
                if let Some(at) = store.word(run)? {
                    merge(store.word_postings(at)?, &mut best);
                }
                return Ok(best);
            }
            // Terms holding every character pair; for two characters that is the word.
            let mut candidates: Option<FxHashMap<u32, FieldWeight>> = None;
            for pair in chars.windows(2) {
                let pair: String = pair.iter().collect();
                let mut found = FxHashMap::default();
                if let Some(at) = store.word(&pair)? {
                    merge(store.word_postings(at)?, &mut found);
                }
                candidates = Some(match candidates {
                    None => found,
                    Some(so_far) => so_far
                        .into_iter()
                        .filter_map(|(term, weight)| {
                            found.get(&term).map(|other| (term, weight.min(*other)))
                        })
                        .collect(),
                });
            }
            let candidates = candidates.unwrap_or_default();
            if chars.len() == 2 {
                return Ok(candidates);
            }
            for term in candidates.into_keys() {
                let record = index.record(term as TermId)?;
                if let Some(weight) = field_containing(&record.term, run) {
                    best.insert(term, weight);
                }
            }
        }
    }
    Ok(best)
}

/// The best field of `term` whose text contains the Han run `run`.
fn field_containing(term: &Term, run: &str) -> Option<FieldWeight> {
    // The fields come best first, so the first that holds the run is the best. A Han run
    // matches anywhere, so only the folded text is needed, not its offsets. When every
    // character of the run folds to itself (simplified characters do), a field that holds
    // the run as written holds it folded too: most candidates are then settled by a search
    // of the text as it is, without folding their definitions.
    let as_written = run.chars().all(folds_to_itself);
    search_fields(term)
        .into_iter()
        .find(|(text, _)| (as_written && text.contains(run)) || fold_for_search(text).contains(run))
        .map(|(_, weight)| weight)
}

/// The hit with its snippet: the first query word in context. A definition says more than
/// a name already printed beside it, so definitions are preferred.
pub fn describe_hit(index: &Index, hit: Hit, words: &[Token]) -> Result<SearchHit, Damaged> {
    let record = index.record(hit.term)?;
    let term = &record.term;
    let aliases = term
        .abbr
        .iter()
        .chain(&term.aliases)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" · ");
    let fields: [(&'static str, &str); 5] = [
        ("definition.en", &term.definition.en),
        ("definition.zh", &term.definition.zh),
        ("en", &term.en),
        ("zh", &term.zh),
        ("aliases", &aliases),
    ];
    let found = words.first().and_then(|first| {
        fields.iter().find_map(|&(name, text)| {
            let folded = Folded::new(text);
            folded
                .find(first)
                .map(|at| (name, make_snippet(text, folded.original_offset(at))))
        })
    });
    let (field, snippet) =
        found.unwrap_or_else(|| ("definition.en", make_snippet(&term.definition.en, 0)));
    Ok(SearchHit {
        term: hit.term,
        score: hit.score,
        field,
        snippet,
    })
}

/// Text folded as tokens are (lower case, no accents, simplified characters) with a map
/// back to the original's byte offsets, so a snippet can show the original letters.
struct Folded {
    text: String,
    /// `origin[i]` = byte offset in the original of the character that produced folded byte `i`.
    origin: Vec<usize>,
}

impl Folded {
    fn new(original: &str) -> Folded {
        if original.is_ascii() {
            // Folding ASCII keeps every byte where it was.
            return Folded {
                text: original.to_ascii_lowercase(),
                origin: Vec::new(),
            };
        }
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        push_folded_text(original, &mut text, Some(&mut origin));
        Folded { text, origin }
    }

    fn original_offset(&self, folded_offset: usize) -> usize {
        if self.origin.is_empty() {
            return folded_offset;
        }
        self.origin.get(folded_offset).copied().unwrap_or(0)
    }

    /// Byte offset of the first occurrence of `word` that starts a word (any occurrence
    /// for Chinese).
    fn find(&self, word: &Token) -> Option<usize> {
        let (needle, anywhere) = match word {
            Token::Latin(word) => (word.as_str(), false),
            Token::Han(run) => (run.as_str(), true),
        };
        self.text
            .match_indices(needle)
            .map(|(at, _)| at)
            .find(|&at| {
                anywhere
                    || self.text[..at]
                        .chars()
                        .next_back()
                        .is_none_or(|before| !before.is_alphanumeric())
            })
    }
}

/// A window of the text around `at`, cut at grapheme boundaries, with ellipses where cut.
/// Only the graphemes of the window are looked at, not the whole text.
/// The snippet window around `at` when the bytes it can cover are plain ASCII without a
/// carriage return: then graphemes are bytes and need no segmentation (most English text).
fn ascii_window(text: &str, at: usize) -> Option<(usize, usize)> {
    let start = at.saturating_sub(SNIPPET_BEFORE);
    let end = (at + SNIPPET_AFTER).min(text.len());
    let window = text.as_bytes().get(start..end)?;
    // Also the byte just past each end: a non-ASCII neighbour could join a grapheme.
    let neighbours = [start.checked_sub(1), Some(end)];
    let plain = |byte: u8| byte.is_ascii() && byte != b'\r';
    let clean = window.iter().all(|&byte| plain(byte))
        && neighbours
            .iter()
            .flatten()
            .filter_map(|&at| text.as_bytes().get(at))
            .all(|&byte| plain(byte));
    clean.then_some((start, end))
}

/// The snippet window: `SNIPPET_BEFORE` graphemes before `at`, `SNIPPET_AFTER` from it.
fn grapheme_window(text: &str, at: usize) -> (usize, usize) {
    let (before, after) = text.split_at(at);
    let start = before
        .grapheme_indices(true)
        .rev()
        .take(SNIPPET_BEFORE)
        .last()
        .map_or(at, |(start, _)| start);
    let end = after
        .grapheme_indices(true)
        .take(SNIPPET_AFTER)
        .last()
        .map_or(at, |(offset, grapheme)| at + offset + grapheme.len());
    (start, end)
}

fn make_snippet(text: &str, at: usize) -> String {
    let at = at.min(text.len());
    let at = (0..=at)
        .rev()
        .find(|&at| text.is_char_boundary(at))
        .unwrap_or(0);
    // Plain ASCII: every byte is one grapheme (no CR, which pairs with LF).
    let (start, end) = ascii_window(text, at).unwrap_or_else(|| grapheme_window(text, at));
    let mut snippet = String::with_capacity(end - start + 6);
    if start > 0 {
        snippet.push('…');
    }
    snippet.push_str(&text[start..end]);
    if end < text.len() {
        snippet.push('…');
    }
    snippet
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::Definition;
    use crate::matching::normalize::push_folded;

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
        Index::build(&[
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
            term(
                "discriminator",
                "Discriminator",
                "判别器",
                "Tells real samples from generated ones.",
                "生成对抗网络里分辨真假的网络。",
            ),
            // Its name in traditional characters, its definition in simplified ones.
            term(
                "gan",
                "Generative Adversarial Network",
                "生成對抗網絡",
                "Two networks trained against each other.",
                "生成对抗网络由两个相互博弈的网络组成。",
            ),
        ])
    }

    fn ids(index: &Index, text: &str) -> Vec<String> {
        search(index, text)
            .unwrap()
            .1
            .iter()
            .map(|hit| index.record(hit.term).unwrap().term.id.clone())
            .collect()
    }

    #[test]
    fn names_rank_above_definitions() {
        let index = index();
        assert_eq!(
            ids(&index, "noise"),
            vec!["gaussian-noise", "diffusion-model"]
        );
        let (words, hits) = search(&index, "noise").unwrap();
        let described = describe_hit(&index, hits[1], &words).unwrap();
        assert_eq!(described.field, "definition.en");
        assert!(
            described.snippet.contains("Gaussian noise"),
            "{}",
            described.snippet
        );
    }

    #[test]
    fn every_word_must_match() {
        assert_eq!(ids(&index(), "gaussian step"), vec!["diffusion-model"]);
    }

    #[test]
    fn latin_matches_at_word_start_only() {
        let index = index();
        assert!(ids(&index, "gan").is_empty());
        assert_eq!(ids(&index, "org"), vec!["organ"]);
        assert_eq!(
            ids(&index, "NOIS"),
            vec!["gaussian-noise", "diffusion-model"]
        );
    }

    #[test]
    fn chinese_matches_inside_text() {
        let index = index();
        assert_eq!(
            ids(&index, "噪声"),
            vec!["gaussian-noise", "diffusion-model"]
        );
        assert_eq!(
            ids(&index, "高斯噪声"),
            vec!["gaussian-noise", "diffusion-model"]
        );
        assert_eq!(ids(&index, "噪"), vec!["gaussian-noise", "diffusion-model"]);
        assert_eq!(ids(&index, "除高斯"), vec!["diffusion-model"]);
        assert!(ids(&index, "斯高").is_empty());
        assert_eq!(
            ids(&index, "高斯噪聲"),
            vec!["gaussian-noise", "diffusion-model"],
            "traditional"
        );
        // gan's name holds the run only once folded; it is its best field all the same,
        // so gan ranks above the definition that comes first in the glossary.
        assert_eq!(ids(&index, "生成对抗网络"), vec!["gan", "discriminator"]);
        assert_eq!(ids(&index, "生成對抗網絡"), vec!["gan", "discriminator"]);
    }

    #[test]
    fn fields_come_best_first() {
        let term = Term {
            abbr: vec!["A".into()],
            aliases: vec!["B".into()],
            ..Term::default()
        };
        let weights: Vec<FieldWeight> = search_fields(&term).iter().map(|f| f.1).collect();
        assert!(
            weights.windows(2).all(|pair| pair[0] >= pair[1]),
            "{weights:?}"
        );
    }

    #[test]
    fn simplified_characters_and_plain_letters_fold_to_themselves() {
        for c in ['a', '7', '扩', '网'] {
            assert!(folds_to_itself(c), "{c}");
        }
        for c in ['A', '擴', '網', 'é', 'Ａ', '\u{f900}'] {
            assert!(!folds_to_itself(c), "{c}");
        }
    }

    proptest::proptest! {
        /// Folding ASCII runs in one go gives the text and offsets that folding each
        /// character does.
        #[test]
        fn text_folds_as_its_characters_do(
            original in "[a-zA-Z0-9 .,\\-]{0,12}([ÉéÅ·—“”ﬁ①Ａａ扩散模型]{1,3}[a-zA-Z .]{0,12}){0,4}"
        ) {
            let mut text = String::new();
            let mut origin = Vec::new();
            for (at, c) in original.char_indices() {
                push_folded(c, &mut text);
                origin.resize(text.len(), at);
            }
            let folded = Folded::new(&original);
            proptest::prop_assert_eq!(&folded.text, &text);
            if !original.is_ascii() {
                proptest::prop_assert_eq!(&folded.origin, &origin);
            }
        }
    }

    #[test]
    fn ascii_windows_equal_grapheme_windows() {
        let long =
            "A generative model made of two networks trained as opponents: a generator ".repeat(3);
        let texts = [
            long.as_str(),
            "short",
            "",
            "ends in e\u{301} accent and more ascii text after it, long enough to matter here",
            "cr\r\nlf pairs and then a lot more ascii words to fill the snippet window up",
            "混合 Chinese 和 English text, with a 扩散 model in the middle of it all, and more",
        ];
        for text in texts {
            for at in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
                if let Some(window) = ascii_window(text, at) {
                    assert_eq!(window, grapheme_window(text, at), "{text:?} at {at}");
                }
            }
        }
        assert!(ascii_window(&long, 100).is_some(), "the fast path is taken");
    }

    #[test]
    fn snippets_cut_long_text_with_ellipses() {
        let text = format!("{}needle{}", "a ".repeat(40), "b ".repeat(60));
        let snippet = make_snippet(&text, text.find("needle").unwrap());
        assert!(snippet.starts_with('…') && snippet.ends_with('…'));
        assert!(snippet.contains("needle"));
    }
}
