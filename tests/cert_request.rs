//! Applying for the certificate without WXCertUtil (issue 11), through the CLI
//! in-process against fakes: `cert request` stores the key in the (memory)
//! keychain and remembers the request, a test CA plays the merchant platform and
//! signs it, `cert accept` takes the certificate string back, also after a
//! restart (a new context over the same stores).

mod support;

use std::time::Instant;

use serde_json::Value;
use wxpay_setup::app::ops::testing::{Fakes, MCHID, ctx_of, shop};
use wxpay_setup::cli::run_with;
use wxpay_setup::domain::cert::IssuerKind;
use wxpay_setup::domain::profile::SecretField;
use wxpay_setup::i18n::Lang;
use wxpay_setup::services::profile_store::ProfileRepo;

const COMPANY: &str = support::COMPANY;

fn run(f: &Fakes, args: &[&str], input: &str) -> (u8, String, String) {
    run_with(ctx_of(f), Lang::En, args, input)
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn bare_base64(cert_pem: &str) -> String {
    cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn request_then_accept_across_a_restart() {
    let f = Fakes::default();
    shop(&f, "店A");
    let start = Instant::now();
    let (code, out, err) = run(
        &f,
        &[
            "cert",
            "request",
            "--profile",
            "店A",
            "--company",
            COMPANY,
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let req = json(&out);
    assert_eq!(req["mchid"], MCHID);
    assert_eq!(req["company"], COMPANY);
    assert_eq!(req["new"], true);
    let pem = req["request_pem"].as_str().unwrap().to_owned();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    assert!(!req["request_base64"].as_str().unwrap().contains('\n'));
    let requested = start.elapsed();
    // only the public request is printed; the key is in the keychain only
    let key = f
        .keychain
        .peek("店A", SecretField::PendingPrivateKey)
        .expect("the key went to the keychain");
    let key_line = key.expose().lines().nth(1).unwrap().to_owned();
    assert!(!out.contains(&key_line) && !err.contains(&key_line));
    assert!(f.keychain.peek("店A", SecretField::PrivateKey).is_none());

    // the app is closed and opened again: asking again shows the same request
    let (code, out, _) = run(&f, &["cert", "request", "--profile", "店A", "--json"], "");
    assert_eq!(code, 0);
    let again = json(&out);
    assert_eq!(again["new"], false);
    assert_eq!(again["request_pem"], pem.as_str());

    let cert = support::issue(&pem);
    let t = Instant::now();
    let (code, out, err) = run(
        &f,
        &["cert", "accept", "--profile", "店A", "-"],
        &bare_base64(&cert),
    );
    let accepted = t.elapsed();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("店A"), "{out}");
    eprintln!(
        "request {requested:?} (key generation included), accept {accepted:?}, total {:?}",
        start.elapsed()
    );
    let p = f.profiles.load("店A").unwrap();
    assert!(p.pending_cert_request.is_none());
    let c = p.certificate.expect("stored like a zip import");
    assert_eq!(c.mchid.as_deref(), Some(MCHID));
    assert_eq!(c.company.as_deref(), Some(COMPANY));
    assert_eq!(c.issuer, IssuerKind::Tenpay);
    assert_eq!(c.key_matches, Some(true));
    assert_eq!(c.key_bits, Some(2048));
    assert_eq!(
        f.keychain.peek("店A", SecretField::PrivateKey),
        Some(key),
        "the waiting key became the profile's key"
    );
    assert!(
        f.keychain
            .peek("店A", SecretField::PendingPrivateKey)
            .is_none()
    );

    // nothing left waiting
    let (code, _, err) = run(&f, &["cert", "accept", "--profile", "店A", "-"], &cert);
    assert_eq!(code, 1);
    assert!(err.contains("no request waiting"), "{err}");
}

#[test]
fn refused_pastes_change_nothing() {
    let f = Fakes::default();
    shop(&f, "店B");
    let (code, out, err) = run(
        &f,
        &[
            "cert",
            "request",
            "--profile",
            "店B",
            "--company",
            COMPANY,
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let pem = json(&out)["request_pem"].as_str().unwrap().to_owned();
    let cert = bare_base64(&support::issue(&pem));
    let compact: String = cert.chars().filter(|c| !c.is_whitespace()).collect();

    // a certificate for another key: signed over a request made for another profile
    shop(&f, "店C");
    let (_, out_c, _) = run(
        &f,
        &[
            "cert",
            "request",
            "--profile",
            "店C",
            "--company",
            COMPANY,
            "--json",
        ],
        "",
    );
    let other = support::issue(json(&out_c)["request_pem"].as_str().unwrap());

    for (paste, code, says) in [
        (&compact[..compact.len() - 30], 1, "cut_short"),
        (other.as_str(), 1, "key_mismatch"),
        ("garbage !!", 1, "not_a_certificate"),
        ("", 1, "empty"),
    ] {
        let (c, out, err) = run(
            &f,
            &["cert", "accept", "--profile", "店B", "-", "--json"],
            paste,
        );
        assert_eq!(c, code, "{says}: {err}");
        assert_eq!(json(&out)["code"], says, "{out}");
        assert!(
            f.profiles
                .load("店B")
                .unwrap()
                .pending_cert_request
                .is_some()
        );
        assert!(f.keychain.peek("店B", SecretField::PrivateKey).is_none());
    }
    // human words for a cut-short paste
    let (_, _, err) = run(
        &f,
        &["cert", "accept", "--profile", "店B", "-"],
        &cert[..cert.len() / 2],
    );
    assert!(err.contains("incomplete"), "{err}");
    // and then the right one is still accepted
    let (code, _, err) = run(&f, &["cert", "accept", "--profile", "店B", "-"], &cert);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn request_needs_a_merchant_number_and_a_company() {
    let f = Fakes::default();
    shop(&f, "店D");
    let (code, _, err) = run(&f, &["cert", "request", "--profile", "店D"], "");
    assert_eq!(code, 2, "no company known: {err}");
    assert!(err.contains("legal name"), "{err}");
    let mut p = f.profiles.load("店D").unwrap();
    p.mchid.clear();
    f.profiles.save(&p).unwrap();
    let (code, _, err) = run(
        &f,
        &["cert", "request", "--profile", "店D", "--company", COMPANY],
        "",
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(
        &f,
        &["cert", "request", "--profile", "nobody", "--company", "x"],
        "",
    );
    assert_eq!(code, 1);
    assert!(
        f.keychain
            .peek("店D", SecretField::PendingPrivateKey)
            .is_none()
    );
}

#[test]
fn starting_over_replaces_the_key() {
    let f = Fakes::default();
    shop(&f, "店E");
    let args = [
        "cert",
        "request",
        "--profile",
        "店E",
        "--company",
        COMPANY,
        "--json",
    ];
    let (_, out, _) = run(&f, &args, "");
    let first = json(&out)["request_pem"].as_str().unwrap().to_owned();
    let key1 = f
        .keychain
        .peek("店E", SecretField::PendingPrivateKey)
        .unwrap();
    let (code, out, _) = run(&f, &[&args[..], &["--new"]].concat(), "");
    assert_eq!(code, 0);
    let second = json(&out);
    assert_eq!(second["new"], true);
    assert_ne!(second["request_pem"], first.as_str());
    assert_ne!(
        f.keychain
            .peek("店E", SecretField::PendingPrivateKey)
            .unwrap(),
        key1
    );
    // the certificate for the dropped request no longer fits
    let (code, out, _) = run(
        &f,
        &["cert", "accept", "--profile", "店E", "-", "--json"],
        &support::issue(&first),
    );
    assert_eq!(code, 1);
    assert_eq!(json(&out)["code"], "key_mismatch");
}

#[test]
fn a_waiting_key_moves_on_rename_and_goes_on_delete() {
    let f = Fakes::default();
    shop(&f, "店F");
    let args = ["cert", "request", "--profile", "店F", "--company", COMPANY];
    assert_eq!(run(&f, &args, "").0, 0);
    let key = f
        .keychain
        .peek("店F", SecretField::PendingPrivateKey)
        .unwrap();
    let ctx = ctx_of(&f);
    wxpay_setup::app::ops::profiles::rename(&ctx, "店F", "店G").unwrap();
    assert!(
        f.keychain
            .peek("店F", SecretField::PendingPrivateKey)
            .is_none()
    );
    assert_eq!(
        f.keychain.peek("店G", SecretField::PendingPrivateKey),
        Some(key)
    );
    assert_eq!(run(&f, &["profile", "delete", "店G"], "").0, 0);
    assert!(
        f.keychain
            .peek("店G", SecretField::PendingPrivateKey)
            .is_none()
    );
}

#[test]
fn help_is_localized() {
    let f = Fakes::default();
    let (code, out, _) = run_with(ctx_of(&f), Lang::ZhCn, &["cert", "request", "--help"], "");
    assert_eq!(code, 0);
    assert!(out.contains("商户全称"), "{out}");
}

/// Runs a tool if it is installed; `None` (and a note on stderr) when it is not.
fn tool(name: &str, args: &[&str]) -> Option<std::process::Output> {
    match std::process::Command::new(name).args(args).output() {
        Ok(out) => Some(out),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("SKIPPED: {name} is not installed, its check did not run");
            None
        }
        Err(e) => panic!("{name}: {e}"),
    }
}

/// Applies and accepts for `name`: the shop then has a certificate from a request.
fn applied(f: &Fakes, name: &str) -> String {
    shop(f, name);
    let (code, out, err) = run(
        f,
        &[
            "cert",
            "request",
            "--profile",
            name,
            "--company",
            COMPANY,
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let cert = support::issue(json(&out)["request_pem"].as_str().unwrap());
    let (code, _, err) = run(f, &["cert", "accept", "--profile", name, "-"], &cert);
    assert_eq!(code, 0, "{err}");
    cert
}

#[test]
fn saved_files_are_wxcertutils_and_open_in_openssl_3_and_keytool() {
    let f = Fakes::default();
    let cert = applied(&f, "店S");
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().to_str().unwrap();
    let (code, stdout, err) = run(
        &f,
        &["cert", "save", "--profile", "店S", "--out", out, "--json"],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let saved = json(&stdout);
    let folder = std::path::PathBuf::from(saved["folder"].as_str().unwrap());
    let today = wxpay_setup::app::ops::cert_request::today();
    assert_eq!(
        folder.file_name().unwrap().to_str().unwrap(),
        format!(
            "{MCHID}_{:04}{:02}{:02}_cert",
            today.year(),
            u8::from(today.month()),
            today.day()
        )
    );
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "apiclient_cert.p12",
            "apiclient_cert.pem",
            "apiclient_key.pem",
            "证书使用说明.txt"
        ]
    );
    let key = f.keychain.peek("店S", SecretField::PrivateKey).unwrap();
    let key_file = std::fs::read_to_string(folder.join("apiclient_key.pem")).unwrap();
    assert_eq!(key_file.trim(), key.expose().trim());
    assert!(
        key_file.starts_with("-----BEGIN PRIVATE KEY-----"),
        "PKCS#8"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("apiclient_cert.pem"))
            .unwrap()
            .trim(),
        cert.trim()
    );
    let notes = std::fs::read_to_string(folder.join("证书使用说明.txt")).unwrap();
    assert!(
        notes.contains(MCHID) && notes.contains("apiclient_key.pem"),
        "{notes}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for (file, mode) in [
            ("apiclient_key.pem", 0o600),
            ("apiclient_cert.p12", 0o600),
            ("apiclient_cert.pem", 0o644),
        ] {
            let m = std::fs::metadata(folder.join(file)).unwrap().permissions();
            assert_eq!(m.mode() & 0o777, mode, "{file}");
        }
    }

    let p12 = folder.join("apiclient_cert.p12");
    let p12 = p12.to_str().unwrap();
    let pass = format!("pass:{MCHID}");
    // OpenSSL 3 without -legacy: RC2 would fail here
    if let Some(o) = tool(
        "openssl",
        &["pkcs12", "-in", p12, "-passin", &pass, "-noout"],
    ) {
        let text = String::from_utf8_lossy(&o.stderr).into_owned();
        eprintln!("openssl pkcs12 -noout: status {} {text}", o.status);
        assert!(o.status.success(), "{text}");
        let info = tool(
            "openssl",
            &[
                "pkcs12", "-in", p12, "-passin", &pass, "-info", "-nokeys", "-nocerts",
            ],
        )
        .unwrap();
        let info = String::from_utf8_lossy(&info.stderr).into_owned()
            + &String::from_utf8_lossy(&info.stdout);
        eprintln!("openssl pkcs12 -info:\n{info}");
        assert!(
            info.contains("PBES2") && info.contains("AES-256-CBC"),
            "{info}"
        );
        assert!(!info.to_lowercase().contains("rc2"), "{info}");
        // the key inside is ours
        let keys = tool(
            "openssl",
            &["pkcs12", "-in", p12, "-passin", &pass, "-nocerts", "-nodes"],
        )
        .unwrap();
        let text = String::from_utf8_lossy(&keys.stdout);
        assert!(text.contains("friendlyName: Tenpay Certificate"), "{text}");
        let body = key.expose().lines().nth(1).unwrap();
        assert!(text.contains(body), "the p12 holds the profile's key");
        // the wrong password is refused
        let wrong = tool(
            "openssl",
            &["pkcs12", "-in", p12, "-passin", "pass:1900000000", "-noout"],
        )
        .unwrap();
        assert!(!wrong.status.success());
    }
    if let Some(o) = tool(
        "keytool",
        &[
            "-list",
            "-v",
            "-keystore",
            p12,
            "-storetype",
            "PKCS12",
            "-storepass",
            MCHID,
        ],
    ) {
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        eprintln!(
            "keytool -list: status {}\n{}",
            o.status,
            text.lines()
                .filter(|l| l.contains("Alias")
                    || l.contains("Entry type")
                    || l.contains("Owner")
                    || l.contains("Issuer")
                    || l.contains("Keystore type")
                    || l.contains("contains"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(
            o.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            text.to_lowercase()
                .contains("alias name: tenpay certificate"),
            "{text}"
        );
        assert!(text.contains("PrivateKeyEntry"), "{text}");
        assert!(text.contains(&format!("CN={MCHID}")), "{text}");
    }

    // a second save into the same place overwrites nothing
    let before = std::fs::read(folder.join("apiclient_key.pem")).unwrap();
    let (code, stdout, _) = run(
        &f,
        &["cert", "save", "--profile", "店S", "--out", out, "--json"],
        "",
    );
    assert_eq!(code, 1);
    assert_eq!(json(&stdout)["code"], "folder_exists");
    assert_eq!(
        std::fs::read(folder.join("apiclient_key.pem")).unwrap(),
        before
    );
    // human words say what to do
    let (_, _, err) = run(&f, &["cert", "save", "--profile", "店S", "--out", out], "");
    assert!(err.contains("exists already"), "{err}");
}

#[test]
fn saving_files_needs_a_certificate_and_its_key() {
    let f = Fakes::default();
    shop(&f, "店T");
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let (code, stdout, _) = run(
        &f,
        &["cert", "save", "--profile", "店T", "--out", dir, "--json"],
        "",
    );
    assert_eq!(code, 1);
    assert_eq!(json(&stdout)["code"], "no_certificate");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

/// Issue 11 item 4: a shop waiting for its certificate moves to another
/// computer in an encrypted bundle, the waiting key under the passphrase; the
/// certificate string is then accepted there. Without secrets the request
/// stays behind (its key cannot travel in the clear).
#[test]
fn a_waiting_request_moves_to_another_computer_in_an_encrypted_bundle() {
    let here = Fakes::default();
    shop(&here, "店M");
    let (code, out, err) = run(
        &here,
        &[
            "cert",
            "request",
            "--profile",
            "店M",
            "--company",
            COMPANY,
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let pem = json(&out)["request_pem"].as_str().unwrap().to_owned();
    let key = here
        .keychain
        .peek("店M", SecretField::PendingPrivateKey)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass.txt");
    std::fs::write(&pass, "门店密码-2026-passphrase").unwrap();
    let bundle = dir.path().join("店M.zip");
    let plain = dir.path().join("店M-plain.zip");
    let (b, p) = (bundle.to_str().unwrap(), pass.to_str().unwrap());
    let (code, _, err) = run(
        &here,
        &[
            "export",
            "--profile",
            "店M",
            "--out",
            b,
            "--include-secrets",
            "--passphrase-file",
            p,
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(
        &here,
        &[
            "export",
            "--profile",
            "店M",
            "--out",
            plain.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    // the key is not readable in the zip
    let raw = std::fs::read(&bundle).unwrap();
    let body = key.expose().lines().nth(1).unwrap();
    assert!(!raw.windows(body.len()).any(|w| w == body.as_bytes()));

    let there = Fakes::default();
    let (code, _, err) = run(
        &there,
        &["profile", "import-bundle", b, "--passphrase-file", p],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        there.keychain.peek("店M", SecretField::PendingPrivateKey),
        Some(key.clone()),
        "the waiting key came along under the passphrase"
    );
    let moved = there.profiles.load("店M").unwrap();
    assert_eq!(
        moved
            .pending_cert_request
            .as_ref()
            .map(|r| r.csr_pem.as_str()),
        Some(pem.as_str())
    );
    // the platform answers; the other computer takes the certificate
    let (code, _, err) = run(
        &there,
        &["cert", "accept", "--profile", "店M", "-"],
        &support::issue(&pem),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        there.keychain.peek("店M", SecretField::PrivateKey),
        Some(key)
    );

    // a bundle without secrets does not pretend a request is waiting
    let third = Fakes::default();
    let (code, _, err) = run(
        &third,
        &["profile", "import-bundle", plain.to_str().unwrap()],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        third
            .profiles
            .load("店M")
            .unwrap()
            .pending_cert_request
            .is_none()
    );
}

/// The trial: `cert request --new` killed between storing the new key and
/// saving its request string (3 of 115 kills) left the old string beside the
/// new key. The key is the truth: the request shown (and the one `accept`
/// works from) is rebuilt from it and saved.
#[test]
fn a_request_string_left_behind_by_a_kill_is_rebuilt_from_the_waiting_key() {
    use wxpay_setup::domain::cert::request::{csr_matches_key, new_request};
    use wxpay_setup::services::secret_store::SecretStore;
    let f = Fakes::default();
    shop(&f, "店K");
    let args = ["cert", "request", "--profile", "店K", "--company", COMPANY];
    assert_eq!(run(&f, &args, "").0, 0);
    let old_pem = f
        .profiles
        .load("店K")
        .unwrap()
        .pending_cert_request
        .unwrap()
        .csr_pem;
    // `--new` killed part-way: its key is stored, its request string is not
    let new_key = new_request(MCHID, COMPANY).unwrap().private_key;
    f.keychain
        .set("店K", SecretField::PendingPrivateKey, &new_key)
        .unwrap();
    assert!(!csr_matches_key(&old_pem, &new_key));

    let (code, out, err) = run(&f, &["cert", "request", "--profile", "店K", "--json"], "");
    assert_eq!(code, 0, "{err}");
    let shown = json(&out);
    assert_eq!(shown["new"], false);
    assert_eq!(shown["company"], COMPANY);
    let pem = shown["request_pem"].as_str().unwrap();
    assert_ne!(pem, old_pem);
    assert!(
        csr_matches_key(pem, &new_key),
        "the shown request fits the key"
    );
    let saved = f
        .profiles
        .load("店K")
        .unwrap()
        .pending_cert_request
        .unwrap();
    assert_eq!(saved.csr_pem, pem, "and it was saved");
    // the certificate for it is accepted
    let (code, _, err) = run(
        &f,
        &["cert", "accept", "--profile", "店K", "-"],
        &support::issue(pem),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        f.keychain.peek("店K", SecretField::PrivateKey),
        Some(new_key)
    );
}

/// The same kill seen first by `accept` (the window's paste): the request is
/// put right even when the pasted certificate (for the lost key) is refused.
#[test]
fn accept_after_such_a_kill_also_puts_the_request_right() {
    use wxpay_setup::domain::cert::request::{csr_matches_key, new_request};
    use wxpay_setup::services::secret_store::SecretStore;
    let f = Fakes::default();
    shop(&f, "店L");
    let args = ["cert", "request", "--profile", "店L", "--company", COMPANY];
    assert_eq!(run(&f, &args, "").0, 0);
    let old_pem = f
        .profiles
        .load("店L")
        .unwrap()
        .pending_cert_request
        .unwrap()
        .csr_pem;
    let new_key = new_request(MCHID, COMPANY).unwrap().private_key;
    f.keychain
        .set("店L", SecretField::PendingPrivateKey, &new_key)
        .unwrap();
    let (code, out, _) = run(
        &f,
        &["cert", "accept", "--profile", "店L", "-", "--json"],
        &support::issue(&old_pem),
    );
    assert_eq!(code, 1);
    assert_eq!(json(&out)["code"], "key_mismatch");
    let saved = f
        .profiles
        .load("店L")
        .unwrap()
        .pending_cert_request
        .unwrap();
    assert!(csr_matches_key(&saved.csr_pem, &new_key));
}

/// The trial: `--company` took control characters and 300 characters.
#[test]
fn a_company_name_a_certificate_cannot_hold_is_refused_with_exit_2() {
    let f = Fakes::default();
    shop(&f, "店M");
    let long = "x".repeat(300);
    for (company, code_json, says) in [
        ("a\tb", "company_chars", "Character 2"),
        (long.as_str(), "company_too_long", "300"),
    ] {
        let args = ["cert", "request", "--profile", "店M", "--company", company];
        let (code, _, err) = run(&f, &args, "");
        assert_eq!(code, 2, "{company:?}: {err}");
        assert!(err.contains(says), "{err}");
        let (_, out, _) = run(&f, &[&args[..], &["--json"]].concat(), "");
        assert_eq!(json(&out)["code"], code_json);
    }
    assert!(
        f.keychain
            .peek("店M", SecretField::PendingPrivateKey)
            .is_none()
    );
    assert!(
        f.profiles
            .load("店M")
            .unwrap()
            .pending_cert_request
            .is_none()
    );
}

/// The trial: `cert save --out afile` said "the half-written folder was
/// removed" though nothing had been written. A file where the folder should
/// go is named as such; nothing is written, the file is left as it was.
#[test]
fn saving_files_into_a_file_says_it_is_a_file_and_writes_nothing() {
    let f = Fakes::default();
    applied(&f, "店U");
    let work = tempfile::tempdir().unwrap();
    let afile = work.path().join("afile");
    std::fs::write(&afile, "mine").unwrap();
    for out in [afile.clone(), afile.join("below")] {
        let out_s = out.display().to_string();
        let (code, _, err) = run(
            &f,
            &["cert", "save", "--profile", "店U", "--out", &out_s],
            "",
        );
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains(&format!("{} is a file, not a folder", afile.display())),
            "{err}"
        );
        assert!(
            !err.contains("half-written") && !err.contains("os error"),
            "{err}"
        );
        let (_, out, _) = run(
            &f,
            &[
                "cert",
                "save",
                "--profile",
                "店U",
                "--out",
                &out_s,
                "--json",
            ],
            "",
        );
        assert_eq!(json(&out)["code"], "not_a_folder");
    }
    assert_eq!(std::fs::read_to_string(&afile).unwrap(), "mine");
    assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 1);
}

/// What the window calls to show a waiting request on reopen: the same
/// repair, and nothing made when nothing waits.
#[test]
fn showing_the_waiting_request_without_making_one_also_puts_it_right() {
    use wxpay_setup::app::ops::cert_request::waiting;
    use wxpay_setup::domain::cert::request::{csr_matches_key, new_request};
    use wxpay_setup::services::secret_store::SecretStore;
    let f = Fakes::default();
    shop(&f, "店N");
    assert!(waiting(&ctx_of(&f), "店N").unwrap().is_none());
    let args = ["cert", "request", "--profile", "店N", "--company", COMPANY];
    assert_eq!(run(&f, &args, "").0, 0);
    let new_key = new_request(MCHID, COMPANY).unwrap().private_key;
    f.keychain
        .set("店N", SecretField::PendingPrivateKey, &new_key)
        .unwrap();
    let shown = waiting(&ctx_of(&f), "店N").unwrap().expect("one waits");
    assert!(!shown.new);
    assert!(csr_matches_key(&shown.request_pem, &new_key));
    let saved = f
        .profiles
        .load("店N")
        .unwrap()
        .pending_cert_request
        .unwrap();
    assert_eq!(saved.csr_pem, shown.request_pem);
}

/// Found by a first-user trial: `cert request --json` on a shop that does not
/// exist (or is busy) reported the code "failed", which a script cannot act on.
#[test]
fn a_refusal_in_json_names_its_cause() {
    let f = Fakes::default();
    let (code, out, _) = run(
        &f,
        &["cert", "request", "--profile", "无此店", "--json"],
        "",
    );
    assert_eq!(code, 1);
    assert_eq!(json(&out)["code"], "no_such_profile");
}
