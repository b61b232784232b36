//! Glossary data: the file format, loading and overlaying files, and validating the result.
//!
//! Nothing here prints, reads argv or looks at the environment: callers pass the sources in
//! and get terms or problems back.

mod load;
mod position;
mod schema;
mod validate;

pub use load::{
    load, merge, parse_source, read_text, Glossary, Source, TermSite, EMBEDDED_NAME, EMBEDDED_TEXT,
};
pub use position::Position;
pub use schema::{Definition, Term};
pub use validate::{current_year, errors, term_names, validate, Problem, Severity, TAG_VOCABULARY};
