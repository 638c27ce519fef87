//! Profiles and settings as human-readable TOML files in the platform config
//! directory, each written atomically (temp file in the same folder + rename) so
//! that a crash mid-write never leaves a half file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::profile::Profile;
use crate::i18n::Lang;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is damaged: {reason}")]
    Damaged { path: String, reason: String },
    #[error("no configuration folder on this system")]
    NoConfigDir,
}

impl StorageError {
    pub fn code(&self) -> &'static str {
        match self {
            StorageError::Write { .. } => "write",
            StorageError::Read { .. } => "read",
            StorageError::Damaged { .. } => "damaged",
            StorageError::NoConfigDir => "no_config_dir",
        }
    }

    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            StorageError::Write { path, reason }
            | StorageError::Read { path, reason }
            | StorageError::Damaged { path, reason } => {
                vec![("path", path.clone()), ("reason", reason.clone())]
            }
            StorageError::NoConfigDir => Vec::new(),
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
        ProfileStore { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn profiles_dir(&self) -> PathBuf {
        self.root.join("profiles")
    }

    pub fn profile_path(&self, name: &str) -> PathBuf {
        self.profiles_dir().join(format!("{name}.toml"))
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
            .collect();
        names.sort();
        Ok(names)
    }

    pub fn exists(&self, name: &str) -> bool {
        self.profile_path(name).is_file()
    }

    pub fn load(&self, name: &str) -> Result<Profile, StorageError> {
        let path = self.profile_path(name);
        let text = fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
        let mut p: Profile = toml::from_str(&text).map_err(|e| StorageError::Damaged {
            path: path.display().to_string(),
            reason: e.message().to_owned(),
        })?;
        // The file name is the identity; a hand-edited `name` must not split them.
        p.name = name.to_owned();
        Ok(p)
    }

    pub fn save(&self, profile: &Profile) -> Result<(), StorageError> {
        let text = toml::to_string_pretty(profile).map_err(|e| StorageError::Write {
            path: profile.name.clone(),
            reason: e.to_string(),
        })?;
        let header =
            "# wxpay-setup profile: non-secret values only. Secrets are in the OS keychain.\n";
        write_atomic(
            &self.profile_path(&profile.name),
            &format!("{header}{text}"),
        )
    }

    pub fn delete(&self, name: &str) -> Result<(), StorageError> {
        let path = self.profile_path(name);
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
        write_atomic(&self.settings_path(), &text)
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

pub fn write_atomic(path: &Path, contents: &str) -> Result<(), StorageError> {
    let err = |e: &dyn std::fmt::Display| StorageError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let dir = path.parent().ok_or_else(|| err(&"no parent folder"))?;
    fs::create_dir_all(dir).map_err(|e| err(&e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| err(&e))?;
    tmp.write_all(contents.as_bytes()).map_err(|e| err(&e))?;
    tmp.as_file().sync_all().map_err(|e| err(&e))?;
    tmp.persist(path).map_err(|e| err(&e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
