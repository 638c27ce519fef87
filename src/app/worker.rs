//! One background thread for everything slow or blocking: keychain calls (which
//! can prompt), profile writes, certificate import, export. Jobs run in order, so
//! a later save of a field always lands after an earlier one. Results come back
//! as [`Event`]s; the waker asks the GUI to repaint so they are seen at once.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::domain::bundle::{self, BundleError, SecretPart};
use crate::domain::cert::{self, ImportError, ImportedCert};
use crate::domain::profile::{Profile, SecretField};
use crate::domain::secret::Secret;
use crate::services::file_picker::FilePicker;
use crate::services::profile_store::{ProfileStore, Settings, StorageError};
use crate::services::secret_store::{SecretStore, StoreError};

/// Opens the keychain; called on the worker thread, again after a failure.
pub type SecretStoreProvider =
    Arc<dyn Fn() -> Result<Arc<dyn SecretStore>, StoreError> + Send + Sync>;
pub type Waker = Arc<dyn Fn() + Send + Sync>;

pub enum Job {
    LoadSecrets {
        profile: String,
    },
    StoreSecret {
        profile: String,
        field: SecretField,
        value: Secret,
        generation: u64,
    },
    SaveProfile(Box<Profile>),
    SaveSettings(Settings),
    ImportCert {
        profile: String,
        path: PathBuf,
    },
    Export {
        path: PathBuf,
        profile: Box<Profile>,
        secrets: Option<(BTreeMap<SecretField, Secret>, Secret)>,
    },
    /// Writes the readiness report (HTML) atomically.
    SaveReport {
        path: PathBuf,
        html: String,
    },
    ProfileOp(ProfileOp),
    /// Does the bundle need a passphrase?
    InspectBundle {
        path: PathBuf,
    },
    ImportBundle {
        path: PathBuf,
        passphrase: Option<Secret>,
    },
    /// One of the stack formats, written into a folder.
    ExportFormat {
        dir: PathBuf,
        format: crate::domain::export::Format,
        profile: Box<Profile>,
        secrets: Option<BTreeMap<SecretField, Secret>>,
    },
    /// Replies once every job sent before it has run.
    Barrier(Sender<()>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileOp {
    Rename { from: String, to: String },
    Duplicate { from: String, to: String },
    Delete { name: String },
}

#[derive(Debug)]
pub enum Event {
    SecretsLoaded {
        profile: String,
        result: Result<BTreeMap<SecretField, Secret>, StoreError>,
    },
    SecretStored {
        profile: String,
        field: SecretField,
        generation: u64,
        result: Result<(), StoreError>,
    },
    ProfileSaved(Result<(), StorageError>),
    CertImported {
        profile: String,
        result: Result<Box<ImportedCert>, ImportError>,
        key_stored: Option<Result<(), StoreError>>,
    },
    Exported(Result<PathBuf, String>),
    ReportSaved(Result<PathBuf, String>),
    ProfileOpDone {
        op: ProfileOp,
        result: Result<(), String>,
    },
    BundleInspected {
        path: PathBuf,
        result: Result<bool, crate::domain::bundle::BundleReadError>,
    },
    /// The name it was saved under, or why nothing was imported.
    BundleImported(Result<String, String>),
    Pushed(crate::app::push::PushResult),
    CheckDone {
        profile: String,
        id: crate::app::verify::CheckId,
        fingerprint: String,
        outcome: crate::domain::wxapi::Outcome,
    },
    Picked {
        purpose: PickPurpose,
        path: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickPurpose {
    CertZip,
    CertFolder,
    ExportBundle,
    SaveReport,
    ImportBundle,
    ExportFolder,
}

pub struct Worker {
    jobs: Sender<Job>,
    events: Receiver<Event>,
    event_tx: Sender<Event>,
    waker: Waker,
    picker: Arc<dyn FilePicker>,
}

struct WorkerState {
    provider: SecretStoreProvider,
    store: Option<Arc<dyn SecretStore>>,
    profiles: ProfileStore,
}

impl WorkerState {
    /// Reads the bundle (passphrase checked first), then stores its secrets, then
    /// the profile under a free name: any failure before the end writes nothing.
    fn import_bundle(
        &mut self,
        path: &std::path::Path,
        pass: Option<&Secret>,
    ) -> Result<String, String> {
        let mut b = crate::domain::bundle::read_bundle(path, pass)
            .map_err(|e| format!("import_bundle.{}", e.code()))?;
        let name = crate::app::profiles::free_name(&self.profiles, b.profile.name.trim());
        b.profile.name = name.clone();
        if !b.secrets.is_empty() {
            let secrets = b.secrets;
            self.with_store(|s| {
                for (f, v) in &secrets {
                    s.set(&name, *f, v)?;
                }
                Ok(())
            })
            .map_err(|e| format!("keychain.error.{}", e.code()))?;
        }
        self.profiles.save(&b.profile).map_err(|e| e.to_string())?;
        Ok(name)
    }

    fn secrets(&mut self) -> Result<Arc<dyn SecretStore>, StoreError> {
        if let Some(s) = &self.store {
            return Ok(s.clone());
        }
        let s = (self.provider)()?;
        self.store = Some(s.clone());
        Ok(s)
    }

    /// Runs a keychain call; a store that has gone away is reopened next time.
    fn with_store<T>(
        &mut self,
        f: impl FnOnce(&dyn SecretStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let store = self.secrets()?;
        let r = f(store.as_ref());
        if matches!(r, Err(StoreError::Unavailable(_))) {
            self.store = None;
        }
        r
    }

    fn run(&mut self, job: Job) -> Option<Event> {
        match job {
            Job::LoadSecrets { profile } => {
                let result = self.with_store(|s| s.get_all(&profile));
                Some(Event::SecretsLoaded { profile, result })
            }
            Job::StoreSecret {
                profile,
                field,
                value,
                generation,
            } => {
                let result = self.with_store(|s| s.put(&profile, field, &value));
                Some(Event::SecretStored {
                    profile,
                    field,
                    generation,
                    result,
                })
            }
            Job::SaveProfile(p) => Some(Event::ProfileSaved(self.profiles.save(&p))),
            Job::SaveSettings(s) => {
                // Preferences only: a failure here is not worth interrupting the user.
                let _ = self.profiles.save_settings(&s);
                None
            }
            Job::ImportCert { profile, path } => {
                let result = cert::import_path(&path);
                let key_stored = match &result {
                    Ok(imported) => imported
                        .private_key
                        .as_ref()
                        .map(|k| self.with_store(|s| s.set(&profile, SecretField::PrivateKey, k))),
                    Err(_) => None,
                };
                Some(Event::CertImported {
                    profile,
                    result: result.map(Box::new),
                    key_stored,
                })
            }
            Job::Export {
                path,
                profile,
                secrets,
            } => Some(Event::Exported(export_to(
                &path,
                &profile,
                secrets.as_ref(),
            ))),
            Job::SaveReport { path, html } => Some(Event::ReportSaved(
                crate::services::profile_store::write_atomic(&path, &html)
                    .map(|()| path)
                    .map_err(|e| e.to_string()),
            )),
            Job::ProfileOp(op) => {
                let result = self.secrets().map_err(|e| e.to_string()).and_then(|k| {
                    let (store, k) = (&self.profiles, k.as_ref());
                    match &op {
                        ProfileOp::Rename { from, to } => {
                            crate::app::profiles::rename(store, k, from, to)
                        }
                        ProfileOp::Duplicate { from, to } => {
                            crate::app::profiles::duplicate(store, k, from, to)
                        }
                        ProfileOp::Delete { name } => crate::app::profiles::delete(store, k, name),
                    }
                });
                Some(Event::ProfileOpDone { op, result })
            }
            Job::InspectBundle { path } => {
                let result = crate::domain::bundle::bundle_needs_passphrase(&path);
                Some(Event::BundleInspected { path, result })
            }
            Job::ImportBundle { path, passphrase } => Some(Event::BundleImported(
                self.import_bundle(&path, passphrase.as_ref()),
            )),
            Job::ExportFormat {
                dir,
                format,
                profile,
                secrets,
            } => Some(Event::Exported(
                write_format(&dir, format, &profile, secrets.as_ref()).map_err(|e| e.to_string()),
            )),
            Job::Barrier(reply) => {
                let _ = reply.send(());
                None
            }
        }
    }
}

/// Writes the bundle to a temp file beside the target, then renames it: a failed
/// export never leaves a truncated zip under the chosen name.
pub fn export_to(
    path: &std::path::Path,
    profile: &Profile,
    secrets: Option<&(BTreeMap<SecretField, Secret>, Secret)>,
) -> Result<PathBuf, String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
    let part = secrets.map(|(s, p)| SecretPart {
        secrets: s,
        passphrase: p,
    });
    let now = crate::app::now_rfc3339();
    let file = bundle::write_bundle(
        tmp.reopen().map_err(|e| e.to_string())?,
        profile,
        part,
        &now,
    )
    .map_err(|e: BundleError| e.to_string())?;
    file.sync_all().map_err(|e| e.to_string())?;
    tmp.persist(path).map_err(|e| e.error.to_string())?;
    Ok(path.to_path_buf())
}

/// Writes one of the stack formats into `dir`: the config file and the PEM files
/// beside it, each atomically; the private key file readable by its owner only.
/// Returns the config file's path.
pub fn write_format(
    dir: &std::path::Path,
    format: crate::domain::export::Format,
    profile: &Profile,
    secrets: Option<&BTreeMap<SecretField, Secret>>,
) -> Result<PathBuf, StorageError> {
    use crate::domain::export::{Values, render};
    for (file, text) in &render(format, &Values::new(profile, secrets)).files {
        let path = dir.join(file);
        crate::services::profile_store::write_atomic(&path, text)?;
        #[cfg(unix)]
        if file == crate::domain::backend_form::KEY_FILE_NAME {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
    }
    Ok(dir.join(format.file_name()))
}

impl Worker {
    pub fn spawn(
        provider: SecretStoreProvider,
        profiles: ProfileStore,
        picker: Arc<dyn FilePicker>,
        waker: Waker,
    ) -> Worker {
        let (jobs, job_rx) = channel::<Job>();
        let (event_tx, events) = channel::<Event>();
        let tx = event_tx.clone();
        let wake = waker.clone();
        std::thread::Builder::new()
            .name("wxpay-worker".into())
            .spawn(move || {
                let mut state = WorkerState {
                    provider,
                    store: None,
                    profiles,
                };
                for job in job_rx {
                    if let Some(ev) = state.run(job) {
                        if tx.send(ev).is_err() {
                            break;
                        }
                        wake();
                    }
                }
            })
            .expect("spawning the worker thread");
        Worker {
            jobs,
            events,
            event_tx,
            waker,
            picker,
        }
    }

    pub fn send(&self, job: Job) {
        // The worker only stops when we drop the sender, so this cannot fail.
        let _ = self.jobs.send(job);
    }

    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Waits until every job sent so far has run (at exit), up to `timeout`.
    pub fn wait_idle(&self, timeout: std::time::Duration) -> bool {
        let (tx, rx) = channel();
        self.send(Job::Barrier(tx));
        rx.recv_timeout(timeout).is_ok()
    }

    /// Runs slow work (an online check) on its own thread; its event comes back
    /// like any other, and wakes the GUI.
    pub fn spawn_task(&self, task: impl FnOnce() -> Event + Send + 'static) {
        let tx = self.event_tx.clone();
        let wake = self.waker.clone();
        std::thread::spawn(move || {
            let _ = tx.send(task());
            wake();
        });
    }

    /// Shows a file dialog on its own thread: it blocks for as long as the user looks.
    pub fn pick(&self, purpose: PickPurpose, default_name: String) {
        let picker = self.picker.clone();
        let tx = self.event_tx.clone();
        let wake = self.waker.clone();
        std::thread::spawn(move || {
            let path = match purpose {
                PickPurpose::CertZip => picker.pick_cert_zip(),
                PickPurpose::CertFolder => picker.pick_cert_folder(),
                PickPurpose::ExportBundle => picker.save_bundle(&default_name),
                PickPurpose::SaveReport => picker.save_report(&default_name),
                PickPurpose::ImportBundle => picker.pick_bundle(),
                PickPurpose::ExportFolder => picker.pick_export_folder(),
            };
            let _ = tx.send(Event::Picked { purpose, path });
            wake();
        });
    }
}
