//! Resolves the parsed command line and the environment into settings once (colour,
//! languages, glossary sources), loads the glossary, builds the index and dispatches.
//! The only module that looks at terminals and environment variables.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::CommandFactory;

use crate::cli::{Cli, ColorChoice, Command, Field, GraphFormat, LangChoice, LookupArgs};
use crate::error::{Error, Exit};
use crate::glossary::{self, Glossary, Problem, Source};
use crate::graph;
use crate::matching::{self, Decision, Index, Lookup, TermId};
use crate::render::{self, Language, LookupResult, Style};

/// What the process environment says, read once so the rest can be tested without it.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub glossary_paths: Option<OsString>,
    pub no_color: bool,
    pub clicolor_force: bool,
    pub stdout_is_terminal: bool,
    /// The first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set.
    pub locale: Option<String>,
}

impl Environment {
    pub fn from_process() -> Environment {
        let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        Environment {
            glossary_paths: set("AIGC_TERM_GLOSSARY"),
            no_color: set("NO_COLOR").is_some(),
            clicolor_force: set("CLICOLOR_FORCE").is_some_and(|value| value != "0"),
            stdout_is_terminal: io::stdout().is_terminal(),
            locale: ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|name| set(name))
                .map(|value| value.to_string_lossy().into_owned()),
        }
    }
}

/// Colour: the flag, then NO_COLOR, then CLICOLOR_FORCE, then whether stdout is a terminal.
pub fn use_color(choice: ColorChoice, json: bool, env: &Environment) -> bool {
    match choice {
        _ if json => false,
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if env.no_color => false,
        ColorChoice::Auto if env.clicolor_force => true,
        ColorChoice::Auto => env.stdout_is_terminal,
    }
}

/// Definitions to show, in order: both by default, the user's language first.
pub fn languages(choice: Option<LangChoice>, env: &Environment) -> Vec<Language> {
    let chinese_first = env
        .locale
        .as_deref()
        .is_some_and(|locale| locale.to_ascii_lowercase().starts_with("zh"));
    match choice {
        Some(LangChoice::En) => vec![Language::English],
        Some(LangChoice::Zh) => vec![Language::Chinese],
        _ if chinese_first => vec![Language::Chinese, Language::English],
        _ => vec![Language::English, Language::Chinese],
    }
}

/// The glossary layers in order: embedded, then AIGC_TERM_GLOSSARY, then `--glossary`.
fn sources(cli: &Cli, env: &Environment, extra: &[PathBuf]) -> Result<Vec<Source>, Error> {
    let mut sources = Vec::new();
    if !cli.global.no_default {
        sources.push(Source::Embedded);
    }
    if let Some(paths) = &env.glossary_paths {
        sources.extend(
            std::env::split_paths(paths)
                .filter(|path| !path.as_os_str().is_empty())
                .map(Source::File),
        );
    }
    sources.extend(
        cli.global
            .glossaries
            .iter()
            .chain(extra)
            .cloned()
            .map(Source::File),
    );
    if sources.is_empty() {
        return Err(Error::Usage(
            "--no-default needs at least one glossary: add --glossary PATH".into(),
        ));
    }
    Ok(sources)
}

fn has_user_files(sources: &[Source]) -> bool {
    sources
        .iter()
        .any(|source| matches!(source, Source::File(_)))
}

/// Loads the effective glossary. User files are validated on every load (a dangling link
/// must not surface later as a confusing answer); the embedded one is checked by its tests.
fn load_checked(sources: &[Source]) -> Result<Glossary, Error> {
    let loaded = glossary::load(sources)?;
    if has_user_files(sources) {
        let errors: Vec<Problem> = glossary::validate(&loaded, glossary::current_year())
            .into_iter()
            .filter(Problem::is_error)
            .collect();
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
    }
    Ok(loaded)
}

pub fn run(cli: Cli, env: &Environment) -> Result<Exit, Error> {
    let style = Style {
        color: use_color(cli.global.color, cli.global.json, env),
        languages: languages(cli.global.lang, env),
    };
    colored::control::set_override(style.color);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let exit = dispatch(&cli, env, &style, &mut out)?;
    out.flush()?;
    Ok(exit)
}

fn dispatch(
    cli: &Cli,
    env: &Environment,
    style: &Style,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    let json = cli.global.json;
    match &cli.command {
        Some(Command::Completions { shell }) => {
            clap_complete::generate(*shell, &mut Cli::command(), "aigc-term", out);
            Ok(Exit::Found)
        }
        Some(Command::Check { paths }) => check(&sources(cli, env, paths)?, json, out),
        command => {
            let index = Index::build(load_checked(&sources(cli, env, &[])?)?.terms);
            match command {
                None => {
                    if cli.lookup.query.is_empty() {
                        let mut help = Cli::command();
                        return Err(Error::Usage(format!(
                            "no query given\n\n{}",
                            help.render_usage()
                        )));
                    }
                    look_up(&index, &cli.lookup, false, json, style, out)
                }
                Some(Command::Show { lookup, each }) => {
                    look_up(&index, lookup, *each, json, style, out)
                }
                Some(Command::Search { text }) => search(&index, &text.join(" "), json, style, out),
                Some(Command::Related {
                    query,
                    depth,
                    format,
                }) => related(
                    &index,
                    &query.join(" "),
                    usize::from(*depth),
                    *format,
                    json,
                    style,
                    out,
                ),
                Some(Command::List { tag, plain }) => {
                    list(&index, tag.as_deref(), *plain, json, style, out)
                }
                Some(Command::Tags) => tags(&index, json, style, out),
                Some(Command::Completions { .. } | Command::Check { .. }) => {
                    unreachable!("handled above")
                }
            }
        }
    }
}

/// Notes for people go to stderr; a closed stderr is no reason to fail.
fn note(message: &str) {
    let _ = writeln!(io::stderr(), "aigc-term: {}", render::sanitize(message));
}

/// Queries as they appear in notes: at most 60 characters, so a pasted paragraph does not
/// flood the terminal.
fn shown_query(text: &str) -> String {
    const LONGEST: usize = 60;
    let graphemes = matching::graphemes(text);
    if graphemes.len() <= LONGEST {
        return text.to_string();
    }
    format!(
        "{}… ({} characters)",
        graphemes[..LONGEST].concat(),
        graphemes.len()
    )
}

fn validate_query(text: &str) -> Result<(), Error> {
    if matching::normalize_key(text).is_empty() {
        return Err(Error::Usage(
            "empty query: give a term to look up, for example 'aigc-term gan'".into(),
        ));
    }
    Ok(())
}

fn describe(index: &Index, term: TermId) -> String {
    let term = index.term(term);
    format!("{} ({} · {})", term.id, term.en, term.zh)
}

/// What a lookup shows and suggests, and the notes it writes on stderr.
fn settle<'a>(index: &Index, lookup: &'a Lookup, fuzzy: bool) -> LookupResult<'a> {
    let query = &shown_query(&lookup.query);
    let (shown, suggestions) = match &lookup.decision {
        Decision::Exact(terms) => {
            if terms.len() > 1 {
                let ids: Vec<&str> = terms.iter().map(|&t| index.term(t).id.as_str()).collect();
                note(&format!(
                    "'{query}' names {} terms: {}",
                    terms.len(),
                    ids.join(", ")
                ));
            }
            (terms.clone(), Vec::new())
        }
        Decision::Fuzzy { winner, also } => {
            let winner_term = index.term(*winner);
            note(&format!(
                "no exact match for '{query}'; showing {} ({} · {})",
                winner_term.id, winner_term.en, winner_term.zh
            ));
            if !also.is_empty() {
                let ids: Vec<&str> = also.iter().map(|&t| index.term(t).id.as_str()).collect();
                note(&format!("see also: {}", ids.join(", ")));
            }
            (vec![*winner], Vec::new())
        }
        Decision::Ambiguous(terms) => {
            note(&format!("no exact match for '{query}'; did you mean:"));
            let mut stderr = io::stderr();
            for &term in terms {
                let _ = writeln!(stderr, "  {}", render::sanitize(&describe(index, term)));
            }
            (Vec::new(), terms.clone())
        }
        Decision::Nothing if fuzzy => {
            note(&format!(
                "no term matches '{query}'; try 'aigc-term search {query}'"
            ));
            (Vec::new(), Vec::new())
        }
        Decision::Nothing => {
            note(&format!(
                "no exact match for '{query}' (fuzzy matching is off: drop --exact)"
            ));
            (Vec::new(), Vec::new())
        }
    };
    LookupResult {
        lookup,
        shown,
        suggestions,
    }
}

fn look_up(
    index: &Index,
    args: &LookupArgs,
    each: bool,
    json: bool,
    style: &Style,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    let queries: Vec<String> = if each {
        args.query.clone()
    } else {
        vec![args.query.join(" ")]
    };
    for query in &queries {
        validate_query(query)?;
    }
    let lookups: Vec<Lookup> = queries
        .iter()
        .map(|query| matching::lookup(index, query, !args.exact))
        .collect();
    if args.explain {
        for lookup in &lookups {
            let _ = render::write_explain(
                &mut io::stderr(),
                index,
                &shown_query(&lookup.query),
                &lookup.candidates,
            );
        }
    }
    let results: Vec<LookupResult> = lookups
        .iter()
        .map(|lookup| settle(index, lookup, !args.exact))
        .collect();
    let all_found = results.iter().all(|result| !result.shown.is_empty());
    if json {
        serde_json::to_writer_pretty(&mut *out, &render::lookup_json(index, &results, each))
            .map_err(io::Error::from)?;
        writeln!(out)?;
    } else if let Some(field) = args.field {
        for result in &results {
            for &term in &result.shown {
                write_field(out, index.term(term), field)?;
            }
        }
    } else {
        let mut first = true;
        for result in results.iter().filter(|result| !result.shown.is_empty()) {
            if !first {
                writeln!(out)?;
            }
            first = false;
            render::write_terms(out, index, &result.shown, style)?;
        }
    }
    Ok(if all_found {
        Exit::Found
    } else {
        Exit::NotFound
    })
}

/// `--field`: the raw value, lists one item per line, nothing for an absent value.
fn write_field(out: &mut dyn Write, term: &glossary::Term, field: Field) -> io::Result<()> {
    let one = |value: &str| vec![value.to_string()];
    let values: Vec<String> = match field {
        Field::Id => one(&term.id),
        Field::En => one(&term.en),
        Field::Zh => one(&term.zh),
        Field::Abbr => term.abbr.clone(),
        Field::Aliases => term.aliases.clone(),
        Field::Tags => term.tags.clone(),
        Field::Broader => term.broader.clone(),
        Field::Related => term.related.clone(),
        Field::Refs => term.refs.clone(),
        Field::Year => term.year.map(|year| year.to_string()).into_iter().collect(),
        Field::By => term.by.clone().into_iter().collect(),
        Field::DefinitionEn => one(&term.definition.en),
        Field::DefinitionZh => one(&term.definition.zh),
    };
    for value in values {
        writeln!(out, "{}", render::sanitize(&value))?;
    }
    Ok(())
}

/// The most search results shown; the JSON document has them all.
const SEARCH_SHOWN: usize = 20;

fn search(
    index: &Index,
    text: &str,
    json: bool,
    style: &Style,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    if text.trim().is_empty() {
        return Err(Error::Usage(
            "empty search: give words to search for".into(),
        ));
    }
    let hits = matching::search(index, text);
    if json {
        serde_json::to_writer_pretty(&mut *out, &render::search_json(index, text, &hits))
            .map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        render::write_search(out, index, &hits[..hits.len().min(SEARCH_SHOWN)], style)?;
        if hits.len() > SEARCH_SHOWN {
            note(&format!(
                "{} more results not shown (use --json for all)",
                hits.len() - SEARCH_SHOWN
            ));
        }
    }
    if hits.is_empty() {
        note(&format!("nothing mentions '{}'", shown_query(text)));
        return Ok(Exit::NotFound);
    }
    Ok(Exit::Found)
}

fn related(
    index: &Index,
    query: &str,
    depth: usize,
    format: GraphFormat,
    json: bool,
    style: &Style,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    validate_query(query)?;
    let lookup = matching::lookup(index, query, true);
    let result = settle(index, &lookup, true);
    let Some(&start) = result.shown.first() else {
        return Ok(Exit::NotFound);
    };
    if result.shown.len() > 1 {
        note(&format!(
            "showing the relations of {}",
            index.term(start).id
        ));
    }
    let reached = graph::walk(index, start, depth);
    if json {
        serde_json::to_writer_pretty(
            &mut *out,
            &render::related_json(index, start, depth, &reached),
        )
        .map_err(io::Error::from)?;
        writeln!(out)?;
    } else if format == GraphFormat::Dot {
        render::write_related_dot(out, index, start, &reached)?;
    } else {
        render::write_related(out, index, start, &reached, style)?;
    }
    Ok(Exit::Found)
}

fn list(
    index: &Index,
    tag: Option<&str>,
    plain: bool,
    json: bool,
    style: &Style,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    let mut terms: Vec<TermId> = (0..index.terms.len())
        .filter(|&t| tag.is_none_or(|tag| index.term(t).tags.iter().any(|have| have == tag)))
        .collect();
    terms.sort_by(|&a, &b| index.term(a).id.cmp(&index.term(b).id));
    if json {
        serde_json::to_writer_pretty(&mut *out, &render::list_json(index, &terms))
            .map_err(io::Error::from)?;
        writeln!(out)?;
    } else if plain {
        render::write_plain_list(out, index, &terms)?;
    } else {
        render::write_list(out, index, &terms, style)?;
    }
    if terms.is_empty() {
        note(&format!(
            "no term is tagged '{}'; 'aigc-term tags' lists the tags",
            tag.unwrap_or_default()
        ));
        return Ok(Exit::NotFound);
    }
    Ok(Exit::Found)
}

/// Tags with their counts, most used first, then by name.
pub fn tag_counts(index: &Index) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for term in &index.terms {
        for tag in &term.tags {
            *counts.entry(tag).or_default() += 1;
        }
    }
    let mut list: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(tag, count)| (tag.to_string(), count))
        .collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

fn tags(index: &Index, json: bool, style: &Style, out: &mut dyn Write) -> Result<Exit, Error> {
    let counts = tag_counts(index);
    if json {
        serde_json::to_writer_pretty(&mut *out, &render::tags_json(&counts))
            .map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        render::write_tags(out, &counts, style)?;
    }
    Ok(Exit::Found)
}

fn check(sources: &[Source], json: bool, out: &mut dyn Write) -> Result<Exit, Error> {
    let loaded = glossary::load(sources)?;
    let problems = glossary::validate(&loaded, glossary::current_year());
    let errors = problems.iter().filter(|problem| problem.is_error()).count();
    let warnings = problems
        .iter()
        .filter(|problem| problem.severity == glossary::Severity::Warning)
        .count();
    if json {
        serde_json::to_writer_pretty(
            &mut *out,
            &render::check_json(loaded.terms.len(), &problems),
        )
        .map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        render::write_check(out, &problems)?;
    }
    let notes = problems.len() - errors - warnings;
    note(&format!(
        "{} terms checked: {errors} error(s), {warnings} warning(s), {notes} note(s)",
        loaded.terms.len()
    ));
    Ok(if errors > 0 {
        Exit::NotFound
    } else {
        Exit::Found
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_precedence() {
        let terminal = Environment {
            stdout_is_terminal: true,
            ..Environment::default()
        };
        assert!(use_color(ColorChoice::Auto, false, &terminal));
        assert!(
            !use_color(ColorChoice::Auto, true, &terminal),
            "JSON is never coloured"
        );
        let no_color = Environment {
            no_color: true,
            ..terminal.clone()
        };
        assert!(!use_color(ColorChoice::Auto, false, &no_color));
        assert!(
            use_color(ColorChoice::Always, false, &no_color),
            "the flag beats NO_COLOR"
        );
        let forced = Environment {
            clicolor_force: true,
            ..Environment::default()
        };
        assert!(use_color(ColorChoice::Auto, false, &forced));
        assert!(!use_color(ColorChoice::Never, false, &forced));
    }

    #[test]
    fn chinese_locale_puts_chinese_first() {
        let zh = Environment {
            locale: Some("zh_CN.UTF-8".into()),
            ..Environment::default()
        };
        assert_eq!(
            languages(None, &zh),
            vec![Language::Chinese, Language::English]
        );
        assert_eq!(
            languages(Some(LangChoice::En), &zh),
            vec![Language::English]
        );
        assert_eq!(
            languages(None, &Environment::default()),
            vec![Language::English, Language::Chinese]
        );
    }
}
