//! Profiles and settings as human-readable TOML files in the platform config
//! directory, each written atomically (temp file in the same folder + rename) so
//! that a crash mid-write never leaves a half file.
//!
//! After a crash, the temp file stays behind. Ours are named
//! `.wxpay-setup-XXXXXX.tmp`; every atomic write first removes those in its
//! folder older than [`STALE_TEMP_AGE`] (a younger one may belong to a write
//! still running in another process). A temp file is created readable by its
//! owner only (0600 on unix) before anything is written into it, so a leftover
//! never exposes a secret (the private key of a stack export) to other users.
//! The config and profile folders are created 0700 on unix.
//!
//! Every operation that writes a shop holds that shop's lock ([`ProfileRepo::lock`]):
//! an advisory lock (the OS's own: `flock` on unix, `LockFileEx` on Windows, through
//! `std::fs::File::try_lock`) on `profiles/NAME.lock`, so two windows, or a window and
//! a script, never mix one shop's profile and keychain entries. The name becomes a
//! path by the same rule as the profile file. Released while no shop has the name
//! (a refused import, a delete, a rename's old name), the lock file is removed by
//! its holder before the lock goes; a process that waited on it then finds the file
//! it locked is no longer the one at the path and locks the new one. Lock files an
//! older version left are `profile doctor --fix`'s.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::domain::profile::Profile;
use crate::i18n::Lang;

#[derive(Debug, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter), vis(pub))]
pub enum StorageError {
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    /// Something is at the name a file of ours would replace that is not a
    /// regular file or a link to one (a device, a FIFO, a socket, a folder, a
    /// link to nothing): it is never replaced, `--force` or not.
    #[error("{path} is not an ordinary file")]
    NotAFile { path: String },
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is damaged: {reason}")]
    Damaged { path: String, reason: String },
    #[error("no configuration folder on this system")]
    NoConfigDir,
    /// A shop name that cannot be a file name of ours (`../x`, `/tmp/x`, `CON`,
    /// hidden characters): refused wherever a name becomes a path.
    #[error("not a shop name: {name:?}")]
    BadName { name: String },
    /// Another window or command holds the shop's lock: try again.
    #[error("shop {name:?} is being changed elsewhere")]
    Busy { name: String },
    /// The profile file changed (or went away) since this process last read or
    /// wrote it: another window or command saved this shop in between, and
    /// writing ours would mix its values with the ones we hold.
    #[error("shop {name:?} was changed elsewhere")]
    ChangedElsewhere { name: String },
}

impl StorageError {
    /// One value of every variant, for the test that each has a text in both
    /// languages: the match over the discriminants stops compiling when a
    /// variant is added without a sample here.
    pub fn samples() -> Vec<StorageError> {
        use StorageErrorDiscriminants as D;
        use strum::IntoEnumIterator;
        let path = || "/home/a/.config/wxpay-setup/店.toml".to_owned();
        let reason = || "disk full".to_owned();
        D::iter()
            .map(|d| match d {
                D::Write => StorageError::Write {
                    path: path(),
                    reason: reason(),
                },
                D::NotAFile => StorageError::NotAFile { path: path() },
                D::Read => StorageError::Read {
                    path: path(),
                    reason: reason(),
                },
                D::Damaged => StorageError::Damaged {
                    path: path(),
                    reason: reason(),
                },
                D::NoConfigDir => StorageError::NoConfigDir,
                D::BadName => StorageError::BadName {
                    name: "../x".into(),
                },
                D::Busy => StorageError::Busy { name: "店".into() },
                D::ChangedElsewhere => StorageError::ChangedElsewhere { name: "店".into() },
            })
            .collect()
    }

    pub fn code(&self) -> &'static str {
        match self {
            StorageError::Write { .. } => "write",
            StorageError::NotAFile { .. } => "not_a_file",
            StorageError::Read { .. } => "read",
            StorageError::Damaged { .. } => "damaged",
            StorageError::NoConfigDir => "no_config_dir",
            StorageError::BadName { .. } => "bad_name",
            StorageError::Busy { .. } => "busy",
            StorageError::ChangedElsewhere { .. } => "changed_elsewhere",
        }
    }

    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            StorageError::Write { path, reason }
            | StorageError::Read { path, reason }
            | StorageError::Damaged { path, reason } => {
                vec![("path", path.clone()), ("reason", reason.clone())]
            }
            StorageError::NotAFile { path } => vec![("path", path.clone())],
            StorageError::NoConfigDir => Vec::new(),
            StorageError::BadName { name }
            | StorageError::Busy { name }
            | StorageError::ChangedElsewhere { name } => {
                vec![("name", name.clone())]
            }
        }
    }
}

impl crate::i18n::Message for StorageError {
    fn key(&self) -> String {
        format!("storage_error.{}", self.code())
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        StorageError::args(self)
            .into_iter()
            .map(|(k, v)| (k, v.into()))
            .collect()
    }
}

/// App-wide preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Settings {
    pub lang: Option<Lang>,
    pub last_profile: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ProfileStore {
    root: PathBuf,
    lock_wait: Duration,
}

/// How long an operation waits for a shop that another window or command is
/// writing before it says so ([`StorageError::Busy`]): longer than any write of
/// ours takes, short enough not to look hung.
pub const LOCK_WAIT: Duration = Duration::from_secs(3);

/// How often a waiting operation tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(15);

/// A shop's lock ([`ProfileRepo::lock`]): held until dropped.
#[must_use = "the lock is released when this is dropped"]
pub struct ShopLock {
    _held: Box<dyn Send>,
}

impl std::fmt::Debug for ShopLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShopLock")
    }
}

/// What `profile doctor` found that no shop owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Leftover {
    /// A temp file of ours older than [`STALE_TEMP_AGE`] (a crash's leftover).
    TempFile(String),
    /// The lock file of a shop that has no profile.
    LockFile(String),
    /// A temp file or folder of ours in a user's folder, left by a `cert save`
    /// or an export that was stopped while writing (it may hold the private
    /// key or plain secrets): found where such a write noted it was writing
    /// ([`ProfileStore::note_write`]), older than [`USER_TEMP_AGE`].
    KilledWrite(String),
}

impl Leftover {
    pub fn path(&self) -> &str {
        match self {
            Leftover::TempFile(p) | Leftover::LockFile(p) | Leftover::KilledWrite(p) => p,
        }
    }
}

/// Where a write into a user's folder is under way ([`ProfileStore::note_write`]):
/// the note is removed when this is dropped, so only a killed write leaves it.
#[must_use = "the note is removed when this is dropped"]
#[derive(Debug, Default)]
pub struct WriteNote {
    path: Option<PathBuf>,
}

impl Drop for WriteNote {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = fs::remove_file(p);
        }
    }
}

impl ProfileStore {
    /// `WXPAY_SETUP_CONFIG_DIR` when set (tests, portable use), else the platform
    /// config directory (`~/.config/wxpay-setup` on Linux, `%APPDATA%\wxpay-setup` on
    /// Windows).
    pub fn open_default() -> Result<Self, StorageError> {
        if let Some(dir) = std::env::var_os("WXPAY_SETUP_CONFIG_DIR").filter(|d| !d.is_empty()) {
            return Ok(Self::at(PathBuf::from(dir)));
        }
        let dirs = directories::ProjectDirs::from("cn", "wxpay-setup", "wxpay-setup")
            .ok_or(StorageError::NoConfigDir)?;
        #[cfg(windows)]
        {
            // ProjectDirs names the folder twice on Windows (organisation and application:
            // `%APPDATA%\wxpay-setup\wxpay-setup\config`); 0.1.0 kept profiles there.
            let root = directories::BaseDirs::new()
                .ok_or(StorageError::NoConfigDir)?
                .config_dir()
                .join("wxpay-setup");
            move_legacy_data(dirs.config_dir(), &root)?;
            Ok(Self::at(root))
        }
        #[cfg(not(windows))]
        Ok(Self::at(dirs.config_dir().to_path_buf()))
    }

    pub fn at(root: PathBuf) -> Self {
        ProfileStore {
            root,
            lock_wait: LOCK_WAIT,
        }
    }

    /// Waits at most `wait` for a shop's lock (tests: a busy shop answers at once).
    pub fn with_lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// The lock file of shop `name`, beside its profile (`NAME.lock` is never
    /// listed as a shop: only `.toml` files are).
    pub fn lock_path(&self, name: &str) -> Result<PathBuf, StorageError> {
        self.checked_path(name)?;
        Ok(self.profiles_dir().join(format!("{name}{LOCK_SUFFIX}")))
    }

    /// Takes shop `name`'s lock, waiting up to the store's lock wait while
    /// another process (or thread) holds it; then [`StorageError::Busy`].
    /// Released when no shop has the name (a refused import, a delete, a
    /// rename's old name), its lock file goes too.
    pub fn lock(&self, name: &str) -> Result<ShopLock, StorageError> {
        self.lock_within(name, self.lock_wait, true)
    }

    /// [`ProfileStore::lock`], waiting at most `wait`; with `tidy`, the lock
    /// file is removed on release when no profile file is at the name.
    fn lock_within(
        &self,
        name: &str,
        wait: Duration,
        tidy: bool,
    ) -> Result<ShopLock, StorageError> {
        let path = self.lock_path(name)?;
        self.private_dir(&self.profiles_dir())?;
        let werr = |e: std::io::Error| StorageError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let deadline = std::time::Instant::now() + wait;
        loop {
            let file = match open_lock_file(&path) {
                Ok(f) => f,
                // Windows: a lock file its holder is removing cannot be opened
                // until its last handle closes; then it is gone
                Err(e)
                    if cfg!(windows)
                        && e.kind() == std::io::ErrorKind::PermissionDenied
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(LOCK_POLL);
                    continue;
                }
                Err(e) => return Err(werr(e)),
            };
            match file.try_lock() {
                // a lock file removed (by its last holder, or `doctor --fix`)
                // while we waited is no lock: take the one now at the path
                Ok(()) if is_at(&file, &path) => {
                    return Ok(ShopLock {
                        _held: Box::new(HeldLock {
                            file,
                            profile: tidy.then(|| self.profile_path(name)),
                            path,
                        }),
                    });
                }
                Ok(()) | Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(e)) => return Err(werr(e)),
            }
            drop(file);
            if std::time::Instant::now() >= deadline {
                return Err(StorageError::Busy {
                    name: name.to_owned(),
                });
            }
            std::thread::sleep(LOCK_POLL);
        }
    }

    /// What no shop owns in our folders: stale temp files, and lock files of
    /// names no shop has (not even a damaged one whose file cannot be read;
    /// only those not held right now: an older version left them, as a lock
    /// now goes with its shop). With `fix`, they are removed (best effort); the
    /// list says what was found.
    pub fn leftovers(&self, fix: bool) -> Vec<Leftover> {
        let mut found = self.killed_writes(fix);
        let dirs = [
            self.root.clone(),
            self.profiles_dir(),
            self.root.join("mappings"),
        ];
        let temps = dirs
            .iter()
            .flat_map(|dir| stale_temp_files(dir, STALE_TEMP_AGE))
            .chain(self.killed_note_temps());
        for path in temps {
            if fix {
                let _ = fs::remove_file(&path);
            }
            found.push(Leftover::TempFile(path.display().to_string()));
        }
        let Ok(entries) = fs::read_dir(self.profiles_dir()) else {
            return found;
        };
        let mut locks: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let n = e
                    .file_name()
                    .to_str()?
                    .strip_suffix(LOCK_SUFFIX)?
                    .to_owned();
                (e.metadata().ok()?.is_file()
                    && self.lock_path(&n).is_ok()
                    && self.taken(&n).is_none()
                    && self.entries_naming(&n).is_empty())
                .then_some(n)
            })
            .collect();
        locks.sort();
        for name in locks {
            // a lock that is held belongs to an import under way
            // (not tidy: a look changes nothing)
            let Ok(held) = self.lock_within(&name, Duration::ZERO, false) else {
                continue;
            };
            let Ok(path) = self.lock_path(&name) else {
                continue;
            };
            if fix {
                // removed while held: a process waiting for it finds it gone and
                // locks the new file (see `lock`)
                let _ = fs::remove_file(&path);
            }
            drop(held);
            found.push(Leftover::LockFile(path.display().to_string()));
        }
        found
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn notes_dir(&self) -> PathBuf {
        self.root.join("writing")
    }

    /// Notes, in the config folder, that a write of a secret into the user's
    /// `folder` is under way (a `cert save`, an export): a kill leaves the note
    /// and [`ProfileStore::leftovers`] then looks in that folder for what the
    /// write left (it cannot know of the user's folders otherwise). Best
    /// effort: a note that cannot be written only means doctor will not look.
    pub fn note_write(&self, folder: &Path) -> WriteNote {
        let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
        let (Some(text), Ok(())) = (folder.to_str(), self.private_dir(&self.notes_dir())) else {
            return WriteNote::default();
        };
        let n: u64 = rand::random();
        let path = self.notes_dir().join(format!("{n:016x}.txt"));
        match write_note(&path, text) {
            Ok(()) => WriteNote { path: Some(path) },
            Err(_) => WriteNote::default(),
        }
    }

    /// The temp files a note's write left in `writing/` (a kill while it was
    /// written): those no live process holds (a writer holds its own locked until
    /// it is renamed into place, see [`write_note`]), or older than
    /// [`USER_TEMP_AGE`] where a lock cannot tell. They hold only a folder path.
    fn killed_note_temps(&self) -> Vec<PathBuf> {
        stale_temp_files(&self.notes_dir(), Duration::ZERO)
            .into_iter()
            .filter(|p| {
                let old = fs::symlink_metadata(p)
                    .ok()
                    .and_then(|m| m.modified().ok())
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > USER_TEMP_AGE);
                old || (cfg!(unix) && unheld(p))
            })
            .collect()
    }

    /// What killed writes left in the users' folders they noted: ours only
    /// (temp naming, no link followed), older than [`USER_TEMP_AGE`]. With
    /// `fix` they are removed, and a note whose write is long over once its
    /// folder holds nothing of ours.
    fn killed_writes(&self, fix: bool) -> Vec<Leftover> {
        let Ok(notes) = fs::read_dir(self.notes_dir()) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for note in notes.filter_map(Result::ok) {
            let is_note = note
                .file_name()
                .to_str()
                .is_some_and(|n| n.ends_with(".txt"));
            let Ok(meta) = note.metadata() else { continue };
            if !is_note || !meta.is_file() {
                continue;
            }
            let Ok(folder) = crate::services::files::read_text(&note.path(), 64 * 1024) else {
                continue;
            };
            let folder = Path::new(folder.trim());
            for item in ours_in(folder, USER_TEMP_AGE) {
                if fix {
                    let _ = match fs::symlink_metadata(&item) {
                        // std's remove_dir_all does not follow links inside
                        Ok(m) if m.is_dir() => fs::remove_dir_all(&item),
                        _ => fs::remove_file(&item),
                    };
                }
                found.push(Leftover::KilledWrite(item.display().to_string()));
            }
            let over = meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > USER_TEMP_AGE);
            if fix && over && ours_in(folder, Duration::ZERO).is_empty() {
                let _ = fs::remove_file(note.path());
            }
        }
        found.sort_by(|a, b| a.path().cmp(b.path()));
        found
    }

    /// The entries under the profiles folder that name shop `name` but are not
    /// a readable profile file: `NAME.toml` as a dangling link (a drive not
    /// mounted) or a folder, `NAME.toml.bak`, `NAME.txt`, `NAME` renamed by hand;
    /// names compared as Windows compares them. A readable `OTHER.toml` names
    /// only its own shop; our lock and temp files name none. Their paths, sorted.
    pub fn entries_naming(&self, name: &str) -> Vec<String> {
        use crate::domain::profile::same_profile_name;
        let Ok(entries) = fs::read_dir(self.profiles_dir()) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for e in entries.filter_map(Result::ok) {
            let file = e.file_name().to_string_lossy().into_owned();
            if file.starts_with(TEMP_PREFIX) && file.ends_with(TEMP_SUFFIX) {
                continue;
            }
            // `DirEntry::metadata` does not follow a link; `fs::metadata` does
            let is_file = fs::metadata(e.path()).is_ok_and(|m| m.is_file());
            if is_file && file.ends_with(LOCK_SUFFIX) {
                continue;
            }
            if let Some(stem) = file.strip_suffix(".toml")
                && is_file
                && self.checked_path(stem).is_ok()
            {
                // a profile file that can be opened: a shop of its own, listed as
                // such (damaged contents included), which names itself only
                if !same_profile_name(stem, name) || stem == name {
                    continue;
                }
            }
            // the whole name, and every part before a dot: `NAME.toml.bak` names NAME
            let names_it = std::iter::once(file.as_str())
                .chain(file.match_indices('.').map(|(i, _)| &file[..i]))
                .any(|candidate| same_profile_name(candidate.trim(), name));
            if names_it {
                found.push(e.path().display().to_string());
            }
        }
        found.sort();
        found
    }

    fn profiles_dir(&self) -> PathBuf {
        self.root.join("profiles")
    }

    /// Creates `dir` (and the config folder above it) private to the user.
    fn private_dir(&self, dir: &Path) -> Result<(), StorageError> {
        for d in [self.root.as_path(), dir] {
            create_private_dir(d).map_err(|e| StorageError::Write {
                path: d.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }

    pub fn profile_path(&self, name: &str) -> PathBuf {
        self.profiles_dir().join(format!("{name}.toml"))
    }

    /// The file of shop `name`, only for a name the shop-name rule accepts: a
    /// name from the command line, a bundle or the folder never reaches outside
    /// the profiles folder (`../x`, `/tmp/x`) or a device (`CON`).
    fn checked_path(&self, name: &str) -> Result<PathBuf, StorageError> {
        crate::domain::profile::check_stored_name(name)
            .ok()
            .filter(|()| name == name.trim())
            .map(|()| self.profile_path(name))
            .ok_or_else(|| StorageError::BadName {
                name: name.to_owned(),
            })
    }

    pub fn list(&self) -> Result<Vec<String>, StorageError> {
        let dir = self.profiles_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(read_err(&dir, e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let p = e.path();
                (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(str::to_owned))?
            })
            // a hand-placed `...toml` or `CON.toml` is no shop: its name would be a path
            .filter(|n| self.checked_path(n).is_ok())
            .collect();
        names.sort();
        Ok(names)
    }

    /// Where a custom field mapping that came in a bundle is kept: beside the
    /// profiles folder (inside it, `NAME.toml` would list as a shop).
    pub fn mapping_path(&self, name: &str) -> PathBuf {
        self.root.join("mappings").join(format!("{name}.toml"))
    }

    /// Writes a mapping's text for shop `name`; returns its path.
    pub fn save_mapping(&self, name: &str, text: &str) -> Result<PathBuf, StorageError> {
        self.checked_path(name)?;
        let path = self.mapping_path(name);
        self.private_dir(&self.root.join("mappings"))?;
        write_atomic(&path, text)?;
        Ok(path)
    }

    pub fn exists(&self, name: &str) -> bool {
        self.checked_path(name).is_ok_and(|p| p.is_file())
    }

    pub fn load(&self, name: &str) -> Result<Profile, StorageError> {
        let path = self.checked_path(name)?;
        let text = fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
        seen::record(&path, Some(&text));
        // the parser quotes the file's text: escaped, as anything read from a file
        let mut p: Profile = toml::from_str(&text).map_err(|e| StorageError::Damaged {
            path: path.display().to_string(),
            reason: crate::domain::text::printable(e.message()),
        })?;
        // The file name is the identity; a hand-edited `name` must not split them.
        p.name = name.to_owned();
        // a profile from before salted fingerprints gets its salt (saved with it next time)
        p.ensure_fingerprint_salt();
        Ok(p)
    }

    pub fn save(&self, profile: &Profile) -> Result<(), StorageError> {
        let text = toml::to_string_pretty(profile).map_err(|e| StorageError::Write {
            path: profile.name.clone(),
            reason: e.to_string(),
        })?;
        let header =
            "# wxpay-setup profile: non-secret values only. Secrets are in the OS keychain.\n";
        let path = self.checked_path(&profile.name)?;
        if !seen::unchanged(&path) {
            return Err(StorageError::ChangedElsewhere {
                name: profile.name.clone(),
            });
        }
        self.private_dir(&self.profiles_dir())?;
        let text = format!("{header}{text}");
        write_atomic(&path, &text)?;
        seen::record(&path, Some(&text));
        Ok(())
    }

    pub fn delete(&self, name: &str) -> Result<(), StorageError> {
        let path = self.checked_path(name)?;
        seen::record(&path, None);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StorageError::Write {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }

    fn settings_path(&self) -> PathBuf {
        self.root.join("settings.toml")
    }

    /// Missing or damaged settings fall back to defaults: they only hold preferences.
    pub fn load_settings(&self) -> Settings {
        fs::read_to_string(self.settings_path())
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default()
    }

    pub fn save_settings(&self, settings: &Settings) -> Result<(), StorageError> {
        let text = toml::to_string_pretty(settings).map_err(|e| StorageError::Write {
            path: "settings".into(),
            reason: e.to_string(),
        })?;
        self.private_dir(&self.root)?;
        write_atomic(&self.settings_path(), &text)
    }
}

/// What the app needs from profile storage. The real one is [`ProfileStore`]
/// (TOML files); [`MemoryProfiles`] is the fake the operations are tested with.
pub trait ProfileRepo: Send + Sync {
    /// Names, sorted.
    fn list(&self) -> Result<Vec<String>, StorageError>;
    fn exists(&self, name: &str) -> bool;
    fn load(&self, name: &str) -> Result<Profile, StorageError>;
    fn save(&self, profile: &Profile) -> Result<(), StorageError>;
    /// Deleting a profile that is not there is not an error.
    fn delete(&self, name: &str) -> Result<(), StorageError>;
    /// Missing or damaged settings fall back to defaults.
    fn load_settings(&self) -> Settings;
    fn save_settings(&self, settings: &Settings) -> Result<(), StorageError>;
    /// Where a profile is kept, as the user can find it (a file path).
    fn location(&self, name: &str) -> String;
    /// Keeps a custom field mapping's text for shop `name` (from a bundle);
    /// returns where the profile should point.
    fn save_mapping(&self, name: &str, text: &str) -> Result<PathBuf, StorageError>;
    /// Takes shop `name`'s lock, held by every operation that writes the shop
    /// (its profile or its keychain entries) until the guard is dropped; waits a
    /// little, then [`StorageError::Busy`]. Not reentrant: take it once per operation.
    fn lock(&self, name: &str) -> Result<ShopLock, StorageError>;
    /// Files of ours that no shop owns (see [`ProfileStore::leftovers`]); removed with `fix`.
    fn leftovers(&self, fix: bool) -> Vec<Leftover>;
    /// Notes that a write into the user's `folder` is under way, until the
    /// returned note is dropped (see [`ProfileStore::note_write`]).
    fn note_write(&self, folder: &Path) -> WriteNote {
        let _ = folder;
        WriteNote::default()
    }
    /// The stored shop that has the name `name` as Windows would see it (letter
    /// case and Unicode form aside: see `domain::profile::same_profile_name`),
    /// under its own spelling; `None` when no shop has it. A new, imported or
    /// renamed shop is refused a name taken so.
    fn taken(&self, name: &str) -> Option<String> {
        if self.exists(name) {
            return Some(name.to_owned());
        }
        self.list()
            .ok()?
            .into_iter()
            .find(|n| crate::domain::profile::same_profile_name(n, name))
    }
    /// The entries of the profiles folder that name shop `name` but are not a
    /// readable profile file (a dangling link, a folder, `NAME.toml.bak`): the
    /// shop is there, damaged, and still owns its keychain items.
    fn entries_naming(&self, name: &str) -> Vec<String> {
        let _ = name;
        Vec::new()
    }
}

impl ProfileRepo for ProfileStore {
    fn list(&self) -> Result<Vec<String>, StorageError> {
        ProfileStore::list(self)
    }
    fn exists(&self, name: &str) -> bool {
        ProfileStore::exists(self, name)
    }
    fn load(&self, name: &str) -> Result<Profile, StorageError> {
        ProfileStore::load(self, name)
    }
    fn save(&self, profile: &Profile) -> Result<(), StorageError> {
        ProfileStore::save(self, profile)
    }
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        ProfileStore::delete(self, name)
    }
    fn load_settings(&self) -> Settings {
        ProfileStore::load_settings(self)
    }
    fn save_settings(&self, settings: &Settings) -> Result<(), StorageError> {
        ProfileStore::save_settings(self, settings)
    }
    fn location(&self, name: &str) -> String {
        self.profile_path(name).display().to_string()
    }
    fn save_mapping(&self, name: &str, text: &str) -> Result<PathBuf, StorageError> {
        ProfileStore::save_mapping(self, name, text)
    }
    fn lock(&self, name: &str) -> Result<ShopLock, StorageError> {
        ProfileStore::lock(self, name)
    }
    fn leftovers(&self, fix: bool) -> Vec<Leftover> {
        ProfileStore::leftovers(self, fix)
    }
    fn note_write(&self, folder: &Path) -> WriteNote {
        ProfileStore::note_write(self, folder)
    }
    fn entries_naming(&self, name: &str) -> Vec<String> {
        ProfileStore::entries_naming(self, name)
    }
}

/// Profiles in memory, for tests. Writes can be made to fail.
#[derive(Default, Clone)]
pub struct MemoryProfiles {
    inner: std::sync::Arc<std::sync::Mutex<MemoryProfilesInner>>,
}

#[derive(Default)]
struct MemoryProfilesInner {
    profiles: std::collections::BTreeMap<String, Profile>,
    mappings: std::collections::BTreeMap<String, String>,
    settings: Settings,
    fail_writes: bool,
    /// The shops whose lock is held.
    locked: std::collections::BTreeSet<String>,
}

/// A [`MemoryProfiles`] lock: released when dropped.
struct MemoryLock {
    inner: std::sync::Arc<std::sync::Mutex<MemoryProfilesInner>>,
    name: String,
}

impl Drop for MemoryLock {
    fn drop(&mut self) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.locked.remove(&self.name);
    }
}

impl MemoryProfiles {
    pub fn new() -> Self {
        Self::default()
    }

    /// From now on every save and delete fails (a full disk, a read-only folder).
    pub fn set_fail_writes(&self, fail: bool) {
        self.state().fail_writes = fail;
    }

    fn state(&self) -> std::sync::MutexGuard<'_, MemoryProfilesInner> {
        // a panicking test thread must not poison every later test
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn writable(
        &self,
        name: &str,
    ) -> Result<std::sync::MutexGuard<'_, MemoryProfilesInner>, StorageError> {
        let g = self.state();
        if g.fail_writes {
            return Err(StorageError::Write {
                path: self.location(name),
                reason: "read-only".into(),
            });
        }
        Ok(g)
    }
}

impl ProfileRepo for MemoryProfiles {
    fn list(&self) -> Result<Vec<String>, StorageError> {
        Ok(self.state().profiles.keys().cloned().collect())
    }
    fn exists(&self, name: &str) -> bool {
        self.state().profiles.contains_key(name)
    }
    fn load(&self, name: &str) -> Result<Profile, StorageError> {
        self.state()
            .profiles
            .get(name)
            .cloned()
            .ok_or_else(|| StorageError::Read {
                path: self.location(name),
                reason: "not found".into(),
            })
    }
    fn save(&self, profile: &Profile) -> Result<(), StorageError> {
        self.writable(&profile.name)?
            .profiles
            .insert(profile.name.clone(), profile.clone());
        Ok(())
    }
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        self.writable(name)?.profiles.remove(name);
        Ok(())
    }
    fn load_settings(&self) -> Settings {
        self.state().settings.clone()
    }
    fn save_settings(&self, settings: &Settings) -> Result<(), StorageError> {
        self.writable("settings")?.settings = settings.clone();
        Ok(())
    }
    fn location(&self, name: &str) -> String {
        format!("memory:{name}")
    }
    fn save_mapping(&self, name: &str, text: &str) -> Result<PathBuf, StorageError> {
        let mut g = self.writable(name)?;
        g.mappings.insert(name.to_owned(), text.to_owned());
        Ok(PathBuf::from(format!("memory:mappings/{name}.toml")))
    }
    fn lock(&self, name: &str) -> Result<ShopLock, StorageError> {
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        loop {
            if self.state().locked.insert(name.to_owned()) {
                return Ok(ShopLock {
                    _held: Box::new(MemoryLock {
                        inner: self.inner.clone(),
                        name: name.to_owned(),
                    }),
                });
            }
            if std::time::Instant::now() >= deadline {
                return Err(StorageError::Busy {
                    name: name.to_owned(),
                });
            }
            std::thread::sleep(LOCK_POLL);
        }
    }
    fn leftovers(&self, _fix: bool) -> Vec<Leftover> {
        Vec::new()
    }
}

/// Moves everything under `legacy` (an older version's data folder) into `root`, then
/// removes the emptied `legacy` folders up to `root`. Nothing is lost: a file that
/// already exists in `root` with other contents is kept, and the moved one gets a free
/// name beside it (`店 (2).toml`, which lists as its own shop); an identical copy is
/// dropped. Safe to run at every start: without `legacy` it does nothing, and after a
/// failure half-way the rest is moved next time.
#[cfg_attr(not(windows), allow(dead_code))]
fn move_legacy_data(legacy: &Path, root: &Path) -> Result<(), StorageError> {
    if !legacy.is_dir() || legacy == root {
        return Ok(());
    }
    merge_dir(legacy, root)?;
    let mut dir = legacy;
    while dir != root && dir.starts_with(root) {
        // only removes empty folders: anything left stays where it was
        if fs::remove_dir(dir).is_err() {
            break;
        }
        match dir.parent() {
            Some(parent) => dir = parent,
            None => break,
        }
    }
    Ok(())
}

fn merge_dir(from: &Path, to: &Path) -> Result<(), StorageError> {
    let werr = |path: &Path, e: std::io::Error| StorageError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    fs::create_dir_all(to).map_err(|e| werr(to, e))?;
    for entry in fs::read_dir(from).map_err(|e| read_err(from, e))? {
        let src = entry.map_err(|e| read_err(from, e))?.path();
        let Some(name) = src.file_name() else {
            continue;
        };
        let dest = to.join(name);
        if src.is_dir() {
            merge_dir(&src, &dest)?;
            let _ = fs::remove_dir(&src);
            continue;
        }
        if !dest.exists() {
            fs::rename(&src, &dest).map_err(|e| werr(&dest, e))?;
        } else if fs::read(&src).ok() == Some(fs::read(&dest).map_err(|e| read_err(&dest, e))?) {
            fs::remove_file(&src).map_err(|e| werr(&src, e))?;
        } else {
            let free = free_name(&dest);
            fs::rename(&src, &free).map_err(|e| werr(&free, e))?;
        }
    }
    Ok(())
}

/// `dir/name (2).ext`, `dir/name (3).ext`, ...: the first that does not exist.
fn free_name(taken: &Path) -> PathBuf {
    let stem = taken.file_stem().unwrap_or_default().to_string_lossy();
    let ext = taken
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..)
        .map(|n| taken.with_file_name(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| taken.to_path_buf())
}

fn read_err(path: &Path, e: std::io::Error) -> StorageError {
    StorageError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// A folder readable by its owner only (0700 on unix), with any missing
/// parents (those get the usual mode). An existing folder is left as it is.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    // the mode is set on unix only: elsewhere `b` is never changed
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut b = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    match b.create(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        r => r,
    }
}

/// A shop's lock file is `NAME.lock` in the profiles folder.
pub const LOCK_SUFFIX: &str = ".lock";

/// A lock file held (the OS lock is released when `file` closes).
struct HeldLock {
    file: fs::File,
    path: PathBuf,
    /// With the shop's profile file: the lock file is removed on release when
    /// nothing is at that name (no shop, or not any more).
    profile: Option<PathBuf>,
}

impl Drop for HeldLock {
    /// Still holding the lock, the file goes when no shop has the name. A
    /// process waiting on this file finds it gone once it gets the lock, and
    /// locks the one at the path then (see [`ProfileStore::lock`]); only the
    /// file at the path, which only its holder removes, is ever removed.
    fn drop(&mut self) {
        let Some(profile) = &self.profile else {
            return;
        };
        let no_shop = matches!(
            fs::symlink_metadata(profile),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound
        );
        if no_shop && is_at(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Opens (or creates, owner-only) a lock file; it is never written to.
fn open_lock_file(path: &Path) -> std::io::Result<fs::File> {
    let mut o = fs::OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Whether `file` is still the file at `path` (not removed or replaced since it was opened).
fn is_at(file: &fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    // by the volume and file index, as unix compares device and inode: "a file
    // is there" is not enough once a released lock file can be removed and made
    // again (a process holding the old one would think it holds the new one)
    #[cfg(windows)]
    {
        match fs::File::open(path) {
            Ok(there) => {
                windows_file_id(file).is_some_and(|id| Some(id) == windows_file_id(&there))
            }
            // gone, or being removed (delete pending: no new handle is given)
            Err(_) => false,
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = file;
        path.is_file()
    }
}

/// The volume serial number and file index of an open file.
#[cfg(windows)]
fn windows_file_id(file: &fs::File) -> Option<(u32, u32, u32)> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Storage::FileSystem::{
        BY_HANDLE_FILE_INFORMATION, GetFileInformationByHandle,
    };
    // SAFETY: all-zero is a valid value of this plain C struct
    let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: the handle is open for the length of the call, `info` is ours
    let ok = unsafe { GetFileInformationByHandle(file.as_raw_handle() as _, &mut info) };
    (ok != 0).then_some((
        info.dwVolumeSerialNumber,
        info.nFileIndexHigh,
        info.nFileIndexLow,
    ))
}

/// How our temp files are named: `.wxpay-setup-XXXXXX.tmp`.
pub const TEMP_PREFIX: &str = ".wxpay-setup-";
pub const TEMP_SUFFIX: &str = ".tmp";
/// A temp file of ours older than this is a crash's leftover.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(60 * 60);

/// A temp file or folder of ours in a user's folder (an export's, a `cert
/// save`'s) older than this is a kill's leftover, which may hold the private
/// key or plain secrets. The wait only spares a write still running in another
/// process, and such a write takes well under a second; removing one anyway
/// only makes that write fail and say so (nothing under its name, nothing lost:
/// the secrets are in the keychain). A minute is plenty.
pub const USER_TEMP_AGE: Duration = Duration::from_secs(60);

/// Our temp files and folders in `dir` (temp naming; links never followed)
/// last changed more than `age` ago, sorted.
fn ours_in(dir: &Path, age: Duration) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            // DirEntry::metadata does not follow a link
            name.starts_with(TEMP_PREFIX)
                && name.ends_with(TEMP_SUFFIX)
                && e.metadata().is_ok_and(|m| {
                    (m.is_file() || m.is_dir())
                        && (age.is_zero()
                            || m.modified()
                                .ok()
                                .and_then(|t| t.elapsed().ok())
                                .is_some_and(|a| a > age))
                })
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// Removes our temp files in `dir` older than [`STALE_TEMP_AGE`]: regular
/// files only (a link is never followed). Best effort: an error leaves it.
pub fn remove_stale_temp_files(dir: &Path) {
    remove_temp_files_older_than(dir, STALE_TEMP_AGE);
}

/// Removes our temp files in `dir` older than `age` (regular files only, a
/// link is never followed); gives how many. Best effort: an error leaves one.
pub fn remove_temp_files_older_than(dir: &Path, age: Duration) -> usize {
    stale_temp_files(dir, age)
        .into_iter()
        .filter(|path| fs::remove_file(path).is_ok())
        .count()
}

/// Our temp files in `dir` older than `max_age` (regular files only).
fn stale_temp_files(dir: &Path, max_age: Duration) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        // DirEntry::metadata does not follow a symlink
        let Ok(meta) = e.metadata() else { continue };
        let age = meta.modified().ok().and_then(|m| m.elapsed().ok());
        if meta.is_file() && age.is_some_and(|a| a > max_age) {
            out.push(e.path());
        }
    }
    out.sort();
    out
}

/// A note of a write under way ([`ProfileStore::note_write`]), written as
/// [`write_atomic`] does, its temp file locked by this process until it is
/// renamed into place: doctor then tells a killed note's temp file (unlocked,
/// its process gone) from one being written right now.
fn write_note(path: &Path, text: &str) -> Result<(), StorageError> {
    let err = |e: std::io::Error| StorageError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = temp_file_in(dir).map_err(err)?;
    // unix only: a lock there is advisory and never in the way of the rename
    #[cfg(unix)]
    tmp.as_file().lock().map_err(err)?;
    tmp.write_all(text.as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    persist(tmp, path)
}

/// Whether no live process holds a lock on the file at `path` (opened without
/// following a link; one that cannot be opened counts as held: left alone).
fn unheld(path: &Path) -> bool {
    let mut o = fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    o.open(path).is_ok_and(|f| f.try_lock().is_ok())
}

/// A new temp file of ours in `dir`, owner-only from its creation; the stale
/// ones of earlier crashes in `dir` are removed first.
pub fn temp_file_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    remove_stale_temp_files(dir);
    let mut b = tempfile::Builder::new();
    b.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(fs::Permissions::from_mode(0o600));
    }
    b.tempfile_in(dir)
}

/// Whether a file of ours may be put at `path`: nothing is there, or a
/// regular file, or a link to one (the link is replaced, its target is not
/// touched). A device, a FIFO, a socket, a folder or a link to none of these
/// (or to nothing) is [`StorageError::NotAFile`]: renaming our file over it
/// would replace the special file itself (as root, `/dev/full` became a plain
/// file). Every file we write for a user and for ourselves is checked here,
/// before anything is written and again just before the rename.
pub fn check_replaceable(path: &Path) -> Result<(), StorageError> {
    let not_a_file = || StorageError::NotAFile {
        path: path.display().to_string(),
    };
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StorageError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        }),
        Ok(m) if m.is_file() => Ok(()),
        // a link: what it points to decides (a link to nothing is refused)
        Ok(m) if m.file_type().is_symlink() => match fs::metadata(path) {
            Ok(target) if target.is_file() => Ok(()),
            _ => Err(not_a_file()),
        },
        Ok(_) => Err(not_a_file()),
    }
}

/// Puts the finished temp file `tmp` (of [`temp_file_in`], in `path`'s folder)
/// at `path`, after [`check_replaceable`]. The check and the rename are two
/// steps: a special file made at the name in between would still be replaced
/// (renameat2 has no "only over a regular file").
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<(), StorageError> {
    check_replaceable(path)?;
    tmp.persist(path).map_err(|e| StorageError::Write {
        path: path.display().to_string(),
        reason: e.error.to_string(),
    })?;
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temp file of ours beside it
/// (owner-only from its creation), synced, then renamed over it. A special
/// file at `path` is refused before anything is written ([`check_replaceable`]).
pub fn write_atomic_bytes(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    let err = |e: &dyn std::fmt::Display| StorageError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    check_replaceable(path)?;
    let dir = path
        .parent()
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        })
        .ok_or_else(|| err(&"no parent folder"))?;
    fs::create_dir_all(dir).map_err(|e| err(&e))?;
    let mut tmp = temp_file_in(dir).map_err(|e| err(&e))?;
    tmp.write_all(bytes).map_err(|e| err(&e))?;
    tmp.as_file().sync_all().map_err(|e| err(&e))?;
    persist(tmp, path)
}

/// [`write_atomic_bytes`] of a text.
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), StorageError> {
    write_atomic_bytes(path, contents.as_bytes())
}

/// What this process last read or wrote of each profile file, so that a save
/// never overwrites a version it has not seen (a window open on a shop while a
/// script re-imports it would otherwise write its old AppIDs back beside the
/// script's new keys). Per process, by path: every store in the process shares
/// it. A file the process never read may be written (a new shop, or a
/// deliberate `--replace`); callers hold the shop's lock, so read-and-write is
/// not raced by a well-behaved writer.
mod seen {
    use std::collections::HashMap;
    use std::hash::{DefaultHasher, Hash, Hasher};
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    /// `None`: the file did not exist (this process deleted it).
    static SEEN: Mutex<Option<HashMap<PathBuf, Option<u64>>>> = Mutex::new(None);

    fn digest(text: &str) -> u64 {
        let mut h = DefaultHasher::new();
        text.hash(&mut h);
        h.finish()
    }

    pub fn record(path: &Path, text: Option<&str>) {
        let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
        seen.get_or_insert_with(HashMap::new)
            .insert(path.to_owned(), text.map(digest));
    }

    /// Whether the file is as this process last saw it (or was never seen).
    pub fn unchanged(path: &Path) -> bool {
        let expected = {
            let seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
            match seen.as_ref().and_then(|m| m.get(path)) {
                Some(e) => *e,
                None => return true,
            }
        };
        let now = match std::fs::read_to_string(path) {
            Ok(t) => Some(digest(&t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            // unreadable now: the write will say why
            Err(_) => return true,
        };
        now == expected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_never_overwrites_a_version_this_process_has_not_seen() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().to_path_buf());
        let mut p = Profile::new("店");
        p.mp_appid = "wx1111111111111111".into();
        store.save(&p).unwrap();
        let path = store.profile_path("店");

        // another process rewrites the shop
        let theirs = fs::read_to_string(&path)
            .unwrap()
            .replace("wx1111111111111111", "wx2222222222222222");
        fs::write(&path, &theirs).unwrap();
        p.mchid = "1900006031".into();
        assert!(matches!(
            store.save(&p),
            Err(StorageError::ChangedElsewhere { .. })
        ));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            theirs,
            "theirs was touched"
        );

        // once read, it is ours to change
        let mut p = store.load("店").unwrap();
        p.mchid = "1900006031".into();
        store.save(&p).unwrap();
        assert_eq!(store.load("店").unwrap().mp_appid, "wx2222222222222222");

        // deleted by another process: not brought back
        fs::remove_file(&path).unwrap();
        assert!(matches!(
            store.save(&p),
            Err(StorageError::ChangedElsewhere { .. })
        ));
        assert!(!path.exists());

        // deleted by this process, or never seen: written
        store.delete("店").unwrap();
        store.save(&p).unwrap();
        store.save(&Profile::new("新店")).unwrap();
    }

    #[test]
    fn save_load_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().to_path_buf());
        assert!(store.list().unwrap().is_empty());
        let mut p = Profile::new("店B");
        p.mchid = "1900006031".into();
        store.save(&p).unwrap();
        store.save(&Profile::new("a-shop")).unwrap();
        assert_eq!(store.list().unwrap(), ["a-shop", "店B"]);
        assert_eq!(store.load("店B").unwrap(), p);
        store.delete("店B").unwrap();
        store.delete("店B").unwrap();
        assert_eq!(store.list().unwrap(), ["a-shop"]);
        // no temp files are left behind
        let files: Vec<_> = fs::read_dir(dir.path().join("profiles")).unwrap().collect();
        assert_eq!(files.len(), 1);
    }

    #[test]
    fn the_fingerprint_salt_is_made_once_and_kept_across_saves() {
        use crate::domain::check::{CheckId, CheckRecord, fingerprint};
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().to_path_buf());
        fs::create_dir_all(dir.path().join("profiles")).unwrap();
        // a profile written before salts, with a result fingerprinted the old way
        let secrets = Default::default();
        let mut old = Profile::new("旧店");
        old.fingerprint_salt.clear();
        let stale = fingerprint(CheckId::MpAppSecret, &old, &secrets);
        old.checks.insert(
            CheckId::MpAppSecret,
            CheckRecord {
                outcome: crate::domain::wxapi::Outcome::ok("mp_ok"),
                at: "2026-11-27T08:00:00Z".into(),
                fingerprint: stale.clone(),
            },
        );
        fs::write(
            store.profile_path("旧店"),
            toml::to_string(&old)
                .unwrap()
                .replace("fingerprint_salt = \"\"\n", ""),
        )
        .unwrap();
        let loaded = store.load("旧店").unwrap();
        assert_eq!(loaded.fingerprint_salt.len(), 32);
        assert_ne!(
            fingerprint(CheckId::MpAppSecret, &loaded, &secrets),
            stale,
            "the old result shows as stale"
        );
        store.save(&loaded).unwrap();
        assert_eq!(
            store.load("旧店").unwrap().fingerprint_salt,
            loaded.fingerprint_salt
        );
    }

    #[test]
    fn a_stale_temp_file_of_ours_is_removed_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, age: Duration| {
            let p = dir.path().join(name);
            let f = fs::File::create(&p).unwrap();
            f.set_modified(std::time::SystemTime::now() - age).unwrap();
            p
        };
        let two_hours = Duration::from_secs(2 * 3600);
        let stale = file(".wxpay-setup-Ab12Cd.tmp", two_hours);
        let running = file(".wxpay-setup-Ef34Gh.tmp", Duration::from_secs(60));
        let not_ours = file(".tmpXy56Zw", two_hours);
        write_atomic(&dir.path().join("out.toml"), "a = 1\n").unwrap();
        assert!(!stale.exists(), "a crash's leftover stays");
        assert!(
            running.exists(),
            "a write still running elsewhere lost its file"
        );
        assert!(not_ours.exists(), "a file not of our naming was removed");
        assert_eq!(
            fs::read_to_string(dir.path().join("out.toml")).unwrap(),
            "a = 1\n"
        );
    }

    /// Trial M1: every file we write for a user (an export, the window's report
    /// and certificate files) goes through here: a FIFO, a socket or a link to
    /// nothing at the name is refused and left as it was.
    #[cfg(unix)]
    #[test]
    fn a_write_never_replaces_what_is_not_a_regular_file() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("report.html");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let socket = dir.path().join("apiclient_cert.pem");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let dangling = dir.path().join("apiclient_key.pem");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        for path in [&fifo, &socket, &dangling] {
            let e = write_atomic(path, "x").unwrap_err();
            assert!(
                matches!(&e, StorageError::NotAFile { path: p } if *p == path.display().to_string()),
                "{}: {e:?}",
                path.display()
            );
        }
        let kind = |p: &Path| fs::symlink_metadata(p).unwrap().file_type();
        assert!(kind(&fifo).is_fifo() && kind(&socket).is_socket() && kind(&dangling).is_symlink());
        // a regular file, and a link to one, are replaced as before
        let plain = dir.path().join("plain.txt");
        fs::write(&plain, "old").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&plain, &link).unwrap();
        write_atomic(&plain, "new").unwrap();
        write_atomic(&link, "via link").unwrap();
        assert_eq!(fs::read_to_string(&plain).unwrap(), "new");
        assert_eq!(fs::read_to_string(&link).unwrap(), "via link");
        let left = fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(left, 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_temp_file_is_owner_only_from_its_creation() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let tmp = temp_file_in(dir.path()).unwrap();
        let name = tmp.path().file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX),
            "{name}"
        );
        let mode = tmp.as_file().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "before anything is written into it");
    }

    #[cfg(unix)]
    #[test]
    fn the_config_and_profile_folders_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("wxpay-setup");
        let store = ProfileStore::at(root.clone());
        store.save(&Profile::new("店")).unwrap();
        store.save_mapping("店", "[fields]\n").unwrap();
        for d in [root.clone(), root.join("profiles"), root.join("mappings")] {
            let mode = fs::metadata(&d).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", d.display());
        }
    }

    /// Trial minor 8: a finished write takes its note with it; a killed one's
    /// note stays, doctor looks in its folder, and `fix` drops the note once
    /// its write is long over and nothing of ours is left there.
    #[test]
    fn a_write_note_stays_only_for_a_killed_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().join("config"));
        let out = tempfile::tempdir().unwrap();
        let notes = || fs::read_dir(store.notes_dir()).unwrap().count();
        drop(store.note_write(out.path()));
        assert_eq!(notes(), 0, "a finished write left its note");
        let mut killed = store.note_write(out.path());
        let note = killed.path.take().unwrap();
        assert_eq!(
            fs::read_to_string(&note).unwrap(),
            out.path().display().to_string()
        );
        // young: its write may still run; nothing of ours in its folder
        assert!(store.leftovers(true).is_empty());
        assert!(note.exists());
        fs::File::options()
            .write(true)
            .open(&note)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - Duration::from_secs(120))
            .unwrap();
        assert!(store.leftovers(false).is_empty());
        assert!(note.exists(), "a look changes nothing");
        store.leftovers(true);
        assert!(!note.exists());
    }

    /// Second CLI trial, minor 5: a save killed while its note was written leaves
    /// the note's temp file in `writing/` (it holds only a folder path). Doctor
    /// lists and, with `fix`, removes it at once unless a live process holds it
    /// (the note's writer locks it until it is renamed into place).
    #[test]
    #[cfg(unix)]
    fn a_killed_notes_temp_file_is_found_and_removed_unless_a_writer_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().join("config"));
        let out = tempfile::tempdir().unwrap();
        drop(store.note_write(out.path()));
        let left = store.notes_dir().join(".wxpay-setup-Ab12Cd.tmp");
        fs::write(&left, out.path().display().to_string()).unwrap();
        // a writer alive right now: its temp file is locked, and left alone
        let live = store.notes_dir().join(".wxpay-setup-Ef34Gh.tmp");
        fs::write(&live, "").unwrap();
        let held = fs::File::open(&live).unwrap();
        held.lock().unwrap();
        let found = store.leftovers(false);
        assert_eq!(
            found,
            [Leftover::TempFile(left.display().to_string())],
            "{found:?}"
        );
        assert!(left.exists(), "a look changes nothing");
        store.leftovers(true);
        assert!(!left.exists());
        assert!(live.exists(), "a live writer's file stays");
        drop(held);
        assert_eq!(store.leftovers(true).len(), 1, "its writer gone: stale");
        assert!(!live.exists());
        // the note writer holds the lock while it writes: a finished one leaves nothing
        assert_eq!(fs::read_dir(store.notes_dir()).unwrap().count(), 0);
    }

    /// Trial minor 10: a new name's space is the ordinary one; a shop an older
    /// version saved under a no-break space still lists and opens (nothing lost).
    #[test]
    fn a_shop_saved_under_an_odd_space_by_an_older_version_still_opens() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().to_path_buf());
        store.save(&Profile::new("x\u{a0}y")).unwrap();
        assert_eq!(store.list().unwrap(), ["x\u{a0}y"]);
        assert!(store.exists("x\u{a0}y"));
        assert_eq!(store.load("x\u{a0}y").unwrap().name, "x\u{a0}y");
    }

    #[test]
    fn damaged_profile_is_reported_not_panicked() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().to_path_buf());
        fs::create_dir_all(dir.path().join("profiles")).unwrap();
        fs::write(store.profile_path("x"), "mchid = [unclosed").unwrap();
        assert!(matches!(store.load("x"), Err(StorageError::Damaged { .. })));
    }

    #[test]
    fn legacy_data_folder_is_moved_without_losing_anything() {
        // the Windows layout: %APPDATA%\wxpay-setup holds 0.1.0's wxpay-setup\config
        let appdata = tempfile::tempdir().unwrap();
        let root = appdata.path().join("wxpay-setup");
        let legacy = root.join("wxpay-setup").join("config");
        let old = ProfileStore::at(legacy.clone());
        let mut a = Profile::new("店A");
        a.mchid = "1900006031".into();
        old.save(&a).unwrap();
        let mut b_old = Profile::new("b");
        b_old.mchid = "1900000001".into();
        old.save(&b_old).unwrap();
        old.save(&Profile::new("same")).unwrap();
        old.save_settings(&Settings {
            lang: Some(Lang::En),
            last_profile: Some("店A".into()),
        })
        .unwrap();
        // the new folder already has another "b" and the identical "same"
        let new = ProfileStore::at(root.clone());
        let mut b_new = Profile::new("b");
        b_new.mchid = "1900000002".into();
        new.save(&b_new).unwrap();
        fs::copy(old.profile_path("same"), new.profile_path("same")).unwrap();

        move_legacy_data(&legacy, &root).unwrap();

        assert!(
            !root.join("wxpay-setup").exists(),
            "the doubled folder is gone"
        );
        assert_eq!(new.list().unwrap(), ["b", "b (2)", "same", "店A"]);
        assert_eq!(new.load("店A").unwrap(), a);
        assert_eq!(new.load("b").unwrap().mchid, "1900000002");
        assert_eq!(new.load("b (2)").unwrap().mchid, "1900000001");
        assert_eq!(new.load_settings().last_profile.as_deref(), Some("店A"));
        // a second start finds nothing to move and changes nothing
        move_legacy_data(&legacy, &root).unwrap();
        assert_eq!(new.list().unwrap(), ["b", "b (2)", "same", "店A"]);
    }

    #[test]
    fn settings_default_when_missing_or_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().to_path_buf());
        assert_eq!(store.load_settings(), Settings::default());
        let s = Settings {
            lang: Some(Lang::En),
            last_profile: Some("店".into()),
        };
        store.save_settings(&s).unwrap();
        assert_eq!(store.load_settings(), s);
        fs::write(dir.path().join("settings.toml"), "lang = 5").unwrap();
        assert_eq!(store.load_settings(), Settings::default());
    }
}
