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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub id: String,
    pub en: String,
    pub zh: String,
    pub abbr: Vec<String>,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    pub broader: Vec<String>,
    pub related: Vec<String>,
    pub refs: Vec<String>,
    pub year: Option<i64>,
    pub by: Option<String>,
    pub pinyin: Option<String>,
    pub definition: Definition,
}
