//! Compiling terms into the index format of `format.rs`. Runs in the build script for the
//! shipped glossary and at run time for user glossaries (then cached). Pure: terms in,
//! bytes out, the same bytes for the same terms.
//!
//! The work per term (its keys, its record, its words and grams) is done by one worker per
//! core over contiguous chunks of terms; the main thread then sorts and writes the tables.
//! Sections are written straight into the output, so the index is never held twice.

use std::ops::Range;

use rustc_hash::FxHashMap;

use super::format::{
    checksum, gram_hash, header_checksum, padded_bigrams, sorted_letters, text_hash, FieldWeight,
    Links, LookupClass, Meta, Section, FIXED_HEADER, FORMAT_VERSION, GRAM_ENTRY, KEY_ENTRY,
    LOOKUP_ENTRY, MAGIC, WORD_ENTRY, WORD_SEPARATOR,
};
use crate::glossary::Term;
use crate::matching::{fold_for_search, is_han, term_keys, Key, KeyKind, MAX_TYPO_KEY};

/// Keys longer than this (in bytes) stay out of the prefix and typo tables: nobody types
/// them as a prefix or misspells them, and exact lookup still finds them by hash.
const MAX_TABLE_KEY_BYTES: usize = 1024;
/// Fewer terms than this are compiled on one thread: starting workers would cost more.
const PARALLEL_FROM_TERMS: usize = 2048;

/// The compiled index of `terms` (already validated; unknown link ids are skipped).
/// `meta` supplies the tool stamp and sources; counts are filled in here.
pub fn compile(terms: &[Term], meta: Meta) -> Vec<u8> {
    Prepared::new(terms).write(meta)
}

/// The per-term work of a compile, done. It owns everything the tables need, so a caller
/// holding a large glossary can drop the terms before the tables are written: at 100,000
/// terms the parsed terms are a third of the cold run's peak memory.
pub struct Prepared {
    chunks: Vec<Chunk>,
    tags: Vec<u8>,
    term_count: u32,
}

impl Prepared {
    pub fn new(terms: &[Term]) -> Prepared {
        let links = resolve_links(terms);
        let chunks = in_chunks(terms, |first, slice| {
            Chunk::build(first, slice, &links[first..first + slice.len()])
        });
        Prepared {
            chunks,
            tags: tag_counts(terms),
            term_count: terms.len() as u32,
        }
    }

    /// The index bytes. Each chunk's records and tables are freed once written.
    pub fn write(self, mut meta: Meta) -> Vec<u8> {
        let Prepared {
            mut chunks,
            tags,
            term_count,
        } = self;
        let rows = sorted_rows(&chunks);
        meta.term_count = term_count;
        meta.max_key_length = rows.last().map_or(0, |row| {
            chunks[row.0 as usize].facts[row.1 as usize].length as u32
        });
        let records: usize = chunks.iter().map(|chunk| chunk.records.len()).sum();
        let mut out = Output::new(&meta);
        // The records are most of the index; the tables come to about a third more.
        out.bytes.reserve(records + records / 3);
        write_records(&mut out, &chunks);
        for chunk in &mut chunks {
            chunk.records = Vec::new();
            chunk.starts = Vec::new();
        }
        write_key_table(&mut out, &chunks, &rows, meta.max_key_length as usize);
        write_lookup(&mut out, &chunks);
        for chunk in &mut chunks {
            chunk.lookup = Vec::new();
        }
        write_grams(&mut out, &chunks, &rows);
        drop(rows);
        for chunk in &mut chunks {
            chunk.grams = FxHashMap::default();
            chunk.facts = Vec::new();
            chunk.arena = String::new();
        }
        write_words(&mut out, chunks);
        out.section(&tags);
        out.finish(&meta)
    }
}

/// The same sections under a new meta (a cache whose sources were touched but not changed).
pub fn restamp(sections: &[&[u8]], meta: &Meta) -> Vec<u8> {
    let mut out = Output::new(meta);
    for bytes in sections {
        out.section(bytes);
    }
    out.finish(meta)
}

/// Runs `work` on contiguous chunks of `items`, one per core, and returns the results in
/// order; small inputs are one chunk on this thread.
fn in_chunks<T: Sync, R: Send>(items: &[T], work: impl Fn(usize, &[T]) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if items.len() < PARALLEL_FROM_TERMS || cores < 2 {
        return vec![work(0, items)];
    }
    let size = items.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(at, slice)| {
                let work = &work;
                scope.spawn(move || work(at * size, slice))
            })
            .collect();
        handles
            .into_iter()
            // A worker only panics on a bug; re-raise it here rather than write a broken index.
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

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

/// A `Record` by reference: serialises to the same bytes without copying the term.
#[derive(serde::Serialize)]
struct RecordRef<'a> {
    term: &'a Term,
    links: &'a Links,
}

/// What the tables need to know of one key, its texts kept in the chunk's arena.
struct KeyFact {
    term: u32,
    slot: u16,
    kind: KeyKind,
    length: u16,
    normalized: Range<u32>,
    /// The key's words joined by U+001F.
    words: Range<u32>,
}

/// Everything the terms of one chunk contribute to the index.
struct Chunk {
    /// Framed records, back to back, and where each starts within `records`.
    records: Vec<u8>,
    starts: Vec<u64>,
    /// Key texts, referred to by `facts`.
    arena: String,
    /// Keys that go into the prefix and typo tables.
    facts: Vec<KeyFact>,
    /// Exact-lookup entries: (hash, term, slot, class).
    lookup: Vec<(u64, u32, u16, u8)>,
    /// Bigram postings per gram hash, as indices into `facts`.
    grams: FxHashMap<u64, Vec<u32>>,
    /// Full-text postings per word: term << 2 | field weight, in term order.
    words: FxHashMap<String, Vec<u32>>,
}

impl Chunk {
    fn build(first: usize, terms: &[Term], links: &[Links]) -> Chunk {
        let mut chunk = Chunk {
            records: Vec::new(),
            starts: Vec::with_capacity(terms.len()),
            arena: String::new(),
            facts: Vec::new(),
            lookup: Vec::new(),
            grams: FxHashMap::default(),
            words: FxHashMap::default(),
        };
        for (at, (term, links)) in terms.iter().zip(links).enumerate() {
            let number = (first + at) as u32;
            let keys = term_keys(term);
            chunk.add_record(term, &keys, links);
            chunk.add_keys(number, term, &keys);
            chunk.add_words(number, term);
        }
        chunk
    }

    fn add_record(&mut self, term: &Term, keys: &[Key], links: &Links) {
        self.starts.push(self.records.len() as u64);
        // Serialising plain data into a Vec cannot fail; an empty payload would only make
        // the record unreadable, which the reader reports as damage.
        let head = postcard::to_allocvec(&RecordRef { term, links }).unwrap_or_default();
        let keys = postcard::to_allocvec(keys).unwrap_or_default();
        let mut rest = Vec::with_capacity(8 + head.len() + keys.len());
        rest.extend_from_slice(&(head.len() as u32).to_le_bytes());
        rest.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        rest.extend_from_slice(&head);
        rest.extend_from_slice(&keys);
        self.records
            .extend_from_slice(&checksum(&rest).to_le_bytes());
        self.records.extend_from_slice(&rest);
    }

    fn add_keys(&mut self, number: u32, term: &Term, keys: &[Key]) {
        self.lookup.push((
            text_hash(term.id.as_bytes()),
            number,
            0,
            LookupClass::Id as u8,
        ));
        for (slot, key) in keys.iter().enumerate().take(u16::MAX as usize) {
            let slot = slot as u16;
            let mut add = |class: LookupClass, text: &str| {
                self.lookup
                    .push((text_hash(text.as_bytes()), number, slot, class as u8));
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
            // Ids are handles for exact lookup and links, not names people misspell or
            // type the start of: they stay out of the fuzzy rules' table.
            let in_table =
                (key.kind.is_name() && key.kind != KeyKind::Id) || key.kind == KeyKind::Pinyin;
            if !in_table || key.normalized.len() > MAX_TABLE_KEY_BYTES {
                continue;
            }
            let length = key.length.min(u16::MAX as usize) as u16;
            let fact = self.facts.len() as u32;
            if (length as usize) <= MAX_TYPO_KEY {
                for bigram in padded_bigrams(&key.normalized) {
                    self.grams
                        .entry(gram_hash(bigram, length as usize))
                        .or_default()
                        .push(fact);
                }
            }
            let normalized = self.push_text(&key.normalized);
            let start = self.arena.len() as u32;
            for (at, word) in key.words().enumerate() {
                if at > 0 {
                    self.arena.push(WORD_SEPARATOR);
                }
                self.arena.push_str(word);
            }
            let words = truncate_range(&self.arena, start, u16::MAX as usize);
            self.facts.push(KeyFact {
                term: number,
                slot,
                kind: key.kind,
                length,
                normalized,
                words,
            });
        }
    }

    fn push_text(&mut self, text: &str) -> Range<u32> {
        let start = self.arena.len() as u32;
        self.arena.push_str(text);
        start..self.arena.len() as u32
    }

    fn text(&self, range: &Range<u32>) -> &str {
        &self.arena[range.start as usize..range.end as usize]
    }

    fn add_words(&mut self, number: u32, term: &Term) {
        // Words are slices of the folded fields, so a term costs one allocation per field
        // and one per word the chunk has not seen yet.
        let folded: Vec<(String, FieldWeight)> = search_fields(term)
            .into_iter()
            .map(|(text, weight)| (fold_for_search(text), weight))
            .collect();
        let mut best: FxHashMap<&str, FieldWeight> = FxHashMap::default();
        for (text, weight) in &folded {
            index_words(text, |word| {
                let entry = best.entry(word).or_insert(*weight);
                *entry = (*entry).max(*weight);
            });
        }
        for (word, weight) in best {
            let posting = (number << 2) | weight as u32;
            match self.words.get_mut(word) {
                Some(list) => list.push(posting),
                None => {
                    self.words.insert(word.to_string(), vec![posting]);
                }
            }
        }
    }
}

/// The range of the text pushed since `start`, cut to at most `max` bytes at a character
/// boundary.
fn truncate_range(arena: &str, start: u32, max: usize) -> Range<u32> {
    let text = &arena[start as usize..];
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    start..start + end as u32
}

/// Every key fact as (chunk, fact), sorted by (length, text, term, slot): the row order
/// of the `keys` table.
fn sorted_rows(chunks: &[Chunk]) -> Vec<(u32, u32)> {
    let mut rows: Vec<(u32, u32)> = chunks
        .iter()
        .enumerate()
        .flat_map(|(at, chunk)| (0..chunk.facts.len() as u32).map(move |fact| (at as u32, fact)))
        .collect();
    let fact = |row: &(u32, u32)| -> (&Chunk, &KeyFact) {
        let chunk = &chunks[row.0 as usize];
        (chunk, &chunk.facts[row.1 as usize])
    };
    rows.sort_unstable_by(|a, b| {
        let ((chunk_a, a), (chunk_b, b)) = (fact(a), fact(b));
        (a.length, chunk_a.text(&a.normalized), a.term, a.slot).cmp(&(
            b.length,
            chunk_b.text(&b.normalized),
            b.term,
            b.slot,
        ))
    });
    rows
}

fn write_records(out: &mut Output, chunks: &[Chunk]) {
    let mut offsets = Vec::new();
    let mut base = 0u64;
    for chunk in chunks {
        offsets.extend(chunk.starts.iter().map(|start| base + start));
        base += chunk.records.len() as u64;
    }
    out.section_from_parts(chunks.iter().map(|chunk| chunk.records.as_slice()));
    let mut bytes = Vec::with_capacity(offsets.len() * 8);
    for offset in offsets {
        bytes.extend_from_slice(&offset.to_le_bytes());
    }
    out.section(&bytes);
}

/// The `keys`, `key-text` and `lengths` sections.
fn write_key_table(out: &mut Output, chunks: &[Chunk], rows: &[(u32, u32)], max_length: usize) {
    let mut entries = Vec::with_capacity(rows.len() * KEY_ENTRY);
    let mut text = Vec::new();
    for &(chunk, fact) in rows {
        let chunk = &chunks[chunk as usize];
        let fact = &chunk.facts[fact as usize];
        let normalized = chunk.text(&fact.normalized);
        let words = chunk.text(&fact.words);
        entries.extend_from_slice(&fact.term.to_le_bytes());
        entries.extend_from_slice(&(text.len() as u32).to_le_bytes());
        entries.extend_from_slice(&(normalized.len() as u32).to_le_bytes());
        text.extend_from_slice(normalized.as_bytes());
        entries.extend_from_slice(&(text.len() as u32).to_le_bytes());
        entries.extend_from_slice(&(words.len() as u16).to_le_bytes());
        text.extend_from_slice(words.as_bytes());
        entries.extend_from_slice(&fact.length.to_le_bytes());
        entries.extend_from_slice(&fact.slot.to_le_bytes());
        entries.push(fact.kind as u8);
        entries.push(0);
    }
    out.section(&entries);
    out.section(&text);
    // `starts[length]` = first row of that length; one extra entry closes the last bucket.
    let mut lengths = Vec::with_capacity((max_length + 2) * 4);
    let mut row = 0;
    for length in 0..=max_length + 1 {
        while row < rows.len()
            && (chunks[rows[row].0 as usize].facts[rows[row].1 as usize].length as usize) < length
        {
            row += 1;
        }
        lengths.extend_from_slice(&(row as u32).to_le_bytes());
    }
    out.section(&lengths);
}

/// Exact-lookup entries of every chunk, sorted.
fn write_lookup(out: &mut Output, chunks: &[Chunk]) {
    let mut entries: Vec<(u64, u32, u16, u8)> = chunks
        .iter()
        .flat_map(|chunk| chunk.lookup.iter().copied())
        .collect();
    entries.sort_unstable();
    entries.dedup();
    let mut bytes = Vec::with_capacity(entries.len() * LOOKUP_ENTRY);
    for (hash, term, slot, class) in entries {
        bytes.extend_from_slice(&hash.to_le_bytes());
        bytes.extend_from_slice(&term.to_le_bytes());
        bytes.extend_from_slice(&slot.to_le_bytes());
        bytes.push(class);
        bytes.push(0);
    }
    out.section(&bytes);
}

/// Bigram postings as rows of the `keys` table, sorted by row, grams sorted by hash.
fn write_grams(out: &mut Output, chunks: &[Chunk], rows: &[(u32, u32)]) {
    // Where each fact ended up in the sorted table.
    let mut row_of: Vec<Vec<u32>> = chunks
        .iter()
        .map(|chunk| vec![0; chunk.facts.len()])
        .collect();
    for (row, &(chunk, fact)) in rows.iter().enumerate() {
        row_of[chunk as usize][fact as usize] = row as u32;
    }
    let mut merged: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    for (at, chunk) in chunks.iter().enumerate() {
        for (hash, facts) in &chunk.grams {
            merged
                .entry(*hash)
                .or_default()
                .extend(facts.iter().map(|&fact| row_of[at][fact as usize]));
        }
    }
    drop(row_of);
    let mut grams: Vec<(u64, Vec<u32>)> = merged.into_iter().collect();
    grams.sort_unstable_by_key(|(hash, _)| *hash);
    let mut entries = Vec::with_capacity(grams.len() * GRAM_ENTRY);
    let mut postings = Vec::new();
    for (hash, mut list) in grams {
        list.sort_unstable();
        entries.extend_from_slice(&hash.to_le_bytes());
        entries.extend_from_slice(&((postings.len() / 4) as u32).to_le_bytes());
        entries.extend_from_slice(&(list.len() as u32).to_le_bytes());
        for row in list {
            postings.extend_from_slice(&row.to_le_bytes());
        }
    }
    out.section(&entries);
    out.section(&postings);
}

/// The word table: every chunk's postings merged (chunks hold ascending terms, so lists
/// stay in term order), words sorted.
fn write_words(out: &mut Output, chunks: Vec<Chunk>) {
    let mut merged: FxHashMap<String, Vec<u32>> = FxHashMap::default();
    for chunk in chunks {
        if merged.is_empty() {
            merged = chunk.words;
            continue;
        }
        for (word, list) in chunk.words {
            merged.entry(word).or_default().extend(list);
        }
    }
    let mut words: Vec<(String, Vec<u32>)> = merged.into_iter().collect();
    words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut entries = Vec::with_capacity(words.len() * WORD_ENTRY);
    let mut text = Vec::new();
    let mut postings = Vec::new();
    for (word, list) in words {
        entries.extend_from_slice(&(text.len() as u32).to_le_bytes());
        entries.extend_from_slice(&(word.len() as u32).to_le_bytes());
        entries.extend_from_slice(&((postings.len() / 4) as u32).to_le_bytes());
        entries.extend_from_slice(&(list.len() as u32).to_le_bytes());
        text.extend_from_slice(word.as_bytes());
        for posting in list {
            postings.extend_from_slice(&posting.to_le_bytes());
        }
    }
    out.section(&entries);
    out.section(&text);
    out.section(&postings);
}

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

/// What a folded text contributes to the word table: Latin words whole (runs of letters
/// and digits), Han runs as their single characters and character pairs (any Chinese word
/// is found through its pairs). The same cut as `text_tokens`, on text already folded.
pub fn index_words<'a>(folded: &'a str, mut visit: impl FnMut(&'a str)) {
    let mut latin_start: Option<usize> = None;
    let mut previous_han: Option<usize> = None;
    for (at, c) in folded.char_indices() {
        let han = is_han(c);
        if han || !c.is_alphanumeric() {
            if let Some(start) = latin_start.take() {
                visit(&folded[start..at]);
            }
        }
        if han {
            let end = at + c.len_utf8();
            visit(&folded[at..end]);
            if let Some(start) = previous_han {
                visit(&folded[start..end]);
            }
            previous_han = Some(at);
        } else {
            previous_han = None;
            if c.is_alphanumeric() && latin_start.is_none() {
                latin_start = Some(at);
            }
        }
    }
    if let Some(start) = latin_start {
        visit(&folded[start..]);
    }
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

/// The index being written: the header reserved at the front, each section appended at an
/// 8-byte boundary, the section table and checksum filled in by `finish`.
struct Output {
    bytes: Vec<u8>,
    sections: Vec<(u64, u64)>,
    header_len: usize,
}

impl Output {
    fn new(meta: &Meta) -> Output {
        let header_len = FIXED_HEADER + Section::ALL.len() * 16 + meta_bytes(meta).len();
        let bytes = vec![0; align(header_len)];
        Output {
            bytes,
            sections: Vec::with_capacity(Section::ALL.len()),
            header_len,
        }
    }

    fn section(&mut self, bytes: &[u8]) {
        self.section_from_parts(std::iter::once(bytes));
    }

    fn section_from_parts<'a>(&mut self, parts: impl Iterator<Item = &'a [u8]>) {
        let start = self.bytes.len();
        for part in parts {
            self.bytes.extend_from_slice(part);
        }
        self.sections
            .push((start as u64, (self.bytes.len() - start) as u64));
        self.bytes.resize(align(self.bytes.len()), 0);
    }

    /// The header: magic, version, counts, checksum, section table, meta. The meta must be
    /// the one `new` was sized for, but for counts filled in since (same encoded length is
    /// not assumed: the header is rebuilt to its real length if it changed).
    fn finish(self, meta: &Meta) -> Vec<u8> {
        debug_assert_eq!(self.sections.len(), Section::ALL.len());
        let meta = meta_bytes(meta);
        let header_len = FIXED_HEADER + self.sections.len() * 16 + meta.len();
        let shift = align(header_len) as i64 - align(self.header_len) as i64;
        let mut covered = Vec::with_capacity(header_len - FIXED_HEADER);
        for &(offset, len) in &self.sections {
            covered.extend_from_slice(&((offset as i64 + shift) as u64).to_le_bytes());
            covered.extend_from_slice(&len.to_le_bytes());
        }
        covered.extend_from_slice(&meta);
        let mut fixed = Vec::with_capacity(FIXED_HEADER);
        fixed.extend_from_slice(&MAGIC);
        fixed.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        fixed.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        fixed.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        fixed.extend_from_slice(&0u32.to_le_bytes());
        let sum = header_checksum(&fixed, &covered);
        fixed.extend_from_slice(&sum.to_le_bytes());
        let mut header = fixed;
        header.extend_from_slice(&covered);
        header.resize(align(header_len), 0);
        let mut bytes = self.bytes;
        let old = align(self.header_len);
        if header.len() == old {
            bytes[..old].copy_from_slice(&header);
            bytes
        } else {
            // The meta grew (counts filled in after sizing): one copy to make room.
            let mut moved = header;
            moved.extend_from_slice(&bytes[old..]);
            moved
        }
    }
}

fn meta_bytes(meta: &Meta) -> Vec<u8> {
    postcard::to_allocvec(meta).unwrap_or_default()
}

fn align(offset: usize) -> usize {
    offset.div_ceil(8) * 8
}
