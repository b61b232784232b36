//! Build script of aigc-term:
//! - turns the traditional → simplified data of `fast2s` and the syllables of `pinyin` into
//!   static tables (`chinese_tables.rs`), so that nothing is initialised at run time;
//! - validates `glossary.toml` and compiles it into the index the binary embeds
//!   (`embedded.idx`). A broken glossary fails the build with one `file:line:col: message`
//!   line per problem.
//!
//! It compiles the crate's own loading, validation, key and index-writing modules (by
//! path), so the embedded index is exactly what the library would write at run time.
#![allow(dead_code, unused_imports)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pinyin::{ToPinyin, ToPinyinMulti};

#[path = "src/error.rs"]
mod error;
#[path = "src/glossary/mod.rs"]
mod glossary;

#[path = "src/matching"]
mod matching {
    mod chinese;
    mod keys;
    mod normalize;
    pub use chinese::*;
    pub use keys::*;
    pub use normalize::*;
}

#[path = "src/store"]
mod store {
    mod format;
    mod write;
    pub use format::*;
    pub use write::*;
}

#[path = "src/render"]
mod render {
    mod sanitize;
    pub use sanitize::*;
}

/// The same tables the library gets from `chinese_tables.rs`, computed here.
mod generated {
    use std::collections::HashMap;
    use std::sync::OnceLock;

    pub fn t2s_table() -> &'static [(char, char)] {
        static TABLE: OnceLock<Vec<(char, char)>> = OnceLock::new();
        TABLE.get_or_init(super::traditional_to_simplified)
    }

    pub fn is_syllable(text: &str) -> bool {
        static TABLE: OnceLock<Vec<String>> = OnceLock::new();
        TABLE
            .get_or_init(super::pinyin_syllables)
            .binary_search_by(|syllable| syllable.as_str().cmp(text))
            .is_ok()
    }

    pub fn reading_entry(c: char) -> Option<&'static str> {
        static TABLE: OnceLock<HashMap<char, String>> = OnceLock::new();
        TABLE
            .get_or_init(|| {
                super::han_characters()
                    .filter_map(|c| super::reading_entry(c).map(|entry| (c, entry)))
                    .collect()
            })
            .get(&c)
            .map(String::as_str)
    }
}

/// The Han blocks `fast2s` and `pinyin` cover (both work on the Basic Multilingual Plane).
const HAN_BLOCKS: [(u32, u32); 3] = [(0x3400, 0x4dbf), (0x4e00, 0x9fff), (0xf900, 0xfaff)];

fn han_characters() -> impl Iterator<Item = char> {
    HAN_BLOCKS
        .iter()
        .flat_map(|&(first, last)| first..=last)
        .filter_map(char::from_u32)
}

/// Every character `fast2s` simplifies, with its simplified form resolved to a fixed
/// point (so that folding twice changes nothing), sorted by the traditional character.
fn traditional_to_simplified() -> Vec<(char, char)> {
    let single = |c: char| -> Option<char> {
        let converted = fast2s::convert(&c.to_string());
        let mut chars = converted.chars();
        match (chars.next(), chars.next()) {
            (Some(simple), None) if simple != c => Some(simple),
            _ => None,
        }
    };
    let direct: Vec<(char, char)> = han_characters()
        .filter_map(|c| single(c).map(|simple| (c, simple)))
        .collect();
    let lookup = |c: char| -> Option<char> {
        direct
            .binary_search_by_key(&c, |&(traditional, _)| traditional)
            .ok()
            .map(|at| direct[at].1)
    };
    direct
        .iter()
        .map(|&(traditional, mut simple)| {
            for _ in 0..4 {
                match lookup(simple) {
                    Some(next) if next != simple => simple = next,
                    _ => break,
                }
            }
            (traditional, simple)
        })
        .filter(|&(traditional, simple)| traditional != simple)
        .collect()
}

/// Every toneless syllable the dictionary uses, with `ü` written both `v` and `u`, sorted.
fn pinyin_syllables() -> Vec<String> {
    let mut syllables = BTreeSet::new();
    for c in han_characters() {
        let Some(readings) = c.to_pinyin_multi() else {
            continue;
        };
        for reading in readings {
            // As compared (`lüe`, `lve` → `lue`), and with ü typed as v (`lve`).
            let raw = reading.plain();
            syllables.insert(matching::plain_syllable(raw));
            let typed = raw.replace('ü', "v");
            if typed.contains('v') && typed.bytes().all(|b| b.is_ascii_lowercase()) {
                syllables.insert(typed);
            }
        }
    }
    syllables.into_iter().collect()
}

/// What the library needs of a character's pinyin, as one line of text: its most common
/// reading with tone marks, then every reading plain (as `readings_of` compares them), all
/// separated by spaces. `None` for characters without pinyin.
fn reading_entry(c: char) -> Option<String> {
    let common = c.to_pinyin()?.with_tone();
    let mut plain: Vec<String> = c
        .to_pinyin_multi()
        .map(|multi| {
            multi
                .into_iter()
                .map(|reading| matching::plain_syllable(reading.plain()))
                .collect()
        })
        .unwrap_or_default();
    plain.dedup();
    let mut entry = common.to_string();
    for reading in plain {
        entry.push(' ');
        entry.push_str(&reading);
    }
    Some(entry)
}

/// Writes the tables as plain data with no pointers in them (offsets into one string, not
/// a `&str` per item): a table of `&str`s would cost the dynamic loader one relocation per
/// item at every start of the program, and the pinyin crate's own tables cost about 10,000.
fn write_tables(out_dir: &Path) {
    let mut source = String::from(
        "// Generated by build.rs from the fast2s and pinyin crates. Do not edit.\n\n",
    );
    source.push_str("static T2S: &[(char, char)] = &[\n");
    for (traditional, simple) in generated::t2s_table() {
        source.push_str(&format!("    ({traditional:?}, {simple:?}),\n"));
    }
    source.push_str("];\n\n");

    let syllables = pinyin_syllables();
    let width = syllables.iter().map(String::len).max().unwrap_or(1);
    source.push_str(&format!(
        "const SYLLABLE_WIDTH: usize = {width};\n\
         /// Toneless pinyin syllables, sorted, each padded with NUL bytes to the same width.\n\
         static SYLLABLES: &[[u8; SYLLABLE_WIDTH]] = &[\n"
    ));
    for syllable in &syllables {
        let mut padded = syllable.as_bytes().to_vec();
        padded.resize(width, 0);
        source.push_str(&format!("    {padded:?},\n"));
    }
    source.push_str("];\n\n");

    let mut text = String::new();
    let mut slots = Vec::new();
    let mut blocks = Vec::new();
    for &(first, last) in &HAN_BLOCKS {
        blocks.push((first, last, slots.len()));
        for code in first..=last {
            let entry = char::from_u32(code).and_then(reading_entry);
            slots.push(match entry {
                Some(entry) => {
                    if entry.len() > 0xff || text.len() > 0xff_ffff {
                        fail(&["build.rs: pinyin readings too large for their table".into()]);
                    }
                    let slot = (text.len() as u32) << 8 | entry.len() as u32;
                    text.push_str(&entry);
                    slot
                }
                None => 0,
            });
        }
    }
    source.push_str(&format!(
        "/// Every character's `reading_entry` (see build.rs), one after another.\n\
         static READINGS: &str = {text:?};\n\
         /// (first, last, index of first in READING_SLOTS) of each Han block.\n\
         const READING_BLOCKS: [(u32, u32, usize); {}] = {blocks:?};\n\
         /// Per character of the blocks: offset << 8 | length of its entry; 0 for none.\n\
         static READING_SLOTS: &[u32] = &[\n",
        blocks.len()
    ));
    for row in slots.chunks(16) {
        let row: Vec<String> = row.iter().map(u32::to_string).collect();
        source.push_str(&format!("    {},\n", row.join(", ")));
    }
    source.push_str(
        "];\n\n\
         /// Traditional → simplified characters, sorted by the traditional one.\n\
         pub fn t2s_table() -> &'static [(char, char)] {\n    T2S\n}\n\n\
         /// True for a toneless syllable of the dictionary.\n\
         pub fn is_syllable(text: &str) -> bool {\n\
         \x20   let Some(padded) = pad_syllable(text) else {\n\
         \x20       return false;\n\
         \x20   };\n\
         \x20   SYLLABLES.binary_search(&padded).is_ok()\n\
         }\n\n\
         fn pad_syllable(text: &str) -> Option<[u8; SYLLABLE_WIDTH]> {\n\
         \x20   let bytes = text.as_bytes();\n\
         \x20   if bytes.is_empty() || bytes.len() > SYLLABLE_WIDTH || bytes.contains(&0) {\n\
         \x20       return None;\n\
         \x20   }\n\
         \x20   let mut padded = [0; SYLLABLE_WIDTH];\n\
         \x20   padded[..bytes.len()].copy_from_slice(bytes);\n\
         \x20   Some(padded)\n\
         }\n\n\
         /// A character's most common reading with tone marks, then its plain readings,\n\
         /// separated by spaces; `None` for characters without pinyin.\n\
         pub fn reading_entry(c: char) -> Option<&'static str> {\n\
         \x20   let code = c as u32;\n\
         \x20   let &(first, _, base) = READING_BLOCKS\n\
         \x20       .iter()\n\
         \x20       .find(|&&(first, last, _)| (first..=last).contains(&code))?;\n\
         \x20   let slot = *READING_SLOTS.get(base + (code - first) as usize)?;\n\
         \x20   let (start, len) = ((slot >> 8) as usize, (slot & 0xff) as usize);\n\
         \x20   READINGS.get(start..start + len).filter(|entry| !entry.is_empty())\n\
         }\n",
    );
    write(&out_dir.join("chinese_tables.rs"), source.as_bytes());
}

fn write(path: &Path, bytes: &[u8]) {
    if let Err(error) = std::fs::write(path, bytes) {
        fail(&[format!("cannot write {}: {error}", path.display())]);
    }
}

/// Stops the build with one line per problem.
fn fail(lines: &[String]) -> ! {
    for line in lines {
        eprintln!("{line}");
    }
    eprintln!("aigc-term: glossary.toml must pass 'aigc-term check' to build");
    std::process::exit(1);
}

fn compile_glossary(manifest_dir: &Path, out_dir: &Path) {
    let path = manifest_dir.join("glossary.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => fail(&[format!("glossary.toml: cannot read: {error}")]),
    };
    let layer = match glossary::parse_source(glossary::EMBEDDED_NAME, &text) {
        Ok(layer) => layer,
        Err(error) => fail(&[error.to_string()]),
    };
    let merged = glossary::merge(vec![layer]);
    let problems = glossary::validate(&merged, glossary::current_year());
    let errors: Vec<String> = problems
        .iter()
        .filter(|problem| problem.is_error())
        .map(ToString::to_string)
        .collect();
    if !errors.is_empty() {
        fail(&errors);
    }
    for warning in problems
        .iter()
        .filter(|problem| problem.severity == glossary::Severity::Warning)
    {
        println!("cargo:warning={warning}");
    }
    let meta = store::Meta {
        tool: "embedded".into(),
        ..store::Meta::default()
    };
    let bytes = store::compile(&merged.terms, meta);
    println!(
        "cargo:rustc-env=AIGC_TERM_EMBEDDED_HASH={:016x}",
        store::checksum(&bytes)
    );
    write(&out_dir.join("embedded.idx"), &bytes);
}

fn main() {
    for input in [
        "build.rs",
        "glossary.toml",
        "src/error.rs",
        "src/glossary",
        "src/matching/chinese.rs",
        "src/matching/keys.rs",
        "src/matching/normalize.rs",
        "src/store/format.rs",
        "src/store/write.rs",
        "src/render/sanitize.rs",
    ] {
        println!("cargo:rerun-if-changed={input}");
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    write_tables(&out_dir);
    compile_glossary(&manifest_dir, &out_dir);
}
