//! The config bundle read back (`domain::bundle`): a shop moved to another
//! computer with export + import-bundle keeps every setting and every secret,
//! and secrets are taken only from entries the passphrase authenticates.

mod support;

use std::collections::BTreeMap;
use std::io::Cursor;

use wxpay_setup::domain::bundle::{SecretPart, read_bundle, write_bundle};
use wxpay_setup::domain::cert::archive::SourceFile;
use wxpay_setup::domain::check::{CheckId, CheckRecord};
use wxpay_setup::domain::profile::{
    MerchantPath, Prerequisite, Profile, SecretField, SiteKind, Step,
};
use wxpay_setup::domain::secret::Secret;
use wxpay_setup::domain::wxapi::Outcome;

const NOW: &str = "2026-11-27T08:00:00Z";

/// Every field set, written out in full (no `..Default::default()`): a new
/// profile field fails to compile here until the round trip covers it.
fn everything_set() -> Profile {
    let cert = support::merchant_cert_pem(&support::CertSpec {
        key_pem: support::key_a(),
        ..Default::default()
    });
    let imported = wxpay_setup::domain::cert::import_files(&[
        SourceFile {
            name: "apiclient_cert.pem".into(),
            bytes: cert.into_bytes(),
        },
        SourceFile {
            name: "apiclient_key.pem".into(),
            bytes: support::key_a().as_bytes().to_vec(),
        },
    ])
    .unwrap();
    let mut certificate = imported.summary;
    certificate.source = "/home/a/证书.zip".into();
    Profile {
        name: "搬家的店".into(),
        // left at its default: a shop marked so is never exported
        import_unfinished: false,
        prerequisite: Some(Prerequisite::Verified),
        merchant_path: Some(MerchantPath::BindExisting),
        checklist_done: ["new.apply".to_owned(), "bind.open".to_owned()].into(),
        site_kind: Some(SiteKind::SiteAndMiniProgram),
        payment_name: "小店 \"支付\"".into(),
        mp_appid: "wx1234567890abcdef".into(),
        mchid: support::MCHID.into(),
        oa_appid: "wxfedcba0987654321".into(),
        jsapi_enabled: true,
        certificate: Some(certificate),
        pending_cert_request: Some(wxpay_setup::domain::cert::request::PendingRequest {
            csr_pem:
                "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"
                    .into(),
            company: support::COMPANY.into(),
            created_at: "2026-11-27T08:00:00Z".into(),
        }),
        public_key_id: "PUB_KEY_ID_0119000060312024".into(),
        public_key_pem: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".into(),
        backend_url: "https://shop.example.com/api/wxpay".into(),
        backend_preset: wxpay_setup::domain::push::BackendPreset::Custom,
        backend_mapping_file: "/home/a/mapping.toml".into(),
        checks: [(
            CheckId::PayOa,
            CheckRecord {
                outcome: Outcome::fail("pay_other").with("detail", "NOAUTH"),
                at: "2026-11-27T08:00:00Z".into(),
                fingerprint: "0123456789abcdef".into(),
            },
        )]
        .into(),
        fingerprint_salt: "9f86d081884c7d659a2feaa0c55ad015".into(),
        api_key_in_use: Some(true),
        step: Step::Verify,
        updated_at: "2026-11-27T08:01:00Z".into(),
    }
}

fn all_secrets() -> BTreeMap<SecretField, Secret> {
    SecretField::ALL
        .into_iter()
        .map(|f| {
            let v = match f {
                SecretField::PrivateKey => support::key_a().to_owned(),
                other => format!("{}-Zq8RmT2vLx5NpW7cYb3dHf6jKs9G", other.key()),
            };
            (f, Secret::new(v))
        })
        .collect()
}

/// Same fields, same values (the values are not printed on failure).
fn assert_same_secrets(got: &BTreeMap<SecretField, Secret>, want: &BTreeMap<SecretField, Secret>) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (f, v) in want {
        assert!(got[f].expose() == v.expose(), "{f:?} differs");
    }
}

const MAPPING: &str = "[fields]\nmchid = \"mch_id\"\napi_key_v2 = \"pay_key\"\n";

#[test]
fn a_round_trip_with_secrets_keeps_every_field_and_every_secret() {
    let p = everything_set();
    let secrets = all_secrets();
    let pass = Secret::new("门店密码-2024-passphrase");
    let bytes = write_bundle(
        Cursor::new(Vec::new()),
        &p,
        Some(MAPPING),
        Some(SecretPart {
            secrets: &secrets,
            passphrase: &pass,
        }),
        NOW,
    )
    .unwrap()
    .into_inner();
    let back = read_bundle(Cursor::new(&bytes), "/tmp/店.zip", Some(&pass)).unwrap();
    let mut want = p.clone();
    // what legitimately changes: the certificate now comes from the bundle, and
    // the mapping is text for the caller to place (a path means nothing elsewhere)
    want.certificate.as_mut().unwrap().source = "/tmp/店.zip".into();
    want.backend_mapping_file = String::new();
    assert_same_secrets(&back.secrets, &secrets);
    assert_eq!(back.profile, want);
    assert_eq!(back.mapping.as_deref(), Some(MAPPING));
}

#[test]
fn a_round_trip_without_secrets_keeps_every_setting_and_no_check_fingerprint() {
    let p = everything_set();
    let bytes = write_bundle(Cursor::new(Vec::new()), &p, Some(MAPPING), None, NOW)
        .unwrap()
        .into_inner();
    let back = read_bundle(Cursor::new(&bytes), "/tmp/店.zip", None).unwrap();
    assert!(back.secrets.is_empty());
    assert_eq!(back.mapping.as_deref(), Some(MAPPING));
    // the certificate is read again from its PEM; without the key it cannot be paired
    let cert = back.profile.certificate.clone().unwrap();
    let orig = p.certificate.clone().unwrap();
    assert_eq!(
        (
            &cert.serial,
            &cert.not_after,
            &cert.certificate_pem,
            &cert.source
        ),
        (
            &orig.serial,
            &orig.not_after,
            &orig.certificate_pem,
            &"/tmp/店.zip".to_owned()
        )
    );
    // check results need the secrets they were made with: they stay behind,
    // and the new profile gets a salt of its own
    assert!(back.profile.checks.is_empty());
    assert_eq!(back.profile.fingerprint_salt.len(), 32);
    assert_ne!(back.profile.fingerprint_salt, p.fingerprint_salt);
    // a waiting certificate request needs its key, which travels only under a
    // passphrase: without secrets the request stays behind (issue 11)
    assert!(back.profile.pending_cert_request.is_none());
    let want = Profile {
        certificate: back.profile.certificate.clone(),
        pending_cert_request: None,
        backend_mapping_file: String::new(),
        checks: Default::default(),
        fingerprint_salt: back.profile.fingerprint_salt.clone(),
        ..p.clone()
    };
    assert_eq!(back.profile, want);
    // and nothing of a fingerprint or its salt is readable in the zip
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(&p.fingerprint_salt));
    assert!(!text.contains("0123456789abcdef"));
}

fn bundle_with_secrets(p: &Profile, pass: &Secret) -> Vec<u8> {
    write_bundle(
        Cursor::new(Vec::new()),
        p,
        Some(MAPPING),
        Some(SecretPart {
            secrets: &all_secrets(),
            passphrase: pass,
        }),
        NOW,
    )
    .unwrap()
    .into_inner()
}

/// The readable config can be rewritten by anyone who holds the file; with
/// secrets inside, where they get pushed to must come from the part the
/// passphrase authenticates.
#[test]
fn an_altered_readable_config_cannot_redirect_the_secrets() {
    use std::io::{Read, Write};
    let p = everything_set();
    let pass = Secret::new("门店密码-2024-passphrase");
    let bytes = bundle_with_secrets(&p, &pass);
    let mut src = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let name = src.by_index_raw(i).unwrap().name().unwrap().into_owned();
        if name == wxpay_setup::domain::bundle::CONFIG_NAME {
            let mut text = String::new();
            src.by_index(i).unwrap().read_to_string(&mut text).unwrap();
            let evil = text.replace("https://shop.example.com", "https://evil.example");
            assert_ne!(evil, text);
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(evil.as_bytes()).unwrap();
        } else {
            out.raw_copy_file(src.by_index_raw(i).unwrap()).unwrap();
        }
    }
    let tampered = out.finish().unwrap().into_inner();
    let back = read_bundle(Cursor::new(&tampered), "b.zip", Some(&pass)).unwrap();
    assert_eq!(back.profile.backend_url, p.backend_url);
    assert_eq!(back.secrets.len(), SecretField::ALL.len());
}

/// What the module header says about the encryption, checked on the bytes: the
/// WinZip AES extra field (0x9901) of each encrypted entry gives the vendor
/// version (1 = AE-1, 2 = AE-2) and the strength (3 = AES-256). If the zip
/// crate starts writing AE-2, this fails and the header can say so.
#[test]
fn the_encrypted_entries_are_aes_256_written_as_ae1() {
    let bytes = bundle_with_secrets(&everything_set(), &Secret::new("passphrase-12345"));
    let fields: Vec<(u16, u8)> = bytes
        .windows(9)
        .filter(|w| w[..4] == [0x01, 0x99, 0x07, 0x00] && &w[6..8] == b"AE")
        .map(|w| (u16::from_le_bytes([w[4], w[5]]), w[8]))
        .collect();
    // two encrypted entries (secrets.toml, apiclient_key.pem), local + central headers
    assert_eq!(fields.len(), 4, "{fields:?}");
    assert!(fields.iter().all(|f| *f == (1, 3)), "{fields:?}");
}

/// The same through the binary and the real keychain: a shop set up on one
/// computer (config folder A), exported with secrets, its mapping file then
/// gone, imported on another (config folder B): every setting, the mapping's
/// content and every secret are there.
#[test]
fn export_and_import_bundle_move_a_shop_whole() {
    use wxpay_setup::services::profile_store::ProfileStore;
    use wxpay_setup::services::secret_store::{KeyringStore, SecretStore};
    let (a, b, work) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let name = support::unique_name("moved");
    let target = format!("{name}-there");
    let zip = support::good_zip(work.path());
    let pub_pem = {
        use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
        rsa::PrivateKey::from_pkcs8_pem(support::key_b())
            .unwrap()
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap()
    };
    std::fs::write(work.path().join("pub_key.pem"), &pub_pem).unwrap();
    let mapping = work.path().join("mapping.toml");
    std::fs::write(&mapping, MAPPING).unwrap();
    support::import_profile(
        a.path(),
        work.path(),
        &format!(
            "name = {name:?}\nsite_kind = \"site_and_mini_program\"\npayment_name = \"小店\"\n\
             mp_appid = \"wx1234567890abcdef\"\nmp_appsecret = \"0123456789abcdef0123456789abcdef\"\n\
             oa_appid = \"wxfedcba0987654321\"\noa_appsecret = \"fedcba9876543210fedcba9876543210\"\n\
             mchid = {:?}\napi_key_v2 = \"Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e\"\n\
             api_key_v3 = \"Ab3dEf6hIj9kLm2oPq5sTu8wXy1zA4cD\"\ncert_zip = {:?}\n\
             public_key_id = \"PUB_KEY_ID_0119000060312024\"\npublic_key_pem = \"pub_key.pem\"\n\
             backend_url = \"https://shop.example.com/api/wxpay\"\nbackend_preset = \"custom\"\n\
             backend_mapping = \"mapping.toml\"\nbackend_token = \"PushToken-9f86d081884c7d659a2f\"\n",
            support::MCHID,
            zip.file_name().unwrap().to_str().unwrap()
        ),
    );
    let pass = work.path().join("pass.txt");
    std::fs::write(&pass, "门店密码-2024-passphrase\n").unwrap();
    let bundle = work.path().join("moved.zip");
    let run = |config: &std::path::Path, args: &[&str]| {
        let o = support::wxpay(config).args(args).output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let bundle_arg = bundle.to_str().unwrap();
    let pass_arg = pass.to_str().unwrap();
    run(
        a.path(),
        &[
            "export",
            "--profile",
            &name,
            "--out",
            bundle_arg,
            "--include-secrets",
            "--passphrase-file",
            pass_arg,
        ],
    );
    std::fs::remove_file(&mapping).unwrap();
    run(
        b.path(),
        &[
            "profile",
            "import-bundle",
            bundle_arg,
            "--passphrase-file",
            pass_arg,
            "--name",
            &target,
        ],
    );

    let here = ProfileStore::at(a.path().to_path_buf())
        .load(&name)
        .unwrap();
    let there = ProfileStore::at(b.path().to_path_buf())
        .load(&target)
        .unwrap();
    let placed = ProfileStore::at(b.path().to_path_buf()).mapping_path(&target);
    assert_eq!(std::fs::read_to_string(&placed).unwrap(), MAPPING);
    let mut want = here.clone();
    want.name = target.clone();
    want.backend_mapping_file = placed.display().to_string();
    want.certificate.as_mut().unwrap().source = bundle.display().to_string();
    // saved on import, so its time may differ
    want.updated_at = there.updated_at.clone();
    assert_eq!(there, want);
    assert_eq!(there.public_key_pem.trim(), pub_pem.trim());

    let keychain = KeyringStore::connect().unwrap();
    let secrets_of = |n: &str| -> BTreeMap<SecretField, Secret> {
        SecretField::ALL
            .into_iter()
            .filter_map(|f| keychain.get(n, f).unwrap().map(|v| (f, v)))
            .collect()
    };
    let (from, to) = (secrets_of(&name), secrets_of(&target));
    assert_eq!(from.len(), SecretField::ALL.len(), "all six were set");
    assert_same_secrets(&to, &from);
    for (config, n) in [(a.path(), &name), (b.path(), &target)] {
        let _ = support::wxpay(config)
            .args(["profile", "delete", n])
            .output();
    }
}
