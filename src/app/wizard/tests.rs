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

    // a push: the same
    w.set_backend(NOWHERE, crate::domain::push::BackendPreset::default());
    w.set_secret(SecretField::BackendToken, Secret::new("t0ken"));
    assert_eq!(w.push_blockers(), vec![]);
    w.confirm_push();
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
    let config = config_with(&Profile::new("shop"));
    let mut w = wizard(config.path());
    assert_eq!(
        w.push_blockers(),
        vec![
            PushBlocker::InsecureUrl { url: String::new() },
            PushBlocker::NoToken
        ]
    );
    w.set_backend(
        "http://shop.example.com/pay",
        crate::domain::push::BackendPreset::default(),
    );
    w.set_secret(SecretField::BackendToken, Secret::new("t0ken"));
    assert_eq!(
        w.push_blockers(),
        vec![PushBlocker::InsecureUrl {
            url: "http://shop.example.com/pay".into()
        }]
    );
    settle(&mut w);
}

/// The preview is drawn every frame: it must not read the mapping file each time.
#[test]
fn the_push_preview_does_not_read_the_mapping_file_when_drawn() {
    let files = tempfile::tempdir().unwrap();
    let mapping = files.path().join("mapping.toml");
    std::fs::write(&mapping, "[fields]\nmchid = \"shop_mchid\"\n").unwrap();
    let mut p = Profile::new("shop");
    p.mchid = "1900000001".into();
    p.backend_preset = crate::domain::push::BackendPreset::Custom;
    p.backend_mapping_file = mapping.display().to_string();
    let config = config_with(&p);
    let mut w = wizard(config.path());
    settle(&mut w);
    let shown = vec![("shop_mchid".to_owned(), "1900000001".to_owned())];
    assert_eq!(w.push_preview(), Ok(shown.clone()));

    std::fs::write(&mapping, "[fields]\nmchid = \"renamed\"\n").unwrap();
    assert_eq!(w.push_preview(), Ok(shown), "drawing read the file again");

    // opening the preview again reads it (once)
    w.reload_push_mapping();
    let renamed = vec![("renamed".to_owned(), "1900000001".to_owned())];
    assert_eq!(w.push_preview(), Ok(renamed));
    std::fs::remove_file(&mapping).unwrap();
    w.reload_push_mapping();
    assert!(w.push_preview().is_err());

    // a preset needs no file
    w.set_backend(
        "",
        crate::domain::push::BackendPreset::Known(crate::domain::push::Preset::Crmeb),
    );
    assert!(w.push_preview().is_ok());
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
