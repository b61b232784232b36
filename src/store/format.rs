//! The layout of a compiled index, shared by the writer (build script and cache) and the
//! reader. Everything is little-endian and read with bounds checks, so that a damaged file
//! is an error, never undefined behaviour; term records carry their own checksum, so that
//! a damaged file never shows wrong text.
//!
//! ```text
//! header   magic "AIGCIDX\0", format version, section count, meta length, checksum,
//!          section table (offset, length) × count, meta (postcard)
//! records  [xxh3-64 of the rest][head length u32][keys length u32][postcard Record]
//!          [postcard keys] per term
//! offsets  u64 per term: where its record starts
//! lookup   16-byte (hash, term, slot, class) entries sorted by hash, for exact lookups
//! words    16-byte (text offset, text length, postings offset, count) sorted by text:
//!          full-text tokens (Latin words, Han characters and character pairs)
//! word-text, word-postings  u32 (term << 2 | field weight) per posting
//! word-order  8-byte (text offset, key row) entries: the names of two words or more,
//!          sorted by their words joined by U+001F, for the word-prefix rule to walk
//!          like a trie (see `Store::rows_by_word_prefixes`)
//! word-order-text  those joined words, in the same order: a walk reads one region
//! keys     24-byte key entries sorted by (length, normalised text), for prefix and typo rules
//! key-text normalised keys and their words (joined by U+001F)
//! lengths  u32 per key length: first entry of that length in `keys`
//! grams    16-byte (gram key, postings offset, count) sorted by key: character bigrams
//!          of the keys of each length (typo and partial rules), see `gram_key`
//! gram-postings  u32 key-entry indices, lists in the order of the gram table
//! tags     postcard list of (tag, count)
//! ```
//!
//! Postcard and xxh3 do the encoding and checksums (well-kept crates, compact, fast); the
//! fixed-size tables are plain arrays so that a lookup reads a handful of entries from a
//! memory map instead of decoding the whole index.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::glossary::Term;

/// The index bytes are not what the writer wrote (truncated, overwritten, another format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damaged;

impl fmt::Display for Damaged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the compiled glossary index is damaged")
    }
}

impl std::error::Error for Damaged {}

pub const MAGIC: [u8; 8] = *b"AIGCIDX\0";
/// Bump whenever the layout or the record type changes: older files are then rebuilt.
pub const FORMAT_VERSION: u32 = 6;
/// Bytes before the section table: magic, version, count, meta length, reserved, checksum.
pub const FIXED_HEADER: usize = 32;

/// The sections, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Records,
    Offsets,
    Lookup,
    Words,
    WordText,
    WordPostings,
    WordOrder,
    WordOrderText,
    Keys,
    KeyText,
    Lengths,
    Grams,
    GramPostings,
    Tags,
}

impl Section {
    pub const ALL: [Section; 14] = [
        Section::Records,
        Section::Offsets,
        Section::Lookup,
        Section::Words,
        Section::WordText,
        Section::WordPostings,
        Section::WordOrder,
        Section::WordOrderText,
        Section::Keys,
        Section::KeyText,
        Section::Lengths,
        Section::Grams,
        Section::GramPostings,
        Section::Tags,
    ];
}

pub const KEY_ENTRY: usize = 24;
pub const LOOKUP_ENTRY: usize = 16;
pub const GRAM_ENTRY: usize = 16;
pub const WORD_ENTRY: usize = 16;
pub const WORD_ORDER_ENTRY: usize = 8;
/// Separates the words of a key in `key-text`.
pub const WORD_SEPARATOR: char = '\u{1f}';
/// Pads that mark the start and end of a key in its bigrams (`^d`, `n$` for `difusion`).
pub const GRAM_START: char = '\u{2}';
pub const GRAM_END: char = '\u{3}';

/// What an exact-lookup entry stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum LookupClass {
    /// A normalised name (id, English, Chinese, abbr, alias).
    Name = 0,
    /// A term's id exactly as written, for resolving links.
    Id = 1,
    /// Full pinyin of a Chinese name.
    Pinyin = 2,
    /// Pinyin initials of a Chinese name.
    PinyinInitials = 3,
    /// Initials of the English name.
    Initials = 4,
    /// The same initials, letters sorted (for acronyms typed in the wrong order).
    SortedInitials = 5,
}

impl LookupClass {
    pub fn from_byte(byte: u8) -> Option<LookupClass> {
        [
            LookupClass::Name,
            LookupClass::Id,
            LookupClass::Pinyin,
            LookupClass::PinyinInitials,
            LookupClass::Initials,
            LookupClass::SortedInitials,
        ]
        .into_iter()
        .find(|class| *class as u8 == byte)
    }
}

/// How much a full-text hit in each field is worth: a name says more than a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldWeight {
    Definition = 1,
    Alias = 2,
    Name = 3,
}

impl FieldWeight {
    pub fn from_code(code: u32) -> Option<FieldWeight> {
        match code {
            1 => Some(FieldWeight::Definition),
            2 => Some(FieldWeight::Alias),
            3 => Some(FieldWeight::Name),
            _ => None,
        }
    }

    pub fn value(self) -> f64 {
        self as u32 as f64
    }
}

/// One term as stored: the glossary data and its links resolved to term numbers in both
/// directions (so that `related` needs no search). Its keys are stored beside it in the
/// same frame, decoded only by the rules that compare them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub term: Term,
    pub links: Links,
}

/// The three names a term is listed by, read from the front of its record without decoding
/// the rest (a `Term` serialises `id`, `en` and `zh` first).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Names {
    pub id: String,
    pub en: String,
    pub zh: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    pub broader: Vec<u32>,
    pub narrower: Vec<u32>,
    pub related: Vec<u32>,
    pub referenced_by: Vec<u32>,
}

/// What a source file looked like when an index was built from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceStamp {
    pub path: String,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub modified: i128,
    pub content_hash: u128,
}

/// Facts about the whole index, kept in the header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Which build of aigc-term wrote it (version and embedded glossary): a cache written
    /// by another build is rebuilt.
    pub tool: String,
    pub term_count: u32,
    /// The longest key, in characters: the last bucket of `lengths`.
    pub max_key_length: u32,
    pub sources: Vec<SourceStamp>,
}

/// xxh3-64, the checksum of records and of the header.
pub fn checksum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The header's checksum: its fixed fields before the checksum, then the section table
/// and meta after it.
pub fn header_checksum(fixed: &[u8], covered: &[u8]) -> u64 {
    let mut bytes = Vec::with_capacity(fixed.len() + covered.len());
    bytes.extend_from_slice(fixed);
    bytes.extend_from_slice(covered);
    checksum(&bytes)
}

/// The hash of exact-lookup texts.
pub fn text_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes, 0x6169_6763)
}

/// Two characters of a key, the unit of the gram table.
pub type Bigram = [char; 2];

/// The key of a gram table entry: a bigram within keys of one length, packed exactly
/// (21 bits per character, the rest for the length) rather than hashed, so that the table
/// sorted by it lists a bigram's lengths side by side. A typo lookup reads the same few
/// bigrams at neighbouring lengths: at 100,000 terms, hashed keys scattered those reads
/// over the whole table and its postings, a page fault apiece.
pub fn gram_key(bigram: Bigram, length: usize) -> u64 {
    const CHAR_BITS: u32 = 21;
    let length = (length as u64).min((1 << (64 - 2 * CHAR_BITS)) - 1);
    u64::from(bigram[0]) << (64 - CHAR_BITS) | u64::from(bigram[1]) << (64 - 2 * CHAR_BITS) | length
}

/// The padded bigrams of a normalised key, deduplicated: what the typo rule counts.
pub fn padded_bigrams(normalized: &str) -> Vec<Bigram> {
    let mut grams = Vec::new();
    padded_bigrams_into(normalized, &mut grams);
    grams
}

/// `padded_bigrams` into a reused buffer (the compile computes them for every key).
pub fn padded_bigrams_into(normalized: &str, grams: &mut Vec<Bigram>) {
    grams.clear();
    let mut previous = GRAM_START;
    for c in normalized.chars().chain(std::iter::once(GRAM_END)) {
        grams.push([previous, c]);
        previous = c;
    }
    grams.sort_unstable();
    grams.dedup();
}

/// The letters of initials in sorted order (`clpi` and `clip` → `cilp`).
pub fn sorted_letters(text: &str) -> String {
    let mut letters: Vec<char> = text.chars().collect();
    letters.sort_unstable();
    letters.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gram_keys_sort_by_bigram_then_length_and_never_collide() {
        let bigrams: [Bigram; 5] = [
            [GRAM_START, 'a'],
            ['a', 'b'],
            ['a', '扩'],
            ['扩', '散'],
            ['\u{10FFFF}', GRAM_END],
        ];
        let mut pairs = Vec::new();
        for bigram in bigrams {
            for length in [1, 2, 27, crate::matching::MAX_TYPO_KEY, 65_535] {
                pairs.push((bigram, length));
            }
        }
        let mut by_key = pairs.clone();
        by_key.sort_by_key(|&(bigram, length)| gram_key(bigram, length));
        pairs.sort();
        assert_eq!(by_key, pairs);
        let mut keys: Vec<u64> = pairs.iter().map(|&(b, l)| gram_key(b, l)).collect();
        keys.dedup();
        assert_eq!(keys.len(), pairs.len());
    }
}
