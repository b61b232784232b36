//! aigc-term: a bilingual (Chinese + English) glossary of AIGC terms for the terminal.
//!
//! The library holds everything but process exit: `glossary` loads and validates data,
//! `store` compiles it into the index format (embedded, cached), `open` opens the effective
//! glossary, `matching` ranks, `graph` walks relations, `render` formats, `app` wires them
//! to the command line defined in `cli`.

pub mod app;
pub mod cli;
pub mod error;
pub mod export;
pub mod glossary;
pub mod graph;
pub mod matching;
pub mod open;
pub mod render;
pub mod repl;
pub mod store;

/// Tables the build script derives from the `fast2s` and `pinyin` crates (see build.rs).
mod generated {
    include!(concat!(env!("OUT_DIR"), "/chinese_tables.rs"));
}
