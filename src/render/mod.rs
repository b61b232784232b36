//! Turning results into text: `human` for people (colour optional), `json` for scripts, and
//! `sanitize` so glossary text never reaches a terminal raw. Renderers format what they are
//! given; they never read files or decide what matched.

mod human;
mod json;
mod sanitize;

pub use human::{
    write_check, write_explain, write_list, write_plain_list, write_related, write_related_dot,
    write_search, write_tags, write_terms,
};
pub use json::{
    check_json, list_json, lookup_json, related_json, search_json, tags_json, term_json,
    LookupView, TermJson,
};
pub use sanitize::{is_unsafe_char, sanitize};

use crate::graph::Relation;

/// A term reached by a relation walk, resolved for printing: its names only.
#[derive(Debug, Clone, Copy)]
pub struct RelatedTerm<'a> {
    pub id: &'a str,
    pub en: &'a str,
    pub zh: &'a str,
    pub relation: Relation,
    /// The id of the term it was reached from.
    pub via: &'a str,
    pub depth: usize,
}

/// A definition language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Chinese,
}

/// How human output looks, decided once at the edge and passed down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// Which definitions to show, in order.
    pub languages: Vec<Language>,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            languages: vec![Language::English, Language::Chinese],
        }
    }
}
