//! The glossary loader, validator and index writer on arbitrary text: must return terms or
//! an error, never panic; validation must terminate (cycles included); whatever loads must
//! compile into an index that opens and reads back the same terms.
#![no_main]

use aigc_term::glossary::{self, Glossary};
use aigc_term::matching::Index;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((terms, sites)) = glossary::parse_source("fuzz.toml", text) {
        let loaded = Glossary { terms, sites, load_problems: Vec::new() };
        for problem in glossary::validate(&loaded, 2026) {
            let _ = problem.to_string();
        }
        let index = Index::build(&loaded.terms);
        assert_eq!(index.all_terms().expect("a fresh index reads back"), loaded.terms);
    }
});
