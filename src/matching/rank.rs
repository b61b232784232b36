//! One ranking for every rule: each term's best match, sorted, and the decision a lookup
//! makes from it (exact answers, one clear fuzzy winner, a did-you-mean list, or nothing).

use std::collections::HashMap;

use super::fuzzy::{self, MatchKind, Query, Scored};
use super::index::{Index, TermId};

/// A fuzzy winner must score at least this to be shown as the answer; below, it can only be
/// suggested. 0.75 is a one-edit typo in a five-letter name or a prefix covering 40 %.
pub const ACCEPT_SCORE: f64 = 0.75;
/// And it must beat the best other term by this much; closer races are a did-you-mean.
pub const WINNER_MARGIN: f64 = 0.05;
/// Candidates below this are not worth suggesting at all.
pub const SUGGEST_SCORE: f64 = 0.62;
/// The most did-you-mean suggestions and `see also` terms shown.
pub const MAX_SUGGESTIONS: usize = 5;
/// How many ranked candidates a lookup keeps (for `--explain` and suggestions).
const KEEP_CANDIDATES: usize = 10;

/// One term's best match for a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub term: TermId,
    /// Position in `Index::keys` of the name that matched.
    pub key: usize,
    pub scored: Scored,
}

/// What a lookup concluded.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// The query is a name of these terms (several when the name is shared).
    Exact(Vec<TermId>),
    /// No exact match, but one clear winner; `also` are close runners-up worth a look.
    Fuzzy {
        winner: TermId,
        also: Vec<TermId>,
    },
    /// Several candidates, none clearly best: a did-you-mean list.
    Ambiguous(Vec<TermId>),
    Nothing,
}

#[derive(Debug, Clone)]
pub struct Lookup {
    pub query: String,
    pub decision: Decision,
    /// Ranked best first, one per term, at most `KEEP_CANDIDATES`.
    pub candidates: Vec<Candidate>,
}

impl Lookup {
    pub fn candidate(&self, term: TermId) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|candidate| candidate.term == term)
    }
}

/// Looks `text` up: exact first; fuzzy only when nothing is exact and `allow_fuzzy` is set.
pub fn lookup(index: &Index, text: &str, allow_fuzzy: bool) -> Lookup {
    let query = Query::new(text);
    let exact = exact_candidates(index, &query);
    if !exact.is_empty() {
        let terms = exact.iter().map(|candidate| candidate.term).collect();
        return Lookup {
            query: text.to_string(),
            decision: Decision::Exact(terms),
            candidates: exact,
        };
    }
    if !allow_fuzzy || query.normalized.is_empty() {
        return Lookup {
            query: text.to_string(),
            decision: Decision::Nothing,
            candidates: Vec::new(),
        };
    }
    let candidates = fuzzy_candidates(index, &query);
    let decision = decide(index, &candidates);
    Lookup {
        query: text.to_string(),
        decision,
        candidates,
    }
}

fn exact_candidates(index: &Index, query: &Query) -> Vec<Candidate> {
    let mut best: Vec<Candidate> = Vec::new();
    for &key in index.exact_keys(&query.normalized) {
        let term = index.keys[key].term;
        if best.iter().any(|candidate| candidate.term == term) {
            continue;
        }
        let scored = Scored {
            score: 1.0,
            kind: MatchKind::Exact,
            why: "the query is this name".to_string(),
        };
        best.push(Candidate { term, key, scored });
    }
    best.sort_by_key(|candidate| (index.keys[candidate.key].kind, candidate.term));
    best
}

/// Every rule over every key, each term's best score kept, best first.
pub fn fuzzy_candidates(index: &Index, query: &Query) -> Vec<Candidate> {
    let mut best: HashMap<TermId, Candidate> = HashMap::new();
    let mut offer = |candidate: Candidate| {
        let entry = best
            .entry(candidate.term)
            .or_insert_with(|| candidate.clone());
        if better(index, &candidate, entry) {
            *entry = candidate;
        }
    };
    for (key_at, key) in index.keys.iter().enumerate() {
        let rules = [
            fuzzy::typo,
            fuzzy::prefix,
            fuzzy::word_prefix,
            fuzzy::partial,
        ];
        for scored in rules.iter().filter_map(|rule| rule(query, key)) {
            offer(Candidate {
                term: key.term,
                key: key_at,
                scored,
            });
        }
    }
    for initials in &index.initials {
        if let Some(scored) = fuzzy::acronym(query, &initials.letters) {
            offer(Candidate {
                term: initials.term,
                key: initials.key,
                scored,
            });
        }
    }
    let mut ranked: Vec<Candidate> = best
        .into_values()
        .filter(|candidate| candidate.scored.score >= SUGGEST_SCORE)
        .collect();
    ranked.sort_by(|a, b| order(index, a, b));
    ranked.truncate(KEEP_CANDIDATES);
    ranked
}

/// Ranking order: score, then the kind of name matched (id, abbr, English, Chinese, alias),
/// then the shorter name, then glossary order. Fully deterministic.
fn order(index: &Index, a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.scored
        .score
        .total_cmp(&a.scored.score)
        .then_with(|| index.keys[a.key].kind.cmp(&index.keys[b.key].kind))
        .then_with(|| index.keys[a.key].length.cmp(&index.keys[b.key].length))
        .then_with(|| a.term.cmp(&b.term))
}

fn better(index: &Index, challenger: &Candidate, holder: &Candidate) -> bool {
    order(index, challenger, holder) == std::cmp::Ordering::Less
}

/// A winner must be good enough and clearly ahead. A runner-up whose matched name merely
/// extends the winner's (`Stable Diffusion XL` after `Stable Diffusion`) is no rival: the
/// query fits the shorter, more general name better.
fn decide(index: &Index, ranked: &[Candidate]) -> Decision {
    let Some(top) = ranked.first() else {
        return Decision::Nothing;
    };
    let top_name = &index.keys[top.key].normalized;
    let rival = ranked[1..].iter().find(|other| {
        !index.keys[other.key]
            .normalized
            .starts_with(top_name.as_str())
    });
    let clear = rival.is_none_or(|rival| top.scored.score - rival.scored.score >= WINNER_MARGIN);
    if top.scored.score >= ACCEPT_SCORE && clear {
        let also = ranked[1..]
            .iter()
            .map(|candidate| candidate.term)
            .take(MAX_SUGGESTIONS)
            .collect();
        return Decision::Fuzzy {
            winner: top.term,
            also,
        };
    }
    Decision::Ambiguous(
        ranked
            .iter()
            .map(|candidate| candidate.term)
            .take(MAX_SUGGESTIONS)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::Term;

    fn term(id: &str, en: &str, zh: &str, abbr: &[&str]) -> Term {
        Term {
            id: id.into(),
            en: en.into(),
            zh: zh.into(),
            abbr: abbr.iter().map(|s| s.to_string()).collect(),
            ..Term::default()
        }
    }

    fn index() -> Index {
        Index::build(vec![
            term(
                "clip",
                "Contrastive Language-Image Pre-training",
                "对比语言-图像预训练",
                &["CLIP"],
            ),
            term("diffusion-model", "Diffusion Model", "扩散模型", &[]),
            term("stable-diffusion", "Stable Diffusion", "稳定扩散", &["SD"]),
            term("sdxl", "Stable Diffusion XL", "SDXL", &["SDXL"]),
            term(
                "gan",
                "Generative Adversarial Network",
                "生成对抗网络",
                &["GAN"],
            ),
            term(
                "score-distillation",
                "Score Distillation Sampling",
                "分数蒸馏采样",
                &["SDS", "SD"],
            ),
        ])
    }

    fn id_of(index: &Index, lookup: &Lookup) -> Vec<String> {
        let ids = match &lookup.decision {
            Decision::Exact(terms) | Decision::Ambiguous(terms) => terms.clone(),
            Decision::Fuzzy { winner, .. } => vec![*winner],
            Decision::Nothing => vec![],
        };
        ids.iter().map(|&t| index.term(t).id.clone()).collect()
    }

    #[test]
    fn exact_beats_everything_and_shared_keys_return_all() {
        let index = index();
        let found = lookup(&index, "sd", true);
        assert!(matches!(found.decision, Decision::Exact(_)));
        assert_eq!(
            id_of(&index, &found),
            vec!["stable-diffusion", "score-distillation"]
        );
    }

    #[test]
    fn typo_wins_clearly() {
        let index = index();
        let found = lookup(&index, "clpi", true);
        assert!(matches!(found.decision, Decision::Fuzzy { .. }));
        assert_eq!(id_of(&index, &found), vec!["clip"]);
    }

    #[test]
    fn a_longer_name_that_extends_the_winner_is_no_rival() {
        let index = index();
        let found = lookup(&index, "stable diff", true);
        assert!(
            matches!(found.decision, Decision::Fuzzy { .. }),
            "{:?}",
            found.decision
        );
        assert_eq!(id_of(&index, &found), vec!["stable-diffusion"]);
    }

    #[test]
    fn chinese_prefix_finds_the_term() {
        let index = index();
        assert_eq!(
            id_of(&index, &lookup(&index, "扩散", true)),
            vec!["diffusion-model"]
        );
    }

    #[test]
    fn unrelated_queries_find_nothing() {
        let index = index();
        for query in ["banana bread", "kubernetes", "zz", "", "   "] {
            assert_eq!(
                lookup(&index, query, true).decision,
                Decision::Nothing,
                "{query}"
            );
        }
    }

    #[test]
    fn exact_only_turns_fuzzy_off() {
        let index = index();
        assert_eq!(lookup(&index, "clpi", false).decision, Decision::Nothing);
    }
}
