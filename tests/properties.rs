//! Properties that must hold for any input, checked with proptest: normalisation is
//! idempotent, matching and search never panic and stay bounded, every shipped name finds
//! its term, and any glossary survives a round trip through TOML and the loader.

use std::time::{Duration, Instant};

use aigc_term::glossary::{self, Definition, Source, Term};
use aigc_term::matching::{self, Decision, Index};
use proptest::prelude::*;

fn shipped_index() -> &'static Index {
    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| Index::embedded().expect("the embedded index opens"))
}

#[test]
fn the_embedded_index_holds_the_shipped_toml() {
    let parsed = glossary::load(&[Source::Embedded]).unwrap().terms;
    assert_eq!(shipped_index().all_terms().unwrap(), parsed);
}

#[test]
fn every_shipped_name_looks_up_exactly_to_its_term() {
    let index = shipped_index();
    for (term_id, term) in index.all_terms().unwrap().iter().enumerate() {
        let names = [&term.id, &term.en, &term.zh]
            .into_iter()
            .chain(&term.abbr)
            .chain(&term.aliases);
        for name in names {
            match matching::lookup(index, name, false).unwrap().decision {
                Decision::Exact(found) => assert!(
                    found.contains(&term_id),
                    "'{name}' does not find {}",
                    term.id
                ),
                other => panic!("'{name}' of {} is not exact: {other:?}", term.id),
            }
        }
    }
}

/// Text people might type, with the characters that exercise normalisation.
fn queryish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 ·._/-]{0,40}",
        "[\\u{4e00}-\\u{4e80}a-z ]{0,12}",
        "[ＡＢＣａｂｃ０１２　ﬁⅫß İ\\u{301}\\u{200d}👩‍💻🤖]{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn normalisation_is_idempotent(text in queryish()) {
        let once = matching::normalize_key(&text);
        prop_assert_eq!(matching::normalize_key(&once), once.clone());
        let words = matching::normalize_words(&text);
        prop_assert!(words.iter().all(|word| !word.is_empty()));
    }

    #[test]
    fn bounded_edit_distance_is_strsims_osa(a in "[a-e扩散]{0,12}", b in "[a-e扩散]{0,12}", limit in 0usize..5) {
        let exact = strsim::osa_distance(&a, &b);
        prop_assert_eq!(matching::osa_within(&a, &b, limit), (exact <= limit).then_some(exact));
    }

    #[test]
    fn matching_never_panics_and_is_bounded(text in queryish(), repeat in 1usize..2000) {
        let index = shipped_index();
        let started = Instant::now();
        let _ = matching::lookup(index, &text, true);
        let long = text.repeat(repeat.min(100_000 / text.len().max(1)).max(1));
        let _ = matching::lookup(index, &long, true);
        let _ = matching::search(index, &text);
        prop_assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    }
}

fn term_strategy() -> impl Strategy<Value = Term> {
    let text = "[^\\u{0}]{1,30}";
    (
        "[a-z0-9]{1,8}(-[a-z0-9]{1,5}){0,2}",
        text,
        text,
        prop::collection::vec(text, 0..3),
        prop::collection::vec(text, 0..3),
        prop::option::of(1940i64..2026),
        (text, text),
    )
        .prop_map(
            |(id, en, zh, abbr, aliases, year, (definition_en, definition_zh))| Term {
                id,
                en,
                zh,
                abbr,
                aliases,
                year,
                definition: Definition {
                    en: definition_en,
                    zh: definition_zh,
                },
                ..Term::default()
            },
        )
}

#[derive(serde::Serialize)]
struct File<'a> {
    term: &'a [Term],
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn glossaries_round_trip_through_toml_and_the_loader(terms in prop::collection::vec(term_strategy(), 1..12)) {
        let text = toml::to_string(&File { term: &terms }).expect("serialises");
        let (loaded, sites) = glossary::parse_source("round-trip.toml", &text).expect("parses back");
        prop_assert_eq!(sites.len(), loaded.len());
        prop_assert_eq!(&loaded, &terms);
        let compiled = Index::build(&loaded).all_terms().expect("the compiled index reads back");
        prop_assert_eq!(compiled, terms);
    }
}
