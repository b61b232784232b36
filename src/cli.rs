//! The command line as clap sees it: commands, flags and help text. No logic lives here;
//! `app` turns a parsed `Cli` into work.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCompleter;

#[derive(Debug, Parser)]
#[command(
    name = "aigc-term",
    version,
    about = "Look up AIGC / generative-AI terms in Chinese and English, offline",
    long_about = "Look up AIGC / generative-AI terms in Chinese and English, offline.\n\n\
        aigc-term gan            look a term up (exact, then fuzzy: typos, prefixes, acronyms)\n\
        aigc-term 扩散           Chinese names and partial names work too\n\
        aigc-term search noise   full-text search over names and definitions\n\
        aigc-term related gan    broader, narrower and related terms",
    after_help = "Exit status: 0 found, 1 not found (or check found problems), 2 usage or load error.\n\
        Environment: AIGC_TERM_GLOSSARY (extra glossary files, separated like PATH), NO_COLOR, CLICOLOR_FORCE,\n\
        XDG_CACHE_HOME (where compiled user glossaries are cached), LANG / LC_ALL / LANGUAGE (zh* shows Chinese first).",
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(flatten)]
    pub lookup: LookupArgs,

    /// Interactive mode: a prompt that answers each line (the same as `aigc-term repl`)
    #[arg(short = 'i', long)]
    pub interactive: bool,

    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Default)]
pub struct GlobalArgs {
    /// Print one JSON document (shape documented in README.md)
    #[arg(long, global = true)]
    pub json: bool,

    /// When to use colour
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Which definition to show
    #[arg(long, value_enum, global = true)]
    pub lang: Option<LangChoice>,

    /// Add a glossary file on top of the embedded one (repeatable; later files win)
    #[arg(long = "glossary", short = 'g', value_name = "PATH", global = true)]
    pub glossaries: Vec<PathBuf>,

    /// Do not load the embedded glossary, only the given files
    #[arg(long, global = true)]
    pub no_default: bool,

    /// Do not read or write the compiled-index cache of user glossaries
    #[arg(long, global = true)]
    pub no_cache: bool,
}

#[derive(Debug, Args, Default)]
pub struct LookupArgs {
    /// The term to look up (several words are joined by a space)
    #[arg(value_name = "QUERY", add = ArgValueCompleter::new(crate::app::complete_term))]
    pub query: Vec<String>,

    /// Only exact matches: no typo, prefix or acronym guessing
    #[arg(long)]
    pub exact: bool,

    /// Show on stderr how the top candidates were scored
    #[arg(long)]
    pub explain: bool,

    /// Print only this field's raw value (not with --json, which already has every field)
    #[arg(long, value_enum, value_name = "NAME")]
    pub field: Option<Field>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Look a term up (the same as giving the query alone; never shadowed by a command name)
    Show {
        #[command(flatten)]
        lookup: LookupArgs,
        /// Look up each word separately instead of the words joined
        #[arg(long)]
        each: bool,
    },
    /// Full-text search over names and definitions in both languages
    Search {
        /// Words that must all appear
        #[arg(required = true, value_name = "TEXT")]
        text: Vec<String>,
    },
    /// Broader, narrower and related terms
    Related {
        #[arg(required = true, value_name = "QUERY", add = ArgValueCompleter::new(crate::app::complete_term))]
        query: Vec<String>,
        /// How many steps to walk (each term is shown once)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=20))]
        depth: u16,
        /// Output format
        #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
        format: GraphFormat,
    },
    /// List terms
    List {
        /// Only terms with this tag
        #[arg(long)]
        tag: Option<String>,
        /// id<TAB>en<TAB>zh lines, never coloured (stable, for fzf and scripts)
        #[arg(long)]
        plain: bool,
    },
    /// Tags with the number of terms that carry them
    Tags,
    /// Validate glossary files (the embedded one when none is given)
    Check {
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Print a static shell completion script (commands and flags; for term names too, use
    /// `source <(COMPLETE=bash aigc-term)`, see README.md)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory
    Man {
        /// Write aigc-term.1 and aigc-term-COMMAND.1 here instead of printing aigc-term.1
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write the effective glossary (embedded plus user files) in another format
    Export {
        #[arg(long, short = 'f', value_enum)]
        format: ExportFormat,
        /// Write here instead of stdout (required for stardict: the path without extension,
        /// to which .ifo, .idx, .dict and .syn are added)
        #[arg(long, short = 'o', value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Interactive mode: a prompt with line editing and history; :help lists its commands
    Repl,
}

/// Formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON document: {"terms": [term, ...]} (the --json term shape)
    Json,
    /// One term (the --json shape) per line
    Jsonl,
    /// Tab-separated values with a header row; lists joined by "; "
    Tsv,
    /// A bilingual glossary page grouped by tag, related terms linked as anchors
    Markdown,
    /// A tab-separated Anki deck: front = names, back = both definitions
    Anki,
    /// A StarDict dictionary (.ifo/.idx/.dict/.syn) for GoldenDict, sdcv and friends
    Stardict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangChoice {
    En,
    Zh,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Text,
    Dot,
}

/// Fields `--field` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Field {
    Id,
    En,
    Zh,
    Abbr,
    Aliases,
    Tags,
    Broader,
    Related,
    Refs,
    Year,
    By,
    #[value(name = "definition.en")]
    DefinitionEn,
    #[value(name = "definition.zh")]
    DefinitionZh,
}

/// The names clap treats as commands when they come first (each command and `help`).
pub const COMMAND_NAMES: [&str; 11] = [
    "show",
    "search",
    "related",
    "list",
    "tags",
    "check",
    "completions",
    "man",
    "export",
    "repl",
    "help",
];

/// The command lines people run most, read without clap: a lookup (`aigc-term gan`,
/// `aigc-term stable diff`), `search WORDS` and `related WORDS`, each optionally after
/// `--json`, with no other option anywhere. Building and running clap's parser is about a
/// third of the instructions of a whole lookup; every other command line goes to clap, and
/// tests check that both read these lines the same.
pub fn plain_command(args: &[OsString]) -> Option<Cli> {
    let mut words: Vec<String> = args
        .iter()
        .map(|arg| arg.to_str().map(str::to_string))
        .collect::<Option<_>>()?;
    let json = words.first().is_some_and(|word| word == "--json");
    if json {
        words.remove(0);
    }
    if words.iter().any(|word| word.starts_with('-')) {
        return None;
    }
    let (first, rest) = words.split_first()?;
    let command = match first.as_str() {
        "search" if !rest.is_empty() => Some(Command::Search {
            text: rest.to_vec(),
        }),
        "related" if !rest.is_empty() => Some(Command::Related {
            query: rest.to_vec(),
            depth: 1,
            format: GraphFormat::Text,
        }),
        name if COMMAND_NAMES.contains(&name) => return None,
        _ => None,
    };
    let query = if command.is_some() { Vec::new() } else { words };
    Some(Cli {
        lookup: LookupArgs {
            query,
            ..LookupArgs::default()
        },
        interactive: false,
        global: GlobalArgs {
            json,
            ..GlobalArgs::default()
        },
        command,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn command_names_are_clap_commands() {
        let mut names: Vec<String> = Cli::command()
            .get_subcommands()
            .flat_map(|command| {
                std::iter::once(command.get_name().to_string())
                    .chain(command.get_all_aliases().map(str::to_string))
            })
            .collect();
        names.push("help".into());
        names.sort();
        let mut listed: Vec<String> = COMMAND_NAMES.iter().map(|name| name.to_string()).collect();
        listed.sort();
        assert_eq!(listed, names);
    }

    fn os(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    /// Whatever the fast path reads, clap reads the same way.
    #[test]
    fn plain_commands_read_as_clap_reads_them() {
        let lines: &[&[&str]] = &[
            &["--json", "gan"],
            &["--json", "stable", "diff"],
            &["search", "noise"],
            &["search", "noise", "schedule"],
            &["search", "help"],
            &["--json", "search", "噪声"],
            &["related", "gan"],
            &["related", "stable", "diffusion"],
            &["--json", "related", "gan"],
            &["related", "search"],
            &["gan"],
            &["stable", "diff"],
            &["扩散"],
            &["gan", "search"],
            &["gan", "list", "help"],
            &["serach"],
            &["hlep"],
            &[""],
            &[" "],
            &["a=b"],
            &["🤖🦀"],
            &["shows"],
            &["kuò", "sàn"],
        ];
        for words in lines {
            let fast = plain_command(&os(words)).expect("a plain command line");
            let mut argv = os(&["aigc-term"]);
            argv.extend(os(words));
            let clap = Cli::try_parse_from(argv).expect("clap parses it");
            assert_eq!(format!("{fast:?}"), format!("{clap:?}"), "{words:?}");
        }
    }

    #[test]
    fn everything_else_is_left_to_clap() {
        for words in [
            &[][..],
            &["help"],
            &["gan", "--json"],
            &["gan", "-g", "x.toml"],
            &["-"],
            &["--"],
            &["--", "gan"],
            &["-i"],
            &["--json"],
            &["--json", "--json", "gan"],
            &["search"],
            &["related"],
            &["--json", "search"],
            &["search", "--json", "noise"],
            &["related", "gan", "--depth", "2"],
            &["list"],
            &["tags"],
            &["show", "gan"],
            &["check"],
        ] {
            assert!(plain_command(&os(words)).is_none(), "{words:?}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            assert!(plain_command(&[OsString::from_vec(vec![0xff])]).is_none());
        }
    }
}
