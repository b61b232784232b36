//! Parse arguments, run, and turn the outcome into an exit code: 0 found, 1 not found,
//! 2 error. A closed stdout pipe ends quietly.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use aigc_term::app::{self, Environment};
use aigc_term::cli::Cli;
use aigc_term::error::Exit;

/// The shells `COMPLETE=` can name (clap_complete's dynamic completion).
const COMPLETION_SHELLS: [&str; 5] = ["bash", "elvish", "fish", "powershell", "zsh"];

fn main() -> ExitCode {
    // `COMPLETE=bash aigc-term ...` is a shell asking for completions: answered here, exits.
    // Another value of COMPLETE (set for some other tool) must not break every command.
    if std::env::var("COMPLETE").is_ok_and(|shell| COMPLETION_SHELLS.contains(&shell.as_str())) {
        clap_complete::CompleteEnv::with_factory(Cli::command).complete();
    }
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let plain = args.get(1..).and_then(aigc_term::cli::plain_command);
    let cli = match plain.map_or_else(|| Cli::try_parse_from(&args), Ok) {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout with status 0; usage errors to stderr with 2.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                Exit::Error.code() as u8
            } else {
                0
            });
        }
    };
    match app::run(cli, &Environment::from_process()) {
        Ok(exit) => ExitCode::from(exit.code() as u8),
        Err(error) if error.is_broken_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            let mut stderr = std::io::stderr();
            for line in error.to_string().lines() {
                let _ = writeln!(stderr, "aigc-term: {line}");
            }
            ExitCode::from(error.exit().code() as u8)
        }
    }
}
