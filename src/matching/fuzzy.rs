//! The fuzzy matching rules. Each compares a prepared query with one key of a term and
//! returns a score in [0, 1] with a short account of how it was made; ranking (`rank.rs`)
//! keeps each term's best. All rules are pure and bounded in cost.
//!
//! Score bands (an exact match is 1.0, and only an exact match is):
//! - typo        0.50 + 0.45 × similarity, similarity = 1 − edits / longer length (≥ 0.8375)
//! - prefix      0.60 + 0.35 × coverage,   coverage = query length / key length
//! - word prefix 0.58 + 0.35 × coverage
//! - acronym     0.85 for a term's initials (0.72 for two letters), 0.70 for the same
//!   letters in another order
//! - partial     0.55 + 0.30 × coverage (a Chinese query inside a Chinese name)
//! - mixed       0.70 + 0.25 × coverage (`stable 扩散`: Latin words of one name, Han words
//!   of a Chinese name of the same term), 0.05 less when a Han word is only in the name
//!   of a broader term (`LoRA 微调`)
//! - pinyin      0.80 for the full pinyin of a Chinese name, 0.60 + 0.20 × coverage for a
//!   prefix of it, 0.50 + 0.30 × similarity for a typo in it (one edit from 6 letters, two
//!   from 16)
//! - initials    0.78 for the pinyin initials of a Chinese name (`scdkwl`)
//!
//! Every pinyin score is at most 0.80 and every typo score at least 0.8375, and at equal
//! scores names rank before pinyin keys: a pinyin reading never displaces an English typo
//! correction from first place.
//!
//! Lengths count user-perceived characters (graphemes) of normalised text.

use serde::Serialize;

use super::chinese::{has_traditional, without_tone_numbers};
use super::keys::{Key, KeyKind, MAX_TYPO_KEY};
use super::normalize::{grapheme_count, graphemes, has_han, normalize_key, normalize_words};

/// Queries longer than this (in characters) skip edit-distance work: nobody misspells a
/// 50-letter name, and the cost of the distance table grows with the square of the length.
pub const MAX_TYPO_QUERY: usize = 48;
/// Prefix rules need this many characters (Latin) before a prefix says anything.
const MIN_PREFIX_LATIN: usize = 3;
/// A Chinese prefix or partial name needs this many characters (扩散).
const MIN_PREFIX_HAN: usize = 2;
/// Pinyin initials shorter than this name too many things (`ml`, `sd`).
const MIN_PINYIN_INITIALS: usize = 3;

/// Chinese head nouns that a mixed query may add to a name without naming anything more
/// (`CLIP 模型`, `GPT 系列`, `Transformer 架构`).
const GENERIC_HAN_WORDS: &[&str] = &[
    "模型",
    "算法",
    "技术",
    "方法",
    "网络",
    "架构",
    "框架",
    "系统",
    "工具",
    "机制",
    "平台",
    "系列",
    "大模型",
    "模型系列",
];

/// Which rule matched; the names are the `match.kind` values of `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    Exact,
    /// Exact once traditional characters are read as simplified (`擴散模型`).
    Traditional,
    Prefix,
    WordPrefix,
    Acronym,
    Typo,
    Partial,
    Mixed,
    Pinyin,
    Initials,
}

impl MatchKind {
    pub fn name(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Traditional => "traditional",
            MatchKind::Prefix => "prefix",
            MatchKind::WordPrefix => "word-prefix",
            MatchKind::Acronym => "acronym",
            MatchKind::Typo => "typo",
            MatchKind::Partial => "partial",
            MatchKind::Mixed => "mixed",
            MatchKind::Pinyin => "pinyin",
            MatchKind::Initials => "initials",
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
    /// The query as plain pinyin letters when it could be pinyin (`kuò sàn`, `kuo4san4`
    /// → `kuosan`); compared with pinyin keys only.
    pub pinyin: Option<String>,
    pub words: Vec<String>,
    pub length: usize,
    pub is_chinese: bool,
    /// Only ASCII letters and digits: could be an acronym.
    pub is_acronym_like: bool,
    /// Written with traditional characters that normalisation simplified.
    pub has_traditional: bool,
}

impl Query {
    pub fn new(text: &str) -> Query {
        let normalized = normalize_key(text);
        let is_acronym_like =
            !normalized.is_empty() && normalized.bytes().all(|b| b.is_ascii_alphanumeric());
        let pinyin = if is_acronym_like {
            without_tone_numbers(&normalized).or_else(|| {
                normalized
                    .bytes()
                    .all(|b| b.is_ascii_lowercase())
                    .then(|| normalized.clone())
            })
        } else {
            None
        };
        Query {
            text: text.to_string(),
            words: normalize_words(text),
            length: grapheme_count(&normalized),
            is_chinese: has_han(&normalized),
            is_acronym_like,
            has_traditional: has_traditional(text),
            pinyin,
            normalized,
        }
    }

    /// What the query is compared with for a key of this kind: pinyin keys see the pinyin
    /// form, names the normalised query.
    fn form_for(&self, kind: KeyKind) -> Option<&str> {
        if kind == KeyKind::Pinyin {
            self.pinyin.as_deref()
        } else {
            Some(&self.normalized)
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

/// When query and name have the same number of words, each word must be a typo of its
/// own (short words exactly right): `gan search` is not a misspelling of *AI Search*, even
/// though `gansearch` is two edits from `aisearch`. Otherwise (`stablediffusion`) the
/// whole strings are compared.
fn words_are_typos(query: &Query, key: &Key) -> bool {
    if query.words.len() < 2 || key.words().count() != query.words.len() {
        return true;
    }
    query.words.iter().zip(key.words()).all(|(typed, name)| {
        let budget = allowed_edits(grapheme_count(typed), query.is_chinese);
        osa_within(typed, name, budget).is_some()
    })
}

/// Misspellings: optimal-string-alignment distance (Damerau with adjacent transpositions),
/// against names and against the pinyin of Chinese names.
pub fn typo(query: &Query, key: &Key) -> Option<Scored> {
    if !(key.kind.is_name() || key.kind == KeyKind::Pinyin) {
        return None;
    }
    let form = query.form_for(key.kind)?;
    let length = if key.kind == KeyKind::Pinyin {
        form.len()
    } else {
        query.length
    };
    let edits = if key.kind == KeyKind::Pinyin {
        pinyin_typo_edits(form, &key.normalized)?
    } else {
        if !words_are_typos(query, key) {
            return None;
        }
        typo_edits(form, length, query.is_chinese, &key.normalized, key.length)?
    };
    let similarity = 1.0 - edits as f64 / length.max(key.length) as f64;
    let (base, slope, kind) = if key.kind == KeyKind::Pinyin {
        (0.50, 0.30, MatchKind::Pinyin)
    } else {
        (0.50, 0.45, MatchKind::Typo)
    };
    Some(Scored {
        score: base + slope * similarity,
        kind,
        why: format!("{base:.2} + {slope:.2} × similarity {similarity:.2} ({edits} edit(s))"),
    })
}

/// The edit distance between a query form and a key when it is within the budget for
/// their lengths; `None` otherwise. Shared by the rule and the candidate filter.
pub fn typo_edits(
    form: &str,
    form_length: usize,
    is_chinese: bool,
    key: &str,
    key_length: usize,
) -> Option<usize> {
    if form_length > MAX_TYPO_QUERY || key_length > MAX_TYPO_KEY {
        return None;
    }
    let budget = allowed_edits(form_length.min(key_length), is_chinese);
    if budget == 0 || form_length.abs_diff(key_length) > budget {
        return None;
    }
    osa_within(form, key, budget).filter(|&edits| edits > 0)
}

/// The optimal-string-alignment distance between `a` and `b` (characters), if it is at
/// most `limit`: strsim's `osa_distance`, computed only within `limit` of the diagonal and
/// abandoned as soon as every cell of a row exceeds the limit, so that checking many far-off
/// candidates costs little.
pub fn osa_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    thread_local! {
        static SCRATCH: std::cell::RefCell<OsaScratch> = std::cell::RefCell::default();
    }
    SCRATCH.with(|scratch| scratch.borrow_mut().distance(a, b, limit))
}

/// Reused buffers for `osa_within`: checking thousands of candidates allocates nothing.
#[derive(Default)]
struct OsaScratch {
    a: Vec<char>,
    b: Vec<char>,
    rows: [Vec<usize>; 3],
}

impl OsaScratch {
    fn distance(&mut self, a: &str, b: &str, limit: usize) -> Option<usize> {
        self.a.clear();
        self.a.extend(a.chars());
        self.b.clear();
        self.b.extend(b.chars());
        let (a, b) = (&self.a, &self.b);
        if a.len().abs_diff(b.len()) > limit {
            return None;
        }
        let far = limit + 1;
        let width = b.len() + 1;
        // Three rows of the table: the one before last, the last, and the current.
        let [before, last, current] = &mut self.rows;
        before.clear();
        before.resize(width, far);
        last.clear();
        last.extend((0..width).map(|j| j.min(far)));
        current.clear();
        current.resize(width, far);
        for i in 1..=a.len() {
            let low = i.saturating_sub(limit).max(1);
            let high = (i + limit).min(b.len());
            current.iter_mut().for_each(|cell| *cell = far);
            current[0] = i.min(far);
            let mut row_best = current[0];
            for j in low..=high {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut cell = (last[j - 1] + cost)
                    .min(last[j] + 1)
                    .min(current[j - 1] + 1);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    cell = cell.min(before[j - 2] + 1);
                }
                current[j] = cell.min(far);
                row_best = row_best.min(current[j]);
            }
            if row_best > limit {
                return None;
            }
            std::mem::swap(before, last);
            std::mem::swap(last, current);
        }
        let distance = last[b.len()];
        (distance <= limit).then_some(distance)
    }
}

/// How many edits a pinyin spelling of `length` letters may carry. Fewer than a name of the
/// same length: pinyin strings are long runs of a few hundred syllables, so two edits
/// reach other words (`dayuyanmoxing` → `yuyanmoxing`).
pub fn allowed_pinyin_edits(length: usize) -> usize {
    match length {
        0..=5 => 0,
        6..=15 => 1,
        _ => 2,
    }
}

/// The edit distance between a pinyin query and a pinyin key within that budget.
pub fn pinyin_typo_edits(form: &str, key: &str) -> Option<usize> {
    let (form_length, key_length) = (form.len(), key.len());
    if form_length > MAX_TYPO_QUERY
        || key_length > MAX_TYPO_KEY
        || !form.is_ascii()
        || !key.is_ascii()
    {
        return None;
    }
    let budget = allowed_pinyin_edits(form_length.min(key_length));
    if budget == 0 || form_length.abs_diff(key_length) > budget {
        return None;
    }
    osa_within(form, key, budget).filter(|&edits| edits > 0)
}

/// The query is the beginning of a name (`stable diff` → Stable Diffusion, `扩散` → 扩散模型)
/// or of the pinyin of a Chinese name (`kuosan` → kuò sàn mó xíng).
pub fn prefix(query: &Query, key: &Key) -> Option<Scored> {
    if !(key.kind.is_name() || key.kind == KeyKind::Pinyin) {
        return None;
    }
    let form = query.form_for(key.kind)?;
    let length = if key.kind == KeyKind::Pinyin {
        form.len()
    } else {
        query.length
    };
    let minimum = if query.is_chinese {
        MIN_PREFIX_HAN
    } else {
        MIN_PREFIX_LATIN
    };
    if length < minimum || length >= key.length || !key.normalized.starts_with(form) {
        return None;
    }
    let coverage = length as f64 / key.length as f64;
    let (base, slope, kind) = if key.kind == KeyKind::Pinyin {
        (0.60, 0.20, MatchKind::Pinyin)
    } else {
        (0.60, 0.35, MatchKind::Prefix)
    };
    Some(Scored {
        score: base + slope * coverage,
        kind,
        why: format!("{base:.2} + {slope:.2} × coverage {coverage:.2}"),
    })
}

/// Each query word begins the name's words in order (`diff mod` → diffusion model).
pub fn word_prefix(query: &Query, key: &Key) -> Option<Scored> {
    if !key.kind.is_name() {
        return None;
    }
    let key_words: Vec<&str> = key.words().collect();
    let coverage = word_prefix_coverage(query, &key_words, key.length)?;
    Some(Scored {
        score: 0.58 + 0.35 * coverage,
        kind: MatchKind::WordPrefix,
        why: format!("0.58 + 0.35 × coverage {coverage:.2}"),
    })
}

/// The coverage a word-prefix match would have, if the query's words begin `key_words`.
/// Shared by the rule and the candidate filter, which has only the key table's words.
pub fn word_prefix_coverage(query: &Query, key_words: &[&str], key_length: usize) -> Option<f64> {
    if query.words.len() < 2
        || query.words.len() > key_words.len()
        || query.length < MIN_PREFIX_LATIN
    {
        return None;
    }
    let all_begin = query
        .words
        .iter()
        .zip(key_words)
        .all(|(typed, word)| word.starts_with(typed.as_str()));
    all_begin.then(|| (query.length as f64 / key_length as f64).min(1.0))
}

/// A Chinese query found inside a Chinese name, compared grapheme by grapheme
/// (`对抗网络` → 生成对抗网络). Prefixes are the prefix rule's.
pub fn partial(query: &Query, key: &Key) -> Option<Scored> {
    if !key.kind.is_name()
        || !query.is_chinese
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
/// Language Model), or the same letters shuffled.
pub fn acronym(query: &Query, key: &Key) -> Option<Scored> {
    if key.kind != KeyKind::Initials || !query.is_acronym_like || !(2..=8).contains(&query.length) {
        return None;
    }
    let initials = key.normalized.as_str();
    if query.normalized == initials {
        // Two letters stand for too many things (`fm`: foundation model, flow matching) to
        // be more than a suggestion.
        let score = if query.length == 2 { 0.72 } else { 0.85 };
        return Some(Scored {
            score,
            kind: MatchKind::Acronym,
            why: format!("initials '{initials}'"),
        });
    }
    if query.length >= 3
        && query.length == initials.len()
        && same_letters(&query.normalized, initials)
    {
        // Reordered letters are a guess (`lmm` is also an acronym of its own): suggested,
        // never shown as the answer.
        return Some(Scored {
            score: 0.70,
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

/// The query is the whole pinyin of a Chinese name (`kuosanmoxing`, `kuò sàn mó xíng`).
pub fn pinyin(query: &Query, key: &Key) -> Option<Scored> {
    if key.kind != KeyKind::Pinyin || query.pinyin.as_deref() != Some(key.normalized.as_str()) {
        return None;
    }
    Some(Scored {
        score: 0.80,
        kind: MatchKind::Pinyin,
        why: format!("pinyin '{}'", key.text),
    })
}

/// The query is the pinyin initials of a Chinese name (`scdkwl` → 生成对抗网络).
pub fn pinyin_initials(query: &Query, key: &Key) -> Option<Scored> {
    if key.kind != KeyKind::PinyinInitials
        || query.length < MIN_PINYIN_INITIALS
        || query.normalized != key.normalized
    {
        return None;
    }
    Some(Scored {
        score: 0.78,
        kind: MatchKind::Initials,
        why: format!("initials of '{}'", key.text),
    })
}

/// A query mixing scripts (`stable 扩散`, `CLIP 模型`, `LoRA 微调`): every Latin word
/// begins a word of one name of the term, and every Han word is inside one of its Chinese
/// names, a Chinese name of a broader term (`broader_names`: LoRA is a kind of 微调), or is
/// a generic head noun. Returns the slot of the Latin name that matched.
pub fn mixed(query: &Query, keys: &[Key], broader_names: &[&str]) -> Option<(usize, Scored)> {
    let (han, latin): (Vec<&String>, Vec<&String>) =
        query.words.iter().partition(|word| has_han(word));
    if han.is_empty() || latin.is_empty() {
        return None;
    }
    let chinese_names: Vec<&Key> = keys
        .iter()
        .filter(|key| key.kind.is_name() && key.is_chinese)
        .collect();
    let own_name = |word: &str| {
        GENERIC_HAN_WORDS.contains(&word)
            || chinese_names
                .iter()
                .any(|key| key.normalized.contains(word))
    };
    let broader_name = |word: &str| broader_names.iter().any(|name| name.contains(word));
    if !han.iter().all(|word| own_name(word) || broader_name(word)) {
        return None;
    }
    // A word found only in a broader term's name (LoRA 微调) says less than the term's own
    // name (stable 扩散 in 稳定扩散): every diffusion model is "扩散" through its parent.
    let through_broader = han.iter().any(|word| !own_name(word));
    let latin_length: usize = latin.iter().map(|word| grapheme_count(word)).sum();
    let (slot, key) = keys
        .iter()
        .enumerate()
        .filter(|(_, key)| key.kind.is_name() && !key.is_chinese)
        .filter(|(_, key)| {
            latin.iter().all(|word| {
                key.words()
                    .any(|name_word| name_word.starts_with(word.as_str()))
            })
        })
        .min_by_key(|(_, key)| (key.length, key.kind == KeyKind::Id))?;
    let coverage = (latin_length as f64 / key.length as f64).min(1.0);
    let (penalty, note) = if through_broader {
        (0.05, " − 0.05 (Chinese word of a broader term)")
    } else {
        (0.0, "")
    };
    Some((
        slot,
        Scored {
            score: 0.70 + 0.25 * coverage - penalty,
            kind: MatchKind::Mixed,
            why: format!("0.70 + 0.25 × coverage {coverage:.2}{note}"),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::Term;
    use crate::matching::keys::term_keys;

    fn key(text: &str) -> Key {
        key_of(KeyKind::English, text)
    }

    fn key_of(kind: KeyKind, text: &str) -> Key {
        let normalized = normalize_key(text);
        let words = normalize_words(text);
        let mut end = 0;
        let word_ends = words
            .iter()
            .map(|word| {
                end += word.len() as u16;
                end
            })
            .collect();
        Key {
            kind,
            text: text.into(),
            word_ends,
            length: grapheme_count(&normalized),
            is_chinese: has_han(&normalized),
            normalized,
        }
    }

    fn score(rule: fn(&Query, &Key) -> Option<Scored>, query: &str, name: &str) -> Option<f64> {
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
    fn typo_of_several_words_is_judged_word_by_word() {
        assert_eq!(
            score(typo, "gan search", "AI Search"),
            None,
            "'gan' is not a typo of 'ai', however close the joined strings are"
        );
        assert!(score(typo, "stabel difusion", "Stable Diffusion").is_some());
        assert!(
            score(typo, "stablediffusoin", "Stable Diffusion").is_some(),
            "one typed word against two is compared as a whole"
        );
    }

    #[test]
    fn bounded_distance_agrees_with_strsim() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "clip",
            "clpi",
            "diffusion",
            "difusion",
            "dfifusion",
            "扩散模型",
            "扩撒模型",
            "transformer",
            "tranformer",
            "abcdef",
            "badcfe",
        ];
        for a in words {
            for b in words {
                let exact = strsim::osa_distance(a, b);
                for limit in 0..5 {
                    let expected = (exact <= limit).then_some(exact);
                    assert_eq!(
                        osa_within(a, b, limit),
                        expected,
                        "{a} / {b} within {limit}"
                    );
                }
            }
        }
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
        let initials = |letters: &str| key_of(KeyKind::Initials, letters);
        assert_eq!(
            acronym(&Query::new("llm"), &initials("llm")).map(|s| s.score),
            Some(0.85)
        );
        assert_eq!(
            acronym(&Query::new("fm"), &initials("fm")).map(|s| s.score),
            Some(0.72)
        );
        assert_eq!(
            acronym(&Query::new("clpi"), &initials("clip")).map(|s| s.score),
            Some(0.70)
        );
        assert_eq!(
            acronym(&Query::new("ab"), &initials("ba")),
            None,
            "two letters reordered is too weak"
        );
        assert_eq!(acronym(&Query::new("生成"), &initials("sc")), None);
        assert_eq!(
            acronym(&Query::new("llm"), &key("llm")),
            None,
            "only initials keys"
        );
    }

    fn diffusion_keys() -> Vec<Key> {
        term_keys(&Term {
            id: "diffusion-model".into(),
            en: "Diffusion Model".into(),
            zh: "扩散模型".into(),
            ..Term::default()
        })
    }

    fn best(query: &str, keys: &[Key]) -> Option<Scored> {
        let query = Query::new(query);
        keys.iter()
            .flat_map(|key| {
                [
                    typo(&query, key),
                    prefix(&query, key),
                    pinyin(&query, key),
                    pinyin_initials(&query, key),
                ]
            })
            .flatten()
            .max_by(|a, b| a.score.total_cmp(&b.score))
    }

    #[test]
    fn pinyin_with_spaces_tones_or_tone_numbers() {
        let keys = diffusion_keys();
        for query in [
            "kuosanmoxing",
            "kuosan moxing",
            "kuò sàn mó xíng",
            "kuo4san4mo2xing2",
        ] {
            let found = best(query, &keys).unwrap_or_else(|| panic!("{query}"));
            assert_eq!(
                (found.kind, found.score),
                (MatchKind::Pinyin, 0.80),
                "{query}"
            );
        }
        let prefix = best("kuosan", &keys).unwrap();
        assert_eq!(prefix.kind, MatchKind::Pinyin);
        assert!((prefix.score - 0.70).abs() < 1e-9);
        assert_eq!(
            best("ksmx", &keys).map(|s| s.kind),
            Some(MatchKind::Initials)
        );
        let misspelt = best("kuosanmoxin", &keys).unwrap();
        assert_eq!(misspelt.kind, MatchKind::Pinyin);
        assert!(misspelt.score < 0.80);
    }

    #[test]
    fn pinyin_never_outscores_a_typo() {
        let highest_pinyin = 0.80;
        let lowest_typo = 0.50 + 0.45 * 0.75;
        assert!(highest_pinyin < lowest_typo);
        assert_eq!(best("GAN", &diffusion_keys()), None);
    }

    #[test]
    fn mixed_scripts_match_one_term() {
        let keys = term_keys(&Term {
            id: "stable-diffusion".into(),
            en: "Stable Diffusion".into(),
            zh: "Stable Diffusion".into(),
            aliases: vec!["稳定扩散".into()],
            ..Term::default()
        });
        let (slot, scored) = mixed(&Query::new("stable 扩散"), &keys, &[]).unwrap();
        assert_eq!(keys[slot].normalized, "stablediffusion");
        assert!((scored.score - (0.70 + 0.25 * 6.0 / 15.0)).abs() < 1e-9);
        assert!(
            mixed(&Query::new("stable 模型"), &keys, &[]).is_some(),
            "a generic head noun"
        );
        assert!(mixed(&Query::new("stable 网站生成"), &keys, &[]).is_none());
        let (_, through_parent) =
            mixed(&Query::new("stable 潜在扩散"), &keys, &["潜在扩散模型"]).unwrap();
        assert!(
            (through_parent.score - (scored.score - 0.05)).abs() < 1e-9,
            "a broader term's name counts, a little less"
        );
        assert!(
            mixed(&Query::new("stable diffusion"), &keys, &[]).is_none(),
            "one script"
        );
    }
}
