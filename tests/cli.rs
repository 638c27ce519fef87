//! The headless commands, run as the real binary: certificate checks, profile
//! import into the real keychain (Secret Service in CI), export, delete.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::*;
use wxpay_setup::domain::profile::SecretField;
use wxpay_setup::services::secret_store::{KeyringStore, SecretStore};

const APPSECRET: &str = "0123456789abcdef0123456789abcdef";
const API_KEY: &str = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
const OA_SECRET: &str = "fedcba9876543210fedcba9876543210";

struct Env {
    config: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            config: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self) -> Command {
        wxpay(self.config.path())
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn all_files_text(&self) -> String {
        all_files_text(self.config.path())
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// The middle of the private key's base64: must never appear in any file.
fn key_fragment() -> String {
    key_a().lines().nth(5).unwrap().to_owned()
}

#[test]
fn check_certs_reports_a_good_zip_as_json() {
    let env = Env::new();
    let zip = good_zip(env.config.path());
    let o = env.run(&[
        "check-certs",
        zip.to_str().unwrap(),
        "--mchid",
        MCHID,
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["mchid"], MCHID);
    assert_eq!(v["company"], COMPANY);
    assert_eq!(v["issuer"], "tenpay");
    assert_eq!(v["serial"], SERIAL_HEX);
    assert_eq!(v["key_matches_cert"], true);
    assert_eq!(v["usable"], true);
    assert!(v["problems"].as_array().unwrap().is_empty());
    let not_after = v["not_after"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(not_after, &time::format_description::well_known::Rfc3339)
            .is_ok()
    );
}

#[test]
fn check_certs_exit_codes_and_messages() {
    let env = Env::new();
    let zip = good_zip(env.config.path());
    let z = zip.to_str().unwrap();

    let o = env.run(&["check-certs", z, "--mchid", "1900000109", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["problems"][0]["code"], "cert_mchid_mismatch");

    let o = env.run(&["check-certs", z, "--mchid", "abc"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a malformed --mchid is a usage error"
    );

    let o = env.run(&["check-certs"]);
    assert_eq!(o.status.code(), Some(2));

    let o = env.run(&["check-certs", "/no/such/file.zip", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["problems"][0]["code"], "io");
    assert_eq!(v["key_matches_cert"], Value::Null);

    let evil = env.config.path().join("evil.zip");
    write_raw_zip(&evil, &[(b"../../x.pem".to_vec(), b"x".to_vec())]);
    let o = env.run(&["check-certs", evil.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("suspicious file path"),
        "{}",
        stderr(&o)
    );

    // a cert without its key is not usable, and says why
    let pem = env.config.path().join("apiclient_cert.pem");
    std::fs::write(&pem, merchant_cert_pem(&CertSpec::default())).unwrap();
    let o = env.run(&["check-certs", pem.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["key_matches_cert"], Value::Null);
    assert_eq!(json(&o)["problems"][0]["code"], "key_missing");
}

#[test]
fn help_follows_the_locale() {
    let env = Env::new();
    let zh = env
        .cmd()
        .env("LANG", "zh_CN.UTF-8")
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(zh.status.code(), Some(0));
    assert!(
        stdout(&zh).contains("用法") && stdout(&zh).contains("检查证书"),
        "{}",
        stdout(&zh)
    );
    let en = env.run(&["--help"]);
    assert!(stdout(&en).contains("Usage") && stdout(&en).contains("Check a certificate"));
}

fn import_file(dir: &Path, name: &str, zip: &Path) -> PathBuf {
    let f = dir.join("import.toml");
    let zip_name = zip.file_name().unwrap().to_str().unwrap();
    std::fs::write(
        &f,
        format!(
            r#"name = "{name}"
site_kind = "site_and_mini_program"
payment_name = "微信支付"
mp_appid = "wx1234567890abcdef"
mp_appsecret = "{APPSECRET}"
mchid = "{MCHID}"
api_key_v2 = "{API_KEY}"
oa_appid = "wxfedcba0987654321"
oa_appsecret = "{OA_SECRET}"
cert_zip = "{zip_name}"
"#
        ),
    )
    .unwrap();
    f
}

#[test]
fn profile_import_show_export_delete_with_the_real_keychain() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let zip = good_zip(work.path());
    let name = unique_name("店铺");
    let file = import_file(work.path(), &name, &zip);

    let o = env.run(&["profile", "import", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("delete it now"),
        "warns that the import file holds secrets"
    );

    // the secrets are in the OS keychain ...
    let keychain =
        KeyringStore::connect().expect("a Secret Service for the tests (scripts/test.sh)");
    assert_eq!(
        keychain
            .get(&name, SecretField::ApiKeyV2)
            .unwrap()
            .unwrap()
            .expose(),
        API_KEY
    );
    assert_eq!(
        keychain
            .get(&name, SecretField::OaAppSecret)
            .unwrap()
            .unwrap()
            .expose(),
        OA_SECRET
    );
    let key = keychain
        .get(&name, SecretField::PrivateKey)
        .unwrap()
        .unwrap();
    assert!(key.expose().contains(&key_fragment()));
    // ... and in no file
    let files = env.all_files_text();
    for secret in [APPSECRET, API_KEY, OA_SECRET, &key_fragment()] {
        assert!(
            !files.contains(secret),
            "a secret leaked into the config directory"
        );
    }
    assert!(
        files.contains("wx1234567890abcdef"),
        "non-secret values are in the profile"
    );

    let o = env.run(&["profile", "show", &name, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["secrets"]["api_key_v2"], "set");
    assert_eq!(v["secrets"]["api_key_v3"], "not_set");
    assert_eq!(v["secrets"]["private_key"], "set");
    assert_eq!(v["certificate"]["serial"], SERIAL_HEX);
    assert!(!stdout(&o).contains(API_KEY));

    let o = env.run(&["profile", "list", "--json"]);
    assert!(
        json(&o)
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == name.as_str())
    );

    // export without secrets: readable, and no secret inside
    let plain = work.path().join("plain.zip");
    let o = env.run(&[
        "export",
        "--profile",
        &name,
        "--out",
        plain.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut z = zip::ZipArchive::new(std::fs::File::open(&plain).unwrap()).unwrap();
    let names: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert!(
        names.contains(&"wxpay-setup.toml".into())
            && names.contains(&"apiclient_cert.pem".into())
            && names.contains(&"README.txt".into())
    );
    assert!(
        !names
            .iter()
            .any(|n| n == "secrets.toml" || n == "apiclient_key.pem")
    );
    let mut readme = String::new();
    z.by_name("README.txt")
        .unwrap()
        .read_to_string(&mut readme)
        .unwrap();
    assert!(readme.contains("公众号身份识别（APPID）") && readme.contains("wx1234567890abcdef"));
    assert!(readme.contains("[apiclient_cert]") && readme.contains("Careful"));
    let all = std::fs::read(&plain).unwrap();
    assert!(!String::from_utf8_lossy(&all).contains(API_KEY));

    // export with secrets: AES-256 entries that need the passphrase
    let pass = work.path().join("pass.txt");
    std::fs::write(&pass, "correct-horse-battery\n").unwrap();
    let enc = work.path().join("enc.zip");
    let o = env.run(&[
        "export",
        "--profile",
        &name,
        "--out",
        enc.to_str().unwrap(),
        "--include-secrets",
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut z = zip::ZipArchive::new(std::fs::File::open(&enc).unwrap()).unwrap();
    assert!(
        z.by_name("secrets.toml").is_err(),
        "not readable without the passphrase"
    );
    let mut s = String::new();
    z.by_name_decrypt("secrets.toml", b"correct-horse-battery")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    assert!(s.contains(API_KEY) && s.contains(APPSECRET));
    assert!(
        z.by_name_decrypt("secrets.toml", b"wrong passphrase")
            .is_err()
    );
    assert!(!String::from_utf8_lossy(&std::fs::read(&enc).unwrap()).contains(API_KEY));

    // 7-Zip opens it with the passphrase
    if let Ok(out) = Command::new("7z")
        .arg("x")
        .arg("-y")
        .arg("-pcorrect-horse-battery")
        .arg(format!("-o{}", work.path().join("x").display()))
        .arg(&enc)
        .output()
    {
        assert!(
            out.status.success(),
            "7z: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let key = std::fs::read_to_string(work.path().join("x/apiclient_key.pem")).unwrap();
        assert!(key.contains(&key_fragment()));
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "7z must be installed in CI"
        );
    }

    // a short passphrase is refused
    std::fs::write(&pass, "short").unwrap();
    let o = env.run(&[
        "export",
        "--profile",
        &name,
        "--out",
        enc.to_str().unwrap(),
        "--include-secrets",
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));

    // delete removes the keychain entries too
    let o = env.run(&["profile", "delete", &name]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        keychain
            .get(&name, SecretField::ApiKeyV2)
            .unwrap()
            .is_none()
    );
    assert!(
        keychain
            .get(&name, SecretField::PrivateKey)
            .unwrap()
            .is_none()
    );
    let o = env.run(&["profile", "show", &name]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("There is no shop"));
}

#[test]
fn bad_import_files_are_refused_and_nothing_is_written() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let f = work.path().join("i.toml");

    std::fs::write(&f, "name = \"x\"\nmch_id = \"1900006031\"\n").unwrap();
    let o = env.run(&["profile", "import", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("mch_id"),
        "names the unknown key: {}",
        stderr(&o)
    );

    std::fs::write(&f, "name = \"x\"\nmp_appid = \"wx123\"\nmchid = \"12ab\"\napi_key_v2 = \"short\"\nsite_kind = \"pc\"\n").unwrap();
    let o = env.run(&["profile", "import", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    for needle in [
        "mp_appid",
        "mchid",
        "api_key_v2",
        "site_kind",
        "nothing was written",
    ] {
        assert!(e.contains(needle), "{needle} missing in: {e}");
    }

    for bad in [
        "name = \"a/b\"\n",
        "this is [not toml",
        "name = \"x\"\ncert_zip = \"missing.zip\"\n",
    ] {
        std::fs::write(&f, bad).unwrap();
        let o = env.run(&["profile", "import", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{bad}");
    }

    let o = env.run(&["profile", "list", "--json"]);
    assert_eq!(json(&o), serde_json::json!([]), "no profile was written");
}

/// Issue 7 "Wording": the same AppID or AppSecret given for the mini program and
/// the service account is refused before anything is written, on the service
/// account's key, with where to look each one up.
#[test]
fn the_same_account_for_mini_program_and_service_account_is_refused() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let f = work.path().join("i.toml");
    let base = format!(
        "name = \"{}\"\nsite_kind = \"site_and_mini_program\"\nmp_appid = \"wx1234567890abcdef\"\nmp_appsecret = \"{APPSECRET}\"\n",
        unique_name("same")
    );
    for (extra, key) in [
        (
            format!("oa_appid = \" wx1234567890abcdef \"\noa_appsecret = \"{OA_SECRET}\"\n"),
            "oa_appid",
        ),
        (
            format!("oa_appid = \"wxfedcba0987654321\"\noa_appsecret = \"{APPSECRET}\"\n"),
            "oa_appsecret",
        ),
    ] {
        std::fs::write(&f, format!("{base}{extra}")).unwrap();
        let o = env.run(&["profile", "import", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{extra}: {}", stdout(&o));
        let e = stderr(&o);
        for needle in [key, "开发设置", "基本配置", "nothing was written"] {
            assert!(e.contains(needle), "{needle} missing in: {e}");
        }
    }
    let o = env.run(&["profile", "list", "--json"]);
    assert_eq!(json(&o), serde_json::json!([]), "no profile was written");
}

#[test]
fn without_a_keychain_nothing_is_imported_and_no_secret_is_written() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let zip = good_zip(work.path());
    let name = unique_name("nokeychain");
    let file = import_file(work.path(), &name, &zip);
    let o = env
        .cmd()
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .args(["profile", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("keychain is not available"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("never written to a file"));
    // all or nothing: a profile without its secrets would look imported but not work
    let files = env.all_files_text();
    assert!(
        !files.contains("wx1234567890abcdef"),
        "the profile was saved without its secrets"
    );
    for secret in [APPSECRET, API_KEY, OA_SECRET, &key_fragment()] {
        assert!(!files.contains(secret), "a secret was written in plain");
    }
    let o = env.run(&["profile", "list", "--json"]);
    assert_eq!(json(&o), serde_json::json!([]), "no profile was written");
}

#[test]
fn a_bundle_round_trips_into_another_config_and_bad_bundles_write_nothing() {
    let from = Env::new();
    let work = tempfile::tempdir().unwrap();
    let zip = good_zip(work.path());
    let name = unique_name("bundle");
    let file = import_file(work.path(), &name, &zip);
    assert_eq!(
        from.run(&["profile", "import", file.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let pass = work.path().join("pass.txt");
    std::fs::write(&pass, "bundle-pass-2026\n").unwrap();
    let bundle = work.path().join("b.zip");
    let o = from.run(&[
        "export",
        "--profile",
        &name,
        "--out",
        bundle.to_str().unwrap(),
        "--include-secrets",
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let to = Env::new();
    let target = format!("{name}-copy");
    // wrong passphrase, damaged zip, a certificate zip: refused, nothing written
    let wrong = work.path().join("wrong.txt");
    std::fs::write(&wrong, "not-the-passphrase").unwrap();
    let o = to.run(&[
        "profile",
        "import-bundle",
        bundle.to_str().unwrap(),
        "--passphrase-file",
        wrong.to_str().unwrap(),
        "--name",
        &target,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("Wrong passphrase"), "{}", stderr(&o));
    let o = to.run(&[
        "profile",
        "import-bundle",
        bundle.to_str().unwrap(),
        "--name",
        &target,
    ]);
    assert_eq!(o.status.code(), Some(2), "the passphrase is asked for");
    let damaged = work.path().join("damaged.zip");
    let bytes = std::fs::read(&bundle).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 3]).unwrap();
    assert_eq!(
        to.run(&["profile", "import-bundle", damaged.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
    let o = to.run(&["profile", "import-bundle", zip.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a bundle"));
    assert_eq!(
        json(&to.run(&["profile", "list", "--json"])),
        serde_json::json!([]),
        "nothing was written"
    );

    // the right passphrase restores values and secrets
    let o = to.run(&[
        "profile",
        "import-bundle",
        bundle.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--name",
        &target,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&to.run(&["profile", "show", &target, "--json"]));
    assert_eq!(v["mchid"], MCHID);
    assert_eq!(v["site_kind"], "site_and_mini_program");
    assert_eq!(v["certificate"]["serial"], SERIAL_HEX);
    assert_eq!(v["certificate"]["key_matches_cert"], true);
    assert_eq!(v["secrets"]["api_key_v2"], "set");
    assert_eq!(v["secrets"]["private_key"], "set");
    // importing again under a name that is taken never overwrites, nor renames
    let o = to.run(&[
        "profile",
        "import-bundle",
        bundle.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--name",
        &target,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let v = json(&to.run(&["profile", "list", "--json"]));
    assert!(
        !v.to_string().contains(&format!("{target} (2)")),
        "saved under another name: {v}"
    );
    for n in [name.clone(), target.clone(), format!("{target} (2)")] {
        let _ = from.run(&["profile", "delete", &n]);
        let _ = to.run(&["profile", "delete", &n]);
    }
}

/// Issue 10 item 1: a shop name never becomes a path outside the profiles folder.
#[test]
fn shop_names_that_are_paths_touch_no_file() {
    let env = Env::new();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.toml");
    std::fs::write(&victim, "name = \"victim\"\n[package]\nkeep = true\n").unwrap();
    let as_path = outside.path().join("victim").display().to_string();
    let rel = format!(
        "../../../../../../../..{}",
        outside.path().join("victim").display()
    );
    for name in [as_path.as_str(), rel.as_str()] {
        for args in [
            vec!["profile", "delete", name],
            vec!["profile", "show", name],
            vec!["verify", "--profile", name],
            vec!["push", "--profile", name, "--dry-run"],
        ] {
            let o = env.run(&args);
            assert_ne!(o.status.code(), Some(0), "{args:?}: {}", stdout(&o));
        }
    }
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "name = \"victim\"\n[package]\nkeep = true\n",
        "the file outside the profiles folder is untouched"
    );
    // a hand-placed file whose name would be a path is not listed as a shop
    let profiles = env.config.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(profiles.join("...toml"), "name = \"x\"\n").unwrap();
    std::fs::write(profiles.join("CON.toml"), "name = \"x\"\n").unwrap();
    let o = env.run(&["profile", "list", "--json"]);
    assert_eq!(json(&o), serde_json::json!([]), "{}", stdout(&o));
}

/// Issue 18 item 6: `backend_mapping` in an import file named by a relative
/// path (`profile import shop.toml` typed in its folder) is kept as the file
/// beside the import file, never as a path the push would read from whatever
/// folder it is started in (a `map.toml` planted there).
#[test]
fn a_mapping_named_relative_to_a_relatively_named_import_file_is_kept_whole() {
    let config = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("map.toml"),
        "[fields]\nmchid = \"mch_id\"\n",
    )
    .unwrap();
    let name = unique_name("mapped");
    std::fs::write(
        work.path().join("shop.toml"),
        format!("name = {name:?}\nbackend_preset = \"custom\"\nbackend_mapping = \"map.toml\"\n"),
    )
    .unwrap();
    let o = wxpay(config.path())
        .current_dir(work.path())
        .args(["profile", "import", "shop.toml"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let p = wxpay_setup::services::profile_store::ProfileStore::at(config.path().to_path_buf())
        .load(&name)
        .unwrap();
    let kept = Path::new(&p.backend_mapping_file);
    assert!(
        kept.is_absolute(),
        "{kept:?} is read from wherever push runs"
    );
    assert_eq!(
        kept.canonicalize().unwrap(),
        work.path().join("map.toml").canonicalize().unwrap()
    );
}

/// Trial M4: `--password-file -` on a terminal asks on stderr and does not echo what
/// is typed. Run under a real pseudo-terminal (util-linux `script`), the password
/// typed only once the prompt is shown.
#[cfg(unix)]
#[test]
fn a_password_typed_at_a_terminal_is_asked_for_and_not_echoed() {
    use std::io::Write;
    use std::process::Stdio;
    use std::sync::{Arc, Mutex};
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` (util-linux) for a pseudo-terminal");
        return;
    }
    let shop = ImportedShop::import(
        "pty",
        &format!("mp_appid = \"wx1234567890abcdef\"\nmchid = {MCHID:?}\n"),
    );
    let exe = env!("CARGO_BIN_EXE_wxpay-setup");
    let line = format!(
        "'{exe}' push --profile '{}' --backend likeadmin --url http://127.0.0.1:1/admin --account admin --password-file - --dry-run",
        shop.name
    );
    let mut script = Command::new("script");
    script
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env("WXPAY_SETUP_CONFIG_DIR", shop.config.path())
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut p = script.spawn().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut out = p.stdout.take().unwrap();
    let reader = {
        let seen = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let text = || String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    let started = std::time::Instant::now();
    while !text().contains("not shown as you type") {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no prompt: {}",
            text()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // the prompt is out; the echo is switched off right after it
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut input = p.stdin.take().unwrap();
    input.write_all(b"Typed-Secret-4711\r").unwrap();
    input.flush().unwrap();
    let status = p.wait().unwrap();
    drop(input);
    reader.join().unwrap();
    let all = text();
    assert!(!all.contains("Typed-Secret-4711"), "echoed: {all}");
    // the password was read: the push went on to the (closed) backend address
    assert!(!all.contains("gave no password"), "{all}");
    assert!(all.contains("likeadmin"), "{all}");
    assert_eq!(status.code(), Some(1), "{all}");
}

/// Second CLI trial, minor 1 (issue 18 #9): a receiver token with a line break or
/// another control character in an import file was stored, and every later push then
/// failed. It is refused on input, as `--token-file` refuses it: nothing is written.
#[test]
fn an_import_files_token_with_control_characters_is_refused() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let f = work.path().join("i.toml");
    let name = unique_name("tok");
    for token in ["ab\\r\\nX-Injected: 1", "tok\\u001b[2J", "t\\u0000k"] {
        std::fs::write(
            &f,
            format!(
                "name = \"{name}\"\nbackend_preset = \"generic\"\nbackend_token = \"{token}\"\n"
            ),
        )
        .unwrap();
        let o = env.run(&["profile", "import", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{token}: {}", stdout(&o));
        let e = stderr(&o);
        for needle in ["backend_token", "control character", "nothing was written"] {
            assert!(e.contains(needle), "{needle} missing in: {e}");
        }
        assert!(!e.contains("X-Injected"), "the token is not repeated: {e}");
    }
    let o = env.run(&["profile", "list", "--json"]);
    assert_eq!(json(&o), serde_json::json!([]), "no profile was written");
    // an ordinary token imports
    std::fs::write(
        &f,
        format!("name = \"{name}\"\nbackend_preset = \"generic\"\nbackend_token = \"PushToken-9f86d081\"\n"),
    )
    .unwrap();
    let o = env.run(&["profile", "import", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _ = env.run(&["profile", "delete", &name]);
}

/// Third CLI trial minor 2: `backend_token = ""` was imported and shown as set,
/// and a token with a no-break space or U+2028 was imported and later sent raw
/// in the Authorization header. Both are refused on input, naming the position.
#[test]
fn an_import_files_empty_or_non_ascii_token_is_refused() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let f = work.path().join("i.toml");
    let name = unique_name("tok");
    for (token, needles) in [
        ("", &["backend_token", "empty"][..]),
        (
            "ab\\u00a0c",
            &["backend_token", "Character 3", "plain visible"][..],
        ),
        (
            "abcd\\u2028ef",
            &["backend_token", "Character 5", "plain visible"][..],
        ),
        (
            "tok én",
            &["backend_token", "Character 4", "plain visible"][..],
        ),
    ] {
        std::fs::write(
            &f,
            format!(
                "name = \"{name}\"\nbackend_preset = \"generic\"\nbackend_token = \"{token}\"\n"
            ),
        )
        .unwrap();
        let o = env.run(&["profile", "import", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{token:?}: {}", stdout(&o));
        let e = stderr(&o);
        for needle in needles {
            assert!(e.contains(needle), "{token:?}: {needle} missing in: {e}");
        }
    }
    let o = env.run(&["profile", "list", "--json"]);
    assert_eq!(json(&o), serde_json::json!([]), "no profile was written");
}

/// Third CLI trial minor 5: an APIv3 key of 32 characters with an "é" said
/// "must be exactly 32 characters; this has 32". The character and its place
/// are named instead, for the APIv2 key too.
#[test]
fn a_key_with_a_non_ascii_letter_names_it_and_its_place() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let f = work.path().join("i.toml");
    let name = unique_name("key");
    for (field, key, needles) in [
        (
            "api_key_v3",
            "V3keyV3keyV3keyV3keyV3keyV3key0é",
            &["Character 32", "\"é\" (U+00E9)"][..],
        ),
        (
            "api_key_v2",
            "Zq8RmT2vLx5NpW7c\\u00a0b3dHf6jKs9GtA4e",
            &["Character 17", "U+00A0"][..],
        ),
    ] {
        std::fs::write(
            &f,
            format!("name = \"{name}\"\nmchid = \"1900000109\"\n{field} = \"{key}\"\n"),
        )
        .unwrap();
        let o = env.run(&["profile", "import", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{field}: {}", stdout(&o));
        let e = stderr(&o);
        for needle in needles {
            assert!(e.contains(needle), "{field}: {needle} missing in: {e}");
        }
        assert!(!e.contains("this has 32"), "{e}");
    }
}

/// Runs the program on a terminal (a pseudo-terminal made by Python's `pty`), types
/// `keys` once `prompt` shows, and gives all it printed there.
fn on_a_terminal(config: &Path, args: &[&str], prompt: &str, keys: &[u8]) -> String {
    const DRIVER: &str = r#"
import os, pty, select, sys, time
prompt, keys = sys.argv[1].encode(), bytes.fromhex(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[3], sys.argv[3:])
out, typed, deadline = b"", False, time.time() + 30
while time.time() < deadline:
    if not typed and prompt in out:
        time.sleep(0.2)
        os.write(fd, keys)
        typed = True
    r, _, _ = select.select([fd], [], [], 0.5)
    if r:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
"#;
    let hex: String = keys.iter().map(|b| format!("{b:02x}")).collect();
    let o = Command::new("python3")
        .args([
            "-c",
            DRIVER,
            prompt,
            &hex,
            env!("CARGO_BIN_EXE_wxpay-setup"),
        ])
        .args(args)
        .env("WXPAY_SETUP_CONFIG_DIR", config)
        .env("LANG", "en_US.UTF-8")
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Second CLI trial, minor 7: Ctrl-D at the hidden password prompt printed the
/// error on the prompt's own line. It starts on a new line.
#[test]
fn ctrl_d_at_the_password_prompt_puts_the_error_on_a_new_line() {
    let config = tempfile::tempdir().unwrap();
    let args = [
        "push",
        "--profile",
        "nope",
        "--backend",
        "likeadmin",
        "--url",
        "http://127.0.0.1:9/admin",
        "--account",
        "admin",
        "--password-file",
        "-",
    ];
    let out = on_a_terminal(config.path(), &args, "not shown as you type", &[0x04]);
    let prompt = "(not shown as you type): ";
    let at = out.find(prompt).unwrap_or_else(|| panic!("{out:?}"));
    let after = &out[at + prompt.len()..];
    assert!(
        after.starts_with("\r\n× "),
        "the error on its own line: {out:?}"
    );
    assert!(after.contains("gave no password"), "{out:?}");
    // Enter ends the line once: no empty line after a password typed
    let out = on_a_terminal(config.path(), &args, "not shown as you type", b"pw-123\r");
    let at = out.find(prompt).unwrap_or_else(|| panic!("{out:?}"));
    let after = &out[at + prompt.len()..];
    assert!(
        after.starts_with("\r\n") && !after.starts_with("\r\n\r\n"),
        "{out:?}"
    );
    assert!(!out.contains("pw-123"), "never echoed: {out:?}");
}
