//! The wizard through its façade, with its real worker thread, a real profile
//! folder and the in-memory keychain (the window's tests are in tests/gui.rs).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Wizard;
use crate::app::push::PushBlocker;
use crate::app::{Services, WeChatAccess};
use crate::app::{Task, Wait};
use crate::domain::fields::FieldId;
use crate::domain::profile::{Profile, SecretField};
use crate::domain::secret::Secret;
use crate::i18n::Lang;
use crate::services::file_picker::FixedPicker;
use crate::services::profile_store::{ProfileStore, Settings};
use crate::services::secret_store::{MemoryStore, SecretStore};
use crate::services::wechat_http::{BaseUrls, HttpClient};

/// Nothing listens on port 9: a push or check there fails without a network.
const NOWHERE: &str = "http://127.0.0.1:9";

fn wizard(config: &Path) -> Wizard {
    wizard_with(config, MemoryStore::new())
}

fn wizard_with(config: &Path, keychain: MemoryStore) -> Wizard {
    let services = Services {
        secrets: Arc::new(move || Ok(Arc::new(keychain.clone()) as Arc<dyn SecretStore>)),
        profiles: ProfileStore::at(config.to_path_buf()),
        picker: Arc::new(FixedPicker::default()),
        wechat: WeChatAccess {
            http: Arc::new(HttpClient::new().unwrap()),
            urls: Ok(BaseUrls {
                mp: NOWHERE.into(),
                pay: NOWHERE.into(),
            }),
        },
    };
    Wizard::new(services, Arc::new(|| {}))
}

/// A config folder whose last shop is `profile`.
fn config_with(profile: &Profile) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(dir.path().to_path_buf());
    store.save(profile).unwrap();
    store
        .save_settings(&Settings {
            lang: Some(Lang::En),
            last_profile: Some(profile.name.clone()),
        })
        .unwrap();
    dir
}

fn settle(w: &mut Wizard) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while w.busy() {
        assert!(
            Instant::now() < deadline,
            "stayed busy: {}",
            w.busy_reasons()
        );
        std::thread::sleep(Duration::from_millis(10));
        w.tick(Instant::now());
    }
}

#[test]
fn busy_reasons_name_everything_busy_waits_for() {
    let config = config_with(&Profile::new("shop"));
    let mut w = wizard(config.path());
    settle(&mut w);
    assert!(!w.busy());
    assert_eq!(w.busy_reasons(), "nothing");

    w.set_text(FieldId::MchId, "1900000001");
    assert!(w.busy());
    assert!(w.busy_reasons().contains(&Wait::ProfileSave.reason()));
    settle(&mut w);

    // a shop operation: `busy` waited for it, `busy_reasons` did not say so
    w.delete_profile("no such shop");
    assert!(w.busy());
    let reasons = w.busy_reasons();
    assert!(reasons.contains(&Task::ProfileOp.reason()), "{reasons}");

    // a push: the same (its preview, to a backend that is not there)
    w.set_backend(
        NOWHERE,
        crate::domain::backend_kind::BackendPreset::Known(
            crate::domain::backend_kind::BackendKind::Generic,
        ),
    );
    w.set_push_token(Secret::new("t0ken"));
    assert_eq!(w.push_blockers(), vec![]);
    w.start_push_preview();
    assert!(w.push().is_running());
    let reasons = w.busy_reasons();
    assert!(reasons.contains(&Task::Push.reason()), "{reasons}");
    assert!(
        reasons.contains(&Wait::SecretSave(SecretField::BackendToken).reason()),
        "{reasons}"
    );
    settle(&mut w);
    assert!(!w.push().is_running());
}

#[test]
fn push_blockers_are_typed() {
    use crate::domain::backend_kind::{BackendKind, BackendPreset};
    let config = config_with(&Profile::new("shop"));
    let mut w = wizard(config.path());
    assert_eq!(w.push_blockers(), vec![PushBlocker::NoBackend]);
    w.set_backend(
        "http://shop.example.com/admin",
        BackendPreset::Known(BackendKind::Likeadmin),
    );
    assert_eq!(
        w.push_blockers(),
        vec![
            PushBlocker::InsecureUrl {
                url: "http://shop.example.com/admin".into()
            },
            PushBlocker::NoAccount
        ]
    );
    w.set_backend_account("admin");
    w.set_backend(
        "https://shop.example.com/admin",
        BackendPreset::Known(BackendKind::Likeadmin),
    );
    assert_eq!(w.push_blockers(), vec![]);
    settle(&mut w);
}

/// Third CLI trial minor 2, the window's way in: a typed token with a no-break
/// space or U+2028 would be sent raw; it blocks the push, as a file's is refused.
#[test]
fn a_typed_token_that_cannot_be_sent_blocks_the_push() {
    use crate::app::ops::push::CredentialProblem;
    use crate::app::push::PushBlocker;
    let config = config_with(&Profile::new("shop"));
    let mut w = wizard(config.path());
    settle(&mut w);
    w.set_backend(
        NOWHERE,
        crate::domain::backend_kind::BackendPreset::Known(
            crate::domain::backend_kind::BackendKind::Generic,
        ),
    );
    // typed for this push (a kept one would be asked again for a new address)
    w.set_push_token(Secret::new("tok\u{2028}en"));
    assert_eq!(
        w.push_blockers(),
        vec![PushBlocker::BadToken(CredentialProblem::NotVisibleAscii {
            position: 4
        })]
    );
    w.set_secret(SecretField::BackendToken, Secret::new("token"));
    assert_eq!(w.push_blockers(), vec![]);
    settle(&mut w);
}

/// The preview comes from the backend (logged in, read), never from the form alone:
/// a backend that is not there says so, and nothing is sent or kept.
#[test]
fn a_preview_of_an_unreachable_backend_says_so_and_keeps_no_password() {
    use crate::domain::backend_kind::{BackendKind, BackendPreset};
    let config = config_with(&Profile::new("shop"));
    let keychain = MemoryStore::new();
    let mut w = wizard_with(config.path(), keychain.clone());
    settle(&mut w);
    w.set_backend(NOWHERE, BackendPreset::Known(BackendKind::Likeadmin));
    w.set_backend_account("admin");
    w.set_push_password(Secret::new("pw"));
    w.start_push_preview();
    settle(&mut w);
    match w.push_preview() {
        Some(Err(crate::app::ops::push::PushError::Net(BackendKind::Likeadmin, e))) => {
            assert!(e.is_temporary(), "{e:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        keychain
            .peek("shop", SecretField::BackendPassword)
            .is_none()
    );
    assert!(matches!(w.push(), crate::app::Busy::Idle));
}

/// Found by a first-user trial: a `cert request --new` killed between storing
/// its key and saving its request left the profile's request string for an
/// older key; the window showed it, and the certificate the platform issued
/// for it could never be accepted. Opening the shop puts the request right.
#[test]
fn a_waiting_request_left_apart_from_its_key_is_put_right_when_the_shop_opens() {
    use crate::domain::cert::request::{PendingRequest, csr_matches_key, new_request};
    let old = new_request("1900006031", "某某有限公司").unwrap();
    let newer = new_request("1900006031", "某某有限公司").unwrap();
    let mut p = Profile::new("shop");
    p.mchid = "1900006031".into();
    p.pending_cert_request = Some(PendingRequest {
        csr_pem: old.csr_pem.clone(),
        company: "某某有限公司".into(),
        created_at: "2026-11-27T10:00:00Z".into(),
    });
    let config = config_with(&p);
    let keychain = MemoryStore::new();
    keychain
        .set("shop", SecretField::PendingPrivateKey, &newer.private_key)
        .unwrap();
    let mut w = wizard_with(config.path(), keychain);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        w.tick(Instant::now());
        let shown = &w.pending_cert_request().unwrap().csr_pem;
        if csr_matches_key(shown, &newer.private_key) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the window still shows the request of an older key"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // and the file says the same
    let on_disk = ProfileStore::at(config.path().to_path_buf())
        .load("shop")
        .unwrap();
    let saved = on_disk.pending_cert_request.unwrap().csr_pem;
    assert!(csr_matches_key(&saved, &newer.private_key));
}
