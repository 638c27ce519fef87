//! The window's background jobs run the same operations as the command line; what
//! they report reaches the user as their own localized message. Driven through
//! the `Wizard` without a window (in-memory keychain, a real profile folder).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wxpay_setup::app::ops::export::write_bundle;
use wxpay_setup::app::{NoticeLevel, Services, WeChatAccess, Wizard};
use wxpay_setup::domain::profile::{Profile, SecretField};
use wxpay_setup::domain::secret::Secret;
use wxpay_setup::i18n::{Lang, Tr};
use wxpay_setup::services::file_picker::NativePicker;
use wxpay_setup::services::profile_store::{ProfileStore, Settings};
use wxpay_setup::services::secret_store::{MemoryStore, SecretStore};
use wxpay_setup::services::wechat_http::{FakeHttp, NetError};

const PASS: &str = "correct horse battery staple";

fn bundle_with_a_secret(dir: &Path) -> PathBuf {
    let mut p = Profile::new("店A");
    p.mchid = "1900006031".into();
    let secrets = BTreeMap::from([(
        SecretField::ApiKeyV2,
        Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
    )]);
    let path = dir.join("shop.zip");
    write_bundle(&path, &p, Some(&(secrets, Secret::new(PASS)))).unwrap();
    path
}

fn wizard(config: &Path, keychain: MemoryStore) -> Wizard {
    let store = ProfileStore::at(config.to_path_buf());
    store
        .save_settings(&Settings {
            lang: Some(Lang::En),
            last_profile: None,
        })
        .unwrap();
    let services = Services {
        secrets: Arc::new(move || Ok(Arc::new(keychain.clone()) as Arc<dyn SecretStore>)),
        profiles: store,
        picker: Arc::new(NativePicker),
        wechat: WeChatAccess {
            http: Arc::new(FakeHttp::new()),
            urls: Err(NetError::Other("offline".into())),
        },
    };
    Wizard::new(services, Arc::new(|| {}))
}

/// The error notices the import left, as the user reads them.
fn import_errors(w: &mut Wizard, path: PathBuf, pass: &str) -> Vec<String> {
    let before = w.notices().len();
    w.import_bundle(path, Some(Secret::new(pass)));
    let deadline = Instant::now() + Duration::from_secs(10);
    while w.profile_op_running() && Instant::now() < deadline {
        w.tick(Instant::now());
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!w.profile_op_running(), "the import never finished");
    let tr = Tr(Lang::En);
    w.notices()[before.min(w.notices().len())..]
        .iter()
        .filter(|n| n.level == NoticeLevel::Error)
        .map(|n| tr.msg(n))
        .collect()
}

#[test]
fn a_wrong_passphrase_shows_its_own_message_not_a_missing_text_marker() {
    let config = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut w = wizard(config.path(), MemoryStore::new());
    let errors = import_errors(
        &mut w,
        bundle_with_a_secret(work.path()),
        "not the passphrase",
    );
    assert!(
        errors.iter().any(|e| e.contains("Wrong passphrase")),
        "{errors:?}"
    );
    assert!(!errors.iter().any(|e| e.contains("(?)")), "{errors:?}");
    assert!(
        !ProfileStore::at(config.path().to_path_buf()).exists("店A"),
        "nothing is written"
    );
}

#[test]
fn a_keychain_failure_during_import_keeps_its_detail() {
    let config = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let keychain = MemoryStore::new();
    let mut w = wizard(config.path(), keychain.clone());
    keychain.set_failure(Some(
        wxpay_setup::services::secret_store::StoreError::Denied(
            "the user declined the prompt".into(),
        ),
    ));
    let errors = import_errors(&mut w, bundle_with_a_secret(work.path()), PASS);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("the user declined the prompt")),
        "the keychain's detail is lost: {errors:?}"
    );
    assert!(!errors.iter().any(|e| e.contains("(?)")), "{errors:?}");
    assert!(!ProfileStore::at(config.path().to_path_buf()).exists("店A"));

    // with the keychain back, the same bundle imports, secret included
    keychain.set_failure(None);
    let errors = import_errors(&mut w, bundle_with_a_secret(work.path()), PASS);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(ProfileStore::at(config.path().to_path_buf()).exists("店A"));
    assert!(keychain.peek("店A", SecretField::ApiKeyV2).is_some());
}

#[test]
fn a_profile_that_cannot_be_saved_says_why_in_words() {
    let config = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut w = wizard(config.path(), MemoryStore::new());
    // a file where the profiles folder should be: every profile write fails
    std::fs::write(config.path().join("profiles"), "in the way").unwrap();
    let errors = import_errors(&mut w, bundle_with_a_secret(work.path()), PASS);
    assert!(!errors.is_empty());
    assert!(!errors.iter().any(|e| e.contains("(?)")), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("profiles")),
        "the message names where it could not write: {errors:?}"
    );
}
