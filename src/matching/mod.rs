//! Finding terms: normalisation (Chinese included), the keys of each term, the index a run
//! queries, the fuzzy rules, the one ranking they feed, and full-text search. Pure
//! functions of (query, index): no printing.

mod chinese;
mod complete;
mod fuzzy;
mod index;
mod keys;
mod normalize;
mod rank;
mod search;

pub use chinese::{
    explicit_syllables, has_traditional, is_syllable, plain_syllable, readings_of, spell,
    to_simplified, without_tone_numbers, Spelling,
};
pub use complete::{complete, Completion};
pub use fuzzy::{osa_within, MatchKind, Query, Scored, MAX_TYPO_QUERY};
pub use index::{Index, TermId};
pub use keys::{english_initials, term_keys, Key, KeyKind, MAX_TYPO_KEY};
pub use normalize::{
    fold_for_search, fold_text, grapheme_count, graphemes, has_han, is_han, normalize_key,
    normalize_words, push_folded, text_tokens, Token,
};
pub use rank::{
    lookup, lookup_with, Candidate, Decision, Lookup, Rules, ACCEPT_SCORE, SUGGEST_SCORE,
    WINNER_MARGIN,
};
pub use search::{describe_hit, search, Hit, SearchHit};
