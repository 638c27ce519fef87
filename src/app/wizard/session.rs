//! The open shop: its profile, its secrets (held in memory, sent to the keychain
//! shortly after the typing stops), whether each secret is saved, the keychain's
//! state, and when the profile file is written next. Every write goes through the
//! worker, whose jobs run in order, so a later save always lands last.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::tasks::Wait;
use crate::app::worker::{Job, Worker};
use crate::domain::profile::{Profile, SecretField};
use crate::domain::secret::Secret;
use crate::services::profile_store::StorageError;
use crate::services::secret_store::StoreError;

/// Typing pauses this long before the profile file is written.
pub const PROFILE_SAVE_DELAY: Duration = Duration::from_millis(300);
/// ... and before a secret goes to the keychain (one D-Bus round trip per save).
pub const SECRET_SAVE_DELAY: Duration = Duration::from_millis(500);
/// A profile write refused because another window or command holds the shop
/// is tried again this long after the refusal, until it lands.
pub const BUSY_RETRY_DELAY: Duration = Duration::from_millis(1000);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeychainState {
    Connecting,
    Ready,
    Unavailable(StoreError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSync {
    Saved,
    Pending { since: Instant },
    Saving,
    Failed(StoreError),
}

pub struct Session {
    /// Edited in place by the wizard, which then calls [`Session::touch`].
    pub profile: Profile,
    secrets: BTreeMap<SecretField, Secret>,
    sync: BTreeMap<SecretField, SecretSync>,
    /// Per field, the newest save sent: an older save's reply is ignored.
    generations: BTreeMap<SecretField, u64>,
    keychain: KeychainState,
    /// The profile was edited then and not written since.
    last_edit: Option<Instant>,
    /// The last profile write failed (told once, until a write succeeds).
    save_error: Option<StorageError>,
    /// The last profile write was refused as busy (the shop's lock is held
    /// elsewhere): it is sent again then, without waiting for another edit.
    busy_retry: Option<Instant>,
    /// Profile writes sent to the worker and not answered yet: until then the
    /// file on disk (which the start page lists) may be behind.
    saves_in_flight: usize,
    /// The open shop's secrets have been asked for and not answered yet (its
    /// check results cannot be judged stale or current until they are).
    secrets_loading: bool,
    /// Bumped when the shop is read again after another window or command
    /// changed it: profile saves queued before that carry an older value and
    /// are dropped by the worker, so they never write the stale copy back.
    save_epoch: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Session {
    pub fn new(profile: Profile) -> Session {
        Session {
            profile,
            secrets: BTreeMap::new(),
            sync: BTreeMap::new(),
            generations: BTreeMap::new(),
            keychain: KeychainState::Connecting,
            last_edit: None,
            save_error: None,
            busy_retry: None,
            saves_in_flight: 0,
            secrets_loading: false,
            save_epoch: Default::default(),
        }
    }

    /// Another profile is now the open one; its secrets are loaded afresh.
    pub fn open(&mut self, profile: Profile, worker: &Worker) {
        self.profile = profile;
        // a retry was for the shop open before (its edit went with `flush`)
        self.busy_retry = None;
        self.secrets.clear();
        self.sync.clear();
        self.secrets_loading = true;
        worker.send(Job::LoadSecrets {
            profile: self.profile.name.clone(),
        });
    }

    /// Drops the edit waiting to be saved and every save already queued (the
    /// profile is about to be read again).
    pub fn forget_edits(&mut self) {
        self.last_edit = None;
        self.save_epoch
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.busy_retry = None;
    }

    /// The profile was edited: stamp it and write it once the typing pauses.
    pub fn touch(&mut self) {
        self.profile.updated_at = crate::app::now_rfc3339();
        self.last_edit = Some(Instant::now());
    }

    // ----- secrets --------------------------------------------------------------

    pub fn secrets(&self) -> &BTreeMap<SecretField, Secret> {
        &self.secrets
    }

    pub fn secret(&self, f: SecretField) -> Secret {
        self.secrets.get(&f).cloned().unwrap_or_default()
    }

    pub fn has_secret(&self, f: SecretField) -> bool {
        self.secrets.get(&f).is_some_and(|s| !s.is_empty())
    }

    pub fn sync(&self) -> &BTreeMap<SecretField, SecretSync> {
        &self.sync
    }

    /// A secret the user typed: kept in memory, sent to the keychain shortly
    /// after the typing stops (never to a file).
    pub fn set_secret(&mut self, f: SecretField, value: Secret) {
        if self.secrets.get(&f) == Some(&value) {
            return;
        }
        self.secrets.insert(f, value);
        self.sync.insert(
            f,
            SecretSync::Pending {
                since: Instant::now(),
            },
        );
    }

    /// A value that is in the keychain already (loaded, or stored by the worker);
    /// `Err` when storing it failed.
    pub fn set_stored(&mut self, f: SecretField, value: Secret, stored: Result<(), StoreError>) {
        self.secrets.insert(f, value);
        self.sync.insert(
            f,
            match stored {
                Ok(()) => SecretSync::Saved,
                Err(e) => SecretSync::Failed(e),
            },
        );
    }

    /// The secrets read from the keychain; what the user typed meanwhile wins.
    /// The keychain answered the open shop's load (with its secrets or an error).
    pub fn secrets_load_ended(&mut self) {
        self.secrets_loading = false;
    }

    pub fn secrets_loading(&self) -> bool {
        self.secrets_loading
    }

    pub fn secrets_loaded(&mut self, map: BTreeMap<SecretField, Secret>) {
        for (f, v) in map {
            if !self.sync.contains_key(&f) || self.sync.get(&f) == Some(&SecretSync::Saved) {
                self.set_stored(f, v, Ok(()));
            }
        }
    }

    /// The worker's reply to one save; only the newest save of a field counts,
    /// and none while the field has been edited again.
    pub fn secret_stored(
        &mut self,
        field: SecretField,
        generation: u64,
        r: Result<(), StoreError>,
    ) {
        if self.generations.get(&field) != Some(&generation)
            || matches!(self.sync.get(&field), Some(SecretSync::Pending { .. }))
        {
            return;
        }
        self.sync.insert(
            field,
            match r {
                Ok(()) => SecretSync::Saved,
                Err(e) => SecretSync::Failed(e),
            },
        );
    }

    // ----- the keychain ---------------------------------------------------------

    pub fn keychain(&self) -> &KeychainState {
        &self.keychain
    }

    /// Learns the keychain's state from any call's result; true when it has
    /// just been found working (an earlier "unavailable" is no longer true).
    pub fn keychain_result<T>(&mut self, r: &Result<T, StoreError>) -> bool {
        self.keychain = match r {
            Ok(_) => KeychainState::Ready,
            Err(e @ (StoreError::Unavailable(_) | StoreError::Denied(_))) => {
                KeychainState::Unavailable(e.clone())
            }
            Err(_) => return false,
        };
        r.is_ok()
    }

    /// After the user started or unlocked their keychain: load and save again.
    pub fn retry_keychain(&mut self, worker: &Worker) {
        self.keychain = KeychainState::Connecting;
        worker.send(Job::LoadSecrets {
            profile: self.profile.name.clone(),
        });
        for s in self.sync.values_mut() {
            if matches!(s, SecretSync::Failed(_)) {
                *s = SecretSync::Pending {
                    since: Instant::now() - SECRET_SAVE_DELAY,
                };
            }
        }
    }

    // ----- writing --------------------------------------------------------------

    /// The result of a profile write; `Some` when the user should be told
    /// (the first failure after a success).
    pub fn profile_saved(&mut self, r: Result<(), StorageError>) -> Option<&StorageError> {
        self.saves_in_flight = self.saves_in_flight.saturating_sub(1);
        match r {
            Ok(()) => {
                // replies come in order: this write carried every edit so far
                self.save_error = None;
                self.busy_retry = None;
                None
            }
            Err(e) => {
                if matches!(e, StorageError::Busy { .. }) && self.last_edit.is_none() {
                    // the edit stays in memory: write it again once the shop is free
                    self.busy_retry = Some(Instant::now() + BUSY_RETRY_DELAY);
                }
                let first = self.save_error.is_none();
                self.save_error = Some(e);
                self.save_error.as_ref().filter(|_| first)
            }
        }
    }

    /// Sends the saves that are due at `now`.
    pub fn autosave(&mut self, now: Instant, worker: &Worker) {
        if self
            .last_edit
            .is_some_and(|t| now.duration_since(t) >= PROFILE_SAVE_DELAY)
            || self.busy_retry.is_some_and(|t| now >= t)
        {
            self.save_profile_now(worker);
        }
        let due: Vec<SecretField> = self
            .sync
            .iter()
            .filter_map(|(f, s)| match s {
                SecretSync::Pending { since }
                    if now.duration_since(*since) >= SECRET_SAVE_DELAY =>
                {
                    Some(*f)
                }
                _ => None,
            })
            .collect();
        for f in due {
            self.store_secret_now(f, worker);
        }
    }

    /// Sends every pending save now (before switching profile, exporting, quitting).
    pub fn flush(&mut self, worker: &Worker) {
        if self.last_edit.is_some() || self.busy_retry.is_some() {
            self.save_profile_now(worker);
        }
        let pending: Vec<SecretField> = self
            .sync
            .iter()
            .filter(|(_, s)| matches!(s, SecretSync::Pending { .. }))
            .map(|(f, _)| *f)
            .collect();
        for f in pending {
            self.store_secret_now(f, worker);
        }
    }

    pub fn save_profile_now(&mut self, worker: &Worker) {
        self.last_edit = None;
        self.busy_retry = None;
        self.saves_in_flight += 1;
        let epoch = self.save_epoch.load(std::sync::atomic::Ordering::SeqCst);
        worker.send(Job::SaveProfile {
            profile: Box::new(self.profile.clone()),
            epoch: (self.save_epoch.clone(), epoch),
        });
    }

    fn store_secret_now(&mut self, f: SecretField, worker: &Worker) {
        let generation = self.generations.entry(f).or_default();
        *generation += 1;
        let generation = *generation;
        self.sync.insert(f, SecretSync::Saving);
        worker.send(Job::StoreSecret {
            profile: self.profile.name.clone(),
            field: f,
            value: self
                .secrets
                .get(&f)
                .map(Secret::trimmed)
                .unwrap_or_default(),
            generation,
        });
    }

    /// When a write refused as busy is tried again (`None`: none is waiting).
    /// Not a [`Wait`]: the other holder may keep the shop for minutes.
    pub fn busy_retry(&self) -> Option<Instant> {
        self.busy_retry
    }

    /// A write was refused as busy and is tried again (waiting, or sent and
    /// not answered yet), until one lands.
    pub fn retrying(&self) -> bool {
        self.busy_retry.is_some() || matches!(self.save_error, Some(StorageError::Busy { .. }))
    }

    /// The open shop has an edit that is not in its file (a write failed or is
    /// waiting to be tried again).
    pub fn unsaved(&self) -> bool {
        self.busy_retry.is_some() || self.save_error.is_some()
    }

    /// What this session still waits for: an unsaved edit, the keychain, secrets
    /// not yet saved.
    pub fn waits(&self) -> impl Iterator<Item = Wait> + '_ {
        let edit =
            (self.last_edit.is_some() || self.saves_in_flight > 0).then_some(Wait::ProfileSave);
        let keychain = (self.keychain == KeychainState::Connecting || self.secrets_loading)
            .then_some(Wait::Keychain);
        let secrets = self.sync.iter().filter_map(|(f, s)| {
            matches!(s, SecretSync::Pending { .. } | SecretSync::Saving)
                .then_some(Wait::SecretSave(*f))
        });
        edit.into_iter().chain(keychain).chain(secrets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Secret {
        Secret::new(v)
    }

    #[test]
    fn what_the_user_typed_while_loading_wins_over_the_keychain() {
        let mut session = Session::new(Profile::new("shop"));
        session.set_secret(SecretField::ApiKeyV2, s("typed"));
        let stored = BTreeMap::from([
            (SecretField::ApiKeyV2, s("old")),
            (SecretField::ApiKeyV3, s("stored")),
        ]);
        session.secrets_loaded(stored);
        assert_eq!(session.secret(SecretField::ApiKeyV2), s("typed"));
        assert!(matches!(
            session.sync()[&SecretField::ApiKeyV2],
            SecretSync::Pending { .. }
        ));
        assert_eq!(session.secret(SecretField::ApiKeyV3), s("stored"));
        assert_eq!(session.sync()[&SecretField::ApiKeyV3], SecretSync::Saved);
        assert!(
            session
                .waits()
                .any(|w| w == Wait::SecretSave(SecretField::ApiKeyV2))
        );
        assert!(
            !session
                .waits()
                .any(|w| w == Wait::SecretSave(SecretField::ApiKeyV3))
        );
    }

    #[test]
    fn a_reply_to_an_older_save_is_ignored() {
        let mut session = Session::new(Profile::new("shop"));
        session.set_stored(SecretField::ApiKeyV2, s("k"), Ok(()));
        // no save of this field was sent: generation 1 is not the newest
        session.secret_stored(
            SecretField::ApiKeyV2,
            1,
            Err(StoreError::Other("late".into())),
        );
        assert_eq!(session.sync()[&SecretField::ApiKeyV2], SecretSync::Saved);
    }

    #[test]
    fn a_write_refused_as_busy_is_tried_again_and_not_called_saved_until_one_lands() {
        let mut session = Session::new(Profile::new("shop"));
        let busy = || {
            Err(StorageError::Busy {
                name: "shop".into(),
            })
        };
        assert!(session.profile_saved(busy()).is_some(), "told once");
        assert!(session.busy_retry().is_some(), "no retry armed");
        assert!(session.retrying() && session.unsaved());
        assert!(session.profile_saved(busy()).is_none(), "not told again");
        assert!(session.profile_saved(Ok(())).is_none());
        assert!(session.busy_retry().is_none());
        assert!(!session.retrying() && !session.unsaved());
    }

    #[test]
    fn a_failing_profile_write_is_told_once_until_one_succeeds() {
        let mut session = Session::new(Profile::new("shop"));
        let fail = || {
            Err(StorageError::Write {
                path: "/p".into(),
                reason: "full".into(),
            })
        };
        assert!(session.profile_saved(fail()).is_some());
        assert!(session.profile_saved(fail()).is_none());
        assert!(session.profile_saved(Ok(())).is_none());
        assert!(session.profile_saved(fail()).is_some());
    }

    #[test]
    fn the_keychain_state_follows_the_calls() {
        let mut session = Session::new(Profile::new("shop"));
        assert!(session.waits().any(|w| w == Wait::Keychain));
        let denied: Result<(), _> = Err(StoreError::Denied("locked".into()));
        assert!(!session.keychain_result(&denied));
        assert_eq!(
            session.keychain(),
            &KeychainState::Unavailable(StoreError::Denied("locked".into()))
        );
        // another kind of error says nothing about the keychain's state
        let other: Result<(), _> = Err(StoreError::Other("odd".into()));
        assert!(!session.keychain_result(&other));
        assert!(matches!(session.keychain(), KeychainState::Unavailable(_)));
        assert!(session.keychain_result(&Ok(())));
        assert_eq!(session.keychain(), &KeychainState::Ready);
        assert!(session.waits().next().is_none());
    }
}
