//! Query normalisation, every matching rule, search and completion over the shipped
//! glossary, on arbitrary queries: never panic, and stay bounded (libFuzzer's -timeout
//! catches slow inputs).
#![no_main]

use aigc_term::matching::{self, Index};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|query: &str| {
    let index = Index::embedded().expect("the embedded index opens");
    let key = matching::normalize_key(query);
    assert_eq!(matching::normalize_key(&key), key, "normalisation is idempotent");
    let _ = matching::lookup(&index, query, true).expect("the embedded index is whole");
    let _ = matching::search(&index, query).expect("the embedded index is whole");
    let _ = matching::complete(&index, query, 50).expect("the embedded index is whole");
});
