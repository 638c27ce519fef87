//! Export profiles: the encrypted bundle (another computer imports it) or one
//! of the stack formats (config file and PEM files for a backend), one profile
//! or all of them. Every file is written atomically. An existing file is never
//! overwritten unless the caller says so (`--force`): the command checks every
//! file a profile's export would write before writing any.
//!
//! A kill mid-write leaves a temp file of ours (`.wxpay-setup-XXXXXX.tmp`,
//! owner-only, and with `--include-secrets` holding the plain secrets or the
//! private key of a stack format) in the user's folder; every export into a
//! folder first removes ours there older than [`STALE_EXPORT_TEMP_AGE`] (a
//! minute), and `profile doctor` finds them through the note the export keeps
//! in the config folder while it writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Ctx, Each, OpError, Which, load_profile, load_secrets};
use crate::domain::bundle::{self, SecretPart};
use crate::domain::export::Format;
use crate::domain::profile::{Profile, SecretField};
use crate::domain::secret::Secret;
use crate::i18n::{Arg, Message};
use crate::services::profile_store::StorageError;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The zip bundle, secrets encrypted with a passphrase.
    Bundle,
    /// A stack's config files, into a folder.
    Stack(Format),
}

impl Target {
    pub const BUNDLE: &str = "bundle";

    pub fn parse(s: &str) -> Option<Target> {
        match s.trim() {
            Self::BUNDLE => Some(Target::Bundle),
            other => Format::parse(other).map(Target::Stack),
        }
    }

    /// Every name [`Target::parse`] accepts.
    pub fn names() -> Vec<&'static str> {
        std::iter::once(Self::BUNDLE)
            .chain(Format::ALL.iter().map(|f| f.name()))
            .collect()
    }

    /// Where one profile of an `--all` export goes inside `dir`.
    pub fn path_in(self, dir: &Path, name: &str) -> PathBuf {
        match self {
            Target::Bundle => dir.join(format!("{name}.zip")),
            Target::Stack(_) => dir.join(name),
        }
    }
}

/// Why an export failed; nothing half-written is left under the target name.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Op(#[from] OpError),
    #[error("{0}")]
    Write(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A file the export would write exists (and overwriting was not asked for).
    #[error("{} exists", .0.display())]
    Exists(PathBuf),
    /// A folder is needed (a stack's files, `--all`), and this is a file.
    /// (The window shows this text as its reason: worded as the system's, so
    /// that `ui::causes` tells it in the owner's words.)
    #[error("{}: not a directory", .0.display())]
    NotAFolder(PathBuf),
    /// The bundle is one file, and this is a folder.
    #[error("{}: is a directory", .0.display())]
    IsAFolder(PathBuf),
}

impl ExportError {
    /// The reason as the window's notice shows it (after "Export failed: ").
    pub fn reason(&self) -> String {
        self.to_string()
    }
}

impl Message for ExportError {
    fn key(&self) -> String {
        match self {
            ExportError::Op(e) => e.key(),
            ExportError::Write(_) => "notice.export_failed".into(),
            ExportError::Storage(e) => e.key(),
            ExportError::Exists(_) => "cli.export_exists".into(),
            ExportError::NotAFolder(_) => "cli.export_not_a_folder".into(),
            ExportError::IsAFolder(_) => "cli.export_is_a_folder".into(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            ExportError::Op(e) => e.args(),
            ExportError::Write(reason) => vec![("reason", reason.as_str().into())],
            ExportError::Storage(e) => Message::args(e),
            ExportError::Exists(path) | ExportError::NotAFolder(path) => {
                vec![("path", path.display().to_string().into())]
            }
            ExportError::IsAFolder(path) => vec![
                ("path", path.display().to_string().into()),
                (
                    "example",
                    path.join("shop.zip").display().to_string().into(),
                ),
            ],
        }
    }
}

impl From<crate::services::secret_store::StoreError> for ExportError {
    fn from(e: crate::services::secret_store::StoreError) -> Self {
        ExportError::Op(e.into())
    }
}

/// One profile's export.
#[derive(Debug, Serialize)]
pub struct Exported {
    pub name: String,
    /// The bundle, or the stack's main config file.
    pub path: PathBuf,
}

/// How to export: with secrets (in the bundle under the passphrase; in plain
/// for stack formats), and whether existing files may be overwritten.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    pub include_secrets: bool,
    pub passphrase: Option<&'a Secret>,
    pub overwrite: bool,
}

/// Exports the stored profile `name` to `out`; secrets included when a
/// passphrase (bundle) or `include_secrets` (stack formats, in plain) says so.
pub fn export_one(
    ctx: &Ctx,
    name: &str,
    target: Target,
    out: &Path,
    o: Options<'_>,
) -> Result<Exported, ExportError> {
    let (include_secrets, passphrase) = (o.include_secrets, o.passphrase);
    let p = load_profile(ctx, name)?;
    // what --out names must be a file (bundle) or a folder (stack), --force or not
    let folder = match target {
        Target::Bundle => {
            if out.is_dir() {
                return Err(ExportError::IsAFolder(out.to_path_buf()));
            }
            parent_of(out)
        }
        Target::Stack(_) => out,
    };
    if let Some(file) = file_in_the_way(folder) {
        return Err(ExportError::NotAFolder(file));
    }
    sweep_stale_temp_files(folder);
    // until the files are written: a kill leaves this note for `profile doctor`
    let _note = ctx.profiles.note_write(folder);
    let secrets = if include_secrets {
        Some(load_secrets(ctx, name)?)
    } else {
        None
    };
    let files = match target {
        Target::Bundle => vec![out.to_path_buf()],
        Target::Stack(format) => stack_files(out, format, &p, secrets.as_ref()),
    };
    if !o.overwrite {
        // a link counts as there, even when it points nowhere
        if let Some(f) = files.iter().find(|f| f.symlink_metadata().is_ok()) {
            return Err(ExportError::Exists(f.clone()));
        }
    }
    // a device, a FIFO, a socket: never replaced, `--force` or not; checked for
    // every file before any is written
    for f in &files {
        crate::services::profile_store::check_replaceable(f)?;
    }
    let path = match target {
        Target::Bundle => {
            let secrets = secrets
                .map(|s| with_pending_key(ctx, name, &p, s))
                .transpose()?;
            let part = secrets.zip(passphrase.cloned());
            write_bundle(out, &p, part.as_ref())?
        }
        Target::Stack(format) => write_format(out, format, &p, secrets.as_ref())?,
    };
    Ok(Exported {
        name: name.to_owned(),
        path,
    })
}

/// Exports each profile of `which`: one to `out`; all into the folder `out`,
/// each under its name. `progress` hears of each as it is done.
pub fn export_many(
    ctx: &Ctx,
    which: &Which,
    target: Target,
    out: &Path,
    o: Options<'_>,
    progress: impl FnMut(usize, usize, &str, &Result<Exported, ExportError>),
) -> Result<Each<Exported, ExportError>, OpError> {
    let names = which.names(ctx)?;
    let path_of = |name: &str| match which {
        Which::One(_) => out.to_path_buf(),
        Which::All => target.path_in(out, name),
    };
    Ok(super::each(
        &names,
        |name| export_one(ctx, name, target, &path_of(name), o),
        progress,
    ))
}

/// A temp file of ours in an export folder older than this is a kill's
/// leftover: an export writes for well under a second (see
/// [`crate::services::profile_store::USER_TEMP_AGE`]).
pub const STALE_EXPORT_TEMP_AGE: std::time::Duration =
    crate::services::profile_store::USER_TEMP_AGE;

/// Removes the leftovers of killed exports in `folder` (ours only, older than
/// [`STALE_EXPORT_TEMP_AGE`]); gives how many.
pub fn sweep_stale_temp_files(folder: &Path) -> usize {
    crate::services::profile_store::remove_temp_files_older_than(folder, STALE_EXPORT_TEMP_AGE)
}

/// The folder a file `path` goes into (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Where a folder is needed at `dir`: the first of `dir` and the folders above
/// it that exists, when that is not a folder (a file the user has there).
/// Nothing in the way: `None` (the missing folders will be made).
pub fn file_in_the_way(dir: &Path) -> Option<PathBuf> {
    for d in dir.ancestors().filter(|d| !d.as_os_str().is_empty()) {
        // a link to a folder is a folder; an error (not there, no access) looks further up
        if let Ok(meta) = std::fs::metadata(d) {
            return (!meta.is_dir()).then(|| d.to_path_buf());
        }
    }
    None
}

/// A bundle with secrets also carries the key of a certificate request still
/// waiting (issue 11), so the shop can take its certificate on the next computer.
pub fn with_pending_key(
    ctx: &Ctx,
    name: &str,
    profile: &Profile,
    mut secrets: BTreeMap<SecretField, Secret>,
) -> Result<BTreeMap<SecretField, Secret>, crate::services::secret_store::StoreError> {
    if profile.pending_cert_request.is_some()
        && let Some(key) = ctx.with_keychain(|k| k.get(name, SecretField::PendingPrivateKey))?
    {
        secrets.insert(SecretField::PendingPrivateKey, key);
    }
    Ok(secrets)
}

/// Writes the bundle to a temp file beside the target, then renames it: a failed
/// export never leaves a truncated zip under the chosen name.
pub fn write_bundle(
    path: &Path,
    profile: &Profile,
    secrets: Option<&(BTreeMap<SecretField, Secret>, Secret)>,
) -> Result<PathBuf, ExportError> {
    let w = |e: &dyn std::fmt::Display| ExportError::Write(e.to_string());
    let dir = parent_of(path);
    if path.is_dir() {
        return Err(ExportError::IsAFolder(path.to_path_buf()));
    }
    if let Some(file) = file_in_the_way(dir) {
        return Err(ExportError::NotAFolder(file));
    }
    // a device or FIFO at the name: refused before anything is written
    crate::services::profile_store::check_replaceable(path)?;
    sweep_stale_temp_files(dir);
    let mapping = custom_mapping(profile).map_err(ExportError::Write)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| ExportError::Write(format!("{}: {e}", dir.display())))?;
    // our temp naming, owner-only, earlier crashes' leftovers in `dir` removed
    let tmp = crate::services::profile_store::temp_file_in(dir).map_err(|e| w(&e))?;
    let part = secrets.map(|(s, p)| SecretPart {
        secrets: s,
        passphrase: p,
    });
    let now = crate::app::now_rfc3339();
    let file = bundle::write_bundle(
        tmp.reopen().map_err(|e| w(&e))?,
        profile,
        mapping.as_deref(),
        part,
        &now,
    )
    .map_err(|e| w(&e))?;
    file.sync_all().map_err(|e| w(&e))?;
    crate::services::profile_store::persist(tmp, path)?;
    Ok(path.to_path_buf())
}

/// The text of the profile's custom field mapping, which a bundle carries (its
/// path means nothing on another computer). A custom mapping that cannot be read
/// fails the export rather than leaving it out unnoticed.
fn custom_mapping(profile: &Profile) -> Result<Option<String>, String> {
    let path = profile.backend_mapping_file.trim();
    if profile.backend_preset != crate::domain::backend_kind::BackendPreset::Custom
        || path.is_empty()
    {
        return Ok(None);
    }
    let bytes = crate::services::files::read_file(Path::new(path), 1024 * 1024)
        .map_err(|e| format!("{path}: {e}"))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| format!("{path}: not UTF-8 text"))
}

/// The files [`write_format`] would write into `dir`.
fn stack_files(
    dir: &Path,
    format: Format,
    profile: &Profile,
    secrets: Option<&BTreeMap<SecretField, Secret>>,
) -> Vec<PathBuf> {
    use crate::domain::export::{Values, render};
    let dir = &std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let rendered = render(format, &Values::new(profile, secrets), dir);
    rendered
        .files
        .iter()
        .map(|(file, _)| file)
        .chain(rendered.secret_files.iter().map(|(file, _)| file))
        .map(|file| dir.join(file))
        .collect()
}

/// Writes one of the stack formats into `dir`: the config file and the PEM files
/// beside it, each atomically; the private key file readable by its owner only.
/// Returns the config file's path.
pub fn write_format(
    dir: &Path,
    format: Format,
    profile: &Profile,
    secrets: Option<&BTreeMap<SecretField, Secret>>,
) -> Result<PathBuf, StorageError> {
    use crate::domain::export::{Values, render};
    // Exports name their files by absolute path: a relative one breaks in the consumer.
    let dir = &std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    sweep_stale_temp_files(dir);
    let rendered = render(format, &Values::new(profile, secrets), dir);
    for (file, text) in &rendered.files {
        let path = dir.join(file);
        crate::services::profile_store::write_atomic(&path, text)?;
        #[cfg(unix)]
        if file == crate::domain::backend_form::KEY_FILE_NAME {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
    }
    // the .p12 holds the private key: owner-only from the start
    for (file, bytes) in &rendered.secret_files {
        write_secret_file(&dir.join(file), bytes)?;
    }
    Ok(dir.join(format.file_name()))
}

/// Writes a binary file holding a secret (the `.p12`) atomically, through a
/// temp file of ours that is owner-only from its creation.
fn write_secret_file(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    crate::services::profile_store::write_atomic_bytes(path, bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ops::testing::{fake_ctx, shop};

    #[test]
    fn a_bundle_with_secrets_reads_back_with_its_passphrase() {
        let (ctx, f) = fake_ctx();
        shop(&f, "店");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.zip");
        let pass = Secret::new("correct horse battery");
        let with = Options {
            include_secrets: true,
            passphrase: Some(&pass),
            overwrite: false,
        };
        let done = export_one(&ctx, "店", Target::Bundle, &out, with).unwrap();
        assert_eq!(done.path, out);
        let back = crate::services::files::read_bundle_file(&out, Some(&pass)).unwrap();
        assert_eq!(back.profile.mchid, "1900006031");
        assert!(back.secrets.contains_key(&SecretField::ApiKeyV2));
        assert!(matches!(
            export_one(&ctx, "nobody", Target::Bundle, &out, Options::default()),
            Err(ExportError::Op(OpError::NoSuchProfile(_)))
        ));
    }

    #[test]
    fn all_profiles_go_into_one_folder_each_under_its_name() {
        let (ctx, f) = fake_ctx();
        let dir = tempfile::tempdir().unwrap();
        type Progress<'a> = &'a mut dyn FnMut(usize, usize, &str, &Result<Exported, ExportError>);
        let all = |progress: Progress| {
            export_many(
                &ctx,
                &Which::All,
                Target::Bundle,
                dir.path(),
                Options::default(),
                progress,
            )
        };
        assert!(matches!(
            all(&mut |_, _, _, _| {}),
            Err(OpError::NoProfiles)
        ));
        shop(&f, "a");
        shop(&f, "b");
        let mut seen = Vec::new();
        let done = all(&mut |i, n, name, r| seen.push((i, n, name.to_owned(), r.is_ok()))).unwrap();
        assert_eq!(seen, [(1, 2, "a".into(), true), (2, 2, "b".into(), true)]);
        assert_eq!(done[1].1.as_ref().unwrap().path, dir.path().join("b.zip"));
        assert!(dir.path().join("a.zip").is_file());
    }

    #[test]
    fn an_existing_file_is_not_overwritten_unless_asked() {
        let (ctx, f) = fake_ctx();
        shop(&f, "店");
        let dir = tempfile::tempdir().unwrap();
        // a bundle over a file of the user's
        let out = dir.path().join("x.zip");
        std::fs::write(&out, "mine").unwrap();
        let e = export_one(&ctx, "店", Target::Bundle, &out, Options::default()).unwrap_err();
        assert!(matches!(&e, ExportError::Exists(p) if *p == out), "{e:?}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");
        let force = Options {
            overwrite: true,
            ..Options::default()
        };
        export_one(&ctx, "店", Target::Bundle, &out, force).unwrap();
        assert_ne!(std::fs::read(&out).unwrap(), b"mine");
        // a stack's folder holding one of the files it writes: nothing is written
        let stack = dir.path().join("env");
        export_one(
            &ctx,
            "店",
            Target::Stack(Format::Env),
            &stack,
            Options::default(),
        )
        .unwrap();
        let before: Vec<_> = std::fs::read_dir(&stack)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        let first = before[0].clone();
        std::fs::write(&first, "mine").unwrap();
        let e = export_one(
            &ctx,
            "店",
            Target::Stack(Format::Env),
            &stack,
            Options::default(),
        )
        .unwrap_err();
        assert!(matches!(e, ExportError::Exists(_)), "{e:?}");
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "mine");
    }

    #[test]
    fn targets_parse_every_listed_name() {
        for n in Target::names() {
            assert!(Target::parse(n).is_some(), "{n}");
        }
        assert_eq!(Target::parse("zip"), None);
    }
}
