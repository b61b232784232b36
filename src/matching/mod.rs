//! Finding terms: normalisation, the index built once per run, the fuzzy rules, the one
//! ranking they feed, and full-text search. Pure functions of (query, index): no printing.

mod fuzzy;
mod index;
mod normalize;
mod rank;
mod search;

pub use fuzzy::{MatchKind, Query, Scored, MAX_TYPO_QUERY};
pub use index::{Index, IndexKey, KeyKind, TermId};
pub use normalize::{graphemes, has_han, is_han, normalize_key, normalize_words};
pub use rank::{lookup, Candidate, Decision, Lookup, ACCEPT_SCORE, SUGGEST_SCORE, WINNER_MARGIN};
pub use search::{search, SearchHit};
