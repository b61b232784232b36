//! One normalisation for glossary keys and user queries alike, so that `ＧＡＮ`, `gan` and
//! `GAN` meet, and `DALL·E 2`, `dall-e 2` and `dalle2` are the same key.

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Characters people vary freely inside names; they never distinguish two terms.
pub fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '_' | '.' | '·' | '/' | '・' | '‧' | '•' | '\u{2010}'..='\u{2015}' | '\u{00ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
        )
}

/// NFKC, then lower case, then without separators: the form every lookup compares.
///
/// One pass is not always a fixed point (removing a space can put a combining mark next to
/// a letter it then composes with, as in `C¸`), so it repeats until nothing changes; real
/// names settle after one pass.
pub fn normalize_key(text: &str) -> String {
    let mut current = normalize_once(text);
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
    text.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|&c| !is_separator(c))
        .collect()
}

/// The query's words (NFKC, lower case), split at separators and at changes between Han and
/// other script, so `stable 扩散` and `GPT模型` are two words each.
pub fn normalize_words(text: &str) -> Vec<String> {
    let folded: String = text.nfkc().flat_map(char::to_lowercase).collect();
    let mut words = Vec::new();
    for chunk in folded.split(is_separator).filter(|chunk| !chunk.is_empty()) {
        let mut word = String::new();
        let mut word_is_han = None;
        for c in chunk.chars() {
            let han = is_han(c);
            if word_is_han.is_some_and(|was| was != han) {
                words.push(std::mem::take(&mut word));
            }
            word_is_han = Some(han);
            word.push(c);
        }
        words.push(word);
    }
    words
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn normalisation_is_idempotent_on_odd_text() {
        for text in ["ﬁ ligature", "Ⅻ", "ß", "İstanbul", "🤖 bot", "ｶﾀｶﾅ", "C¸"] {
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
    fn graphemes_count_what_people_see() {
        assert_eq!(graphemes("扩散").len(), 2);
        assert_eq!(graphemes("👩‍💻a").len(), 2);
    }
}
