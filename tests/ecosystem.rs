//! aigc-term in people's tools, through the real binary: dynamic shell completion (driven
//! the way bash, zsh and fish call it), the man page, interactive mode (piped and on a
//! pseudo-terminal), the locale's language first, and every export format read back.

mod common;

use std::path::Path;
use std::process::Command as StdCommand;

use aigc_term::cli::COMMAND_NAMES;
use common::aigc;
use predicates::prelude::*;
use serde_json::Value;

fn stdout_of(command: &mut assert_cmd::Command) -> String {
    let output = command.output().expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

// ---- dynamic completion ----

/// Candidates as fish gets them: `word<TAB>help` lines.
fn fish_candidates(words: &[&str]) -> Vec<(String, String)> {
    let output = stdout_of(
        aigc()
            .env("COMPLETE", "fish")
            .arg("--")
            .arg("aigc-term")
            .args(words),
    );
    output
        .lines()
        .map(|line| {
            let (word, help) = line.split_once('\t').unwrap_or((line, ""));
            (word.to_string(), help.to_string())
        })
        .collect()
}

#[test]
fn fish_completes_term_names_in_both_scripts() {
    let english = fish_candidates(&["dif"]);
    assert!(
        english.contains(&(
            "diffusion-model".to_string(),
            "Diffusion Model · 扩散模型".to_string()
        )),
        "{english:?}"
    );
    let chinese: Vec<String> = fish_candidates(&["生成"])
        .into_iter()
        .map(|(word, _)| word)
        .collect();
    assert!(chinese.contains(&"生成对抗网络".to_string()), "{chinese:?}");
    assert!(
        chinese
            .iter()
            .all(|word| word.starts_with("生成") || word.starts_with("gen")),
        "{chinese:?}"
    );
    let acronyms: Vec<String> = fish_candidates(&["lor"])
        .into_iter()
        .map(|(word, _)| word)
        .collect();
    assert!(acronyms.contains(&"LoRA".to_string()), "{acronyms:?}");
    let related: Vec<String> = fish_candidates(&["related", "clip"])
        .into_iter()
        .map(|(word, _)| word)
        .collect();
    assert!(related.contains(&"CLIP".to_string()), "{related:?}");
}

#[test]
fn bash_and_zsh_protocols_answer_too() {
    let bash = stdout_of(
        aigc()
            .env("COMPLETE", "bash")
            .env("_CLAP_COMPLETE_INDEX", "1")
            .env("_CLAP_COMPLETE_COMP_TYPE", "9")
            .env("_CLAP_COMPLETE_SPACE", "true")
            .env("_CLAP_IFS", "\n")
            .args(["--", "aigc-term", "transf"]),
    );
    assert!(bash.lines().any(|line| line == "transformer"), "{bash}");
    let zsh = stdout_of(
        aigc()
            .env("COMPLETE", "zsh")
            .env("_CLAP_COMPLETE_INDEX", "1")
            .env("_CLAP_IFS", "\n")
            .args(["--", "aigc-term", "扩散"]),
    );
    assert!(
        zsh.lines().any(|line| line.starts_with("扩散模型:")),
        "{zsh}"
    );
}

#[test]
fn registration_scripts_and_static_completions_exist() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(aigc().env("COMPLETE", shell));
        assert!(script.contains("aigc-term"), "{shell}: {script}");
        assert!(
            script.contains("COMPLETE="),
            "{shell} registration calls back into the binary"
        );
    }
    let flags = stdout_of(aigc().args(["completions", "bash"]));
    assert!(
        flags.contains("--no-cache") && flags.contains("export"),
        "static script has flags and commands"
    );
}

#[test]
fn completion_sees_user_glossaries_from_the_environment() {
    let words: Vec<String> = {
        let output = stdout_of(
            aigc()
                .env("COMPLETE", "fish")
                .env("AIGC_TERM_GLOSSARY", common::fixture("team.toml"))
                .args(["--", "aigc-term", "team"]),
        );
        output
            .lines()
            .map(|line| line.split('\t').next().unwrap_or("").to_string())
            .collect()
    };
    assert!(!words.is_empty(), "a team glossary term completes");
}

// ---- man page ----

#[test]
fn man_page_names_every_command() {
    let roff = stdout_of(aigc().arg("man"));
    assert!(roff.contains(".TH aigc-term 1"), "{roff}");
    // Every command (the list is checked against clap's in src/cli.rs).
    for command in COMMAND_NAMES.iter().filter(|&&name| name != "help") {
        assert!(roff.contains(command), "the man page lists {command}");
    }
    let dir = tempfile::tempdir().unwrap();
    aigc()
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    assert!(dir.path().join("aigc-term.1").is_file());
    for command in COMMAND_NAMES.iter().filter(|&&name| name != "help") {
        let page = dir.path().join(format!("aigc-term-{command}.1"));
        assert!(page.is_file(), "{} is written", page.display());
    }
    // Rendered by man(1) where the machine has it; the roff checks above hold everywhere.
    if StdCommand::new("man")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let rendered = StdCommand::new("man")
            .args(["-l", "-P", "cat"])
            .arg(dir.path().join("aigc-term.1"))
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(
            rendered.status.success() && text.contains("aigc-term"),
            "man -l renders: {text}"
        );
    }
}

// ---- interactive mode ----

#[test]
fn interactive_mode_answers_piped_lines() {
    let output = aigc()
        .arg("repl")
        .write_stdin("gan\n:related gan\n:search noise\n:lang zh\n扩散\n:nonsense\n:json on\nclpi\n:quit\nnever reached\n")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stdout.contains("Generative Adversarial Network · 生成对抗网络"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nbroader\n  generative-model"),
        "the related answer: {stdout}"
    );
    assert!(stdout.contains("gaussian-noise"), "the search answer");
    let zh_only = stdout.split("扩散模型").nth(1).unwrap_or_default();
    assert!(!zh_only.is_empty());
    assert!(stderr.contains("unknown command ':nonsense'"), "{stderr}");
    let json_start = stdout.find("{\n").expect("a JSON answer after :json on");
    let document: Value = serde_json::from_str(&stdout[json_start..]).expect("one JSON document");
    assert_eq!(document["terms"][0]["id"], "clip");
    assert!(!stdout.contains("never reached"));
}

#[test]
fn interactive_answers_are_set_apart_and_json_answers_are_a_stream() {
    let glossary = common::fixture("small.toml");
    let run = |input: &str| {
        stdout_of(
            aigc()
                .args(["--no-default", "-g", &glossary, "repl"])
                .write_stdin(input.to_string()),
        )
    };
    let one = |query: &str| stdout_of(aigc().args(["--no-default", "-g", &glossary, query]));
    // Human answers: exactly the one-shot answers with one blank line between them; a
    // miss writes nothing to stdout and so adds no blank line.
    assert_eq!(
        run("gan\nnothing-like-this\nvae\n"),
        format!("{}\n{}", one("gan"), one("vae"))
    );
    // JSON answers: one document after another, nothing in between.
    let stream = run(":json on\ngan\nvae\n");
    let documents: Vec<Value> = serde_json::Deserializer::from_str(&stream)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("a stream of JSON documents");
    let ids: Vec<&Value> = documents.iter().map(|doc| &doc["terms"][0]["id"]).collect();
    assert_eq!(ids, ["gan", "vae"]);
}

#[test]
fn interactive_mode_ends_at_end_of_input() {
    aigc()
        .arg("-i")
        .write_stdin("lora\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("Low-Rank Adaptation"));
    aigc()
        .arg("-i")
        .write_stdin("")
        .assert()
        .success()
        .stdout("");
}

/// A real terminal: a prompt, line editing (a typo fixed with backspace), an answer,
/// Ctrl-D to leave, and the history saved. Driven through a pseudo-terminal by Python's
/// `pty` module (CPython is on every CI machine).
#[test]
fn interactive_mode_on_a_terminal() {
    let state = tempfile::tempdir().unwrap();
    let script = r#"
import os, pty, select, sys, time
binary = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(binary, [binary, "-i"])
def read_until(token, timeout=20):
    seen = b""
    deadline = time.time() + timeout
    while token not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
        if not ready:
            sys.exit("timeout waiting for %r, got %r" % (token, seen))
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return seen
read_until(b"aigc> ")
os.write(fd, b"gax\x7fn\r")
answer = read_until(b"aigc> ")
if b"Generative Adversarial Network" not in answer:
    sys.exit("no answer: %r" % answer)
os.write(fd, b"\x04")
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let binary = assert_cmd::cargo::cargo_bin("aigc-term");
    let output = StdCommand::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&binary)
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CACHE_HOME", common::test_cache_home())
        .env("NO_COLOR", "1")
        .env_remove("AIGC_TERM_GLOSSARY")
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let history =
        std::fs::read_to_string(state.path().join("aigc-term/history")).expect("history saved");
    assert!(history.lines().any(|line| line == "gan"), "{history}");
}

// ---- language from the locale ----

/// The first paragraph after the card's heading lines: the first definition shown.
fn first_definition(card: &str) -> String {
    card.lines()
        .skip(2)
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with("aliases"))
        .unwrap_or_default()
        .to_string()
}

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn chinese_locale_shows_chinese_first_and_both_by_default() {
    let default = stdout_of(aigc().arg("lora"));
    assert!(!has_han(&first_definition(&default)), "{default}");
    for (variable, value) in [
        ("LANG", "zh_CN.UTF-8"),
        ("LC_ALL", "zh_TW.UTF-8"),
        ("LANGUAGE", "zh"),
    ] {
        let chinese = stdout_of(aigc().env(variable, value).arg("lora"));
        assert!(
            has_han(&first_definition(&chinese)),
            "{variable}: {chinese}"
        );
        assert_eq!(
            chinese.lines().count(),
            default.lines().count(),
            "{variable}: both definitions are still shown"
        );
    }
    let english = stdout_of(
        aigc()
            .env("LANG", "zh_CN.UTF-8")
            .args(["--lang", "en", "lora"]),
    );
    assert!(
        !english
            .lines()
            .skip(2)
            .filter(|line| !line.starts_with("aliases"))
            .any(has_han_line),
        "--lang en wins over the locale: {english}"
    );
}

fn has_han_line(line: &str) -> bool {
    // Names in the heading and link lines may be Chinese; a definition line must not be.
    has_han(line) && !line.contains(':') && !line.contains(" · ")
}

// ---- export ----

fn export(format: &str) -> String {
    stdout_of(aigc().args(["export", "--format", format]))
}

fn term_count() -> usize {
    let document: Value =
        serde_json::from_str(&stdout_of(aigc().args(["--json", "list"]))).unwrap();
    document["terms"].as_array().unwrap().len()
}

#[test]
fn json_and_jsonl_exports_hold_every_term_in_the_json_shape() {
    let count = term_count();
    let document: Value = serde_json::from_str(&export("json")).unwrap();
    let terms = document["terms"].as_array().unwrap();
    assert_eq!(terms.len(), count);
    assert!(terms
        .iter()
        .all(|term| term["definition"]["zh"].is_string() && term["related"].is_array()));
    let lines = export("jsonl");
    assert_eq!(lines.lines().count(), count);
    for line in lines.lines() {
        let term: Value = serde_json::from_str(line).unwrap();
        assert!(term["id"].is_string());
    }
}

#[test]
fn tsv_markdown_and_anki_exports() {
    let count = term_count();
    let tsv = export("tsv");
    let rows: Vec<&str> = tsv.lines().collect();
    assert_eq!(rows.len(), count + 1);
    assert!(rows[0].starts_with("id\ten\tzh\tabbr"));
    assert!(rows.iter().all(|row| row.split('\t').count() == 13));
    let markdown = export("markdown");
    assert!(markdown.starts_with("# AIGC glossary · AIGC 术语表"));
    assert!(markdown.contains("<a id=\"gan\"></a>"));
    assert!(
        markdown.contains("](#generative-model)"),
        "related terms link to anchors"
    );
    assert_eq!(markdown.matches("\n### ").count(), count);
    let anki = export("anki");
    assert!(anki.starts_with("#separator:tab\n#html:true\n"));
    assert_eq!(
        anki.lines().filter(|line| !line.starts_with('#')).count(),
        count
    );
    assert!(anki
        .lines()
        .filter(|line| !line.starts_with('#'))
        .all(|line| line.split('\t').count() == 3));
}

#[test]
fn export_writes_to_a_file_and_stardict_needs_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("glossary.md");
    aigc()
        .args(["export", "-f", "markdown", "-o"])
        .arg(&path)
        .assert()
        .success()
        .stdout("");
    assert!(std::fs::read_to_string(&path).unwrap().contains("### "));
    aigc()
        .args(["export", "-f", "stardict"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stardict writes four files"));
    aigc()
        .args(["export", "-f", "json", "-o", "/nonexistent-dir/x.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/nonexistent-dir/x.json: cannot write",
        ));
}

/// Reads a StarDict index back: (word, numbers) records.
fn records(bytes: &[u8], numbers: usize) -> Vec<(String, Vec<u32>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = at
            + bytes[at..]
                .iter()
                .position(|&b| b == 0)
                .expect("NUL-terminated word");
        let word = String::from_utf8(bytes[at..end].to_vec()).expect("UTF-8 word");
        let values = (0..numbers)
            .map(|n| {
                u32::from_be_bytes(bytes[end + 1 + n * 4..end + 5 + n * 4].try_into().unwrap())
            })
            .collect();
        out.push((word, values));
        at = end + 1 + numbers * 4;
    }
    out
}

fn stardict_lookup(dir: &Path, word: &str) -> Option<String> {
    let idx = std::fs::read(dir.join("aigc-term.idx")).unwrap();
    let syn = std::fs::read(dir.join("aigc-term.syn")).unwrap();
    let dict = std::fs::read(dir.join("aigc-term.dict")).unwrap();
    let words = records(&idx, 2);
    let position = words
        .iter()
        .position(|(headword, _)| headword == word)
        .or_else(|| {
            records(&syn, 1)
                .iter()
                .find(|(name, _)| name == word)
                .map(|(_, at)| at[0] as usize)
        })?;
    let (offset, size) = (words[position].1[0] as usize, words[position].1[1] as usize);
    Some(String::from_utf8(dict[offset..offset + size].to_vec()).unwrap())
}

#[test]
fn stardict_export_reads_back_with_every_name_as_a_headword() {
    let dir = tempfile::tempdir().unwrap();
    aigc()
        .args(["export", "-f", "stardict", "-o"])
        .arg(dir.path().join("aigc-term"))
        .assert()
        .success();
    let ifo = std::fs::read_to_string(dir.path().join("aigc-term.ifo")).unwrap();
    let idx = std::fs::read(dir.path().join("aigc-term.idx")).unwrap();
    assert!(ifo.starts_with("StarDict's dict ifo file\nversion=2.4.2\n"));
    assert!(ifo.contains(&format!("wordcount={}\n", term_count())));
    assert!(ifo.contains(&format!("idxfilesize={}\n", idx.len())));
    let words = records(&idx, 2);
    let order = |a: &str, b: &str| {
        a.to_ascii_lowercase()
            .cmp(&b.to_ascii_lowercase())
            .then_with(|| a.cmp(b))
    };
    assert!(
        words
            .windows(2)
            .all(|pair| order(&pair[0].0, &pair[1].0).is_le()),
        "headwords sorted as StarDict wants"
    );
    for (name, heading) in [
        ("生成对抗网络", "Generative Adversarial Network"),
        ("GAN", "Generative Adversarial Network"),
        ("gan", "Generative Adversarial Network"),
        ("LoRA", "Low-Rank Adaptation"),
        ("Stable Diffusion", "Stable Diffusion"),
        ("大语言模型", "Large Language Model"),
    ] {
        let article = stardict_lookup(dir.path(), name)
            .unwrap_or_else(|| panic!("{name} is a headword or synonym"));
        assert!(article.contains(heading), "{name}: {article}");
    }
    // The real client, where the machine has it (`.ci/run` installs it from Debian).
    if StdCommand::new("sdcv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let output = StdCommand::new("sdcv")
            .args(["-n", "--data-dir"])
            .arg(dir.path())
            .arg("生成对抗网络")
            .env("HOME", dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("Generative Adversarial Network"),
            "sdcv finds it: {text}"
        );
    }
}

// ---- fzf ----

#[test]
fn plain_list_is_three_tab_separated_columns_for_fzf() {
    let list = stdout_of(aigc().args(["list", "--plain"]));
    assert_eq!(list.lines().count(), term_count());
    assert!(list
        .lines()
        .all(|line| line.split('\t').count() == 3 && !line.contains('\u{1b}')));
    let first_id = list.lines().next().unwrap().split('\t').next().unwrap();
    aigc().arg(first_id).assert().success();
}
