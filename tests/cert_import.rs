//! Certificate import against real certificates in real zips, folders and files,
//! including every hostile or broken input the wizard must refuse.

mod support;

use std::path::Path;

use support::*;
use time::{Duration, OffsetDateTime};
use wxpay_setup::domain::cert::{ImportError, IssuerKind, evaluate};
use wxpay_setup::i18n::{Lang, Tr};
use wxpay_setup::services::files;

fn codes(p: &[wxpay_setup::domain::problem::Problem]) -> Vec<&'static str> {
    p.iter().map(|p| p.code).collect()
}

#[test]
fn genuine_wxcertutil_zip_is_read_completely() {
    let dir = tempfile::tempdir().unwrap();
    let zip = good_zip(dir.path());
    let imported = files::import_cert(&zip).unwrap();
    let c = &imported.summary;
    assert_eq!(c.mchid.as_deref(), Some(MCHID));
    assert_eq!(c.company.as_deref(), Some(COMPANY));
    assert_eq!(c.issuer, IssuerKind::Tenpay);
    assert_eq!(c.serial, SERIAL_HEX);
    assert_eq!(c.serial.len(), 40);
    assert_eq!(c.key_matches, Some(true));
    assert_eq!(c.key_bits, Some(2048));
    assert!(c.p12_present, "the openssl-made p12 is recognised");
    assert_eq!(c.signature_algorithm, "sha256WithRSAEncryption");
    assert!(c.certificate_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let key = imported.private_key.expect("private key");
    assert!(key.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(evaluate(c, MCHID, OffsetDateTime::now_utc()).is_empty());
}

#[test]
fn unpacked_folder_and_single_files_work() {
    let dir = tempfile::tempdir().unwrap();
    let cert = merchant_cert_pem(&CertSpec::default());
    for (name, bytes) in wxcertutil_files(&cert, key_a(), MCHID) {
        let p = dir.path().join(&name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let from_folder = files::import_cert(dir.path()).unwrap();
    assert_eq!(from_folder.summary.key_matches, Some(true));

    let pem_only = dir
        .path()
        .join(format!("{MCHID}_20240101_cert/apiclient_cert.pem"));
    let c = files::import_cert(&pem_only).unwrap();
    assert_eq!(c.summary.key_matches, None);
    assert!(c.private_key.is_none());
    assert_eq!(
        codes(&evaluate(&c.summary, MCHID, OffsetDateTime::now_utc())),
        ["key_missing"]
    );
}

#[test]
fn gbk_entry_names_without_utf8_flag_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let cert = merchant_cert_pem(&CertSpec::default());
    let entries: Vec<(Vec<u8>, Vec<u8>)> = wxcertutil_files(&cert, key_a(), MCHID)
        .into_iter()
        .map(|(n, b)| (encoding_rs::GBK.encode(&n).0.into_owned(), b))
        .collect();
    assert!(entries.iter().any(|(n, _)| std::str::from_utf8(n).is_err()));
    let path = dir.path().join("gbk.zip");
    write_raw_zip(&path, &entries);
    let files = files::read_cert_source(&path).unwrap();
    assert!(
        files.iter().any(|f| f.name.ends_with("证书使用说明.txt")),
        "{:?}",
        files.iter().map(|f| &f.name).collect::<Vec<_>>()
    );
    assert_eq!(
        files::import_cert(&path).unwrap().summary.key_matches,
        Some(true)
    );
}

#[test]
fn key_from_another_application_does_not_match() {
    let dir = tempfile::tempdir().unwrap();
    let cert = merchant_cert_pem(&CertSpec::default());
    let path = dir.path().join("mixed.zip");
    write_zip(
        &path,
        &[
            ("apiclient_cert.pem".into(), cert.into_bytes()),
            ("apiclient_key.pem".into(), key_b().as_bytes().to_vec()),
        ],
    );
    let c = files::import_cert(&path).unwrap();
    assert_eq!(c.summary.key_matches, Some(false));
    assert_eq!(
        codes(&evaluate(&c.summary, MCHID, OffsetDateTime::now_utc())),
        ["key_mismatch"]
    );
}

#[test]
fn legacy_expired_expiring_and_foreign_certificates() {
    let now = OffsetDateTime::now_utc();
    let dir = tempfile::tempdir().unwrap();
    let check = |spec: CertSpec<'_>, mchid: &str| {
        let path = dir.path().join("c.pem");
        let mut pem = merchant_cert_pem(&spec);
        pem.push_str(key_a());
        std::fs::write(&path, pem).unwrap();
        let c = files::import_cert(&path).unwrap().summary;
        (c.clone(), codes(&evaluate(&c, mchid, now)))
    };
    let (c, p) = check(
        CertSpec {
            ca: CaKind::Legacy,
            mchid: "10000100",
            ..Default::default()
        },
        "10000100",
    );
    assert_eq!(c.issuer, IssuerKind::Legacy);
    assert_eq!(
        c.mchid.as_deref(),
        Some("10000100"),
        "legacy certs carry the mchid in the surname attribute"
    );
    assert_eq!(p, ["cert_issuer_legacy"]);

    let (_, p) = check(
        CertSpec {
            not_before: now - Duration::days(2000),
            not_after: now - Duration::days(1),
            ..Default::default()
        },
        MCHID,
    );
    assert_eq!(p, ["cert_expired"]);
    let (_, p) = check(
        CertSpec {
            not_after: now + Duration::days(30),
            ..Default::default()
        },
        MCHID,
    );
    assert_eq!(p, ["cert_expiring_soon"]);
    let (c, p) = check(
        CertSpec {
            ca: CaKind::Other,
            ..Default::default()
        },
        MCHID,
    );
    assert_eq!(c.issuer, IssuerKind::Unknown);
    assert_eq!(p, ["cert_issuer_unknown"]);
    let (_, p) = check(CertSpec::default(), "1900000109");
    assert_eq!(p, ["cert_mchid_mismatch"]);
}

fn refused(path: &Path) -> ImportError {
    match files::import_cert(path) {
        Ok(_) => panic!("{} was accepted", path.display()),
        Err(e) => e,
    }
}

#[test]
fn hostile_and_broken_archives_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cert = merchant_cert_pem(&CertSpec::default());

    // not a zip at all, though named like one
    let p = d.join("fake.zip");
    std::fs::write(&p, b"Rar!\x1a\x07\x00 not a zip").unwrap();
    assert!(matches!(refused(&p), ImportError::NotAZip));

    // a truncated zip
    let good = good_zip(d);
    let bytes = std::fs::read(&good).unwrap();
    let p = d.join("truncated.zip");
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        refused(&p),
        ImportError::NotAZip | ImportError::CorruptZip { .. }
    ));

    // path traversal, absolute and drive-letter names
    for evil in [
        "../../evil.pem",
        "/etc/evil.pem",
        "C:\\evil.pem",
        "a/../../b.pem",
    ] {
        let p = d.join("traversal.zip");
        write_raw_zip(
            &p,
            &[
                (b"apiclient_cert.pem".to_vec(), cert.clone().into_bytes()),
                (evil.as_bytes().to_vec(), b"x".to_vec()),
            ],
        );
        assert!(
            matches!(refused(&p), ImportError::UnsafePath { .. }),
            "{evil}"
        );
    }

    // an encrypted entry
    let p = d.join("encrypted.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
        let o = zip::write::SimpleFileOptions::default()
            .with_aes_encryption(zip::AesMode::Aes256, "secret12");
        z.start_file("apiclient_cert.pem", o).unwrap();
        std::io::Write::write_all(&mut z, cert.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    assert!(matches!(refused(&p), ImportError::Encrypted { .. }));

    // a zip bomb: 8 MiB of zeros deflate to a few KiB
    let p = d.join("bomb.zip");
    write_zip(
        &p,
        &[
            ("apiclient_cert.pem".into(), cert.clone().into_bytes()),
            ("big.bin".into(), vec![0u8; 8 * 1024 * 1024]),
        ],
    );
    assert!(std::fs::metadata(&p).unwrap().len() < 100_000);
    assert!(matches!(refused(&p), ImportError::EntryTooLarge { .. }));

    // too many entries
    let p = d.join("many.zip");
    let many: Vec<(String, Vec<u8>)> = (0..65)
        .map(|i| (format!("f{i}.txt"), b"x".to_vec()))
        .collect();
    write_zip(&p, &many);
    assert!(matches!(refused(&p), ImportError::TooManyEntries { .. }));

    // no certificate at all
    let p = d.join("nocert.zip");
    write_zip(
        &p,
        &[
            ("证书使用说明.txt".into(), README_TXT.as_bytes().to_vec()),
            ("apiclient_key.pem".into(), key_a().as_bytes().to_vec()),
        ],
    );
    assert!(matches!(refused(&p), ImportError::NoCertificate));

    // two different certificates
    let other = merchant_cert_pem(&CertSpec {
        key_pem: key_b(),
        mchid: "1900000109",
        ..Default::default()
    });
    let p = d.join("two.zip");
    write_zip(
        &p,
        &[
            ("a.pem".into(), cert.clone().into_bytes()),
            ("b.pem".into(), other.into_bytes()),
        ],
    );
    assert!(matches!(refused(&p), ImportError::MultipleCertificates));

    // two different keys
    let p = d.join("twokeys.zip");
    write_zip(
        &p,
        &[
            ("c.pem".into(), cert.clone().into_bytes()),
            ("a.pem".into(), key_a().as_bytes().to_vec()),
            ("b.pem".into(), key_b().as_bytes().to_vec()),
        ],
    );
    assert!(matches!(refused(&p), ImportError::MultipleKeys));

    // an EC key where the RSA key should be (made by rcgen)
    let ec = rcgen::KeyPair::generate().unwrap().serialize_pem();
    let p = d.join("ec.zip");
    write_zip(
        &p,
        &[
            ("apiclient_cert.pem".into(), cert.clone().into_bytes()),
            ("apiclient_key.pem".into(), ec.into_bytes()),
        ],
    );
    assert!(matches!(refused(&p), ImportError::KeyNotRsa { .. }));

    // malformed PEM and DER
    let p = d.join("badpem.zip");
    write_zip(
        &p,
        &[(
            "apiclient_cert.pem".into(),
            b"-----BEGIN CERTIFICATE-----\n@@@ not base64 @@@\n-----END CERTIFICATE-----\n"
                .to_vec(),
        )],
    );
    assert!(matches!(
        refused(&p),
        ImportError::MalformedPem { .. } | ImportError::MalformedCertificate { .. }
    ));
    let p = d.join("badder.zip");
    write_zip(&p, &[("apiclient_cert.pem".into(), b"-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END CERTIFICATE-----\n".to_vec())]);
    assert!(matches!(
        refused(&p),
        ImportError::MalformedCertificate { .. } | ImportError::MalformedPem { .. }
    ));
    let p = d.join("badkey.zip");
    write_zip(&p, &[("apiclient_cert.pem".into(), cert.clone().into_bytes()), ("apiclient_key.pem".into(), b"-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n".to_vec())]);
    assert!(matches!(
        refused(&p),
        ImportError::MalformedKey { .. } | ImportError::MalformedPem { .. }
    ));

    // a password-protected key
    let p = d.join("enckey.zip");
    write_zip(&p, &[("apiclient_cert.pem".into(), cert.clone().into_bytes()), ("apiclient_key.pem".into(), b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END ENCRYPTED PRIVATE KEY-----\n".to_vec())]);
    assert!(matches!(refused(&p), ImportError::KeyEncrypted { .. }));

    // a missing file, and an empty file
    assert!(matches!(
        refused(&d.join("nope.zip")),
        ImportError::Io { .. }
    ));
    let p = d.join("empty.pem");
    std::fs::write(&p, b"").unwrap();
    assert!(matches!(refused(&p), ImportError::NoCertificate));
}

#[test]
fn folders_with_too_many_or_too_big_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..70 {
        std::fs::write(dir.path().join(format!("{i}.txt")), b"x").unwrap();
    }
    assert!(matches!(
        refused(dir.path()),
        ImportError::TooManyEntries { .. }
    ));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.bin"), vec![1u8; 2 * 1024 * 1024]).unwrap();
    assert!(matches!(
        refused(dir.path()),
        ImportError::EntryTooLarge { .. }
    ));
}

#[cfg(unix)]
#[test]
fn symlinks_inside_a_folder_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("apiclient_cert.pem"),
        merchant_cert_pem(&CertSpec::default()),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("apiclient_cert.pem"),
        dir.path().join("apiclient_cert.pem"),
    )
    .unwrap();
    assert!(matches!(refused(dir.path()), ImportError::NoCertificate));
}

/// Random and mutated inputs: the importer may refuse them, but never panics.
#[test]
fn no_input_makes_the_importer_panic() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(good_zip(dir.path())).unwrap();
    let mut seed: u64 = 0x9E3779B97F4A7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let path = dir.path().join("fuzz.zip");
    for round in 0..400 {
        let mut bytes = if round % 4 == 0 {
            (0..(next() % 4096))
                .map(|_| next() as u8)
                .collect::<Vec<u8>>()
        } else {
            good.clone()
        };
        if !bytes.is_empty() {
            for _ in 0..(1 + next() % 16) {
                let i = (next() as usize) % bytes.len();
                bytes[i] = next() as u8;
            }
        }
        if round % 7 == 0 {
            let cut = (next() as usize) % (bytes.len() + 1);
            bytes.truncate(cut);
        }
        std::fs::write(&path, &bytes).unwrap();
        let result = std::panic::catch_unwind(|| files::import_cert(&path).map(|_| ()));
        assert!(result.is_ok(), "panic on round {round}");
    }
}

/// A pre-2018 certificate made the way MmpaymchCA made them, by openssl itself
/// (rcgen refuses non-ASCII in a TeletexString): issuer `CN=MmpaymchCA, O=Tencent,
/// OU=WXG`, the MCHID in the surname attribute (2.5.4.4, openssl's `SN`), `OU=MMPay`,
/// and the company in `CN` as a T61String holding UTF-8 bytes (openssl writes raw
/// bytes as T61String when `string_mask = default` and `-utf8` is not given),
/// SHA-1, 10 years.
fn legacy_cert_pem(company: &str, mchid: &str, key_pem: &str, ca_key_pem: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("k.pem"), key_pem).unwrap();
    std::fs::write(d.join("ca.key"), ca_key_pem).unwrap();
    std::fs::write(
        d.join("req.cnf"),
        "[req]\ndistinguished_name = dn\nstring_mask = default\nprompt = no\n[dn]\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| {
        let o = std::process::Command::new("openssl")
            .args(args)
            .current_dir(d)
            .output()
            .expect("openssl must be installed (scripts/test.sh installs it)");
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let common = ["-config", "req.cnf", "-sha1", "-days", "3650"];
    openssl(
        &[
            &["req", "-x509", "-new", "-key", "ca.key", "-out", "ca.pem"][..],
            &["-subj", "/C=CN/O=Tencent/OU=WXG/CN=MmpaymchCA"],
            &common,
        ]
        .concat(),
    );
    let subject = format!("/C=CN/OU=MMPay/CN={company}/SN={mchid}");
    openssl(
        &[
            &["req", "-x509", "-new", "-key", "k.pem", "-out", "m.pem"][..],
            &[
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                "0x3A7F00C1",
            ],
            &["-subj", &subject],
            &common,
        ]
        .concat(),
    );
    std::fs::read_to_string(d.join("m.pem")).unwrap()
}

#[test]
fn legacy_mmpaymchca_certificate_gives_its_mchid_and_chinese_company_name() {
    use x509_parser::prelude::*;
    const LEGACY_MCHID: &str = "10000100";
    // 10 characters, 30 bytes of UTF-8: an even length, which a UTF-16 reading
    // turns into 15 Hangul/CJK-looking characters
    const LEGACY_COMPANY: &str = "广州某某贸易有限公司";
    let pem = legacy_cert_pem(LEGACY_COMPANY, LEGACY_MCHID, key_a(), key_b());

    // the fixture is what it claims: T61String CN with UTF-8 bytes, surname attribute
    let der = pem_rfc7468::decode_vec(pem.as_bytes()).unwrap().1;
    let (_, x) = parse_x509_certificate(&der).unwrap();
    let cn = x.subject().iter_common_name().next().unwrap();
    assert_eq!(cn.attr_value().tag(), x509_parser::asn1_rs::Tag::T61String);
    assert_eq!(cn.attr_value().data, LEGACY_COMPANY.as_bytes());
    let surname = x
        .subject()
        .iter_by_oid(&x509_parser::oid_registry::OID_X509_SURNAME)
        .next()
        .expect("surname attribute");
    assert_eq!(surname.as_str().unwrap(), LEGACY_MCHID);
    assert!(
        x.subject()
            .iter_by_oid(&x509_parser::oid_registry::OID_X509_SERIALNUMBER)
            .next()
            .is_none()
    );

    // through the real zip import, as WXCertUtil packed it
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join(format!("{LEGACY_MCHID}_20160301_cert.zip"));
    write_zip(&zip, &wxcertutil_files(&pem, key_a(), LEGACY_MCHID));
    let c = files::import_cert(&zip).unwrap().summary;
    assert_eq!(c.issuer, IssuerKind::Legacy);
    assert_eq!(c.mchid.as_deref(), Some(LEGACY_MCHID));
    assert_eq!(c.company.as_deref(), Some(LEGACY_COMPANY));
    assert_eq!(c.signature_algorithm, "sha1WithRSAEncryption");
    assert_eq!(c.key_matches, Some(true));
    assert!(c.p12_present);

    // usable for APIv2, with the warning that APIv3 refuses it, in both languages
    let now = OffsetDateTime::now_utc();
    let p = evaluate(&c, LEGACY_MCHID, now);
    assert_eq!(codes(&p), ["cert_issuer_legacy"]);
    assert!(!p[0].is_error());
    assert!(wxpay_setup::domain::cert::report::is_usable(&p));
    for lang in [Lang::ZhCn, Lang::En] {
        let text = Tr(lang).t(&p[0].message_key());
        assert!(text.contains("APIv3") && text.contains("APIv2"), "{text}");
    }
    // the merchant number on it is compared with the one entered
    assert_eq!(
        codes(&evaluate(&c, "1900006031", now)),
        ["cert_mchid_mismatch", "cert_issuer_legacy"]
    );
}

/// Issue 18 item 2: a certificate's company field that would clear the screen,
/// retitle the window and forge a green line is shown as its escapes by
/// `check-certs`, in text and JSON.
#[test]
fn check_certs_shows_a_hostile_company_field_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}[32m✓ usable\u{1b}[0m\r\nfake\u{202e}";
    let cert = merchant_cert_pem(&CertSpec {
        company: hostile,
        ..Default::default()
    });
    let zip = dir.path().join("hostile.zip");
    write_zip(&zip, &wxcertutil_files(&cert, key_a(), MCHID));
    let (ctx, _) = wxpay_setup::app::ops::testing::fake_ctx();
    for args in [&["check-certs"][..], &["check-certs", "--json"][..]] {
        let mut all: Vec<&str> = args.to_vec();
        all.push(zip.to_str().unwrap());
        let (ctx, _) = wxpay_setup::app::ops::testing::fake_ctx();
        let (_, out, err) = wxpay_setup::cli::run_with(ctx, Lang::En, &all, "");
        for text in [&out, &err] {
            assert!(
                !text
                    .chars()
                    .any(|c| matches!(c, '\u{1b}' | '\u{7}' | '\r' | '\u{202e}')),
                "{args:?}: {text:?}"
            );
        }
        assert!(out.contains("pwned"), "{out}");
    }
    drop(ctx);
}
