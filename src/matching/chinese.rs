//! Chinese the way readers type it: traditional characters folded to simplified, Chinese
//! names spelled in pinyin (full and initials) for the index, and pinyin queries with tone
//! marks or tone numbers reduced to plain letters.
//!
//! The traditional → simplified table comes from the `fast2s` crate, the pinyin syllables
//! and each character's readings from the `pinyin` crate, all turned into static tables at
//! build time (`crate::generated`): nothing is initialised at run time, and the binary does
//! not link the `pinyin` crate, whose tables of `&str`s would cost about 10,000 relocations
//! at every start. A character's reading is the dictionary's most common one, corrected by
//! `POLYPHONIC_WORDS` for words of this field where it is wrong, and by a term's own
//! `pinyin` field.

use super::normalize::{is_han, is_separator, without_accent};

/// The simplified form of a character; characters without one are returned unchanged.
pub fn to_simplified(c: char) -> char {
    if !is_han(c) || !may_be_traditional(c) {
        return c;
    }
    let table = crate::generated::t2s_table();
    match table.binary_search_by_key(&c, |&(traditional, _)| traditional) {
        Ok(at) => table[at].1,
        Err(_) => c,
    }
}

/// False for the characters of the main CJK blocks (U+3400–U+9FFF) that the table does
/// not list, one bit each: most characters of Chinese text, which are then not searched
/// for (folding a large glossary's definitions searched for every one of them).
fn may_be_traditional(c: char) -> bool {
    const FIRST: u32 = 0x3400;
    const LAST: u32 = 0x9fff;
    static LISTED: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let code = u32::from(c);
    if !(FIRST..=LAST).contains(&code) {
        return true;
    }
    let listed = LISTED.get_or_init(|| {
        let mut bits = vec![0u64; ((LAST - FIRST) / 64 + 1) as usize];
        for &(traditional, _) in crate::generated::t2s_table() {
            let code = u32::from(traditional);
            if (FIRST..=LAST).contains(&code) {
                let at = code - FIRST;
                bits[(at / 64) as usize] |= 1 << (at % 64);
            }
        }
        bits
    });
    let at = code - FIRST;
    listed[(at / 64) as usize] >> (at % 64) & 1 == 1
}

/// True when the text has a traditional character that has a different simplified form.
pub fn has_traditional(text: &str) -> bool {
    text.chars().any(|c| to_simplified(c) != c)
}

/// Words of this field whose characters are not read with their most common reading
/// (`调` is diào alone but tiáo in 微调). Longest words first wins where they overlap.
const POLYPHONIC_WORDS: &[(&str, &[&str])] = &[
    ("长短期", &["cháng", "duǎn", "qī"]),
    ("长上下文", &["cháng", "shàng", "xià", "wén"]),
    ("长文本", &["cháng", "wén", "běn"]),
    ("长序列", &["cháng", "xù", "liè"]),
    ("长短时", &["cháng", "duǎn", "shí"]),
    ("长度", &["cháng", "dù"]),
    ("重参数", &["chóng", "cān", "shù"]),
    ("重排", &["chóng", "pái"]),
    ("重绘", &["chóng", "huì"]),
    ("重建", &["chóng", "jiàn"]),
    ("重复", &["chóng", "fù"]),
    ("微调", &["wēi", "tiáo"]),
    ("精调", &["jīng", "tiáo"]),
    ("调优", &["tiáo", "yōu"]),
    ("调参", &["tiáo", "cān"]),
    ("调节", &["tiáo", "jié"]),
    ("协调", &["xié", "tiáo"]),
    ("还原", &["huán", "yuán"]),
    ("着色", &["zhuó", "sè"]),
    ("行业", &["háng", "yè"]),
    ("差分", &["chā", "fēn"]),
    ("残差", &["cán", "chā"]),
    ("似然", &["sì", "rán"]),
    ("概似", &["gài", "sì"]),
    ("子词", &["zǐ", "cí"]),
    ("作曲", &["zuò", "qǔ"]),
    ("干扰", &["gān", "rǎo"]),
    ("几率", &["jī", "lǜ"]),
    ("误差", &["wù", "chā"]),
    ("偏差", &["piān", "chā"]),
    ("方差", &["fāng", "chā"]),
    ("音乐", &["yīn", "yuè"]),
    ("曲线", &["qū", "xiàn"]),
    ("扭曲", &["niǔ", "qū"]),
    ("单样本", &["dān", "yàng", "běn"]),
    ("数据", &["shù", "jù"]),
    ("参数", &["cān", "shù"]),
    ("模型", &["mó", "xíng"]),
    ("模态", &["mó", "tài"]),
    ("上传", &["shàng", "chuán"]),
    ("传输", &["chuán", "shū"]),
    ("宕机", &["dàng", "jī"]),
    ("奖励", &["jiǎng", "lì"]),
    ("强化", &["qiáng", "huà"]),
    ("处理", &["chǔ", "lǐ"]),
    ("处理器", &["chǔ", "lǐ", "qì"]),
    ("率", &["lǜ"]),
];

/// The characters `POLYPHONIC_WORDS` starts with: a name without any needs no word search.
const POLYPHONIC_CHARACTERS: &[char] = &[
    '长', '重', '微', '精', '调', '协', '还', '着', '行', '差', '残', '似', '概', '子', '作', '干',
    '几', '误', '偏', '方', '音', '曲', '扭', '单', '数', '参', '模', '上', '传', '宕', '奖', '强',
    '处', '率',
];

/// `POLYPHONIC_WORDS` as characters, longest first, made once.
fn longest_first() -> &'static [(Vec<char>, &'static [&'static str])] {
    static WORDS: std::sync::OnceLock<Vec<(Vec<char>, &'static [&'static str])>> =
        std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: Vec<(Vec<char>, &'static [&'static str])> = POLYPHONIC_WORDS
            .iter()
            .map(|&(word, syllables)| (word.chars().collect(), syllables))
            .collect();
        words.sort_by_key(|(word, _)| std::cmp::Reverse(word.len()));
        words
    })
}

/// A Chinese name spelled in pinyin: one part per Han character (with tone marks) and one
/// per run of other letters, as written (`扩散 Transformer` → kuò sàn transformer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spelling {
    pub parts: Vec<String>,
    /// How many of `parts` are Han syllables.
    pub syllables: usize,
}

impl Spelling {
    /// Syllables and words with spaces between, as people read it: `kuò sàn mó xíng`.
    pub fn text(&self) -> String {
        self.parts.join(" ")
    }

    /// First letters (`scdkwl` for 生成对抗网络); only meaningful for three or more letters
    /// from at least two Han characters, shorter initials name too many things.
    pub fn initials(&self) -> Option<String> {
        if self.syllables < 2 || self.parts.len() < 3 {
            return None;
        }
        let letters: String = self
            .parts
            .iter()
            .filter_map(|part| part.chars().next())
            .map(|first| without_accent(first).to_ascii_lowercase())
            .collect();
        letters
            .chars()
            .all(|c| c.is_ascii_alphanumeric())
            .then_some(letters)
    }
}

/// The pinyin of a name with at least one Han character; `explicit` is a term's `pinyin`
/// field (the syllables of its Han characters in order), which wins over the dictionary.
pub fn spell(name: &str, explicit: Option<&str>) -> Option<Spelling> {
    let simplified: Vec<char> = name.chars().map(to_simplified).collect();
    if !simplified.iter().any(|&c| is_han(c)) {
        return None;
    }
    let mut given = explicit.map(|text| explicit_syllables(text).into_iter());
    let readings = dictionary_readings(&simplified);
    let mut parts = Vec::new();
    let mut syllables = 0;
    let mut word = String::new();
    for (&c, reading) in simplified.iter().zip(readings) {
        if is_han(c) {
            if !word.is_empty() {
                parts.push(std::mem::take(&mut word));
            }
            let syllable = given
                .as_mut()
                .and_then(Iterator::next)
                .or(reading)
                .unwrap_or_else(|| c.to_string());
            parts.push(syllable);
            syllables += 1;
        } else if is_separator(c) || !c.is_alphanumeric() {
            if !word.is_empty() {
                parts.push(std::mem::take(&mut word));
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        parts.push(word);
    }
    Some(Spelling { parts, syllables })
}

/// The reading of each character: from `POLYPHONIC_WORDS` where a listed word covers it,
/// else the dictionary's most common reading; `None` for characters without pinyin.
fn dictionary_readings(chars: &[char]) -> Vec<Option<String>> {
    let mut readings: Vec<Option<String>> = chars
        .iter()
        .map(|&c| common_reading(c).map(str::to_string))
        .collect();
    if !chars.iter().any(|c| POLYPHONIC_CHARACTERS.contains(c)) {
        return readings;
    }
    let mut fixed = vec![false; chars.len()];
    for (word, syllables) in longest_first() {
        let mut at = 0;
        while at + word.len() <= chars.len() {
            // The first character alone rules out nearly every place, without a slice
            // comparison (a call to memcmp) for each.
            if chars.get(at) == word.first()
                && chars[at..at + word.len()] == word[..]
                && !fixed[at..at + word.len()].contains(&true)
            {
                for (offset, syllable) in syllables.iter().enumerate() {
                    readings[at + offset] = Some((*syllable).to_string());
                    fixed[at + offset] = true;
                }
                at += word.len();
            } else {
                at += 1;
            }
        }
    }
    readings
}

/// The syllables of a `pinyin` field: split at spaces, apostrophes and separators, tone
/// numbers kept as written (they are folded away when compared).
pub fn explicit_syllables(text: &str) -> Vec<String> {
    text.split(|c: char| is_separator(c) || c == '\'' || c == '’')
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

/// A syllable as compared: no tone marks, no tone number, lower case (`Xíng2` → `xing`).
pub fn plain_syllable(syllable: &str) -> String {
    syllable
        .chars()
        .map(|c| without_accent(c).to_ascii_lowercase())
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| if c == 'v' { 'u' } else { c })
        .collect()
}

/// The readings the dictionary knows for a character, plain (for checking `pinyin` fields).
pub fn readings_of(c: char) -> Vec<String> {
    crate::generated::reading_entry(c)
        .into_iter()
        .flat_map(|entry| entry.split(' ').skip(1))
        .map(str::to_string)
        .collect()
}

/// A character's most common reading, with tone marks (`生` → `shēng`).
fn common_reading(c: char) -> Option<&'static str> {
    crate::generated::reading_entry(c)?.split(' ').next()
}

/// True for a toneless pinyin syllable (`kuo`, `san`; `lu` and `lv` both for lǜ).
pub fn is_syllable(text: &str) -> bool {
    crate::generated::is_syllable(text)
}

/// A normalised query written as pinyin with tone numbers (`kuo4san4`, `sheng1cheng2`)
/// without its numbers; `None` when the digits are not tone numbers (`gpt4`, `sd3`): every
/// number must follow exactly one syllable.
pub fn without_tone_numbers(normalized: &str) -> Option<String> {
    if !normalized.bytes().any(|b| b.is_ascii_digit())
        || !normalized
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return None;
    }
    let mut letters = String::new();
    let mut run = String::new();
    let mut runs_with_tone = 0;
    for c in normalized.chars() {
        if c.is_ascii_digit() {
            if !('1'..='5').contains(&c) || !is_syllable(&run) {
                return None;
            }
            letters.push_str(&run);
            run.clear();
            runs_with_tone += 1;
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        // A last syllable without a number is the neutral tone: `ma1ma`.
        if !is_syllable(&run) {
            return None;
        }
        letters.push_str(&run);
    }
    (runs_with_tone > 0).then_some(letters)
}

#[cfg(test)]
mod tests {
    use super::super::normalize::normalize_key;
    use super::*;

    #[test]
    fn the_bitmap_skips_only_characters_the_table_lacks() {
        let table = crate::generated::t2s_table();
        let mut listed = 0;
        for c in (0x3400..=0x9fff_u32).filter_map(char::from_u32) {
            let in_table = table.binary_search_by_key(&c, |&(t, _)| t).is_ok();
            assert_eq!(may_be_traditional(c), in_table, "{c}");
            listed += usize::from(in_table);
        }
        assert!(listed > 2000, "{listed}");
        assert_eq!(to_simplified('擴'), '扩');
        assert_eq!(to_simplified('扩'), '扩');
    }

    /// The generated tables hold exactly what the `pinyin` crate says, for every character
    /// of the Han blocks (the crate is a dev-dependency only for this).
    #[test]
    fn generated_readings_equal_the_pinyin_crate() {
        use pinyin::{ToPinyin, ToPinyinMulti};
        let blocks = [(0x3400u32, 0x4dbfu32), (0x4e00, 0x9fff), (0xf900, 0xfaff)];
        let mut checked = 0;
        for c in blocks
            .iter()
            .flat_map(|&(first, last)| first..=last)
            .filter_map(char::from_u32)
        {
            assert_eq!(
                common_reading(c),
                c.to_pinyin().map(|pinyin| pinyin.with_tone()),
                "{c}"
            );
            let mut expected: Vec<String> = c
                .to_pinyin_multi()
                .map(|multi| {
                    multi
                        .into_iter()
                        .map(|p| plain_syllable(p.plain()))
                        .collect()
                })
                .unwrap_or_default();
            expected.dedup();
            assert_eq!(readings_of(c), expected, "{c}");
            for reading in &expected {
                assert!(is_syllable(reading), "{c}: {reading}");
            }
            checked += usize::from(!expected.is_empty());
        }
        assert!(checked > 20_000, "{checked} characters with readings");
        assert!(common_reading('a').is_none() && readings_of('a').is_empty());
        assert!(!is_syllable("") && !is_syllable("zhuangg") && !is_syllable("\0"));
    }

    fn plain(name: &str) -> String {
        normalize_key(&spell(name, None).unwrap().text())
    }

    #[test]
    fn traditional_characters_fold() {
        assert_eq!(to_simplified('擴'), '扩');
        assert_eq!(to_simplified('網'), '网');
        assert_eq!(to_simplified('扩'), '扩');
        assert_eq!(to_simplified('a'), 'a');
        assert!(has_traditional("生成對抗網絡"));
        assert!(!has_traditional("生成对抗网络"));
    }

    #[test]
    fn names_are_spelled_in_pinyin() {
        assert_eq!(plain("扩散模型"), "kuosanmoxing");
        assert_eq!(plain("生成对抗网络"), "shengchengduikangwangluo");
        assert_eq!(spell("扩散模型", None).unwrap().text(), "kuò sàn mó xíng");
        assert_eq!(spell("GAN", None), None);
    }

    #[test]
    fn field_words_fix_polyphonic_characters() {
        assert_eq!(plain("微调"), "weitiao");
        assert_eq!(plain("指令微调"), "zhilingweitiao");
        assert_eq!(plain("长短期记忆网络"), "changduanqijiyiwangluo");
        assert_eq!(plain("重参数化技巧"), "chongcanshuhuajiqiao");
        assert_eq!(plain("学习率"), "xuexilu");
        assert_eq!(plain("对数似然"), "duishusiran");
        assert_eq!(plain("上下文长度"), "shangxiawenchangdu");
        assert_eq!(plain("局部重绘"), "jubuchonghui");
    }

    #[test]
    fn an_explicit_spelling_wins() {
        let spelled = spell("长文", Some("cháng wén")).unwrap();
        assert_eq!(spelled.text(), "cháng wén");
        assert_eq!(
            spell("降噪", Some("jiang4 zao4")).unwrap().parts,
            vec!["jiang4", "zao4"]
        );
    }

    #[test]
    fn mixed_names_keep_their_latin_words() {
        let spelled = spell("扩散 Transformer", None).unwrap();
        assert_eq!(spelled.parts, vec!["kuò", "sàn", "Transformer"]);
        assert_eq!(spelled.initials().as_deref(), Some("kst"));
    }

    #[test]
    fn initials_need_three_letters_from_two_characters() {
        assert_eq!(
            spell("生成对抗网络", None).unwrap().initials().as_deref(),
            Some("scdkwl")
        );
        assert_eq!(spell("模型", None).unwrap().initials(), None);
        assert_eq!(
            spell("AI 水印", None).unwrap().initials().as_deref(),
            Some("asy")
        );
    }

    #[test]
    fn tone_numbers_are_dropped_only_from_pinyin() {
        assert_eq!(without_tone_numbers("kuo4san4").as_deref(), Some("kuosan"));
        assert_eq!(
            without_tone_numbers("sheng1cheng2").as_deref(),
            Some("shengcheng")
        );
        assert_eq!(without_tone_numbers("ma1ma").as_deref(), Some("mama"));
        for not_pinyin in ["gpt4", "sd3", "llama3", "t5", "kuosan", "yolo5", "kuo9"] {
            assert_eq!(without_tone_numbers(not_pinyin), None, "{not_pinyin}");
        }
    }

    #[test]
    fn every_field_word_starts_with_a_listed_character() {
        for (word, syllables) in POLYPHONIC_WORDS {
            let first = word.chars().next().unwrap();
            assert!(
                POLYPHONIC_CHARACTERS.contains(&first),
                "{word}: add '{first}'"
            );
            assert_eq!(word.chars().count(), syllables.len(), "{word}");
        }
    }

    #[test]
    fn syllables_and_readings() {
        assert!(is_syllable("zhuang"));
        assert!(is_syllable("lu"));
        assert!(is_syllable("lve") && is_syllable("lue") && is_syllable("lv"));
        assert!(!is_syllable("gpt"));
        assert!(readings_of('调').contains(&"tiao".to_string()));
        assert_eq!(plain_syllable("Xíng2"), "xing");
        assert_eq!(plain_syllable("lǜ"), "lu");
        assert_eq!(
            explicit_syllables("kuò sàn'mó  xíng"),
            vec!["kuò", "sàn", "mó", "xíng"]
        );
    }
}
