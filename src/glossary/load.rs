//! Reading glossary files and merging them in order: the embedded glossary first, then each
//! user file on top (a term with an existing id replaces it, a new id is added).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use toml::Spanned;

use super::position::{LineIndex, Position};
use super::schema::{RawGlossary, RawTerm, Term};
use super::validate::{Problem, Severity};
use crate::error::Error;

/// The shipped glossary, compiled into the binary so that `aigc-term gan` works anywhere.
pub const EMBEDDED_TEXT: &str = include_str!("../../glossary.toml");
/// How messages name the embedded glossary.
pub const EMBEDDED_NAME: &str = "glossary.toml";

/// Where a layer of the glossary comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Embedded,
    File(PathBuf),
}

/// Where each part of a term was written, for messages that name `file:line:col`.
#[derive(Debug, Clone, Default)]
pub struct TermSite {
    pub file: Arc<str>,
    pub id: Position,
    pub en: Position,
    pub zh: Position,
    pub names: Vec<Position>,
    pub tags: Vec<Position>,
    pub broader: Vec<Position>,
    pub related: Vec<Position>,
    pub refs: Vec<Position>,
    pub year: Option<Position>,
    pub pinyin: Option<Position>,
    pub definition: Position,
}

/// The effective glossary: every layer merged, with where each term came from.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    pub terms: Vec<Term>,
    /// `sites[i]` says where `terms[i]` was written.
    pub sites: Vec<TermSite>,
    /// Problems only visible while loading (an id written twice in one file).
    pub load_problems: Vec<Problem>,
}

/// Loads and merges `sources` in order, the embedded glossary from its TOML text (so that
/// `check` can name lines). Stops at the first file that cannot be read or parsed: its
/// error names the file, line and column.
pub fn load(sources: &[Source]) -> Result<Glossary, Error> {
    let mut layers = Vec::with_capacity(sources.len());
    for source in sources {
        layers.push(match source {
            Source::Embedded => parse_source(EMBEDDED_NAME, EMBEDDED_TEXT)?,
            Source::File(path) => parse_source(&path.display().to_string(), &read_text(path)?)?,
        });
    }
    Ok(merge(layers))
}

/// Merges layers in order: a term with an existing id replaces it, a new id is added. An
/// id written twice in one layer is a load problem (the first one is kept).
pub fn merge(layers: Vec<(Vec<Term>, Vec<TermSite>)>) -> Glossary {
    let mut glossary = Glossary::default();
    let total: usize = layers.iter().map(|(terms, _)| terms.len()).sum();
    glossary.terms.reserve(total);
    glossary.sites.reserve(total);
    let layer_count = layers.len();
    let mut position_of_id: FxHashMap<String, usize> = FxHashMap::default();
    for (layer, (terms, sites)) in layers.into_iter().enumerate() {
        // No later layer looks up the last one's ids (its own repeats are caught below).
        let last = layer + 1 == layer_count;
        let mut ids_in_this_layer: FxHashMap<String, Position> = FxHashMap::default();
        ids_in_this_layer.reserve(terms.len());
        for (term, site) in terms.into_iter().zip(sites) {
            if let Some(first) = ids_in_this_layer.get(&term.id) {
                glossary.load_problems.push(Problem::error(
                    &site.file,
                    site.id,
                    format!(
                        "duplicate id '{}' (first defined at line {})",
                        term.id, first.line
                    ),
                ));
                continue;
            }
            ids_in_this_layer.insert(term.id.clone(), site.id);
            match position_of_id.get(&term.id) {
                Some(&at) => {
                    glossary.terms[at] = term;
                    glossary.sites[at] = site;
                }
                None => {
                    if !last {
                        position_of_id.insert(term.id.clone(), glossary.terms.len());
                    }
                    glossary.terms.push(term);
                    glossary.sites.push(site);
                }
            }
        }
    }
    glossary
}

/// Reads a glossary file as text: a missing path, a directory, unreadable bytes and invalid
/// UTF-8 each get their own message.
pub fn read_text(path: &Path) -> Result<String, Error> {
    if path.is_dir() {
        return Err(Error::Read {
            path: path.to_path_buf(),
            source: std::io::Error::from(std::io::ErrorKind::IsADirectory),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    // simdutf8: std's check took 42-50 ms of a 100,000-term glossary's cold run (77 MiB,
    // half of it Chinese), all of it before the parse can start; this one 7-10 ms.
    match simdutf8::compat::from_utf8(&bytes) {
        // SAFETY: simdutf8 has just checked that these bytes are UTF-8.
        Ok(_) => Ok(unsafe { String::from_utf8_unchecked(bytes) }),
        Err(error) => Err(Error::NotUtf8 {
            path: path.to_path_buf(),
            offset: error.valid_up_to(),
        }),
    }
}

/// Texts smaller than this are parsed in one piece; splitting costs more than it saves.
const PARALLEL_FROM_BYTES: usize = 512 * 1024;

/// Parses one glossary text. `name` is how messages refer to it. A UTF-8 byte-order mark is
/// accepted and dropped.
///
/// Large texts are cut at `[[term]]` lines and the pieces parsed on every core: TOML
/// parsing is the slowest part of loading 100,000 terms. The result is the same as one
/// parse, and any error is reported by parsing the whole text again, so its message and
/// position are exactly the parser's.
pub fn parse_source(name: &str, text: &str) -> Result<(Vec<Term>, Vec<TermSite>), Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: Arc<str> = Arc::from(name);
    let lines = LineIndex::new(text);
    let pieces = split_at_terms(text);
    let parsed: Option<Vec<Vec<(Term, TermSite)>>> = if pieces.len() == 1 {
        None
    } else {
        parse_pieces(text, &pieces, &lines, &file)
    };
    // One parse of the whole text when it was not cut, or when a piece failed: then the
    // error is exactly what the parser says of the whole file.
    let (terms, sites) = match parsed {
        Some(pieces) => unzip_pieces(pieces),
        None => parse_piece(text, 0, &lines, &file)?.into_iter().unzip(),
    };
    if terms.is_empty() {
        return Err(parse_error(
            name,
            text,
            None,
            "no [[term]] entries: an aigc-term glossary is a list of [[term]] tables",
        ));
    }
    Ok((terms, sites))
}

/// Pieces are about this big: small enough that the parser's tree of one piece per core is
/// all that is alive at once, large enough that starting a piece costs nothing.
const PIECE_BYTES: usize = 256 * 1024;

/// Byte ranges of `text`, cut before `[[term]]` lines into pieces of about `PIECE_BYTES`.
/// Texts with multi-line strings are never cut: a `[[term]]` line could be inside one.
fn split_at_terms(text: &str) -> Vec<(usize, usize)> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if text.len() < PARALLEL_FROM_BYTES
        || cores < 2
        || memchr::memmem::find(text.as_bytes(), b"\"\"\"").is_some()
        || memchr::memmem::find(text.as_bytes(), b"'''").is_some()
    {
        return vec![(0, text.len())];
    }
    pieces_between_headers(text, PIECE_BYTES)
}

/// Byte ranges of `text` cut before `[[term]]` lines, each at least `piece_bytes` long but
/// the last.
fn pieces_between_headers(text: &str, piece_bytes: usize) -> Vec<(usize, usize)> {
    let mut cuts = vec![0];
    let mut line_start = 0;
    // memchr: a glossary of 100,000 terms has 2.4 million lines.
    let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).map(Some);
    for newline in newlines.chain([None]) {
        let line_end = newline.map_or(text.len(), |at| at + 1);
        let is_term_header = text[line_start..line_end]
            .trim_start()
            .starts_with("[[term]]");
        if is_term_header && line_start >= cuts.last().copied().unwrap_or(0) + piece_bytes {
            cuts.push(line_start);
        }
        line_start = line_end;
    }
    cuts.push(text.len());
    cuts.windows(2).map(|pair| (pair[0], pair[1])).collect()
}

/// The terms of one piece, with where each was written.
type Parsed = Vec<(Term, TermSite)>;

/// Parses the pieces on every core (each worker takes the next piece), in order; `None`
/// when a piece fails, so that the caller parses the whole text for the exact error.
fn parse_pieces(
    text: &str,
    pieces: &[(usize, usize)],
    lines: &LineIndex,
    file: &Arc<str>,
) -> Option<Vec<Parsed>> {
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Vec<(usize, Option<Parsed>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(start, end)) = pieces.get(at) else {
                            return done;
                        };
                        done.push((at, parse_piece(&text[start..end], start, lines, file).ok()));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_default())
            .collect()
    });
    let mut ordered: Vec<Option<Parsed>> = (0..pieces.len()).map(|_| None).collect();
    for (at, parsed) in results.into_iter().flatten() {
        ordered[at] = Some(parsed?);
    }
    ordered.into_iter().collect()
}

/// The pieces' terms and sites in order, each list allocated once at its final size: at
/// 100,000 terms, growing them (and a joined list before them) cost 57 MiB at the peak.
fn unzip_pieces(pieces: Vec<Parsed>) -> (Vec<Term>, Vec<TermSite>) {
    let total = pieces.iter().map(Vec::len).sum();
    let mut terms = Vec::with_capacity(total);
    let mut sites = Vec::with_capacity(total);
    for piece in pieces {
        for (term, site) in piece {
            terms.push(term);
            sites.push(site);
        }
    }
    (terms, sites)
}

/// Parses a piece of a text that starts at byte `offset` of the whole.
fn parse_piece(
    piece: &str,
    offset: usize,
    lines: &LineIndex,
    file: &Arc<str>,
) -> Result<Vec<(Term, TermSite)>, Error> {
    let raw: RawGlossary = toml::from_str(piece).map_err(|error| {
        let position = error
            .span()
            .map(|span| lines.position(offset + span.start))
            .unwrap_or(Position { line: 1, column: 1 });
        Error::Parse {
            path: file.to_string(),
            line: position.line,
            column: position.column,
            message: one_line(error.message()),
        }
    })?;
    Ok(raw
        .term
        .into_iter()
        .map(|raw_term| convert(raw_term, offset, lines, file))
        .collect())
}

fn parse_error(name: &str, text: &str, at: Option<usize>, message: &str) -> Error {
    let position = at.map_or(Position { line: 1, column: 1 }, |at| {
        Position::of_offset(text, at)
    });
    Error::Parse {
        path: name.to_string(),
        line: position.line,
        column: position.column,
        message: message.to_string(),
    }
}

/// toml's messages may span lines; every error of ours is one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn convert(raw: RawTerm, offset: usize, lines: &LineIndex, file: &Arc<str>) -> (Term, TermSite) {
    let at = |start: usize| lines.position(offset + start);
    let positions = |list: &[Spanned<String>]| {
        list.iter()
            .map(|item| at(item.span().start))
            .collect::<Vec<_>>()
    };
    let values = |list: Vec<Spanned<String>>| {
        list.into_iter()
            .map(Spanned::into_inner)
            .collect::<Vec<_>>()
    };
    let mut names = positions(&raw.abbr);
    names.extend(positions(&raw.aliases));
    let site = TermSite {
        file: Arc::clone(file),
        id: at(raw.id.span().start),
        en: at(raw.en.span().start),
        zh: at(raw.zh.span().start),
        names,
        tags: positions(&raw.tags),
        broader: positions(&raw.broader),
        related: positions(&raw.related),
        refs: positions(&raw.refs),
        year: raw.year.as_ref().map(|year| at(year.span().start)),
        pinyin: raw.pinyin.as_ref().map(|pinyin| at(pinyin.span().start)),
        definition: at(raw.definition.span().start),
    };
    let term = Term {
        id: raw.id.into_inner(),
        en: raw.en.into_inner(),
        zh: raw.zh.into_inner(),
        abbr: values(raw.abbr),
        aliases: values(raw.aliases),
        tags: values(raw.tags),
        broader: values(raw.broader),
        related: values(raw.related),
        refs: values(raw.refs),
        year: raw.year.map(Spanned::into_inner),
        by: raw.by.map(Spanned::into_inner),
        pinyin: raw.pinyin.map(Spanned::into_inner),
        definition: raw.definition.into_inner(),
    };
    (term, site)
}

impl Problem {
    fn error(file: &str, position: Position, message: String) -> Problem {
        Problem {
            file: file.to_string(),
            position: Some(position),
            severity: Severity::Error,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[term]]
id = "gan"
en = "Generative Adversarial Network"
zh = "生成对抗网络"
abbr = ["GAN"]
definition.en = "Two networks compete."
definition.zh = "两个网络相互博弈。"
"#;

    fn parse_error(text: &str) -> String {
        parse_source("t.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn pieces_are_cut_before_header_lines_as_a_line_split_cuts_them() {
        // How the cuts were found before memchr: line by line.
        let by_lines = |text: &str, piece_bytes: usize| {
            let mut cuts = vec![0];
            let mut line_start = 0;
            for line in text.split_inclusive('\n') {
                let is_term_header = line.trim_start().starts_with("[[term]]");
                if is_term_header && line_start >= cuts.last().copied().unwrap_or(0) + piece_bytes {
                    cuts.push(line_start);
                }
                line_start += line.len();
            }
            cuts.push(text.len());
            cuts.windows(2)
                .map(|pair| (pair[0], pair[1]))
                .collect::<Vec<_>>()
        };
        let lines = [
            "[[term]]\n",
            "id = \"a\"\n",
            "\n",
            "  [[term]]\r\n",
            "\t[[term]] # a comment\n",
            "en = \"[[term]]\"\n",
            "\u{3000}[[term]]\n",
            "[[terms]]\n",
        ];
        for seed in 0..40usize {
            let text: String = (0..200)
                .map(|at| lines[(at * 7 + seed * 3 + at / 5) % lines.len()])
                .collect();
            let text = if seed % 2 == 0 {
                text.trim_end().to_string()
            } else {
                text
            };
            for piece_bytes in [1, 16, 100, 1000] {
                assert_eq!(
                    pieces_between_headers(&text, piece_bytes),
                    by_lines(&text, piece_bytes),
                    "seed {seed}, pieces of {piece_bytes}"
                );
            }
        }
    }

    #[test]
    fn parses_a_term_and_its_positions() {
        let (terms, sites) = parse_source("t.toml", ONE).unwrap();
        assert_eq!(terms[0].id, "gan");
        assert_eq!(terms[0].abbr, vec!["GAN"]);
        assert_eq!(sites[0].id, Position { line: 3, column: 6 });
    }

    #[test]
    fn unknown_field_is_an_error_with_position() {
        let text = ONE.replace("abbr", "abbrs");
        let message = parse_error(&text);
        assert!(
            message.starts_with("t.toml:6:1: unknown field `abbrs`"),
            "{message}"
        );
    }

    #[test]
    fn wrong_type_says_what_was_expected() {
        let message = parse_error(&ONE.replace(r#"["GAN"]"#, r#""GAN""#));
        assert!(message.starts_with("t.toml:6:8:"), "{message}");
        assert!(message.contains("expected a sequence"), "{message}");
    }

    #[test]
    fn missing_required_field_is_named() {
        let message = parse_error(&ONE.replace("zh = \"生成对抗网络\"\n", ""));
        assert!(message.contains("missing field `zh`"), "{message}");
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let text = format!("\u{feff}{}", ONE.replace('\n', "\r\n"));
        let (terms, _) = parse_source("t.toml", &text).unwrap();
        assert_eq!(terms[0].zh, "生成对抗网络");
    }

    #[test]
    fn bad_utf8_is_reported_at_the_byte_std_would_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        let cases: [&[u8]; 5] = [
            b"id = \"g\xffn\"",
            "扩散模型".as_bytes().split_last().unwrap().1,
            b"\xc0\xaf overlong",
            b"\xed\xa0\x80 surrogate",
            &[b'a'; 100]
                .iter()
                .chain("模".as_bytes())
                .chain(b"\x80")
                .copied()
                .collect::<Vec<u8>>(),
        ];
        for bytes in cases {
            std::fs::write(&path, bytes).unwrap();
            let expected = std::str::from_utf8(bytes).unwrap_err().valid_up_to();
            match read_text(&path) {
                Err(Error::NotUtf8 { offset, .. }) => assert_eq!(offset, expected, "{bytes:?}"),
                other => panic!("{bytes:?}: {other:?}"),
            }
        }
        std::fs::write(&path, "扩散 ok".as_bytes()).unwrap();
        assert_eq!(read_text(&path).unwrap(), "扩散 ok");
    }

    #[test]
    fn empty_file_is_an_error() {
        assert!(parse_error("").contains("no [[term]] entries"));
    }

    #[test]
    fn syntax_error_is_one_line() {
        let message = parse_error("[[term]\nid = 1");
        assert!(message.starts_with("t.toml:1:"), "{message}");
        assert!(!message.contains('\n'));
    }
}
