//! One background thread for everything slow or blocking: keychain calls (which
//! can prompt), profile writes, certificate import, export. Jobs run in order, so
//! a later save of a field always lands after an earlier one. Results come back
//! as [`Event`]s; the waker asks the GUI to repaint so they are seen at once.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::app::ops::{self, Ctx, Lazy};
use crate::domain::cert::{ImportError, ImportedCert};
use crate::domain::profile::{Profile, SecretField};
use crate::domain::secret::Secret;
use crate::services::file_picker::FilePicker;
use crate::services::profile_store::{ProfileStore, Settings, StorageError};
use crate::services::secret_store::{SecretStore, StoreError};
use crate::services::wechat_http::NetError;

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
    /// Writes the open profile, unless the window has read it again since
    /// (the epoch moved on: this copy is stale).
    SaveProfile {
        profile: Box<Profile>,
        epoch: (std::sync::Arc<std::sync::atomic::AtomicU64>, u64),
    },
    SaveSettings(Settings),
    ImportCert {
        profile: String,
        path: PathBuf,
        /// The shop's merchant number: a certificate that fails its checks
        /// against it is refused, and its key is not stored.
        mchid: String,
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
    /// Applies for the certificate of `profile` (request, accept, start over,
    /// save the files): the same operations as `wxpay-setup cert`.
    CertRequest {
        profile: String,
        op: CertRequestOp,
    },
    /// The request waiting for `profile`, put right against its waiting key
    /// (a command killed between the two leaves them apart): when a shop opens.
    WaitingRequest {
        profile: String,
    },
    /// Looks for keychain entries no shop owns and leftover files (`profile
    /// doctor`); removes them with `fix`.
    Doctor {
        fix: bool,
    },
    /// The start page's rows, each shop's results judged against its secrets
    /// (read from the keychain here, off the UI thread).
    ShopRows,
    /// Replies once every job sent before it has run.
    Barrier(Sender<()>),
}

/// One step of applying for the certificate in the window.
#[derive(Debug, Clone)]
pub enum CertRequestOp {
    Request {
        company: String,
    },
    /// The certificate string the user pasted (public); `discard_key`: the
    /// user said the shop's current private key may be replaced.
    Accept {
        text: String,
        discard_key: bool,
    },
    Cancel,
    /// The WXCertUtil-style folder inside `dir`; its notes in `tr`'s language.
    SaveFiles {
        dir: PathBuf,
        tr: crate::i18n::Tr,
    },
}

/// What one [`CertRequestOp`] gave.
#[derive(Debug)]
pub enum CertRequestDone {
    Requested(ops::cert_request::Requested),
    Accepted(Box<ops::cert_request::Accepted>),
    Cancelled,
    FilesSaved(PathBuf),
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
        /// An admin password for the shop backend is kept in the keychain.
        password_kept: bool,
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
        /// Why the certificate read was refused (it failed its checks: another
        /// merchant's, expired, its key not its own); empty when it was taken.
        refused: Vec<crate::domain::problem::Problem>,
    },
    Exported(Result<PathBuf, String>),
    ReportSaved(Result<PathBuf, String>),
    ProfileOpDone {
        op: ProfileOp,
        result: Result<(), ops::OpError>,
    },
    BundleInspected {
        path: PathBuf,
        result: Result<bool, crate::domain::bundle::BundleReadError>,
    },
    /// Under which name it was saved, or why nothing was imported.
    BundleImported(
        Result<ops::import_bundle::BundleImported, ops::import_bundle::ImportBundleError>,
    ),
    /// What the shop backend holds and what a push would change (the window's first step).
    PushPreviewed {
        profile: String,
        result: Result<ops::push::Preview, ops::push::PushError>,
    },
    /// A push sent and read back (the second step).
    Pushed {
        profile: String,
        result: Result<ops::push::Report, ops::push::PushError>,
    },
    CheckDone {
        profile: String,
        /// The check that ran (its task).
        id: crate::app::verify::CheckId,
        /// Each item read from its reply (the check, and a pay check's binding
        /// item), with the fingerprint of the values it read.
        results: Vec<(
            crate::app::verify::CheckId,
            String,
            crate::domain::wxapi::Outcome,
        )>,
    },
    /// The folder the certificate and private key files were saved into.
    CertFilesSaved(Result<PathBuf, String>),
    CertRequestDone {
        profile: String,
        /// Which step it answers (to tell a failed save from a failed accept).
        saving_files: bool,
        result: Result<CertRequestDone, ops::cert_request::CertOpError>,
    },
    /// The waiting request as [`Job::WaitingRequest`] found it (`None`: none waits).
    WaitingRequest {
        profile: String,
        result: Result<Option<ops::cert_request::Requested>, ops::cert_request::CertOpError>,
    },
    /// What a clean-up found (`fix`: and removed).
    DoctorDone {
        fix: bool,
        result: Result<ops::profiles::Checkup, ops::OpError>,
    },
    /// The start page's rows (see [`Job::ShopRows`]).
    ShopRows(Vec<crate::app::profiles::ProfileRow>),
    /// A file dialog's answer (`Err`: it did not open); `generation` tells a
    /// dialog the user gave up on (and typed a path instead) from the current one.
    Picked {
        purpose: PickPurpose,
        generation: u64,
        result: crate::services::file_picker::PickResult,
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
    /// Where to save apiclient_cert.pem and apiclient_key.pem for the backend.
    CertFilesFolder,
    /// Where to create the WXCertUtil-style `<mchid>_<date>_cert` folder.
    CertUtilFolder,
}

pub struct Worker {
    jobs: Sender<Job>,
    events: Receiver<Event>,
    event_tx: Sender<Event>,
    waker: Waker,
    picker: Arc<dyn FilePicker>,
}

/// The worker's jobs run the same operations as the command line, over this context.
struct WorkerState {
    ctx: Ctx,
}

impl WorkerState {
    /// Runs a keychain call; a store that has gone away is reopened next time.
    fn with_store<T>(
        &mut self,
        f: impl FnOnce(&dyn SecretStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.ctx.with_keychain(f)
    }

    fn run(&mut self, job: Job) -> Option<Event> {
        match job {
            Job::LoadSecrets { profile } => {
                let result = ops::load_secrets(&self.ctx, &profile);
                // the backend password is no setting (not among the secrets
                // loaded): only whether one is kept, for the push form to say so
                let password_kept = result.is_ok()
                    && self
                        .ctx
                        .with_keychain(|k| k.get(&profile, SecretField::BackendPassword))
                        .is_ok_and(|p| p.is_some_and(|p| !p.is_empty()));
                Some(Event::SecretsLoaded {
                    profile,
                    result,
                    password_kept,
                })
            }
            Job::StoreSecret {
                profile,
                field,
                value,
                generation,
            } => {
                // under the shop's lock: an import of this shop elsewhere is not mixed
                let result = match self.ctx.lock(&profile) {
                    Ok(_lock) => self.with_store(|s| s.put(&profile, field, &value)),
                    Err(e) => Err(busy(e)),
                };
                Some(Event::SecretStored {
                    profile,
                    field,
                    generation,
                    result,
                })
            }
            Job::SaveProfile {
                profile: p,
                epoch: (now, sent),
            } => Some(Event::ProfileSaved(self.ctx.lock(&p.name).and_then(
                |_lock| {
                    if now.load(std::sync::atomic::Ordering::SeqCst) != sent {
                        return Ok(());
                    }
                    self.ctx.profiles.save(&p)
                },
            ))),
            Job::SaveSettings(s) => {
                // Preferences only: a failure here is not worth interrupting the user.
                let _ = self.ctx.profiles.save_settings(&s);
                None
            }
            Job::ImportCert {
                profile,
                path,
                mchid,
            } => {
                let result = crate::services::files::import_cert(&path);
                // a certificate that cannot serve this shop is not taken in:
                // the one in use (and its key) stays
                let refused: Vec<_> = match &result {
                    Ok(imported) => crate::domain::cert::evaluate(
                        &imported.summary,
                        &mchid,
                        time::OffsetDateTime::now_utc(),
                    )
                    .into_iter()
                    .filter(crate::domain::problem::Problem::is_error)
                    .collect(),
                    Err(_) => Vec::new(),
                };
                let key_stored = match &result {
                    Ok(_) if !refused.is_empty() => None,
                    Ok(imported) => {
                        imported
                            .private_key
                            .as_ref()
                            .map(|k| match self.ctx.lock(&profile) {
                                Ok(_lock) => {
                                    self.with_store(|s| s.set(&profile, SecretField::PrivateKey, k))
                                }
                                Err(e) => Err(busy(e)),
                            })
                    }
                    Err(_) => None,
                };
                Some(Event::CertImported {
                    profile,
                    result: result.map(Box::new),
                    key_stored,
                    refused,
                })
            }
            Job::Export {
                path,
                profile,
                secrets,
            } => {
                // a waiting request's key travels too (not among the session's secrets)
                let secrets = match secrets {
                    Some((s, pass)) => {
                        match ops::export::with_pending_key(&self.ctx, &profile.name, &profile, s) {
                            Ok(s) => Some((s, pass)),
                            Err(e) => {
                                let e = ops::export::ExportError::from(e);
                                return Some(Event::Exported(Err(e.reason())));
                            }
                        }
                    }
                    None => None,
                };
                // a kill mid-write leaves this note for the clean-up (`profile doctor`)
                let folder = path.parent().unwrap_or(std::path::Path::new("."));
                let _note = self.ctx.profiles.note_write(folder);
                Some(Event::Exported(
                    ops::export::write_bundle(&path, &profile, secrets.as_ref())
                        .map_err(|e| e.reason()),
                ))
            }
            Job::SaveReport { path, html } => Some(Event::ReportSaved(
                crate::services::profile_store::write_atomic(&path, &html)
                    .map(|()| path)
                    .map_err(|e| e.to_string()),
            )),
            Job::ProfileOp(op) => {
                let ctx = &self.ctx;
                let result = match &op {
                    ProfileOp::Rename { from, to } => ops::profiles::rename(ctx, from, to),
                    ProfileOp::Duplicate { from, to } => ops::profiles::duplicate(ctx, from, to),
                    ProfileOp::Delete { name } => ops::profiles::delete(ctx, name).map(|_| ()),
                };
                Some(Event::ProfileOpDone { op, result })
            }
            Job::InspectBundle { path } => {
                let result = ops::import_bundle::needs_passphrase(&path);
                Some(Event::BundleInspected { path, result })
            }
            Job::ImportBundle { path, passphrase } => Some(Event::BundleImported(
                ops::import_bundle::import_bundle(&self.ctx, &path, passphrase.as_ref(), None),
            )),
            Job::ExportFormat {
                dir,
                format,
                profile,
                secrets,
            } => Some(Event::Exported(
                ops::export::write_format(&dir, format, &profile, secrets.as_ref())
                    .map_err(|e| e.to_string()),
            )),
            Job::CertRequest { profile, op } => {
                use ops::cert_request as cr;
                let ctx = &self.ctx;
                let saving_files = matches!(op, CertRequestOp::SaveFiles { .. });
                let result = match op {
                    CertRequestOp::Request { company } => {
                        cr::request(ctx, &profile, Some(&company), false)
                            .map(CertRequestDone::Requested)
                    }
                    CertRequestOp::Accept { text, discard_key } => {
                        cr::accept(ctx, &profile, &text, discard_key)
                            .map(|a| CertRequestDone::Accepted(Box::new(a)))
                    }
                    CertRequestOp::Cancel => {
                        cr::cancel(ctx, &profile).map(|()| CertRequestDone::Cancelled)
                    }
                    CertRequestOp::SaveFiles { dir, tr } => {
                        cr::save_files(ctx, &profile, &dir, tr).map(CertRequestDone::FilesSaved)
                    }
                };
                Some(Event::CertRequestDone {
                    profile,
                    saving_files,
                    result,
                })
            }
            Job::WaitingRequest { profile } => Some(Event::WaitingRequest {
                result: ops::cert_request::waiting(&self.ctx, &profile),
                profile,
            }),
            Job::Doctor { fix } => Some(Event::DoctorDone {
                fix,
                result: ops::profiles::doctor(&self.ctx, fix),
            }),
            Job::ShopRows => {
                let ctx = &self.ctx;
                Some(Event::ShopRows(crate::app::profiles::rows(
                    ctx.profiles.as_ref(),
                    time::OffsetDateTime::now_utc(),
                    &|name| ops::load_secrets(ctx, name).ok(),
                )))
            }
            Job::Barrier(reply) => {
                let _ = reply.send(());
                None
            }
        }
    }
}

/// A shop's lock that could not be taken, as a keychain write's answer.
fn busy(e: StorageError) -> StoreError {
    match e {
        StorageError::Busy { name } => StoreError::Busy(name),
        other => StoreError::Other(other.to_string()),
    }
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
                    ctx: Ctx {
                        profiles: Arc::new(profiles),
                        secrets: Lazy::new(move || provider()),
                        // the worker does no HTTP: checks and pushes run as tasks
                        http: Lazy::new(|| Err(NetError::Other("no HTTP on the worker".into()))),
                        urls: Err(NetError::Other("no HTTP on the worker".into())),
                        backend: Lazy::new(|| Err(NetError::Other("no HTTP on the worker".into()))),
                    },
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

    /// Where files are saved when the user names no folder (Documents, Desktop, home).
    pub fn default_dir(&self) -> PathBuf {
        self.picker.default_dir()
    }

    /// Shows a file dialog on its own thread: it blocks for as long as the user looks.
    pub fn pick(&self, purpose: PickPurpose, default_name: String, generation: u64) {
        let picker = self.picker.clone();
        let tx = self.event_tx.clone();
        let wake = self.waker.clone();
        std::thread::spawn(move || {
            let result = match purpose {
                PickPurpose::CertZip => picker.pick_cert_zip(),
                PickPurpose::CertFolder => picker.pick_cert_folder(),
                PickPurpose::ExportBundle => picker.save_bundle(&default_name),
                PickPurpose::SaveReport => picker.save_report(&default_name),
                PickPurpose::ImportBundle => picker.pick_bundle(),
                PickPurpose::ExportFolder
                | PickPurpose::CertFilesFolder
                | PickPurpose::CertUtilFolder => picker.pick_export_folder(),
            };
            let _ = tx.send(Event::Picked {
                purpose,
                generation,
                result,
            });
            wake();
        });
    }
}
