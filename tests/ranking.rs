//! Ranking quality over `tests/ranking.tsv` (query, expected id or `-` for "must not show a
//! term", the rule that must decide it): top-1 accuracy and mean reciprocal rank over the
//! shipped glossary, with thresholds, and the rule of every answer checked.
//! Run with `cargo test --test ranking -- --nocapture` to see the report.

use aigc_term::matching::{self, Decision, Index, Rules, TermId};

/// At least this share of queries must show the expected term first.
const MIN_TOP1: f64 = 0.95;
/// Mean reciprocal rank of the expected term among the shown terms and suggestions.
const MIN_MRR: f64 = 0.96;

struct Case {
    line: usize,
    query: String,
    expected: Option<String>,
    rule: String,
}

fn cases() -> Vec<Case> {
    include_str!("ranking.tsv")
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(at, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [query, expected, rule] = fields[..] else {
                panic!("ranking.tsv:{}: want query<TAB>id<TAB>rule", at + 1)
            };
            Case {
                line: at + 1,
                query: query.to_string(),
                expected: (expected != "-").then(|| expected.to_string()),
                rule: rule.to_string(),
            }
        })
        .collect()
}

/// What a lookup shows (in order) and what it only suggests.
fn outcome(decision: &Decision) -> (Vec<TermId>, Vec<TermId>) {
    match decision {
        Decision::Exact(terms) => (terms.clone(), vec![]),
        Decision::Fuzzy { winner, also } => (vec![*winner], also.clone()),
        Decision::Ambiguous(terms) => (vec![], terms.clone()),
        Decision::Nothing => (vec![], vec![]),
    }
}

fn id_of(index: &Index, term: TermId) -> String {
    index.record(term).expect("record").term.id.clone()
}

#[test]
fn ranking_meets_thresholds() {
    let index = Index::embedded().expect("embedded index");
    let cases = cases();
    assert!(
        cases.len() >= 60,
        "ranking.tsv needs at least 60 cases, has {}",
        cases.len()
    );
    let (mut top1, mut reciprocal_sum, mut positives) = (0usize, 0.0f64, 0usize);
    let mut failures = Vec::new();
    let mut hard_failures = Vec::new();
    for case in &cases {
        let lookup = matching::lookup(&index, &case.query, true).expect("lookup");
        let (shown, suggested) = outcome(&lookup.decision);
        match &case.expected {
            None => {
                if !shown.is_empty() {
                    hard_failures.push(format!(
                        "line {}: '{}' must not show a term, showed {:?}",
                        case.line,
                        case.query,
                        shown.iter().map(|&t| id_of(&index, t)).collect::<Vec<_>>()
                    ));
                }
            }
            Some(expected) => {
                positives += 1;
                if index.by_id(expected).expect("lookup").is_none() {
                    hard_failures.push(format!("line {}: unknown id {expected}", case.line));
                    continue;
                }
                let ranked: Vec<String> = shown
                    .iter()
                    .chain(&suggested)
                    .map(|&t| id_of(&index, t))
                    .collect();
                match ranked.iter().position(|found| found == expected) {
                    Some(0) if !shown.is_empty() => {
                        top1 += 1;
                        reciprocal_sum += 1.0;
                        let kind = lookup.candidates[0].scored.kind.name();
                        if kind != case.rule {
                            hard_failures.push(format!(
                                "line {}: '{}' found by {kind}, expected the {} rule",
                                case.line, case.query, case.rule
                            ));
                        }
                    }
                    Some(rank) => {
                        reciprocal_sum += 1.0 / (rank + 1) as f64;
                        failures.push(format!(
                            "line {}: '{}' -> {expected} at rank {} of {ranked:?}",
                            case.line,
                            case.query,
                            rank + 1
                        ));
                    }
                    None => failures.push(format!(
                        "line {}: '{}' -> {expected} not found, got {ranked:?}",
                        case.line, case.query
                    )),
                }
            }
        }
    }
    let top1_rate = top1 as f64 / positives as f64;
    let mrr = reciprocal_sum / positives as f64;
    eprintln!(
        "ranking: {} cases ({} positive): top-1 {:.3}, MRR {:.3}",
        cases.len(),
        positives,
        top1_rate,
        mrr
    );
    for failure in failures.iter().chain(&hard_failures) {
        eprintln!("  {failure}");
    }
    assert!(hard_failures.is_empty(), "{}", hard_failures.join("\n"));
    assert!(
        top1_rate >= MIN_TOP1,
        "top-1 {top1_rate:.3} < {MIN_TOP1}:\n{}",
        failures.join("\n")
    );
    assert!(
        mrr >= MIN_MRR,
        "MRR {mrr:.3} < {MIN_MRR}:\n{}",
        failures.join("\n")
    );
}

/// Every rule is exercised by the set, misses included.
#[test]
fn the_set_covers_every_rule() {
    let rules: std::collections::BTreeSet<String> =
        cases().into_iter().map(|case| case.rule).collect();
    for rule in [
        "exact",
        "traditional",
        "typo",
        "prefix",
        "word-prefix",
        "acronym",
        "partial",
        "pinyin",
        "initials",
        "mixed",
        "miss",
    ] {
        assert!(rules.contains(rule), "no case for the {rule} rule");
    }
}

/// The rules for Chinese readers (pinyin, initials, mixed scripts) change nothing for any
/// query of the set that is not decided by one of them: same decision, same candidates.
#[test]
fn chinese_rules_leave_other_queries_alone() {
    let index = Index::embedded().expect("embedded index");
    let chinese_rules = ["pinyin", "initials", "mixed"];
    for case in cases()
        .iter()
        .filter(|case| !chinese_rules.contains(&case.rule.as_str()))
    {
        for fuzzy in [true, false] {
            let with = matching::lookup_with(
                &index,
                &case.query,
                Rules {
                    fuzzy,
                    chinese: true,
                },
            )
            .unwrap();
            let without = matching::lookup_with(
                &index,
                &case.query,
                Rules {
                    fuzzy,
                    chinese: false,
                },
            )
            .unwrap();
            assert_eq!(
                with.decision, without.decision,
                "line {}: '{}'",
                case.line, case.query
            );
            let ids = |lookup: &matching::Lookup| -> Vec<(TermId, String)> {
                lookup
                    .candidates
                    .iter()
                    .filter(|candidate| !candidate.key.kind.is_pinyin())
                    .map(|candidate| (candidate.term, candidate.scored.kind.name().to_string()))
                    .collect()
            };
            assert_eq!(
                ids(&with),
                ids(&without),
                "line {}: '{}'",
                case.line,
                case.query
            );
        }
    }
}
