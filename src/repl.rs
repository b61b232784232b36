//! Interactive mode's input: what a line means (`parse_line`, pure), and where lines come
//! from (a line editor with history on a terminal, plain stdin otherwise). Answering is
//! `app`'s: the same code as the command line, over one index opened once.

use std::io::{self, BufRead};
use std::path::PathBuf;

use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

use crate::cli::LangChoice;

/// The prompt on a terminal.
pub const PROMPT: &str = "aigc> ";

/// Help for `:help`, also in README.md.
pub const HELP: &str = "\
Type a term to look it up (exact, then fuzzy), or a command:
  :search TEXT     full-text search          (:s)
  :related QUERY   broader, narrower, related (:r)
  :depth N         how far :related walks (1-20)
  :lang en|zh|both which definitions to show
  :json on|off     answer with JSON documents
  :help            this list                  (:h, :?)
  :quit            leave (also Ctrl-D)        (:q)";

/// What a line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Empty,
    Lookup(String),
    Search(String),
    Related(String),
    Depth(u16),
    Lang(LangChoice),
    Json(bool),
    Help,
    Quit,
    /// A `:command` that does not exist or lacks its argument: the message to show.
    Invalid(String),
}

pub fn parse_line(line: &str) -> Line {
    let line = line.trim();
    if line.is_empty() {
        return Line::Empty;
    }
    let Some(command) = line.strip_prefix(':') else {
        return Line::Lookup(line.to_string());
    };
    let (name, argument) = command
        .split_once(char::is_whitespace)
        .map_or((command, ""), |(name, rest)| (name, rest.trim()));
    let needs_argument = |line: Line| {
        if argument.is_empty() {
            Line::Invalid(format!(
                ":{name} needs an argument; :help lists the commands"
            ))
        } else {
            line
        }
    };
    match name {
        "s" | "search" => needs_argument(Line::Search(argument.to_string())),
        "r" | "related" => needs_argument(Line::Related(argument.to_string())),
        "depth" => match argument.parse::<u16>() {
            Ok(depth @ 1..=20) => Line::Depth(depth),
            _ => Line::Invalid(":depth takes a number from 1 to 20".to_string()),
        },
        "lang" => match argument {
            "en" => Line::Lang(LangChoice::En),
            "zh" => Line::Lang(LangChoice::Zh),
            "both" => Line::Lang(LangChoice::Both),
            _ => Line::Invalid(":lang takes en, zh or both".to_string()),
        },
        "json" => match argument {
            "on" => Line::Json(true),
            "off" => Line::Json(false),
            _ => Line::Invalid(":json takes on or off".to_string()),
        },
        "h" | "?" | "help" => Line::Help,
        "q" | "quit" | "exit" => Line::Quit,
        _ => Line::Invalid(format!(
            "unknown command ':{name}'; :help lists the commands"
        )),
    }
}

/// Where lines come from.
pub enum Input {
    /// A terminal: line editing, history kept in `history` (when known).
    Editor {
        editor: Box<DefaultEditor>,
        history: Option<PathBuf>,
    },
    /// A pipe or file: one query per line, no prompt.
    Plain(io::StdinLock<'static>),
}

impl Input {
    /// A line editor on a terminal (falling back to plain input if it cannot start).
    pub fn new(terminal: bool, history: Option<PathBuf>) -> Input {
        if terminal {
            if let Ok(mut editor) = DefaultEditor::new() {
                if let Some(path) = &history {
                    let _ = editor.load_history(path);
                }
                return Input::Editor {
                    editor: Box::new(editor),
                    history,
                };
            }
        }
        Input::Plain(io::stdin().lock())
    }

    /// The next line, `None` at the end (Ctrl-D, end of input). Ctrl-C on a terminal
    /// abandons the line being typed and asks again.
    pub fn next_line(&mut self) -> io::Result<Option<String>> {
        match self {
            Input::Editor { editor, .. } => loop {
                match editor.readline(PROMPT) {
                    Ok(line) => {
                        if !line.trim().is_empty() {
                            let _ = editor.add_history_entry(line.as_str());
                        }
                        return Ok(Some(line));
                    }
                    Err(ReadlineError::Interrupted) => continue,
                    Err(ReadlineError::Eof) => return Ok(None),
                    Err(ReadlineError::Io(error)) => return Err(error),
                    Err(other) => return Err(io::Error::other(other.to_string())),
                }
            },
            Input::Plain(stdin) => {
                let mut line = String::new();
                match stdin.read_line(&mut line) {
                    Ok(0) => Ok(None),
                    Ok(_) => Ok(Some(line)),
                    // Bytes that are not UTF-8: skip the line, keep going.
                    Err(error) if error.kind() == io::ErrorKind::InvalidData => {
                        Ok(Some(String::new()))
                    }
                    Err(error) => Err(error),
                }
            }
        }
    }

    /// Saves the history of a terminal session; failing to is not worth an error.
    pub fn finish(&mut self) {
        if let Input::Editor {
            editor,
            history: Some(path),
        } = self
        {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = editor.save_history(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_queries_or_commands() {
        assert_eq!(parse_line("  gan \n"), Line::Lookup("gan".into()));
        assert_eq!(
            parse_line("stable diff"),
            Line::Lookup("stable diff".into())
        );
        assert_eq!(parse_line(""), Line::Empty);
        assert_eq!(parse_line(":search noise"), Line::Search("noise".into()));
        assert_eq!(parse_line(":s 噪声"), Line::Search("噪声".into()));
        assert_eq!(parse_line(":related gan"), Line::Related("gan".into()));
        assert_eq!(parse_line(":depth 3"), Line::Depth(3));
        assert_eq!(parse_line(":lang zh"), Line::Lang(LangChoice::Zh));
        assert_eq!(parse_line(":json on"), Line::Json(true));
        assert_eq!(parse_line(":q"), Line::Quit);
        assert_eq!(parse_line(":help"), Line::Help);
    }

    #[test]
    fn bad_commands_say_why() {
        assert!(
            matches!(parse_line(":search"), Line::Invalid(m) if m.contains("needs an argument"))
        );
        assert!(matches!(parse_line(":depth 99"), Line::Invalid(_)));
        assert!(matches!(parse_line(":lang fr"), Line::Invalid(_)));
        assert!(
            matches!(parse_line(":frobnicate"), Line::Invalid(m) if m.contains("unknown command"))
        );
    }
}
