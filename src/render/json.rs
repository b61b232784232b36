//! The `--json` wire format: one document per run, shapes documented in README.md. These
//! types are the contract; change them only together with the README.

use serde::Serialize;
use serde_json::{json, Value};

use super::RelatedTerm;
use crate::glossary::{Definition, Problem, Severity, Term};
use crate::matching::{Candidate, MatchKind, SearchHit};

/// A term as every JSON document shows it. `pinyin` appears only when the glossary sets it.
#[derive(Debug, Serialize)]
pub struct TermJson<'a> {
    id: &'a str,
    en: &'a str,
    zh: &'a str,
    abbr: &'a [String],
    aliases: &'a [String],
    tags: &'a [String],
    broader: &'a [String],
    related: &'a [String],
    refs: &'a [String],
    year: Option<i64>,
    by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinyin: Option<&'a str>,
    definition: &'a Definition,
}

pub fn term_json(term: &Term) -> TermJson<'_> {
    TermJson {
        id: &term.id,
        en: &term.en,
        zh: &term.zh,
        abbr: &term.abbr,
        aliases: &term.aliases,
        tags: &term.tags,
        broader: &term.broader,
        related: &term.related,
        refs: &term.refs,
        year: term.year,
        by: term.by.as_deref(),
        pinyin: term.pinyin.as_deref(),
        definition: &term.definition,
    }
}

#[derive(Debug, Serialize)]
struct MatchInfo<'a> {
    kind: MatchKind,
    score: f64,
    key: &'a str,
}

#[derive(Debug, Serialize)]
struct FoundTerm<'a> {
    #[serde(flatten)]
    term: TermJson<'a>,
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

/// What one lookup answered: the terms shown and the did-you-mean list, each with the
/// candidate that put it there.
pub struct LookupView<'a> {
    pub query: &'a str,
    pub shown: Vec<(&'a Term, &'a Candidate)>,
    pub suggestions: Vec<(&'a Term, &'a Candidate)>,
}

fn rounded(score: f64) -> f64 {
    (score * 1000.0).round() / 1000.0
}

fn match_info(candidate: &Candidate) -> MatchInfo<'_> {
    MatchInfo {
        kind: candidate.scored.kind,
        score: rounded(candidate.scored.score),
        key: &candidate.key.text,
    }
}

fn lookup_value(view: &LookupView) -> Value {
    let terms: Vec<FoundTerm> = view
        .shown
        .iter()
        .map(|(term, candidate)| FoundTerm {
            term: term_json(term),
            matched: match_info(candidate),
        })
        .collect();
    let suggestions: Vec<Suggestion> = view
        .suggestions
        .iter()
        .map(|(term, candidate)| Suggestion {
            id: &term.id,
            en: &term.en,
            zh: &term.zh,
            score: rounded(candidate.scored.score),
            kind: candidate.scored.kind,
            key: &candidate.key.text,
        })
        .collect();
    json!({ "query": view.query, "terms": terms, "suggestions": suggestions })
}

/// One query: `{"query", "terms", "suggestions"}`. Several (`show --each`): `{"queries": [...]}`.
pub fn lookup_json(views: &[LookupView], each: bool) -> Value {
    if each {
        json!({ "queries": views.iter().map(lookup_value).collect::<Vec<_>>() })
    } else {
        views.first().map_or(Value::Null, lookup_value)
    }
}

pub fn search_json(query: &str, hits: &[(&Term, &SearchHit)]) -> Value {
    let results: Vec<Value> = hits
        .iter()
        .map(|(term, hit)| {
            json!({ "id": term.id, "en": term.en, "zh": term.zh, "score": rounded(hit.score), "field": hit.field, "snippet": hit.snippet })
        })
        .collect();
    json!({ "query": query, "results": results })
}

pub fn related_json(start: &Term, depth: usize, reached: &[RelatedTerm]) -> Value {
    let related: Vec<Value> = reached
        .iter()
        .map(|item| {
            json!({
                "id": item.id, "en": item.en, "zh": item.zh,
                "relation": item.relation, "via": item.via, "depth": item.depth,
            })
        })
        .collect();
    json!({ "term": term_json(start), "depth": depth, "related": related })
}

pub fn list_json(terms: &[&Term]) -> Value {
    let terms: Vec<Value> = terms
        .iter()
        .map(|term| json!({ "id": term.id, "en": term.en, "zh": term.zh, "tags": term.tags }))
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
