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

/// The binary with a clean environment: no user glossaries, no colour variables, no locale,
/// and a cache directory of this test process's own (never the user's).
pub fn aigc() -> Command {
    let mut command = Command::cargo_bin("aigc-term").expect("binary builds");
    for name in ENVIRONMENT {
        command.env_remove(name);
    }
    command.env("XDG_CACHE_HOME", test_cache_home());
    command
}

/// A cache directory for this test process, under the build's own scratch directory
/// (`target/tmp`, which `cargo clean` removes) rather than the system's temp dir, where
/// every run would leave one behind. Each process starts from an empty one.
pub fn test_cache_home() -> PathBuf {
    static HOME: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("test-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    })
    .clone()
}

pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}
