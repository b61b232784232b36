//! The serde types of a glossary file, exactly as users write them, and the plain `Term` the
//! rest of the program works with.
//!
//! Raw types keep each value's byte span so that every later problem (a dangling related id,
//! an empty definition) can name `file:line:col`. `deny_unknown_fields` everywhere: a typo
//! like `relatd` must be an error, not silently ignored data.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// One glossary file: a list of `[[term]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGlossary {
    #[serde(default)]
    pub term: Vec<RawTerm>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTerm {
    pub id: Spanned<String>,
    pub en: Spanned<String>,
    pub zh: Spanned<String>,
    #[serde(default)]
    pub abbr: Vec<Spanned<String>>,
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub broader: Vec<Spanned<String>>,
    #[serde(default)]
    pub related: Vec<Spanned<String>>,
    #[serde(default)]
    pub refs: Vec<Spanned<String>>,
    pub year: Option<Spanned<i64>>,
    pub by: Option<Spanned<String>>,
    /// Pinyin of the Chinese name, for characters with more than one reading.
    pub pinyin: Option<Spanned<String>>,
    pub definition: Spanned<Definition>,
}

/// A definition in both languages; both are required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub en: String,
    pub zh: String,
}

/// A glossary term after loading: plain values, no positions. Its serde form is what the
/// compiled index stores (the `--json` shape is `render::json`'s, not this).
///
/// It is only ever deserialised from a compiled record, whose strings are checked with
/// `simdutf8` (see `checked_text`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    #[serde(deserialize_with = "checked_text::string")]
    pub id: String,
    #[serde(deserialize_with = "checked_text::string")]
    pub en: String,
    #[serde(deserialize_with = "checked_text::string")]
    pub zh: String,
    #[serde(deserialize_with = "checked_text::list")]
    pub abbr: Vec<String>,
    #[serde(deserialize_with = "checked_text::list")]
    pub aliases: Vec<String>,
    #[serde(deserialize_with = "checked_text::list")]
    pub tags: Vec<String>,
    #[serde(deserialize_with = "checked_text::list")]
    pub broader: Vec<String>,
    #[serde(deserialize_with = "checked_text::list")]
    pub related: Vec<String>,
    #[serde(deserialize_with = "checked_text::list")]
    pub refs: Vec<String>,
    pub year: Option<i64>,
    #[serde(deserialize_with = "checked_text::optional")]
    pub by: Option<String>,
    #[serde(deserialize_with = "checked_text::optional")]
    pub pinyin: Option<String>,
    #[serde(deserialize_with = "checked_text::definition")]
    pub definition: Definition,
}

/// Strings read as bytes and checked to be UTF-8 with `simdutf8` rather than with std's
/// check, which postcard uses for `String`: the records a search shows are mostly long
/// definitions, half of them Chinese, and std's check of ten of them was 14 % of the
/// instructions of a whole `aigc-term search noise` run. The bytes on disk are postcard's
/// `String` encoding either way (a length, then the bytes); a format that hands over text
/// (`visit_str`) is taken as it is.
mod checked_text {
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};

    use super::Definition;

    pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_bytes(TextVisitor)
    }

    pub fn optional<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<String>, D::Error> {
        Ok(Option::<Text>::deserialize(deserializer)?.map(|text| text.0))
    }

    pub fn list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
        deserializer.deserialize_seq(ListVisitor)
    }

    pub fn definition<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Definition, D::Error> {
        let wire = WireDefinition::deserialize(deserializer)?;
        Ok(Definition {
            en: wire.en,
            zh: wire.zh,
        })
    }

    /// `Definition` as a record stores it (the glossary file's form keeps its own
    /// `Deserialize`, with its messages for the TOML parser).
    #[derive(serde::Deserialize)]
    struct WireDefinition {
        #[serde(deserialize_with = "string")]
        en: String,
        #[serde(deserialize_with = "string")]
        zh: String,
    }

    struct Text(String);

    impl<'de> Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
            string(deserializer).map(Text)
        }
    }

    struct TextVisitor;

    impl Visitor<'_> for TextVisitor {
        type Value = String;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<String, E> {
            Ok(text.to_owned())
        }

        fn visit_string<E: de::Error>(self, text: String) -> Result<String, E> {
            Ok(text)
        }

        fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<String, E> {
            match simdutf8::basic::from_utf8(bytes) {
                Ok(text) => Ok(text.to_owned()),
                Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(bytes), &self)),
            }
        }
    }

    struct ListVisitor;

    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<String>;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("a list of strings")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            // The length comes from the record: a damaged one must not reserve gigabytes.
            let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(Text(text)) = seq.next_element()? {
                list.push(text);
            }
            Ok(list)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn term(text: &str) -> Term {
        Term {
            id: format!("id-{text}"),
            en: text.to_string(),
            zh: format!("{text}模型"),
            abbr: vec![text.to_string(), String::new()],
            aliases: vec![format!("别名 {text}")],
            refs: vec!["https://example.org/".to_string()],
            year: Some(2021),
            by: Some(format!("{text} et al.")),
            pinyin: None,
            definition: Definition {
                en: format!("A definition of {text}."),
                zh: format!("{text}的定义：扩散模型。"),
            },
            ..Term::default()
        }
    }

    proptest! {
        /// Records are decoded with the checked strings exactly as postcard wrote them.
        #[test]
        fn any_term_reads_back_as_written(text in "\\PC{0,40}") {
            let written = term(&text);
            let bytes = postcard::to_allocvec(&written).unwrap();
            prop_assert_eq!(postcard::from_bytes::<Term>(&bytes).unwrap(), written);
        }
    }

    #[test]
    fn a_record_string_that_is_not_utf8_is_an_error() {
        let written = term("扩散");
        let bytes = postcard::to_allocvec(&written).unwrap();
        assert!(postcard::from_bytes::<Term>(&bytes).is_ok());
        // Every byte of each Chinese character in turn: a lone 0xff is never UTF-8.
        let chinese = "的定义".as_bytes();
        let at = bytes
            .windows(chinese.len())
            .position(|window| window == chinese)
            .unwrap();
        for offset in 0..chinese.len() {
            let mut damaged = bytes.clone();
            damaged[at + offset] = 0xff;
            assert!(
                postcard::from_bytes::<Term>(&damaged).is_err(),
                "byte {offset}"
            );
        }
    }
}
