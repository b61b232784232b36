//! Compiled indexes of user glossaries, kept between runs in the cache directory, so that
//! only the first run after a change parses TOML.
//!
//! A cache file is named after the list of sources it merges and records each source's
//! size, modification time and content hash, and the build of aigc-term that wrote it.
//! It is fresh when size and time match; when they differ but the content hash does not
//! (a `touch`, a fresh checkout) it is re-stamped instead of rebuilt. Files are written
//! to a temporary name and renamed, so a reader never sees half a file. Every failure
//! here (no directory, read-only, a damaged or foreign file) means "no cache", never an
//! error.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::format::{Meta, SourceStamp};
use super::read::{read_meta, Backing, Store};

/// The cache file for a list of sources: `<dir>/<hash of their names>.idx`.
pub fn path_for(dir: &Path, source_names: &[String]) -> PathBuf {
    let joined = source_names.join("\0");
    dir.join(format!(
        "{:016x}.idx",
        xxhash_rust::xxh3::xxh3_64(joined.as_bytes())
    ))
}

/// A source file as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub path: String,
    pub size: u64,
    pub modified: i128,
}

/// How a cache file compares with the sources.
pub enum Freshness {
    /// Usable as it is.
    Fresh(Store),
    /// Same content, other timestamps: usable, and worth re-stamping with these stamps.
    SameContent(Store, Vec<SourceStamp>),
    /// Missing, damaged, written by another build, or built from other content.
    Stale,
}

/// Opens the cache file and checks it against `tool` and the sources as observed now;
/// `content_hash` hashes a source when its timestamp changed.
pub fn check(
    path: &Path,
    tool: &str,
    observed: &[Observed],
    content_hash: impl Fn(&str) -> Option<u128>,
) -> Freshness {
    let Some(map) = map_file(path) else {
        return Freshness::Stale;
    };
    let Ok(meta) = read_meta(&map) else {
        return Freshness::Stale;
    };
    if meta.tool != tool || meta.sources.len() != observed.len() {
        return Freshness::Stale;
    }
    let mut restamped = Vec::with_capacity(observed.len());
    let mut changed = false;
    for (stamp, now) in meta.sources.iter().zip(observed) {
        if stamp.path != now.path {
            return Freshness::Stale;
        }
        if stamp.size == now.size && stamp.modified == now.modified {
            restamped.push(stamp.clone());
            continue;
        }
        if content_hash(&now.path) != Some(stamp.content_hash) {
            return Freshness::Stale;
        }
        changed = true;
        restamped.push(SourceStamp {
            path: now.path.clone(),
            size: now.size,
            modified: now.modified,
            content_hash: stamp.content_hash,
        });
    }
    let Ok(store) = Store::open(Backing::Mapped(map)) else {
        return Freshness::Stale;
    };
    if changed {
        Freshness::SameContent(store, restamped)
    } else {
        Freshness::Fresh(store)
    }
}

fn map_file(path: &Path) -> Option<memmap2::Mmap> {
    map_open_file(&File::open(path).ok()?)
}

fn map_open_file(file: &File) -> Option<memmap2::Mmap> {
    // SAFETY: cache files are only ever replaced by rename, never written in place, so the
    // mapped inode does not change under us. A file truncated by someone else could still
    // fault; every read is bounds-checked against the length mapped here.
    let map = unsafe { memmap2::Mmap::map(file) }.ok()?;
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Random);
    Some(map)
}

/// A cache file being written: a temporary file beside its final name, renamed into place
/// only once complete and on disk, so that a reader never sees half a file.
pub struct Pending {
    temporary: tempfile::NamedTempFile,
    path: PathBuf,
}

impl Pending {
    /// `None` when the directory cannot be made or written: then there is no cache.
    pub fn create(path: &Path) -> Option<Pending> {
        let dir = path.parent()?;
        std::fs::create_dir_all(dir).ok()?;
        let temporary = tempfile::NamedTempFile::new_in(dir).ok()?;
        Some(Pending {
            temporary,
            path: path.to_path_buf(),
        })
    }

    /// Where to write the index.
    pub fn file(&self) -> &File {
        self.temporary.as_file()
    }

    /// The file as a writer that hands what it has written to the disk as it goes.
    pub fn writer(&self) -> Writeback<'_> {
        Writeback::new(self.file(), WRITEBACK_STRETCH)
    }

    /// Puts the written file in place and maps it; `None` (and no file in place) when it
    /// could not be made durable or mapped.
    pub fn commit(self) -> Option<memmap2::Mmap> {
        let file = self.temporary.as_file();
        // On disk before the rename, so that a crash never leaves a complete-looking name
        // over missing data; and only then can the kernel drop the pages the write left
        // cached.
        file.sync_data().ok()?;
        drop_cached_pages(file);
        // Mapped before the rename: the mapping is of this inode, whatever replaces the
        // name later.
        let map = map_open_file(file)?;
        // A failed rename leaves the cache as it was; the index just written still answers.
        let _ = self.temporary.persist(&self.path);
        Some(map)
    }
}

/// Starts the disk writes of each stretch of the file as soon as it is written, so that
/// they overlap the rest of the compile: `commit` must have the file on disk before the
/// rename, and at 100,000 terms (a 320 MB index, far below the kernel's background
/// writeback threshold on a machine with a few GiB free) waiting for all of it there took
/// 0.3 s of the cold run. Only starting the writes (not waiting for them) keeps the
/// compile's own pace.
pub struct Writeback<'a> {
    file: &'a File,
    position: u64,
    /// Everything before this has been handed to the disk.
    started_to: u64,
    stretch: u64,
}

/// How much is written before its disk writes are started.
const WRITEBACK_STRETCH: u64 = 16 << 20;

impl Writeback<'_> {
    fn new(file: &File, stretch: u64) -> Writeback<'_> {
        Writeback {
            file,
            position: 0,
            started_to: 0,
            stretch,
        }
    }
}

impl Write for Writeback<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.file.write(bytes)?;
        self.position += written as u64;
        if self.position >= self.started_to + self.stretch {
            start_writeback(self.file, self.started_to, self.position - self.started_to);
            self.started_to = self.position;
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Seek for Writeback<'_> {
    /// Seeking back (to write the header last) leaves `started_to` where it was: the
    /// header is small, and `commit` syncs the whole file anyway.
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.position = self.file.seek(to)?;
        Ok(self.position)
    }
}

/// `sync_file_range` with only `SYNC_FILE_RANGE_WRITE`: starts the writes of dirty pages
/// in the range without waiting for any of them. It makes nothing durable by itself (the
/// `fdatasync` in `commit` does), so a failure here is ignored.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, from: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(from), Ok(len)) = (i64::try_from(from), i64::try_from(len)) else {
        return;
    };
    // SAFETY: the descriptor is open for as long as `file` is borrowed, and the call
    // reads no memory of ours.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), from, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _from: u64, _len: u64) {}

/// Writes `bytes` to `path` atomically. Failures are ignored: the cache is an optimisation.
pub fn store(path: &Path, bytes: &[u8]) {
    let Some(pending) = Pending::create(path) else {
        return;
    };
    let mut file = pending.file();
    if file.write_all(bytes).is_err() || file.flush().is_err() {
        return;
    }
    let _ = pending.commit();
}

/// Writing leaves the file in the page cache as large folios (2 MiB on Linux 6.18 with
/// ext4), and a later fault on a mapping maps the whole folio into the process: one
/// exact lookup then showed 18 MiB resident and a typo lookup 88 MiB at 100,000 terms.
/// Dropping them lets the next runs read the file back page by page (the mapping is
/// `MADV_RANDOM`, so without readahead): 4 and 14 MiB.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
fn drop_cached_pages(file: &File) {
    let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
fn drop_cached_pages(_file: &File) {}

/// The meta to store for a new compile.
pub fn meta(tool: &str, sources: Vec<SourceStamp>) -> Meta {
    Meta {
        tool: tool.to_string(),
        sources,
        ..Meta::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::compile;

    fn observed(path: &str, size: u64, modified: i128) -> Observed {
        Observed {
            path: path.into(),
            size,
            modified,
        }
    }

    fn stamp(path: &str, size: u64, modified: i128, content_hash: u128) -> SourceStamp {
        SourceStamp {
            path: path.into(),
            size,
            modified,
            content_hash,
        }
    }

    fn cached(dir: &Path, stamps: Vec<SourceStamp>) -> PathBuf {
        let path = path_for(dir, &["team.toml".to_string()]);
        store(&path, &compile(&[], meta("tool 1", stamps)));
        path
    }

    /// What the compile does through it: the body in pieces, then the header over the
    /// room left for it at the start, then back to the end.
    #[test]
    fn writeback_writes_what_a_file_would() {
        let dir = tempfile::tempdir().unwrap();
        let file = File::create(dir.path().join("index")).unwrap();
        let mut writer = Writeback::new(&file, 4096);
        let body: Vec<u8> = (0..100_000u32).map(|n| (n % 251) as u8).collect();
        writer.write_all(&[0; 64]).unwrap();
        for piece in body.chunks(1000) {
            writer.write_all(piece).unwrap();
        }
        assert_eq!(writer.seek(SeekFrom::Start(0)).unwrap(), 0);
        writer.write_all(&[7; 64]).unwrap();
        assert_eq!(
            writer.seek(SeekFrom::End(0)).unwrap(),
            64 + body.len() as u64
        );
        writer.write_all(b"end").unwrap();
        writer.flush().unwrap();
        // The writes of all but the last stretch were started as they went.
        assert!(writer.started_to > 64 + body.len() as u64 - 4096);
        let mut expected = vec![7; 64];
        expected.extend_from_slice(&body);
        expected.extend_from_slice(b"end");
        assert_eq!(std::fs::read(dir.path().join("index")).unwrap(), expected);
    }

    #[test]
    fn fresh_stale_and_same_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = cached(dir.path(), vec![stamp("team.toml", 10, 5, 77)]);
        let now = [observed("team.toml", 10, 5)];
        assert!(matches!(
            check(&path, "tool 1", &now, |_| None),
            Freshness::Fresh(_)
        ));
        assert!(matches!(
            check(&path, "tool 2", &now, |_| None),
            Freshness::Stale
        ));
        let touched = [observed("team.toml", 10, 6)];
        assert!(matches!(
            check(&path, "tool 1", &touched, |_| Some(77)),
            Freshness::SameContent(..)
        ));
        assert!(matches!(
            check(&path, "tool 1", &touched, |_| Some(78)),
            Freshness::Stale
        ));
    }

    #[test]
    fn missing_or_damaged_files_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        let now = [observed("team.toml", 10, 5)];
        assert!(matches!(
            check(&dir.path().join("none.idx"), "tool 1", &now, |_| None),
            Freshness::Stale
        ));
        let path = cached(dir.path(), vec![stamp("team.toml", 10, 5, 77)]);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
        assert!(matches!(
            check(&path, "tool 1", &now, |_| None),
            Freshness::Stale
        ));
        std::fs::write(&path, b"not an index").unwrap();
        assert!(matches!(
            check(&path, "tool 1", &now, |_| None),
            Freshness::Stale
        ));
    }

    #[test]
    fn an_unwritable_directory_is_no_error() {
        store(Path::new("/proc/aigc-term-cannot-write/x.idx"), b"bytes");
    }
}
