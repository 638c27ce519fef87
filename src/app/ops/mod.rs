//! The use cases both faces call: the CLI's commands and the window's worker
//! jobs (cargo's `ops` is the model). Plain functions over a [`Ctx`] of service
//! traits, each returning a typed report and a typed error that implements
//! [`Message`], so no English sentence and no i18n key travels as a `String`.
//! With fakes in the context (`MemoryProfiles`, `MemoryStore`, `FakeHttp`) every
//! operation runs in a unit test, without D-Bus, keychain or network.

pub mod cert_request;
pub mod check_certs;
pub mod export;
pub mod import;
pub mod import_bundle;
pub mod profiles;
pub mod push;
pub mod secret_file;
pub mod verify;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::app::rules::Secrets;
use crate::domain::problem::Problem;
use crate::domain::profile::Profile;
use crate::i18n::{Arg, Message};
use crate::services::backend_http::BackendHttp;
use crate::services::profile_store::{ProfileRepo, StorageError};
use crate::services::secret_store::{SecretStore, StoreError};
use crate::services::wechat_http::{BaseUrls, NetError, WeChatHttp};

/// A service opened on first use and then kept: the keychain is connected once
/// per run (not once per command step), the HTTP client built once.
pub struct Lazy<T: ?Sized, E> {
    open: Box<dyn Fn() -> Result<Arc<T>, E> + Send + Sync>,
    cached: Mutex<Option<Arc<T>>>,
}

impl<T: ?Sized, E> Lazy<T, E> {
    pub fn new(open: impl Fn() -> Result<Arc<T>, E> + Send + Sync + 'static) -> Self {
        Lazy {
            open: Box::new(open),
            cached: Mutex::new(None),
        }
    }

    /// Already open (tests, fakes).
    pub fn ready(value: Arc<T>) -> Self
    where
        T: Send + Sync + 'static,
    {
        let v = value.clone();
        let lazy = Lazy::new(move || Ok(v.clone()));
        *lazy.lock() = Some(value);
        lazy
    }

    pub fn get(&self) -> Result<Arc<T>, E> {
        let mut g = self.lock();
        if let Some(v) = &*g {
            return Ok(v.clone());
        }
        let v = (self.open)()?;
        *g = Some(v.clone());
        Ok(v)
    }

    /// Drops the open service: the next [`Lazy::get`] opens it again.
    pub fn forget(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<T>>> {
        self.cached.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Everything an operation may touch, behind traits.
pub struct Ctx {
    pub profiles: Arc<dyn ProfileRepo>,
    pub secrets: Lazy<dyn SecretStore, StoreError>,
    pub http: Lazy<dyn WeChatHttp, NetError>,
    /// Where the online checks go (a local server in tests).
    pub urls: Result<BaseUrls, NetError>,
    /// The shop backends a push writes into.
    pub backend: Lazy<dyn BackendHttp, NetError>,
}

impl Ctx {
    /// The real services: the profile folder, the OS keychain (connected once,
    /// when first needed) and one HTTP client (built when first needed).
    pub fn real() -> Result<Ctx, OpError> {
        use crate::services::secret_store::KeyringStore;
        use crate::services::wechat_http::HttpClient;
        Ok(Ctx {
            profiles: Arc::new(crate::services::profile_store::ProfileStore::open_default()?),
            secrets: Lazy::new(|| {
                KeyringStore::connect().map(|k| Arc::new(k) as Arc<dyn SecretStore>)
            }),
            http: Lazy::new(|| HttpClient::new().map(|h| Arc::new(h) as Arc<dyn WeChatHttp>)),
            urls: BaseUrls::from_env(),
            backend: Lazy::new(|| {
                crate::services::backend_http::BackendClient::new()
                    .map(|c| Arc::new(c) as Arc<dyn BackendHttp>)
            }),
        })
    }

    /// Runs a keychain call; a keychain that has gone away is reopened next time.
    pub fn with_keychain<T>(
        &self,
        f: impl FnOnce(&dyn SecretStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let store = self.secrets.get()?;
        let r = f(store.as_ref());
        if matches!(r, Err(StoreError::Unavailable(_))) {
            self.secrets.forget();
        }
        r
    }

    /// Takes shop `name`'s lock: every operation that writes a shop holds it
    /// (see [`ProfileRepo::lock`]); a shop another window or command is changing
    /// answers [`StorageError::Busy`].
    pub fn lock(
        &self,
        name: &str,
    ) -> Result<crate::services::profile_store::ShopLock, StorageError> {
        self.profiles.lock(name)
    }

    /// Makes these the only secrets of `name` (what an earlier shop of that name
    /// left in the keychain goes).
    pub fn replace_secrets(&self, name: &str, secrets: &Secrets) -> Result<(), StoreError> {
        self.with_keychain(|k| k.replace_all(name, secrets))
    }

    /// Saves a new shop `profile` and then its `secrets` (replacing whatever the
    /// keychain held under that name): a kill between the two leaves a profile
    /// without secrets, never secrets without a profile. When the keychain
    /// fails, the profile is removed again, so nothing is written. Call it with
    /// the shop's lock held, for a name that has no profile.
    /// A shop without secrets needs no keychain: leftovers are cleared when it
    /// answers.
    pub fn save_new_shop(&self, profile: &Profile, secrets: &Secrets) -> Result<(), OpError> {
        self.profiles.save(profile)?;
        match self.replace_secrets(&profile.name, secrets) {
            Err(e) if !secrets.is_empty() => {
                let _ = self.profiles.delete(&profile.name);
                Err(e.into())
            }
            _ => Ok(()),
        }
    }

    /// Stores these secrets under `name`, all or until the first failure.
    pub fn store_secrets(&self, name: &str, secrets: &Secrets) -> Result<(), StoreError> {
        if secrets.is_empty() {
            return Ok(());
        }
        // one write per shop: the keychain rewrites its whole file on each
        self.with_keychain(|k| k.set_many(name, secrets))
    }
}

/// A small text file the user names (import file, passphrase, token, mapping):
/// a regular file only, at most 1 MiB: a FIFO or a device never hangs a command.
pub fn read_text(path: &std::path::Path) -> std::io::Result<String> {
    crate::services::files::read_text(path, crate::services::files::TEXT_LIMIT)
}

/// Every secret of one profile: the one way everyone loads them.
pub fn load_secrets(ctx: &Ctx, name: &str) -> Result<Secrets, StoreError> {
    // one search per shop, whatever the number of fields
    ctx.with_keychain(|k| k.get_all(name))
}

/// A profile that must exist.
pub fn load_profile(ctx: &Ctx, name: &str) -> Result<Profile, OpError> {
    if !ctx.profiles.exists(name) {
        return Err(OpError::NoSuchProfile(name.to_owned()));
    }
    let profile = ctx.profiles.load(name)?;
    if profile.import_unfinished {
        return Err(OpError::ImportUnfinished(name.to_owned()));
    }
    Ok(profile)
}

/// The profiles an operation runs on: one by name, or every stored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    One(String),
    All,
}

impl Which {
    /// The names this stands for; `All` with no profile at all is an error.
    pub fn names(&self, ctx: &Ctx) -> Result<Vec<String>, OpError> {
        match self {
            Which::One(name) => Ok(vec![name.clone()]),
            Which::All => {
                let names = ctx.profiles.list()?;
                if names.is_empty() {
                    return Err(OpError::NoProfiles);
                }
                Ok(names)
            }
        }
    }
}

/// One result per profile, by name, in order.
pub type Each<T, E> = Vec<(String, Result<T, E>)>;

/// Runs `op` on each of `names` in order; `progress` hears of each result as it
/// comes (index from 1, count, name, result), so a long `--all` run shows where it is.
pub fn each<T, E>(
    names: &[String],
    mut op: impl FnMut(&str) -> Result<T, E>,
    mut progress: impl FnMut(usize, usize, &str, &Result<T, E>),
) -> Each<T, E> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let r = op(name);
            progress(i + 1, names.len(), name, &r);
            (name.clone(), r)
        })
        .collect()
}

/// Like [`each`], with up to `jobs` profiles at a time. Results stay in the
/// order of `names`; `progress` hears of each as it finishes (counted 1..n in
/// the order they finish). Once `stop` is set (Ctrl-C) no further profile is
/// started: those are left out, and the ones running finish.
pub fn each_concurrent<T: Send, E: Send>(
    names: &[String],
    jobs: usize,
    stop: &AtomicBool,
    op: impl Fn(&str) -> Result<T, E> + Sync,
    mut progress: impl FnMut(usize, usize, &str, &Result<T, E>),
) -> Each<T, E> {
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Result<T, E>>> = names.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..jobs.clamp(1, names.len().max(1)) {
            let (tx, next, op) = (tx.clone(), &next, &op);
            scope.spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(name) = names.get(i) else { break };
                    if tx.send((i, op(name))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (done, (i, r)) in rx.iter().enumerate() {
            progress(done + 1, names.len(), &names[i], &r);
            slots[i] = Some(r);
        }
    });
    names
        .iter()
        .zip(slots)
        .filter_map(|(name, r)| r.map(|r| (name.clone(), r)))
        .collect()
}

/// Why an operation on stored profiles failed.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error("no profile named {0:?}")]
    NoSuchProfile(String),
    #[error("no profiles")]
    NoProfiles,
    #[error("a profile named {0:?} exists")]
    NameTaken(String),
    #[error("bad profile name")]
    BadName(Problem),
    /// A `--replace` import of this shop was cut off: its values and secrets
    /// may not belong together (see `Profile::import_unfinished`).
    #[error("the last import of {0:?} did not finish")]
    ImportUnfinished(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Keychain(#[from] StoreError),
    #[error(transparent)]
    Net(#[from] NetError),
}

impl OpError {
    /// Stable code for `--json` reports: `busy` tells a script to try again.
    pub fn code(&self) -> &'static str {
        match self {
            OpError::NoSuchProfile(_) => "no_such_profile",
            OpError::NoProfiles => "no_profiles",
            OpError::NameTaken(_) => "name_taken",
            OpError::BadName(_) => "bad_name",
            OpError::ImportUnfinished(_) => "import_unfinished",
            OpError::Storage(StorageError::Busy { .. }) => "busy",
            OpError::Storage(_) => "storage",
            OpError::Keychain(StoreError::Busy(_)) => "busy",
            OpError::Keychain(_) => "keychain",
            OpError::Net(_) => "network",
        }
    }
}

impl Message for OpError {
    fn key(&self) -> String {
        match self {
            OpError::NoSuchProfile(_) => "cli.no_such_profile".into(),
            OpError::NoProfiles => "cli.no_profiles".into(),
            OpError::NameTaken(_) => "problem.profile_name_taken".into(),
            OpError::BadName(p) => p.key(),
            OpError::ImportUnfinished(_) => "cli.import_unfinished".into(),
            OpError::Storage(e) => e.key(),
            OpError::Keychain(e) => e.key(),
            OpError::Net(e) => format!("check.{}", e.code()),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            OpError::NoSuchProfile(n) | OpError::NameTaken(n) | OpError::ImportUnfinished(n) => {
                vec![("name", n.as_str().into())]
            }
            OpError::BadName(p) => Message::args(p),
            OpError::Storage(e) => Message::args(e),
            OpError::Keychain(e) => e.args(),
            OpError::Net(e) => vec![
                ("detail", e.detail().into()),
                ("cause", Arg::Key(format!("cause.{}", e.cause()))),
                (
                    "seconds",
                    e.seconds().unwrap_or_default().to_string().into(),
                ),
            ],
            OpError::NoProfiles => Vec::new(),
        }
    }
}

/// A context of fakes for tests (also used by the integration tests of the CLI).
pub mod testing {
    use std::sync::Arc;

    use super::{Ctx, Lazy};
    use crate::domain::profile::{Profile, SecretField};
    use crate::domain::secret::Secret;
    use crate::services::backend_http::{BackendHttp, FakeBackend};
    use crate::services::profile_store::{MemoryProfiles, ProfileRepo};
    use crate::services::secret_store::{MemoryStore, SecretStore};
    use crate::services::wechat_http::{BaseUrls, FakeHttp, WeChatHttp};

    /// The fakes behind a [`fake_ctx`], to script and inspect them.
    #[derive(Clone, Default)]
    pub struct Fakes {
        pub profiles: MemoryProfiles,
        pub keychain: MemoryStore,
        pub http: FakeHttp,
        /// The shop backend (answers nothing until a test gives it a handler).
        pub backend: FakeBackend,
    }

    /// A context over in-memory profiles, an in-memory keychain and a scripted HTTP.
    pub fn fake_ctx() -> (Ctx, Fakes) {
        let f = Fakes::default();
        (ctx_of(&f), f)
    }

    pub const MCHID: &str = "1900006031";
    pub const MP_APPID: &str = "wx1234567890abcdef";
    pub const MP_APPSECRET: &str = "0123456789abcdef0123456789abcdef";
    pub const API_KEY_V2: &str = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";

    /// A stored shop with a mini program, a merchant number, and its AppSecret
    /// and v2 API key in the keychain.
    pub fn shop(f: &Fakes, name: &str) -> Profile {
        let mut p = Profile::new(name);
        p.mp_appid = MP_APPID.into();
        p.mchid = MCHID.into();
        f.profiles.save(&p).expect("the memory store saves");
        for (field, value) in [
            (SecretField::MpAppSecret, MP_APPSECRET),
            (SecretField::ApiKeyV2, API_KEY_V2),
        ] {
            f.keychain
                .set(name, field, &Secret::new(value))
                .expect("the memory keychain stores");
        }
        p
    }

    pub fn ctx_of(f: &Fakes) -> Ctx {
        Ctx {
            profiles: Arc::new(f.profiles.clone()),
            secrets: Lazy::ready(Arc::new(f.keychain.clone()) as Arc<dyn SecretStore>),
            http: Lazy::ready(Arc::new(f.http.clone()) as Arc<dyn WeChatHttp>),
            urls: Ok(BaseUrls {
                mp: "http://127.0.0.1:9".into(),
                pay: "http://127.0.0.1:9".into(),
            }),
            backend: Lazy::ready(Arc::new(f.backend.clone()) as Arc<dyn BackendHttp>),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::secret_store::MemoryStore;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn the_keychain_is_opened_once_and_again_after_it_went_away() {
        let store = MemoryStore::new();
        let opens = Arc::new(AtomicUsize::new(0));
        let (s, n) = (store.clone(), opens.clone());
        let (ctx, _) = testing::fake_ctx();
        let ctx = Ctx {
            secrets: Lazy::new(move || {
                n.fetch_add(1, Ordering::SeqCst);
                Ok(Arc::new(s.clone()) as Arc<dyn SecretStore>)
            }),
            ..ctx
        };
        load_secrets(&ctx, "a").unwrap();
        load_secrets(&ctx, "b").unwrap();
        assert_eq!(opens.load(Ordering::SeqCst), 1);
        store.set_failure(Some(StoreError::Unavailable("gone".into())));
        assert!(load_secrets(&ctx, "a").is_err());
        store.set_failure(None);
        load_secrets(&ctx, "a").unwrap();
        assert_eq!(
            opens.load(Ordering::SeqCst),
            2,
            "a vanished keychain is reopened"
        );
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("shop{i}")).collect()
    }

    #[test]
    fn several_run_at_once_and_results_keep_the_shops_order() {
        let (running, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let stop = AtomicBool::new(false);
        let mut heard = 0;
        let out = each_concurrent(
            &names(8),
            4,
            &stop,
            |name| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(80));
                running.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, ()>(name.len())
            },
            |i, n, _, _| {
                heard += 1;
                assert_eq!((i, n), (heard, 8));
            },
        );
        assert_eq!(heard, 8);
        let got: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(got, names(8));
        let most = most.load(Ordering::SeqCst);
        assert!((2..=4).contains(&most), "{most} at once");
    }

    #[test]
    fn once_stopped_no_further_profile_starts() {
        let stop = AtomicBool::new(false);
        let out = each_concurrent(
            &names(5),
            1,
            &stop,
            |name| {
                // Ctrl-C while the first shop is checked
                stop.store(true, Ordering::SeqCst);
                Ok::<_, ()>(name.to_owned())
            },
            |_, _, _, _| {},
        );
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].0, "shop0");
    }
}
