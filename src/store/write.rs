//! Compiling terms into the index format of `format.rs`. Runs in the build script for the
//! shipped glossary and at run time for user glossaries (then cached). Pure: terms in,
//! bytes out, the same bytes for the same terms.
//!
//! The work per term (its keys, its record, its words) is done by one worker per core on
//! batches of terms taken in turn; records are written out in term order as their batches
//! finish, and the main thread then sorts and writes the tables, with the gram lists
//! gathered on a second thread meanwhile. Everything goes straight into the sink (the
//! cache file, at run time), so that at 100,000 terms neither the records nor the
//! finished index are ever held in memory.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::BTreeMap;
use std::io::{self, Cursor, Seek, SeekFrom, Write};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

use rustc_hash::FxHashMap;

use super::format::{
    checksum, gram_key, header_checksum, padded_bigrams_into, sorted_letters, text_hash,
    FieldWeight, Links, LookupClass, Meta, Section, FIXED_HEADER, FORMAT_VERSION, GRAM_ENTRY,
    KEY_ENTRY, LOOKUP_ENTRY, MAGIC, WORD_ENTRY, WORD_ORDER_ENTRY, WORD_SEPARATOR,
};
use crate::glossary::Term;
use crate::matching::{fold_for_search, is_han, term_keys, Key, KeyKind, MAX_TYPO_KEY};

/// Keys longer than this (in bytes) stay out of the prefix and typo tables: nobody types
/// them as a prefix or misspells them, and exact lookup still finds them by hash.
const MAX_TABLE_KEY_BYTES: usize = 1024;
/// Fewer terms than this are compiled on one thread: starting workers would cost more.
const PARALLEL_FROM_TERMS: usize = 2048;
/// Terms per batch: small enough that the records waiting to be written in order are a few
/// hundred kilobytes, large enough that taking a batch costs nothing.
const BATCH_TERMS: usize = 512;
/// How often (in batches written) the memory freed with the terms is handed back. Each
/// trim walks the whole heap with the workers waiting on its lock: at 100,000 terms every
/// 8 batches cost 24 trims of about 17 ms, every 32 batches 6 of about 40 ms, for the same
/// peak (every 64 batches let the peak grow by 15-20 MiB).
const TRIM_EVERY_BATCHES: usize = 32;

/// The compiled index of `terms` (already validated; unknown link ids are skipped), in
/// memory. `meta` supplies the tool stamp and sources; counts are filled in here.
pub fn compile(terms: &[Term], meta: Meta) -> Vec<u8> {
    compile_owned(terms.to_vec(), meta)
}

/// `compile`, consuming the terms (see `compile_into`).
pub fn compile_owned(terms: Vec<Term>, meta: Meta) -> Vec<u8> {
    // Writing into a Vec cannot fail; an empty result would only be reported as damage.
    compile_into(terms, meta, Cursor::new(Vec::new()))
        .map(Cursor::into_inner)
        .unwrap_or_default()
}

/// Compiles `terms` into `sink`, which must be empty and positioned at its start; returns
/// it positioned at the end. The terms are taken by value so that each batch is freed as
/// soon as its records are written: at 100,000 terms the parsed terms are most of what the
/// cold run holds when the compile starts. The only errors are the sink's.
pub fn compile_into<W: Write + Seek>(terms: Vec<Term>, meta: Meta, sink: W) -> io::Result<W> {
    let workers = worker_count(terms.len());
    compile_on(terms, meta, sink, workers)
}

/// One per core (at most 8), or none besides this thread for a small glossary.
fn worker_count(terms: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if terms < PARALLEL_FROM_TERMS {
        1
    } else {
        cores.min(8)
    }
}

fn compile_on<W: Write + Seek>(
    terms: Vec<Term>,
    mut meta: Meta,
    sink: W,
    workers: usize,
) -> io::Result<W> {
    meta.term_count = terms.len() as u32;
    // At 100,000 terms resolving the links took 0.2 s with the other core idle; the tag
    // counts are made beside it, and the links of each half of the terms on a core each.
    let (links, tags) = std::thread::scope(|scope| {
        let tags = Side::start(scope, workers > 1, || tag_counts(&terms));
        (resolve_links(&terms, workers), tags.join())
    });
    let mut out = Output::new(sink, &meta)?;
    let (mut parts, offsets) = write_records(&mut out, terms, links, workers)?;
    write_offsets(&mut out, &offsets)?;
    drop(offsets);
    let lookups = parts
        .iter_mut()
        .map(|part| std::mem::take(&mut part.lookup))
        .collect();
    write_lookup(&mut out, lookups)?;
    return_freed_memory();
    let rows = sorted_rows(&parts);
    meta.max_key_length = rows
        .last()
        .map_or(0, |row| row_fact(&parts, *row).1.length as u32);
    let words: Vec<WordMaps> = parts
        .iter_mut()
        .map(|part| {
            (
                std::mem::take(&mut part.words),
                std::mem::take(&mut part.han_words),
            )
        })
        .collect();
    // On a large glossary the gram lists are gathered on another thread (the workers are
    // done by now) while this one writes the word table, whose lists are then freed before
    // the gram lists are at their largest, and the key tables; they are written last.
    let grams = std::thread::scope(|scope| -> io::Result<GramLists> {
        let grams = Side::start(scope, workers > 1, || gather_grams(&parts, &rows));
        write_words(&mut out, words)?;
        return_freed_memory();
        // With the word lists freed, the word order is sorted beside the key tables, which
        // this thread lays out in memory meanwhile (done in turn, they took 0.6 s of one
        // core at 100,000 terms); both are then written in file order.
        let order = Side::start(scope, workers > 1, || word_order(&parts, &rows));
        let key_tables = key_tables(&parts, &rows, meta.max_key_length as usize);
        write_word_order(&mut out, &order.join())?;
        for table in &key_tables {
            out.section(table)?;
        }
        drop(key_tables);
        Ok(grams.join())
    })?;
    drop(rows);
    drop(parts);
    write_grams(&mut out, grams)?;
    out.section(&tags)?;
    out.finish(&meta)
}

/// The same sections under a new meta (a cache whose sources were touched but not changed).
pub fn restamp(sections: &[&[u8]], meta: &Meta) -> Vec<u8> {
    let written = (|| {
        let mut out = Output::new(Cursor::new(Vec::new()), meta)?;
        for bytes in sections {
            out.section(bytes)?;
        }
        out.finish(meta)
    })();
    written.map(Cursor::into_inner).unwrap_or_default()
}

/// Work started on a thread of a scope, or done at once when there is no core to spare.
enum Side<'scope, T> {
    Thread(std::thread::ScopedJoinHandle<'scope, T>),
    Done(T),
}

impl<'scope, T: Send + 'scope> Side<'scope, T> {
    fn start<'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        beside: bool,
        work: impl FnOnce() -> T + Send + 'scope,
    ) -> Side<'scope, T> {
        if beside {
            Side::Thread(scope.spawn(work))
        } else {
            Side::Done(work())
        }
    }

    fn join(self) -> T {
        match self {
            // A side thread only panics on a bug: re-raise it rather than write a broken
            // index.
            Side::Thread(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Side::Done(value) => value,
        }
    }
}

/// Terms (and their links) not yet taken by a worker, in batches of consecutive terms.
struct Batches {
    waiting: Vec<Mutex<Option<Batch>>>,
    next: AtomicUsize,
}

struct Batch {
    first: usize,
    terms: Vec<Term>,
    links: Vec<Links>,
}

/// One batch's framed records, back to back, and where each starts within `bytes`.
struct Records {
    bytes: Vec<u8>,
    starts: Vec<u64>,
}

impl Batches {
    fn new(terms: Vec<Term>, links: Vec<Links>) -> Batches {
        let mut waiting = Vec::with_capacity(terms.len().div_ceil(BATCH_TERMS));
        let mut terms = terms.into_iter();
        let mut links = links.into_iter();
        let mut first = 0;
        loop {
            let batch: Vec<Term> = terms.by_ref().take(BATCH_TERMS).collect();
            if batch.is_empty() {
                break;
            }
            let batch_links: Vec<Links> = links.by_ref().take(batch.len()).collect();
            let len = batch.len();
            waiting.push(Mutex::new(Some(Batch {
                first,
                terms: batch,
                links: batch_links,
            })));
            first += len;
        }
        Batches {
            waiting,
            next: AtomicUsize::new(0),
        }
    }

    /// The next batch nobody has taken, with its number.
    fn take(&self) -> Option<(usize, Batch)> {
        let at = self.next.fetch_add(1, Ordering::Relaxed);
        let slot = self.waiting.get(at)?;
        let batch = slot
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .take()?;
        Some((at, batch))
    }

    /// No batch is taken after this (the sink failed: the rest would be wasted work).
    fn stop(&self) {
        self.next.store(self.waiting.len(), Ordering::Relaxed);
    }

    fn len(&self) -> usize {
        self.waiting.len()
    }
}

/// Builds every term's record and table entries, writing the `records` section in term
/// order as batches finish. Returns the workers' tables and each record's offset.
fn write_records<W: Write + Seek>(
    out: &mut Output<W>,
    terms: Vec<Term>,
    links: Vec<Links>,
    workers: usize,
) -> io::Result<(Vec<Part>, Vec<u64>)> {
    let total = terms.len();
    let batches = Batches::new(terms, links);
    let mut offsets = Vec::with_capacity(total);
    out.begin();
    let mut emit = |records: Records| -> io::Result<()> {
        let base = out.section_len();
        offsets.extend(records.starts.iter().map(|start| base + start));
        if offsets.len() % (BATCH_TERMS * TRIM_EVERY_BATCHES) == 0 {
            return_freed_memory();
        }
        out.put(&records.bytes)
    };
    let parts = if workers < 2 {
        let mut part = Part::default();
        while let Some((_, records)) = part.build_next(&batches) {
            emit(records)?;
        }
        part.finish();
        vec![part]
    } else {
        in_order_on_workers(&batches, workers, &mut emit)?
    };
    out.end()?;
    Ok((parts, offsets))
}

/// Runs `workers` threads over `batches`, handing each batch's records to `emit` in batch
/// order (a batch that finishes early waits for the ones before it).
fn in_order_on_workers(
    batches: &Batches,
    workers: usize,
    emit: &mut dyn FnMut(Records) -> io::Result<()>,
) -> io::Result<Vec<Part>> {
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, Records)>();
        let workers: Vec<_> = (0..workers)
            .map(|_| {
                let sender = sender.clone();
                scope.spawn(move || {
                    let mut part = Part::default();
                    while let Some(done) = part.build_next(batches) {
                        if sender.send(done).is_err() {
                            break;
                        }
                    }
                    part.finish();
                    part
                })
            })
            .collect();
        drop(sender);
        let mut early: BTreeMap<usize, Records> = BTreeMap::new();
        let mut due = 0;
        let mut failure = None;
        for (at, records) in receiver {
            if failure.is_some() {
                continue;
            }
            early.insert(at, records);
            while let Some(records) = early.remove(&due) {
                due += 1;
                if let Err(error) = emit(records) {
                    batches.stop();
                    failure = Some(error);
                    break;
                }
            }
        }
        let parts: Vec<Part> = workers
            .into_iter()
            // A worker only panics on a bug; re-raise it here rather than write a broken index.
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        match failure {
            Some(error) => Err(error),
            None if due != batches.len() => Err(io::Error::other("a batch was lost")),
            None => Ok(parts),
        }
    })
}

/// Each term's links as term numbers, both ways; the forward links of consecutive stretches
/// of terms are resolved on `workers` threads at once.
fn resolve_links(terms: &[Term], workers: usize) -> Vec<Links> {
    let mut position: FxHashMap<&str, u32> = FxHashMap::default();
    position.reserve(terms.len());
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
    let forward = |stretch: &[Term]| -> Vec<Links> {
        stretch
            .iter()
            .map(|term| Links {
                broader: resolve(&term.broader),
                related: resolve(&term.related),
                ..Links::default()
            })
            .collect()
    };
    let stretch = terms.len().div_ceil(workers.max(1)).max(1);
    let mut links: Vec<Links> = std::thread::scope(|scope| {
        let others: Vec<_> = terms
            .chunks(stretch)
            .skip(1)
            .map(|stretch| {
                let forward = &forward;
                Side::start(scope, true, move || forward(stretch))
            })
            .collect();
        let mut links = forward(&terms[..stretch.min(terms.len())]);
        for other in others {
            links.extend(other.join());
        }
        links
    });
    // By index, not by iterating (and so copying) each term's lists.
    for from in 0..terms.len() {
        for at in 0..links[from].broader.len() {
            let to = links[from].broader[at] as usize;
            if to != from {
                links[to].narrower.push(from as u32);
            }
        }
        for at in 0..links[from].related.len() {
            let to = links[from].related[at] as usize;
            if to != from {
                links[to].referenced_by.push(from as u32);
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

/// An exact-lookup entry: (hash, term, slot, class).
type LookupEntry = (u64, u32, u16, u8);

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

/// Everything one worker's terms contribute to the tables (their records are written as
/// each batch finishes). A worker's terms are not consecutive: its batches interleave with
/// the other workers'.
#[derive(Default)]
struct Part {
    /// Key texts, referred to by `facts`.
    arena: String,
    /// Keys that go into the prefix and typo tables.
    facts: Vec<KeyFact>,
    /// Exact-lookup entries.
    lookup: Vec<LookupEntry>,
    /// Full-text postings per word: term << 2 | field weight, in term order. Words of
    /// Han characters are in `han_words`, keyed by their `IndexWord::Han` code.
    words: FxHashMap<String, Postings>,
    han_words: FxHashMap<u64, Postings>,
    /// The size of the records of the last batch built.
    last_records_len: usize,
}

/// A word's postings, with the newest one also kept in the map's own entry. Each word of a
/// definition updates its term's posting or adds one, so the newest is read for every word
/// met; at 100,000 terms, reading it at the end of the list (a cache miss for most words)
/// was a third of the time spent adding words.
struct Postings {
    /// Term << 2 | field weight, in term order.
    list: Vec<u32>,
    newest: u32,
}

impl Postings {
    fn new(posting: u32) -> Postings {
        Postings {
            list: vec![posting],
            newest: posting,
        }
    }

    /// Adds `posting` (terms come in ascending order): the same term's posting keeps the
    /// better weight.
    fn add(&mut self, posting: u32) {
        if self.newest >> 2 != posting >> 2 {
            self.list.push(posting);
            self.newest = posting;
        } else if posting > self.newest {
            self.newest = posting;
            if let Some(last) = self.list.last_mut() {
                *last = posting;
            }
        }
    }
}

impl Part {
    /// Readies a built part for the tables, on its worker's thread (so on every core at
    /// once): gives back what the growing of the lists reserved and never used (a quarter
    /// of the word lists' memory at 100,000 terms), and sorts its lookup entries, which the
    /// main thread then only merges.
    fn finish(&mut self) {
        for postings in self.words.values_mut().chain(self.han_words.values_mut()) {
            postings.list.shrink_to_fit();
        }
        self.facts.shrink_to_fit();
        self.arena.shrink_to_fit();
        self.lookup.shrink_to_fit();
        self.lookup.sort_unstable();
    }

    /// This part's facts in row order, each with its `row_prefix`. Sorted on the packed
    /// prefix, with the full comparison only for ties: comparing every pair in full took
    /// 0.6-0.9 s of a cold run at 100,000 terms, this way 0.3 s (on one thread).
    fn sorted_facts(&self) -> Vec<(u64, u32)> {
        let mut order: Vec<(u64, u32)> = self
            .facts
            .iter()
            .enumerate()
            .map(|(index, fact)| (row_prefix(self, fact), index as u32))
            .collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                let (fact_a, fact_b) = (&self.facts[a.1 as usize], &self.facts[b.1 as usize]);
                full_row_order((self, fact_a), (self, fact_b))
            })
        });
        order
    }

    /// Takes the next batch, adds its terms' keys and words, and returns its records; the
    /// batch's terms are freed here.
    fn build_next(&mut self, batches: &Batches) -> Option<(usize, Records)> {
        let (at, batch) = batches.take()?;
        let mut records = Records {
            // As large as the last batch's: grown from nothing, each batch's buffer was
            // copied about twenty times.
            bytes: Vec::with_capacity(self.last_records_len + self.last_records_len / 8),
            starts: Vec::with_capacity(batch.terms.len()),
        };
        for (offset, (term, links)) in batch.terms.iter().zip(&batch.links).enumerate() {
            let number = (batch.first + offset) as u32;
            let keys = term_keys(term);
            records.add(term, &keys, links);
            self.add_keys(number, term, &keys);
            self.add_words(number, term);
        }
        self.last_records_len = records.bytes.len();
        Some((at, records))
    }
}

impl Records {
    fn add(&mut self, term: &Term, keys: &[Key], links: &Links) {
        let start = self.bytes.len();
        self.starts.push(start as u64);
        // The frame: checksum, the two payloads' lengths, the payloads. Serialised in
        // place: a vector of its own for each payload was grown about fifteen times per
        // term. Serialising plain data cannot fail; an empty payload would only make the
        // record unreadable, which the reader reports as damage.
        self.bytes.extend_from_slice(&[0; 16]);
        let head = append_postcard(&mut self.bytes, &RecordRef { term, links });
        let keys = append_postcard(&mut self.bytes, keys);
        self.bytes[start + 8..start + 12].copy_from_slice(&(head as u32).to_le_bytes());
        self.bytes[start + 12..start + 16].copy_from_slice(&(keys as u32).to_le_bytes());
        let sum = checksum(&self.bytes[start + 8..]);
        self.bytes[start..start + 8].copy_from_slice(&sum.to_le_bytes());
    }
}

/// Appends `value` in postcard's format to `out`; returns how many bytes that took (none
/// if it could not be serialised).
fn append_postcard<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> usize {
    let start = out.len();
    if postcard::serialize_with_flavor(value, Append(out)).is_err() {
        out.truncate(start);
    }
    out.len() - start
}

/// A postcard flavor that appends to a vector it borrows (`to_allocvec` makes a new one).
struct Append<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for Append<'_> {
    type Output = ();

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

impl Part {
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
            let normalized = self.push_text(&key.normalized);
            let start = self.arena.len() as u32;
            // No empty words: the word-order table's walk relies on one separator between
            // two words.
            for (at, word) in key.words().filter(|word| !word.is_empty()).enumerate() {
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
        // Words are slices of the folded field, so a field costs one allocation, and a
        // word one more only the first time the part sees it. Han characters and pairs,
        // most of the words of a Chinese definition, are keyed by their code points: a
        // map of integers is searched without following a pointer to compare text. A
        // word met again in the same term updates that term's posting (its last) to the
        // better field instead of adding one: no per-term list to sort and deduplicate.
        let (words, han_words) = (&mut self.words, &mut self.han_words);
        for (text, weight) in search_fields(term) {
            let folded = fold_for_search(text);
            let posting = (number << 2) | weight as u32;
            index_words(&folded, |word| match word {
                IndexWord::Han(code) => match han_words.entry(code) {
                    Entry::Occupied(entry) => entry.into_mut().add(posting),
                    Entry::Vacant(entry) => {
                        entry.insert(Postings::new(posting));
                    }
                },
                IndexWord::Latin(word) => match words.get_mut(word) {
                    Some(postings) => postings.add(posting),
                    None => {
                        words.insert(word.to_string(), Postings::new(posting));
                    }
                },
            });
        }
    }
}

/// The word of an `IndexWord::Han` code.
fn han_word(code: u64) -> String {
    [(code >> 32) as u32, code as u32]
        .into_iter()
        .filter(|&c| c != 0)
        .filter_map(char::from_u32)
        .collect()
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

/// The part and key fact a row of the `keys` table refers to.
fn row_fact(parts: &[Part], (part, fact): (u32, u32)) -> (&Part, &KeyFact) {
    let part = &parts[part as usize];
    (part, &part.facts[fact as usize])
}

/// Every key fact as (part, fact), sorted by (length, text, term, slot): the row order
/// of the `keys` table. Each part's facts are sorted on a thread of their own (after the
/// lookup entries are written and freed: sorted on the workers as they finished, beside
/// the lookup entries, the facts' orders raised the cold run's peak at 100,000 terms from
/// 348-349 MiB to 348-362 MiB in six runs), then merged.
fn sorted_rows(parts: &[Part]) -> Vec<(u32, u32)> {
    let orders: Vec<Vec<(u64, u32)>> = std::thread::scope(|scope| {
        let (first, others) = parts.split_first()?;
        let others: Vec<_> = others
            .iter()
            .map(|part| scope.spawn(|| part.sorted_facts()))
            .collect();
        let mut orders = vec![first.sorted_facts()];
        for other in others {
            // A sorting thread only panics on a bug: re-raise it.
            let order = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            orders.push(order);
        }
        Some(orders)
    })
    .unwrap_or_default();
    let mut rows = Vec::with_capacity(parts.iter().map(|part| part.facts.len()).sum());
    let mut next = vec![0usize; parts.len()];
    loop {
        let mut smallest: Option<(usize, (u64, u32))> = None;
        for (at, part) in parts.iter().enumerate() {
            let Some(&candidate) = orders[at].get(next[at]) else {
                continue;
            };
            let before = match smallest {
                None => true,
                Some((best, (prefix, fact))) => {
                    candidate.0.cmp(&prefix).then_with(|| {
                        let here = (part, &part.facts[candidate.1 as usize]);
                        let there = (&parts[best], &parts[best].facts[fact as usize]);
                        full_row_order(here, there)
                    }) == std::cmp::Ordering::Less
                }
            };
            if before {
                smallest = Some((at, candidate));
            }
        }
        let Some((at, (_, fact))) = smallest else {
            break;
        };
        next[at] += 1;
        rows.push((at as u32, fact));
    }
    rows
}

/// The start of a fact's row order packed in an integer: its length, then the first six
/// bytes of its text.
fn row_prefix(part: &Part, fact: &KeyFact) -> u64 {
    let mut prefix = [0u8; 8];
    prefix[..2].copy_from_slice(&fact.length.to_be_bytes());
    let text = part.text(&fact.normalized).as_bytes();
    let shown = text.len().min(6);
    prefix[2..2 + shown].copy_from_slice(&text[..shown]);
    u64::from_be_bytes(prefix)
}

/// The row order of two facts whose `row_prefix`es are equal.
fn full_row_order(
    (part_a, fact_a): (&Part, &KeyFact),
    (part_b, fact_b): (&Part, &KeyFact),
) -> std::cmp::Ordering {
    (part_a.text(&fact_a.normalized), fact_a.term, fact_a.slot).cmp(&(
        part_b.text(&fact_b.normalized),
        fact_b.term,
        fact_b.slot,
    ))
}

fn write_offsets<W: Write + Seek>(out: &mut Output<W>, offsets: &[u64]) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(offsets.len() * 8);
    for offset in offsets {
        bytes.extend_from_slice(&offset.to_le_bytes());
    }
    out.section(&bytes)
}

/// The `keys`, `key-text` and `lengths` sections, in that order.
fn key_tables(parts: &[Part], rows: &[(u32, u32)], max_length: usize) -> [Vec<u8>; 3] {
    let fact = |row: &(u32, u32)| row_fact(parts, *row);
    let mut entries = Vec::with_capacity(rows.len() * KEY_ENTRY);
    let mut texts = Vec::new();
    for row in rows {
        let (part, fact) = fact(row);
        let normalized = part.text(&fact.normalized);
        let words = part.text(&fact.words);
        let text_len = texts.len() as u32;
        let mut entry = [0u8; KEY_ENTRY];
        entry[..4].copy_from_slice(&fact.term.to_le_bytes());
        entry[4..8].copy_from_slice(&text_len.to_le_bytes());
        entry[8..12].copy_from_slice(&(normalized.len() as u32).to_le_bytes());
        entry[12..16].copy_from_slice(&(text_len + normalized.len() as u32).to_le_bytes());
        entry[16..18].copy_from_slice(&(words.len() as u16).to_le_bytes());
        entry[18..20].copy_from_slice(&fact.length.to_le_bytes());
        entry[20..22].copy_from_slice(&fact.slot.to_le_bytes());
        entry[22] = fact.kind as u8;
        entries.extend_from_slice(&entry);
        texts.extend_from_slice(normalized.as_bytes());
        texts.extend_from_slice(words.as_bytes());
    }
    // `starts[length]` = first row of that length; one extra entry closes the last bucket.
    let mut lengths = Vec::with_capacity((max_length + 2) * 4);
    let mut row = 0;
    for length in 0..=max_length + 1 {
        while row < rows.len() && (fact(&rows[row]).1.length as usize) < length {
            row += 1;
        }
        lengths.extend_from_slice(&(row as u32).to_le_bytes());
    }
    [entries, texts, lengths]
}

/// The `word-order` sections: the rows of names of two words or more (the only rows a
/// query of several words can begin word by word), sorted by their words joined by
/// U+001F, ties by row, and those words in the same order. The words are copied rather
/// than pointed to in `key-text`: a walk then reads a few pages of one region instead of
/// three scattered reads a step. Sorted on the first sixteen bytes first, with the full
/// comparison for ties only: names share their first word far more often than their
/// first six letters (comparing through the parts on eight bytes cost a second of a
/// 100,000-term cold run).
/// The names of two words or more in word order: their words side by side in `text`, and
/// (16-byte prefix, key row, range in `text`) per name, sorted.
struct WordOrder {
    text: String,
    names: Vec<(u128, u32, Range<u32>)>,
}

fn word_order(parts: &[Part], rows: &[(u32, u32)]) -> WordOrder {
    // The words copied side by side once (each fact is read once, in row order), so
    // that the sort compares within one buffer instead of through the parts.
    let mut text = String::new();
    let mut names: Vec<(u128, u32, Range<u32>)> = Vec::new();
    for (at, row) in rows.iter().enumerate() {
        let (part, fact) = row_fact(parts, *row);
        let words = part.text(&fact.words);
        if !fact.kind.is_name() || !words.contains(WORD_SEPARATOR) {
            continue;
        }
        let mut prefix = [0u8; 16];
        let shown = words.len().min(16);
        prefix[..shown].copy_from_slice(&words.as_bytes()[..shown]);
        let start = text.len() as u32;
        text.push_str(words);
        names.push((
            u128::from_be_bytes(prefix),
            at as u32,
            start..text.len() as u32,
        ));
    }
    let words_of = |range: &Range<u32>| &text[range.start as usize..range.end as usize];
    names.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| words_of(&a.2).cmp(words_of(&b.2)))
            .then(a.1.cmp(&b.1))
    });
    WordOrder { text, names }
}

fn write_word_order<W: Write + Seek>(out: &mut Output<W>, order: &WordOrder) -> io::Result<()> {
    let words_of = |range: &Range<u32>| &order.text[range.start as usize..range.end as usize];
    let mut text_len = 0u32;
    out.begin();
    for (_, row, range) in &order.names {
        let mut entry = [0u8; WORD_ORDER_ENTRY];
        entry[..4].copy_from_slice(&text_len.to_le_bytes());
        entry[4..].copy_from_slice(&row.to_le_bytes());
        out.put(&entry)?;
        text_len += range.len() as u32;
    }
    out.end()?;
    out.begin();
    for (_, _, range) in &order.names {
        out.put(words_of(range).as_bytes())?;
    }
    out.end()
}

/// Exact-lookup entries of every part, sorted.
fn write_lookup<W: Write + Seek>(
    out: &mut Output<W>,
    lookups: Vec<Vec<LookupEntry>>,
) -> io::Result<()> {
    // Each part's entries (sorted by `Part::finish`) merged as they are written:
    // concatenating them first held every entry twice.
    debug_assert!(lookups.iter().all(|entries| entries.is_sorted()));
    let mut next = vec![0usize; lookups.len()];
    let mut last = None;
    out.begin();
    loop {
        let smallest = lookups
            .iter()
            .zip(&next)
            .enumerate()
            .filter_map(|(part, (entries, &at))| entries.get(at).map(|entry| (*entry, part)))
            .min();
        let Some((entry, part)) = smallest else {
            break;
        };
        next[part] += 1;
        if last == Some(entry) {
            continue;
        }
        last = Some(entry);
        let (hash, term, slot, class) = entry;
        let mut bytes = [0u8; LOOKUP_ENTRY];
        bytes[..8].copy_from_slice(&hash.to_le_bytes());
        bytes[8..12].copy_from_slice(&term.to_le_bytes());
        bytes[12..14].copy_from_slice(&slot.to_le_bytes());
        bytes[14] = class;
        out.put(&bytes)?;
    }
    out.end()
}

/// Bigram postings as rows of the `keys` table, sorted by row, grams (and their lists)
/// sorted by `gram_key`. Reads the parts only, so it runs beside the writing of the key
/// and word-order tables.
///
/// Built from the sorted rows rather than per term: a gram's key includes the key length
/// and rows are sorted by length, so the rows of one length touch only that length's few
/// thousand grams, which stay in cache (built per term, as the terms came, each posting was
/// two cache misses: half the per-term work at 100,000 terms). Rows are visited in order,
/// so every list comes out sorted.
fn gather_grams(parts: &[Part], rows: &[(u32, u32)]) -> GramLists {
    // A key has at most one bigram more than its characters, hence than its bytes: the
    // postings reserved once, not grown by doubling (which briefly held both copies).
    let most_postings: usize = rows
        .iter()
        .map(|row| row_fact(parts, *row).1)
        .take_while(|fact| fact.length as usize <= MAX_TYPO_KEY)
        .map(|fact| fact.normalized.len() + 1)
        .sum();
    let mut grams = GramLists {
        lists: Vec::new(),
        postings: Vec::with_capacity(most_postings),
    };
    let mut bucket = GramBucket::default();
    let mut bigrams = Vec::new();
    let mut length = None;
    for (at, row) in rows.iter().enumerate() {
        let (part, fact) = row_fact(parts, *row);
        if fact.length as usize > MAX_TYPO_KEY {
            break;
        }
        if length != Some(fact.length) {
            bucket.flush_into(&mut grams);
            length = Some(fact.length);
        }
        padded_bigrams_into(part.text(&fact.normalized), &mut bigrams);
        for bigram in &bigrams {
            bucket.add(gram_key(*bigram, fact.length as usize), at as u32);
        }
    }
    bucket.flush_into(&mut grams);
    grams.lists.sort_unstable_by_key(|list| list.key);
    grams
}

/// The `grams` and `gram-postings` sections.
fn write_grams<W: Write + Seek>(out: &mut Output<W>, grams: GramLists) -> io::Result<()> {
    let GramLists { lists, postings } = grams;
    let mut entries = Vec::with_capacity(lists.len() * GRAM_ENTRY);
    let mut count = 0u32;
    for list in &lists {
        entries.extend_from_slice(&list.key.to_le_bytes());
        entries.extend_from_slice(&count.to_le_bytes());
        entries.extend_from_slice(&list.len.to_le_bytes());
        count += list.len;
    }
    out.section(&entries)?;
    drop(entries);
    out.begin();
    for list in &lists {
        let start = list.start as usize;
        out.put_u32s(&postings[start..start + list.len as usize])?;
    }
    out.end()
}

/// Every gram's posting list, back to back in one vector: a vector per gram, each grown
/// by doubling, made the gram table take 1.0 s of a 100,000-term cold run instead of 0.7 s.
#[derive(Default)]
struct GramLists {
    lists: Vec<GramList>,
    postings: Vec<u32>,
}

/// One gram's rows: `postings[start..start + len]`.
struct GramList {
    key: u64,
    start: u32,
    len: u32,
}

/// The postings of the rows of one key length, gathered before they are laid out: each
/// gram's rows counted, then placed, so every list is one slice of `GramLists::postings`.
/// A length's grams are a few thousand, so the map stays in cache.
#[derive(Default)]
struct GramBucket {
    slot_of: FxHashMap<u64, u32>,
    keys: Vec<u64>,
    counts: Vec<u32>,
    /// (slot, row) in row order.
    added: Vec<(u32, u32)>,
}

impl GramBucket {
    fn add(&mut self, key: u64, row: u32) {
        let next = self.keys.len() as u32;
        let slot = *self.slot_of.entry(key).or_insert(next);
        if slot == next {
            self.keys.push(key);
            self.counts.push(0);
        }
        self.counts[slot as usize] += 1;
        self.added.push((slot, row));
    }

    /// Lays this length's lists out at the end of `grams` (rows stay in order within a
    /// list) and empties the bucket.
    fn flush_into(&mut self, grams: &mut GramLists) {
        let mut next = grams.postings.len() as u32;
        let mut cursor = Vec::with_capacity(self.keys.len());
        for (&key, &len) in self.keys.iter().zip(&self.counts) {
            grams.lists.push(GramList {
                key,
                start: next,
                len,
            });
            cursor.push(next);
            next += len;
        }
        grams.postings.resize(next as usize, 0);
        for &(slot, row) in &self.added {
            let at = &mut cursor[slot as usize];
            grams.postings[*at as usize] = row;
            *at += 1;
        }
        self.slot_of.clear();
        self.keys.clear();
        self.counts.clear();
        self.added.clear();
    }
}

/// A part's full-text postings: Latin words, and Han words by their code.
type WordMaps = (FxHashMap<String, Postings>, FxHashMap<u64, Postings>);

/// The word table: each word once, sorted by text, with every part's postings for it in
/// term order. The parts' lists are merged as they are written, not gathered into one map
/// first: a part's terms are whole batches, so the lists of one word never share a term
/// and each is ascending, and merging them on the way out needs no list twice in memory.
fn write_words<W: Write + Seek>(out: &mut Output<W>, parts: Vec<WordMaps>) -> io::Result<()> {
    let mut lists: Vec<(Cow<str>, &[u32])> = Vec::new();
    for (words, han_words) in &parts {
        lists.extend(
            words
                .iter()
                .map(|(word, postings)| (Cow::Borrowed(word.as_str()), postings.list.as_slice())),
        );
        lists.extend(
            han_words
                .iter()
                .map(|(code, postings)| (Cow::Owned(han_word(*code)), postings.list.as_slice())),
        );
    }
    lists.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let words: Vec<&[(Cow<str>, &[u32])]> = lists.chunk_by(|a, b| a.0 == b.0).collect();
    out.begin();
    let (mut text_len, mut count) = (0u32, 0u32);
    for same in &words {
        let word = &same[0].0;
        let postings: usize = same.iter().map(|(_, list)| list.len()).sum();
        let mut entry = [0u8; WORD_ENTRY];
        entry[..4].copy_from_slice(&text_len.to_le_bytes());
        entry[4..8].copy_from_slice(&(word.len() as u32).to_le_bytes());
        entry[8..12].copy_from_slice(&count.to_le_bytes());
        entry[12..].copy_from_slice(&(postings as u32).to_le_bytes());
        out.put(&entry)?;
        text_len += word.len() as u32;
        count += postings as u32;
    }
    out.end()?;
    out.begin();
    for same in &words {
        out.put(same[0].0.as_bytes())?;
    }
    out.end()?;
    out.begin();
    let mut merged = Vec::new();
    for same in &words {
        match same {
            [(_, list)] => out.put_u32s(list)?,
            _ => {
                merged.clear();
                merged.extend(same.iter().flat_map(|(_, list)| list.iter().copied()));
                // Runs of ascending postings: the stable sort merges them in one pass.
                merged.sort();
                out.put_u32s(&merged)?;
            }
        }
    }
    out.end()
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

/// A word of the word table: Latin words as text, Han characters and pairs as one integer
/// each (a map of integers is searched without following a pointer to compare text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexWord<'a> {
    Latin(&'a str),
    /// The first character's code point << 32 | the second's, 0 for a single character.
    Han(u64),
}

/// What a folded text contributes to the word table: Latin words whole (runs of letters
/// and digits), Han runs as their single characters and character pairs (any Chinese word
/// is found through its pairs). The same cut as `text_tokens`, on text already folded.
/// Han words come as their codes, which the cut knows without decoding them again.
pub fn index_words<'a>(folded: &'a str, mut visit: impl FnMut(IndexWord<'a>)) {
    if folded.is_ascii() {
        // Most English text: no Han, and a byte is a character.
        for word in folded.split(|c: char| !c.is_ascii_alphanumeric()) {
            if !word.is_empty() {
                visit(IndexWord::Latin(word));
            }
        }
    } else {
        index_words_by_char(folded, visit);
    }
}

/// `index_words` of any text, a character at a time.
fn index_words_by_char<'a>(folded: &'a str, mut visit: impl FnMut(IndexWord<'a>)) {
    let mut latin_start: Option<usize> = None;
    let mut previous_han: Option<char> = None;
    for (at, c) in folded.char_indices() {
        let han = is_han(c);
        if han || !c.is_alphanumeric() {
            if let Some(start) = latin_start.take() {
                visit(IndexWord::Latin(&folded[start..at]));
            }
        }
        if han {
            visit(IndexWord::Han(u64::from(c) << 32));
            if let Some(previous) = previous_han {
                visit(IndexWord::Han(u64::from(previous) << 32 | u64::from(c)));
            }
            previous_han = Some(c);
        } else {
            previous_han = None;
            if c.is_alphanumeric() && latin_start.is_none() {
                latin_start = Some(at);
            }
        }
    }
    if let Some(start) = latin_start {
        visit(IndexWord::Latin(&folded[start..]));
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

/// The index being written: room for the header at the front, each section appended at
/// an 8-byte boundary, the section table and checksum filled in by `finish`.
struct Output<W> {
    sink: W,
    /// Bytes written so far, the header's room included.
    written: u64,
    sections: Vec<(u64, u64)>,
    /// Where the section being written started.
    open: u64,
    header_room: usize,
    /// Reused by `put_u32s`.
    scratch: Vec<u8>,
}

impl<W: Write + Seek> Output<W> {
    /// The header is written last but sized first, with the longest key as long as a table
    /// key can be: its real length is only known once the keys are sorted.
    fn new(mut sink: W, meta: &Meta) -> io::Result<Output<W>> {
        let largest = Meta {
            max_key_length: meta.max_key_length.max(MAX_TABLE_KEY_BYTES as u32),
            ..meta.clone()
        };
        let header_room =
            align(FIXED_HEADER + Section::ALL.len() * 16 + meta_bytes(&largest).len());
        sink.write_all(&vec![0; header_room])?;
        Ok(Output {
            sink,
            written: header_room as u64,
            sections: Vec::with_capacity(Section::ALL.len()),
            open: header_room as u64,
            header_room,
            scratch: Vec::new(),
        })
    }

    fn section(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.begin();
        self.put(bytes)?;
        self.end()
    }

    fn begin(&mut self) {
        self.open = self.written;
    }

    /// Bytes of the open section so far.
    fn section_len(&self) -> u64 {
        self.written - self.open
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.sink.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// `values` as little-endian bytes, converted a block at a time (into a buffer kept
    /// between calls: most lists are short, and zeroing a fresh block for each of them
    /// cost more than converting them).
    fn put_u32s(&mut self, values: &[u32]) -> io::Result<()> {
        const BLOCK_VALUES: usize = 1024;
        for chunk in values.chunks(BLOCK_VALUES) {
            self.scratch.clear();
            self.scratch.resize(chunk.len() * 4, 0);
            for (bytes, value) in self.scratch.chunks_exact_mut(4).zip(chunk) {
                bytes.copy_from_slice(&value.to_le_bytes());
            }
            self.sink.write_all(&self.scratch)?;
            self.written += self.scratch.len() as u64;
        }
        Ok(())
    }

    fn end(&mut self) -> io::Result<()> {
        self.sections.push((self.open, self.section_len()));
        let padding = align(self.written as usize) - self.written as usize;
        self.put(&[0; 8][..padding])
    }

    /// Writes the header (magic, version, counts, checksum, section table, meta) into the
    /// room left for it.
    fn finish(mut self, meta: &Meta) -> io::Result<W> {
        debug_assert_eq!(self.sections.len(), Section::ALL.len());
        let meta = meta_bytes(meta);
        let mut covered = Vec::with_capacity(self.sections.len() * 16 + meta.len());
        for &(offset, len) in &self.sections {
            covered.extend_from_slice(&offset.to_le_bytes());
            covered.extend_from_slice(&len.to_le_bytes());
        }
        covered.extend_from_slice(&meta);
        let mut header = Vec::with_capacity(self.header_room);
        header.extend_from_slice(&MAGIC);
        header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        header.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        header.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        let sum = header_checksum(&header, &covered);
        header.extend_from_slice(&sum.to_le_bytes());
        header.extend_from_slice(&covered);
        if header.len() > self.header_room {
            return Err(io::Error::other("index header outgrew its room"));
        }
        self.sink.seek(SeekFrom::Start(0))?;
        self.sink.write_all(&header)?;
        self.sink.seek(SeekFrom::End(0))?;
        self.sink.flush()?;
        Ok(self.sink)
    }
}

fn meta_bytes(meta: &Meta) -> Vec<u8> {
    postcard::to_allocvec(meta).unwrap_or_default()
}

fn align(offset: usize) -> usize {
    offset.div_ceil(8) * 8
}

/// Hands the pages of freed allocations back to the system. The parsed terms were
/// allocated by the parser's threads and the tables by the workers', and glibc keeps what
/// each thread's arena freed for that arena (and only releases the top of a heap), so the
/// terms' memory, freed batch by batch, would stay resident beside the tables built from
/// them: at 100,000 terms the cold run peaked at 474 MiB with this never called, 357 MiB
/// with it (max RSS).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_freed_memory() {
    // SAFETY: malloc_trim only walks glibc's own free lists; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_freed_memory() {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::{text_tokens, Token};

    /// `index_words` as `text_tokens` describes it, worked out independently: Latin tokens
    /// whole, each Han run as its characters and its pairs of neighbours, in text order.
    fn words_from_tokens(folded: &str) -> Vec<Token> {
        let mut words = Vec::new();
        for token in text_tokens(folded) {
            match token {
                Token::Latin(word) => words.push(Token::Latin(word)),
                Token::Han(run) => {
                    let chars: Vec<char> = run.chars().collect();
                    for (at, &c) in chars.iter().enumerate() {
                        words.push(Token::Han(c.to_string()));
                        if at > 0 {
                            words.push(Token::Han([chars[at - 1], c].iter().collect()));
                        }
                    }
                }
            }
        }
        words
    }

    proptest::proptest! {
        #[test]
        fn ascii_text_is_cut_into_words_as_any_text_is(text in "[ -~\t\n]{0,60}") {
            let (mut quick, mut by_char) = (Vec::new(), Vec::new());
            index_words(&text, |word| quick.push(word));
            index_words_by_char(&text, |word| by_char.push(word));
            proptest::prop_assert_eq!(quick, by_char);
        }

        #[test]
        fn text_is_cut_into_tokens_and_han_pairs(text in "[a-zA-Z0-9 .,é扩散模型生成对抗網絡（）、]{0,40}") {
            let folded = fold_for_search(&text);
            let mut words = Vec::new();
            index_words(&folded, |word| {
                words.push(match word {
                    IndexWord::Latin(word) => Token::Latin(word.to_string()),
                    IndexWord::Han(code) => Token::Han(han_word(code)),
                })
            });
            proptest::prop_assert_eq!(words, words_from_tokens(&folded));
        }
    }

    #[test]
    fn postcard_appended_in_place_is_postcard() {
        let term = &terms(3)[2];
        let keys = term_keys(term);
        let links = Links {
            related: vec![0, 1],
            ..Links::default()
        };
        let mut out = vec![7u8];
        let head = append_postcard(
            &mut out,
            &RecordRef {
                term,
                links: &links,
            },
        );
        let keys_len = append_postcard(&mut out, &keys);
        let mut expected = vec![7u8];
        expected.extend(
            postcard::to_allocvec(&RecordRef {
                term,
                links: &links,
            })
            .unwrap(),
        );
        assert_eq!(head, expected.len() - 1);
        expected.extend(postcard::to_allocvec(&keys).unwrap());
        assert_eq!(keys_len, expected.len() - 1 - head);
        assert_eq!(out, expected);
    }

    #[test]
    fn a_word_met_again_in_a_term_keeps_its_best_field() {
        let posting = |term: u32, weight: FieldWeight| (term << 2) | weight as u32;
        let mut postings = Postings::new(posting(3, FieldWeight::Alias));
        postings.add(posting(7, FieldWeight::Definition));
        postings.add(posting(7, FieldWeight::Name));
        postings.add(posting(7, FieldWeight::Definition));
        postings.add(posting(9, FieldWeight::Definition));
        postings.add(posting(9, FieldWeight::Alias));
        assert_eq!(
            postings.list,
            vec![
                posting(3, FieldWeight::Alias),
                posting(7, FieldWeight::Name),
                posting(9, FieldWeight::Alias),
            ]
        );
    }
    use crate::glossary::Definition;

    /// Enough terms for several batches, with shared words, grams and Chinese names.
    fn terms(count: usize) -> Vec<Term> {
        (0..count)
            .map(|at| Term {
                id: format!("term-{at}"),
                en: format!("Sparse Model {at}"),
                zh: format!("稀疏模型{}", at % 97),
                abbr: vec![format!("SM{at}")],
                related: vec![format!("term-{}", (at * 7 + 1) % count)],
                definition: Definition {
                    en: format!("A sparse model, number {at}, that shares words with others."),
                    zh: format!("第{at}个稀疏模型，与其他术语共用字词。"),
                },
                ..Term::default()
            })
            .collect()
    }

    fn compiled(count: usize, workers: usize) -> Vec<u8> {
        compile_on(
            terms(count),
            Meta::default(),
            Cursor::new(Vec::new()),
            workers,
        )
        .unwrap()
        .into_inner()
    }

    #[test]
    fn the_index_does_not_depend_on_how_many_workers_built_it() {
        // Batches interleave differently with each count; records, postings and tables
        // must come out in the same order all the same.
        let one = compiled(BATCH_TERMS * 5 + 17, 1);
        assert_eq!(one, compiled(BATCH_TERMS * 5 + 17, 2));
        assert_eq!(one, compiled(BATCH_TERMS * 5 + 17, 3));
        assert!(crate::store::Store::open(crate::store::Backing::Owned(one)).is_ok());
    }

    #[test]
    fn links_resolve_alike_on_any_number_of_threads() {
        let mut terms = terms(1001);
        for (at, term) in terms.iter_mut().enumerate().skip(1) {
            term.broader = vec![format!("term-{}", at / 2), "no-such-term".to_string()];
        }
        let one = resolve_links(&terms, 1);
        assert_eq!(one[10].broader, vec![5]);
        assert_eq!(one[5].narrower, vec![10, 11]);
        // term-N links to term-(7N + 1) mod 1001: 71 = 7N + 1 for N = 10 mod 143.
        assert_eq!(
            one[71].referenced_by,
            vec![10, 153, 296, 439, 582, 725, 868]
        );
        for workers in [2, 3, 8] {
            assert_eq!(resolve_links(&terms, workers), one, "{workers} workers");
        }
        assert!(resolve_links(&[], 2).is_empty());
    }

    #[test]
    fn gram_lists_hold_each_rows_bigrams_in_row_order() {
        let links = resolve_links(&terms(900), 1);
        let mut part = Part::default();
        let batches = Batches::new(terms(900), links);
        while part.build_next(&batches).is_some() {}
        part.finish();
        let parts = vec![part];
        let rows = sorted_rows(&parts);
        let mut expected: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        for (at, row) in rows.iter().enumerate() {
            let (part, fact) = row_fact(&parts, *row);
            if fact.length as usize > MAX_TYPO_KEY {
                break;
            }
            for bigram in crate::store::padded_bigrams(part.text(&fact.normalized)) {
                let key = gram_key(bigram, fact.length as usize);
                expected.entry(key).or_default().push(at as u32);
            }
        }
        let grams = gather_grams(&parts, &rows);
        let found: Vec<(u64, Vec<u32>)> = grams
            .lists
            .iter()
            .map(|list| {
                let start = list.start as usize;
                let rows = grams.postings[start..start + list.len as usize].to_vec();
                (list.key, rows)
            })
            .collect();
        assert!(found.len() > 100);
        assert_eq!(found, expected.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn rows_sort_as_their_full_keys_do() {
        // Names that share their first six bytes and more, of equal and unequal lengths.
        let mut terms = terms(600);
        for (at, term) in terms.iter_mut().enumerate() {
            term.en = ["diffusion", "diffusional", "diffusio", "diffuse"][at % 4].to_string()
                + &"x".repeat(at % 3);
            term.aliases = vec![format!("diffusion {}", at % 5)];
        }
        let links = resolve_links(&terms, 1);
        let mut part = Part::default();
        let batches = Batches::new(terms, links);
        while part.build_next(&batches).is_some() {}
        part.finish();
        let parts = vec![part];
        let full = |&(p, f): &(u32, u32)| {
            let part = &parts[p as usize];
            let fact = &part.facts[f as usize];
            (
                fact.length,
                part.text(&fact.normalized).to_string(),
                fact.term,
                fact.slot,
            )
        };
        let mut expected: Vec<(u32, u32)> = (0..parts[0].facts.len() as u32)
            .map(|fact| (0, fact))
            .collect();
        expected.sort_by_key(full);
        assert_eq!(sorted_rows(&parts), expected);
    }

    #[test]
    fn a_file_gets_the_same_bytes_as_memory() {
        let file = tempfile::tempfile().unwrap();
        let written = compile_on(terms(3000), Meta::default(), io::BufWriter::new(&file), 2);
        written.unwrap().flush().unwrap();
        let mut read_back = Vec::new();
        use std::io::Read;
        (&file).seek(SeekFrom::Start(0)).unwrap();
        (&file).read_to_end(&mut read_back).unwrap();
        assert_eq!(read_back, compiled(3000, 2));
    }

    /// Accepts `room` bytes, then fails like a full disk.
    struct FullAfter {
        room: usize,
        bytes: Cursor<Vec<u8>>,
    }

    impl Write for FullAfter {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            if self.bytes.get_ref().len() + bytes.len() > self.room {
                return Err(io::Error::from(io::ErrorKind::StorageFull));
            }
            self.bytes.write(bytes)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Seek for FullAfter {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.bytes.seek(to)
        }
    }

    #[test]
    fn a_failing_sink_is_an_error_whatever_part_it_fails_in() {
        let whole = compiled(3000, 2).len();
        for room in [0, 100, whole / 10, whole / 2, whole - 1] {
            let sink = FullAfter {
                room,
                bytes: Cursor::new(Vec::new()),
            };
            let error = compile_on(terms(3000), Meta::default(), sink, 2).err();
            assert_eq!(
                error.map(|error| error.kind()),
                Some(io::ErrorKind::StorageFull),
                "room {room}"
            );
        }
    }
}
