//! Every export format, written by the real binary and loaded the way its consumer loads
//! it: the real Python `wechatpayv3` package builds its client; each PHP file runs under
//! `php` against stand-ins of its SDK (tests/support/sdk: upstream's names and start-up
//! checks, keys really loaded by OpenSSL); the Java file compiles and runs with `javac`/
//! `java` against stand-ins of wechatpay-java's builders; the Go file builds, passes
//! `go vet` and runs against stand-ins of wechatpay-go's packages; the rest are read by a
//! real parser (YAML, dotenv, .properties, JSON) and checked against the key names the
//! upstream projects read (facts §5). Every export is run from another working directory,
//! and no export may mention a file it did not write. A missing tool fails the test:
//! scripts/test.sh installs them all.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;
use wxpay_setup::domain::export::{Format, MISSING_FILE, NOT_EXPORTED};

const KEY: &str = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
const V3: &str = "V3keyV3keyV3keyV3keyV3keyV3key12";
const APPID: &str = "wx1234567890abcdef";
const TRICKY_FOLDER: &str = "店铺 \"A\" it's $HOME #1 a:b=c";
const PUB_KEY_ID: &str = "PUB_KEY_ID_0119000060312025112600000000";

struct Env {
    config: tempfile::TempDir,
    work: tempfile::TempDir,
    name: String,
}

impl Env {
    fn new(extra: &str) -> Env {
        Env::with_zip(true, extra)
    }

    /// A shop whose certificate zip was never imported: no certificate, no private key.
    fn without_certificate() -> Env {
        Env::with_zip(false, "")
    }

    fn with_zip(zip: bool, extra: &str) -> Env {
        Env::with_files(zip, extra, &[])
    }

    /// The shop of [`Env::with_zip`], with `files` written beside the import file first.
    fn with_files(zip: bool, extra: &str, files: &[(&str, String)]) -> Env {
        let config = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(work.path().join(name), text).unwrap();
        }
        let cert_zip = if zip {
            let zip = good_zip(work.path());
            format!(
                "cert_zip = {:?}\n",
                zip.file_name().unwrap().to_str().unwrap()
            )
        } else {
            String::new()
        };
        let name = unique_name("export");
        import_profile(
            config.path(),
            work.path(),
            &format!(
                "name = {name:?}\nsite_kind = \"site_and_mini_program\"\npayment_name = \"微信支付\"\nmp_appid = {APPID:?}\nmp_appsecret = \"0123456789abcdef0123456789abcdef\"\nmchid = {MCHID:?}\napi_key_v2 = {KEY:?}\napi_key_v3 = {V3:?}\noa_appid = \"wxfedcba0987654321\"\n{cert_zip}{extra}"
            ),
        );
        Env { config, work, name }
    }

    /// A shop in WeChat Pay public-key mode: the ID and its pub_key.pem (key B's public half).
    fn public_key_mode() -> Env {
        // one import with everything: importing a name again is refused (or
        // replaces the whole shop with --replace)
        Env::with_files(
            true,
            &format!("public_key_id = {PUB_KEY_ID:?}\npublic_key_pem = \"pub_key.pem\"\n"),
            &[("pub_key.pem", public_key_pem())],
        )
    }

    fn cmd(&self) -> Command {
        wxpay(self.config.path())
    }

    /// Exports into a folder whose name needs quoting in every language (space, quotes,
    /// `$`, `#`, `:`, `=`, non-ASCII): the paths written must still reach the files.
    fn export(&self, format: Format, secrets: bool) -> PathBuf {
        self.export_into(TRICKY_FOLDER, format, secrets)
    }

    fn export_into(&self, folder: &str, format: Format, secrets: bool) -> PathBuf {
        let dir = self
            .work
            .path()
            .join(folder)
            .join(format!("{}-{secrets}", format.name()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut c = self.cmd();
        c.args([
            "export",
            "--profile",
            &self.name,
            "--format",
            format.name(),
            "--out",
        ])
        .arg(&dir);
        if secrets {
            c.arg("--include-secrets");
        }
        let o = c.output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}",
            format.name(),
            String::from_utf8_lossy(&o.stderr)
        );
        dir
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.cmd().args(["profile", "delete", &self.name]).output();
    }
}

fn public_key_pem() -> String {
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
    rsa::PrivateKey::from_pkcs8_pem(key_b())
        .unwrap()
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap()
}

fn read(dir: &Path, f: Format) -> String {
    std::fs::read_to_string(dir.join(f.file_name())).unwrap()
}

fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/sdk")
}

/// Runs a tool from `cwd` (never the export folder: relative paths must not work by luck)
/// and returns its stdout; a tool that is not installed fails the test.
fn run(tool: &str, args: &[&std::ffi::OsStr], cwd: &Path, envs: &[(&str, &str)]) -> String {
    let mut c = Command::new(tool);
    c.args(args).current_dir(cwd);
    for (k, v) in envs {
        c.env(k, v);
    }
    let o = c.output().unwrap_or_else(|e| {
        panic!("{tool} is required by the export tests (scripts/test.sh installs it): {e}")
    });
    assert!(
        o.status.success(),
        "{tool} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Like [`run`], for a run that must fail; returns stdout and stderr together.
fn run_failing(tool: &str, args: &[&std::ffi::OsStr], cwd: &Path) -> String {
    let o = Command::new(tool)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is required by the export tests: {e}"));
    assert!(!o.status.success(), "{tool} {args:?} should have failed");
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn key_values(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Every file an export mentions (`name.pem`, `.p12`, `.crt`, `.key`) on a line without a
/// marker must be a file written into the same folder, and a path with a folder must be
/// that folder.
fn assert_mentions_exist(dir: &Path, label: &str) {
    let dir_text = dir.to_str().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "p12") {
            continue; // binary: it names no file
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for line in text.lines() {
            if line.contains(NOT_EXPORTED) || line.contains(MISSING_FILE) {
                continue;
            }
            let tokens = line.split(|c: char| !(c.is_alphanumeric() || "_.-/\\:".contains(c)));
            for token in tokens {
                if ![".pem", ".p12", ".crt", ".key"]
                    .iter()
                    .any(|e| token.ends_with(e))
                {
                    continue;
                }
                let name = token.rsplit(['/', '\\']).next().unwrap();
                if name.starts_with('.') {
                    continue; // an extension alone (".pem files"), not a file
                }
                assert!(
                    dir.join(name).is_file(),
                    "{label}: {file} mentions {token}, which the export did not write:\n{line}"
                );
                let folder = token[..token.len() - name.len()]
                    .trim_start_matches("file://")
                    .trim_end_matches(['/', '\\']);
                assert!(
                    folder.is_empty() || folder == "." || folder == dir_text,
                    "{label}: {file} mentions {token} outside the export folder {dir_text}"
                );
            }
        }
    }
}

#[test]
fn every_file_an_export_mentions_was_written() {
    let cert_mode = Env::new("");
    let only_id = Env::new(&format!("public_key_id = {PUB_KEY_ID:?}\n"));
    let public = Env::public_key_mode();
    let no_cert = Env::without_certificate();
    for (env, label) in [
        (&no_cert, "no certificate imported"),
        (&cert_mode, "certificate mode"),
        (&only_id, "public key ID without pub_key.pem"),
        (&public, "public-key mode"),
    ] {
        for secrets in [false, true] {
            for f in Format::ALL {
                // a plain folder name, so that paths split into words at quotes and spaces
                let dir = env.export_into("plain", f, secrets);
                let label = format!("{} ({label}, secrets: {secrets})", f.name());
                assert_mentions_exist(&dir, &label);
                let uses_public_key = matches!(
                    f,
                    Format::Env
                        | Format::EasyWeChat6
                        | Format::WxJava
                        | Format::WechatpayGo
                        | Format::WechatpayJava
                        | Format::WechatpayPhp
                        | Format::PythonWechatpayv3
                );
                if env.name == no_cert.name {
                    assert!(!dir.join("apiclient_cert.pem").exists());
                    assert!(
                        all_files_text(&dir)
                            .contains(&format!("{MISSING_FILE}: apiclient_cert.pem")),
                        "{label}: says the certificate is missing"
                    );
                }
                if env.name == only_id.name && uses_public_key {
                    assert!(!dir.join("pub_key.pem").exists());
                    assert!(
                        read(&dir, f).contains(&format!("{MISSING_FILE}: pub_key.pem")),
                        "{label}: says the public key file is missing"
                    );
                }
            }
        }
    }
}

#[test]
fn every_format_parses_and_holds_the_values() {
    let env = Env::new("");
    for secrets in [false, true] {
        for f in Format::ALL {
            let dir = env.export(f, secrets);
            let text = read(&dir, f);
            let file = dir.join(f.file_name());
            let key_path = dir.join("apiclient_key.pem");
            let cert_path = dir.join("apiclient_cert.pem");
            assert!(cert_path.is_file(), "{}: certificate beside it", f.name());
            assert_eq!(
                key_path.is_file(),
                secrets,
                "{}: private key only on request",
                f.name()
            );
            let all = all_files_text(&dir);
            if !secrets {
                assert!(
                    !all.contains(KEY) && !all.contains(V3) && !all.contains("PRIVATE KEY"),
                    "{}: a secret without --include-secrets",
                    f.name()
                );
            }
            let secret = |s: &'static str| if secrets { s } else { NOT_EXPORTED };
            let key_path_value = if secrets {
                key_path.to_str().unwrap()
            } else {
                NOT_EXPORTED
            };
            match f {
                Format::Env => {
                    let vars: HashMap<String, String> = dotenvy::from_path_iter(&file)
                        .unwrap()
                        .map(|r| r.unwrap())
                        .collect();
                    assert_eq!(vars["WXPAY_MCHID"], MCHID);
                    assert_eq!(vars["WXPAY_APPID"], APPID);
                    assert_eq!(vars["WXPAY_CERT_SERIAL_NO"], SERIAL_HEX);
                    assert_eq!(vars["WXPAY_API_KEY"], secret(KEY));
                    assert_eq!(vars["WXPAY_API_V3_KEY"], secret(V3));
                    assert_eq!(vars["WXPAY_CERT_PATH"], cert_path.to_str().unwrap());
                    assert_eq!(vars["WXPAY_KEY_PATH"], key_path_value);
                }
                Format::WxJava => {
                    // WxJava's Spring Boot starter binds wx.pay.* (facts §5); paths must be
                    // absolute: a bare name resolves against the working directory.
                    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
                    let pay = &docs[0]["wx"]["pay"];
                    let keys: BTreeSet<&str> = pay
                        .as_hash()
                        .unwrap()
                        .keys()
                        .map(|k| k.as_str().unwrap())
                        .collect();
                    let allowed = [
                        "app-id",
                        "mch-id",
                        "mch-key",
                        "key-path",
                        "private-key-path",
                        "private-cert-path",
                        "cert-serial-no",
                        "api-v3-key",
                        "public-key-id",
                        "public-key-path",
                        "notify-url",
                    ];
                    assert!(
                        keys.iter().all(|k| allowed.contains(k)),
                        "unknown wx.pay key in {keys:?}"
                    );
                    assert_eq!(pay["app-id"].as_str(), Some(APPID));
                    assert_eq!(pay["mch-id"].as_str(), Some(MCHID));
                    assert_eq!(pay["mch-key"].as_str(), Some(secret(KEY)));
                    assert_eq!(pay["cert-serial-no"].as_str(), Some(SERIAL_HEX));
                    assert_eq!(pay["private-key-path"].as_str(), Some(key_path_value));
                    assert_eq!(
                        pay["private-cert-path"].as_str(),
                        Some(cert_path.to_str().unwrap())
                    );
                    assert_eq!(pay["api-v3-key"].as_str(), Some(secret(V3)));
                    let p12 = dir.join("apiclient_cert.p12");
                    let p12_value = if secrets {
                        p12.to_str().unwrap()
                    } else {
                        NOT_EXPORTED
                    };
                    assert_eq!(pay["key-path"].as_str(), Some(p12_value));
                }
                Format::IjPay => {
                    // The IJPay demo binds wxpay.properties (prefix wxpay.) for v2 and
                    // wxpay_v3.properties (prefix v3.) for v3.
                    let v2 = java_properties::read(std::fs::File::open(&file).unwrap()).unwrap();
                    let v3_file = dir.join("wxpay_v3.properties");
                    let v3 = java_properties::read(std::fs::File::open(&v3_file).unwrap()).unwrap();
                    let v2_keys: BTreeSet<&str> = v2.keys().map(String::as_str).collect();
                    assert_eq!(
                        v2_keys,
                        BTreeSet::from([
                            "wxpay.appId",
                            "wxpay.appSecret",
                            "wxpay.mchId",
                            "wxpay.partnerKey",
                            "wxpay.certPath",
                            "wxpay.domain"
                        ])
                    );
                    assert!(v3.keys().all(|k| {
                        [
                            "v3.appId",
                            "v3.keyPath",
                            "v3.certPath",
                            "v3.certP12Path",
                            "v3.platformCertPath",
                            "v3.mchId",
                            "v3.apiKey",
                            "v3.apiKey3",
                            "v3.domain",
                        ]
                        .contains(&k.as_str())
                    }));
                    assert_eq!(v2["wxpay.mchId"], MCHID);
                    assert_eq!(v2["wxpay.partnerKey"], secret(KEY));
                    // certPath is the .p12, made from the key: with the secrets only
                    let p12 = dir.join("apiclient_cert.p12");
                    let p12_value = if secrets {
                        p12.to_str().unwrap()
                    } else {
                        NOT_EXPORTED
                    };
                    assert_eq!(v2["wxpay.certPath"], p12_value);
                    assert_eq!(v3["v3.certP12Path"], p12_value);
                    assert_eq!(p12.is_file(), secrets);
                    // domain is the site's base URL: the demo appends its own notify path
                    for d in [&v2["wxpay.domain"], &v3["v3.domain"]] {
                        let url = url::Url::parse(d).unwrap();
                        assert_eq!(url.path(), "/", "domain is a base URL: {d}");
                    }
                    assert_eq!(v3["v3.mchId"], MCHID);
                    assert_eq!(v3["v3.apiKey3"], secret(V3));
                    assert_eq!(v3["v3.apiKey"], secret(KEY));
                    assert_eq!(v3["v3.keyPath"], key_path_value);
                    assert_eq!(v3["v3.certPath"], cert_path.to_str().unwrap());
                }
                Format::Crmeb | Format::Likeadmin | Format::Shopxo => {
                    check_shop_json(f, &text, secrets)
                }
                // loaded by their consumers in the tests below
                Format::EasyWeChat5
                | Format::EasyWeChat6
                | Format::WechatpayPhp
                | Format::PythonWechatpayv3
                | Format::WechatpayJava
                | Format::WechatpayGo => assert!(text.contains(MCHID)),
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = env.export(Format::Env, true);
        let mode = std::fs::metadata(dir.join("apiclient_key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the private key file is private");
    }
}

/// The shop systems' own setting names (facts §5), each checked in the upstream source.
fn check_shop_json(f: Format, text: &str, secrets: bool) {
    let v = json(text);
    let keys: BTreeSet<&str> = v
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| !k.starts_with('_'))
        .collect();
    let secret = |s: &'static str| if secrets { s } else { NOT_EXPORTED };
    let pem_key = |k: &str| {
        let s = v[k].as_str().unwrap();
        assert_eq!(s.starts_with("-----BEGIN PRIVATE KEY-----"), secrets, "{k}");
        if !secrets {
            assert_eq!(s, NOT_EXPORTED);
        }
    };
    match f {
        Format::Likeadmin => {
            // likeadmin's la_dev_pay_config row for WeChat: EasyWeChat 6 underneath, so
            // pay_sign_key is the APIv3 key; interface_version and merchant_type required.
            assert_eq!(
                keys,
                BTreeSet::from([
                    "interface_version",
                    "merchant_type",
                    "mch_id",
                    "pay_sign_key",
                    "apiclient_cert",
                    "apiclient_key"
                ])
            );
            assert_eq!(v["interface_version"], "v3");
            assert_eq!(v["merchant_type"], "ordinary_merchant");
            assert_eq!(v["mch_id"], MCHID);
            assert_eq!(v["pay_sign_key"], secret(V3));
            assert!(
                v["apiclient_cert"]
                    .as_str()
                    .unwrap()
                    .starts_with("-----BEGIN CERTIFICATE-----")
            );
            pem_key("apiclient_key");
        }
        Format::Shopxo => {
            assert_eq!(
                keys,
                BTreeSet::from([
                    "mini_appid",
                    "appid",
                    "mch_id",
                    "key",
                    "apiclient_cert",
                    "apiclient_key"
                ])
            );
            assert_eq!(v["mini_appid"], APPID);
            assert_eq!(v["appid"], "wxfedcba0987654321");
            assert_eq!(v["mch_id"], MCHID);
            assert_eq!(v["key"], secret(KEY));
            pem_key("apiclient_key");
        }
        _ => {
            let known = [
                "pay_weixin_mchid",
                "pay_weixin_key",
                "pay_weixin_key_v3",
                "pay_weixin_serial_no",
                "pay_weixin_client_cert",
                "pay_weixin_client_key",
                "routine_appId",
                "routine_appsecret",
                "pay_wechat_type",
            ];
            assert!(keys.iter().all(|k| known.contains(k)), "{keys:?}");
            assert_eq!(v["pay_weixin_mchid"], MCHID);
            assert_eq!(v["routine_appId"], APPID);
            assert_eq!(v["pay_weixin_key"], secret(KEY));
            assert_eq!(v["pay_weixin_key_v3"], secret(V3));
            assert_eq!(v["pay_weixin_serial_no"], SERIAL_HEX);
        }
    }
}

/// The real `wechatpayv3` package builds `WeChatPay` from the exported module. In
/// certificate mode the SDK would download platform certificates from WeChat at start; the
/// snippet replaces that one network call (`Core._update_certificates`) with a stand-in that
/// "downloads" a test certificate and stores it into the SDK's `cert_dir` as upstream does.
const PY_SNIPPET: &str = r#"
import importlib.util, json, os, sys
from cryptography import x509
from wechatpayv3 import core

export_file, platform_cert = sys.argv[1], sys.argv[2]
downloads = []

def offline_download(self):
    downloads.append(1)
    pem = open(platform_cert, encoding="utf-8").read()
    cert = x509.load_pem_x509_certificate(pem.encode())
    self._certificates.append(cert)
    if self._cert_dir:
        os.makedirs(self._cert_dir, exist_ok=True)
        with open(self._cert_dir + "%X.pem" % cert.serial_number, "w") as f:
            f.write(pem)

core.Core._update_certificates = offline_download
spec = importlib.util.spec_from_file_location("exported", export_file)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
pay = module.client()
c = pay._core
merchant = x509.load_pem_x509_certificate(
    open(os.path.join(os.path.dirname(export_file), "apiclient_cert.pem"), "rb").read())
print(json.dumps({
    "mchid": c._mchid,
    "appid": pay._appid,
    "serial": c._cert_serial_no,
    "apiv3_key": c._apiv3_key,
    "notify_url": pay._notify_url,
    "key_matches_cert": c._private_key.public_key().public_numbers() == merchant.public_key().public_numbers(),
    "public_key_id": c._public_key_id,
    "public_key_loaded": c._public_key is not None,
    "cert_dir": c._cert_dir,
    "platform_certs": len(c._certificates),
    "downloads": len(downloads),
}))
"#;

#[test]
fn python_wechatpayv3_builds_its_client_in_both_modes() {
    let platform = tempfile::tempdir().unwrap();
    let platform_cert = platform.path().join("platform.pem");
    std::fs::write(
        &platform_cert,
        merchant_cert_pem(&CertSpec {
            serial: [0x17; 20],
            ..CertSpec::default()
        }),
    )
    .unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let py = |dir: &Path| {
        json(&run(
            "python3",
            &[
                "-c".as_ref(),
                PY_SNIPPET.as_ref(),
                dir.join("wechatpay_config.py").as_os_str(),
                platform_cert.as_os_str(),
            ],
            cwd.path(),
            &[],
        ))
    };

    let env = Env::new("");
    let dir = env.export(Format::PythonWechatpayv3, true);
    let out = py(&dir);
    assert_eq!(out["mchid"], MCHID);
    assert_eq!(out["appid"], APPID);
    assert_eq!(out["serial"], SERIAL_HEX);
    assert_eq!(out["apiv3_key"], V3);
    assert_eq!(out["key_matches_cert"], true);
    assert_eq!(out["public_key_loaded"], false);
    assert_eq!(
        out["downloads"], 1,
        "certificate mode: the SDK fetches them"
    );
    let cert_dir = PathBuf::from(out["cert_dir"].as_str().unwrap());
    assert!(
        cert_dir.starts_with(&dir) && cert_dir.join(format!("{}.pem", "17".repeat(20))).is_file(),
        "the downloaded platform certificate is kept beside the config: {cert_dir:?}"
    );
    // the next start reads it from cert_dir, without a download
    let again = py(&dir);
    assert_eq!(
        (
            again["platform_certs"].as_i64(),
            again["downloads"].as_i64()
        ),
        (Some(1), Some(0))
    );

    let env = Env::public_key_mode();
    let out = py(&env.export(Format::PythonWechatpayv3, true));
    assert_eq!(out["public_key_id"], PUB_KEY_ID);
    assert_eq!(out["public_key_loaded"], true);
    assert_eq!(out["downloads"], 0, "public-key mode needs no download");
    assert_eq!(out["key_matches_cert"], true);
}

fn php(stand_in: &str, file: &Path, cwd: &Path) -> serde_json::Value {
    json(&run(
        "php",
        &[
            "-d".as_ref(),
            "display_errors=stderr".as_ref(),
            sdk_dir().join("php").join(stand_in).as_os_str(),
            file.as_os_str(),
        ],
        cwd,
        &[],
    ))
}

#[test]
fn php_exports_run_against_their_sdks() {
    let cwd = tempfile::tempdir().unwrap();
    let env = Env::new("");

    let dir = env.export(Format::EasyWeChat5, true);
    let out = php(
        "easywechat5.php",
        &dir.join(Format::EasyWeChat5.file_name()),
        cwd.path(),
    );
    assert_eq!(
        (&out["app_id"], &out["mch_id"], &out["key"]),
        (&APPID.into(), &MCHID.into(), &KEY.into())
    );
    assert_eq!(out["key_matches_cert"], true);

    let dir = env.export(Format::EasyWeChat6, true);
    let file = dir.join(Format::EasyWeChat6.file_name());
    let out = php("easywechat6.php", &file, cwd.path());
    assert_eq!(out["mch_id"], MCHID);
    assert_eq!(out["secret_key"], V3, "secret_key is the APIv3 key");
    assert_eq!(out["v2_secret_key"], KEY);
    assert_eq!(out["key_matches_cert"], true);
    assert_eq!(out["platform_certs"], serde_json::json!([]));
    let text = read(&dir, Format::EasyWeChat6);
    assert!(
        !text.contains("downloaded by the SDK") && text.contains("CertificateDownloader"),
        "EasyWeChat 6 does not download platform certificates: the file says how to get them"
    );
    // certificates fetched with wechatpay-php's CertificateDownloader (-o this folder)
    // are picked up, keyed by their serial as EasyWeChat reads it
    let platform = merchant_cert_pem(&CertSpec {
        serial: [0x17; 20],
        ..CertSpec::default()
    });
    let downloaded = format!("wechatpay_{}.pem", "17".repeat(20));
    std::fs::write(dir.join(&downloaded), &platform).unwrap();
    let out = php("easywechat6.php", &file, cwd.path());
    assert_eq!(out["platform_certs"], serde_json::json!(["17".repeat(20)]));

    // wechatpay-php, certificate mode: no platform certificate yet is a clear error
    let dir = env.export(Format::WechatpayPhp, true);
    let file = dir.join(Format::WechatpayPhp.file_name());
    let err = run_failing(
        "php",
        &[
            sdk_dir().join("php/wechatpay.php").as_os_str(),
            file.as_os_str(),
        ],
        cwd.path(),
    );
    assert!(
        err.contains("CertificateDownloader") && !err.contains("Cannot load"),
        "says how to get the platform certificate: {err}"
    );
    std::fs::write(dir.join(&downloaded), &platform).unwrap();
    let out = php("wechatpay.php", &file, cwd.path());
    assert_eq!(out["mchid"], MCHID);
    assert_eq!(out["serial"], SERIAL_HEX);
    assert_eq!(out["certs"], serde_json::json!(["17".repeat(20)]));
    assert_eq!(out["secret"], KEY);
    assert_eq!(out["key_matches_cert"], true);

    // only the public key ID known: a clear error, not a path that is not there
    let env = Env::new(&format!("public_key_id = {PUB_KEY_ID:?}\n"));
    let dir = env.export(Format::WechatpayPhp, true);
    let err = run_failing(
        "php",
        &[
            sdk_dir().join("php/wechatpay.php").as_os_str(),
            dir.join("wechatpay.php").as_os_str(),
        ],
        cwd.path(),
    );
    assert!(
        err.contains(MISSING_FILE) && err.contains(PUB_KEY_ID) && !err.contains("Cannot load"),
        "{err}"
    );

    // public-key mode: the key ID and pub_key.pem, in both SDKs
    let env = Env::public_key_mode();
    let dir = env.export(Format::WechatpayPhp, true);
    let out = php("wechatpay.php", &dir.join("wechatpay.php"), cwd.path());
    assert_eq!(out["certs"], serde_json::json!([PUB_KEY_ID]));
    assert_eq!(out["key_matches_cert"], true);
    let dir = env.export(Format::EasyWeChat6, true);
    let out = php(
        "easywechat6.php",
        &dir.join("easywechat6_pay.php"),
        cwd.path(),
    );
    assert_eq!(out["platform_certs"], serde_json::json!([PUB_KEY_ID]));
}

#[test]
fn java_export_compiles_and_runs_against_wechatpay_java() {
    for public in [false, true] {
        let env = if public {
            Env::public_key_mode()
        } else {
            Env::new("")
        };
        let dir = env.export(Format::WechatpayJava, true);
        let build = tempfile::tempdir().unwrap();
        let java_sdk = sdk_dir().join("java");
        let core = java_sdk.join("com/wechat/pay/java/core");
        let mut args: Vec<std::ffi::OsString> = vec!["-Xlint:all".into(), "-Werror".into()];
        args.extend(["-d".into(), build.path().into()]);
        for f in std::fs::read_dir(&core).unwrap() {
            args.push(f.unwrap().path().into());
        }
        args.push(java_sdk.join("Main.java").into());
        args.push(dir.join("WechatPayConfig.java").into());
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let cwd = tempfile::tempdir().unwrap();
        run("javac", &args, cwd.path(), &[]);
        let out = key_values(&run(
            "java",
            &["-cp".as_ref(), build.path().as_os_str(), "Main".as_ref()],
            cwd.path(),
            &[],
        ));
        assert_eq!(out["merchantId"], MCHID);
        assert_eq!(out["merchantSerialNumber"], SERIAL_HEX);
        assert_eq!(out["apiV3Key"], V3);
        assert_eq!(out["privateKey"], "RSA");
        if public {
            assert_eq!(out["kind"], "public_key");
            assert_eq!(out["publicKeyId"], PUB_KEY_ID);
        } else {
            assert_eq!(out["kind"], "auto");
        }
    }
}

#[test]
fn go_export_builds_and_runs_against_wechatpay_go() {
    for public in [false, true] {
        let env = if public {
            Env::public_key_mode()
        } else {
            Env::new("")
        };
        let dir = env.export(Format::WechatpayGo, true);
        // a module that replaces wechatpay-go with the stand-ins, the export as a package
        let module = tempfile::tempdir().unwrap();
        copy_tree(&sdk_dir().join("go"), module.path());
        let pkg = module.path().join("wxpayconfig");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::copy(
            dir.join("wechatpay_config.go"),
            pkg.join("wechatpay_config.go"),
        )
        .unwrap();
        let cache = tempfile::tempdir().unwrap();
        let envs = [
            ("GOFLAGS", "-mod=mod"),
            ("GOPROXY", "off"),
            ("GOWORK", "off"),
            ("GO111MODULE", "on"),
            ("GOPATH", cache.path().to_str().unwrap()),
        ];
        let unformatted = run(
            "gofmt",
            &["-l".as_ref(), pkg.as_os_str()],
            module.path(),
            &envs,
        );
        assert!(unformatted.is_empty(), "not gofmt-formatted: {unformatted}");
        run(
            "go",
            &["vet".as_ref(), "./...".as_ref()],
            module.path(),
            &envs,
        );
        let bin = module.path().join("runner");
        run(
            "go",
            &[
                "build".as_ref(),
                "-o".as_ref(),
                bin.as_os_str(),
                ".".as_ref(),
            ],
            module.path(),
            &envs,
        );
        let cwd = tempfile::tempdir().unwrap();
        let out = key_values(&run(bin.to_str().unwrap(), &[], cwd.path(), &[]));
        assert_eq!(out["mchID"], MCHID);
        assert_eq!(out["serial"], SERIAL_HEX);
        if public {
            assert_eq!(out["publicKeyID"], PUB_KEY_ID);
            assert_eq!(out["publicKey"], "loaded");
            assert_eq!(out["publicKeyIsMerchants"], "false");
        } else {
            assert_eq!(out["apiV3Key"], V3);
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

#[test]
fn public_key_mode_exports_the_public_key() {
    let env = Env::public_key_mode();
    for format in [
        Format::Env,
        Format::WxJava,
        Format::WechatpayGo,
        Format::WechatpayJava,
        Format::PythonWechatpayv3,
        Format::EasyWeChat6,
        Format::WechatpayPhp,
    ] {
        let dir = env.export(format, false);
        assert_eq!(
            std::fs::read_to_string(dir.join("pub_key.pem"))
                .unwrap()
                .trim(),
            public_key_pem().trim(),
            "{}",
            format.name()
        );
        assert!(read(&dir, format).contains(PUB_KEY_ID), "{}", format.name());
    }
    let dir = env.export(Format::WxJava, false);
    let docs = yaml_rust2::YamlLoader::load_from_str(&read(&dir, Format::WxJava)).unwrap();
    assert_eq!(
        docs[0]["wx"]["pay"]["public-key-path"].as_str(),
        dir.join("pub_key.pem").to_str()
    );
}

#[test]
fn batch_export_and_bad_formats() {
    let a = Env::new("");
    // a second shop in the same config folder
    import_profile(
        a.config.path(),
        a.work.path(),
        "name = \"第二家店\"\nmchid = \"1900000109\"\n",
    );
    let out = a.work.path().join("all");
    let o = a
        .cmd()
        .args(["export", "--all", "--format", "env", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.join(&a.name).join(".env").is_file() && out.join("第二家店").join(".env").is_file()
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("[1/2]") && err.contains("[2/2]"),
        "a progress line per profile: {err}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 succeeded, 0 failed"));
    // the shop without a certificate says so instead of naming a file it lacks
    assert_mentions_exist(&out.join("第二家店"), "env without a certificate");
    let o = a
        .cmd()
        .args(["export", "--all", "--out"])
        .arg(a.work.path().join("bundles"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(a.work.path().join("bundles/第二家店.zip").is_file());

    let o = a
        .cmd()
        .args([
            "export",
            "--profile",
            &a.name,
            "--format",
            "yaml",
            "--out",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("wechatpay-go"),
        "lists the formats"
    );
    let o = a
        .cmd()
        .args([
            "export",
            "--profile",
            &a.name,
            "--include-secrets",
            "--out",
            "x.zip",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "a bundle with secrets needs a passphrase"
    );
    let _ = a.cmd().args(["profile", "delete", "第二家店"]).output();
}

/// Runs a tool that must be there (scripts/test.sh installs it) and returns its
/// output whether it succeeded or not.
fn tool(name: &str, args: &[&str]) -> std::process::Output {
    Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} is required by the export tests (scripts/test.sh installs it): {e}")
    })
}

/// Issue 17 item 7: IJPay's demo loads the `.p12` its `certPath` names, WxJava
/// its `key-path`: both exports write a real one, made from the key and
/// certificate as `cert save` makes it (PBE-SHA1-3DES, SHA-1 MAC, password =
/// the MCHID), which keytool and OpenSSL 3 without `-legacy` open.
#[test]
fn ijpay_and_wxjava_exports_write_a_p12_that_keytool_loads_with_the_mchid() {
    let env = Env::new("");
    for f in [Format::IjPay, Format::WxJava] {
        let dir = env.export_into("plain", f, true);
        let p12 = dir.join("apiclient_cert.p12");
        assert!(p12.is_file(), "{}: no .p12 written", f.name());
        let p12_text = p12.to_str().unwrap();
        match f {
            Format::IjPay => {
                let v2 =
                    java_properties::read(std::fs::File::open(dir.join(f.file_name())).unwrap())
                        .unwrap();
                let v3 = java_properties::read(
                    std::fs::File::open(dir.join("wxpay_v3.properties")).unwrap(),
                )
                .unwrap();
                assert_eq!(v2["wxpay.certPath"], p12_text);
                assert_eq!(v3["v3.certP12Path"], p12_text);
            }
            _ => {
                let docs = yaml_rust2::YamlLoader::load_from_str(&read(&dir, f)).unwrap();
                assert_eq!(docs[0]["wx"]["pay"]["key-path"].as_str(), Some(p12_text));
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p12).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the .p12 holds the private key");
        }
        let o = tool(
            "keytool",
            &[
                "-list",
                "-v",
                "-keystore",
                p12_text,
                "-storetype",
                "PKCS12",
                "-storepass",
                MCHID,
            ],
        );
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            o.status.success(),
            "{}: keytool: {text}{}",
            f.name(),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(text.contains("PrivateKeyEntry"), "{text}");
        assert!(text.contains(&format!("CN={MCHID}")), "{text}");
        // OpenSSL 3 without -legacy, and what old Java needs: 3DES bags, a SHA-1 MAC
        let pass = format!("pass:{MCHID}");
        let o = tool(
            "openssl",
            &[
                "pkcs12", "-in", p12_text, "-passin", &pass, "-info", "-noout",
            ],
        );
        let info = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.status.success(), "{info}");
        assert!(info.contains("MAC: sha1"), "{info}");
        assert!(info.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), "{info}");
        assert!(!info.contains("RC2") && !info.contains("PBES2"), "{info}");
    }
    // without the secrets there is no key to put in a .p12: none is named
    let dir = env.export_into("plain", Format::IjPay, false);
    assert!(!dir.join("apiclient_cert.p12").exists());
    assert_mentions_exist(&dir, "ijpay without secrets");
}
