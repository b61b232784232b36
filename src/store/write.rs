//! Compiling terms into the index format of `format.rs`. Runs in the build script for the
//! shipped glossary and at run time for user glossaries (then cached). Pure: terms in,
//! bytes out, the same bytes for the same terms.

use rustc_hash::FxHashMap;

use super::format::{
    checksum, gram_hash, header_checksum, padded_bigrams, sorted_letters, text_hash, FieldWeight,
    Links, LookupClass, Meta, Record, Section, FIXED_HEADER, FORMAT_VERSION, MAGIC, WORD_SEPARATOR,
};
use crate::glossary::Term;
use crate::matching::text_tokens;
use crate::matching::{term_keys, Key, KeyKind, Token, MAX_TYPO_KEY};

/// Keys longer than this (in bytes) stay out of the prefix and typo tables: nobody types
/// them as a prefix or misspells them, and exact lookup still finds them by hash.
const MAX_TABLE_KEY_BYTES: usize = 1024;

/// The compiled index of `terms` (already validated; unknown link ids are skipped).
/// `meta` supplies the tool stamp and sources; counts are filled in here.
pub fn compile(terms: &[Term], mut meta: Meta) -> Vec<u8> {
    let links = resolve_links(terms);
    let keys: Vec<Vec<Key>> = terms.iter().map(term_keys).collect();
    let (records, offsets) = write_records(terms, &keys, links);
    let table = KeyTable::new(&keys);
    meta.term_count = terms.len() as u32;
    meta.max_key_length = table.max_length as u32;
    let (grams, gram_postings) = gram_table(&table);
    let words = WordTable::new(terms);
    // In the order of `Section::ALL`: the reader finds sections by position.
    let sections = vec![
        records,
        offsets,
        table.entries_bytes(),
        table.text.clone(),
        table.length_starts(),
        lookup_table(terms, &keys),
        grams,
        gram_postings,
        words.entries,
        words.text,
        words.postings,
        tag_counts(terms),
    ];
    debug_assert_eq!(sections.len(), Section::ALL.len());
    assemble(&sections, &meta)
}

/// The same sections under a new meta (a cache whose sources were touched but not changed).
pub fn restamp(sections: &[&[u8]], meta: &Meta) -> Vec<u8> {
    let owned: Vec<Vec<u8>> = sections.iter().map(|bytes| bytes.to_vec()).collect();
    assemble(&owned, meta)
}

/// Links as term numbers, in both directions, in glossary order.
fn resolve_links(terms: &[Term]) -> Vec<Links> {
    let mut position: FxHashMap<&str, u32> = FxHashMap::default();
    for (at, term) in terms.iter().enumerate() {
        position.entry(term.id.as_str()).or_insert(at as u32);
    }
    let resolve = |ids: &[String]| -> Vec<u32> {
        let mut found: Vec<u32> = Vec::new();
        for id in ids {
            if let Some(&at) = position.get(id.as_str()) {
                if !found.contains(&at) {
                    found.push(at);
                }
            }
        }
        found
    };
    let mut links: Vec<Links> = terms
        .iter()
        .map(|term| Links {
            broader: resolve(&term.broader),
            related: resolve(&term.related),
            ..Links::default()
        })
        .collect();
    for from in 0..terms.len() {
        for to in links[from].broader.clone() {
            if to as usize != from {
                links[to as usize].narrower.push(from as u32);
            }
        }
        for to in links[from].related.clone() {
            if to as usize != from {
                links[to as usize].referenced_by.push(from as u32);
            }
        }
    }
    links
}

fn write_records(terms: &[Term], keys: &[Vec<Key>], links: Vec<Links>) -> (Vec<u8>, Vec<u8>) {
    let mut records = Vec::new();
    let mut offsets = Vec::with_capacity(terms.len() * 8);
    for ((term, keys), links) in terms.iter().zip(keys).zip(links) {
        offsets.extend_from_slice(&(records.len() as u64).to_le_bytes());
        let record = Record {
            term: term.clone(),
            keys: keys.clone(),
            links,
        };
        // Serialising plain owned data into a Vec cannot fail; an empty payload would
        // only make the record unreadable, which the reader reports as damage.
        let payload = postcard::to_allocvec(&record).unwrap_or_default();
        records.extend_from_slice(&checksum(&payload).to_le_bytes());
        records.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        records.extend_from_slice(&payload);
    }
    (records, offsets)
}

/// One row of the `keys` table before it is written.
struct KeyRow {
    term: u32,
    slot: u16,
    kind: KeyKind,
    length: u16,
    text: (u32, u32),
    words: (u32, u16),
    normalized: String,
}

/// Name and pinyin keys sorted by (length, text), with their texts in one blob.
struct KeyTable {
    rows: Vec<KeyRow>,
    text: Vec<u8>,
    max_length: usize,
}

impl KeyTable {
    fn new(keys: &[Vec<Key>]) -> KeyTable {
        let mut rows = Vec::new();
        for (term, term_keys) in keys.iter().enumerate() {
            for (slot, key) in term_keys.iter().enumerate() {
                let wanted = key.kind.is_name() || key.kind == KeyKind::Pinyin;
                if !wanted || key.normalized.len() > MAX_TABLE_KEY_BYTES || slot > u16::MAX as usize
                {
                    continue;
                }
                rows.push(KeyRow {
                    term: term as u32,
                    slot: slot as u16,
                    kind: key.kind,
                    length: key.length.min(u16::MAX as usize) as u16,
                    text: (0, 0),
                    words: (0, 0),
                    normalized: key.normalized.clone(),
                });
            }
        }
        rows.sort_by(|a, b| {
            (a.length, a.normalized.as_str(), a.term, a.slot).cmp(&(
                b.length,
                b.normalized.as_str(),
                b.term,
                b.slot,
            ))
        });
        let mut text = Vec::new();
        for row in &mut rows {
            let key = &keys[row.term as usize][row.slot as usize];
            row.text = (text.len() as u32, key.normalized.len() as u32);
            text.extend_from_slice(key.normalized.as_bytes());
            let words = key.words.join(&WORD_SEPARATOR.to_string());
            let words = truncate_at_char(&words, u16::MAX as usize);
            row.words = (text.len() as u32, words.len() as u16);
            text.extend_from_slice(words.as_bytes());
        }
        let max_length = rows
            .iter()
            .map(|row| row.length as usize)
            .max()
            .unwrap_or(0);
        KeyTable {
            rows,
            text,
            max_length,
        }
    }

    fn entries_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.rows.len() * super::format::KEY_ENTRY);
        for row in &self.rows {
            bytes.extend_from_slice(&row.term.to_le_bytes());
            bytes.extend_from_slice(&row.text.0.to_le_bytes());
            bytes.extend_from_slice(&row.text.1.to_le_bytes());
            bytes.extend_from_slice(&row.words.0.to_le_bytes());
            bytes.extend_from_slice(&row.words.1.to_le_bytes());
            bytes.extend_from_slice(&row.length.to_le_bytes());
            bytes.extend_from_slice(&row.slot.to_le_bytes());
            bytes.push(row.kind as u8);
            bytes.push(0);
        }
        bytes
    }

    /// `starts[length]` = first row of that length; one extra entry closes the last bucket.
    fn length_starts(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity((self.max_length + 2) * 4);
        let mut row = 0;
        for length in 0..=self.max_length + 1 {
            while row < self.rows.len() && (self.rows[row].length as usize) < length {
                row += 1;
            }
            bytes.extend_from_slice(&(row as u32).to_le_bytes());
        }
        bytes
    }
}

fn truncate_at_char(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Exact-lookup entries: (hash, term, slot, class), sorted.
fn lookup_table(terms: &[Term], keys: &[Vec<Key>]) -> Vec<u8> {
    let mut entries: Vec<(u64, u32, u16, u8)> = Vec::new();
    for (term_number, (term, term_keys)) in terms.iter().zip(keys).enumerate() {
        let term_number = term_number as u32;
        entries.push((
            text_hash(term.id.as_bytes()),
            term_number,
            0,
            LookupClass::Id as u8,
        ));
        for (slot, key) in term_keys.iter().enumerate().take(u16::MAX as usize) {
            let slot = slot as u16;
            let mut add = |class: LookupClass, text: &str| {
                entries.push((text_hash(text.as_bytes()), term_number, slot, class as u8));
            };
            match key.kind {
                kind if kind.is_name() => add(LookupClass::Name, &key.normalized),
                KeyKind::Pinyin => add(LookupClass::Pinyin, &key.normalized),
                KeyKind::PinyinInitials => add(LookupClass::PinyinInitials, &key.normalized),
                KeyKind::Initials => {
                    add(LookupClass::Initials, &key.normalized);
                    add(
                        LookupClass::SortedInitials,
                        &sorted_letters(&key.normalized),
                    );
                }
                _ => {}
            }
        }
    }
    entries.sort_unstable();
    entries.dedup();
    let mut bytes = Vec::with_capacity(entries.len() * super::format::LOOKUP_ENTRY);
    for (hash, term, slot, class) in entries {
        bytes.extend_from_slice(&hash.to_le_bytes());
        bytes.extend_from_slice(&term.to_le_bytes());
        bytes.extend_from_slice(&slot.to_le_bytes());
        bytes.push(class);
        bytes.push(0);
    }
    bytes
}

/// Bigram postings per key length, over keys short enough for the typo rule.
fn gram_table(table: &KeyTable) -> (Vec<u8>, Vec<u8>) {
    let mut postings: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    for (entry, row) in table.rows.iter().enumerate() {
        if row.length as usize > MAX_TYPO_KEY {
            continue;
        }
        for bigram in padded_bigrams(&row.normalized) {
            postings
                .entry(gram_hash(&bigram, row.length as usize))
                .or_default()
                .push(entry as u32);
        }
    }
    let mut grams: Vec<(u64, Vec<u32>)> = postings.into_iter().collect();
    grams.sort_unstable_by_key(|(hash, _)| *hash);
    let mut entries = Vec::with_capacity(grams.len() * super::format::GRAM_ENTRY);
    let mut blob = Vec::new();
    for (hash, list) in grams {
        entries.extend_from_slice(&hash.to_le_bytes());
        entries.extend_from_slice(&((blob.len() / 4) as u32).to_le_bytes());
        entries.extend_from_slice(&(list.len() as u32).to_le_bytes());
        for entry in list {
            blob.extend_from_slice(&entry.to_le_bytes());
        }
    }
    (entries, blob)
}

/// Full-text tokens of every term with the best field each appears in.
struct WordTable {
    entries: Vec<u8>,
    text: Vec<u8>,
    postings: Vec<u8>,
}

impl WordTable {
    fn new(terms: &[Term]) -> WordTable {
        let mut postings: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut best: FxHashMap<String, FieldWeight> = FxHashMap::default();
        for (term_number, term) in terms.iter().enumerate() {
            best.clear();
            for (text, weight) in search_fields(term) {
                for word in index_words(text) {
                    let entry = best.entry(word).or_insert(weight);
                    *entry = (*entry).max(weight);
                }
            }
            for (word, weight) in best.drain() {
                postings
                    .entry(word)
                    .or_default()
                    .push(((term_number as u32) << 2) | weight as u32);
            }
        }
        let mut words: Vec<(String, Vec<u32>)> = postings.into_iter().collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut table = WordTable {
            entries: Vec::with_capacity(words.len() * super::format::WORD_ENTRY),
            text: Vec::new(),
            postings: Vec::new(),
        };
        for (word, mut list) in words {
            list.sort_unstable();
            table
                .entries
                .extend_from_slice(&(table.text.len() as u32).to_le_bytes());
            table
                .entries
                .extend_from_slice(&(word.len() as u32).to_le_bytes());
            table
                .entries
                .extend_from_slice(&((table.postings.len() / 4) as u32).to_le_bytes());
            table
                .entries
                .extend_from_slice(&(list.len() as u32).to_le_bytes());
            table.text.extend_from_slice(word.as_bytes());
            for posting in list {
                table.postings.extend_from_slice(&posting.to_le_bytes());
            }
        }
        table
    }
}

/// The texts full-text search looks at, with what a hit in each is worth.
pub fn search_fields(term: &Term) -> Vec<(&str, FieldWeight)> {
    let mut fields = vec![
        (term.en.as_str(), FieldWeight::Name),
        (term.zh.as_str(), FieldWeight::Name),
    ];
    fields.extend(
        term.abbr
            .iter()
            .chain(&term.aliases)
            .map(|name| (name.as_str(), FieldWeight::Alias)),
    );
    fields.push((term.definition.en.as_str(), FieldWeight::Definition));
    fields.push((term.definition.zh.as_str(), FieldWeight::Definition));
    fields
}

/// What a text contributes to the word table: Latin words whole, Han runs as their single
/// characters and character pairs (any Chinese word is found through its pairs).
pub fn index_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for token in text_tokens(text) {
        match token {
            Token::Latin(word) => words.push(word),
            Token::Han(run) => {
                let chars: Vec<char> = run.chars().collect();
                words.extend(chars.iter().map(char::to_string));
                words.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
            }
        }
    }
    words
}

fn tag_counts(terms: &[Term]) -> Vec<u8> {
    let mut counts: FxHashMap<&str, u32> = FxHashMap::default();
    for term in terms {
        for tag in &term.tags {
            *counts.entry(tag.as_str()).or_default() += 1;
        }
    }
    let mut list: Vec<(String, u32)> = counts
        .into_iter()
        .map(|(tag, count)| (tag.to_string(), count))
        .collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    postcard::to_allocvec(&list).unwrap_or_default()
}

/// Header, then each section at an 8-byte boundary.
fn assemble(sections: &[Vec<u8>], meta: &Meta) -> Vec<u8> {
    let meta_bytes = postcard::to_allocvec(meta).unwrap_or_default();
    let table_len = sections.len() * 16;
    let header_len = FIXED_HEADER + table_len + meta_bytes.len();
    let mut offset = align(header_len);
    let mut table = Vec::with_capacity(table_len);
    for bytes in sections {
        table.extend_from_slice(&(offset as u64).to_le_bytes());
        table.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        offset = align(offset + bytes.len());
    }
    let mut out = Vec::with_capacity(offset);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    out.extend_from_slice(&(meta_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    let mut covered = table;
    covered.extend_from_slice(&meta_bytes);
    out.extend_from_slice(&header_checksum(&out, &covered).to_le_bytes());
    out.extend_from_slice(&covered);
    for bytes in sections {
        out.resize(align(out.len()), 0);
        out.extend_from_slice(bytes);
    }
    out.resize(align(out.len()), 0);
    out
}

fn align(offset: usize) -> usize {
    offset.div_ceil(8) * 8
}
