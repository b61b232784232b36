//! The effective glossary as an index, opened once per run: the embedded index alone when
//! no user file is given; otherwise the merged layers (embedded, then each file), from the
//! cache when it is fresh, else parsed, validated, compiled and cached.
//!
//! The embedded layer is taken from the embedded index, not re-parsed: at run time no TOML
//! is read but the user's.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::glossary::{self, Glossary, Source, TermSite, EMBEDDED_NAME};
use crate::matching::Index;
use crate::store::cache::{self, Freshness, Observed};
use crate::store::{compile_into, compile_owned, restamp, tool_stamp, Backing, Meta, SourceStamp};

/// An opened index and the cache file it came from, if any (so that a damaged cache found
/// during a query can be rebuilt).
pub struct Opened {
    pub index: Index,
    pub cache_file: Option<PathBuf>,
}

/// Opens the effective glossary of `sources`, using the cache in `cache_dir` (none with
/// `--no-cache` or when the platform has no cache directory).
pub fn open(sources: &[Source], cache_dir: Option<&Path>, this_year: i64) -> Result<Opened, Error> {
    if sources == [Source::Embedded] {
        return Ok(Opened {
            index: Index::embedded()?,
            cache_file: None,
        });
    }
    let observed = observe(sources)?;
    let cache_file = cache_dir.map(|dir| cache::path_for(dir, &source_names(sources, &observed)));
    if let Some(path) = &cache_file {
        match cache::check(path, &tool_stamp(), &observed, hash_file) {
            Freshness::Fresh(store) => {
                return Ok(Opened {
                    index: Index::from_store(store),
                    cache_file,
                })
            }
            Freshness::SameContent(store, stamps) => {
                let meta = Meta {
                    sources: stamps,
                    ..store.meta.clone()
                };
                let bytes = restamp(&store.sections(), &meta);
                cache::store(path, &bytes);
                return Ok(Opened {
                    index: Index::open(Backing::Owned(bytes))?,
                    cache_file,
                });
            }
            Freshness::Stale => {}
        }
    }
    let index = compile_fresh(sources, &observed, cache_file.as_deref(), this_year)?;
    Ok(Opened { index, cache_file })
}

/// Parses, validates and compiles `sources`, ignoring any cache, and writes the result to
/// `cache_file` when given (used on a miss and after a damaged cache was found).
pub fn compile_fresh(
    sources: &[Source],
    observed: &[Observed],
    cache_file: Option<&Path>,
    this_year: i64,
) -> Result<Index, Error> {
    let mut layers = Vec::with_capacity(sources.len());
    let mut stamps = Vec::with_capacity(observed.len());
    let mut unchanged_while_read = true;
    let mut files = observed.iter();
    for source in sources {
        match source {
            Source::Embedded => layers.push(embedded_layer()?),
            Source::File(path) => {
                let text = glossary::read_text(path)?;
                let before = files
                    .next()
                    .ok_or_else(|| Error::Usage("source list changed".into()))?;
                let after = observe_file(path)?;
                unchanged_while_read &=
                    after.size == before.size && after.modified == before.modified;
                stamps.push(SourceStamp {
                    path: before.path.clone(),
                    size: before.size,
                    modified: before.modified,
                    content_hash: content_hash(text.as_bytes()),
                });
                layers.push(glossary::parse_source(&path.display().to_string(), &text)?);
            }
        }
    }
    let merged = glossary::merge(layers);
    reject_errors(&merged, this_year)?;
    // Only the terms are compiled: their positions go now, not at the end of the compile.
    let Glossary { terms, sites, .. } = merged;
    drop(sites);
    let meta = cache::meta(&tool_stamp(), stamps);
    let Some(pending) = cache_file
        .filter(|_| unchanged_while_read)
        .and_then(cache::Pending::create)
    else {
        return Ok(Index::open(Backing::Owned(compile_owned(terms, meta)))?);
    };
    // Compiled straight into the cache file: at 100,000 terms the index is four times
    // the TOML, and holding it in memory as well doubled the cold run's peak.
    let written = compile_into(terms, meta, std::io::BufWriter::new(pending.writer()))
        .and_then(|writer| writer.into_inner().map_err(|error| error.into_error()))
        .map(drop);
    match written.ok().and_then(|_| pending.commit()) {
        Some(map) => Ok(Index::open(Backing::Mapped(map))?),
        // The cache could not be written (a full disk, say): the terms went into the
        // failed file, so compile them again in memory. Rare, and never an error.
        None => compile_fresh(sources, observed, None, this_year),
    }
}

/// Rebuilds after a damaged cache: the same sources, compiled afresh and re-cached.
pub fn rebuild(
    sources: &[Source],
    cache_file: Option<&Path>,
    this_year: i64,
) -> Result<Index, Error> {
    let observed = observe(sources)?;
    compile_fresh(sources, &observed, cache_file, this_year)
}

/// User files are validated on every load that parses them (a dangling link must not
/// surface later as a confusing answer); only errors stop the run.
fn reject_errors(glossary: &Glossary, this_year: i64) -> Result<(), Error> {
    let errors = glossary::errors(glossary, this_year);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// The embedded terms, decoded from the embedded index; they have no positions (they
/// were checked when aigc-term was built).
fn embedded_layer() -> Result<(Vec<glossary::Term>, Vec<TermSite>), Error> {
    let terms = Index::embedded()?.all_terms()?;
    let site = TermSite {
        file: EMBEDDED_NAME.into(),
        ..TermSite::default()
    };
    let sites = vec![site; terms.len()];
    Ok((terms, sites))
}

/// How the cache names a source list: the embedded layer and each file's full path.
fn source_names(sources: &[Source], observed: &[Observed]) -> Vec<String> {
    let mut files = observed.iter();
    sources
        .iter()
        .map(|source| match source {
            Source::Embedded => "<embedded>".to_string(),
            Source::File(_) => files
                .next()
                .map(|file| file.path.clone())
                .unwrap_or_default(),
        })
        .collect()
}

/// Each user file as it is now; a missing, unreadable or directory path is the same error
/// here as when reading it.
fn observe(sources: &[Source]) -> Result<Vec<Observed>, Error> {
    sources
        .iter()
        .filter_map(|source| match source {
            Source::File(path) => Some(observe_file(path)),
            Source::Embedded => None,
        })
        .collect()
}

fn observe_file(path: &Path) -> Result<Observed, Error> {
    let read_error = |source: std::io::Error| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        return Err(read_error(std::io::Error::from(
            std::io::ErrorKind::IsADirectory,
        )));
    }
    // Opening (not only stat) so that an unreadable file fails here, as reading would.
    let file = std::fs::File::open(path).map_err(read_error)?;
    let metadata = file.metadata().map_err(read_error)?;
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos() as i128);
    let full_path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(Observed {
        path: full_path.display().to_string(),
        size: metadata.len(),
        modified,
    })
}

fn hash_file(path: &str) -> Option<u128> {
    std::fs::read(path).ok().map(|bytes| content_hash(&bytes))
}

fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}
