//! The glossary loader and validator on arbitrary text: must return terms or an error, never
//! panic, and validation must terminate (cycles included).
#![no_main]

use aigc_term::glossary::{self, Glossary};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((terms, sites)) = glossary::parse_source("fuzz.toml", text) {
        let loaded = Glossary { terms, sites, load_problems: Vec::new() };
        let problems = glossary::validate(&loaded, 2026);
        for problem in &problems {
            let _ = problem.to_string();
        }
    }
});
