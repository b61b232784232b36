//! Helpers shared by the integration tests: the binary in a clean environment, fixtures.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;

use assert_cmd::Command;

/// Variables that change what the binary does; tests start without any of them.
const ENVIRONMENT: &[&str] = &[
    "AIGC_TERM_GLOSSARY",
    "NO_COLOR",
    "CLICOLOR_FORCE",
    "LANGUAGE",
    "LC_ALL",
    "LC_MESSAGES",
    "LANG",
    "RUST_BACKTRACE",
    "XDG_CACHE_HOME",
];

/// The binary with a clean environment: no user glossaries, no colour variables, no locale.
pub fn aigc() -> Command {
    let mut command = Command::cargo_bin("aigc-term").expect("binary builds");
    for name in ENVIRONMENT {
        command.env_remove(name);
    }
    command
}

pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}
