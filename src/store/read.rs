//! Reading a compiled index in place: from the binary's own bytes, a buffer, or a memory
//! map of a cache file. Only the parts a query touches are read, which is what keeps a
//! lookup in a 100,000-term glossary as cheap as one in the shipped glossary.
//!
//! Every read is bounds-checked and returns `Damaged` instead of panicking; records are
//! checksummed, so damage shows as an error (and a cache rebuild), never as wrong text.

use std::ops::Range;

pub use super::format::Damaged;
use super::format::{
    checksum, header_checksum, text_hash, Bigram, FieldWeight, LookupClass, Meta, Names, Record,
    Section, FIXED_HEADER, FORMAT_VERSION, GRAM_ENTRY, KEY_ENTRY, LOOKUP_ENTRY, MAGIC, WORD_ENTRY,
    WORD_ORDER_ENTRY, WORD_SEPARATOR,
};
use crate::matching::{Key, KeyKind};

/// Where the bytes live.
pub enum Backing {
    /// Compiled into the binary.
    Static(&'static [u8]),
    /// Built in memory (tests, `--no-cache`, a cache that could not be written).
    Owned(Vec<u8>),
    /// A cache file, mapped read-only.
    Mapped(memmap2::Mmap),
}

impl Backing {
    fn bytes(&self) -> &[u8] {
        match self {
            Backing::Static(bytes) => bytes,
            Backing::Owned(bytes) => bytes,
            Backing::Mapped(map) => map,
        }
    }
}

/// A bigram's postings within keys of one length: where they start and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gram {
    offset: usize,
    pub count: usize,
}

/// One row of the `keys` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyEntry {
    pub term: u32,
    pub slot: u16,
    pub kind: KeyKind,
    pub length: usize,
    text: (usize, usize),
    words: (usize, usize),
}

/// How much of the `word-order` table a walk may read before giving up: distinct words
/// looked into, and rows collected.
#[derive(Debug, Clone, Copy)]
pub struct WalkBudget {
    pub groups: usize,
    pub rows: usize,
}

/// An opened index: the header checked, the sections located.
pub struct Store {
    backing: Backing,
    sections: Vec<Range<usize>>,
    pub meta: Meta,
}

/// The header's meta without opening the rest: enough to tell whether a cache is fresh.
pub fn read_meta(bytes: &[u8]) -> Result<Meta, Damaged> {
    Ok(parse_header(bytes)?.1)
}

/// Checksums catch accidental damage, not a crafted file (xxh3 is no MAC), so the bounds
/// checks behind them must hold on their own. Fuzz builds (`--cfg fuzzing`) accept every
/// checksum so that mutated inputs reach those checks instead of stopping here.
fn checksum_agrees(computed: u64, stored: u64) -> bool {
    cfg!(fuzzing) || computed == stored
}

fn parse_header(bytes: &[u8]) -> Result<(Vec<Range<usize>>, Meta), Damaged> {
    if bytes.get(..8) != Some(&MAGIC[..]) || u32_at(bytes, 8)? != FORMAT_VERSION {
        return Err(Damaged);
    }
    let count = u32_at(bytes, 12)? as usize;
    let meta_len = u32_at(bytes, 16)? as usize;
    if count != Section::ALL.len() {
        return Err(Damaged);
    }
    let covered_end = FIXED_HEADER + count * 16 + meta_len;
    let covered = bytes.get(FIXED_HEADER..covered_end).ok_or(Damaged)?;
    if !checksum_agrees(header_checksum(&bytes[..24], covered), u64_at(bytes, 24)?) {
        return Err(Damaged);
    }
    let mut sections = Vec::with_capacity(count);
    for at in 0..count {
        let offset = u64_at(bytes, FIXED_HEADER + at * 16)? as usize;
        let len = u64_at(bytes, FIXED_HEADER + at * 16 + 8)? as usize;
        let end = offset.checked_add(len).ok_or(Damaged)?;
        if end > bytes.len() {
            return Err(Damaged);
        }
        sections.push(offset..end);
    }
    let meta: Meta = postcard::from_bytes(&covered[count * 16..]).map_err(|_| Damaged)?;
    Ok((sections, meta))
}

impl Store {
    pub fn open(backing: Backing) -> Result<Store, Damaged> {
        let (sections, meta) = parse_header(backing.bytes())?;
        let store = Store {
            backing,
            sections,
            meta,
        };
        let sizes_agree = store.section(Section::Offsets).len() == store.term_count() * 8
            && store.section(Section::Keys).len() % KEY_ENTRY == 0
            && store.section(Section::Lookup).len() % LOOKUP_ENTRY == 0
            && store.section(Section::Grams).len() % GRAM_ENTRY == 0
            && store.section(Section::Words).len() % WORD_ENTRY == 0
            && store.section(Section::WordOrder).len() % WORD_ORDER_ENTRY == 0
            && store.section(Section::Lengths).len()
                == (store.meta.max_key_length as usize + 2) * 4;
        if !sizes_agree {
            return Err(Damaged);
        }
        Ok(store)
    }

    /// The bytes of every section, in file order (to write them again under a new meta).
    pub fn sections(&self) -> Vec<&[u8]> {
        Section::ALL
            .iter()
            .map(|&section| self.section(section))
            .collect()
    }

    fn section(&self, section: Section) -> &[u8] {
        // Ranges were checked against the length when the header was parsed.
        &self.backing.bytes()[self.sections[section as usize].clone()]
    }

    pub fn term_count(&self) -> usize {
        self.meta.term_count as usize
    }

    /// The record of term `term` (data and links), its frame's checksum verified.
    pub fn record(&self, term: u32) -> Result<Record, Damaged> {
        let (head, _) = self.frame(term)?;
        postcard::from_bytes(head).map_err(|_| Damaged)
    }

    /// The id, English and Chinese name of term `term`, without decoding the rest.
    pub fn names(&self, term: u32) -> Result<Names, Damaged> {
        let (head, _) = self.frame(term)?;
        postcard::take_from_bytes(head)
            .map(|(names, _)| names)
            .map_err(|_| Damaged)
    }

    /// The keys of term `term`, its frame's checksum verified.
    pub fn keys(&self, term: u32) -> Result<Vec<Key>, Damaged> {
        let (_, keys) = self.frame(term)?;
        postcard::from_bytes(keys).map_err(|_| Damaged)
    }

    /// The two payloads of a record frame, after checking the frame's checksum.
    fn frame(&self, term: u32) -> Result<(&[u8], &[u8]), Damaged> {
        let start = u64_at(self.section(Section::Offsets), term as usize * 8)? as usize;
        let records = self.section(Section::Records);
        let stored = u64_at(records, start)?;
        let head_len = u32_at(records, start + 8)? as usize;
        let keys_len = u32_at(records, start + 12)? as usize;
        let end = (start + 16)
            .checked_add(head_len)
            .and_then(|end| end.checked_add(keys_len))
            .ok_or(Damaged)?;
        let rest = records.get(start + 8..end).ok_or(Damaged)?;
        if !checksum_agrees(checksum(rest), stored) {
            return Err(Damaged);
        }
        Ok((&rest[8..8 + head_len], &rest[8 + head_len..]))
    }

    /// (term, slot) of the exact-lookup entries for `text` in `class`. A hash match only:
    /// callers confirm against the record.
    pub fn lookup(&self, class: LookupClass, text: &str) -> Result<Vec<(u32, u16)>, Damaged> {
        let table = self.section(Section::Lookup);
        let count = table.len() / LOOKUP_ENTRY;
        let hash = text_hash(text.as_bytes());
        let first = partition_point(count, |at| Ok(u64_at(table, at * LOOKUP_ENTRY)? < hash))?;
        let mut found = Vec::new();
        for at in first..count {
            let base = at * LOOKUP_ENTRY;
            if u64_at(table, base)? != hash {
                break;
            }
            if LookupClass::from_byte(byte_at(table, base + 14)?) == Some(class) {
                found.push((u32_at(table, base + 8)?, u16_at(table, base + 12)?));
            }
        }
        Ok(found)
    }

    pub fn max_key_length(&self) -> usize {
        self.meta.max_key_length as usize
    }

    /// The rows of the `keys` table whose key has `length` characters.
    pub fn bucket(&self, length: usize) -> Result<Range<usize>, Damaged> {
        if length > self.max_key_length() {
            return Ok(0..0);
        }
        let lengths = self.section(Section::Lengths);
        let start = u32_at(lengths, length * 4)? as usize;
        let end = u32_at(lengths, length * 4 + 4)? as usize;
        if start > end || end > self.section(Section::Keys).len() / KEY_ENTRY {
            return Err(Damaged);
        }
        Ok(start..end)
    }

    pub fn key_entry(&self, row: usize) -> Result<KeyEntry, Damaged> {
        let keys = self.section(Section::Keys);
        let base = row * KEY_ENTRY;
        Ok(KeyEntry {
            term: u32_at(keys, base)?,
            text: (
                u32_at(keys, base + 4)? as usize,
                u32_at(keys, base + 8)? as usize,
            ),
            words: (
                u32_at(keys, base + 12)? as usize,
                u16_at(keys, base + 16)? as usize,
            ),
            length: u16_at(keys, base + 18)? as usize,
            slot: u16_at(keys, base + 20)?,
            kind: key_kind(byte_at(keys, base + 22)?)?,
        })
    }

    /// The normalised text of a key row.
    pub fn key_text(&self, entry: &KeyEntry) -> Result<&str, Damaged> {
        self.text_in(Section::KeyText, entry.text)
    }

    /// The normalised words of a key row.
    pub fn key_words(&self, entry: &KeyEntry) -> Result<impl Iterator<Item = &str>, Damaged> {
        Ok(self
            .text_in(Section::KeyText, entry.words)?
            .split(WORD_SEPARATOR)
            .filter(|word| !word.is_empty()))
    }

    fn text_in(&self, section: Section, (start, len): (usize, usize)) -> Result<&str, Damaged> {
        let bytes = self
            .section(section)
            .get(start..start.checked_add(len).ok_or(Damaged)?)
            .ok_or(Damaged)?;
        std::str::from_utf8(bytes).map_err(|_| Damaged)
    }

    /// The rows of a length bucket whose text starts with `prefix` (rows are sorted by
    /// text within a bucket).
    pub fn rows_with_prefix(&self, length: usize, prefix: &str) -> Result<Range<usize>, Damaged> {
        prefix_range(self.bucket(length)?, prefix, |row| {
            let entry = self.key_entry(row)?;
            self.key_text(&entry)
        })
    }

    /// The key rows of names whose words begin with `prefixes`, word by word (`stable diff`
    /// → Stable Diffusion: the first word starts with `stable`, the second with `diff`), in
    /// no particular order; a name may have more words than `prefixes`. `None` when the
    /// walk would read more than `budget` allows: then the caller scans instead.
    ///
    /// The `word-order` table lists names of two words or more sorted by their words
    /// joined by U+001F, so that it can be walked like a trie: the rows whose first word
    /// starts with `stable` are one range; within it, each distinct first word (`stable`,
    /// `stablelm`) is one range again, in which the second word is looked up the same way.
    /// The cost follows the distinct words on the way, not the number of terms.
    pub fn rows_by_word_prefixes(
        &self,
        prefixes: &[&str],
        mut budget: WalkBudget,
    ) -> Result<Option<Vec<u32>>, Damaged> {
        let everything = 0..self.section(Section::WordOrder).len() / WORD_ORDER_ENTRY;
        let mut found = Vec::new();
        let mut path = String::new();
        let within = self.walk_words(everything, &mut path, prefixes, &mut found, &mut budget)?;
        Ok(within.then_some(found))
    }

    /// One level of `rows_by_word_prefixes`: the rows of `range` (whose words start with
    /// `path`, the words already matched) whose next word starts with `prefixes[0]`.
    /// Returns false when the budget ran out.
    fn walk_words(
        &self,
        range: Range<usize>,
        path: &mut String,
        prefixes: &[&str],
        found: &mut Vec<u32>,
        budget: &mut WalkBudget,
    ) -> Result<bool, Damaged> {
        let Some((typed, rest)) = prefixes.split_first() else {
            return Ok(true);
        };
        let base = path.len();
        path.push_str(typed);
        let matching = self.word_order_with_prefix(range, path)?;
        path.truncate(base);
        if rest.is_empty() {
            if found.len() + matching.len() > budget.rows {
                return Ok(false);
            }
            for at in matching {
                found.push(self.word_order_row(at)?);
            }
            return Ok(true);
        }
        let mut at = matching.start;
        while at < matching.end {
            if budget.groups == 0 {
                return Ok(false);
            }
            budget.groups -= 1;
            let words = self.word_order_words(at)?;
            let after = words.get(base..).ok_or(Damaged)?;
            // A name that ends at this word cannot hold the rest of the query's words.
            let Some(word_end) = after.find(WORD_SEPARATOR) else {
                at += 1;
                continue;
            };
            path.push_str(&after[..word_end + WORD_SEPARATOR.len_utf8()]);
            // The rows with this word start at `at`: it is the first row of `matching`
            // not yet walked, and it has that word.
            let end = gallop(at + 1, matching.end, |at| {
                Ok(self.word_order_words(at)?.starts_with(path.as_str()))
            })?;
            if !self.walk_words(at..end, path, rest, found, budget)? {
                return Ok(false);
            }
            path.truncate(base);
            at = end;
        }
        Ok(true)
    }

    /// The positions within `range` of the `word-order` table whose joined words start
    /// with `prefix`.
    fn word_order_with_prefix(
        &self,
        range: Range<usize>,
        prefix: &str,
    ) -> Result<Range<usize>, Damaged> {
        prefix_range(range, prefix, |at| self.word_order_words(at))
    }

    fn word_order_row(&self, at: usize) -> Result<u32, Damaged> {
        u32_at(self.section(Section::WordOrder), at * WORD_ORDER_ENTRY + 4)
    }

    /// The words (joined by U+001F) of the name at position `at` of `word-order`: they
    /// end where the next name's words start.
    fn word_order_words(&self, at: usize) -> Result<&str, Damaged> {
        let table = self.section(Section::WordOrder);
        let start = u32_at(table, at * WORD_ORDER_ENTRY)? as usize;
        let next = (at + 1) * WORD_ORDER_ENTRY;
        let end = if next < table.len() {
            u32_at(table, next)? as usize
        } else {
            self.section(Section::WordOrderText).len()
        };
        let len = end.checked_sub(start).ok_or(Damaged)?;
        self.text_in(Section::WordOrderText, (start, len))
    }

    /// Key rows whose key (of `length` characters) contains `bigram` (padded at the ends).
    pub fn gram_rows(&self, bigram: Bigram, length: usize) -> Result<Vec<u32>, Damaged> {
        match self.gram(bigram, length)? {
            Some(gram) => self.gram_postings(gram),
            None => Ok(Vec::new()),
        }
    }

    /// Where the postings of a bigram within keys of one length are, and how many there are
    /// (without reading them: the typo rule reads the rarest first).
    pub fn gram(&self, bigram: Bigram, length: usize) -> Result<Option<Gram>, Damaged> {
        let grams = self.section(Section::Grams);
        let count = grams.len() / GRAM_ENTRY;
        let key = super::format::gram_key(bigram, length);
        let at = partition_point(count, |at| Ok(u64_at(grams, at * GRAM_ENTRY)? < key))?;
        if at >= count || u64_at(grams, at * GRAM_ENTRY)? != key {
            return Ok(None);
        }
        Ok(Some(Gram {
            offset: u32_at(grams, at * GRAM_ENTRY + 8)? as usize,
            count: u32_at(grams, at * GRAM_ENTRY + 12)? as usize,
        }))
    }

    /// Calls `found(i)` for each `rows[i]` (ascending) that is among a gram's postings: one
    /// forward pass over the list in place, galloping from row to row, so that a long list
    /// is probed near where the last row was found rather than bisected from the top for
    /// every row (a cache miss per step at 100,000 terms).
    pub fn gram_contains_each(
        &self,
        gram: Gram,
        rows: &[u32],
        mut found: impl FnMut(usize),
    ) -> Result<(), Damaged> {
        let postings = u32s_in(self.section(Section::GramPostings), gram.offset, gram.count)?;
        let posting = |at: usize| u32_at(postings, at * 4);
        let mut at = 0;
        for (index, &row) in rows.iter().enumerate() {
            at = gallop(at, gram.count, |at| Ok(posting(at)? < row))?;
            if at == gram.count {
                break;
            }
            if posting(at)? == row {
                found(index);
            }
        }
        Ok(())
    }

    /// The key rows of a gram, in row order.
    pub fn gram_postings(&self, gram: Gram) -> Result<Vec<u32>, Damaged> {
        read_u32s(self.section(Section::GramPostings), gram.offset, gram.count)
    }

    /// `gram_postings` read straight from the map: the typo rule only counts them, and a
    /// copy would touch as many fresh pages of the heap as the map's.
    pub fn gram_postings_in_place(
        &self,
        gram: Gram,
    ) -> Result<impl Iterator<Item = u32> + '_, Damaged> {
        let bytes = u32s_in(self.section(Section::GramPostings), gram.offset, gram.count)?;
        Ok(decode_u32s(bytes))
    }

    /// Indices in the word table of the tokens that start with `prefix`.
    pub fn words_with_prefix(&self, prefix: &str) -> Result<Range<usize>, Damaged> {
        let count = self.section(Section::Words).len() / WORD_ENTRY;
        let first = partition_point(count, |at| Ok(self.word_text(at)? < prefix))?;
        let end = partition_point(count, |at| {
            let text = self.word_text(at)?;
            Ok(text < prefix || text.starts_with(prefix))
        })?;
        Ok(first..end.max(first))
    }

    /// The word table index of exactly `word`.
    pub fn word(&self, word: &str) -> Result<Option<usize>, Damaged> {
        let range = self.words_with_prefix(word)?;
        Ok(range
            .into_iter()
            .next()
            .filter(|&at| self.word_text(at).ok() == Some(word)))
    }

    fn word_text(&self, at: usize) -> Result<&str, Damaged> {
        let words = self.section(Section::Words);
        let start = u32_at(words, at * WORD_ENTRY)? as usize;
        let len = u32_at(words, at * WORD_ENTRY + 4)? as usize;
        self.text_in(Section::WordText, (start, len))
    }

    /// (term, best field) of every term containing word `at`, in term order.
    pub fn word_postings(&self, at: usize) -> Result<Vec<(u32, FieldWeight)>, Damaged> {
        let words = self.section(Section::Words);
        let offset = u32_at(words, at * WORD_ENTRY + 8)? as usize;
        let len = u32_at(words, at * WORD_ENTRY + 12)? as usize;
        read_u32s(self.section(Section::WordPostings), offset, len)?
            .into_iter()
            .map(|posting| {
                let weight = FieldWeight::from_code(posting & 3).ok_or(Damaged)?;
                Ok((posting >> 2, weight))
            })
            .collect()
    }

    /// Tags with their term counts, most used first.
    pub fn tags(&self) -> Result<Vec<(String, u32)>, Damaged> {
        postcard::from_bytes(self.section(Section::Tags)).map_err(|_| Damaged)
    }
}

fn key_kind(byte: u8) -> Result<KeyKind, Damaged> {
    [
        KeyKind::Id,
        KeyKind::Abbr,
        KeyKind::English,
        KeyKind::Chinese,
        KeyKind::Alias,
        KeyKind::Initials,
        KeyKind::Pinyin,
        KeyKind::PinyinInitials,
    ]
    .into_iter()
    .find(|kind| *kind as u8 == byte)
    .ok_or(Damaged)
}

/// The positions of `range`, sorted by `text_of`, whose text starts with `prefix`: the
/// first by bisection, the end by galloping from it (the matches are few next to the range,
/// and on the pages the first was found on).
fn prefix_range<'a>(
    range: Range<usize>,
    prefix: &str,
    text_of: impl Fn(usize) -> Result<&'a str, Damaged>,
) -> Result<Range<usize>, Damaged> {
    let first =
        range.start + partition_point(range.len(), |at| Ok(text_of(range.start + at)? < prefix))?;
    let end = gallop(first, range.end, |at| Ok(text_of(at)?.starts_with(prefix)))?;
    Ok(first..end)
}

/// The first index in `0..count` for which `is_before` is false (it must be true, then
/// false, along the range), as `slice::partition_point` but over fallible reads.
fn partition_point(
    count: usize,
    mut is_before: impl FnMut(usize) -> Result<bool, Damaged>,
) -> Result<usize, Damaged> {
    let (mut low, mut high) = (0, count);
    while low < high {
        let middle = low + (high - low) / 2;
        if is_before(middle)? {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    Ok(low)
}

/// `start + partition_point(end - start, ..)` for a predicate indexed from `start`, probing
/// `start`, `start + 1`, `start + 3`, `start + 7`, … before bisecting: cheap when the
/// answer is near `start`, and never more than twice the probes of a bisection.
fn gallop(
    start: usize,
    end: usize,
    mut is_before: impl FnMut(usize) -> Result<bool, Damaged>,
) -> Result<usize, Damaged> {
    let (mut low, mut step) = (start, 1usize);
    let high = loop {
        let probe = low.saturating_add(step - 1);
        if probe >= end {
            break end;
        }
        if !is_before(probe)? {
            break probe;
        }
        low = probe + 1;
        step = step.saturating_mul(2);
    };
    Ok(low + partition_point(high - low, |at| is_before(low + at))?)
}

/// The bytes of `len` u32s starting at u32 number `offset`.
fn u32s_in(bytes: &[u8], offset: usize, len: usize) -> Result<&[u8], Damaged> {
    let end = offset
        .checked_add(len)
        .and_then(|end| end.checked_mul(4))
        .ok_or(Damaged)?;
    bytes.get(offset * 4..end).ok_or(Damaged)
}

fn read_u32s(bytes: &[u8], offset: usize, len: usize) -> Result<Vec<u32>, Damaged> {
    Ok(decode_u32s(u32s_in(bytes, offset, len)?).collect())
}

/// Little-endian u32s, four bytes each.
fn decode_u32s(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|chunk| u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
}

fn byte_at(bytes: &[u8], at: usize) -> Result<u8, Damaged> {
    bytes.get(at).copied().ok_or(Damaged)
}

/// `N` bytes from `at`, or `Damaged` past the end, including an `at` so near the top of
/// the address space that the end overflows (a damaged offset can be anything).
fn array_at<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N], Damaged> {
    let end = at.checked_add(N).ok_or(Damaged)?;
    let mut array = [0u8; N];
    array.copy_from_slice(bytes.get(at..end).ok_or(Damaged)?);
    Ok(array)
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16, Damaged> {
    Ok(u16::from_le_bytes(array_at(bytes, at)?))
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32, Damaged> {
    Ok(u32::from_le_bytes(array_at(bytes, at)?))
}

fn u64_at(bytes: &[u8], at: usize) -> Result<u64, Damaged> {
    Ok(u64::from_le_bytes(array_at(bytes, at)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gallop_finds_what_bisection_finds() {
        for len in 0..40 {
            for split in 0..=len {
                for start in 0..=split {
                    let is_before = |at: usize| Ok(at < split);
                    assert_eq!(
                        gallop(start, len, is_before),
                        Ok(split),
                        "{len} {split} {start}"
                    );
                }
            }
        }
        let failing = |at: usize| if at >= 5 { Err(Damaged) } else { Ok(true) };
        assert_eq!(gallop(0, 10, failing), Err(Damaged));
    }
    use crate::glossary::Term;
    use crate::store::compile;

    fn term(id: &str, en: &str, zh: &str) -> Term {
        Term {
            id: id.into(),
            en: en.into(),
            zh: zh.into(),
            ..Term::default()
        }
    }

    fn store() -> Store {
        let terms = vec![
            term("gan", "Generative Adversarial Network", "生成对抗网络"),
            term("diffusion-model", "Diffusion Model", "扩散模型"),
        ];
        Store::open(Backing::Owned(compile(&terms, Meta::default()))).unwrap()
    }

    #[test]
    fn records_round_trip() {
        let store = store();
        assert_eq!(store.term_count(), 2);
        assert_eq!(store.record(1).unwrap().term.zh, "扩散模型");
        assert_eq!(store.keys(1).unwrap()[0].text, "Diffusion Model");
        assert_eq!(store.names(0).unwrap().zh, "生成对抗网络");
        assert_eq!(store.record(2), Err(Damaged));
    }

    #[test]
    fn exact_lookup_finds_the_slot() {
        let store = store();
        let found = store.lookup(LookupClass::Name, "diffusionmodel").unwrap();
        assert_eq!(found, vec![(1, 0)], "id and English name are one key");
        assert_eq!(store.lookup(LookupClass::Id, "gan").unwrap(), vec![(0, 0)]);
        assert!(store.lookup(LookupClass::Name, "vae").unwrap().is_empty());
    }

    #[test]
    fn prefix_rows_are_found_per_length() {
        let store = store();
        let length = "diffusionmodel".len();
        let rows = store.rows_with_prefix(length, "diff").unwrap();
        assert_eq!(rows.len(), 1);
        let entry = store.key_entry(rows.start).unwrap();
        assert_eq!(store.key_text(&entry).unwrap(), "diffusionmodel");
        assert_eq!(
            store.key_words(&entry).unwrap().collect::<Vec<_>>(),
            vec!["diffusion", "model"]
        );
    }

    #[test]
    fn words_are_found_by_prefix() {
        let store = store();
        let range = store.words_with_prefix("adver").unwrap();
        assert_eq!(range.len(), 1);
        assert_eq!(
            store.word_postings(range.start).unwrap(),
            vec![(0, FieldWeight::Name)]
        );
        assert!(store.word("扩散").unwrap().is_some());
    }

    /// Found by the `open_index` fuzz target: an offset near the top of the address space
    /// overflowed the bounds check's addition (a panic in builds with overflow checks).
    #[test]
    fn an_offset_at_the_end_of_the_address_space_is_damage() {
        let bytes = compile(&[term("gan", "GAN", "生成对抗网络")], Meta::default());
        let offsets_start = {
            let store = Store::open(Backing::Owned(bytes.clone())).unwrap();
            store.sections[Section::Offsets as usize].start
        };
        for offset in [u64::MAX, u64::MAX - 7, u64::MAX - 3] {
            let mut damaged = bytes.clone();
            damaged[offsets_start..offsets_start + 8].copy_from_slice(&offset.to_le_bytes());
            let store = Store::open(Backing::Owned(damaged)).unwrap();
            assert_eq!(store.record(0), Err(Damaged), "{offset}");
        }
    }

    #[test]
    fn damage_is_detected_not_panicked_on() {
        let bytes = compile(&[term("gan", "GAN", "生成对抗网络")], Meta::default());
        for cut in [0, 7, 31, 60, bytes.len() / 2] {
            let _ = Store::open(Backing::Owned(bytes[..cut].to_vec()));
        }
        assert!(Store::open(Backing::Owned(bytes[..bytes.len() / 2].to_vec())).is_err());
        let mut flipped = bytes.clone();
        flipped[20] ^= 0xff;
        assert!(Store::open(Backing::Owned(flipped)).is_err());
        let records_start = {
            let store = Store::open(Backing::Owned(bytes.clone())).unwrap();
            store.sections[Section::Records as usize].start
        };
        let mut damaged_record = bytes;
        damaged_record[records_start + 20] ^= 0x55;
        let store = Store::open(Backing::Owned(damaged_record)).unwrap();
        assert_eq!(store.record(0), Err(Damaged));
        assert_eq!(
            store.keys(0),
            Err(Damaged),
            "one checksum covers both parts"
        );
    }
}
