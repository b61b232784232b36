//! The index a run queries: a compiled store (embedded, mapped from the cache, or built in
//! memory) and the records decoded so far. Built or opened once per run; every query and
//! every printed term goes through it.

use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::FxHashMap;

use super::keys::Key;
use crate::glossary::Term;
use crate::store::{
    compile, Backing, Damaged, LookupClass, Meta, Names, Record, Store, EMBEDDED_INDEX,
};

/// A term's number in the index (its position in the merged glossary).
pub type TermId = usize;

pub struct Index {
    store: Store,
    /// Decoded records and keys, so that a term shown, linked and described is decoded
    /// once (and its keys only if a rule compares them).
    records: Mutex<FxHashMap<TermId, Arc<Record>>>,
    keys: Mutex<FxHashMap<TermId, Arc<Vec<Key>>>>,
}

impl Index {
    pub fn open(backing: Backing) -> Result<Index, Damaged> {
        Ok(Index::from_store(Store::open(backing)?))
    }

    pub fn from_store(store: Store) -> Index {
        Index {
            store,
            records: Mutex::default(),
            keys: Mutex::default(),
        }
    }

    /// The shipped glossary, compiled into the binary.
    pub fn embedded() -> Result<Index, Damaged> {
        Index::open(Backing::Static(EMBEDDED_INDEX))
    }

    /// Compiles `terms` in memory (no cache): for tests and `--no-cache`.
    pub fn build(terms: &[Term]) -> Index {
        let bytes = compile(terms, Meta::default());
        // A freshly compiled index always opens; `Damaged` here would be a writer bug.
        Index::open(Backing::Owned(bytes)).expect("a freshly compiled index opens")
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn len(&self) -> usize {
        self.store.term_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record of a term, decoded once per run.
    pub fn record(&self, term: TermId) -> Result<Arc<Record>, Damaged> {
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(record) = records.get(&term) {
            return Ok(Arc::clone(record));
        }
        let number = u32::try_from(term).map_err(|_| Damaged)?;
        let record = Arc::new(self.store.record(number)?);
        records.insert(term, Arc::clone(&record));
        Ok(record)
    }

    /// The id and names of a term: from its record if decoded already, else read from the
    /// front of the record alone (listing related terms needs no definitions).
    pub fn names(&self, term: TermId) -> Result<Names, Damaged> {
        let records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(record) = records.get(&term) {
            let term = &record.term;
            return Ok(Names {
                id: term.id.clone(),
                en: term.en.clone(),
                zh: term.zh.clone(),
            });
        }
        drop(records);
        self.store.names(u32::try_from(term).map_err(|_| Damaged)?)
    }

    /// The keys of a term, decoded once per run.
    pub fn keys(&self, term: TermId) -> Result<Arc<Vec<Key>>, Damaged> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = keys.get(&term) {
            return Ok(Arc::clone(found));
        }
        let number = u32::try_from(term).map_err(|_| Damaged)?;
        let found = Arc::new(self.store.keys(number)?);
        keys.insert(term, Arc::clone(&found));
        Ok(found)
    }

    /// The term with exactly this id.
    pub fn by_id(&self, id: &str) -> Result<Option<TermId>, Damaged> {
        for (term, _) in self.store.lookup(LookupClass::Id, id)? {
            let term = term as TermId;
            if self.record(term)?.term.id == id {
                return Ok(Some(term));
            }
        }
        Ok(None)
    }

    /// Every term in glossary order (decoded, not kept: listing 100,000 terms must not
    /// hold them all twice).
    pub fn all_terms(&self) -> Result<Vec<Term>, Damaged> {
        (0..self.len())
            .map(|term| Ok(self.store.record(term as u32)?.term))
            .collect()
    }

    /// Tags with their term counts, most used first.
    pub fn tags(&self) -> Result<Vec<(String, usize)>, Damaged> {
        Ok(self
            .store
            .tags()?
            .into_iter()
            .map(|(tag, count)| (tag, count as usize))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(id: &str, en: &str, zh: &str) -> Term {
        Term {
            id: id.into(),
            en: en.into(),
            zh: zh.into(),
            tags: vec!["concept".into()],
            ..Term::default()
        }
    }

    #[test]
    fn records_are_decoded_and_ids_resolved() {
        let index = Index::build(&[term("a", "Alpha", "甲"), term("b", "Beta", "乙")]);
        assert_eq!(index.len(), 2);
        assert_eq!(index.by_id("b").unwrap(), Some(1));
        assert_eq!(index.by_id("c").unwrap(), None);
        assert_eq!(index.record(0).unwrap().term.en, "Alpha");
        assert_eq!(index.tags().unwrap(), vec![("concept".to_string(), 2)]);
        assert_eq!(index.all_terms().unwrap().len(), 2);
    }

    #[test]
    fn the_embedded_glossary_opens() {
        let index = Index::embedded().unwrap();
        assert!(!index.is_empty());
        assert!(index.by_id("gan").unwrap().is_some());
    }
}
