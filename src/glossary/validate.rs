//! Every check a glossary must pass, reporting all problems at once, each with where it is.
//!
//! Errors make a glossary unusable; warnings (suspicious text) and notes (a name shared by
//! several terms, which real vocabularies have) are shown by `check` but do not fail it.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use rustc_hash::FxHashMap;

use super::load::{Glossary, TermSite};
use super::position::Position;
use super::schema::Term;
use crate::matching::{
    explicit_syllables, is_han, is_syllable, normalize_key, plain_syllable, readings_of,
    to_simplified,
};

/// Tags of the shipped glossary; other tags are allowed in user glossaries with a warning.
pub const TAG_VOCABULARY: &[&str] = &[
    "concept",
    "math",
    "model-family",
    "architecture",
    "model",
    "data",
    "training",
    "inference",
    "prompting",
    "application",
    "language",
    "vision",
    "speech",
    "video",
    "3d",
    "multimodal",
    "safety",
    "evaluation",
    "compute",
];

/// The first year a term may claim: before electronic computers nothing here existed.
pub const EARLIEST_YEAR: i64 = 1940;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// One finding of validation, printed as `file:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub position: Option<Position>,
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    fn at(site: &TermSite, position: Position, severity: Severity, message: String) -> Problem {
        Problem {
            file: site.file.to_string(),
            // Terms taken from a compiled index have no positions (line 0).
            position: (position.line > 0).then_some(position),
            severity,
            message,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(position) = self.position {
            write!(f, ":{position}")?;
        }
        match self.severity {
            Severity::Error => write!(f, ": {}", self.message),
            Severity::Warning => write!(f, ": warning: {}", self.message),
            Severity::Note => write!(f, ": note: {}", self.message),
        }
    }
}

/// All problems of `glossary`, errors first, each group in file order.
pub fn validate(glossary: &Glossary, this_year: i64) -> Vec<Problem> {
    run_checks(glossary, this_year, true)
}

/// Only the errors, as every load of a user glossary needs: the checks that can only warn
/// or note (control characters, shared names) are skipped, which on a 100,000-term glossary
/// is most of the time validation takes.
pub fn errors(glossary: &Glossary, this_year: i64) -> Vec<Problem> {
    let mut problems = run_checks(glossary, this_year, false);
    problems.retain(Problem::is_error);
    problems
}

fn run_checks(glossary: &Glossary, this_year: i64, all: bool) -> Vec<Problem> {
    let mut problems = glossary.load_problems.clone();
    let ids: Ids = glossary
        .terms
        .iter()
        .enumerate()
        .map(|(at, term)| (term.id.as_str(), at))
        .collect();
    let check_terms = |range: Range<usize>| {
        let mut problems = Vec::new();
        for (term, site) in glossary.terms[range.clone()]
            .iter()
            .zip(&glossary.sites[range])
        {
            check_id(term, site, &mut problems);
            check_required_text(term, site, &mut problems);
            check_links(term, site, &ids, &mut problems);
            check_year(term, site, this_year, &mut problems);
            check_tags(term, site, &mut problems);
            if all {
                check_control_characters(term, site, &mut problems);
            }
            check_pinyin(term, site, &mut problems);
        }
        problems
    };
    problems.extend(in_parts(glossary.terms.len(), check_terms));
    problems.extend(broader_cycles(glossary, &ids));
    if all {
        problems.extend(shared_keys(glossary));
    }
    problems.sort_by_key(|problem| problem.severity);
    problems
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
}

fn check_id(term: &Term, site: &TermSite, problems: &mut Vec<Problem>) {
    if !is_valid_id(&term.id) {
        let message = format!(
            "bad id '{}': use lower-case letters, digits and inner hyphens ([a-z0-9-]+)",
            term.id
        );
        problems.push(Problem::at(site, site.id, Severity::Error, message));
    }
}

fn check_required_text(term: &Term, site: &TermSite, problems: &mut Vec<Problem>) {
    let required = [
        ("en", &term.en, site.en),
        ("zh", &term.zh, site.zh),
        ("definition.en", &term.definition.en, site.definition),
        ("definition.zh", &term.definition.zh, site.definition),
    ];
    for (field, value, position) in required {
        if value.trim().is_empty() {
            problems.push(Problem::at(
                site,
                position,
                Severity::Error,
                format!("term '{}': {field} is empty", term.id),
            ));
        }
    }
    let names = term.abbr.iter().chain(&term.aliases);
    for (name, &position) in names.zip(&site.names) {
        if normalize_key(name).is_empty() {
            problems.push(Problem::at(
                site,
                position,
                Severity::Error,
                format!("term '{}': empty abbr or alias", term.id),
            ));
        }
    }
}

fn check_links(term: &Term, site: &TermSite, ids: &Ids, problems: &mut Vec<Problem>) {
    let lists = [
        ("related", &term.related, &site.related),
        ("broader", &term.broader, &site.broader),
    ];
    for (field, targets, positions) in lists {
        for (index, (target, &position)) in targets.iter().zip(positions.iter()).enumerate() {
            if target == &term.id {
                problems.push(Problem::at(
                    site,
                    position,
                    Severity::Error,
                    format!("term '{}' lists itself in {field}", term.id),
                ));
            } else if !ids.contains_key(target.as_str()) {
                let message = format!("term '{}': {field} id '{target}' does not exist", term.id);
                problems.push(Problem::at(site, position, Severity::Error, message));
            } else if targets[..index].contains(target) {
                let message = format!("term '{}': {field} lists '{target}' twice", term.id);
                problems.push(Problem::at(site, position, Severity::Warning, message));
            }
        }
    }
}

fn check_year(term: &Term, site: &TermSite, this_year: i64, problems: &mut Vec<Problem>) {
    if let (Some(year), Some(position)) = (term.year, site.year) {
        if !(EARLIEST_YEAR..=this_year).contains(&year) {
            let message = format!(
                "term '{}': year {year} is not between {EARLIEST_YEAR} and {this_year}",
                term.id
            );
            problems.push(Problem::at(site, position, Severity::Error, message));
        }
    }
}

fn check_tags(term: &Term, site: &TermSite, problems: &mut Vec<Problem>) {
    for (tag, &position) in term.tags.iter().zip(&site.tags) {
        if !is_valid_id(tag) {
            let message = format!(
                "term '{}': bad tag '{tag}': use lower-case letters, digits and hyphens",
                term.id
            );
            problems.push(Problem::at(site, position, Severity::Error, message));
        } else if !TAG_VOCABULARY.contains(&tag.as_str()) {
            let message = format!(
                "term '{}': tag '{tag}' is not in the documented vocabulary",
                term.id
            );
            problems.push(Problem::at(site, position, Severity::Warning, message));
        }
    }
}

/// Glossary text ends up in terminals: escape sequences in it could rewrite the screen or the
/// clipboard. Rendering escapes them anyway; `check` says where they are so they get fixed.
fn check_control_characters(term: &Term, site: &TermSite, problems: &mut Vec<Problem>) {
    let texts = [
        &term.id,
        &term.en,
        &term.zh,
        &term.definition.en,
        &term.definition.zh,
    ]
    .into_iter()
    .chain(&term.abbr)
    .chain(&term.aliases)
    .chain(&term.refs)
    .chain(term.by.as_ref());
    if texts
        .into_iter()
        .any(|text| text.chars().any(crate::render::is_unsafe_char))
    {
        let message = format!("term '{}' contains control or bidirectional-override characters; they are shown escaped", term.id);
        problems.push(Problem::at(site, site.id, Severity::Warning, message));
    }
}

/// A `pinyin` field spells the Han characters of `zh` in order: one syllable each, and each
/// a reading the character has (a typo here would index the wrong sounds).
fn check_pinyin(term: &Term, site: &TermSite, problems: &mut Vec<Problem>) {
    let (Some(pinyin), Some(position)) = (&term.pinyin, site.pinyin) else {
        return;
    };
    let characters: Vec<char> = term
        .zh
        .chars()
        .map(to_simplified)
        .filter(|&c| is_han(c))
        .collect();
    let syllables = explicit_syllables(pinyin);
    if syllables.len() != characters.len() {
        let message = format!(
            "term '{}': pinyin has {} syllable(s) but zh '{}' has {} Chinese character(s)",
            term.id,
            syllables.len(),
            term.zh,
            characters.len()
        );
        problems.push(Problem::at(site, position, Severity::Error, message));
        return;
    }
    for (syllable, character) in syllables.iter().zip(characters) {
        let plain = plain_syllable(syllable);
        if !is_syllable(&plain) {
            let message = format!("term '{}': '{syllable}' is not a pinyin syllable", term.id);
            problems.push(Problem::at(site, position, Severity::Error, message));
        } else if !readings_of(character).contains(&plain) {
            let message = format!(
                "term '{}': '{syllable}' is not a reading of '{character}' the dictionary knows",
                term.id
            );
            problems.push(Problem::at(site, position, Severity::Warning, message));
        }
    }
}

/// Where each id's term is.
type Ids<'a> = FxHashMap<&'a str, usize>;

/// Fewer terms than this are checked on one thread: starting threads would cost more.
const PARALLEL_FROM_TERMS: usize = 4096;

/// `check` run over consecutive parts of `0..count`, one per core for a large glossary,
/// the problems in the order of the terms (the per-term checks of 100,000 terms took a
/// third of a second).
fn in_parts(count: usize, check: impl Fn(Range<usize>) -> Vec<Problem> + Sync) -> Vec<Problem> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if count < PARALLEL_FROM_TERMS || cores < 2 {
        return check(0..count);
    }
    let size = count.div_ceil(cores);
    let check = &check;
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..count)
            .step_by(size)
            .map(|start| scope.spawn(move || check(start..(start + size).min(count))))
            .collect();
        parts
            .into_iter()
            // A check only panics on a bug: re-raise it rather than report a partial list.
            .flat_map(|part| {
                part.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// `broader` must be a hierarchy: following it from any term must never come back.
fn broader_cycles(glossary: &Glossary, ids: &Ids) -> Vec<Problem> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unvisited,
        OnPath,
        Done,
    }
    let mut marks = vec![Mark::Unvisited; glossary.terms.len()];
    let mut problems = Vec::new();
    for start in 0..glossary.terms.len() {
        if marks[start] != Mark::Unvisited {
            continue;
        }
        // Iterative depth-first search: (term, index of the next broader link to follow).
        let mut stack = vec![(start, 0usize)];
        marks[start] = Mark::OnPath;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let links = &glossary.terms[node].broader;
            if *next >= links.len() {
                marks[node] = Mark::Done;
                stack.pop();
                continue;
            }
            let link = *next;
            *next += 1;
            let Some(&target) = ids.get(links[link].as_str()) else {
                continue;
            };
            match marks[target] {
                Mark::OnPath => {
                    let cycle_start = stack.iter().position(|&(at, _)| at == target).unwrap_or(0);
                    let mut path: Vec<&str> = stack[cycle_start..]
                        .iter()
                        .map(|&(at, _)| glossary.terms[at].id.as_str())
                        .collect();
                    path.push(&glossary.terms[target].id);
                    let site = &glossary.sites[node];
                    let position = site.broader.get(link).copied().unwrap_or(site.id);
                    problems.push(Problem::at(
                        site,
                        position,
                        Severity::Error,
                        format!("broader cycle: {}", path.join(" -> ")),
                    ));
                }
                Mark::Unvisited => {
                    marks[target] = Mark::OnPath;
                    stack.push((target, 0));
                }
                Mark::Done => {}
            }
        }
    }
    problems
}

/// Names (id, en, zh, abbr, aliases) that normalise to the same key in different terms.
pub fn shared_keys(glossary: &Glossary) -> Vec<Problem> {
    let mut owners: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (at, term) in glossary.terms.iter().enumerate() {
        for name in term_names(term) {
            let key = normalize_key(name);
            if key.is_empty() {
                continue;
            }
            let list = owners.entry(key).or_default();
            if !list.contains(&at) {
                list.push(at);
            }
        }
    }
    owners
        .into_iter()
        .filter(|(_, terms)| terms.len() > 1)
        .map(|(key, terms)| {
            let ids: Vec<&str> = terms
                .iter()
                .map(|&at| glossary.terms[at].id.as_str())
                .collect();
            let site = &glossary.sites[terms[0]];
            Problem {
                file: site.file.to_string(),
                position: None,
                severity: Severity::Note,
                message: format!("'{key}' names {} terms: {}", ids.len(), ids.join(", ")),
            }
        })
        .collect()
}

/// Every name a term can be looked up by exactly.
pub fn term_names(term: &Term) -> impl Iterator<Item = &String> {
    [&term.id, &term.en, &term.zh]
        .into_iter()
        .chain(&term.abbr)
        .chain(&term.aliases)
}

/// The current calendar year (UTC), the latest a term's `year` may be.
pub fn current_year() -> i64 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    year_of_unix_day(seconds.div_euclid(86_400))
}

/// Civil year of a day count since 1970-01-01 (Howard Hinnant's days_from_civil, inverted).
fn year_of_unix_day(days: i64) -> i64 {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let year = year_of_era + era * 400;
    if month_index >= 10 {
        year + 1
    } else {
        year
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::{load, parse_source};

    #[test]
    fn checks_in_parts_report_in_term_order() {
        // Problems at terms 0, 7, 14, …: a part boundary falls between some of them.
        let check = |range: Range<usize>| -> Vec<Problem> {
            range
                .filter(|at| at % 7 == 0)
                .map(|at| Problem {
                    file: String::new(),
                    position: None,
                    severity: Severity::Error,
                    message: at.to_string(),
                })
                .collect()
        };
        let count = PARALLEL_FROM_TERMS * 3 + 5;
        let messages = |problems: Vec<Problem>| -> Vec<String> {
            problems
                .into_iter()
                .map(|problem| problem.message)
                .collect()
        };
        assert_eq!(messages(in_parts(count, check)), messages(check(0..count)));
        assert_eq!(in_parts(count, check).len(), count.div_ceil(7));
    }

    fn glossary(text: &str) -> Glossary {
        let (terms, sites) = parse_source("t.toml", text).unwrap();
        Glossary {
            terms,
            sites,
            load_problems: vec![],
        }
    }

    fn term(id: &str, extra: &str) -> String {
        format!("[[term]]\nid = \"{id}\"\nen = \"Name {id}\"\nzh = \"名称{id}\"\n{extra}\ndefinition.en = \"An English definition.\"\ndefinition.zh = \"中文定义。\"\n\n")
    }

    fn messages(text: &str) -> Vec<String> {
        validate(&glossary(text), 2026)
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn a_clean_glossary_has_no_problems() {
        let text =
            term("a", "related = [\"b\"]\ntags = [\"concept\"]") + &term("b", "broader = [\"a\"]");
        assert_eq!(messages(&text), Vec::<String>::new());
    }

    #[test]
    fn every_problem_is_reported_with_position() {
        let text = term("Bad_Id", "related = [\"nowhere\", \"Bad_Id\"]\nyear = 1900")
            + &term("ok", "en = \"\"").replace("en = \"Name ok\"\n", "");
        let found = messages(&text);
        assert!(
            found
                .iter()
                .any(|m| m.starts_with("t.toml:2:6: bad id 'Bad_Id'")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.contains("related id 'nowhere' does not exist")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|m| m.contains("lists itself in related")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.contains("year 1900 is not between 1940 and 2026")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|m| m.contains("term 'ok': en is empty")),
            "{found:?}"
        );
    }

    #[test]
    fn broader_cycle_is_an_error_and_terminates() {
        let text = term("a", "broader = [\"b\"]")
            + &term("b", "broader = [\"c\"]")
            + &term("c", "broader = [\"a\"]");
        let found = messages(&text);
        assert_eq!(
            found.iter().filter(|m| m.contains("broader cycle")).count(),
            1,
            "{found:?}"
        );
        assert!(
            found.iter().any(|m| m.contains("a -> b -> c -> a")),
            "{found:?}"
        );
    }

    #[test]
    fn related_cycles_are_fine() {
        let text = term("a", "related = [\"b\"]") + &term("b", "related = [\"a\"]");
        assert!(messages(&text).is_empty());
    }

    #[test]
    fn shared_names_are_notes_not_errors() {
        let text = term("a", "abbr = [\"SD\"]") + &term("b", "aliases = [\"sd\"]");
        let found = validate(&glossary(&text), 2026);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Note);
        assert_eq!(
            found[0].to_string(),
            "t.toml: note: 'sd' names 2 terms: a, b"
        );
    }

    #[test]
    fn unknown_tag_warns_and_bad_tag_errors() {
        let found = messages(&term("a", "tags = [\"newtag\", \"Bad Tag\"]"));
        assert!(
            found.iter().any(|m| m.contains("bad tag 'Bad Tag'")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.contains("warning: term 'a': tag 'newtag'")),
            "{found:?}"
        );
    }

    #[test]
    fn control_characters_warn() {
        let found = messages(&term("a", "aliases = [\"x\\u001b]52;c;AAAA\\u0007\"]"));
        assert!(
            found
                .iter()
                .any(|m| m.contains("warning: term 'a' contains control")),
            "{found:?}"
        );
    }

    #[test]
    fn duplicate_id_in_one_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dup.toml");
        std::fs::write(&path, term("a", "") + &term("a", "")).unwrap();
        let loaded = load(&[crate::glossary::Source::File(path)]).unwrap();
        let found: Vec<String> = validate(&loaded, 2026)
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert!(
            found
                .iter()
                .any(|m| m.ends_with(":10:6: duplicate id 'a' (first defined at line 2)")),
            "{found:?}"
        );
    }

    #[test]
    fn pinyin_field_is_checked() {
        let wrong_count = messages(&term("a", "pinyin = \"kuo san\"").replace("名称a", "扩散模型"));
        assert!(
            wrong_count
                .iter()
                .any(|m| m.contains("pinyin has 2 syllable(s) but zh '扩散模型' has 4")),
            "{wrong_count:?}"
        );
        let not_a_syllable = messages(&term("a", "pinyin = \"kuo xq\"").replace("名称a", "扩散"));
        assert!(
            not_a_syllable
                .iter()
                .any(|m| m.contains("'xq' is not a pinyin syllable")),
            "{not_a_syllable:?}"
        );
        let other_reading = messages(&term("a", "pinyin = \"kuo shan\"").replace("名称a", "扩散"));
        assert!(
            other_reading
                .iter()
                .any(|m| m.contains("warning: term 'a': 'shan' is not a reading of '散'")),
            "{other_reading:?}"
        );
        assert!(messages(&term("a", "pinyin = \"wei tiao\"").replace("名称a", "微调")).is_empty());
    }

    #[test]
    fn year_from_unix_days() {
        assert_eq!(year_of_unix_day(0), 1970);
        assert_eq!(year_of_unix_day(20_782), 2026); // 2026-11-25
        assert_eq!(year_of_unix_day(20_453), 2025); // 2025-12-31
        assert_eq!(year_of_unix_day(20_454), 2026); // 2026-01-01
    }
}
