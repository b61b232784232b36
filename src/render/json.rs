//! The `--json` wire format: one document per run, shapes documented in README.md. These
//! types are the contract; change them only together with the README and its version note.

use serde::Serialize;
use serde_json::{json, Value};

use crate::glossary::{Problem, Severity, Term};
use crate::graph::Reached;
use crate::matching::{Candidate, Index, Lookup, MatchKind, SearchHit, TermId};

#[derive(Debug, Serialize)]
struct MatchInfo<'a> {
    kind: MatchKind,
    score: f64,
    key: &'a str,
}

#[derive(Debug, Serialize)]
struct FoundTerm<'a> {
    #[serde(flatten)]
    term: &'a Term,
    #[serde(rename = "match")]
    matched: MatchInfo<'a>,
}

#[derive(Debug, Serialize)]
struct Suggestion<'a> {
    id: &'a str,
    en: &'a str,
    zh: &'a str,
    score: f64,
    kind: MatchKind,
    key: &'a str,
}

/// What one lookup answered: the terms shown and the did-you-mean list.
pub struct LookupResult<'a> {
    pub lookup: &'a Lookup,
    pub shown: Vec<TermId>,
    pub suggestions: Vec<TermId>,
}

fn rounded(score: f64) -> f64 {
    (score * 1000.0).round() / 1000.0
}

fn match_info<'a>(index: &'a Index, candidate: &Candidate) -> MatchInfo<'a> {
    MatchInfo {
        kind: candidate.scored.kind,
        score: rounded(candidate.scored.score),
        key: &index.keys[candidate.key].text,
    }
}

fn lookup_value(index: &Index, result: &LookupResult) -> Value {
    let terms: Vec<FoundTerm> = result
        .shown
        .iter()
        .filter_map(|&term| {
            let candidate = result.lookup.candidate(term)?;
            Some(FoundTerm {
                term: index.term(term),
                matched: match_info(index, candidate),
            })
        })
        .collect();
    let suggestions: Vec<Suggestion> = result
        .suggestions
        .iter()
        .filter_map(|&term| {
            let candidate = result.lookup.candidate(term)?;
            let found = index.term(term);
            let info = match_info(index, candidate);
            Some(Suggestion {
                id: &found.id,
                en: &found.en,
                zh: &found.zh,
                score: info.score,
                kind: info.kind,
                key: info.key,
            })
        })
        .collect();
    json!({ "query": result.lookup.query, "terms": terms, "suggestions": suggestions })
}

/// One query: `{"query", "terms", "suggestions"}`. Several (`show --each`): `{"queries": [...]}`.
pub fn lookup_json(index: &Index, results: &[LookupResult], each: bool) -> Value {
    if each {
        json!({ "queries": results.iter().map(|result| lookup_value(index, result)).collect::<Vec<_>>() })
    } else {
        results
            .first()
            .map_or(Value::Null, |result| lookup_value(index, result))
    }
}

pub fn search_json(index: &Index, query: &str, hits: &[SearchHit]) -> Value {
    let results: Vec<Value> = hits
        .iter()
        .map(|hit| {
            let term = index.term(hit.term);
            json!({ "id": term.id, "en": term.en, "zh": term.zh, "score": rounded(hit.score), "field": hit.field, "snippet": hit.snippet })
        })
        .collect();
    json!({ "query": query, "results": results })
}

pub fn related_json(index: &Index, start: TermId, depth: usize, reached: &[Reached]) -> Value {
    let related: Vec<Value> = reached
        .iter()
        .map(|item| {
            let term = index.term(item.term);
            json!({
                "id": term.id, "en": term.en, "zh": term.zh,
                "relation": item.relation, "via": index.term(item.via).id, "depth": item.depth,
            })
        })
        .collect();
    json!({ "term": index.term(start), "depth": depth, "related": related })
}

pub fn list_json(index: &Index, terms: &[TermId]) -> Value {
    let terms: Vec<Value> = terms
        .iter()
        .map(|&term_id| {
            let term = index.term(term_id);
            json!({ "id": term.id, "en": term.en, "zh": term.zh, "tags": term.tags })
        })
        .collect();
    json!({ "terms": terms })
}

pub fn tags_json(tags: &[(String, usize)]) -> Value {
    json!({ "tags": tags.iter().map(|(tag, count)| json!({ "tag": tag, "count": count })).collect::<Vec<_>>() })
}

pub fn check_json(terms: usize, problems: &[Problem]) -> Value {
    let list: Vec<Value> = problems
        .iter()
        .map(|problem| {
            let severity = match problem.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            json!({
                "file": problem.file,
                "line": problem.position.map(|p| p.line),
                "column": problem.position.map(|p| p.column),
                "severity": severity,
                "message": problem.message,
            })
        })
        .collect();
    json!({ "ok": !problems.iter().any(Problem::is_error), "terms": terms, "problems": list })
}
