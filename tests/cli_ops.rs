//! The command line run in-process against fakes: in-memory profiles, the
//! in-memory keychain and a scripted HTTP. No D-Bus, keychain or network needed;
//! `tests/cli.rs` runs the real binary against the real Secret Service.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use wxpay_setup::app::ops::testing::{
    API_KEY_V2 as API_KEY, Fakes, MP_APPSECRET as APPSECRET, ctx_of, shop,
};
use wxpay_setup::cli::run_with;
use wxpay_setup::domain::profile::{Profile, SecretField};
use wxpay_setup::domain::secret::Secret;
use wxpay_setup::i18n::Lang;
use wxpay_setup::services::profile_store::ProfileRepo;
use wxpay_setup::services::secret_store::{SecretStore, StoreError};

const PASS: &str = "correct horse battery staple";

fn run(f: &Fakes, args: &[&str]) -> (u8, String, String) {
    run_with(ctx_of(f), Lang::En, args, "")
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn import_file(dir: &Path) -> String {
    let file = dir.join("shop.toml");
    std::fs::write(
        &file,
        format!(
            "name = \"店A\"\nmp_appid = \"wx1234567890abcdef\"\nmchid = \"1900006031\"\nmp_appsecret = \"{APPSECRET}\"\napi_key_v2 = \"{API_KEY}\"\n"
        ),
    )
    .unwrap();
    file.display().to_string()
}

#[test]
fn import_stores_the_secrets_then_the_profile() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&f, &["profile", "import", &import_file(work.path())]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("店A") && out.contains("mp_appsecret, api_key_v2"),
        "{out}"
    );
    assert!(
        out.contains("delete it now"),
        "the plain file is pointed out: {out}"
    );
    assert_eq!(f.profiles.load("店A").unwrap().mchid, "1900006031");
    assert_eq!(
        f.keychain.peek("店A", SecretField::ApiKeyV2),
        Some(Secret::new(API_KEY))
    );
}

#[test]
fn import_writes_nothing_when_the_keychain_fails() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    f.keychain
        .set_failure(Some(StoreError::Unavailable("no Secret Service".into())));
    let (code, _, err) = run(&f, &["profile", "import", &import_file(work.path())]);
    assert_eq!(code, 1);
    assert!(err.contains("keychain is not available"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(
        f.profiles.list().unwrap().is_empty(),
        "the profile was saved without its secrets"
    );
}

#[test]
fn import_bundle_with_a_wrong_passphrase_writes_nothing() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    let bundle = work.path().join("shop.zip");
    let mut p = Profile::new("店B");
    p.mchid = "1900006031".into();
    let secrets = BTreeMap::from([(SecretField::ApiKeyV2, Secret::new(API_KEY))]);
    wxpay_setup::app::ops::export::write_bundle(&bundle, &p, Some(&(secrets, Secret::new(PASS))))
        .unwrap();
    let wrong = work.path().join("wrong.txt");
    std::fs::write(&wrong, "not the passphrase\n").unwrap();
    let bundle = bundle.display().to_string();

    let (code, _, err) = run(&f, &["profile", "import-bundle", &bundle]);
    assert_eq!(code, 2, "the passphrase is asked for: {err}");

    let (code, _, err) = run(
        &f,
        &[
            "profile",
            "import-bundle",
            &bundle,
            "--passphrase-file",
            &wrong.display().to_string(),
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("Wrong passphrase") && err.contains("Nothing was imported"),
        "{err}"
    );
    assert!(f.profiles.list().unwrap().is_empty());
    assert!(f.keychain.is_empty());

    let right = work.path().join("right.txt");
    std::fs::write(&right, format!("{PASS}\n")).unwrap();
    let args = [
        "profile",
        "import-bundle",
        &bundle,
        "--passphrase-file",
        &right.display().to_string(),
    ];
    assert_eq!(run(&f, &args).0, 0);
    assert_eq!(run(&f, &args).0, 0, "a second import takes a free name");
    assert_eq!(f.profiles.list().unwrap(), ["店B", "店B (2)"]);
    assert!(f.keychain.peek("店B (2)", SecretField::ApiKeyV2).is_some());

    // a name asked for with --name is never replaced nor quietly changed
    // (found by a first-user trial: it was saved as "店B (3)", exit 0)
    let mut named = args.to_vec();
    named.extend(["--name", "店B"]);
    let (code, _, err) = run(&f, &named);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("A shop named \"店B\" already exists"), "{err}");
    assert_eq!(f.profiles.list().unwrap(), ["店B", "店B (2)"]);
    named.pop();
    named.push("店B 新");
    assert_eq!(run(&f, &named).0, 0);
    assert!(f.profiles.exists("店B 新"));
}

#[test]
fn delete_removes_the_secrets_first_and_keeps_all_when_the_keychain_fails() {
    let f = Fakes::default();
    shop(&f, "店C");
    f.keychain
        .set_failure(Some(StoreError::Denied("locked".into())));
    let (code, _, err) = run(&f, &["profile", "delete", "店C"]);
    assert_eq!(code, 1);
    assert!(err.contains("was not deleted"), "{err}");
    assert!(f.profiles.exists("店C"));

    f.keychain.set_failure(None);
    let (code, out, err) = run(&f, &["profile", "delete", "店C"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("店C"), "{out}");
    assert!(!f.profiles.exists("店C"));
    assert!(f.keychain.is_empty(), "a secret was left in the keychain");

    let (code, _, err) = run(&f, &["profile", "delete", "店C"]);
    assert_eq!(code, 1);
    assert!(err.contains("There is no shop named"), "{err}");
}

#[test]
fn show_and_list_tell_which_secrets_are_set_never_their_values() {
    let f = Fakes::default();
    shop(&f, "店D");
    let (code, out, _) = run(&f, &["profile", "show", "店D", "--json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["secrets"]["api_key_v2"], "set");
    assert_eq!(v["secrets"]["api_key_v3"], "not_set");
    assert_eq!(v["keychain_error"], Value::Null);
    assert!(!out.contains(API_KEY) && !out.contains(APPSECRET));
    let (_, out, _) = run(&f, &["profile", "list", "--json"]);
    assert_eq!(json(&out)[0]["mchid"], "1900006031");
    assert_eq!(json(&out)[0]["damaged"], false);
}

#[test]
fn show_names_each_value_as_the_window_does_in_chinese() {
    let f = Fakes::default();
    shop(&f, "店D");
    let (code, out, _) = run_with(ctx_of(&f), Lang::ZhCn, &["profile", "show", "店D"], "");
    assert_eq!(code, 0);
    for line in [
        "微信支付商户号（MCHID） (mchid): 1900006031",
        "API 密钥（Key） (api_key_v2): 已设置",
        "APIv3 密钥 (api_key_v3): 未设置",
        "API 证书私钥 (private_key): 未设置",
        "商城后台接口地址 (backend_url): -",
        "商城后台类型 (backend_preset): generic",
    ] {
        assert!(out.contains(line), "{line:?} missing in:\n{out}");
    }
    assert!(!out.contains(API_KEY) && !out.contains(APPSECRET));
}

#[test]
fn verify_records_each_result_in_the_profile() {
    let f = Fakes::default();
    shop(&f, "店E");
    // WeChat's answer to a right AppSecret with a made-up code
    f.http
        .reply(200, r#"{"errcode":40029,"errmsg":"invalid code"}"#);
    let (code, out, _) = run(&f, &["verify", "--profile", "店E", "--json"]);
    assert_eq!(code, 1, "the pay checks lack values, so not all pass");
    let rows = json(&out);
    let mp = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "mp_appsecret")
        .unwrap();
    assert_eq!(mp["status"], "ok");
    let saved = f.profiles.load("店E").unwrap();
    let recorded: Vec<&str> = saved.checks.keys().map(|c| c.key()).collect();
    assert!(recorded.contains(&"mp_appsecret"), "{recorded:?}");
    // the AppSecret check and the v2 pay check have their values; the others ask nothing
    assert_eq!(f.http.seen().len(), 2, "{:?}", f.http.seen());

    // the human table comes from the same report
    let (_, out, _) = run(&f, &["verify", "--profile", "店E"]);
    assert!(out.lines().any(|l| l.starts_with('✓')), "{out}");
}

#[test]
fn push_dry_run_shows_the_masked_preview_and_sends_nothing() {
    let f = Fakes::default();
    shop(&f, "店F");
    let (code, out, err) = run(
        &f,
        &[
            "push",
            "--profile",
            "店F",
            "--url",
            "http://127.0.0.1:1/cfg",
            "--preset",
            "crmeb",
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["status"], "dry_run");
    let preview = v["preview"].as_array().unwrap();
    assert!(
        preview
            .iter()
            .any(|p| p["field"] == "pay_weixin_mchid" && p["value"] == "1900006031")
    );
    assert!(!out.contains(API_KEY), "a secret in the preview");
    assert!(f.http.seen().is_empty());
    // a dry run changes nothing: the --url is not remembered (issue 10 item 13)
    assert_eq!(f.profiles.load("店F").unwrap().backend_url, "");
}

#[test]
fn push_asks_sends_with_a_token_and_refuses_bad_input_with_exit_2() {
    let f = Fakes::default();
    shop(&f, "店G");
    let url = "http://127.0.0.1:1/cfg";
    let (code, _, err) = run(
        &f,
        &["push", "--profile", "店G", "--url", url, "--preset", "nope"],
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(
        &f,
        &["push", "--profile", "店G", "--url", "http://10.0.0.1/x"],
    );
    assert_eq!(code, 2);
    let (code, _, err) = run(&f, &["push", "--profile", "店G", "--url", url, "--yes"]);
    assert_eq!(code, 2, "no token yet: {err}");

    let work = tempfile::tempdir().unwrap();
    let token = work.path().join("token.txt");
    std::fs::write(&token, "t0ken\n").unwrap();
    let token = token.display().to_string();
    // the user answers "n": nothing is sent
    let (code, _, err) = run_with(
        ctx_of(&f),
        Lang::En,
        &[
            "push",
            "--profile",
            "店G",
            "--url",
            url,
            "--token-file",
            &token,
        ],
        "n\n",
    );
    assert_eq!(code, 1, "{err}");
    assert!(f.http.seen().is_empty());

    f.http.reply(200, "{}");
    let (code, out, err) = run(&f, &["push", "--profile", "店G", "--yes", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["status"], "sent");
    assert_eq!(v["code"], "push_ok");
    assert_eq!(v["attempts"], 1);
    assert_eq!(f.http.seen().len(), 1);
    assert_eq!(
        f.keychain.peek("店G", SecretField::BackendToken),
        Some(Secret::new("t0ken")),
        "the token is remembered in the keychain"
    );
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let f = Fakes::default();
    assert_eq!(run(&f, &[]).0, 2);
    assert_eq!(
        run(&f, &["export", "--all", "--profile", "x", "--out", "y"]).0,
        2
    );
    let (code, _, err) = run(
        &f,
        &["export", "--profile", "x", "--out", "y", "--format", "zip"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("bundle") && err.contains("wechatpay-go"),
        "{err}"
    );
    let (code, out, _) = run(&f, &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("check-certs"), "{out}");
}

#[test]
fn one_run_connects_to_the_keychain_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use wxpay_setup::app::ops::Lazy;
    use wxpay_setup::services::secret_store::SecretStore;

    let f = Fakes::default();
    shop(&f, "店H");
    let opens = Arc::new(AtomicUsize::new(0));
    let mut ctx = ctx_of(&f);
    let (keychain, counter) = (f.keychain.clone(), opens.clone());
    ctx.secrets = Lazy::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(Arc::new(keychain.clone()) as Arc<dyn SecretStore>)
    });
    let work = tempfile::tempdir().unwrap();
    let token = work.path().join("token.txt");
    std::fs::write(&token, "t0ken\n").unwrap();
    // reads every secret, then stores the token, then sends: two keychain uses,
    // one connection
    f.http.reply(200, "{}");
    let (code, _, err) = run_with(
        ctx,
        Lang::En,
        &[
            "push",
            "--profile",
            "店H",
            "--url",
            "http://127.0.0.1:1/cfg",
            "--token-file",
            &token.display().to_string(),
            "--yes",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(opens.load(Ordering::SeqCst), 1);
    assert!(f.keychain.peek("店H", SecretField::BackendToken).is_some());
}

#[test]
fn all_runs_report_each_profile_and_refuse_an_empty_list() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().display().to_string();
    let (code, _, err) = run(&f, &["export", "--all", "--out", &dir]);
    assert_eq!(code, 1);
    assert!(!err.is_empty());

    shop(&f, "店I");
    shop(&f, "店J");
    let (code, out, err) = run(&f, &["export", "--all", "--out", &dir]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("[2/2] 店J"), "progress on stderr: {err}");
    assert!(out.contains("店I") && out.contains("店J"), "{out}");
    assert!(work.path().join("店I.zip").is_file() && work.path().join("店J.zip").is_file());

    f.http
        .reply(200, r#"{"errcode":40029,"errmsg":"invalid code"}"#);
    let (code, out, _) = run(&f, &["verify", "--all", "--json"]);
    assert_eq!(code, 1);
    let list = json(&out);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["店I", "店J"]);
    assert_eq!(list[0]["ok"], false);
    assert!(list[0]["checks"].as_array().unwrap().len() > 1);
}

#[test]
fn verify_jobs_must_be_between_1_and_16() {
    let f = Fakes::default();
    shop(&f, "店A");
    for bad in ["0", "17", "100", "many", "-1", ""] {
        let (code, _, err) = run(&f, &["verify", "--all", "--jobs", bad]);
        assert_eq!(code, 2, "--jobs {bad}: {err}");
        // the trial: "The value '0' of --jobs is not right" did not say what is
        assert!(err.contains("from 1 to 16"), "--jobs {bad}: {err}");
        assert!(f.http.seen().is_empty(), "nothing was checked");
    }
    let (code, _, err) = run_with(
        ctx_of(&f),
        Lang::ZhCn,
        &["verify", "--all", "--jobs", "abc"],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("1 到 16"), "{err}");
}

/// Issue 10 item 4: a FIFO or a device given as a file is refused at once,
/// never read without end (`profile import /dev/zero` filled 24 GB before).
#[cfg(unix)]
#[test]
fn files_named_on_the_command_line_must_be_regular_files() {
    let work = tempfile::tempdir().unwrap();
    let fifo = work.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo = fifo.display().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let f = Fakes::default();
        shop(&f, "店A");
        let mut codes = Vec::new();
        for args in [
            vec!["profile", "import", "/dev/zero"],
            vec!["profile", "import", fifo.as_str()],
            vec![
                "export",
                "--profile",
                "店A",
                "--out",
                "/tmp/x.zip",
                "--include-secrets",
                "--passphrase-file",
                "/dev/zero",
            ],
            vec![
                "push",
                "--profile",
                "店A",
                "--token-file",
                fifo.as_str(),
                "--dry-run",
            ],
            // found by a first-user trial: this one waited for a writer for ever
            vec!["cert", "accept", "--profile", "店A", fifo.as_str()],
        ] {
            let (code, _, err) = run(&f, &args);
            codes.push((args.join(" "), code, err));
        }
        let _ = tx.send(codes);
    });
    let codes = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("every command answers at once");
    for (args, code, err) in codes {
        assert_eq!(code, 1, "{args}: {err}");
        assert!(!err.is_empty(), "{args} says why");
    }
}

/// Offline is not failure in `verify --all`'s progress and last line either.
#[test]
fn verify_all_offline_says_not_checked_not_failed() {
    let f = Fakes::default();
    shop(&f, "店A");
    f.http
        .fail(wxpay_setup::services::wechat_http::NetError::Connect(
            "connection refused".into(),
        ));
    let (code, out, err) = run(&f, &["verify", "--all"]);
    assert_eq!(code, 1, "not ready: nothing was checked");
    assert!(err.contains("[1/1] 店A: could not check"), "{err}");
    assert!(!err.contains("failed"), "{err}");
    assert!(out.contains("No value was found wrong"), "{out}");
    assert!(!out.contains("did not pass"), "{out}");
}

#[test]
fn importing_an_existing_name_is_refused_unless_replace_and_replace_drops_old_secrets() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&f, &["profile", "import", &import_file(work.path())]);
    assert_eq!(code, 0, "{err}");
    // a first user's second file for the same shop: another AppID, no v2 key
    let second = work.path().join("again.toml");
    std::fs::write(
        &second,
        format!(
            "name = \"店A\"\nmp_appid = \"wxfedcba0987654321\"\nmp_appsecret = \"{APPSECRET}\"\n"
        ),
    )
    .unwrap();
    let second = second.display().to_string();
    let (code, _, err) = run(&f, &["profile", "import", &second]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("already exists") && err.contains("--replace"),
        "{err}"
    );
    assert_eq!(
        f.profiles.load("店A").unwrap().mp_appid,
        "wx1234567890abcdef"
    );
    assert!(f.keychain.peek("店A", SecretField::ApiKeyV2).is_some());

    let (code, _, err) = run(&f, &["profile", "import", "--replace", &second]);
    assert_eq!(code, 0, "{err}");
    let p = f.profiles.load("店A").unwrap();
    assert_eq!(p.mp_appid, "wxfedcba0987654321");
    assert_eq!(p.mchid, "", "the old shop's values are gone");
    assert_eq!(
        f.keychain.peek("店A", SecretField::ApiKeyV2),
        None,
        "an old secret met the new AppID"
    );
}

#[test]
fn deleting_a_name_with_secrets_but_no_profile_removes_the_secrets() {
    let f = Fakes::default();
    // left by a killed import-bundle of an older version
    f.keychain
        .set("店X", SecretField::ApiKeyV2, &Secret::new(API_KEY))
        .unwrap();
    let (code, out, err) = run(&f, &["profile", "delete", "店X"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("no profile named") && out.contains("deleted"),
        "{out}"
    );
    assert_eq!(f.keychain.peek("店X", SecretField::ApiKeyV2), None);
    // nothing at all under that name is still "no such shop"
    let (code, _, err) = run(&f, &["profile", "delete", "店X"]);
    assert_eq!(code, 1);
    assert!(err.contains("There is no shop named"), "{err}");
}

#[test]
fn doctor_lists_orphaned_secrets_and_fix_removes_them() {
    let f = Fakes::default();
    shop(&f, "店A");
    f.keychain
        .set("gone", SecretField::ApiKeyV2, &Secret::new(API_KEY))
        .unwrap();
    let (code, out, err) = run(&f, &["profile", "doctor"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"gone\"") && out.contains("--fix"), "{out}");
    assert!(!out.contains("店A"), "{out}");
    assert!(f.keychain.peek("gone", SecretField::ApiKeyV2).is_some());
    let (code, out, _) = run(&f, &["profile", "doctor", "--fix", "--json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["orphaned_secrets"], serde_json::json!(["gone"]));
    assert_eq!(v["fixed"], true);
    assert_eq!(f.keychain.peek("gone", SecretField::ApiKeyV2), None);
    assert!(f.keychain.peek("店A", SecretField::ApiKeyV2).is_some());
    let (_, out, _) = run(&f, &["profile", "doctor"]);
    assert!(out.contains("Nothing to clean up"), "{out}");
}

#[test]
fn an_unquoted_key_in_an_import_file_is_named_by_field_and_line_never_printed() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("shop.toml");
    let digits = "73914628501946372819";
    std::fs::write(
        &file,
        format!("name = \"店A\"\nmchid = \"1900006031\"\napi_key_v2 = {digits}\n"),
    )
    .unwrap();
    let (code, out, err) = run(&f, &["profile", "import", &file.display().to_string()]);
    assert_eq!(code, 1);
    assert!(
        !err.contains("7391462850") && !out.contains("7391462850"),
        "{err}"
    );
    assert!(
        err.contains("line 3") && err.contains("api_key_v2"),
        "{err}"
    );
    // a user and password in a refused address are not printed either
    std::fs::write(
        &file,
        "name = \"店A\"\nbackend_url = \"http://admin:Hunter2pass@10.0.0.1/api\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&f, &["profile", "import", &file.display().to_string()]);
    assert_eq!(code, 1);
    assert!(
        !err.contains("Hunter2pass") && !err.contains("admin"),
        "{err}"
    );
    assert!(err.contains("http://***@10.0.0.1/api"), "{err}");
    assert!(f.profiles.list().unwrap().is_empty());
}

#[test]
fn export_does_not_overwrite_an_existing_file_unless_forced() {
    let f = Fakes::default();
    shop(&f, "店A");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("店A.zip");
    std::fs::write(&out, "the user's own file").unwrap();
    let out_s = out.display().to_string();
    let (code, _, err) = run(&f, &["export", "--profile", "店A", "--out", &out_s]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "the user's own file"
    );
    let (code, _, err) = run(
        &f,
        &["export", "--profile", "店A", "--out", &out_s, "--force"],
    );
    assert_eq!(code, 0, "{err}");
    assert_ne!(std::fs::read(&out).unwrap(), b"the user's own file");
}

#[test]
fn a_shop_held_by_another_command_is_refused_with_exit_1_and_left_alone() {
    let f = Fakes::default();
    shop(&f, "店A");
    // another window or command is changing 店A
    let held = f.profiles.lock("店A").unwrap();
    let started = std::time::Instant::now();
    let (code, _, err) = run(&f, &["profile", "delete", "店A"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("being changed by another window or command"),
        "{err}"
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "it waited a moment first"
    );
    assert!(f.profiles.exists("店A"));
    assert!(f.keychain.peek("店A", SecretField::ApiKeyV2).is_some());
    drop(held);
    let (code, _, err) = run(&f, &["profile", "delete", "店A"]);
    assert_eq!(code, 0, "{err}");
}

/// Found by a first-user trial: `--replace` without a certificate in the file
/// deleted a private key made in the app, its only copy.
#[test]
fn replace_keeps_a_private_key_the_file_does_not_bring_unless_told() {
    let f = Fakes::default();
    shop(&f, "钥店");
    let key = Secret::new("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
    f.keychain
        .set("钥店", SecretField::PendingPrivateKey, &key)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.toml");
    std::fs::write(
        &file,
        "name = \"钥店\"\nmp_appid = \"wx2222222222222222\"\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let (code, _, err) = run(&f, &["profile", "import", "--replace", file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--discard-key"), "{err}");
    assert!(err.contains("cert save"), "{err}");
    assert_eq!(
        f.keychain.peek("钥店", SecretField::PendingPrivateKey),
        Some(key)
    );
    assert_ne!(
        f.profiles.load("钥店").unwrap().mp_appid,
        "wx2222222222222222"
    );

    let (code, _, err) = run(&f, &["profile", "import", "--discard-key", file]);
    assert_eq!(code, 2, "--discard-key needs --replace: {err}");

    let (code, _, err) = run(
        &f,
        &["profile", "import", "--replace", "--discard-key", file],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        f.keychain.peek("钥店", SecretField::PendingPrivateKey),
        None
    );
    assert_eq!(
        f.profiles.load("钥店").unwrap().mp_appid,
        "wx2222222222222222"
    );
}

/// Found by a first-user trial: `push --json` answered a refusal in plain text.
#[test]
fn push_json_reports_a_refusal_as_json_with_a_code() {
    let f = Fakes::default();
    shop(&f, "推店");
    let (code, out, err) = run(&f, &["push", "--profile", "推店", "--json", "--yes"]);
    assert_eq!(code, 2, "{err}");
    let v = json(&out);
    assert_eq!(v["status"], "error");
    assert_eq!(v["code"], "no_url");
    assert!(v["message"].as_str().unwrap().contains("URL"), "{v}");
    let (code, out, _) = run(&f, &["push", "--profile", "无此店", "--json", "--yes"]);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["code"], "no_such_profile");
}

/// The trial: `profile import` trims a name silently, but `profile delete
/// ' spaced '` said the name held "invisible characters". A NAME on the
/// command line is trimmed as every other way in trims it.
#[test]
fn a_name_given_with_spaces_around_it_is_the_shop_of_the_trimmed_name() {
    let f = Fakes::default();
    shop(&f, "spaced");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("b.zip").display().to_string();
    for args in [
        &["profile", "show", " spaced ", "--json"][..],
        &["export", "--profile", "  spaced", "--out", &out],
        &[
            "cert",
            "request",
            "--profile",
            "spaced ",
            "--company",
            "某某有限公司",
        ],
    ] {
        let (code, _, err) = run(&f, args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let (code, _, err) = run(&f, &["profile", "delete", " spaced "]);
    assert_eq!(code, 0, "{err}");
    assert!(!f.profiles.exists("spaced"));
    assert!(f.keychain.peek("spaced", SecretField::ApiKeyV2).is_none());
}

/// The trial: `--out` naming a file where a folder is needed said "File exists
/// (os error 17)… check disk space"; naming a folder for the bundle suggested
/// --force, which then failed "Is a directory (os error 21)". Each says what
/// is wrong and what to do, and nothing is touched.
#[test]
fn out_naming_a_file_for_a_folder_or_a_folder_for_a_file_says_so() {
    let f = Fakes::default();
    shop(&f, "店A");
    let work = tempfile::tempdir().unwrap();
    let afile = work.path().join("afile");
    std::fs::write(&afile, "mine").unwrap();
    let adir = work.path().join("adir");
    std::fs::create_dir(&adir).unwrap();
    let (afile_s, adir_s) = (afile.display().to_string(), adir.display().to_string());
    let below_afile = afile.join("sub").display().to_string();
    for args in [
        &[
            "export",
            "--profile",
            "店A",
            "--format",
            "env",
            "--out",
            &afile_s,
        ][..],
        &[
            "export",
            "--profile",
            "店A",
            "--format",
            "env",
            "--out",
            &below_afile,
        ],
        &["export", "--profile", "店A", "--out", &below_afile],
        &["export", "--all", "--out", &afile_s],
        &[
            "export", "--all", "--format", "env", "--out", &afile_s, "--force",
        ],
    ] {
        let (code, _, err) = run(&f, args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.contains(&format!("{afile_s} is a file, not a folder")),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("os error") && !err.contains("disk space"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read_to_string(&afile).unwrap(), "mine");
    for args in [
        &["export", "--profile", "店A", "--out", &adir_s][..],
        &["export", "--profile", "店A", "--out", &adir_s, "--force"],
    ] {
        let (code, _, err) = run(&f, args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(&format!("{adir_s} is a folder")), "{err}");
        assert!(
            err.contains(&format!("{}", adir.join("shop.zip").display())),
            "{err}"
        );
        assert!(!err.contains("os error"), "{err}");
    }
    assert_eq!(std::fs::read_dir(&adir).unwrap().count(), 0);
}

/// Makes a temp file of ours in `dir` as a killed export leaves it, holding
/// `text`, last written `age` ago.
fn leftover_temp(dir: &Path, text: &str, age: std::time::Duration) -> std::path::PathBuf {
    use std::io::Write;
    let tmp = wxpay_setup::services::profile_store::temp_file_in(dir).unwrap();
    let (mut file, path) = tmp.keep().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file.set_modified(std::time::SystemTime::now() - age)
        .unwrap();
    path
}

/// The trial: a killed `export --force` left `.wxpay-setup-XXXX.tmp` files in
/// the user's folder (27 of 91 kills), with `--include-secrets` holding the
/// plain secrets. The next export into that folder removes ours older than
/// ten minutes, also when it then refuses to overwrite; younger ones (a
/// running export's) and files not of our naming stay.
#[test]
fn the_next_export_into_a_folder_removes_the_temp_files_killed_exports_left() {
    let f = Fakes::default();
    shop(&f, "店A");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("cfg");
    std::fs::create_dir(&out).unwrap();
    let minutes = |m: u64| std::time::Duration::from_secs(m * 60);
    let stale = leftover_temp(&out, &format!("WXPAY_API_KEY_V2={API_KEY}\n"), minutes(15));
    let young = leftover_temp(&out, "being written", minutes(1));
    let not_ours = out.join(".wxpay-setup-notes.txt");
    std::fs::write(&not_ours, "the user's").unwrap();
    let out_s = out.display().to_string();
    let export = |force: bool| {
        let mut args = vec![
            "export",
            "--profile",
            "店A",
            "--format",
            "env",
            "--include-secrets",
            "--out",
            &out_s,
        ];
        if force {
            args.push("--force");
        }
        run(&f, &args)
    };
    let (code, _, err) = export(false);
    assert_eq!(code, 0, "{err}");
    assert!(
        !stale.exists(),
        "the stale temp file (with a secret) is gone"
    );
    assert!(young.exists() && not_ours.exists());
    // killed again; the next run refuses to overwrite, and still sweeps
    let stale = leftover_temp(&out, &format!("WXPAY_API_KEY_V2={API_KEY}\n"), minutes(11));
    let (code, _, err) = export(false);
    assert_eq!(code, 1, "{err}");
    assert!(!stale.exists());
    let (code, _, err) = export(true);
    assert_eq!(code, 0, "{err}");
    let secret_anywhere = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().ends_with(".tmp"))
        .filter(|p| std::fs::read_to_string(p).unwrap().contains(API_KEY))
        .count();
    assert_eq!(secret_anywhere, 0);
}
