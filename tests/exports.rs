//! Every export format, written by the real binary and read back by a real parser
//! for its language: YAML, dotenv, .properties, JSON, `php -l`, Python's `ast`,
//! and `javac` for Java syntax. Secrets appear only when asked for.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use support::*;
use wxpay_setup::domain::export::{Format, NOT_EXPORTED};

const KEY: &str = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
const V3: &str = "V3keyV3keyV3keyV3keyV3keyV3key12";

struct Env {
    config: tempfile::TempDir,
    work: tempfile::TempDir,
    name: String,
}

impl Env {
    fn new(extra: &str) -> Env {
        let config = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let zip = good_zip(work.path());
        let name = unique_name("export");
        import_profile(
            config.path(),
            work.path(),
            &format!(
                "name = {name:?}\nsite_kind = \"site_and_mini_program\"\npayment_name = \"微信支付\"\nmp_appid = \"wx1234567890abcdef\"\nmp_appsecret = \"0123456789abcdef0123456789abcdef\"\nmchid = {MCHID:?}\napi_key_v2 = {KEY:?}\napi_key_v3 = {V3:?}\noa_appid = \"wxfedcba0987654321\"\ncert_zip = {:?}\n{extra}",
                zip.file_name().unwrap().to_str().unwrap()
            ),
        );
        Env { config, work, name }
    }

    fn cmd(&self) -> Command {
        wxpay(self.config.path())
    }

    fn export(&self, format: Format, secrets: bool) -> std::path::PathBuf {
        let dir = self
            .work
            .path()
            .join(format!("{}-{secrets}", format.name()));
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

fn read(dir: &Path, f: Format) -> String {
    std::fs::read_to_string(dir.join(f.file_name())).unwrap()
}

fn check_php(file: &Path) {
    match Command::new("php").arg("-l").arg(file).output() {
        Ok(o) => assert!(
            o.status.success(),
            "php -l {}: {}",
            file.display(),
            String::from_utf8_lossy(&o.stdout)
        ),
        Err(_) => assert!(
            std::env::var_os("CI").is_none(),
            "php must be installed in CI (scripts/test.sh does)"
        ),
    }
}

fn check_python(file: &Path) {
    let o = Command::new("python3")
        .args([
            "-c",
            "import ast, sys; ast.parse(open(sys.argv[1], encoding='utf-8').read())",
        ])
        .arg(file)
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// javac without the SDK on the class path: only "symbol not found" errors are
/// allowed, so any syntax error fails.
fn check_java(file: &Path) {
    let out = tempfile::tempdir().unwrap();
    let Ok(o) = Command::new("javac")
        .arg("-d")
        .arg(out.path())
        .arg(file)
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "javac must be available in CI"
        );
        return;
    };
    let err = String::from_utf8_lossy(&o.stderr);
    for line in err.lines().filter(|l| l.contains("error:")) {
        assert!(
            line.contains("does not exist") || line.contains("cannot find symbol"),
            "java syntax error: {line}\n{err}"
        );
    }
}

/// No Go toolchain here: braces and quotes must balance, and the SDK's names are used.
fn check_go(text: &str) {
    assert_eq!(text.matches('{').count(), text.matches('}').count());
    assert_eq!(text.matches('(').count(), text.matches(')').count());
    assert!(
        text.lines().all(|l| l.matches('"').count() % 2 == 0),
        "unbalanced quotes"
    );
    assert!(text.starts_with("//") && text.contains("package wxpayconfig"));
}

#[test]
fn every_format_parses_and_holds_the_values() {
    let env = Env::new("");
    for secrets in [false, true] {
        for f in Format::ALL {
            let dir = env.export(f, secrets);
            let text = read(&dir, f);
            let file = dir.join(f.file_name());
            assert!(
                dir.join("apiclient_cert.pem").is_file(),
                "{}: certificate beside it",
                f.name()
            );
            assert_eq!(
                dir.join("apiclient_key.pem").is_file(),
                secrets,
                "{}: private key only on request",
                f.name()
            );
            let has_key = text.contains(KEY) || text.contains(V3);
            if !secrets {
                assert!(!has_key, "{}: a secret without --include-secrets", f.name());
            }
            match f {
                Format::Env => {
                    let vars: HashMap<String, String> = dotenvy::from_path_iter(&file)
                        .unwrap()
                        .map(|r| r.unwrap())
                        .collect();
                    assert_eq!(vars["WXPAY_MCHID"], MCHID);
                    assert_eq!(vars["WXPAY_APPID"], "wx1234567890abcdef");
                    assert_eq!(vars["WXPAY_CERT_SERIAL_NO"], SERIAL_HEX);
                    assert_eq!(
                        vars["WXPAY_API_KEY"],
                        if secrets { KEY } else { NOT_EXPORTED }
                    );
                }
                Format::WxJava => {
                    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
                    let pay = &docs[0]["wx"]["pay"];
                    assert_eq!(pay["mch-id"].as_str(), Some(MCHID));
                    assert_eq!(pay["cert-serial-no"].as_str(), Some(SERIAL_HEX));
                    assert_eq!(pay["private-key-path"].as_str(), Some("apiclient_key.pem"));
                    assert_eq!(
                        pay["api-v3-key"].as_str(),
                        Some(if secrets { V3 } else { NOT_EXPORTED })
                    );
                }
                Format::IjPay => {
                    let props = java_properties::read(std::fs::File::open(&file).unwrap()).unwrap();
                    assert_eq!(props["wxpay.mchId"], MCHID);
                    assert_eq!(
                        props["wxpay.partnerKey"],
                        if secrets { KEY } else { NOT_EXPORTED }
                    );
                }
                Format::Crmeb | Format::Likeadmin | Format::Shopxo => {
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                    let mchid_key = if f == Format::Crmeb {
                        "pay_weixin_mchid"
                    } else {
                        "mch_id"
                    };
                    assert_eq!(v[mchid_key], MCHID);
                    if f != Format::Crmeb {
                        assert!(
                            v["apiclient_cert"]
                                .as_str()
                                .unwrap()
                                .starts_with("-----BEGIN CERTIFICATE-----")
                        );
                        assert_eq!(
                            v["apiclient_key"]
                                .as_str()
                                .unwrap()
                                .starts_with("-----BEGIN PRIVATE KEY-----"),
                            secrets
                        );
                    }
                }
                Format::EasyWeChat5 | Format::EasyWeChat6 | Format::WechatpayPhp => {
                    check_php(&file);
                    assert!(text.contains(MCHID));
                }
                Format::PythonWechatpayv3 => {
                    check_python(&file);
                    assert!(text.contains(SERIAL_HEX));
                }
                Format::WechatpayJava => {
                    check_java(&file);
                    assert!(text.contains(MCHID));
                }
                Format::WechatpayGo => {
                    check_go(&text);
                    assert!(text.contains(SERIAL_HEX));
                }
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

#[test]
fn public_key_mode_exports_the_public_key() {
    let env = Env::new("");
    let public = {
        use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
        rsa::PrivateKey::from_pkcs8_pem(key_b())
            .unwrap()
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap()
    };
    std::fs::write(env.work.path().join("pub_key.pem"), &public).unwrap();
    import_profile(
        env.config.path(),
        env.work.path(),
        &format!(
            "name = {:?}\npublic_key_id = \"PUB_KEY_ID_0119000060312025112600000000\"\npublic_key_pem = \"pub_key.pem\"\n",
            env.name
        ),
    );
    for format in [
        Format::WxJava,
        Format::WechatpayGo,
        Format::WechatpayJava,
        Format::PythonWechatpayv3,
        Format::EasyWeChat6,
    ] {
        let dir = env.export(format, false);
        assert!(dir.join("pub_key.pem").is_file(), "{}", format.name());
        assert!(
            read(&dir, format).contains("PUB_KEY_ID_0119000060312025112600000000"),
            "{}",
            format.name()
        );
    }
    check_python(
        &env.export(Format::PythonWechatpayv3, false)
            .join("wechatpay_config.py"),
    );
    check_php(
        &env.export(Format::EasyWeChat6, false)
            .join("easywechat6_pay.php"),
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
