//! File reading with limits: the one place that opens the paths a user hands
//! us (a certificate zip, folder or PEM; an exported bundle). Only regular files
//! and folders are read: a pipe or a device (`/dev/zero`, a FIFO) is refused
//! before it is opened, and a file is opened non-blocking and checked again, so
//! nothing can hang or stream forever. Every read is capped by the bytes
//! actually read (`take(limit + 1)`), never by the length the file reports.
//! The domain parses what is read here (`domain::cert::archive`,
//! `domain::bundle`) and never sees a path.

use std::fs::{self, File};
use std::io;
use std::path::{Component, Path};

use crate::domain::bundle::{self, BundleReadError, ImportedBundle};
use crate::domain::cert::archive::{
    self, MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_FOLDER_DEPTH, SourceFile,
};
use crate::domain::cert::{self, ImportError, ImportedCert};
use crate::domain::secret::Secret;

/// Why a path was not read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// A pipe, a device, a socket: reading it could block or never end.
    #[error("not a regular file or folder")]
    NotAFile,
    #[error("larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// What a path is, from its metadata (links followed), without opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Folder,
}

pub fn kind(path: &Path) -> Result<Kind, FileError> {
    let meta = fs::metadata(path)?;
    if meta.is_dir() {
        Ok(Kind::Folder)
    } else if meta.is_file() {
        Ok(Kind::File)
    } else {
        Err(FileError::NotAFile)
    }
}

/// Opens a regular file for reading. Anything else is refused: checked on the
/// metadata first, and again on the opened file (the path may have changed in
/// between; the non-blocking open means even then a FIFO cannot hang us).
pub fn open_file(path: &Path) -> Result<File, FileError> {
    if kind(path)? != Kind::File {
        return Err(FileError::NotAFile);
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(FileError::NotAFile);
    }
    Ok(file)
}

/// A regular file's bytes, at most `limit` of them.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let file = open_file(path)?;
    archive::read_limited(file, limit)?.ok_or(FileError::TooLarge { limit })
}

/// A small text file (an import file, a passphrase, a token, a mapping): a
/// regular file only, at most `limit` bytes, UTF-8. Never hangs on a FIFO and
/// never reads a device without end.
pub fn read_text(path: &Path, limit: u64) -> std::io::Result<String> {
    let to_io = |e: FileError| match e {
        FileError::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    };
    let bytes = read_file(path, limit).map_err(to_io)?;
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// The most a text file we read may hold (import files, passphrases, mappings).
pub const TEXT_LIMIT: u64 = 1024 * 1024;

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn import_error(path: &Path, name: &str, e: FileError) -> ImportError {
    match e {
        FileError::NotAFile => ImportError::NotAFile {
            path: path.display().to_string(),
        },
        FileError::TooLarge { .. } => ImportError::EntryTooLarge {
            entry: name.to_owned(),
        },
        FileError::Io(e) => ImportError::io(path, e),
    }
}

/// The files of a certificate source: a zip, the unpacked folder, or a single file.
pub fn read_cert_source(path: &Path) -> Result<Vec<SourceFile>, ImportError> {
    let name = display_name(path);
    match kind(path).map_err(|e| import_error(path, &name, e))? {
        Kind::Folder => read_cert_folder(path),
        Kind::File => {
            let file = open_file(path).map_err(|e| import_error(path, &name, e))?;
            archive::read_file_source(&name, io::BufReader::new(file))
        }
    }
}

/// The regular files of a dropped folder, a few levels deep; links inside it
/// are not followed, anything not a regular file is passed over.
fn read_cert_folder(root: &Path) -> Result<Vec<SourceFile>, ImportError> {
    let mut files = Vec::new();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let mut entries: Vec<_> = fs::read_dir(&dir)
            .map_err(|e| ImportError::io(&dir, e))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            // symlink_metadata: a link inside the folder is not followed
            let meta = fs::symlink_metadata(&path).map_err(|e| ImportError::io(&path, e))?;
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .filter_map(|c| match c {
                    Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("/");
            if meta.is_dir() {
                if depth + 1 < MAX_FOLDER_DEPTH {
                    stack.push((path, depth + 1));
                }
                continue;
            }
            if !meta.is_file() {
                continue;
            }
            if files.len() == MAX_ENTRIES {
                return Err(ImportError::TooManyEntries {
                    count: MAX_ENTRIES + 1,
                });
            }
            let bytes =
                read_file(&path, MAX_ENTRY_BYTES).map_err(|e| import_error(&path, &rel, e))?;
            files.push(SourceFile { name: rel, bytes });
        }
    }
    Ok(files)
}

/// Reads and parses a certificate zip, folder or file in one go.
pub fn import_cert(path: &Path) -> Result<ImportedCert, ImportError> {
    let files = read_cert_source(path)?;
    let mut imported = cert::import_files(&files)?;
    imported.summary.source = path.display().to_string();
    Ok(imported)
}

fn open_bundle(path: &Path) -> Result<io::BufReader<File>, BundleReadError> {
    open_file(path)
        .map(io::BufReader::new)
        .map_err(|e| match e {
            FileError::NotAFile => BundleReadError::NotAFile,
            e => BundleReadError::damaged(e),
        })
}

/// Whether the bundle at `path` holds encrypted secrets.
pub fn bundle_needs_passphrase(path: &Path) -> Result<bool, BundleReadError> {
    bundle::bundle_needs_passphrase(open_bundle(path)?)
}

/// Reads the bundle at `path` (see [`bundle::read_bundle`]).
pub fn read_bundle_file(
    path: &Path,
    passphrase: Option<&Secret>,
) -> Result<ImportedBundle, BundleReadError> {
    bundle::read_bundle(open_bundle(path)?, &path.display().to_string(), passphrase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_up_to_its_limit_and_no_further() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.pem");
        fs::write(&p, b"12345").unwrap();
        assert_eq!(read_file(&p, 5).unwrap(), b"12345");
        assert!(matches!(
            read_file(&p, 4),
            Err(FileError::TooLarge { limit: 4 })
        ));
        assert_eq!(kind(dir.path()).unwrap(), Kind::Folder);
        assert!(matches!(open_file(dir.path()), Err(FileError::NotAFile)));
        assert!(matches!(
            open_file(&dir.path().join("none")),
            Err(FileError::Io(e)) if e.kind() == io::ErrorKind::NotFound
        ));
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_without_reading() {
        let started = std::time::Instant::now();
        assert!(matches!(
            read_file(Path::new("/dev/zero"), 10),
            Err(FileError::NotAFile)
        ));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}
