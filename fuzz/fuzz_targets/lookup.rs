//! Query normalisation, matching and search over the shipped glossary on arbitrary queries:
//! never panic, and stay bounded (libFuzzer's -timeout catches slow inputs).
#![no_main]

use std::sync::OnceLock;

use aigc_term::glossary::{self, Source};
use aigc_term::matching::{self, Index};
use libfuzzer_sys::fuzz_target;

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| Index::build(glossary::load(&[Source::Embedded]).expect("shipped glossary loads").terms))
}

fuzz_target!(|query: &str| {
    let key = matching::normalize_key(query);
    assert_eq!(matching::normalize_key(&key), key, "normalisation is idempotent");
    let _ = matching::lookup(index(), query, true);
    let _ = matching::search(index(), query);
});
