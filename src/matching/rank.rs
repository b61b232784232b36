//! One ranking for every rule: candidates come from the index (exact hashes, prefix ranges,
//! bigram postings), each rule of `fuzzy.rs` scores them, each term keeps its best, and a
//! lookup decides from the sorted list: exact answers, one clear fuzzy winner, a
//! did-you-mean list, or nothing.
//!
//! Candidate generation is exact for any glossary size the caps below are not reached at
//! (the shipped glossary is far below them); past them, work stays bounded and the
//! candidates kept are the most promising ones.

use rustc_hash::{FxHashMap, FxHashSet};

use super::chinese::has_traditional;
use super::fuzzy::{self, allowed_edits, typo_edits, MatchKind, Query, Scored, MAX_TYPO_QUERY};
use super::index::{Index, TermId};
use super::keys::{Key, KeyKind, MAX_TYPO_KEY};
use super::normalize::has_han;
use crate::store::{Damaged, KeyEntry, LookupClass, WalkBudget};

/// A fuzzy winner must score at least this to be shown as the answer; below, it can only be
/// suggested. 0.75 is a one-edit typo in a five-letter name or a prefix covering 40 %.
pub const ACCEPT_SCORE: f64 = 0.75;
/// And it must beat the best other term by this much; closer races are a did-you-mean.
pub const WINNER_MARGIN: f64 = 0.05;
/// Candidates below this are not worth suggesting at all.
pub const SUGGEST_SCORE: f64 = 0.62;
/// The most did-you-mean suggestions and `see also` terms shown.
pub const MAX_SUGGESTIONS: usize = 5;
/// How many ranked candidates a lookup keeps (for `--explain` and suggestions).
const KEEP_CANDIDATES: usize = 10;
/// Prefix-style scans (shortest keys first, so best scores first) stop after the length
/// at which this many terms have been found: more could not enter the kept candidates.
const ENOUGH_TERMS: usize = 4 * KEEP_CANDIDATES;
/// The most key rows one prefix-style scan reads.
const MAX_SCANNED_ROWS: usize = 4096;
/// The most typo candidates per key length compared exactly, after the count filter.
const MAX_TYPO_ROWS: usize = 256;
/// The most candidates per key length taken from the rarest bigram lists (most shared
/// first) to be counted against the others.
const MAX_TYPO_CANDIDATES: usize = 1024;
/// How far the word-prefix rule walks the word order before it scans instead (the scan
/// reads at most `MAX_SCANNED_ROWS` rows, so neither way is unbounded).
const WORD_WALK_BUDGET: WalkBudget = WalkBudget {
    groups: 256,
    rows: MAX_SCANNED_ROWS,
};

/// One term's best match for a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub term: TermId,
    /// The key that matched (a copy from the term's record).
    pub key: Key,
    pub scored: Scored,
}

/// What a lookup concluded.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// The query is a name of these terms (several when the name is shared).
    Exact(Vec<TermId>),
    /// No exact match, but one clear winner; `also` are close runners-up worth a look.
    Fuzzy {
        winner: TermId,
        also: Vec<TermId>,
    },
    /// Several candidates, none clearly best: a did-you-mean list.
    Ambiguous(Vec<TermId>),
    Nothing,
}

#[derive(Debug, Clone)]
pub struct Lookup {
    pub query: String,
    pub decision: Decision,
    /// Ranked best first, one per term, at most `KEEP_CANDIDATES`.
    pub candidates: Vec<Candidate>,
}

impl Lookup {
    pub fn candidate(&self, term: TermId) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|candidate| candidate.term == term)
    }
}

/// Which rules a lookup may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Fuzzy rules at all (off with `--exact`).
    pub fuzzy: bool,
    /// The rules for Chinese readers: pinyin, pinyin initials, mixed scripts. Always on in
    /// the tool; off only to prove they leave other queries alone.
    pub chinese: bool,
}

/// Looks `text` up: exact first; fuzzy only when nothing is exact and `allow_fuzzy` is set.
pub fn lookup(index: &Index, text: &str, allow_fuzzy: bool) -> Result<Lookup, Damaged> {
    lookup_with(
        index,
        text,
        Rules {
            fuzzy: allow_fuzzy,
            chinese: true,
        },
    )
}

/// `lookup` with an explicit choice of rules.
pub fn lookup_with(index: &Index, text: &str, rules: Rules) -> Result<Lookup, Damaged> {
    let allow_fuzzy = rules.fuzzy;
    let mut query = Query::new(text);
    if !rules.chinese {
        query.pinyin = None;
    }
    let exact = exact_candidates(index, &query)?;
    let nothing = |candidates| Lookup {
        query: text.to_string(),
        decision: Decision::Nothing,
        candidates,
    };
    if !exact.is_empty() {
        let terms = exact.iter().map(|candidate| candidate.term).collect();
        return Ok(Lookup {
            decision: Decision::Exact(terms),
            ..nothing(exact)
        });
    }
    if !allow_fuzzy || query.normalized.is_empty() {
        return Ok(nothing(Vec::new()));
    }
    let candidates = fuzzy_candidates(index, &query, rules.chinese)?;
    Ok(Lookup {
        decision: decide(&candidates),
        ..nothing(candidates)
    })
}

fn exact_candidates(index: &Index, query: &Query) -> Result<Vec<Candidate>, Damaged> {
    let mut best: Vec<Candidate> = Vec::new();
    if query.normalized.is_empty() {
        return Ok(best);
    }
    for (term, slot) in index.store().lookup(LookupClass::Name, &query.normalized)? {
        let term = term as TermId;
        let keys = index.keys(term)?;
        let key = keys.get(slot as usize).ok_or(Damaged)?;
        if !key.kind.is_name() || key.normalized != query.normalized {
            continue; // a hash collision
        }
        if best.iter().any(|candidate| candidate.term == term) {
            continue;
        }
        let traditional = query.has_traditional && !has_traditional(&key.text);
        let scored = Scored {
            score: 1.0,
            kind: if traditional {
                MatchKind::Traditional
            } else {
                MatchKind::Exact
            },
            why: if traditional {
                "the query is this name, in traditional characters".to_string()
            } else {
                "the query is this name".to_string()
            },
        };
        best.push(Candidate {
            term,
            key: key.clone(),
            scored,
        });
    }
    best.sort_by_key(|candidate| (candidate.key.kind, candidate.term));
    Ok(best)
}

/// A matching rule of `fuzzy.rs`.
type Rule = fn(&Query, &Key) -> Option<Scored>;

/// Each term's best candidate so far.
struct Offers<'a> {
    index: &'a Index,
    query: &'a Query,
    best: FxHashMap<TermId, Candidate>,
}

impl Offers<'_> {
    fn offer(&mut self, candidate: Candidate) {
        match self.best.get_mut(&candidate.term) {
            Some(holder) if order(&candidate, holder).is_lt() => *holder = candidate,
            Some(_) => {}
            None => {
                self.best.insert(candidate.term, candidate);
            }
        }
    }

    /// Scores key `slot` of `term` with `rule` (on the verified record, never on the
    /// unverified tables that proposed it).
    fn score(&mut self, term: u32, slot: u16, rule: Rule) -> Result<bool, Damaged> {
        let term = term as TermId;
        let keys = self.index.keys(term)?;
        let key = keys.get(slot as usize).ok_or(Damaged)?;
        let Some(scored) = rule(self.query, key) else {
            return Ok(false);
        };
        self.offer(Candidate {
            term,
            key: key.clone(),
            scored,
        });
        Ok(true)
    }

    fn score_entry(&mut self, entry: &KeyEntry, rule: Rule) -> Result<bool, Damaged> {
        self.score(entry.term, entry.slot, rule)
    }
}

/// Every rule's candidates, each term's best score kept, best first.
pub fn fuzzy_candidates(
    index: &Index,
    query: &Query,
    chinese: bool,
) -> Result<Vec<Candidate>, Damaged> {
    let mut offers = Offers {
        index,
        query,
        best: FxHashMap::default(),
    };
    typo_candidates(&mut offers)?;
    prefix_candidates(&mut offers)?;
    word_prefix_candidates(&mut offers)?;
    partial_candidates(&mut offers)?;
    hashed_candidates(&mut offers, chinese)?;
    if chinese {
        mixed_candidates(&mut offers)?;
    }
    let mut ranked: Vec<Candidate> = offers
        .best
        .into_values()
        .filter(|candidate| candidate.scored.score >= SUGGEST_SCORE)
        .collect();
    ranked.sort_by(order);
    ranked.truncate(KEEP_CANDIDATES);
    Ok(ranked)
}

/// The forms of the query to compare with keys: the normalised query with names, and its
/// pinyin form with pinyin keys (the same text for most Latin queries).
fn forms(query: &Query) -> Vec<(&str, bool)> {
    let mut forms = vec![(query.normalized.as_str(), false)];
    if let Some(pinyin) = query.pinyin.as_deref() {
        forms.push((pinyin, true));
    }
    forms
}

fn form_length(query: &Query, form: &str, is_pinyin: bool) -> usize {
    if is_pinyin {
        form.len()
    } else {
        query.length
    }
}

/// A row is compared with the pinyin form only if it is a pinyin key, and with the
/// normalised form only if it is a name.
fn row_fits(entry: &KeyEntry, is_pinyin: bool) -> bool {
    if is_pinyin {
        entry.kind == KeyKind::Pinyin
    } else {
        entry.kind.is_name()
    }
}

/// Typos: keys of nearby lengths that share a padded bigram with the query, then the exact
/// distance. An edit destroys at most three of the query's bigrams, so a key within `k`
/// edits shares at least one of any `3k + 1` of them: reading only the postings of the
/// rarest `3k + 1` (a prefix filter) finds every candidate without touching the long lists
/// of common bigrams.
fn typo_candidates(offers: &mut Offers) -> Result<(), Damaged> {
    let query = offers.query;
    let store = offers.index.store();
    let mut shared = Vec::new();
    for (form, is_pinyin) in forms(query) {
        let length = form_length(query, form, is_pinyin);
        let budget = if is_pinyin {
            fuzzy::allowed_pinyin_edits(length)
        } else {
            allowed_edits(length, query.is_chinese)
        };
        if length > MAX_TYPO_QUERY || budget == 0 {
            continue;
        }
        let bigrams = crate::store::padded_bigrams(form);
        for key_length in length.saturating_sub(budget).max(1)..=length + budget {
            if key_length > MAX_TYPO_KEY {
                continue;
            }
            let mut grams = Vec::with_capacity(bigrams.len());
            for bigram in &bigrams {
                grams.push(store.gram(*bigram, key_length)?);
            }
            // A bigram no key of this length has is "read" for free: it holds no row.
            let missing = bigrams.len() - grams.iter().flatten().count();
            let mut present: Vec<_> = grams.into_iter().flatten().collect();
            present.sort_by_key(|gram| gram.count);
            let bucket = store.bucket(key_length)?;
            let rows: Vec<u32> = if bigrams.len() <= 3 * budget {
                // Too short for the filter: every key of this length is a candidate.
                bucket
                    .take(MAX_SCANNED_ROWS)
                    .map(|row| row as u32)
                    .collect()
            } else {
                let needed = bigrams.len() - 3 * budget;
                let short = (3 * budget + 1).saturating_sub(missing).min(present.len());
                let (rare, common) = present.split_at(short);
                rows_sharing(store, rare, common, needed, bucket, &mut shared)?
            };
            for row in rows.into_iter().take(MAX_TYPO_ROWS) {
                let entry = store.key_entry(row as usize)?;
                if !row_fits(&entry, is_pinyin) {
                    continue;
                }
                let text = store.key_text(&entry)?;
                let close = if is_pinyin {
                    fuzzy::pinyin_typo_edits(form, text).is_some()
                } else {
                    typo_edits(form, length, query.is_chinese, text, entry.length).is_some()
                };
                if close {
                    offers.score_entry(&entry, fuzzy::typo)?;
                }
            }
        }
    }
    Ok(())
}

/// The rows of `bucket` holding at least `needed` of the query's bigrams, most promising
/// first: candidates from the `rare` lists (read), counted exactly against the `common`
/// ones (probed near the candidates, one forward pass per list). A key within k edits holds
/// at least `bigrams - 3k` of them, so with `rare` the 3k + 1 rarest lists none is missed.
fn rows_sharing(
    store: &crate::store::Store,
    rare: &[crate::store::Gram],
    common: &[crate::store::Gram],
    needed: usize,
    bucket: std::ops::Range<usize>,
    counts: &mut Vec<u8>,
) -> Result<Vec<u32>, Damaged> {
    let counted = count_shared(store, rare, bucket, counts)?;
    // A row short of `needed` even if it held every common bigram cannot pass: leaving it
    // out changes nothing but the work.
    let least = needed.saturating_sub(common.len()).max(1);
    let candidates = most_shared_first(counted, least);
    let mut held: Vec<usize> = candidates.iter().map(|&(count, _)| count).collect();
    // (row, candidate) in row order, for one forward pass over each common list.
    let mut open: Vec<(u32, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(index, &(_, row))| (row, index))
        .collect();
    open.sort_unstable();
    let mut rows: Vec<u32> = Vec::with_capacity(open.len());
    for (probed, &gram) in common.iter().enumerate() {
        // A candidate is settled once it holds `needed` bigrams, or can no longer reach
        // that with the lists left: most are dropped by the first lists.
        let left = common.len() - probed;
        open.retain(|&(_, index)| held[index] < needed && held[index] + left >= needed);
        if open.is_empty() {
            break;
        }
        rows.clear();
        rows.extend(open.iter().map(|&(row, _)| row));
        store.gram_contains_each(gram, &rows, |at| held[open[at].1] += 1)?;
    }
    Ok(candidates
        .iter()
        .zip(&held)
        .filter(|&(_, &count)| count >= needed)
        .map(|(&(_, row), _)| row)
        .collect())
}

/// How many of the `rare` lists hold each row of `bucket` (where all of a key length's
/// rows are), counted in `counts`, one byte per row, reused from length to length: the
/// lists of a 100,000-term glossary hold thousands of rows, and a hash map of them cost
/// more in fresh heap pages than the counting itself.
fn count_shared<'a>(
    store: &crate::store::Store,
    rare: &[crate::store::Gram],
    bucket: std::ops::Range<usize>,
    counts: &'a mut Vec<u8>,
) -> Result<Counted<'a>, Damaged> {
    counts.clear();
    counts.resize(bucket.len(), 0);
    for &gram in rare {
        for row in store.gram_postings_in_place(gram)? {
            // Every posting of a gram is a row of its length; one outside the bucket
            // (a damaged table) is not a key of this length and is not counted.
            if let Some(count) = (row as usize)
                .checked_sub(bucket.start)
                .and_then(|at| counts.get_mut(at))
            {
                *count = count.saturating_add(1);
            }
        }
    }
    Ok(Counted {
        first_row: bucket.start,
        counts,
    })
}

/// Per-row counts of shared bigrams, from `count_shared`.
struct Counted<'a> {
    first_row: usize,
    counts: &'a [u8],
}

/// The rows counted at least `least` (≥ 1) times as (count, row), most shared first and
/// in row order among equals, at most `MAX_TYPO_CANDIDATES` of them. A counting sort:
/// thousands of rows are counted at 100,000 terms, and the counts are small numbers.
fn most_shared_first(counted: Counted, least: usize) -> Vec<(usize, u32)> {
    let least = least.max(1);
    let mut quota = [0usize; 256];
    for &held in counted.counts {
        quota[held as usize] += 1;
    }
    let mut next = [0usize; 256];
    let mut taken = 0;
    for count in (least..quota.len()).rev() {
        next[count] = taken;
        quota[count] = quota[count].min(MAX_TYPO_CANDIDATES - taken);
        taken += quota[count];
    }
    let mut chosen = vec![(0, 0); taken];
    for (at, &held) in counted.counts.iter().enumerate() {
        let count = held as usize;
        if count >= least && quota[count] > 0 {
            chosen[next[count]] = (count, (counted.first_row + at) as u32);
            next[count] += 1;
            quota[count] -= 1;
        }
    }
    chosen
}

/// Calls `visit` on the rows whose key starts with `prefix`, shortest keys first, from
/// `min_length` on; stops once `ENOUGH_TERMS` terms matched (after finishing that length)
/// or `MAX_SCANNED_ROWS` rows were read.
fn scan_prefix(
    offers: &mut Offers,
    prefix: &str,
    min_length: usize,
    visit: impl FnMut(&mut Offers, &KeyEntry) -> Result<bool, Damaged>,
) -> Result<(), Damaged> {
    scan_prefix_among(offers, prefix, min_length, None, visit)
}

/// `scan_prefix`; with `among` (sorted rows, known to hold every row `visit` would
/// accept), only those rows are read, the others counted toward the limits as if visited
/// and turned down: the same rows visited in the same order, the rest never read.
fn scan_prefix_among(
    offers: &mut Offers,
    prefix: &str,
    min_length: usize,
    among: Option<&[u32]>,
    mut visit: impl FnMut(&mut Offers, &KeyEntry) -> Result<bool, Damaged>,
) -> Result<(), Damaged> {
    let store = offers.index.store();
    let mut matched: FxHashSet<u32> = FxHashSet::default();
    let mut scanned = 0;
    let mut pending = among.unwrap_or_default();
    for length in min_length..=store.max_key_length() {
        if among.is_some() && pending.is_empty() {
            break;
        }
        let range = store.rows_with_prefix(length, prefix)?;
        let mut here: &[u32] = &[];
        if among.is_some() {
            pending = &pending[pending.partition_point(|&row| (row as usize) < range.start)..];
            (here, pending) =
                pending.split_at(pending.partition_point(|&row| (row as usize) < range.end));
        }
        // Every row of the range, or only those of `among` in it.
        let every_row = among.is_none().then(|| range.clone()).into_iter().flatten();
        for row in every_row.chain(here.iter().map(|&row| row as usize)) {
            if scanned + (row - range.start) >= MAX_SCANNED_ROWS {
                return Ok(());
            }
            let entry = store.key_entry(row)?;
            if visit(offers, &entry)? {
                matched.insert(entry.term);
            }
        }
        scanned += range.len();
        if scanned >= MAX_SCANNED_ROWS || matched.len() >= ENOUGH_TERMS {
            break;
        }
    }
    Ok(())
}

fn prefix_candidates(offers: &mut Offers) -> Result<(), Damaged> {
    let query = offers.query;
    // Most Latin queries are their own pinyin form: then one scan of the rows serves names
    // and pinyin keys alike (the same rows, the same score), instead of two.
    let one_form = query.pinyin.as_deref() == Some(query.normalized.as_str());
    for (form, is_pinyin) in forms(query) {
        if one_form && is_pinyin {
            continue;
        }
        let length = form_length(query, form, is_pinyin);
        if length < 2 {
            continue;
        }
        scan_prefix(offers, form, length + 1, |offers, entry| {
            if !(row_fits(entry, is_pinyin) || one_form && row_fits(entry, true)) {
                return Ok(false);
            }
            offers.score_entry(entry, fuzzy::prefix)
        })?;
    }
    Ok(())
}

fn word_prefix_candidates(offers: &mut Offers) -> Result<(), Damaged> {
    let query = offers.query;
    let Some(first) = query.words.first().filter(|_| query.words.len() >= 2) else {
        return Ok(());
    };
    let store = offers.index.store();
    // One list of words for every row scanned (thousands at 100,000 terms), not one each.
    let mut words: Vec<&str> = Vec::new();
    let visit = |offers: &mut Offers, entry: &KeyEntry| {
        if !entry.kind.is_name() {
            return Ok(false);
        }
        words.clear();
        words.extend(store.key_words(entry)?);
        if fuzzy::word_prefix_coverage(query, &words, entry.length).is_none() {
            return Ok(false);
        }
        offers.score_entry(entry, fuzzy::word_prefix)
    };
    // The rows that begin with the query's words are few even when the rows that begin
    // with its first word are thousands (`posterior` at 100,000 terms): walking the word
    // order finds them without reading the others, and the scan then visits only them.
    let typed: Vec<&str> = query.words.iter().map(String::as_str).collect();
    match store.rows_by_word_prefixes(&typed, WORD_WALK_BUDGET)? {
        Some(mut rows) => {
            rows.sort_unstable();
            scan_prefix_among(offers, first, query.length, Some(&rows), visit)
        }
        None => scan_prefix(offers, first, query.length, visit),
    }
}

/// Chinese queries inside longer Chinese names: keys holding every character pair of the
/// query, then the real test.
fn partial_candidates(offers: &mut Offers) -> Result<(), Damaged> {
    let query = offers.query;
    if !query.is_chinese || query.length < 2 {
        return Ok(());
    }
    let store = offers.index.store();
    let chars: Vec<char> = query.normalized.chars().collect();
    let mut pairs: Vec<crate::store::Bigram> =
        chars.windows(2).map(|pair| [pair[0], pair[1]]).collect();
    pairs.sort_unstable();
    pairs.dedup();
    for key_length in query.length + 1..=store.max_key_length().min(MAX_TYPO_KEY) {
        let mut rows: Option<Vec<u32>> = None;
        for pair in &pairs {
            let found = store.gram_rows(*pair, key_length)?;
            rows = Some(match rows {
                None => found,
                Some(so_far) => intersect(&so_far, &found),
            });
            if rows.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        for row in rows.unwrap_or_default().into_iter().take(MAX_SCANNED_ROWS) {
            let entry = store.key_entry(row as usize)?;
            if entry.kind.is_name() && store.key_text(&entry)?.contains(query.normalized.as_str()) {
                offers.score_entry(&entry, fuzzy::partial)?;
            }
        }
    }
    Ok(())
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Rules answered by one hash lookup each: acronyms, full pinyin, pinyin initials.
fn hashed_candidates(offers: &mut Offers, chinese: bool) -> Result<(), Damaged> {
    let query = offers.query;
    let store = offers.index.store();
    let mut lookups: Vec<(LookupClass, String, Rule)> = Vec::new();
    if query.is_acronym_like {
        lookups.push((
            LookupClass::Initials,
            query.normalized.clone(),
            fuzzy::acronym,
        ));
        lookups.push((
            LookupClass::SortedInitials,
            crate::store::sorted_letters(&query.normalized),
            fuzzy::acronym,
        ));
        if chinese {
            lookups.push((
                LookupClass::PinyinInitials,
                query.normalized.clone(),
                fuzzy::pinyin_initials,
            ));
        }
    }
    if let Some(pinyin) = &query.pinyin {
        lookups.push((LookupClass::Pinyin, pinyin.clone(), fuzzy::pinyin));
    }
    for (class, text, rule) in lookups {
        for (term, slot) in store.lookup(class, &text)? {
            offers.score(term, slot, rule)?;
        }
    }
    Ok(())
}

/// Mixed-script queries: terms named by the Latin words (exactly or as a prefix), then the
/// rule on all of the term's keys.
fn mixed_candidates(offers: &mut Offers) -> Result<(), Damaged> {
    let query = offers.query;
    let latin: Vec<&String> = query.words.iter().filter(|word| !has_han(word)).collect();
    if latin.is_empty() || latin.len() == query.words.len() {
        return Ok(());
    }
    let store = offers.index.store();
    let mut terms: Vec<u32> = Vec::new();
    for word in &latin {
        terms.extend(
            store
                .lookup(LookupClass::Name, word)?
                .into_iter()
                .map(|(term, _)| term),
        );
    }
    scan_prefix(offers, latin[0], latin[0].len(), |_, entry| {
        if entry.kind.is_name() {
            terms.push(entry.term);
        }
        Ok(false)
    })?;
    terms.sort_unstable();
    terms.dedup();
    for term in terms {
        let term = term as TermId;
        let record = offers.index.record(term)?;
        let keys = offers.index.keys(term)?;
        let broader = ancestors(offers.index, &record.links.broader, MIXED_ANCESTOR_DEPTH)?;
        let broader_names: Vec<&str> = broader
            .iter()
            .flat_map(|parent| parent.iter())
            .filter(|key| key.kind.is_name() && key.is_chinese)
            .map(|key| key.normalized.as_str())
            .collect();
        if let Some((slot, scored)) = fuzzy::mixed(query, &keys, &broader_names) {
            offers.offer(Candidate {
                term,
                key: keys[slot].clone(),
                scored,
            });
        }
    }
    Ok(())
}

/// How far up `broader` the mixed rule looks for a Chinese head (QLoRA → LoRA → 参数高效微调).
const MIXED_ANCESTOR_DEPTH: usize = 2;

/// The keys of the broader terms of a term, up to `depth` levels, each once.
fn ancestors(
    index: &Index,
    parents: &[u32],
    depth: usize,
) -> Result<Vec<std::sync::Arc<Vec<Key>>>, Damaged> {
    let mut found = Vec::new();
    let mut seen: FxHashSet<u32> = FxHashSet::default();
    let mut level: Vec<u32> = parents.to_vec();
    for _ in 0..depth {
        let mut next = Vec::new();
        for parent in level {
            if seen.insert(parent) {
                next.extend_from_slice(&index.record(parent as TermId)?.links.broader);
                found.push(index.keys(parent as TermId)?);
            }
        }
        level = next;
    }
    Ok(found)
}

/// Ranking order: score, then the kind of name matched (id, abbr, English, Chinese, alias,
/// then derived keys), then the shorter name, then glossary order. Fully deterministic.
fn order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.scored
        .score
        .total_cmp(&a.scored.score)
        .then_with(|| a.key.kind.cmp(&b.key.kind))
        .then_with(|| a.key.length.cmp(&b.key.length))
        .then_with(|| a.term.cmp(&b.term))
}

/// A winner must be good enough and clearly ahead. A runner-up whose matched name merely
/// contains the winner's (`Stable Diffusion XL` after `Stable Diffusion`, 条件生成对抗网络
/// after 生成对抗网络) is no rival: the query fits the shorter, more general name better.
fn decide(ranked: &[Candidate]) -> Decision {
    let Some(top) = ranked.first() else {
        return Decision::Nothing;
    };
    let top_name = &top.key.normalized;
    let rival = ranked[1..]
        .iter()
        .find(|other| !other.key.normalized.contains(top_name.as_str()));
    // Scores are sums of products of decimals: compare margins with a little slack.
    let clear =
        rival.is_none_or(|rival| top.scored.score - rival.scored.score >= WINNER_MARGIN - 1e-9);
    if top.scored.score >= ACCEPT_SCORE && clear {
        let also = ranked[1..]
            .iter()
            .map(|candidate| candidate.term)
            .take(MAX_SUGGESTIONS)
            .collect();
        return Decision::Fuzzy {
            winner: top.term,
            also,
        };
    }
    Decision::Ambiguous(
        ranked
            .iter()
            .map(|candidate| candidate.term)
            .take(MAX_SUGGESTIONS)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::Term;

    #[test]
    fn most_shared_first_is_the_sorted_top_of_the_counts() {
        // Deterministic pseudo-random counts, long enough to hit the candidate cap.
        let mut state = 0x2545_f491u32;
        let counts: Vec<u8> = (0..5000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                [0, 0, 0, 1, 1, 2, 3, 5, 9, 10][(state % 10) as usize]
            })
            .collect();
        for least in [0, 1, 2, 5, 10, 11] {
            let mut expected: Vec<(usize, u32)> = counts
                .iter()
                .enumerate()
                .filter(|&(_, &held)| held > 0 && held as usize >= least)
                .map(|(at, &held)| (held as usize, 100 + at as u32))
                .collect();
            expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            expected.truncate(MAX_TYPO_CANDIDATES);
            let counted = Counted {
                first_row: 100,
                counts: &counts,
            };
            assert_eq!(most_shared_first(counted, least), expected, "least {least}");
        }
    }

    /// Names whose first words extend one another (`stable`, `stablelm`, `sta`) over many
    /// lengths, three keys per term: enough rows for both of the scan's limits.
    fn many_words_index(terms: usize) -> Index {
        let first = [
            "stable",
            "stablelm",
            "sta",
            "stable-video",
            "diffusion",
            "st",
        ];
        let second = ["diffusion", "diff", "di", "model", "mo", "d"];
        let third = ["xl", "turbo", "x", "base", ""];
        let terms: Vec<Term> = (0..terms)
            .map(|n| {
                let name = |salt: usize| {
                    let words = [
                        first[(n + salt) % first.len()],
                        second[(n / 3 + salt) % second.len()],
                        third[(n / 7) % third.len()],
                    ];
                    format!("{} {n}", words.join(" ").trim_end())
                };
                Term {
                    aliases: vec![name(1), name(2)],
                    ..term(&format!("t{n}"), &name(0), "", &[])
                }
            })
            .collect();
        Index::build(&terms)
    }

    /// The rows the word-prefix rule's filter accepts, as `scan_prefix` visits them and as
    /// `scan_prefix_among` does from the word-order walk.
    /// (term, slot) of the key rows accepted, in the order visited.
    type Visits = Vec<(u32, u16)>;

    fn word_prefix_visits(index: &Index, text: &str) -> (Visits, Visits) {
        let query = Query::new(text);
        let store = index.store();
        let accepts = |entry: &KeyEntry| {
            let words: Vec<&str> = store.key_words(entry).unwrap().collect();
            entry.kind.is_name()
                && fuzzy::word_prefix_coverage(&query, &words, entry.length).is_some()
        };
        let mut offers = Offers {
            index,
            query: &query,
            best: FxHashMap::default(),
        };
        let first = query.words[0].as_str();
        let mut scanned = Vec::new();
        scan_prefix(&mut offers, first, query.length, |_, entry| {
            let accepted = accepts(entry);
            if accepted {
                scanned.push((entry.term, entry.slot));
            }
            Ok(accepted)
        })
        .unwrap();
        let typed: Vec<&str> = query.words.iter().map(String::as_str).collect();
        let unlimited = WalkBudget {
            groups: usize::MAX,
            rows: usize::MAX,
        };
        let mut rows = store
            .rows_by_word_prefixes(&typed, unlimited)
            .unwrap()
            .unwrap();
        rows.sort_unstable();
        let mut walked = Vec::new();
        scan_prefix_among(&mut offers, first, query.length, Some(&rows), |_, entry| {
            let accepted = accepts(entry);
            if accepted {
                walked.push((entry.term, entry.slot));
            }
            Ok(accepted)
        })
        .unwrap();
        (scanned, walked)
    }

    #[test]
    fn the_word_order_walk_visits_what_the_scan_visits() {
        let small = many_words_index(120);
        let large = many_words_index(2_000);
        let queries = [
            "stable diff",
            "sta di",
            "st d",
            "stable diffusion x",
            "stablelm mo",
            "stable-video diff",
            "stable video diff",
            "diffusion st",
            "st di x",
            "stable diffusion xl 7",
            "sta model turbo",
            "nothing here",
            "stable zz",
            // Few matches, in long names: found after the row limit, not the length limit.
            "st d x 19",
            "st di xl 1",
            "s d turbo 19",
        ];
        for index in [&small, &large] {
            for query in queries {
                let (scanned, walked) = word_prefix_visits(index, query);
                assert_eq!(walked, scanned, "{query}");
            }
        }
        let (scanned, _) = word_prefix_visits(&large, "st d");
        assert!(scanned.len() > ENOUGH_TERMS, "the length limit is reached");
        let rows_of_st: usize = (0..=large.store().max_key_length())
            .map(|length| large.store().rows_with_prefix(length, "st").unwrap().len())
            .sum();
        assert!(rows_of_st > MAX_SCANNED_ROWS, "the row limit is reached");
        let query = Query::new("st zz");
        let mut offers = Offers {
            index: &large,
            query: &query,
            best: FxHashMap::default(),
        };
        let mut visits = 0;
        scan_prefix(&mut offers, "st", 2, |_, _| {
            visits += 1;
            Ok(false)
        })
        .unwrap();
        assert_eq!(
            visits, MAX_SCANNED_ROWS,
            "no more rows than the limit are read"
        );
    }

    #[test]
    fn the_walk_gives_up_past_its_budget() {
        let index = many_words_index(120);
        let store = index.store();
        let tight = WalkBudget { groups: 1, rows: 1 };
        assert_eq!(store.rows_by_word_prefixes(&["st", "d"], tight), Ok(None));
        let roomy = WalkBudget {
            groups: 64,
            rows: 4096,
        };
        let rows = store
            .rows_by_word_prefixes(&["stablelm", "model"], roomy)
            .unwrap()
            .unwrap();
        assert!(!rows.is_empty());
        for row in rows {
            let entry = store.key_entry(row as usize).unwrap();
            let words: Vec<&str> = store.key_words(&entry).unwrap().collect();
            assert_eq!(&words[..2], ["stablelm", "model"]);
        }
    }

    fn term(id: &str, en: &str, zh: &str, abbr: &[&str]) -> Term {
        Term {
            id: id.into(),
            en: en.into(),
            zh: zh.into(),
            abbr: abbr.iter().map(|s| s.to_string()).collect(),
            ..Term::default()
        }
    }

    fn index() -> Index {
        Index::build(&[
            term(
                "clip",
                "Contrastive Language-Image Pre-training",
                "对比语言-图像预训练",
                &["CLIP"],
            ),
            term("diffusion-model", "Diffusion Model", "扩散模型", &[]),
            Term {
                aliases: vec!["稳定扩散".into()],
                ..term(
                    "stable-diffusion",
                    "Stable Diffusion",
                    "Stable Diffusion",
                    &["SD"],
                )
            },
            term("sdxl", "Stable Diffusion XL", "SDXL", &["SDXL"]),
            term(
                "gan",
                "Generative Adversarial Network",
                "生成对抗网络",
                &["GAN"],
            ),
            term(
                "score-distillation",
                "Score Distillation Sampling",
                "分数蒸馏采样",
                &["SDS", "SD"],
            ),
            term("diffusion-sampler", "Diffusion Sampler", "扩散采样器", &[]),
        ])
    }

    fn found(index: &Index, query: &str) -> (Vec<String>, Option<MatchKind>) {
        let lookup = lookup(index, query, true).unwrap();
        let ids = match &lookup.decision {
            Decision::Exact(terms) | Decision::Ambiguous(terms) => terms.clone(),
            Decision::Fuzzy { winner, .. } => vec![*winner],
            Decision::Nothing => vec![],
        };
        let kind = lookup.candidates.first().map(|c| c.scored.kind);
        let ids = ids
            .iter()
            .map(|&t| index.record(t).unwrap().term.id.clone())
            .collect();
        (ids, kind)
    }

    #[test]
    fn exact_beats_everything_and_shared_keys_return_all() {
        let index = index();
        let result = lookup(&index, "sd", true).unwrap();
        assert!(matches!(result.decision, Decision::Exact(_)));
        assert_eq!(
            found(&index, "sd").0,
            vec!["stable-diffusion", "score-distillation"]
        );
    }

    #[test]
    fn typo_wins_clearly() {
        let index = index();
        let result = lookup(&index, "clpi", true).unwrap();
        assert!(matches!(result.decision, Decision::Fuzzy { .. }));
        assert_eq!(found(&index, "clpi").0, vec!["clip"]);
        assert_eq!(
            found(&index, "difusion model"),
            (vec!["diffusion-model".to_string()], Some(MatchKind::Typo))
        );
    }

    #[test]
    fn a_longer_name_that_extends_the_winner_is_no_rival() {
        let index = index();
        let result = lookup(&index, "stable diff", true).unwrap();
        assert!(
            matches!(result.decision, Decision::Fuzzy { .. }),
            "{:?}",
            result.decision
        );
        assert_eq!(found(&index, "stable diff").0, vec!["stable-diffusion"]);
    }

    #[test]
    fn chinese_prefix_and_partial_names() {
        let index = index();
        assert_eq!(
            found(&index, "对抗网络"),
            (vec!["gan".to_string()], Some(MatchKind::Partial))
        );
        let (ids, kind) = found(&index, "扩散");
        assert_eq!(kind, Some(MatchKind::Prefix));
        assert_eq!(ids[0], "diffusion-model");
    }

    #[test]
    fn traditional_pinyin_initials_and_mixed() {
        let index = index();
        assert_eq!(
            found(&index, "生成對抗網絡"),
            (vec!["gan".to_string()], Some(MatchKind::Traditional))
        );
        assert_eq!(
            found(&index, "shengcheng duikang wangluo"),
            (vec!["gan".to_string()], Some(MatchKind::Pinyin))
        );
        assert_eq!(
            found(&index, "scdkwl"),
            (vec!["gan".to_string()], Some(MatchKind::Initials))
        );
        assert_eq!(
            found(&index, "stable 扩散"),
            (vec!["stable-diffusion".to_string()], Some(MatchKind::Mixed))
        );
    }

    #[test]
    fn unrelated_queries_find_nothing() {
        let index = index();
        for query in ["banana bread", "kubernetes", "zz", "", "   "] {
            assert_eq!(
                lookup(&index, query, true).unwrap().decision,
                Decision::Nothing,
                "{query}"
            );
        }
    }

    #[test]
    fn exact_only_turns_fuzzy_off() {
        let index = index();
        assert_eq!(
            lookup(&index, "clpi", false).unwrap().decision,
            Decision::Nothing
        );
    }
}
