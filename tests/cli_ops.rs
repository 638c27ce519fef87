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
        "商城后台地址 (backend_url): -",
        "商城系统 (backend_preset): -",
        "商城后台管理员账号 (backend_account): -",
    ] {
        assert!(out.contains(line), "{line:?} missing in:\n{out}");
    }
    assert!(!out.contains(API_KEY) && !out.contains(APPSECRET));
}

#[test]
fn verify_records_each_result_in_the_profile() {
    let f = Fakes::default();
    shop(&f, "店E");
    // WeChat's answer to a right AppSecret with a made-up code, and to the
    // same AppID with an altered secret (it looks at the secret first)
    f.http
        .reply(200, r#"{"errcode":40125,"errmsg":"invalid appsecret"}"#)
        .reply_to(
            &format!("secret={APPSECRET}&"),
            200,
            r#"{"errcode":40029,"errmsg":"invalid code"}"#,
        );
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
    // the AppSecret check (the real secret and an altered one) and the v2 pay
    // check have their values; the others ask nothing
    assert_eq!(f.http.seen().len(), 3, "{:?}", f.http.seen());

    // the human table comes from the same report
    let (_, out, _) = run(&f, &["verify", "--profile", "店E"]);
    assert!(out.lines().any(|l| l.starts_with('✓')), "{out}");
}

/// A generic receiver without the read-back: its GET is 405, its POST 201.
fn receiver(f: &mut Fakes) {
    use wxpay_setup::domain::backend::{Method, Reply};
    f.backend = wxpay_setup::services::backend_http::FakeBackend::new(|r| {
        Ok(match r.method {
            Method::Get => Reply::new(405, ""),
            Method::Post => Reply::new(201, "{}"),
        })
    });
}

fn posts(f: &Fakes) -> usize {
    use wxpay_setup::domain::backend::Method;
    f.backend
        .seen()
        .iter()
        .filter(|r| r.method == Method::Post)
        .count()
}

#[test]
fn push_dry_run_shows_the_masked_preview_and_sends_nothing() {
    let mut f = Fakes::default();
    receiver(&mut f);
    shop(&f, "店F");
    let work = tempfile::tempdir().unwrap();
    let token = work.path().join("token.txt");
    std::fs::write(&token, "t0ken\n").unwrap();
    let (code, out, err) = run(
        &f,
        &[
            "push",
            "--profile",
            "店F",
            "--backend",
            "generic",
            "--url",
            "http://127.0.0.1:1/cfg",
            "--token-file",
            &token.display().to_string(),
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["status"], "dry_run");
    let fields = v["fields"].as_array().unwrap();
    assert!(
        fields
            .iter()
            .any(|p| p["field"] == "mchid" && p["will"]["text"] == "1900006031"),
        "{v:#}"
    );
    assert!(!out.contains(API_KEY), "a secret in the preview");
    assert_eq!(posts(&f), 0);
    // a dry run changes nothing: the --url and the token are not remembered (issue 10 item 13)
    assert_eq!(f.profiles.load("店F").unwrap().backend_url, "");
    assert_eq!(f.keychain.peek("店F", SecretField::BackendToken), None);
}

#[test]
fn push_asks_sends_with_a_token_and_refuses_bad_input_with_exit_2() {
    let mut f = Fakes::default();
    receiver(&mut f);
    shop(&f, "店G");
    let url = "http://127.0.0.1:1/cfg";
    let (code, _, err) = run(
        &f,
        &[
            "push",
            "--profile",
            "店G",
            "--url",
            url,
            "--backend",
            "nope",
        ],
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(
        &f,
        &[
            "push",
            "--profile",
            "店G",
            "--backend",
            "generic",
            "--url",
            "http://10.0.0.1/x",
        ],
    );
    assert_eq!(code, 2);
    let (code, _, err) = run(
        &f,
        &[
            "push",
            "--profile",
            "店G",
            "--backend",
            "generic",
            "--url",
            url,
            "--yes",
        ],
    );
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
            "--backend",
            "generic",
            "--url",
            url,
            "--token-file",
            &token,
        ],
        "n\n",
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(posts(&f), 0);

    let (code, out, err) = run(&f, &["push", "--profile", "店G", "--yes", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["status"], "stored_unchecked", "{v:#}");
    assert_eq!(posts(&f), 1);
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

    let mut f = Fakes::default();
    receiver(&mut f);
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
    let (code, _, err) = run_with(
        ctx,
        Lang::En,
        &[
            "push",
            "--profile",
            "店H",
            "--backend",
            "generic",
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
        // a secret file that gives no secret is the argument's fault, as an empty
        // one is (trial minor 7): exit 2
        let want = if args.contains("-file") { 2 } else { 1 };
        assert_eq!(code, want, "{args}: {err}");
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
    assert_eq!(v["code"], "no_backend");
    assert!(v["message"].as_str().unwrap().contains("--backend"), "{v}");
    let (code, out, _) = run(
        &f,
        &[
            "push",
            "--profile",
            "推店",
            "--backend",
            "likeadmin",
            "--json",
            "--yes",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(json(&out)["code"], "no_url");
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
            err.contains(&format!("{afile_s} is not a folder")),
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
/// plain secrets. The next export into that folder removes ours older than a
/// minute (trial minor 8: an export writes for well under a second), also when
/// it then refuses to overwrite; younger ones (a running export's) and files
/// not of our naming stay.
#[test]
fn the_next_export_into_a_folder_removes_the_temp_files_killed_exports_left() {
    let f = Fakes::default();
    shop(&f, "店A");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("cfg");
    std::fs::create_dir(&out).unwrap();
    let minutes = |m: u64| std::time::Duration::from_secs(m * 60);
    let stale = leftover_temp(&out, &format!("WXPAY_API_KEY_V2={API_KEY}\n"), minutes(15));
    let young = leftover_temp(&out, "being written", std::time::Duration::from_secs(10));
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
    let stale = leftover_temp(&out, &format!("WXPAY_API_KEY_V2={API_KEY}\n"), minutes(2));
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

/// Issue 18 item 2: WeChat's words reach the terminal escaped: an `errmsg`
/// that clears the screen, retitles the window and forges a green line of ours
/// is shown as its escapes.
#[test]
fn wechats_message_cannot_drive_the_terminal() {
    let f = Fakes::default();
    shop(&f, "店X");
    f.http.reply(
        200,
        r#"{"errcode":40125,"errmsg":"\u001b[2J\u001b]0;pwned\u0007\u001b[32m✓ 已通过\u001b[0m\r\nfake\u2028\u202e"}"#,
    );
    for args in [
        &["verify", "--profile", "店X"][..],
        &["verify", "--profile", "店X", "--json"][..],
    ] {
        let (_, out, err) = run(&f, args);
        for text in [&out, &err] {
            assert!(
                !text
                    .chars()
                    .any(|c| matches!(c, '\u{1b}' | '\u{7}' | '\r' | '\u{2028}' | '\u{202e}')),
                "{args:?}: {text:?}"
            );
        }
        assert!(
            out.contains("pwned"),
            "WeChat's words are still quoted: {out}"
        );
    }
}

/// The special files a user's folder may hold at the name an export writes: a
/// FIFO, a socket, a character device (made only as root: `mknod`), a link to
/// the FIFO and a link to nothing; each with a test of what it still is.
#[cfg(unix)]
type Special = (std::path::PathBuf, fn(&std::fs::Metadata) -> bool);

#[cfg(unix)]
fn special_files(dir: &Path) -> Vec<Special> {
    use std::os::unix::fs::FileTypeExt;
    let mut out: Vec<Special> = Vec::new();
    let cstr = |p: &Path| std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    let fifo = dir.join("fifo.zip");
    assert_eq!(unsafe { libc::mkfifo(cstr(&fifo).as_ptr(), 0o644) }, 0);
    out.push((fifo.clone(), |m| m.file_type().is_fifo()));
    let socket = dir.join("socket.zip");
    std::mem::forget(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    out.push((socket, |m| m.file_type().is_socket()));
    // as root, /dev/full became a plain file: a device node of our own stands in
    if unsafe { libc::geteuid() } == 0 {
        let dev = dir.join("full.zip");
        let rc = unsafe {
            libc::mknod(
                cstr(&dev).as_ptr(),
                libc::S_IFCHR | 0o666,
                libc::makedev(1, 7),
            )
        };
        assert_eq!(rc, 0, "mknod");
        out.push((dev, |m| m.file_type().is_char_device()));
    }
    let link = dir.join("link.zip");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    out.push((link, |m| m.file_type().is_symlink()));
    let dangling = dir.join("dangling.zip");
    std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).unwrap();
    out.push((dangling, |m| m.file_type().is_symlink()));
    out
}

/// Trial M1: `export --force` onto a device or a FIFO replaced it with a plain
/// file (as root, /dev/full became a 2644-byte file). Whatever is at `--out`
/// that is not a regular file (or a link to one) is refused, `--force` or not,
/// and left as it was; nothing of ours is left beside it.
#[cfg(unix)]
#[test]
fn export_never_replaces_a_device_a_fifo_or_a_socket() {
    let f = Fakes::default();
    shop(&f, "店A");
    let work = tempfile::tempdir().unwrap();
    for (path, still) in special_files(work.path()) {
        let out = path.display().to_string();
        for force in [true, false] {
            let mut args = vec!["export", "--profile", "店A", "--out", &out];
            if force {
                args.push("--force");
            }
            let (code, _, err) = run(&f, &args);
            assert_eq!(code, 1, "{args:?}: {err}");
            if force {
                assert!(err.contains("is not an ordinary file"), "{args:?}: {err}");
            }
            let meta = std::fs::symlink_metadata(&path).unwrap();
            assert!(still(&meta), "{out} was replaced: {:?}", meta.file_type());
        }
    }
    let ours = std::fs::read_dir(work.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(ours, 0, "a temp file was left beside them");

    // a stack's folder where one of its files is a FIFO: none of them is written
    let learn = work.path().join("learn");
    let learn_s = learn.display().to_string();
    let args = [
        "export",
        "--profile",
        "店A",
        "--format",
        "env",
        "--out",
        &learn_s,
    ];
    assert_eq!(run(&f, &args).0, 0);
    let names: Vec<_> = std::fs::read_dir(&learn)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let stack = work.path().join("stack");
    std::fs::create_dir(&stack).unwrap();
    let fifo = stack.join(&names[0]);
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let stack_s = stack.display().to_string();
    let args = [
        "export",
        "--profile",
        "店A",
        "--format",
        "env",
        "--out",
        &stack_s,
        "--force",
    ];
    let (code, _, err) = run(&f, &args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is not an ordinary file"), "{err}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert_eq!(
        std::fs::read_dir(&stack).unwrap().count(),
        1,
        "another file was written"
    );
}

/// Trial M2, the import file's side: a mapping file named by an import file is
/// parsed, and the parser's words (which quote the file's own keys and values)
/// reach the terminal escaped.
#[test]
fn the_parsers_words_about_an_import_files_mapping_reach_the_terminal_escaped() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    let hostile = "\\u001b[2J\\u001b]0;pwned\\u0007\\r\\nfake\\u202e";
    std::fs::write(
        work.path().join("map.toml"),
        format!("[fields]\n\"{hostile}\" = \"x\"\n"),
    )
    .unwrap();
    let file = work.path().join("shop.toml");
    std::fs::write(
        &file,
        "name = \"店A\"\nbackend_preset = \"custom\"\nbackend_mapping = \"map.toml\"\n",
    )
    .unwrap();
    for lang in [Lang::En, Lang::ZhCn] {
        let (code, out, err) = run_with(
            ctx_of(&f),
            lang,
            &["profile", "import", &file.display().to_string()],
            "",
        );
        assert_eq!(code, 1, "{err}");
        for text in [&out, &err] {
            assert!(
                !text
                    .chars()
                    .any(|c| matches!(c, '\u{1b}' | '\u{7}' | '\r' | '\u{202e}')),
                "{lang:?}: {text:?}"
            );
        }
        assert!(err.contains("pwned"), "still quoted: {err}");
    }
    assert!(f.profiles.list().unwrap().is_empty());
}

/// Trial M3: `profile show` printed a stored admin account (brought by a
/// bundle before it was checked) with a real CR, LF and clear-screen. Every
/// stored text it prints is escaped; the values are still there to read.
#[test]
fn profile_show_prints_stored_text_escaped() {
    let f = Fakes::default();
    shop(&f, "店E");
    let mut p = f.profiles.load("店E").unwrap();
    let hostile = "\u{1b}[2J\u{1b}]0;pwned\u{7}\r\nfake\u{2028}\u{202e}\u{9b}";
    p.backend_account = format!("ad{hostile}");
    p.backend_url = format!("https://shop.example.com/{hostile}");
    p.payment_name = format!("店{hostile}");
    p.oa_appid = format!("wx{hostile}");
    f.profiles.save(&p).unwrap();
    let (code, out, err) = run(&f, &["profile", "show", "店E"]);
    assert_eq!(code, 0, "{err}");
    for text in [&out, &err] {
        assert!(
            !text.chars().any(|c| matches!(
                c,
                '\u{1b}' | '\u{7}' | '\r' | '\u{2028}' | '\u{202e}' | '\u{9b}'
            )),
            "{text:?}"
        );
    }
    assert_eq!(out.matches("pwned").count(), 4, "{out}");
}

/// Trial M3 and minor 9: an agent presets the admin account in the import
/// file (`backend_account` was no key at all), under the rule a typed one
/// meets: no control or invisible character, at most 64 characters. So does
/// the backend address's characters.
#[test]
fn an_import_file_sets_the_admin_account_under_the_typed_rule() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("shop.toml");
    let import = |account: &str, url: &str| {
        std::fs::write(
            &file,
            format!(
                "name = \"店A\"\nbackend_preset = \"likeadmin\"\nbackend_url = \"{url}\"\nbackend_account = \"{account}\"\n"
            ),
        )
        .unwrap();
        run(&f, &["profile", "import", &file.display().to_string()])
    };
    let long = "a".repeat(65);
    for (account, url, key) in [
        (
            "ad\\r\\nmin\\u001b[2J",
            "https://shop.example.com/admin",
            "backend_account",
        ),
        (
            long.as_str(),
            "https://shop.example.com/admin",
            "backend_account",
        ),
        (
            "admin\\u202enimda",
            "https://shop.example.com/admin",
            "backend_account",
        ),
        (
            "admin",
            "https://shop.example.com/\\u001b[2J",
            "backend_url",
        ),
    ] {
        let (code, out, err) = import(account, url);
        assert_eq!(code, 1, "{account:?} {url:?}: {out}{err}");
        assert!(err.contains(&format!("× {key}:")), "{err}");
        assert!(!err.contains('\u{1b}') && !err.contains('\r'), "{err:?}");
        assert!(f.profiles.list().unwrap().is_empty());
    }
    let (code, _, err) = import(" admin ", "https://shop.example.com/admin");
    assert_eq!(code, 0, "{err}");
    let p = f.profiles.load("店A").unwrap();
    assert_eq!(p.backend_account, "admin");
    assert_eq!(p.backend_url, "https://shop.example.com/admin");
}

/// Trial minor 9: `profile import --replace` dropped the backend settings (shop
/// system, address, account and the kept admin password), so the next push
/// asked "which shop system". A replace keeps what the file does not replace;
/// the kept password (and token) only while the file changes neither the
/// address, nor the system, nor the account: it never goes to another backend.
#[test]
fn replace_keeps_the_backend_settings_the_file_does_not_replace() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    let first = work.path().join("first.toml");
    std::fs::write(
        &first,
        "name = \"店B\"\nmchid = \"1900006031\"\nbackend_preset = \"likeadmin\"\nbackend_url = \"https://shop.example.com/admin\"\nbackend_account = \"admin\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&f, &["profile", "import", &first.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    // a push logged in and kept the password
    let password = Secret::new("Admin-pass-251534431");
    f.keychain
        .set("店B", SecretField::BackendPassword, &password)
        .unwrap();

    // the agent's second file: new payment values, nothing about the backend
    let second = work.path().join("second.toml");
    std::fs::write(
        &second,
        format!("name = \"店B\"\nmchid = \"1900006032\"\napi_key_v2 = \"{API_KEY}\"\n"),
    )
    .unwrap();
    let (code, _, err) = run(
        &f,
        &[
            "profile",
            "import",
            "--replace",
            &second.display().to_string(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let p = f.profiles.load("店B").unwrap();
    assert_eq!(p.mchid, "1900006032");
    assert_eq!(p.backend_preset.name(), "likeadmin");
    assert_eq!(p.backend_url, "https://shop.example.com/admin");
    assert_eq!(p.backend_account, "admin");
    assert_eq!(
        f.keychain.peek("店B", SecretField::BackendPassword),
        Some(password.clone()),
        "the kept password went"
    );
    assert!(f.keychain.peek("店B", SecretField::ApiKeyV2).is_some());

    // a file that moves the shop to another address: the old password stays behind
    let third = work.path().join("third.toml");
    std::fs::write(
        &third,
        "name = \"店B\"\nmchid = \"1900006032\"\nbackend_url = \"https://other.example.com/admin\"\n",
    )
    .unwrap();
    let (code, _, err) = run(
        &f,
        &[
            "profile",
            "import",
            "--replace",
            &third.display().to_string(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let p = f.profiles.load("店B").unwrap();
    assert_eq!(p.backend_url, "https://other.example.com/admin");
    assert_eq!(p.backend_preset.name(), "likeadmin");
    assert_eq!(p.backend_account, "admin");
    assert_eq!(
        f.keychain.peek("店B", SecretField::BackendPassword),
        None,
        "a password kept for one backend would go to another"
    );
}

/// Trial minor 4: `jsapi_enabled = "yes"` (or `= 1`) was told to put the
/// value between double quotes; a yes/no key is told to write true or false.
/// Trial minor 3: an unknown shop system is named, not shown as "(?)".
#[test]
fn a_yes_no_key_is_told_to_write_true_or_false() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("shop.toml");
    for (line, key) in [
        ("jsapi_enabled = \"yes\"", "jsapi_enabled"),
        ("jsapi_enabled = 1", "jsapi_enabled"),
        ("mp_binding_confirmed = \"true\"", "mp_binding_confirmed"),
        ("oa_binding_confirmed = yes", "oa_binding_confirmed"),
    ] {
        std::fs::write(&file, format!("name = \"店A\"\n{line}\n")).unwrap();
        for lang in [Lang::En, Lang::ZhCn] {
            let (code, _, err) = run_with(
                ctx_of(&f),
                lang,
                &["profile", "import", &file.display().to_string()],
                "",
            );
            assert_eq!(code, 1, "{line}: {err}");
            assert!(
                err.contains(&format!("{key} = true")) && err.contains("false"),
                "{line} ({lang:?}): {err}"
            );
            assert!(!err.contains("\"...\""), "{line}: {err}");
        }
    }
    std::fs::write(&file, "name = \"店A\"\nbackend_preset = \"wordpress\"\n").unwrap();
    let (code, _, err) = run(&f, &["profile", "import", &file.display().to_string()]);
    assert_eq!(code, 1);
    assert!(err.contains("wordpress") && !err.contains("(?)"), "{err}");
    assert!(f.profiles.list().unwrap().is_empty());
}

/// Trial minor 10: "x y" and "x\u{a0}y" existed side by side. A new name with
/// a no-break (or full-width) space is refused, saying where it is.
#[test]
fn a_name_with_a_no_break_space_is_refused_beside_the_one_with_a_space() {
    let f = Fakes::default();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("shop.toml");
    std::fs::write(&file, "name = \"x y\"\n").unwrap();
    assert_eq!(
        run(&f, &["profile", "import", &file.display().to_string()]).0,
        0
    );
    for name in ["x\u{a0}y", "x\u{3000}y"] {
        std::fs::write(&file, format!("name = \"{name}\"\n")).unwrap();
        let (code, _, err) = run(&f, &["profile", "import", &file.display().to_string()]);
        assert_eq!(code, 1, "{name:?}: {err}");
        assert!(
            err.contains("Character 2") && err.contains("space"),
            "{err}"
        );
        let (code, _, err) = run(&f, &["profile", "show", name]);
        assert_ne!(code, 0, "{name:?}: {err}");
    }
    assert_eq!(f.profiles.list().unwrap(), ["x y"]);
}

/// Trial M6: Notepad's "UTF-8 with BOM" token (and password) files: the BOM is not
/// part of the secret, from a file or from standard input.
#[test]
fn push_drops_a_bom_from_token_and_password_files() {
    let mut f = Fakes::default();
    receiver(&mut f);
    shop(&f, "店B");
    let work = tempfile::tempdir().unwrap();
    let token = work.path().join("token.txt");
    std::fs::write(&token, "\u{feff}tok123\r\n").unwrap();
    let token = token.display().to_string();
    let base = ["push", "--profile", "店B", "--backend", "generic"];
    let url = ["--url", "http://127.0.0.1:1/cfg", "--yes"];
    let (code, _, err) = run(&f, &[&base[..], &url, &["--token-file", &token]].concat());
    assert_eq!(code, 0, "{err}");
    let sent = f.backend.seen();
    let auth: Vec<&str> = sent
        .iter()
        .flat_map(|r| r.headers.iter())
        .filter(|(k, _)| k == "Authorization")
        .map(|(_, v)| v.as_str())
        .collect();
    assert!(
        !auth.is_empty() && auth.iter().all(|a| *a == "Bearer tok123"),
        "{auth:?}"
    );
    assert_eq!(
        f.keychain.peek("店B", SecretField::BackendToken),
        Some(Secret::new("tok123")),
        "kept without the BOM"
    );
    // the same from standard input
    let (code, _, err) = run_with(
        ctx_of(&f),
        Lang::En,
        &[&base[..], &url, &["--token-file", "-"]].concat(),
        "\u{feff}tok456\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        f.keychain.peek("店B", SecretField::BackendToken),
        Some(Secret::new("tok456"))
    );
}

/// Trial minor 6: a script's `--json` without `--yes` gets a JSON refusal, not an
/// empty stdout; a password piped in leaves nothing to answer the question with.
#[test]
fn push_refuses_questions_it_cannot_ask_as_usage_errors() {
    let mut f = Fakes::default();
    receiver(&mut f);
    shop(&f, "店Q");
    let base = ["push", "--profile", "店Q", "--backend", "likeadmin"];
    let url = ["--url", "http://127.0.0.1:1/admin", "--account", "admin"];
    let (code, out, err) = run(&f, &[&base[..], &url, &["--json"]].concat());
    assert_eq!(code, 2, "{out}{err}");
    let v = json(&out);
    assert_eq!(v["status"], "error");
    assert_eq!(v["code"], "json_needs_yes");
    assert!(v["message"].as_str().unwrap().contains("--yes"), "{v}");
    let (code, out, err) = run_with(
        ctx_of(&f),
        Lang::En,
        &[&base[..], &url, &["--password-file", "-"]].concat(),
        "pw\n",
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("--yes") && err.contains("--dry-run"), "{err}");
    assert!(f.backend.seen().is_empty(), "nothing was sent");
    // --dry-run asks nothing: piping the password in is fine
    let (code, _, err) = run_with(
        ctx_of(&f),
        Lang::En,
        &[&base[..], &url, &["--password-file", "-", "--dry-run"]].concat(),
        "pw\n",
    );
    assert_ne!(code, 2, "{err}");
}

/// Trial minor 7: an empty file, an empty standard input, a folder and a pipe are
/// all usage errors (exit 2) said in words that fit a password.
#[test]
fn password_files_that_give_no_password_are_usage_errors_in_fitting_words() {
    let mut f = Fakes::default();
    receiver(&mut f);
    shop(&f, "店P");
    let work = tempfile::tempdir().unwrap();
    let empty = work.path().join("empty.txt");
    std::fs::write(&empty, "\r\n").unwrap();
    let base = ["push", "--profile", "店P", "--backend", "likeadmin"];
    let url = [
        "--url",
        "http://127.0.0.1:1/admin",
        "--account",
        "admin",
        "--yes",
    ];
    let mut cases: Vec<(String, &str, &str)> = vec![
        (empty.display().to_string(), "", "is empty"),
        ("-".into(), "\n", "Standard input gave no password"),
        (
            work.path().display().to_string(),
            "",
            "not an ordinary file",
        ),
    ];
    #[cfg(unix)]
    {
        let fifo = work.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        cases.push((fifo.display().to_string(), "", "not an ordinary file"));
    }
    for (file, input, words) in &cases {
        let (code, _, err) = run_with(
            ctx_of(&f),
            Lang::En,
            &[&base[..], &url, &["--password-file", file]].concat(),
            input,
        );
        assert_eq!(code, 2, "{file}: {err}");
        assert!(err.contains(words), "{file}: {err}");
        assert!(
            !err.contains("or folder") && !err.contains("Check the file"),
            "{err}"
        );
    }
    assert!(f.backend.seen().is_empty());
}

/// Trial minor 12: `profile show` says whether the admin password is kept, and its
/// JSON carries the admin account.
#[test]
fn profile_show_tells_the_backend_account_and_whether_its_password_is_kept() {
    let f = Fakes::default();
    let mut p = shop(&f, "店S");
    p.backend_account = "admin".into();
    f.profiles.save(&p).unwrap();
    let (code, out, err) = run(&f, &["profile", "show", "店S", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["backend_account"], "admin", "{v:#}");
    assert_eq!(v["backend_password"], "not_set", "{v:#}");
    f.keychain
        .set("店S", SecretField::BackendPassword, &Secret::new("pw"))
        .unwrap();
    let v = json(&run(&f, &["profile", "show", "店S", "--json"]).1);
    assert_eq!(v["backend_password"], "set", "{v:#}");
    let (_, out, _) = run(&f, &["profile", "show", "店S"]);
    let line = out
        .lines()
        .find(|l| l.contains("(backend_password)"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.ends_with(": set"),
        "whether it is kept, never what: {line}"
    );
}

/// Trial minor 14: the generic receiver's refusal speaks of its token, not of an
/// account's rights; `--json` carries the receiver's real words (JSON escapes them
/// once), the terminal sees them escaped.
#[test]
fn a_receivers_refusal_is_its_own_words_once_escaped() {
    use wxpay_setup::domain::backend::Reply;
    let f = Fakes {
        backend: wxpay_setup::services::backend_http::FakeBackend::new(|_| {
            Ok(Reply::new(
                400,
                "{\"ok\":false,\"message\":\"no \\u001b[2J way\"}",
            ))
        }),
        ..Default::default()
    };
    shop(&f, "店R");
    let work = tempfile::tempdir().unwrap();
    let token = work.path().join("token.txt");
    std::fs::write(&token, "t0ken\n").unwrap();
    let token = token.display().to_string();
    let args = [
        "push",
        "--profile",
        "店R",
        "--backend",
        "generic",
        "--url",
        "http://127.0.0.1:1/cfg",
        "--token-file",
        &token,
        "--yes",
    ];
    let (code, out, err) = run(&f, &[&args[..], &["--json"]].concat());
    assert_eq!(code, 1, "{out}{err}");
    let v = json(&out);
    let message = v["message"].as_str().unwrap();
    assert!(message.contains("no \u{1b}[2J way"), "{message:?}");
    assert!(!message.contains("\\u{1b}"), "escaped twice: {message:?}");
    assert!(!message.contains("account"), "{message}");
    let (_, _, err) = run(&f, &args);
    assert!(
        err.contains("no \\u{1b}[2J way"),
        "the terminal sees it escaped: {err}"
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

/// Trial minor 15: `--passphrase-file` with a format that is not encrypted was
/// silently unused; it is refused, and nothing is written.
#[test]
fn a_passphrase_for_an_unencrypted_format_is_refused() {
    let f = Fakes::default();
    shop(&f, "店X");
    let work = tempfile::tempdir().unwrap();
    let pass = work.path().join("pass.txt");
    std::fs::write(&pass, format!("{PASS}\n")).unwrap();
    let out = work.path().join("env-out");
    let (code, _, err) = run(
        &f,
        &[
            "export",
            "--profile",
            "店X",
            "--format",
            "env",
            "--out",
            &out.display().to_string(),
            "--include-secrets",
            "--passphrase-file",
            &pass.display().to_string(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--passphrase-file") && err.contains("bundle"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}
