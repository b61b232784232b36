//! aigc-term: a bilingual (Chinese + English) glossary of AIGC terms for the terminal.
//!
//! The library holds everything but process exit: `glossary` loads and validates data,
//! `matching` indexes and ranks, `graph` walks relations, `render` formats, `app` wires
//! them to the command line defined in `cli`.

pub mod app;
pub mod cli;
pub mod error;
pub mod glossary;
pub mod graph;
pub mod matching;
pub mod render;
