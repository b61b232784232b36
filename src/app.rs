//! Resolves the parsed command line and the environment into settings once (colour,
//! languages, glossary sources, cache), opens the index and dispatches. The only module
//! that looks at terminals and environment variables.
//!
//! Each command first computes everything it will print (terms decoded, notes written
//! out as text), then renders it: a damaged cache found while computing is rebuilt and the
//! computation repeated, and nothing has been printed twice.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::CommandFactory;

use crate::cli::{
    Cli, ColorChoice, Command, ExportFormat, Field, GraphFormat, LangChoice, LookupArgs,
};
use crate::error::{Error, Exit};
use crate::export;
use crate::glossary::{self, Source, Term};
use crate::graph;
use crate::matching::{self, Candidate, Decision, Index, Lookup, SearchHit, TermId};
use crate::open::{self, Opened};
use crate::render::{self, Language, LookupView, RelatedTerm, Style};
use crate::repl::{self, Line};
use crate::store::{Names, Record};

/// What the process environment says, read once so the rest can be tested without it.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub glossary_paths: Option<OsString>,
    pub no_color: bool,
    pub clicolor_force: bool,
    pub stdout_is_terminal: bool,
    /// The first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set.
    pub locale: Option<String>,
    /// `XDG_CACHE_HOME`, `HOME` and (Windows) `LOCALAPPDATA`, for the cache directory.
    pub cache_home: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub local_app_data: Option<PathBuf>,
    /// `XDG_STATE_HOME`, for the interactive mode's history.
    pub state_home: Option<PathBuf>,
    pub stdin_is_terminal: bool,
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
            cache_home: set("XDG_CACHE_HOME").map(PathBuf::from),
            home: set("HOME").map(PathBuf::from),
            local_app_data: set("LOCALAPPDATA").map(PathBuf::from),
            state_home: set("XDG_STATE_HOME").map(PathBuf::from),
            stdin_is_terminal: io::stdin().is_terminal(),
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

/// Where compiled user glossaries are cached: `$XDG_CACHE_HOME/aigc-term`, else the
/// platform's user cache directory; none with `--no-cache` or when nothing is known.
/// A relative `XDG_CACHE_HOME` is ignored, as the XDG specification asks.
pub fn cache_dir(no_cache: bool, env: &Environment) -> Option<PathBuf> {
    if no_cache {
        return None;
    }
    let base = env
        .cache_home
        .clone()
        .filter(|path| path.is_absolute())
        .or_else(|| {
            if cfg!(windows) {
                env.local_app_data.clone()
            } else if cfg!(target_os = "macos") {
                env.home.as_ref().map(|home| home.join("Library/Caches"))
            } else {
                env.home.as_ref().map(|home| home.join(".cache"))
            }
        })?;
    Some(base.join("aigc-term"))
}

/// Where interactive mode keeps its history: `$XDG_STATE_HOME/aigc-term/history`, else
/// `~/.local/state/aigc-term/history`.
pub fn history_file(env: &Environment) -> Option<PathBuf> {
    let base = env
        .state_home
        .clone()
        .filter(|path| path.is_absolute())
        .or_else(|| env.home.as_ref().map(|home| home.join(".local/state")))?;
    Some(base.join("aigc-term").join("history"))
}

/// Term names for dynamic shell completion (`COMPLETE=bash aigc-term`, see README.md):
/// from the embedded glossary and `AIGC_TERM_GLOSSARY` files (flags on the line being
/// completed are not seen). Any failure means no candidates, never an error.
pub fn complete_term(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    const MOST: usize = 50;
    let Some(typed) = current.to_str() else {
        return Vec::new();
    };
    let env = Environment::from_process();
    let mut sources = vec![Source::Embedded];
    if let Some(paths) = &env.glossary_paths {
        sources.extend(
            std::env::split_paths(paths)
                .filter(|path| !path.as_os_str().is_empty())
                .map(Source::File),
        );
    }
    let Ok(library) = Library::open(sources, cache_dir(false, &env).as_deref()) else {
        return Vec::new();
    };
    matching::complete(&library.opened.index, typed, MOST)
        .unwrap_or_default()
        .into_iter()
        .map(|found| {
            clap_complete::CompletionCandidate::new(found.word).help(Some(found.help.into()))
        })
        .collect()
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

/// The opened glossary, and how to reopen it if its cache turns out to be damaged.
struct Library {
    sources: Vec<Source>,
    opened: Opened,
    year: i64,
}

impl Library {
    fn open(sources: Vec<Source>, cache_dir: Option<&Path>) -> Result<Library, Error> {
        let year = glossary::current_year();
        let opened = open::open(&sources, cache_dir, year)?;
        Ok(Library {
            sources,
            opened,
            year,
        })
    }

    /// Runs `work` on the index; a damaged cache is rebuilt once and `work` repeated.
    fn query<T>(&mut self, work: impl Fn(&Index) -> Result<T, Error>) -> Result<T, Error> {
        match work(&self.opened.index) {
            Err(Error::Damaged) if self.opened.cache_file.is_some() => {
                let cache_file = self.opened.cache_file.take();
                let index = open::rebuild(&self.sources, cache_file.as_deref(), self.year)?;
                self.opened = Opened {
                    index,
                    cache_file: None,
                };
                work(&self.opened.index)
            }
            other => other,
        }
    }
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
            return Ok(Exit::Found);
        }
        Some(Command::Check { paths }) => return check(&sources(cli, env, paths)?, json, out),
        Some(Command::Man { dir }) => return man_pages(dir.as_deref(), out),
        None if cli.lookup.query.is_empty() && !cli.interactive => {
            let mut help = Cli::command();
            return Err(Error::Usage(format!(
                "no query given\n\n{}",
                help.render_usage()
            )));
        }
        _ => {}
    }
    let cache = cache_dir(cli.global.no_cache, env);
    // Never dropped: the process ends once the command has run, and the system takes its
    // memory back at once, where freeing the decoded records one by one was 4-6 % of the
    // instructions of a search (`aigc-term search 扩散模型`: 197,548 of 3,549,445).
    let mut library =
        std::mem::ManuallyDrop::new(Library::open(sources(cli, env, &[])?, cache.as_deref())?);
    match &cli.command {
        None if cli.interactive => interactive(&mut library, env, style, json, out),
        Some(Command::Repl) => interactive(&mut library, env, style, json, out),
        None => look_up(&mut library, &cli.lookup, false, json, style, out),
        Some(Command::Show { lookup, each }) => {
            look_up(&mut library, lookup, *each, json, style, out)
        }
        Some(Command::Search { text }) => search(&mut library, &text.join(" "), json, style, out),
        Some(Command::Related {
            query,
            depth,
            format,
        }) => related(
            &mut library,
            &query.join(" "),
            usize::from(*depth),
            *format,
            json,
            style,
            out,
        ),
        Some(Command::List { tag, plain }) => {
            list(&mut library, tag.as_deref(), *plain, json, style, out)
        }
        Some(Command::Tags) => tags(&mut library, json, style, out),
        Some(Command::Export { format, output }) => {
            export_glossary(&mut library, *format, output.as_deref(), out)
        }
        Some(Command::Completions { .. } | Command::Check { .. } | Command::Man { .. }) => {
            unreachable!("handled before the index is opened")
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

fn describe(term: &Term) -> String {
    format!("{} ({} · {})", term.id, term.en, term.zh)
}

/// A lookup with everything it will print: the terms shown and suggested (decoded), the
/// notes for stderr, and the ranked candidates for `--explain`.
struct Answer {
    lookup: Lookup,
    shown: Vec<(TermId, Arc<Record>)>,
    suggestions: Vec<(TermId, Arc<Record>)>,
    /// Lines for stderr: notes, and the did-you-mean list (indented).
    notes: Vec<String>,
    explained: Vec<(String, Candidate)>,
}

impl Answer {
    fn found(&self) -> bool {
        !self.shown.is_empty()
    }

    fn view(&self) -> LookupView<'_> {
        LookupView {
            query: &self.lookup.query,
            shown: self.with_candidates(&self.shown),
            suggestions: self.with_candidates(&self.suggestions),
        }
    }

    fn with_candidates<'a>(
        &'a self,
        terms: &'a [(TermId, Arc<Record>)],
    ) -> Vec<(&'a Term, &'a Candidate)> {
        terms
            .iter()
            .filter_map(|(term, record)| Some((&record.term, self.lookup.candidate(*term)?)))
            .collect()
    }
}

fn answer(index: &Index, text: &str, fuzzy: bool) -> Result<Answer, Error> {
    let lookup = matching::lookup(index, text, fuzzy)?;
    let records = |terms: &[TermId]| -> Result<Vec<(TermId, Arc<Record>)>, Error> {
        terms
            .iter()
            .map(|&term| Ok((term, index.record(term)?)))
            .collect()
    };
    let query = shown_query(&lookup.query);
    let mut notes = Vec::new();
    let (shown, suggestions) = match &lookup.decision {
        Decision::Exact(terms) => {
            let shown = records(terms)?;
            if shown.len() > 1 {
                let ids: Vec<&str> = shown.iter().map(|(_, r)| r.term.id.as_str()).collect();
                notes.push(format!(
                    "'{query}' names {} terms: {}",
                    ids.len(),
                    ids.join(", ")
                ));
            }
            (shown, Vec::new())
        }
        Decision::Fuzzy { winner, also } => {
            let shown = records(&[*winner])?;
            notes.push(format!(
                "no exact match for '{query}'; showing {}",
                describe(&shown[0].1.term)
            ));
            if !also.is_empty() {
                let also = records(also)?;
                let ids: Vec<&str> = also.iter().map(|(_, r)| r.term.id.as_str()).collect();
                notes.push(format!("see also: {}", ids.join(", ")));
            }
            (shown, Vec::new())
        }
        Decision::Ambiguous(terms) => {
            let suggestions = records(terms)?;
            notes.push(format!("no exact match for '{query}'; did you mean:"));
            for (_, record) in &suggestions {
                notes.push(format!("  {}", describe(&record.term)));
            }
            (Vec::new(), suggestions)
        }
        Decision::Nothing if fuzzy => {
            notes.push(format!(
                "no term matches '{query}'; try 'aigc-term search {query}'"
            ));
            (Vec::new(), Vec::new())
        }
        Decision::Nothing => {
            notes.push(format!(
                "no exact match for '{query}' (fuzzy matching is off: drop --exact)"
            ));
            (Vec::new(), Vec::new())
        }
    };
    let explained = lookup
        .candidates
        .iter()
        .map(|candidate| {
            Ok((
                index.record(candidate.term)?.term.id.clone(),
                candidate.clone(),
            ))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Answer {
        lookup,
        shown,
        suggestions,
        notes,
        explained,
    })
}

/// Writes stderr lines: notes get the `aigc-term:` prefix, indented lines do not.
fn write_notes(lines: &[String]) {
    let mut stderr = io::stderr();
    for line in lines {
        if line.starts_with("  ") {
            let _ = writeln!(stderr, "{}", render::sanitize(line));
        } else {
            note(line);
        }
    }
}

fn look_up(
    library: &mut Library,
    args: &LookupArgs,
    each: bool,
    json: bool,
    style: &Style,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    if json && args.field.is_some() {
        // Picking one silently would surprise whoever wrote the other.
        return Err(Error::Usage(
            "--field prints one raw value and --json the whole document: give only one".into(),
        ));
    }
    let queries: Vec<String> = if each {
        args.query.clone()
    } else {
        vec![args.query.join(" ")]
    };
    for query in &queries {
        validate_query(query)?;
    }
    let answers: Vec<Answer> = library.query(|index| {
        queries
            .iter()
            .map(|query| answer(index, query, !args.exact))
            .collect()
    })?;
    for answer in &answers {
        if args.explain {
            let explained: Vec<(&str, &Candidate)> = answer
                .explained
                .iter()
                .map(|(id, candidate)| (id.as_str(), candidate))
                .collect();
            let _ = render::write_explain(
                &mut io::stderr(),
                &shown_query(&answer.lookup.query),
                &explained,
            );
        }
        write_notes(&answer.notes);
    }
    let all_found = answers.iter().all(Answer::found);
    if json {
        let views: Vec<LookupView> = answers.iter().map(Answer::view).collect();
        write_json(out, &render::lookup_json(&views, each))?;
    } else if let Some(field) = args.field {
        for answer in &answers {
            for (_, record) in &answer.shown {
                write_field(out, &record.term, field)?;
            }
        }
    } else {
        let mut first = true;
        for answer in answers.iter().filter(|answer| answer.found()) {
            if !first {
                writeln!(out)?;
            }
            first = false;
            let terms: Vec<&Term> = answer
                .shown
                .iter()
                .map(|(_, record)| &record.term)
                .collect();
            render::write_terms(out, &terms, style)?;
        }
    }
    Ok(if all_found {
        Exit::Found
    } else {
        Exit::NotFound
    })
}

fn write_json(out: &mut dyn Write, document: &serde_json::Value) -> Result<(), Error> {
    serde_json::to_writer_pretty(&mut *out, document).map_err(io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// `--field`: the raw value, lists one item per line, nothing for an absent value.
fn write_field(out: &mut dyn Write, term: &Term, field: Field) -> io::Result<()> {
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
    library: &mut Library,
    text: &str,
    json: bool,
    style: &Style,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    if matching::text_tokens(text).is_empty() {
        return Err(Error::Usage(
            "empty search: give words to search for".into(),
        ));
    }
    let shown_limit = if json { usize::MAX } else { SEARCH_SHOWN };
    let (total, hits) = library.query(|index| {
        let (words, hits) = matching::search(index, text)?;
        let described = hits
            .iter()
            .take(shown_limit)
            .map(|&hit| {
                let described = matching::describe_hit(index, hit, &words)?;
                Ok((index.record(hit.term)?, described))
            })
            .collect::<Result<Vec<(Arc<Record>, SearchHit)>, Error>>()?;
        Ok((hits.len(), described))
    })?;
    let view: Vec<(&Term, &SearchHit)> = hits
        .iter()
        .map(|(record, hit)| (&record.term, hit))
        .collect();
    if json {
        write_json(out, &render::search_json(text, &view))?;
    } else {
        render::write_search(out, &view, style)?;
        // The note follows the results it counts, also on a terminal.
        out.flush()?;
        if total > SEARCH_SHOWN {
            note(&format!(
                "{} more results not shown (use --json for all)",
                total - SEARCH_SHOWN
            ));
        }
    }
    if total == 0 {
        note(&format!("nothing mentions '{}'", shown_query(text)));
        return Ok(Exit::NotFound);
    }
    Ok(Exit::Found)
}

/// A relation walk with every term it prints decoded.
struct Walk {
    start: Arc<Record>,
    reached: Vec<(graph::Reached, Names, String)>,
}

fn related(
    library: &mut Library,
    query: &str,
    depth: usize,
    format: GraphFormat,
    json: bool,
    style: &Style,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    validate_query(query)?;
    let (answer, walk) = library.query(|index| {
        let answer = answer(index, query, true)?;
        let Some((start, record)) = answer.shown.first().cloned() else {
            return Ok((answer, None));
        };
        let reached = graph::walk(index, start, depth)?
            .into_iter()
            .map(|item| {
                let via = index.names(item.via)?.id;
                Ok((item.clone(), index.names(item.term)?, via))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok((
            answer,
            Some(Walk {
                start: record,
                reached,
            }),
        ))
    })?;
    write_notes(&answer.notes);
    let Some(walk) = walk else {
        return Ok(Exit::NotFound);
    };
    if answer.shown.len() > 1 {
        note(&format!("showing the relations of {}", walk.start.term.id));
    }
    let reached: Vec<RelatedTerm> = walk
        .reached
        .iter()
        .map(|(item, names, via)| RelatedTerm {
            id: &names.id,
            en: &names.en,
            zh: &names.zh,
            relation: item.relation,
            via,
            depth: item.depth,
        })
        .collect();
    if json {
        write_json(
            out,
            &render::related_json(&walk.start.term, depth, &reached),
        )?;
    } else if format == GraphFormat::Dot {
        render::write_related_dot(out, &walk.start.term, &reached)?;
    } else {
        render::write_related(out, &walk.start.term, &reached, style)?;
    }
    Ok(Exit::Found)
}

fn list(
    library: &mut Library,
    tag: Option<&str>,
    plain: bool,
    json: bool,
    style: &Style,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    let mut terms: Vec<Term> = library.query(|index| Ok(index.all_terms()?))?;
    terms.retain(|term| tag.is_none_or(|tag| term.tags.iter().any(|have| have == tag)));
    terms.sort_by(|a, b| a.id.cmp(&b.id));
    let terms: Vec<&Term> = terms.iter().collect();
    if json {
        write_json(out, &render::list_json(&terms))?;
    } else if plain {
        render::write_plain_list(out, &terms)?;
    } else {
        render::write_list(out, &terms, style)?;
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

fn tags(
    library: &mut Library,
    json: bool,
    style: &Style,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    let counts = library.query(|index| Ok(index.tags()?))?;
    if json {
        write_json(out, &render::tags_json(&counts))?;
    } else {
        render::write_tags(out, &counts, style)?;
    }
    Ok(Exit::Found)
}

/// The man page of aigc-term on stdout, or one page per command written into `dir`.
fn man_pages(dir: Option<&Path>, out: &mut dyn Write) -> Result<Exit, Error> {
    let command = Cli::command();
    let Some(dir) = dir else {
        clap_mangen::Man::new(command).render(out)?;
        return Ok(Exit::Found);
    };
    let write_error = |path: &Path, source: io::Error| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|source| write_error(dir, source))?;
    let mut pages = vec![("aigc-term".to_string(), command.clone())];
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let name = format!("aigc-term-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, page) in pages {
        let path = dir.join(format!("{name}.1"));
        let mut bytes = Vec::new();
        clap_mangen::Man::new(page).render(&mut bytes)?;
        std::fs::write(&path, bytes).map_err(|source| write_error(&path, source))?;
        writeln!(out, "{}", path.display())?;
    }
    Ok(Exit::Found)
}

/// `export`: the effective glossary in another format, to stdout or `output`.
fn export_glossary(
    library: &mut Library,
    format: ExportFormat,
    output: Option<&Path>,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    let terms = library.query(|index| Ok(index.all_terms()?))?;
    let files: Vec<export::ExportFile> = match format {
        ExportFormat::Stardict => {
            let Some(base) = output else {
                return Err(Error::Usage(
                    "stardict writes four files: give their path without extension, e.g. -o dict/aigc-term".into(),
                ));
            };
            let name = base.file_name().map_or("aigc-term".into(), |name| {
                name.to_string_lossy().into_owned()
            });
            export::stardict(&terms, &name)
        }
        single => vec![export::ExportFile {
            suffix: "",
            bytes: match single {
                ExportFormat::Json => export::json(&terms),
                ExportFormat::Jsonl => export::jsonl(&terms),
                ExportFormat::Tsv => export::tsv(&terms),
                ExportFormat::Markdown => export::markdown(&terms),
                ExportFormat::Anki => export::anki(&terms),
                ExportFormat::Stardict => unreachable!("handled above"),
            },
        }],
    };
    match output {
        None => {
            for file in &files {
                out.write_all(&file.bytes)?;
            }
        }
        Some(base) => {
            for file in &files {
                let mut path = base.as_os_str().to_owned();
                path.push(file.suffix);
                let path = PathBuf::from(path);
                std::fs::write(&path, &file.bytes).map_err(|source| Error::Write {
                    path: path.clone(),
                    source,
                })?;
            }
            note(&format!("{} terms exported", terms.len()));
        }
    }
    Ok(Exit::Found)
}

/// Interactive mode: each line answered as on the command line, over the index opened
/// once. Ends at `:quit`, Ctrl-D or the end of input; status 0.
fn interactive(
    library: &mut Library,
    env: &Environment,
    style: &Style,
    json: bool,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    let mut style = style.clone();
    let mut json = json;
    let mut depth: u16 = 1;
    let mut input = repl::Input::new(env.stdin_is_terminal, history_file(env));
    if env.stdin_is_terminal {
        let _ = writeln!(
            io::stderr(),
            "aigc-term {}: type a term, :help for commands, Ctrl-D to leave",
            env!("CARGO_PKG_VERSION")
        );
    }
    let mut wrote_before = false;
    while let Some(text) = input.next_line()? {
        // Each answer is gathered first so human answers can be set apart by a blank line
        // (JSON answers stay one document after another, a stream `jq` reads as is).
        let mut answer: Vec<u8> = Vec::new();
        let buffer: &mut dyn Write = &mut answer;
        let answered = match repl::parse_line(&text) {
            Line::Empty => Ok(Exit::Found),
            Line::Quit => break,
            Line::Help => {
                writeln!(buffer, "{}", repl::HELP)?;
                Ok(Exit::Found)
            }
            Line::Invalid(message) => {
                note(&message);
                Ok(Exit::Found)
            }
            Line::Depth(value) => {
                depth = value;
                Ok(Exit::Found)
            }
            Line::Json(on) => {
                json = on;
                Ok(Exit::Found)
            }
            Line::Lang(choice) => {
                style.languages = languages(Some(choice), env);
                Ok(Exit::Found)
            }
            Line::Lookup(query) => {
                let args = LookupArgs {
                    query: vec![query],
                    ..LookupArgs::default()
                };
                look_up(library, &args, false, json, &style, buffer)
            }
            Line::Search(text) => search(library, &text, json, &style, buffer),
            Line::Related(query) => related(
                library,
                &query,
                usize::from(depth),
                GraphFormat::Text,
                json,
                &style,
                buffer,
            ),
        };
        if !answer.is_empty() {
            let separator: &[u8] = if wrote_before && !json { b"\n" } else { b"" };
            if let Err(error) = out
                .write_all(separator)
                .and_then(|()| out.write_all(&answer))
            {
                input.finish();
                return Err(error.into());
            }
            wrote_before = true;
        }
        match answered {
            Ok(_) => {}
            Err(error @ (Error::Output(_) | Error::Damaged)) => {
                input.finish();
                return Err(error);
            }
            Err(error) => note(&error.to_string()),
        }
        out.flush()?;
    }
    input.finish();
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
        write_json(out, &render::check_json(loaded.terms.len(), &problems))?;
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

    #[test]
    fn cache_directory_follows_xdg_then_home() {
        let env = Environment {
            cache_home: Some(PathBuf::from("/x/cache")),
            home: Some(PathBuf::from("/home/u")),
            ..Environment::default()
        };
        assert_eq!(
            cache_dir(false, &env),
            Some(PathBuf::from("/x/cache/aigc-term"))
        );
        assert_eq!(cache_dir(true, &env), None);
        let relative = Environment {
            cache_home: Some(PathBuf::from("relative")),
            ..env.clone()
        };
        if cfg!(target_os = "linux") {
            assert_eq!(
                cache_dir(false, &relative),
                Some(PathBuf::from("/home/u/.cache/aigc-term"))
            );
        }
        assert_eq!(cache_dir(false, &Environment::default()), None);
    }
}
