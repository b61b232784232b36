//! The one error type of aigc-term and the exit code each outcome maps to.
//!
//! Every error prints as one line (a validation failure as one line per problem), so that
//! `main` can prefix each with `aigc-term:` and scripts can grep them.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::glossary::Problem;
use crate::store::Damaged;

/// Exit codes, like grep: what happened, never a bare number in logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// A term was found, or `check` found no problem.
    Found = 0,
    /// Nothing matched, or `check` found problems.
    NotFound = 1,
    /// Usage error, unreadable or broken glossary, failed output.
    Error = 2,
}

impl Exit {
    pub fn code(self) -> i32 {
        self as i32
    }
}

#[derive(Debug)]
pub enum Error {
    /// A glossary path could not be read (missing, a directory, no permission).
    Read { path: PathBuf, source: io::Error },
    /// A glossary file is not UTF-8; `offset` is the byte where decoding failed.
    NotUtf8 { path: PathBuf, offset: usize },
    /// TOML syntax or schema error at a known position.
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The glossary parsed but failed validation; every problem is listed.
    Invalid(Vec<Problem>),
    /// An argument that clap accepted but that makes no sense (an empty query, say).
    Usage(String),
    /// Writing the answer failed (a full disk). A broken pipe is not reported.
    Output(io::Error),
    /// Writing a file the user asked for (export, man pages) failed.
    Write { path: PathBuf, source: io::Error },
    /// A compiled index is damaged. For a cache this is repaired by rebuilding it; it only
    /// reaches the user if the rebuilt index is damaged too.
    Damaged,
}

impl Error {
    pub fn exit(&self) -> Exit {
        Exit::Error
    }

    /// A closed pipe on stdout is how `aigc-term list | head -1` ends: not an error.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { path, source } => {
                let path = path.display();
                if source.kind() == io::ErrorKind::IsADirectory {
                    write!(f, "{path}: is a directory, not a glossary file")
                } else {
                    write!(f, "{path}: cannot read glossary: {}", describe_io(source))
                }
            }
            Error::NotUtf8 { path, offset } => write!(
                f,
                "{}: not valid UTF-8 (first bad byte at offset {offset})",
                path.display()
            ),
            Error::Parse {
                path,
                line,
                column,
                message,
            } => {
                write!(f, "{path}:{line}:{column}: {message}")
            }
            Error::Invalid(problems) => {
                let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                write!(f, "{}", lines.join("\n"))
            }
            Error::Usage(message) => write!(f, "{message}"),
            Error::Output(source) => write!(f, "cannot write output: {}", describe_io(source)),
            Error::Write { path, source } => {
                write!(
                    f,
                    "{}: cannot write: {}",
                    path.display(),
                    describe_io(source)
                )
            }
            Error::Damaged => write!(
                f,
                "{Damaged}; run with --no-cache, or delete the cache file"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<Damaged> for Error {
    fn from(_: Damaged) -> Self {
        Error::Damaged
    }
}

impl From<io::Error> for Error {
    fn from(source: io::Error) -> Self {
        Error::Output(source)
    }
}

/// `io::Error`'s Display appends "(os error 2)"; users need the words, not the errno.
fn describe_io(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_read_without_errno() {
        let error = Error::Read {
            path: PathBuf::from("team.toml"),
            source: io::Error::from_raw_os_error(2),
        };
        assert_eq!(
            error.to_string(),
            "team.toml: cannot read glossary: No such file or directory"
        );
    }

    #[test]
    fn broken_pipe_is_recognised() {
        let error = Error::Output(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(error.is_broken_pipe());
        assert!(!Error::Usage("x".into()).is_broken_pipe());
    }
}
