//! The real binary, run as users and scripts run it. JSON is parsed, not string-matched;
//! human output is compared with `tests/expected/`.

use std::path::PathBuf;
use std::process::{Command as StdCommand, Stdio};

mod common;

use assert_cmd::Command;
use common::{aigc, fixture};
use predicates::prelude::*;
use serde_json::Value;

/// The binary over `tests/fixtures/small.toml` only.
fn small() -> Command {
    let mut command = aigc();
    command.args(["--no-default", "-g", &fixture("small.toml")]);
    command
}

fn json_of(command: &mut Command) -> Value {
    let output = command.output().expect("runs");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not JSON ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn ids(terms: &Value) -> Vec<String> {
    terms
        .as_array()
        .expect("array")
        .iter()
        .map(|term| term["id"].as_str().expect("id").to_string())
        .collect()
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/expected")
            .join(name),
    )
    .expect("expected file")
}

// ---- lookups ----

#[test]
fn embedded_glossary_answers_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    aigc()
        .current_dir(dir.path())
        .arg("gan")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Generative Adversarial Network")
                .and(predicate::str::contains("生成对抗网络")),
        );
}

#[test]
fn human_card_matches_expected_output() {
    small()
        .arg("gan")
        .assert()
        .success()
        .stdout(expected("gan.txt"))
        .stderr("");
}

#[test]
fn json_lookup_has_the_documented_shape() {
    let document = json_of(small().args(["--json", "GAN"]));
    assert_eq!(document["query"], "GAN");
    assert_eq!(document["suggestions"], Value::Array(vec![]));
    let term = &document["terms"][0];
    for field in [
        "id",
        "en",
        "zh",
        "abbr",
        "aliases",
        "tags",
        "broader",
        "related",
        "refs",
        "year",
        "by",
        "definition",
        "match",
    ] {
        assert!(term.get(field).is_some(), "missing {field}: {term}");
    }
    assert_eq!(term["id"], "gan");
    assert_eq!(
        term["definition"]["zh"],
        "生成器与判别器相互博弈训练，直到生成器产出以假乱真的样本。"
    );
    assert_eq!(term["year"], 2014);
    assert_eq!(term["match"]["kind"], "exact");
    assert_eq!(term["match"]["score"], 1.0);
    assert_eq!(
        term["match"]["key"], "GAN",
        "the name as written that matched"
    );
}

#[test]
fn full_width_and_chinese_names_are_exact() {
    for query in [
        "ＧＡＮ",
        "生成对抗网络",
        "对抗生成网络",
        "gans",
        "Generative-Adversarial_Network",
    ] {
        let document = json_of(small().args(["--json", query]));
        assert_eq!(ids(&document["terms"]), vec!["gan"], "{query}");
        assert_eq!(document["terms"][0]["match"]["kind"], "exact", "{query}");
    }
}

#[test]
fn words_are_joined_into_one_query() {
    let document = json_of(small().args(["--json", "stable", "diffusion"]));
    assert_eq!(document["query"], "stable diffusion");
    assert_eq!(ids(&document["terms"]), vec!["stable-diffusion"]);
}

#[test]
fn fuzzy_winner_is_shown_with_a_note() {
    small()
        .arg("variational autoencodr")
        .assert()
        .success()
        .stdout(predicate::str::contains("Variational Autoencoder"))
        .stderr(predicate::str::starts_with(
            "aigc-term: no exact match for 'variational autoencodr'; showing vae",
        ));
    let document = json_of(small().args(["--json", "stable diff"]));
    assert_eq!(ids(&document["terms"]), vec!["stable-diffusion"]);
    assert_eq!(document["terms"][0]["match"]["kind"], "prefix");
}

#[test]
fn shared_key_returns_every_term_with_one_note() {
    let output = small().args(["--json", "sd"]).output().unwrap();
    assert!(output.status.success());
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        ids(&document["terms"]),
        vec!["stable-diffusion", "score-distillation"]
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        "aigc-term: 'sd' names 2 terms: stable-diffusion, score-distillation\n"
    );
}

#[test]
fn close_candidates_give_did_you_mean_and_exit_1() {
    let output = small().args(["--json", "tokenc"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["terms"], Value::Array(vec![]));
    let suggested = ids(&document["suggestions"]);
    assert!(
        suggested.contains(&"token-a".to_string()) && suggested.contains(&"token-b".to_string()),
        "{suggested:?}"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("did you mean:") && stderr.contains("  token-a (Tokena · 词元甲)"),
        "{stderr}"
    );
}

#[test]
fn nothing_plausible_exits_1_with_a_clear_message() {
    for query in ["banana bread", "kubernetes", "zzzz"] {
        aigc()
            .arg(query)
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "no term matches '{query}'"
            )));
    }
}

#[test]
fn exact_flag_turns_fuzzy_off() {
    small().args(["--exact", "gans"]).assert().success();
    small()
        .args(["--exact", "stable diff"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fuzzy matching is off"));
}

#[test]
fn show_reaches_terms_named_like_commands() {
    small()
        .args(["show", "search"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Search · 搜索"));
}

#[test]
fn show_each_gives_one_document() {
    let output = small()
        .args(["--json", "show", "--each", "gan", "vae", "nothing-here"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "one query found nothing");
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let queries = document["queries"].as_array().unwrap();
    assert_eq!(queries.len(), 3);
    assert_eq!(ids(&queries[1]["terms"]), vec!["vae"]);
    assert_eq!(queries[2]["terms"], Value::Array(vec![]));
}

#[test]
fn field_prints_the_raw_value() {
    small()
        .args(["gan", "--field", "definition.zh"])
        .assert()
        .success()
        .stdout("生成器与判别器相互博弈训练，直到生成器产出以假乱真的样本。\n");
    small()
        .args(["gan", "--field", "related"])
        .assert()
        .success()
        .stdout("vae\nstable-diffusion\n");
    small().args(["gan", "--field", "nope"]).assert().code(2);
    // --json already carries every field; asking for both is a usage error, not a silent choice.
    small()
        .args(["--json", "gan", "--field", "en"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("give only one"));
}

#[test]
fn explain_lists_candidates_on_stderr() {
    small()
        .args(["--explain", "stable diff"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("candidates for 'stable diff':")
                .and(predicate::str::contains("prefix")),
        );
}

#[test]
fn lang_chooses_the_definition() {
    small()
        .args(["gan", "--lang", "en"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("generator's samples")
                .and(predicate::str::contains("以假乱真").not()),
        );
    small()
        .args(["gan", "--lang", "zh"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("以假乱真")
                .and(predicate::str::contains("generator's samples").not()),
        );
}

// ---- other commands ----

#[test]
fn search_ranks_and_shows_snippets() {
    let document = json_of(small().args(["--json", "search", "noise"]));
    let results = document["results"].as_array().unwrap();
    assert_eq!(results[0]["id"], "stable-diffusion");
    assert!(results[0]["snippet"]
        .as_str()
        .unwrap()
        .contains("Gaussian noise"));
    small()
        .args(["search", "潜空间"])
        .assert()
        .success()
        .stdout(predicate::str::contains("vae"));
    small().args(["search", "xylophone"]).assert().code(1);
}

#[test]
fn related_groups_broader_narrower_and_links() {
    let document = json_of(small().args(["--json", "related", "stable diffusion"]));
    assert_eq!(document["term"]["id"], "stable-diffusion");
    let related = document["related"].as_array().unwrap();
    let relation_of = |id: &str| {
        related
            .iter()
            .find(|item| item["id"] == id)
            .map(|item| item["relation"].as_str().unwrap().to_string())
    };
    assert_eq!(relation_of("latent-diffusion").as_deref(), Some("broader"));
    assert_eq!(relation_of("sdxl").as_deref(), Some("narrower"));
    assert_eq!(relation_of("gan").as_deref(), Some("related"));
    assert_eq!(
        relation_of("score-distillation").as_deref(),
        Some("referenced-by")
    );
    small()
        .args(["related", "sd", "--depth", "2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(via "));
}

#[test]
fn related_dot_is_a_graphviz_digraph() {
    small()
        .args(["related", "gan", "--format", "dot"])
        .assert()
        .success()
        .stdout(
            predicate::str::starts_with("digraph related {").and(predicate::str::contains(
                "\"gan\" -> \"vae\" [label=\"related\"];",
            )),
        );
}

#[test]
fn list_tags_and_plain_format() {
    small().args(["list", "--plain", "--tag", "model"]).assert().success().stdout("sdxl\tStable Diffusion XL\tSDXL\nstable-diffusion\tStable Diffusion\tStable Diffusion\n");
    small().args(["list", "--tag", "nope"]).assert().code(1);
    let document = json_of(small().args(["--json", "tags"]));
    assert_eq!(
        document["tags"][0],
        serde_json::json!({"tag": "language", "count": 3})
    );
}

#[test]
fn completions_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        aigc()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("aigc-term"));
    }
}

// ---- glossaries and validation ----

#[test]
fn user_glossary_overrides_and_adds() {
    let team = fixture("team.toml");
    aigc()
        .args(["-g", &team, "gan"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Team wording"));
    aigc()
        .env("AIGC_TERM_GLOSSARY", &team)
        .args(["ts"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Team Sampler"));
    aigc()
        .args([
            "--no-default",
            "-g",
            &fixture("small.toml"),
            "-g",
            &team,
            "--exact",
            "clip",
        ])
        .assert()
        .code(1);
}

#[test]
fn check_passes_on_the_embedded_glossary() {
    aigc()
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains("0 error(s)"));
}

#[test]
fn check_reports_every_problem_with_positions() {
    let path = fixture("invalid.toml");
    let output = aigc().args(["check", &path]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    for expected in [
        format!("{path}:2:6: bad id 'Bad_Id'"),
        format!("{path}:5:12: term 'Bad_Id': related id 'nowhere' does not exist"),
        format!("{path}:5:23: term 'Bad_Id' lists itself in related"),
        format!("{path}:6:8: term 'Bad_Id': year 1900 is not between 1940 and"),
        format!("{path}:7:1: term 'Bad_Id': definition.zh is empty"),
        format!("{path}:28:6: duplicate id 'fine' (first defined at line 11)"),
        format!("{path}:23:12: broader cycle: fine -> loop -> fine"),
    ] {
        assert!(
            stdout.contains(&expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
    let document = json_of(aigc().args(["--json", "check", &path]));
    assert_eq!(document["ok"], false);
    assert_eq!(document["problems"][0]["line"], 28);
}

#[test]
fn invalid_user_glossary_stops_lookups_with_exit_2() {
    aigc()
        .args(["-g", &fixture("invalid.toml"), "gan"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "related id 'nowhere' does not exist",
        ));
}

#[test]
fn parse_errors_name_file_line_and_column() {
    let cases = [
        ("unknown-field.toml", ":5:1: unknown field `relatd`"),
        (
            "wrong-type.toml",
            ":5:8: invalid type: string \"GAN\", expected a sequence",
        ),
        ("syntax.toml", ":1:"),
    ];
    for (name, message) in cases {
        let path = fixture(name);
        aigc().args(["check", &path]).assert().code(2).stderr(
            predicate::str::starts_with(format!("aigc-term: {path}{message}"))
                .and(predicate::function(|text: &str| text.lines().count() == 1)),
        );
    }
}

#[test]
fn missing_and_directory_paths_are_load_errors() {
    aigc()
        .args(["-g", "/nonexistent/team.toml", "gan"])
        .assert()
        .code(2)
        .stderr(
            "aigc-term: /nonexistent/team.toml: cannot read glossary: No such file or directory\n",
        );
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().display().to_string();
    aigc()
        .args(["-g", &dir_path, "gan"])
        .assert()
        .code(2)
        .stderr(format!(
            "aigc-term: {dir_path}: is a directory, not a glossary file\n"
        ));
    aigc()
        .args(["--no-default", "gan"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--no-default needs at least one glossary",
        ));
}

// ---- colour, streams, exit codes ----

#[test]
fn colour_follows_flag_and_environment() {
    let has_escape = predicate::str::contains("\u{1b}[");
    small().arg("gan").assert().stdout(has_escape.clone().not());
    small()
        .args(["--color", "always", "gan"])
        .assert()
        .stdout(has_escape.clone());
    small()
        .env("CLICOLOR_FORCE", "1")
        .arg("gan")
        .assert()
        .stdout(has_escape.clone());
    small()
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .arg("gan")
        .assert()
        .stdout(has_escape.clone().not());
    small()
        .args(["--color", "always", "--json", "gan"])
        .assert()
        .stdout(has_escape.not());
}

#[test]
fn usage_errors_exit_2() {
    aigc().arg("--bogus").assert().code(2);
    aigc()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no query given"));
    aigc()
        .arg("   ")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty query"));
    aigc()
        .args(["related", "gan", "--depth", "0"])
        .assert()
        .code(2);
}

#[test]
fn help_and_version_exit_0() {
    aigc()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit status"));
    aigc()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("aigc-term "));
}

#[test]
fn closed_pipe_ends_quietly() {
    // Enough output to overflow the pipe buffer, so the write really hits a closed pipe.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.toml");
    let mut text = String::new();
    for n in 0..3000 {
        text.push_str(&format!("[[term]]\nid = \"t{n}\"\nen = \"Term number {n} with a long English name\"\nzh = \"术语{n}\"\nrelated = [\"t{}\", \"t{}\"]\ndefinition.en = \"x\"\ndefinition.zh = \"y\"\n\n", (n + 1) % 3000, (n + 2) % 3000));
    }
    std::fs::write(&path, text).unwrap();
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("aigc-term"))
        .args(["--no-default", "-g", &path.display().to_string(), "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn full_disk_is_an_error_not_a_panic() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = StdCommand::new(assert_cmd::cargo::cargo_bin("aigc-term"))
        .args(["list"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "aigc-term: cannot write output: No space left on device\n"
    );
}
