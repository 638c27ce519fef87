//! `wxpay-setup push` against a real HTTP server started here that checks the
//! contract of docs/push-api.md: POST multipart/form-data, a bearer token, an
//! Idempotency-Key reused by retries, and the field names of the chosen preset.

mod support;

use std::process::{Command, Output, Stdio};

use serde_json::Value;
use support::backend_server::*;
use support::*;

const KEY: &str = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";

struct Shop {
    config: tempfile::TempDir,
    work: tempfile::TempDir,
    name: String,
}

impl Shop {
    fn new(preset: &str) -> Shop {
        let config = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let zip = good_zip(work.path());
        let name = unique_name("push");
        std::fs::write(work.path().join("token.txt"), format!("{TOKEN}\n")).unwrap();
        import_profile(
            config.path(),
            work.path(),
            &format!(
                "name = {name:?}\nmp_appid = \"wx1234567890abcdef\"\nmp_appsecret = \"0123456789abcdef0123456789abcdef\"\nmchid = {MCHID:?}\napi_key_v2 = {KEY:?}\ncert_zip = {:?}\nbackend_preset = {preset:?}\nbackend_token = {TOKEN:?}\n",
                zip.file_name().unwrap().to_str().unwrap()
            ),
        );
        Shop { config, work, name }
    }

    fn cmd(&self) -> Command {
        wxpay(self.config.path())
    }

    fn push(&self, url: &str, extra: &[&str]) -> (Output, Value) {
        let o = self
            .cmd()
            .args([
                "push",
                "--profile",
                &self.name,
                "--url",
                url,
                "--json",
                "--yes",
            ])
            .args(extra)
            .output()
            .unwrap();
        let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!(
                "{e}: {}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        });
        (o, v)
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.cmd().args(["profile", "delete", &self.name]).output();
    }
}

#[test]
fn generic_push_sends_every_value_and_both_files() {
    let b = backend();
    let s = Shop::new("generic");
    let (o, v) = s.push(&format!("{}/ok", b.url), &[]);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["status"], "sent");
    assert_eq!(v["attempts"], 1);
    let got = b.received.lock().unwrap()[0].clone();
    assert_eq!(got.fields["mchid"], MCHID);
    assert_eq!(got.fields["api_key_v2"], KEY);
    assert_eq!(got.fields["cert_serial_no"], SERIAL_HEX);
    assert_eq!(got.files["apiclient_cert"].0, "apiclient_cert.pem");
    assert!(
        got.files["apiclient_key"]
            .1
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    // the preview in the output masks every secret
    let preview = v["preview"].to_string();
    assert!(
        !preview.contains(KEY) && !preview.contains("BEGIN PRIVATE KEY") && preview.contains(MCHID)
    );
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains(TOKEN)
            && !String::from_utf8_lossy(&o.stderr).contains(TOKEN)
    );
    // the URL is remembered, the token stays in the keychain only
    let profile = all_files_text(s.config.path());
    assert!(profile.contains(&format!("{}/ok", b.url)) && !profile.contains(TOKEN));
}

#[test]
fn presets_and_custom_mappings_rename_fields() {
    let b = backend();
    let s = Shop::new("crmeb");
    let (o, _) = s.push(&format!("{}/ok", b.url), &[]);
    assert_eq!(o.status.code(), Some(0));
    let got = b.received.lock().unwrap()[0].clone();
    assert_eq!(got.fields["pay_weixin_mchid"], MCHID);
    assert_eq!(got.fields["routine_appId"], "wx1234567890abcdef");
    assert!(got.files.contains_key("pay_weixin_client_cert") && !got.fields.contains_key("mchid"));

    let mapping = s.work.path().join("map.toml");
    std::fs::write(
        &mapping,
        "[fields]\nmchid = \"merchant_no\"\napi_key_v2 = \"sign_key\"\n",
    )
    .unwrap();
    let (o, _) = s.push(
        &format!("{}/ok", b.url),
        &["--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0));
    let got = b.received.lock().unwrap()[1].clone();
    assert_eq!(
        got.fields.keys().collect::<Vec<_>>(),
        ["merchant_no", "sign_key"]
    );
    assert!(got.files.is_empty());
}

#[test]
fn retries_reuse_the_idempotency_key_and_errors_are_plain() {
    let b = backend();
    let s = Shop::new("generic");
    let (o, v) = s.push(&format!("{}/flaky", b.url), &[]);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["attempts"], 3);
    let keys: Vec<String> = b
        .received
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.idempotency_key.clone())
        .collect();
    assert_eq!(keys.len(), 3);
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "one key for all tries: {keys:?}"
    );

    for (path, code, needle) in [
        ("/down", "push_gave_up", "tried 3 times"),
        ("/reject", "push_rejected", "商户号格式不对"),
        ("/big", "push_too_large", "413"),
        ("/nowhere", "push_not_found", "404"),
        ("/moved", "push_redirect", "not followed"),
    ] {
        let (o, v) = s.push(&format!("{}{path}", b.url), &[]);
        assert_eq!(o.status.code(), Some(1), "{path}");
        assert_eq!(v["code"], code, "{path}: {v}");
        assert!(
            v["message"].as_str().unwrap().contains(needle),
            "{path}: {v}"
        );
    }
    assert!(
        !b.received
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.path == "/steal"),
        "the redirect was not followed"
    );

    // a wrong token
    let bad = s.work.path().join("bad.txt");
    std::fs::write(&bad, "wrong").unwrap();
    let (o, v) = s.push(
        &format!("{}/ok", b.url),
        &["--token-file", bad.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(v["code"], "push_token");
}

#[test]
fn dry_run_sends_nothing_and_confirmation_is_required() {
    let b = backend();
    let s = Shop::new("generic");
    let (o, v) = s.push(&format!("{}/ok", b.url), &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(v["status"], "dry_run");
    assert!(b.received.lock().unwrap().is_empty());

    // without --yes it asks; "n" (or no answer) sends nothing
    let mut child = s
        .cmd()
        .args([
            "push",
            "--profile",
            &s.name,
            "--url",
            &format!("{}/ok", b.url),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"n\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("secrets masked"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing was sent"));
    assert!(b.received.lock().unwrap().is_empty());

    // plain http to a non-loopback host is refused before anything is sent
    let o = s
        .cmd()
        .args([
            "push",
            "--profile",
            &s.name,
            "--url",
            "http://198.51.100.7/x",
            "--yes",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_documented_contract_matches_the_code() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/push-api.md")).unwrap();
    let yaml = doc
        .split("```yaml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let spec = &yaml_rust2::YamlLoader::load_from_str(yaml).expect("the OpenAPI block parses")[0];
    assert_eq!(spec["openapi"].as_str(), Some("3.0.3"));
    let props = &spec["paths"]["/"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        ["properties"];
    let documented: Vec<String> = props
        .as_hash()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    let mut code: Vec<String> = wxpay_setup::domain::push::CANONICAL
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mut documented_sorted = documented.clone();
    documented_sorted.sort();
    code.sort();
    assert_eq!(documented_sorted, code);
}
