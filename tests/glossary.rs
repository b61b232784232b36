//! The shipped glossary held to the standard of a reference book: size, coverage of the
//! source notes, definitions in both languages, links, sources and names that do not clash.

use std::collections::{BTreeMap, BTreeSet};

use aigc_term::glossary::{self, Severity, Source, Term};
use aigc_term::matching::{self, Decision, Index};

fn shipped() -> Vec<Term> {
    glossary::load(&[Source::Embedded])
        .expect("embedded glossary loads")
        .terms
}

fn han_count(text: &str) -> usize {
    text.chars().filter(|&c| matching::is_han(c)).count()
}

#[test]
fn shipped_glossary_passes_check_without_warnings() {
    let loaded = glossary::load(&[Source::Embedded]).unwrap();
    let problems = glossary::validate(&loaded, glossary::current_year());
    let serious: Vec<String> = problems
        .iter()
        .filter(|p| p.severity != Severity::Note)
        .map(|p| p.to_string())
        .collect();
    assert!(serious.is_empty(), "{}", serious.join("\n"));
}

#[test]
fn has_at_least_300_terms() {
    let count = shipped().len();
    assert!(count >= 300, "only {count} terms");
}

/// Every concept the source notes name (../shared/seeds) is found by an exact lookup.
#[test]
fn every_concept_of_the_source_notes_is_found_exactly() {
    let index = Index::embedded().unwrap();
    let mut missing = Vec::new();
    for line in include_str!("notes_concepts.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
    {
        let (query, expected) = line.split_once('\t').expect("query<TAB>id");
        let found = match matching::lookup(&index, query, false).unwrap().decision {
            Decision::Exact(terms) => terms
                .iter()
                .map(|&t| index.record(t).unwrap().term.id.clone())
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        if !found.iter().any(|id| id == expected) {
            missing.push(format!("{query} -> {expected} (found {found:?})"));
        }
    }
    assert!(
        missing.is_empty(),
        "not found exactly:\n{}",
        missing.join("\n")
    );
}

#[test]
fn definitions_are_sensible_in_both_languages() {
    let mut bad = Vec::new();
    for term in shipped() {
        let (en, zh) = (&term.definition.en, &term.definition.zh);
        if !(150..=900).contains(&en.chars().count()) {
            bad.push(format!(
                "{}: definition.en has {} characters",
                term.id,
                en.chars().count()
            ));
        }
        if !(60..=400).contains(&zh.chars().count()) {
            bad.push(format!(
                "{}: definition.zh has {} characters",
                term.id,
                zh.chars().count()
            ));
        }
        if han_count(en) > 0 {
            bad.push(format!("{}: Chinese characters in definition.en", term.id));
        }
        if han_count(zh) * 2 < zh.chars().count() {
            bad.push(format!("{}: definition.zh is not mostly Chinese", term.id));
        }
        if han_count(&term.en) > 0 {
            bad.push(format!(
                "{}: Chinese characters in the English name",
                term.id
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_term_links_to_at_least_two_others_and_has_one_to_three_tags() {
    let mut bad = Vec::new();
    for term in shipped() {
        if term.related.len() < 2 {
            bad.push(format!("{}: {} related", term.id, term.related.len()));
        }
        if !(1..=3).contains(&term.tags.len()) {
            bad.push(format!("{}: {} tags", term.id, term.tags.len()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn named_models_have_sources_year_and_authors() {
    let mut bad = Vec::new();
    for term in shipped()
        .iter()
        .filter(|term| term.tags.iter().any(|tag| tag == "model"))
    {
        if term.refs.is_empty() || term.year.is_none() || term.by.is_none() {
            bad.push(term.id.clone());
        }
        if term.refs.iter().any(|url| !url.starts_with("https://")) {
            bad.push(format!("{}: non-https ref", term.id));
        }
    }
    assert!(bad.is_empty(), "model terms without refs/year/by: {bad:?}");
}

/// Only these normalised names may name two terms; each returns all of them.
const SHARED_NAMES: &[(&str, &[&str])] = include!("shared_names.in");

#[test]
fn names_are_unique_except_the_listed_shared_ones() {
    let terms = shipped();
    let mut owners: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for term in &terms {
        let names = [&term.id, &term.en, &term.zh]
            .into_iter()
            .chain(&term.abbr)
            .chain(&term.aliases);
        for name in names {
            owners
                .entry(matching::normalize_key(name))
                .or_default()
                .insert(term.id.clone());
        }
    }
    let shared: BTreeMap<String, BTreeSet<String>> = owners
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .collect();
    let allowed: BTreeMap<String, BTreeSet<String>> = SHARED_NAMES
        .iter()
        .map(|(key, ids)| {
            (
                key.to_string(),
                ids.iter().map(|id| id.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(
        shared, allowed,
        "names shared by several terms differ from the list in tests/shared_names.in"
    );
    let index = Index::embedded().unwrap();
    for (key, ids) in SHARED_NAMES {
        let Decision::Exact(found) = matching::lookup(&index, key, false).unwrap().decision else {
            panic!("{key} is not exact")
        };
        let found: BTreeSet<String> = found
            .iter()
            .map(|&t| index.record(t).unwrap().term.id.clone())
            .collect();
        let expected: BTreeSet<String> = ids.iter().map(|id| id.to_string()).collect();
        assert_eq!(found, expected, "{key}");
    }
}
