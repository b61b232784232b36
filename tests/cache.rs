//! The compiled-index cache of user glossaries, through the real binary: later runs do not
//! parse the TOML; a changed file is rebuilt; a truncated, damaged or foreign cache file is
//! rebuilt silently; `--no-cache` neither reads nor writes; an unusable cache directory is
//! no error; concurrent first runs agree. And a generated 10,000-term glossary loads.
//!
//! Each case is made observable with two versions of one glossary of the same size, "alpha"
//! and "omega": the cache is built from alpha, then omega is written with alpha's time, so
//! that size and time say the cache is fresh. A cache that must not be trusted shows as a
//! tool answering "alpha".

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aigc_term::store::{read_meta, restamp, Backing, Store};
use assert_cmd::Command;
use common::aigc;

#[path = "../examples/gen-glossary.rs"]
#[allow(dead_code)]
mod generator;

fn version(word: &str) -> String {
    format!(
        "[[term]]\nid = \"probe\"\nen = \"Probe Term\"\nzh = \"探针术语\"\nrelated = [\"gan\", \"vae\"]\n\
         definition.en = \"Version {word} of a probe term, kept to test the cache.\"\n\
         definition.zh = \"用于测试缓存的探针术语。\"\n"
    )
}

struct Setup {
    _dir: tempfile::TempDir,
    glossary: PathBuf,
    cache_home: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let glossary = dir.path().join("team.toml");
        fs::write(&glossary, version("alpha")).unwrap();
        let cache_home = dir.path().join("cache");
        Setup {
            glossary,
            cache_home,
            _dir: dir,
        }
    }

    fn command(&self) -> Command {
        let mut command = aigc();
        command
            .env("XDG_CACHE_HOME", &self.cache_home)
            .arg("-g")
            .arg(&self.glossary);
        command
    }

    /// The definition the tool shows for the probe term (and that it said nothing else).
    fn answer(&self, extra: &[&str]) -> String {
        let output = self
            .command()
            .args(extra)
            .args(["probe", "--field", "definition.en"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "silent");
        String::from_utf8(output.stdout).unwrap()
    }

    fn cache_file(&self) -> PathBuf {
        let dir = self.cache_home.join("aigc-term");
        let files: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("{} exists", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "idx"))
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        files[0].clone()
    }

    /// Caches alpha, then swaps in omega under the same stamp: the cache file it returns
    /// is stale though it looks fresh, so any answer of omega proves a rebuild.
    fn stale_cache(&self) -> PathBuf {
        self.answer(&[]);
        self.swap_in_omega_keeping_the_time();
        self.cache_file()
    }

    /// Writes omega with alpha's size and modification time: the stamp says fresh.
    fn swap_in_omega_keeping_the_time(&self) {
        let time = fs::metadata(&self.glossary).unwrap().modified().unwrap();
        fs::write(&self.glossary, version("omega")).unwrap();
        set_time(&self.glossary, time);
    }
}

fn set_time(path: &Path, time: SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

fn says(answer: &str, word: &str) -> bool {
    answer.contains(&format!("Version {word} "))
}

#[test]
fn later_runs_read_the_compiled_index_not_the_toml() {
    let setup = Setup::new();
    assert!(says(&setup.answer(&[]), "alpha"));
    setup.cache_file();
    // Garbage of the same size and time: parsing it would fail; the cache answers.
    let time = fs::metadata(&setup.glossary).unwrap().modified().unwrap();
    let size = fs::metadata(&setup.glossary).unwrap().len() as usize;
    fs::write(&setup.glossary, "=".repeat(size)).unwrap();
    set_time(&setup.glossary, time);
    assert!(says(&setup.answer(&[]), "alpha"), "no TOML was parsed");
}

#[test]
fn a_changed_file_is_rebuilt() {
    let setup = Setup::new();
    assert!(says(&setup.answer(&[]), "alpha"));
    fs::write(&setup.glossary, version("omega")).unwrap();
    set_time(&setup.glossary, SystemTime::now() + Duration::from_secs(5));
    assert!(says(&setup.answer(&[]), "omega"));
}

#[test]
fn a_touched_but_unchanged_file_keeps_its_index_restamped() {
    let setup = Setup::new();
    assert!(says(&setup.answer(&[]), "alpha"));
    let later = SystemTime::now() + Duration::from_secs(60);
    set_time(&setup.glossary, later);
    assert!(says(&setup.answer(&[]), "alpha"));
    let meta = read_meta(&fs::read(setup.cache_file()).unwrap()).unwrap();
    let stamped = meta.sources[0].modified;
    let expected = later
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i128;
    assert_eq!(stamped, expected, "the cache now carries the new time");
}

#[test]
fn a_truncated_cache_is_rebuilt_silently() {
    let setup = Setup::new();
    let path = setup.stale_cache();
    let bytes = fs::read(&path).unwrap();
    // The last few bytes are alignment padding; 24 from the end cuts into the tags.
    for keep in [0, 7, 40, bytes.len() / 2, bytes.len() - 24] {
        fs::write(&path, &bytes[..keep]).unwrap();
        assert!(
            says(&setup.answer(&[]), "omega"),
            "cache cut to {keep} bytes"
        );
        // The rebuilt cache is whole again: put the stale one back for the next cut.
        fs::write(&path, &bytes).unwrap();
    }
}

#[test]
fn a_damaged_cache_is_rebuilt_silently() {
    let setup = Setup::new();
    let path = setup.stale_cache();
    let bytes = fs::read(&path).unwrap();
    // Garbage over the header, and a byte flipped inside the probe's own record (records
    // are checked when read, so this is the damage a lookup of it must notice).
    let mut header = bytes.clone();
    header[..64].iter_mut().for_each(|byte| *byte ^= 0x5a);
    let mut inside = bytes.clone();
    let at = inside
        .windows(13)
        .position(|window| window == b"Version alpha")
        .expect("the probe's record");
    inside[at + 8] ^= 0x20;
    for (what, damaged) in [
        ("header", header),
        ("inside", inside),
        ("text", b"not an index at all".to_vec()),
    ] {
        fs::write(&path, &damaged).unwrap();
        assert!(says(&setup.answer(&[]), "omega"), "{what}");
        fs::write(&path, &bytes).unwrap();
    }
}

#[test]
fn a_cache_from_another_build_is_rebuilt() {
    let setup = Setup::new();
    let path = setup.stale_cache();
    let store = Store::open(Backing::Owned(fs::read(&path).unwrap())).unwrap();
    let mut meta = store.meta.clone();
    meta.tool = "aigc-term 0.0.1 format 1 embedded 0000".into();
    fs::write(&path, restamp(&store.sections(), &meta)).unwrap();
    assert!(says(&setup.answer(&[]), "omega"));
}

#[test]
fn no_cache_neither_reads_nor_writes() {
    let setup = Setup::new();
    setup.answer(&[]);
    setup.swap_in_omega_keeping_the_time();
    assert!(says(&setup.answer(&["--no-cache"]), "omega"), "not read");
    let fresh = Setup::new();
    fresh.answer(&["--no-cache"]);
    assert!(!fresh.cache_home.exists(), "not written");
}

#[test]
fn an_unusable_cache_directory_is_no_error() {
    let setup = Setup::new();
    let file = setup.glossary.with_file_name("a-file");
    fs::write(&file, "").unwrap();
    for home in [file.as_path(), Path::new("/proc/self")] {
        let output = aigc()
            .env("XDG_CACHE_HOME", home)
            .arg("-g")
            .arg(&setup.glossary)
            .args(["probe", "--field", "definition.en"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), "");
        assert!(says(&String::from_utf8_lossy(&output.stdout), "alpha"));
    }
}

#[test]
fn concurrent_first_runs_agree_and_leave_a_whole_cache() {
    let setup = Setup::new();
    let children: Vec<_> = (0..6)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("aigc-term"))
                .env("XDG_CACHE_HOME", &setup.cache_home)
                .env_remove("AIGC_TERM_GLOSSARY")
                .arg("-g")
                .arg(&setup.glossary)
                .args(["probe", "--field", "definition.en"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(says(&String::from_utf8_lossy(&output.stdout), "alpha"));
    }
    let cache = fs::read(setup.cache_file()).unwrap();
    assert!(
        Store::open(Backing::Owned(cache)).is_ok(),
        "the cache file is whole"
    );
}

#[test]
fn a_generated_ten_thousand_term_glossary_loads_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    fs::write(&path, generator::generate(10_000)).unwrap();
    let cache_home = dir.path().join("cache");
    let run = |query: &str| {
        aigc()
            .env("XDG_CACHE_HOME", &cache_home)
            .args(["--no-default", "-g"])
            .arg(&path)
            .args(["--json", query])
            .output()
            .unwrap()
    };
    for (query, expected) in [("term-6666", "term-6666"), ("term-42", "term-42")] {
        let output = run(query);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(document["terms"][0]["id"], expected);
    }
    let en = {
        let output = run("term-777");
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        document["terms"][0]["en"].as_str().unwrap().to_string()
    };
    // A one-letter deletion in the name still finds it, or suggests it first.
    let typo = format!("{}{}", &en[..2], &en[3..]);
    let output = run(&typo);
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = document["terms"][0]["id"]
        .as_str()
        .or_else(|| document["suggestions"][0]["id"].as_str());
    assert_eq!(first, Some("term-777"), "{typo}: {document}");
}
