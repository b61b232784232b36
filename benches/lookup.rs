//! Library benchmarks (divan): compiling an index, exact and fuzzy lookups and full-text
//! search, on the shipped glossary and on generated glossaries of 1,000, 10,000 and 100,000
//! terms, so that the cost curve of each operation over glossary size is visible.
//! Whole-process timings against a hello-world are `scripts/bench.sh`'s.
//!
//!     cargo bench --bench lookup                  # everything (the 100,000 builds take a while)
//!     cargo bench --bench lookup -- exact fuzzy   # a subset

use std::sync::OnceLock;

use aigc_term::glossary::{self, Term};
use aigc_term::matching::{self, Index};
use aigc_term::store::{compile, compile_owned, Backing, Meta, EMBEDDED_INDEX};
use divan::Bencher;

#[path = "../examples/gen-glossary.rs"]
#[allow(dead_code)]
mod generator;

fn main() {
    divan::main();
}

/// Glossary sizes; 0 stands for the shipped glossary.
const SIZES: [usize; 4] = [0, 1_000, 10_000, 100_000];

fn terms(size: usize) -> &'static [Term] {
    static TERMS: [OnceLock<Vec<Term>>; 4] = [const { OnceLock::new() }; 4];
    let at = SIZES
        .iter()
        .position(|&s| s == size)
        .expect("a benchmarked size");
    TERMS[at].get_or_init(|| {
        if size == 0 {
            return Index::embedded()
                .expect("embedded")
                .all_terms()
                .expect("terms");
        }
        let text = generator::generate(size);
        glossary::parse_source("generated.toml", &text)
            .expect("parses")
            .0
    })
}

/// The compiled index of a size, made once.
fn compiled(size: usize) -> &'static [u8] {
    static BYTES: [OnceLock<Vec<u8>>; 4] = [const { OnceLock::new() }; 4];
    let at = SIZES
        .iter()
        .position(|&s| s == size)
        .expect("a benchmarked size");
    BYTES[at].get_or_init(|| {
        if size == 0 {
            EMBEDDED_INDEX.to_vec()
        } else {
            compile(terms(size), Meta::default())
        }
    })
}

/// A freshly opened index, as a process opens it: nothing decoded yet.
fn index(size: usize) -> Index {
    Index::open(Backing::Static(compiled(size))).expect("opens")
}

/// A term two thirds into the glossary, and its English name.
fn probe(size: usize) -> (&'static str, &'static str) {
    if size == 0 {
        return ("gan", "Generative Adversarial Network");
    }
    let term = &terms(size)[size * 2 / 3];
    (&term.id, &term.en)
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn build(bencher: Bencher, size: usize) {
    let terms = terms(size);
    bencher
        .with_inputs(|| terms.to_vec())
        .bench_values(|terms| compile_owned(terms, Meta::default()));
}

#[divan::bench(args = SIZES)]
fn exact(bencher: Bencher, size: usize) {
    let (id, _) = probe(size);
    bencher.bench(|| matching::lookup(&index(size), id, true).expect("lookup"));
}

/// A one-letter deletion in the first word of a name.
#[divan::bench(args = SIZES)]
fn fuzzy_typo(bencher: Bencher, size: usize) {
    let (_, name) = probe(size);
    let typo = format!("{}{}", &name[..2], &name[3..]);
    bencher.bench(|| matching::lookup(&index(size), &typo, true).expect("lookup"));
}

/// The first two words and three letters of the third.
#[divan::bench(args = SIZES)]
fn fuzzy_prefix(bencher: Bencher, size: usize) {
    let (_, name) = probe(size);
    let words: Vec<&str> = name.split(' ').collect();
    let prefix = format!(
        "{} {} {}",
        words[0],
        words[1],
        &words[2][..3.min(words[2].len())]
    );
    bencher.bench(|| matching::lookup(&index(size), &prefix, true).expect("lookup"));
}

/// The initials of the name (the acronym rule).
#[divan::bench(args = SIZES)]
fn fuzzy_acronym(bencher: Bencher, size: usize) {
    let (_, name) = probe(size);
    let initials: String = name
        .split(' ')
        .filter_map(|word| word.chars().next())
        .collect::<String>()
        .to_lowercase();
    bencher.bench(|| matching::lookup(&index(size), &initials, true).expect("lookup"));
}

#[divan::bench(args = SIZES)]
fn search(bencher: Bencher, size: usize) {
    let word = if size == 0 { "noise" } else { "sparse" };
    bencher.bench(|| matching::search(&index(size), word).expect("search"));
}

/// English queries of every kind on the shipped glossary.
const ENGLISH_QUERIES: [&str; 5] = ["gan", "difusion", "stable diff", "clpi", "fsl"];

/// English queries with the Chinese readers' rules (pinyin, initials, mixed scripts) on,
/// as the tool runs them; compare with `english_without_chinese_rules` for what those rules
/// cost the queries they do not decide.
#[divan::bench(args = ENGLISH_QUERIES)]
fn english_with_chinese_rules(bencher: Bencher, query: &str) {
    let rules = matching::Rules {
        fuzzy: true,
        chinese: true,
    };
    bencher.bench(|| matching::lookup_with(&index(0), query, rules).expect("lookup"));
}

#[divan::bench(args = ENGLISH_QUERIES)]
fn english_without_chinese_rules(bencher: Bencher, query: &str) {
    let rules = matching::Rules {
        fuzzy: true,
        chinese: false,
    };
    bencher.bench(|| matching::lookup_with(&index(0), query, rules).expect("lookup"));
}
