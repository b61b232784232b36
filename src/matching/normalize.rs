//! One normalisation for glossary keys and user queries alike, so that `ＧＡＮ`, `gan` and
//! `GAN` meet, `DALL·E 2`, `dall-e 2` and `dalle2` are the same key, `擴散模型` is `扩散模型`
//! and `kuò sàn` is `kuosan`.
//!
//! Also the tokenizer of full-text search, so that the index and the query cut text into
//! words the same way.

use unicode_normalization::char::decompose_canonical;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

use super::chinese::to_simplified;

/// Characters people vary freely inside names; they never distinguish two terms.
pub fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '_' | '.' | '·' | '/' | '・' | '‧' | '•' | '\u{2010}'..='\u{2015}' | '\u{00ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
        )
}

/// NFKC, lower case, Latin accents dropped, traditional characters simplified, separators
/// removed: the form every lookup compares.
///
/// One pass is not always a fixed point (removing a space can put a combining mark next to
/// a letter it then composes with, as in `C¸`), so it repeats until nothing changes; real
/// names settle after one pass.
pub fn normalize_key(text: &str) -> String {
    let mut current = normalize_once(text);
    // Already in NFKC (always so for ASCII): another pass changes nothing.
    if is_nfkc(&current) {
        return current;
    }
    for _ in 0..3 {
        let next = normalize_once(&current);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

fn normalize_once(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out, true);
    out
}

/// The text as NFKC, lower-cased, accent-free, simplified characters; separators kept.
pub fn fold_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out, false);
    out
}

/// Appends `text` folded (NFKC, lower case, no accents, simplified) to `out`, without
/// separators when `drop_separators`. ASCII and already-NFKC text (most names, plain
/// Chinese) skip the NFKC pass, the slow step.
fn fold_into(text: &str, out: &mut String, drop_separators: bool) {
    if text.is_ascii() {
        out.extend(
            text.bytes()
                .filter(|&b| !(drop_separators && is_separator(b as char)))
                .map(|b| b.to_ascii_lowercase() as char),
        );
        return;
    }
    let mut push = |c: char| {
        if drop_separators && is_separator(c) {
            return;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_han(c) {
            out.push(to_simplified(c));
        } else if let Some(base) = pinyin_base(c) {
            out.push(base);
        } else {
            for lower in c.to_lowercase() {
                out.push(to_simplified(without_accent(lower)));
            }
        }
    };
    if is_nfkc(text) {
        text.chars().for_each(&mut push);
    } else {
        text.nfkc().for_each(&mut push);
    }
}

/// True when `text` is already in NFKC. Text of ASCII, CJK unified ideographs and pinyin
/// letters (nearly every name and reading) answers without the quick-check tables, whose
/// lookups were a twentieth of a large glossary's compile.
pub fn is_nfkc(text: &str) -> bool {
    text.chars().all(is_plainly_nfkc) || is_nfkc_quick(text.chars()) == IsNormalized::Yes
}

/// Characters that are NFKC by themselves and never combine with a neighbour (combining
/// class 0), so that any text made of them is NFKC; the test `plain_characters_are_nfkc`
/// checks each against the quick-check tables.
fn is_plainly_nfkc(c: char) -> bool {
    c.is_ascii()
        || matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}')
        || PINYIN_LETTERS.contains(&c)
}

/// The letter a pinyin letter is folded to (`ǎ` → `a`, `ǜ` → `u`), as `without_accent`
/// folds it but without decomposing: every syllable of every reading goes through here.
fn pinyin_base(c: char) -> Option<char> {
    Some(match c {
        'ā' | 'á' | 'ǎ' | 'à' => 'a',
        'ē' | 'é' | 'ě' | 'è' => 'e',
        'ī' | 'í' | 'ǐ' | 'ì' => 'i',
        'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
        'ū' | 'ú' | 'ǔ' | 'ù' | 'ü' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => 'u',
        'ń' | 'ň' | 'ǹ' => 'n',
        'ḿ' => 'm',
        _ => return None,
    })
}

/// The vowels with tone marks (and ü) that pinyin is written with.
const PINYIN_LETTERS: [char; 29] = [
    'ā', 'á', 'ǎ', 'à', 'ē', 'é', 'ě', 'è', 'ī', 'í', 'ǐ', 'ì', 'ō', 'ó', 'ǒ', 'ò', 'ū', 'ú', 'ǔ',
    'ù', 'ü', 'ǖ', 'ǘ', 'ǚ', 'ǜ', 'ń', 'ň', 'ǹ', 'ḿ',
];

/// `é` → `e`, `ǜ` → `u`: a Latin letter with marks becomes its ASCII base letter, so that
/// `Fréchet` meets `frechet` and pinyin with tone marks meets pinyin without. Other
/// characters are left alone.
pub fn without_accent(c: char) -> char {
    if c.is_ascii() || !matches!(c, '\u{c0}'..='\u{24f}' | '\u{1e00}'..='\u{1eff}') {
        return c;
    }
    let mut base = None;
    let mut only_marks_after_base = true;
    decompose_canonical(c, |part| {
        if base.is_none() {
            base = Some(part);
        } else if !('\u{300}'..='\u{36f}').contains(&part) {
            only_marks_after_base = false;
        }
    });
    match base {
        Some(letter) if letter.is_ascii_alphabetic() && only_marks_after_base => letter,
        _ => c,
    }
}

/// The words of a name or query (folded as `normalize_key` folds), split at separators and
/// where Han script meets another, so `stable 扩散` and `GPT模型` are two words each.
pub fn normalize_words(text: &str) -> Vec<String> {
    let folded = fold_text(text);
    let mut words = Vec::new();
    let mut start: Option<(usize, bool)> = None;
    for (at, c) in folded.char_indices() {
        if is_separator(c) {
            if let Some((begin, _)) = start.take() {
                words.push(folded[begin..at].to_string());
            }
            continue;
        }
        let han = is_han(c);
        match start {
            Some((begin, was_han)) if was_han != han => {
                words.push(folded[begin..at].to_string());
                start = Some((at, han));
            }
            Some(_) => {}
            None => start = Some((at, han)),
        }
    }
    if let Some((begin, _)) = start {
        words.push(folded[begin..].to_string());
    }
    words
}

/// A word of text as full-text search sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A run of letters and digits outside Han script; a query word finds it by prefix.
    Latin(String),
    /// A run of Han characters; a query word finds it anywhere inside.
    Han(String),
}

/// Text folded for full-text search: like `fold_text`, but NFKC applied character by
/// character, which is the same for everything but combining sequences and avoids
/// normalising whole definitions (Chinese text always has full-width punctuation, which
/// sends whole-string NFKC down its slow path). The index and queries both fold this way.
pub fn fold_for_search(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    push_folded_text(text, &mut out, None);
    out
}

/// Whether `push_folded` leaves `c` as it is (plain lower-case letters, simplified
/// characters).
pub fn folds_to_itself(c: char) -> bool {
    let mut folded = String::new();
    push_folded(c, &mut folded);
    folded.len() == c.len_utf8() && folded.starts_with(c)
}

/// Appends `text` folded as `push_folded` folds each of its characters to `out`; with
/// `origin`, also where each folded byte came from (the offset in `text` of its character).
/// Runs of ASCII, most of an English definition even with a dash or an accent in it, are
/// lower-cased in one go: a character at a time, folding was most of the snippet work of
/// a search.
pub fn push_folded_text(text: &str, out: &mut String, mut origin: Option<&mut Vec<usize>>) {
    let mut at = 0;
    while at < text.len() {
        let run = text.as_bytes()[at..]
            .iter()
            .position(|byte| !byte.is_ascii())
            .unwrap_or(text.len() - at);
        if run > 0 {
            let start = out.len();
            out.push_str(&text[at..at + run]);
            out[start..].make_ascii_lowercase();
            if let Some(origin) = origin.as_deref_mut() {
                origin.extend(at..at + run);
            }
            at += run;
        }
        if let Some(c) = text[at..].chars().next() {
            push_folded(c, out);
            if let Some(origin) = origin.as_deref_mut() {
                origin.resize(out.len(), at);
            }
            at += c.len_utf8();
        }
    }
}

/// Appends `c` folded (NFKC, lower case, no accent, simplified) to `out`.
pub fn push_folded(c: char, out: &mut String) {
    let mut push_lower = |c: char| {
        for lower in c.to_lowercase() {
            out.push(to_simplified(without_accent(lower)));
        }
    };
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if is_han(c) && !('\u{f900}'..='\u{faff}').contains(&c) {
        out.push(to_simplified(c));
    } else if let Some(ascii) = fullwidth_ascii(c) {
        out.push(ascii.to_ascii_lowercase());
    } else if is_nfkc_quick(std::iter::once(c)) != IsNormalized::No {
        // A character alone is its own NFKC unless it has a compatibility or singleton
        // mapping (quick check "no"): the full-width punctuation of every Chinese
        // definition then skips building a normaliser per character.
        push_lower(c);
    } else {
        std::iter::once(c).nfkc().for_each(push_lower);
    }
}

/// The ASCII character a full-width form (`，`, `Ａ`, `１`) stands for: its NFKC.
fn fullwidth_ascii(c: char) -> Option<char> {
    let code = u32::from(c);
    (0xff01..=0xff5e)
        .contains(&code)
        .then(|| char::from((code - 0xff01 + 0x21) as u8))
}

/// Full-text tokens: folded text cut into runs of letters and digits (Latin) and runs of
/// Han characters. Punctuation and spaces separate tokens and are dropped.
pub fn text_tokens(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut current_is_han = false;
    for c in fold_for_search(text).chars() {
        let han = is_han(c);
        let wordish = han || c.is_alphanumeric();
        if !current.is_empty() && (!wordish || han != current_is_han) {
            tokens.push(finish_token(std::mem::take(&mut current), current_is_han));
        }
        if wordish {
            current_is_han = han;
            current.push(c);
        }
    }
    if !current.is_empty() {
        tokens.push(finish_token(current, current_is_han));
    }
    tokens
}

fn finish_token(text: String, han: bool) -> Token {
    if han {
        Token::Han(text)
    } else {
        Token::Latin(text)
    }
}

/// Han ideographs (CJK unified, extensions and compatibility blocks).
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3134f}')
}

/// True when the text has at least one Han character.
pub fn has_han(text: &str) -> bool {
    text.chars().any(is_han)
}

/// User-perceived characters: what "length" and "partial name" mean for Chinese (and emoji).
pub fn graphemes(text: &str) -> Vec<&str> {
    text.graphemes(true).collect()
}

/// The number of user-perceived characters, without collecting them.
pub fn grapheme_count(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    // ASCII and Han characters are each one grapheme: only other text needs the
    // segmentation rules (combining marks, emoji sequences, Hangul).
    if text.chars().all(|c| c.is_ascii() || is_han(c)) {
        return text.chars().count();
    }
    text.graphemes(true).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_character_folds_as_its_nfkc_does() {
        // `push_folded` before its shortcuts, on every character.
        let reference = |c: char| {
            let mut out = String::new();
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else if is_han(c) && !('\u{f900}'..='\u{faff}').contains(&c) {
                out.push(to_simplified(c));
            } else {
                for compatible in std::iter::once(c).nfkc() {
                    for lower in compatible.to_lowercase() {
                        out.push(to_simplified(without_accent(lower)));
                    }
                }
            }
            out
        };
        let characters = (0..=0x10_ffff_u32).filter_map(char::from_u32);
        for c in characters {
            let mut folded = String::new();
            push_folded(c, &mut folded);
            assert_eq!(folded, reference(c), "{c:?}");
        }
    }

    #[test]
    fn pinyin_letters_fold_as_other_accented_letters() {
        for c in PINYIN_LETTERS {
            assert_eq!(c.to_lowercase().collect::<String>(), c.to_string());
            assert_eq!(
                pinyin_base(c),
                Some(to_simplified(without_accent(c))),
                "{c}"
            );
        }
        let folded: String = (0..=0x10_ffff_u32)
            .filter_map(char::from_u32)
            .filter(|&c| pinyin_base(c).is_some())
            .collect();
        assert_eq!(folded.chars().count(), PINYIN_LETTERS.len());
        assert_eq!(normalize_key("Kuò Sàn Mó Xíng"), "kuosanmoxing");
    }

    #[test]
    fn plain_characters_are_nfkc() {
        use unicode_normalization::char::canonical_combining_class;
        let plain = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .filter(|&c| is_plainly_nfkc(c));
        let mut count = 0;
        for c in plain {
            assert_eq!(is_nfkc_quick(std::iter::once(c)), IsNormalized::Yes, "{c}");
            assert_eq!(canonical_combining_class(c), 0, "{c}");
            count += 1;
        }
        assert_eq!(count, 128 + 0x4dbf - 0x3400 + 1 + 0x9fff - 0x4e00 + 1 + 29);
        assert!(is_nfkc("kuò sàn 扩散 model"));
        assert!(!is_nfkc("ﬁ ligature"));
        assert!(!is_nfkc("e\u{301}"));
    }

    #[test]
    fn full_width_and_case_fold() {
        assert_eq!(normalize_key("ＧＡＮ"), "gan");
        assert_eq!(normalize_key("Gan"), "gan");
    }

    #[test]
    fn separators_are_ignored() {
        for variant in [
            "DALL·E 2",
            "dall-e 2",
            "dalle2",
            "DALL_E/2",
            "DALL.E 2",
            "ＤＡＬＬ－Ｅ　２",
        ] {
            assert_eq!(normalize_key(variant), "dalle2", "{variant}");
        }
    }

    #[test]
    fn chinese_is_kept() {
        assert_eq!(normalize_key("生成 对抗 网络"), "生成对抗网络");
    }

    #[test]
    fn traditional_characters_become_simplified() {
        assert_eq!(normalize_key("生成對抗網絡"), "生成对抗网络");
        assert_eq!(normalize_key("擴散模型"), "扩散模型");
        assert_eq!(normalize_key("預訓練模型"), "预训练模型");
    }

    #[test]
    fn latin_accents_and_tone_marks_are_dropped() {
        assert_eq!(normalize_key("Fréchet"), "frechet");
        assert_eq!(normalize_key("kuò sàn"), "kuosan");
        assert_eq!(normalize_key("lǜ"), "lu");
        assert_eq!(without_accent('ß'), 'ß');
        assert_eq!(without_accent('生'), '生');
    }

    #[test]
    fn normalisation_is_idempotent_on_odd_text() {
        for text in [
            "ﬁ ligature",
            "Ⅻ",
            "ß",
            "İstanbul",
            "🤖 bot",
            "ｶﾀｶﾅ",
            "C¸",
            "乾隆",
        ] {
            let once = normalize_key(text);
            assert_eq!(normalize_key(&once), once, "{text}");
        }
    }

    #[test]
    fn words_split_at_script_changes() {
        assert_eq!(normalize_words("stable 扩散"), vec!["stable", "扩散"]);
        assert_eq!(normalize_words("GPT模型"), vec!["gpt", "模型"]);
        assert_eq!(normalize_words("  Stable-Diff  "), vec!["stable", "diff"]);
        assert!(normalize_words(" - ").is_empty());
    }

    #[test]
    fn tokens_are_latin_runs_and_han_runs() {
        assert_eq!(
            text_tokens("GPT-4 是大型模型 (OpenAI)."),
            vec![
                Token::Latin("gpt".into()),
                Token::Latin("4".into()),
                Token::Han("是大型模型".into()),
                Token::Latin("openai".into()),
            ]
        );
        assert_eq!(
            text_tokens("GPT模型"),
            vec![Token::Latin("gpt".into()), Token::Han("模型".into())]
        );
        assert!(text_tokens(" … ").is_empty());
    }

    #[test]
    fn graphemes_count_what_people_see() {
        assert_eq!(graphemes("扩散").len(), 2);
        assert_eq!(graphemes("👩‍💻a").len(), 2);
        assert_eq!(grapheme_count("👩‍💻a"), 2);
        assert_eq!(grapheme_count("abc"), 3);
    }
}
