//! Profiles and settings as human-readable TOML files in the platform config
//! directory, each written atomically (temp file in the same folder + rename) so
//! that a crash mid-write never leaves a half file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::profile::Profile;
use crate::i18n::Lang;

#[derive(Debug, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter), vis(pub))]
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
                D::Read => StorageError::Read {
                    path: path(),
                    reason: reason(),
                },
                D::Damaged => StorageError::Damaged {
                    path: path(),
                    reason: reason(),
                },
                D::NoConfigDir => StorageError::NoConfigDir,
            })
            .collect()
    }

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
    /// config directory (`~/.config/wxpay-setup` on Linux).
    pub fn open_default() -> Result<Self, StorageError> {
        if let Some(dir) = std::env::var_os("WXPAY_SETUP_CONFIG_DIR").filter(|d| !d.is_empty()) {
            return Ok(Self::at(PathBuf::from(dir)));
        }
        let dirs = directories::ProjectDirs::from("cn", "wxpay-setup", "wxpay-setup")
            .ok_or(StorageError::NoConfigDir)?;
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

    /// Where a custom field mapping that came in a bundle is kept: beside the
    /// profiles folder (inside it, `NAME.toml` would list as a shop).
    pub fn mapping_path(&self, name: &str) -> PathBuf {
        self.root.join("mappings").join(format!("{name}.toml"))
    }

    /// Writes a mapping's text for shop `name`; returns its path.
    pub fn save_mapping(&self, name: &str, text: &str) -> Result<PathBuf, StorageError> {
        let path = self.mapping_path(name);
        write_atomic(&path, text)?;
        Ok(path)
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
    fn damaged_profile_is_reported_not_panicked() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().to_path_buf());
        fs::create_dir_all(dir.path().join("profiles")).unwrap();
        fs::write(store.profile_path("x"), "mchid = [unclosed").unwrap();
        assert!(matches!(store.load("x"), Err(StorageError::Damaged { .. })));
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
