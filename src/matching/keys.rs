//! Every way a term can be found, computed once per term when an index is built: its names
//! (id, English, Chinese, acronyms, aliases), the initials of its English name, and the
//! pinyin of its Chinese names. Matching rules compare queries with these keys only.

use serde::{Deserialize, Serialize};

use super::chinese::spell;
use super::normalize::{
    fold_text, grapheme_count, has_han, is_han, is_nfkc, is_separator, normalize_key,
    normalize_words,
};
use crate::glossary::Term;

/// Which field of the term a key comes from. The order is the ranking's tie-break: names
/// before derived keys, so that a pinyin spelling never beats a name at equal score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyKind {
    Id,
    Abbr,
    English,
    Chinese,
    Alias,
    /// Initials of the English name (`Contrastive Language-Image Pre-training` → `clipt`).
    Initials,
    /// Full pinyin of a Chinese name (`kuò sàn mó xíng`).
    Pinyin,
    /// First letters of that pinyin (`ksmx`).
    PinyinInitials,
}

impl KeyKind {
    /// Names are what exact lookup compares; the other kinds only feed fuzzy rules.
    pub fn is_name(self) -> bool {
        matches!(
            self,
            KeyKind::Id | KeyKind::Abbr | KeyKind::English | KeyKind::Chinese | KeyKind::Alias
        )
    }

    pub fn is_pinyin(self) -> bool {
        matches!(self, KeyKind::Pinyin | KeyKind::PinyinInitials)
    }
}

/// One way of naming a term, prepared for every matching rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub kind: KeyKind,
    /// As shown in notes and `--json` `match.key`: the name as written, the English name
    /// for initials, the pinyin with tone marks for pinyin keys.
    pub text: String,
    pub normalized: String,
    /// Where each word of `normalized` ends (byte offsets), for word-prefix matching
    /// (`stable diff`): boundaries, not copies, keep records small and quick to decode.
    pub word_ends: Vec<u16>,
    /// Length in user-perceived characters of `normalized`.
    pub length: usize,
    pub is_chinese: bool,
}

impl Key {
    fn new(kind: KeyKind, text: String, normalized: String, word_ends: Vec<u16>) -> Key {
        Key {
            kind,
            word_ends,
            length: grapheme_count(&normalized),
            is_chinese: has_han(&normalized),
            normalized,
            text,
        }
    }

    /// The normalised words of the key.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        let mut start = 0;
        self.word_ends.iter().filter_map(move |&end| {
            let word = self.normalized.get(start..end as usize)?;
            start = end as usize;
            Some(word)
        })
    }
}

/// The end of each word within `normalized`, when the words make it up exactly (they do
/// but for text whose folding needed a second pass: then the words are its runs of one
/// script). Keys longer than 64 KiB are one word.
fn word_ends(normalized: &str, words: &[String]) -> Vec<u16> {
    if normalized.len() > u16::MAX as usize {
        return vec![];
    }
    let mut ends = Vec::with_capacity(words.len());
    let mut end = 0;
    for word in words {
        end += word.len();
        ends.push(end as u16);
    }
    let mut rest = Some(normalized);
    for word in words {
        rest = rest.and_then(|rest| rest.strip_prefix(word.as_str()));
    }
    if end == normalized.len() && rest == Some("") {
        return ends;
    }
    let mut ends = Vec::new();
    let mut previous: Option<bool> = None;
    for (at, c) in normalized.char_indices() {
        let han = is_han(c);
        if previous.is_some_and(|was| was != han) {
            ends.push(at as u16);
        }
        previous = Some(han);
    }
    if !normalized.is_empty() {
        ends.push(normalized.len() as u16);
    }
    ends
}

/// A name's normalised form and the end of each of its words (see `word_ends`), in one
/// folding pass: the words of `normalize_words` are found and joined as the text is
/// folded, without a string for each of them (names are most of a large glossary's
/// keys). ASCII names, most of them, are folded byte by byte; only the rare text whose
/// folding needs a second pass takes the long way.
fn fold_name(text: &str) -> (String, Vec<u16>) {
    if text.is_ascii() {
        // Folding ASCII is lower-casing, and the result is NFKC.
        let folded = text.bytes().map(|b| char::from(b.to_ascii_lowercase()));
        return join_words(folded, text.len());
    }
    let folded = fold_text(text);
    let (joined, ends) = join_words(folded.chars(), folded.len());
    if !is_nfkc(&joined) {
        let normalized = normalize_key(text);
        let ends = word_ends(&normalized, &normalize_words(text));
        return (normalized, ends);
    }
    (joined, ends)
}

/// Folded characters joined without their separators, with the end of each word: words
/// are cut at separators and where Han script meets another, as `normalize_words` cuts.
/// `bytes` is the folded text's length.
fn join_words(folded: impl Iterator<Item = char>, bytes: usize) -> (String, Vec<u16>) {
    let mut joined = String::with_capacity(bytes);
    let mut ends = Vec::new();
    // Whether the word being read is Han.
    let mut word: Option<bool> = None;
    for c in folded {
        if is_separator(c) {
            if word.take().is_some() {
                ends.push(joined.len() as u16);
            }
            continue;
        }
        let han = is_han(c);
        if word.is_some_and(|was_han| was_han != han) {
            ends.push(joined.len() as u16);
        }
        word = Some(han);
        joined.push(c);
    }
    if word.is_some() {
        ends.push(joined.len() as u16);
    }
    if joined.len() > u16::MAX as usize {
        ends.clear();
    }
    (joined, ends)
}

/// `word_ends` of a key that is one word.
fn one_word_ends(word: &str) -> Vec<u16> {
    if word.len() > u16::MAX as usize {
        Vec::new()
    } else {
        vec![word.len() as u16]
    }
}

/// Keys longer than this (in characters) are never compared by edit distance: the cost of
/// the distance table grows with the square of the length, and nobody misspells a
/// hundred-letter name.
pub const MAX_TYPO_KEY: usize = 96;

/// Words that acronyms usually skip (`Mixture of Experts` is MoE or ME).
const SMALL_WORDS: &[&str] = &[
    "of", "the", "and", "for", "to", "in", "on", "a", "an", "with", "by",
];

/// The keys of a term, names first (English, Chinese, acronyms, aliases, id); a normalised
/// form is kept once per term and kind family (abbr `GAN` and id `gan` are one key).
pub fn term_keys(term: &Term) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::new();
    let push = |keys: &mut Vec<Key>, kind: KeyKind, text: &str, folded: (String, Vec<u16>)| {
        let (normalized, word_ends) = folded;
        let duplicate = keys.iter().any(|key| {
            key.normalized == normalized
                && key.kind.is_name() == kind.is_name()
                && key.kind.is_pinyin() == kind.is_pinyin()
        });
        if !normalized.is_empty() && !duplicate {
            keys.push(Key::new(kind, text.to_string(), normalized, word_ends));
        }
    };
    // The id last: where it only repeats a name (`gan`, `stable-diffusion`), the name as
    // people write it is the key kept and shown.
    let names = [(KeyKind::English, &term.en), (KeyKind::Chinese, &term.zh)]
        .into_iter()
        .chain(term.abbr.iter().map(|name| (KeyKind::Abbr, name)))
        .chain(term.aliases.iter().map(|name| (KeyKind::Alias, name)))
        .chain(std::iter::once((KeyKind::Id, &term.id)));
    let names: Vec<(KeyKind, &String)> = names.collect();
    for &(kind, name) in &names {
        push(&mut keys, kind, name, fold_name(name));
    }
    let fallback_words;
    let english_words: Vec<&str> = match keys.iter().find(|key| key.kind == KeyKind::English) {
        Some(key) => key.words().collect(),
        None => {
            fallback_words = normalize_words(&term.en);
            fallback_words.iter().map(String::as_str).collect()
        }
    };
    let initials: Vec<String> = [false, true]
        .into_iter()
        .map(|skip_small_words| initials_of(&english_words, skip_small_words))
        .collect();
    for letters in initials {
        if letters.len() >= 2 {
            let ends = one_word_ends(&letters);
            push(&mut keys, KeyKind::Initials, &term.en, (letters, ends));
        }
    }
    for &(kind, name) in &names {
        let explicit = (kind == KeyKind::Chinese)
            .then_some(term.pinyin.as_deref())
            .flatten();
        let Some(spelling) = spell(name, explicit) else {
            continue;
        };
        let text = spelling.text();
        push(&mut keys, KeyKind::Pinyin, &text, fold_name(&text));
        if let Some(initials) = spelling.initials() {
            let ends = one_word_ends(&initials);
            push(&mut keys, KeyKind::PinyinInitials, &text, (initials, ends));
        }
    }
    keys
}

/// First letters of the words of an English name, optionally skipping small words.
pub fn english_initials(name: &str, skip_small_words: bool) -> String {
    let words = normalize_words(name);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    initials_of(&words, skip_small_words)
}

fn initials_of(words: &[&str], skip_small_words: bool) -> String {
    words
        .iter()
        .filter(|word| !(skip_small_words && SMALL_WORDS.contains(word)))
        .filter_map(|word| word.chars().next())
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(id: &str, en: &str, zh: &str, abbr: &[&str], aliases: &[&str]) -> Term {
        Term {
            id: id.into(),
            en: en.into(),
            zh: zh.into(),
            abbr: abbr.iter().map(|s| s.to_string()).collect(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            ..Term::default()
        }
    }

    fn normalized(keys: &[Key], kind: KeyKind) -> Vec<&str> {
        keys.iter()
            .filter(|key| key.kind == kind)
            .map(|key| key.normalized.as_str())
            .collect()
    }

    #[test]
    fn names_are_normalised_and_kept_once() {
        let keys = term_keys(&term(
            "gan",
            "Generative Adversarial Network",
            "生成对抗网络",
            &["GAN"],
            &["GANs"],
        ));
        let names: Vec<&str> = keys
            .iter()
            .filter(|key| key.kind.is_name())
            .map(|key| key.normalized.as_str())
            .collect();
        assert_eq!(
            names,
            vec![
                "generativeadversarialnetwork",
                "生成对抗网络",
                "gan",
                "gans"
            ]
        );
        let gan = keys.iter().find(|key| key.normalized == "gan").unwrap();
        assert_eq!(
            (gan.kind, gan.text.as_str()),
            (KeyKind::Abbr, "GAN"),
            "the written name is kept, not the id"
        );
        assert_eq!(normalized(&keys, KeyKind::Initials), vec!["gan"]);
        assert_eq!(
            normalized(&keys, KeyKind::Pinyin),
            vec!["shengchengduikangwangluo"]
        );
        assert_eq!(normalized(&keys, KeyKind::PinyinInitials), vec!["scdkwl"]);
    }

    #[test]
    fn pinyin_of_every_chinese_name() {
        let keys = term_keys(&term(
            "diffusion-model",
            "Diffusion Model",
            "扩散模型",
            &[],
            &["扩散", "Diffusion"],
        ));
        assert_eq!(
            normalized(&keys, KeyKind::Pinyin),
            vec!["kuosanmoxing", "kuosan"]
        );
        let pinyin = keys.iter().find(|key| key.kind == KeyKind::Pinyin).unwrap();
        assert_eq!(pinyin.text, "kuò sàn mó xíng");
        assert_eq!(pinyin.length, 12);
        assert_eq!(
            pinyin.words().collect::<Vec<_>>(),
            vec!["kuo", "san", "mo", "xing"]
        );
    }

    #[test]
    fn the_pinyin_field_overrides_the_dictionary() {
        let mut long = term("long", "Long Text", "长文", &[], &[]);
        long.pinyin = Some("chang wen".into());
        let keys = term_keys(&long);
        assert_eq!(normalized(&keys, KeyKind::Pinyin), vec!["changwen"]);
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

    /// How names were folded before `fold_name` found the words as it folded: each word a
    /// string of its own, then joined.
    fn fold_name_by_words(text: &str) -> (String, Vec<u16>) {
        let words = normalize_words(text);
        let joined = words.concat();
        let normalized = if is_nfkc(&joined) {
            joined
        } else {
            normalize_key(text)
        };
        let ends = word_ends(&normalized, &words);
        (normalized, ends)
    }

    #[test]
    fn names_fold_as_their_words_do() {
        let long = "ab ".repeat(30_000);
        let samples = [
            "",
            "  ",
            "Generative Adversarial Network",
            "stable-diffusion_v1.5",
            "GPT模型 扩散",
            "稳定扩散·模型",
            "擴散模型",
            "ＧＰＴ－４",
            "Cafe\u{301} au lait",
            "\u{301}a",
            // A separator between a letter and its accent: the joined words are not NFKC.
            "c_\u{301} x",
            "ﬁne-tuning ①",
            "한국어 모델",
            "\u{1100}\u{1161} 모델",
            "x\u{200b}y\u{feff}",
            long.as_str(),
        ];
        for text in samples {
            assert_eq!(fold_name(text), fold_name_by_words(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_name_folds_as_its_words_do(
            text in "[a-zA-Z0-9 \\-_./·・\u{3000}Ａ-Ｚａ-ｚ扩散模型網絡éÉ\u{301}\u{308}\u{2010}-\u{2015}ﬁ①㎏가-힣\u{200b}]{0,24}"
        ) {
            proptest::prop_assert_eq!(fold_name(&text), fold_name_by_words(&text));
        }

        #[test]
        fn any_ascii_name_folds_as_its_words_do(text in "[ -~\t\n\r\x0b\x0c]{0,40}") {
            proptest::prop_assert_eq!(fold_name(&text), fold_name_by_words(&text));
        }
    }
}
