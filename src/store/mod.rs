//! The compiled index: the glossary as one flat, checksummed byte format that is read in
//! place. The shipped glossary is compiled by the build script and embedded; user
//! glossaries are compiled on first use and kept in the cache (`cache.rs`).
//!
//! Nothing here prints or reads the environment; `cache` takes its directory from the caller.

pub mod cache;
mod format;
mod read;
mod write;

pub use format::{
    padded_bigrams, sorted_letters, Bigram, Damaged, FieldWeight, Links, LookupClass, Meta, Names,
    Record, SourceStamp,
};
pub use read::{read_meta, Backing, Gram, KeyEntry, Store, WalkBudget};
pub use write::{compile, compile_into, compile_owned, index_words, restamp, search_fields};

/// The shipped glossary, compiled and checked by the build script.
pub static EMBEDDED_INDEX: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/embedded.idx"));

/// Which build wrote an index: a cache from another build of aigc-term (another version,
/// another shipped glossary) is stale.
pub fn tool_stamp() -> String {
    format!(
        "aigc-term {} format {} embedded {}",
        env!("CARGO_PKG_VERSION"),
        format::FORMAT_VERSION,
        env!("AIGC_TERM_EMBEDDED_HASH")
    )
}
