//! A new folder of files only its owner may open (`cert save`'s
//! `<mchid>_<date>_cert`, which holds the private key), written so that nobody
//! else can redirect or read a write, and so that a kill never leaves it
//! half-written in the way of the next save.
//!
//! The folder is made under a temporary name of ours (`.wxpay-setup-XXXX.tmp`),
//! 0700 whatever the umask, and opened once (no link followed); every file is
//! created relative to that handle (openat, O_EXCL, O_NOFOLLOW), so a racer who
//! swaps the folder for a link to another one (in a 1777 folder, say) changes
//! nothing about where the bytes go. Then the whole folder is renamed to its
//! name in one step without replacing anything (renameat2 NOREPLACE) and
//! checked to be the one written. A kill leaves only a temporary folder, which
//! a later save into the same folder removes once a minute old, and `profile
//! doctor` finds through the note the save left in the config folder
//! (`ProfileStore::note_write`); a half-written folder under the final name
//! (from an older version) holds only files of ours and is cleaned first.
//! Windows: the same steps by path (no symlink race for a user's folder there).

use std::path::{Path, PathBuf};

use crate::services::profile_store::{TEMP_PREFIX, TEMP_SUFFIX, USER_TEMP_AGE};

/// One file of the folder.
pub struct NewFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
    /// Owner-only (0600): the private key, the p12.
    pub secret: bool,
}

#[derive(Debug)]
pub enum FolderError {
    /// Something is at the folder's name already (and is not a half-written
    /// folder of ours): nothing was written.
    Exists(PathBuf),
    /// The folder could not be made or opened.
    Make(PathBuf, std::io::Error),
    /// A file could not be written (nothing is left behind under the name).
    Write(PathBuf, std::io::Error),
}

/// Writes `files` into the new folder `out/name`; gives its path.
pub fn write_new_folder(
    out: &Path,
    name: &str,
    files: &[NewFile<'_>],
) -> Result<PathBuf, FolderError> {
    let target = out.join(name);
    remove_stale_temp_folders(out);
    imp::write(out, name, files, &target)
}

/// Our temporary folders in `out` older than [`USER_TEMP_AGE`] (a killed
/// save's: a save takes well under a second): removed, links never followed.
/// Best effort.
fn remove_stale_temp_folders(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name();
        let n = n.to_string_lossy();
        if !(n.starts_with(TEMP_PREFIX) && n.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        // DirEntry::metadata does not follow a link
        let Ok(meta) = e.metadata() else { continue };
        let stale = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > USER_TEMP_AGE);
        if meta.is_dir() && stale {
            // std's remove_dir_all does not follow links inside
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A folder under the final name that a kill left half-written: a folder (not
/// a link) holding only some of `files`' names. Anything else there is not ours.
fn is_half_written(entries: &[String], files: &[NewFile<'_>]) -> bool {
    entries.len() < files.len() && entries.iter().all(|e| files.iter().any(|f| f.name == e))
}

fn temp_name() -> String {
    let n: u64 = rand::random();
    format!("{TEMP_PREFIX}{n:016x}{TEMP_SUFFIX}")
}

#[cfg(unix)]
mod imp {
    use std::io::Write;
    use std::os::fd::OwnedFd;
    use std::path::{Path, PathBuf};

    use rustix::fs::{AtFlags, Mode, OFlags};
    use rustix::io::Errno;

    use super::{FolderError, NewFile, is_half_written, temp_name};

    fn io(e: Errno) -> std::io::Error {
        std::io::Error::from_raw_os_error(e.raw_os_error())
    }

    fn open_dir_at(parent: &OwnedFd, name: &str) -> Result<OwnedFd, Errno> {
        rustix::fs::openat(
            parent,
            name,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
    }

    fn names_in(dir: &OwnedFd) -> Result<Vec<String>, Errno> {
        let mut out = Vec::new();
        for e in rustix::fs::Dir::read_from(dir)? {
            let e = e?;
            let n = e.file_name().to_string_lossy().into_owned();
            if n != "." && n != ".." {
                out.push(n);
            }
        }
        Ok(out)
    }

    /// Removes the folder `name` in `parent` and the files of ours in it, through its handle.
    fn remove_ours(parent: &OwnedFd, name: &str, dir: &OwnedFd, files: &[&str]) {
        for f in files {
            let _ = rustix::fs::unlinkat(dir, *f, AtFlags::empty());
        }
        let _ = rustix::fs::unlinkat(parent, name, AtFlags::REMOVEDIR);
    }

    pub fn write(
        out: &Path,
        name: &str,
        files: &[NewFile<'_>],
        target: &Path,
    ) -> Result<PathBuf, FolderError> {
        let make = |e: Errno| FolderError::Make(target.to_path_buf(), io(e));
        let parent = rustix::fs::open(
            out,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(make)?;
        // what is at the name already: a half-written folder of ours is cleaned
        match rustix::fs::statat(&parent, name, AtFlags::SYMLINK_NOFOLLOW) {
            Err(Errno::NOENT) => {}
            Err(e) => return Err(make(e)),
            Ok(st) if rustix::fs::FileType::from_raw_mode(st.st_mode).is_dir() => {
                let dir = open_dir_at(&parent, name).map_err(make)?;
                let entries = names_in(&dir).map_err(make)?;
                if !is_half_written(&entries, files) {
                    return Err(FolderError::Exists(target.to_path_buf()));
                }
                let ours: Vec<&str> = entries.iter().map(String::as_str).collect();
                remove_ours(&parent, name, &dir, &ours);
            }
            Ok(_) => return Err(FolderError::Exists(target.to_path_buf())),
        }
        let tmp = temp_name();
        rustix::fs::mkdirat(&parent, tmp.as_str(), Mode::from_raw_mode(0o700)).map_err(make)?;
        let dir = match open_dir_at(&parent, &tmp) {
            Ok(d) => d,
            // swapped for a link before it could be opened: nothing written
            Err(e) => return Err(make(e)),
        };
        let mine = rustix::fs::fstat(&dir).map_err(make)?;
        if mine.st_uid != rustix::process::geteuid().as_raw() {
            return Err(make(Errno::PERM));
        }
        let mut written: Vec<&str> = Vec::new();
        let result = (|| -> Result<(), FolderError> {
            // 0700 whatever the umask
            rustix::fs::fchmod(&dir, Mode::from_raw_mode(0o700)).map_err(make)?;
            for f in files {
                let path = target.join(f.name);
                let fail = |e: std::io::Error| FolderError::Write(path.clone(), e);
                let mode = if f.secret { 0o600 } else { 0o644 };
                let fd = rustix::fs::openat(
                    &dir,
                    f.name,
                    OFlags::WRONLY
                        | OFlags::CREATE
                        | OFlags::EXCL
                        | OFlags::NOFOLLOW
                        | OFlags::CLOEXEC,
                    Mode::from_raw_mode(mode),
                )
                .map_err(|e| fail(io(e)))?;
                written.push(f.name);
                rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode)).map_err(|e| fail(io(e)))?;
                let mut file = std::fs::File::from(fd);
                file.write_all(f.bytes).map_err(fail)?;
                file.sync_all().map_err(fail)?;
            }
            rustix::fs::fsync(&dir).map_err(make)?;
            rename_no_replace(&parent, &tmp, name).map_err(|e| match e {
                Errno::EXIST | Errno::NOTEMPTY => FolderError::Exists(target.to_path_buf()),
                e => make(e),
            })?;
            // the folder now at the name is the one written (not a link put in its place)
            let there =
                rustix::fs::statat(&parent, name, AtFlags::SYMLINK_NOFOLLOW).map_err(make)?;
            if (there.st_dev, there.st_ino) != (mine.st_dev, mine.st_ino) {
                return Err(make(Errno::XDEV));
            }
            Ok(())
        })();
        if let Err(e) = result {
            // only when the temporary name is still our folder
            if rustix::fs::statat(&parent, tmp.as_str(), AtFlags::SYMLINK_NOFOLLOW)
                .is_ok_and(|st| (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino))
            {
                remove_ours(&parent, &tmp, &dir, &written);
            }
            return Err(e);
        }
        Ok(target.to_path_buf())
    }

    /// `from` renamed `to` in `parent`, never replacing what is at `to`.
    fn rename_no_replace(parent: &OwnedFd, from: &str, to: &str) -> Result<(), Errno> {
        #[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
        match rustix::fs::renameat_with(
            parent,
            from,
            parent,
            to,
            rustix::fs::RenameFlags::NOREPLACE,
        ) {
            // a file system without renameat2: checked, then renamed
            Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => {}
            other => return other,
        }
        match rustix::fs::statat(parent, to, AtFlags::SYMLINK_NOFOLLOW) {
            Err(Errno::NOENT) => rustix::fs::renameat(parent, from, parent, to),
            Ok(_) => Err(Errno::EXIST),
            Err(e) => Err(e),
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::io::Write;
    use std::path::{Path, PathBuf};

    use super::{FolderError, NewFile, is_half_written, temp_name};

    pub fn write(
        out: &Path,
        _name: &str,
        files: &[NewFile<'_>],
        target: &Path,
    ) -> Result<PathBuf, FolderError> {
        let make = |e: std::io::Error| FolderError::Make(target.to_path_buf(), e);
        if let Ok(meta) = std::fs::symlink_metadata(target) {
            let entries: Vec<String> = if meta.is_dir() {
                std::fs::read_dir(target)
                    .map_err(make)?
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            } else {
                return Err(FolderError::Exists(target.to_path_buf()));
            };
            if !is_half_written(&entries, files) {
                return Err(FolderError::Exists(target.to_path_buf()));
            }
            for e in &entries {
                let _ = std::fs::remove_file(target.join(e));
            }
            let _ = std::fs::remove_dir(target);
        }
        let tmp = out.join(temp_name());
        std::fs::create_dir(&tmp).map_err(make)?;
        let result = (|| {
            for f in files {
                let path = target.join(f.name);
                let fail = |e: std::io::Error| FolderError::Write(path.clone(), e);
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(tmp.join(f.name))
                    .map_err(fail)?;
                file.write_all(f.bytes).map_err(fail)?;
                file.sync_all().map_err(fail)?;
            }
            // fails when something is at the name: nothing is replaced
            std::fs::rename(&tmp, target).map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::PermissionDenied
                    if target.exists() =>
                {
                    FolderError::Exists(target.to_path_buf())
                }
                _ => make(e),
            })
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        Ok(target.to_path_buf())
    }
}
