//! `wxpay-setup push --backend likeadmin` into the real likeadmin (likeadmin_php 1.9.6)
//! that scripts/test.sh starts, checked by likeadmin's own getConfig: what the push
//! wrote, what the merchant had set by hand (still there), the backend's own words
//! on a refusal, a session that ends mid-push. Without ../shared/backends these say
//! so on one line and are skipped (under CI=true they fail).

mod support;

use std::process::Output;

use serde_json::Value;
use support::likeadmin::{Likeadmin, likeadmin};
use support::*;
use wxpay_setup::domain::profile::SecretField;

const V3: &str = "V3keyV3keyV3keyV3keyV3keyV3key12";
const V2: &str = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
const MP_APPID: &str = "wx1234567890abcdef";
const MP_SECRET: &str = "0123456789abcdef0123456789abcdef";
const OA_APPID: &str = "wxfedcba0987654321";
const OA_SECRET: &str = "fedcba9876543210fedcba9876543210";

/// Its push commands are this file's own (below).
type Shop = ImportedShop;

impl Shop {
    /// A shop as `profile import` makes it: case 1 or case 2, the certificate zip,
    /// both API keys.
    fn new(case_two: bool, extra: &str) -> Shop {
        let oa = if case_two {
            format!(
                "site_kind = \"site_and_mini_program\"\noa_appid = {OA_APPID:?}\noa_appsecret = {OA_SECRET:?}\n"
            )
        } else {
            "site_kind = \"mini_program\"\n".to_owned()
        };
        ImportedShop::import(
            "la",
            &format!(
                "{oa}mp_appid = {MP_APPID:?}\nmp_appsecret = {MP_SECRET:?}\nmchid = {MCHID:?}\napi_key_v2 = {V2:?}\napi_key_v3 = {V3:?}\n{extra}"
            ),
        )
    }

    fn password_file(&self, pw: &str) -> String {
        let f = self.work.path().join("pw.txt");
        std::fs::write(&f, format!("{pw}\n")).unwrap();
        f.display().to_string()
    }

    fn push(&self, la: &Likeadmin, pw: &str, extra: &[&str]) -> (Output, Value) {
        let o = wxpay(self.config.path())
            .args(["push", "--profile", &self.name, "--backend", "likeadmin"])
            .args(["--url", &format!("{}/admin", la.url)])
            .args([
                "--account",
                &la.account,
                "--password-file",
                &self.password_file(pw),
            ])
            .args(["--yes", "--json"])
            .args(extra)
            .output()
            .unwrap();
        let v = stdout_json(&o);
        (o, v)
    }
}

fn pem_eq(a: &Value, b: &str) -> bool {
    let norm = |s: &str| s.replace("\r\n", "\n").trim().to_owned();
    a.as_str().is_some_and(|a| norm(a) == norm(b))
}

/// Issue 16's "done when": a case-2 shop pushed into the real likeadmin is, by
/// likeadmin's own getConfig, stored; what the merchant set by hand is still there.
#[test]
fn a_case_two_shop_is_stored_and_checked_and_what_the_merchant_set_survives() {
    let Some(la) = likeadmin() else { return };
    la.set_by_hand();
    let s = Shop::new(true, "");
    let started = std::time::Instant::now();
    let (o, v) = s.push(&la, &la.password, &[]);
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    assert_eq!(v["status"], "done", "{v:#}");
    eprintln!("push into the real likeadmin (case 2, 3 calls): {took:?}");
    // every field sent was read back equal, and the report says so per field
    let fields = v["fields"].as_array().unwrap();
    assert!(fields.len() >= 15, "{v:#}");
    for f in fields {
        assert!(
            f["sent"] == true && f["stored"] == true && f["checked"] == true,
            "{f}"
        );
    }
    // the preview said what the backend held before (the old merchant number)
    let mch = v["preview"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "pay_config.config.mch_id")
        .unwrap()
        .clone();
    assert_eq!(mch["now"]["text"], "1230000109", "{mch}");
    assert_eq!(mch["will"]["text"], MCHID, "{mch}");

    let pay = la.pay();
    let c = &pay["config"];
    assert_eq!(c["mch_id"], MCHID);
    assert_eq!(c["pay_sign_key"], V3, "pay_sign_key is the APIv3 key");
    assert_eq!(c["interface_version"], "v3");
    assert_eq!(c["merchant_type"], "ordinary_merchant");
    let cert = s.profile().certificate.unwrap().certificate_pem;
    assert!(
        pem_eq(&c["apiclient_cert"], &cert),
        "{}",
        c["apiclient_cert"]
    );
    assert!(pem_eq(&c["apiclient_key"], key_a()), "the private key PEM");
    assert_eq!(pay["name"], "微信支付", "the row keeps its name");

    let mnp = la.mnp();
    assert_eq!(
        (&mnp["app_id"], &mnp["app_secret"]),
        (&MP_APPID.into(), &MP_SECRET.into())
    );
    assert_eq!(mnp["name"], "手填的小程序");
    assert_eq!(mnp["original_id"], "gh_handmnp0001");
    let oa = la.oa();
    assert_eq!(
        (&oa["app_id"], &oa["app_secret"]),
        (&OA_APPID.into(), &OA_SECRET.into())
    );
    assert_eq!(oa["token"], "HandSetToken123");
    assert_eq!(
        oa["encoding_aes_key"],
        "HandSetAesKey0123456789abcdefghijklmnopqrstu"
    );
    assert_eq!(oa["encryption_type"], 2);
    assert_eq!(oa["original_id"], "gh_handoa00001");

    // the password is kept in the keychain only: the next push needs no file
    assert!(!all_files_text(s.config.path()).contains(&la.password));
    let o = wxpay(s.config.path())
        .args(["push", "--profile", &s.name, "--yes", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // and what likeadmin cannot hold was said
    let cannot = v["preview"]["cannot_hold"].to_string();
    assert!(
        cannot.contains("api_key_v2") && cannot.contains("public_key_id"),
        "{cannot}"
    );
}

/// Trial B1: likeadmin holds a first merchant's APIv3 key, certificate and key; a
/// second shop that has none of them is refused before anything is sent (it was
/// "stored everything; read back equal" with the first merchant's values), and
/// likeadmin still holds the first merchant's values untouched.
#[test]
fn a_shop_lacking_what_likeadmin_needs_is_refused_and_nothing_is_sent() {
    let Some(la) = likeadmin() else { return };
    la.set_by_hand();
    let first = Shop::new(false, "");
    let (o, v) = first.push(&la, &la.password, &[]);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    let (pay, mnp) = (la.pay(), la.mnp());
    let config = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let name = unique_name("la-new");
    import_profile(
        config.path(),
        work.path(),
        &format!(
            "name = {name:?}\nsite_kind = \"mini_program\"\nmp_appid = {MP_APPID:?}\nmp_appsecret = {MP_SECRET:?}\nmchid = \"1900009999\"\napi_key_v2 = {V2:?}\n"
        ),
    );
    let second = Shop { config, work, name };
    // trial 2 minor 2: the dry run of a push that would be refused says so, exit 1
    let (o, v) = second.push(&la, &la.password, &["--dry-run"]);
    assert_eq!(o.status.code(), Some(1), "{v:#}");
    assert_eq!(v["status"], "dry_run_refused", "{v:#}");
    assert_eq!(v["code"], "needs_values", "{v:#}");
    assert!(v["message"].as_str().unwrap().contains("APIv3"), "{v:#}");
    assert!(
        v["needs"].as_array().is_some_and(|n| !n.is_empty()),
        "{v:#}"
    );
    let o = wxpay(second.config.path())
        .args(["push", "--profile", &second.name, "--backend", "likeadmin"])
        .args(["--url", &la.url, "--account", &la.account, "--dry-run"])
        .arg("--password-file")
        .arg(second.password_file(&la.password))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (o, v) = second.push(&la, &la.password, &[]);
    assert_eq!(o.status.code(), Some(1), "{v:#}");
    assert_eq!(v["code"], "needs_values", "{v:#}");
    let message = v["message"].as_str().unwrap();
    for what in ["APIv3", "apiclient_cert", "apiclient_key"] {
        assert!(message.contains(what), "{what} named: {message}");
    }
    assert_eq!(la.pay(), pay, "the first merchant's values untouched");
    assert_eq!(la.mnp(), mnp);
}

#[test]
fn a_case_one_shop_leaves_the_service_account_page_alone() {
    let Some(la) = likeadmin() else { return };
    la.set_by_hand();
    let before = la.oa();
    let s = Shop::new(false, "");
    let (o, v) = s.push(&la, &la.password, &[]);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    // the AppID the merchant set by hand pairs with this merchant number: a warning
    assert_eq!(v["status"], "done_with_warnings");
    assert_eq!(v["warnings"][0]["holds"]["text"], "wx0000000000000002");
    let calls: Vec<&str> = v["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call"].as_str().unwrap())
        .collect();
    assert_eq!(calls, ["likeadmin_mnp", "likeadmin_pay"]);
    assert_eq!(la.oa(), before);
    assert_eq!(la.mnp()["app_id"], MP_APPID);
    assert_eq!(la.mnp()["original_id"], "gh_handmnp0001");
    assert_eq!(la.pay()["config"]["mch_id"], MCHID);
}

#[test]
fn a_wrong_password_exits_non_zero_in_likeadmins_words_and_changes_nothing() {
    let Some(la) = likeadmin() else { return };
    la.set_by_hand();
    let s = Shop::new(true, "");
    let (o, v) = s.push(&la, "not-the-password", &[]);
    assert_eq!(o.status.code(), Some(1), "{v:#}");
    assert_eq!(v["code"], "login_refused");
    assert!(v["message"].as_str().unwrap().contains("密码错误"), "{v}");
    assert_eq!(la.pay()["config"]["mch_id"], "1230000109");
    // a refused login remembers nothing (trial minor 1): not the system, address or
    // account, and not the password: a push without one asks for it
    let p = s.profile();
    assert_eq!(
        (p.backend_url.as_str(), p.backend_account.as_str()),
        ("", "")
    );
    let address = [
        "--backend",
        "likeadmin",
        "--url",
        &la.url,
        "--account",
        &la.account,
    ];
    let o = wxpay(s.config.path())
        .args(["push", "--profile", &s.name, "--yes"])
        .args(address)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--password-file"));
    // the text, not JSON: the backend's words on the terminal
    let o = wxpay(s.config.path())
        .args(["push", "--profile", &s.name, "--yes"])
        .args(address)
        .arg("--password-file")
        .arg(s.password_file("wrong-again"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("密码错误"));
}

/// The payment row last: a refusal there (`支付名称已存在`) comes after the channel
/// pages were stored, and the report says which calls were stored.
#[test]
fn a_refusal_after_the_first_calls_says_which_were_stored() {
    let Some(la) = likeadmin() else { return };
    la.set_by_hand();
    // the balance row is called 余额支付: likeadmin refuses a second row of that name
    let s = Shop::new(true, "payment_name = \"余额支付\"\n");
    let (o, v) = s.push(&la, &la.password, &[]);
    assert_eq!(o.status.code(), Some(1), "{v:#}");
    assert_eq!(v["status"], "partial");
    let calls: Vec<(String, bool)> = v["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["call"].as_str().unwrap().to_owned(), c["stored"] == true))
        .collect();
    assert_eq!(
        calls,
        [
            ("likeadmin_mnp".into(), true),
            ("likeadmin_oa".into(), true),
            ("likeadmin_pay".into(), false)
        ]
    );
    let message = v["message"].as_str().unwrap();
    assert!(message.contains("支付名称已存在"), "{message}");
    // likeadmin holds the two stored pages and still the old payment row
    assert_eq!(la.mnp()["app_id"], MP_APPID);
    assert_eq!(la.oa()["app_id"], OA_APPID);
    assert_eq!(la.pay()["config"]["mch_id"], "1230000109");
    let unstored: Vec<&Value> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"].as_str().unwrap().starts_with("pay_config"))
        .collect();
    assert!(
        unstored
            .iter()
            .all(|f| f["stored"] == false && f["checked"] == false)
    );
}

#[test]
fn a_dry_run_shows_now_and_after_and_changes_nothing() {
    let Some(la) = likeadmin() else { return };
    la.set_by_hand();
    let s = Shop::new(false, "");
    let (o, v) = s.push(&la, &la.password, &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    assert_eq!(v["status"], "dry_run");
    let key = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "pay_config.config.pay_sign_key")
        .unwrap()
        .clone();
    assert_eq!(
        (&key["now"]["shown"], &key["now"]["ours"]),
        (&"masked".into(), &false.into()),
        "{key}"
    );
    assert_eq!(key["will"]["ours"], true, "{key}");
    // window m5: every field by the label likeadmin's own page shows, never a path
    assert!(
        key["label"].as_str().unwrap().contains("商户API密钥"),
        "{key}"
    );
    for f in v["fields"].as_array().unwrap() {
        let l = f["label"].as_str().unwrap();
        assert!(
            !l.contains("pay_config") && !l.contains("mnp_settings"),
            "{l}"
        );
    }
    for l in ["微信小程序 › 原始ID", "微信支付配置 › 图标"] {
        let printed = String::from_utf8_lossy(&o.stdout);
        assert!(
            printed.contains(l) || v.to_string().contains(l),
            "kept by label: {l}"
        );
    }
    assert!(!v.to_string().contains(V3) && !v.to_string().contains("OldV3key"));
    assert_eq!(la.pay()["config"]["mch_id"], "1230000109");
    // a dry run remembers nothing: the profile has no backend and no password is kept
    assert_eq!(s.profile().backend_url, "");
    let o = wxpay(s.config.path())
        .args(["push", "--profile", &s.name, "--yes"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "nothing was remembered");
}

/// Issue 16's first finding, as it was typed: the API path of setConfig with a token
/// file. Now the address leads to likeadmin's API and a login is asked for; it never
/// says "sent".
#[test]
fn the_command_of_the_issue_no_longer_claims_success() {
    let Some(la) = likeadmin() else { return };
    let s = Shop::new(false, "");
    let token = s.work.path().join("token.txt");
    std::fs::write(&token, la.token()).unwrap();
    let o = wxpay(s.config.path())
        .args(["push", "--profile", &s.name])
        .args([
            "--url",
            &format!("{}/adminapi/setting.pay.pay_config/setConfig", la.url),
        ])
        .args([
            "--token-file",
            token.to_str().unwrap(),
            "--preset",
            "likeadmin",
            "--yes",
        ])
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--backend"), "the alias is named: {err}");
    assert!(err.contains("--account"), "{err}");
}

/// A session that ends mid-push (likeadmin's `{"code":-1}`) logs in again, once: the
/// session is ended for real, in likeadmin's session table, after each write.
#[test]
fn a_session_that_ends_mid_push_logs_in_again_once() {
    use wxpay_setup::app::ops::push::{Outcome, Overrides, Status, run};
    use wxpay_setup::domain::backend::{Reply, Request};
    use wxpay_setup::services::backend_http::{BackendClient, BackendHttp, SendError};

    let Some(la) = likeadmin() else { return };
    let Some(dir) = la.dir.clone() else {
        eprintln!("skipped: LIKEADMIN_DIR (its database) is not given");
        return;
    };
    la.set_by_hand();
    /// likeadmin, whose session is ended after the first write (`every`: after each).
    struct Ending {
        dir: std::path::PathBuf,
        real: BackendClient,
        every: bool,
        writes: std::sync::Mutex<usize>,
    }
    impl BackendHttp for Ending {
        fn send(&self, req: &Request) -> Result<Reply, SendError> {
            let r = self.real.send(req)?;
            if req.url.ends_with("setConfig") && r.body.contains("\"code\":1") {
                let mut n = self.writes.lock().unwrap();
                *n += 1;
                if *n == 1 || self.every {
                    let token = req
                        .headers
                        .iter()
                        .find(|(k, _)| k == "token")
                        .map(|(_, v)| v.clone())
                        .unwrap();
                    assert!(
                        support::likeadmin::expire(&self.dir, &token),
                        "the session ended"
                    );
                }
            }
            Ok(r)
        }
    }
    for every in [false, true] {
        let (ctx, _fakes) = wxpay_setup::app::ops::testing::fake_ctx();
        let work = tempfile::tempdir().unwrap();
        let zip = good_zip(work.path());
        let file = work.path().join("shop.toml");
        std::fs::write(
            &file,
            format!(
                "name = \"店\"\nsite_kind = \"site_and_mini_program\"\noa_appid = {OA_APPID:?}\noa_appsecret = {OA_SECRET:?}\nmp_appid = {MP_APPID:?}\nmp_appsecret = {MP_SECRET:?}\nmchid = {MCHID:?}\napi_key_v3 = {V3:?}\ncert_zip = {:?}\n",
                zip.display().to_string()
            ),
        )
        .unwrap();
        wxpay_setup::app::ops::import::import_file(&ctx, &file, false).unwrap();
        let http = Ending {
            dir: dir.clone(),
            real: BackendClient::new().unwrap(),
            every,
            writes: Default::default(),
        };
        let ctx = wxpay_setup::app::ops::Ctx {
            backend: wxpay_setup::app::ops::Lazy::ready(
                std::sync::Arc::new(http) as std::sync::Arc<dyn BackendHttp>
            ),
            ..ctx
        };
        let o = Overrides {
            backend: Some("likeadmin".into()),
            url: Some(la.url.clone()),
            account: Some(la.account.clone()),
            password: Some(wxpay_setup::domain::secret::Secret::new(&la.password)),
            ..Default::default()
        };
        let Outcome::Sent(r) = run(&ctx, "店", o, &mut |_| true).unwrap() else {
            panic!()
        };
        assert_eq!(r.relogins, 1, "every={every}");
        let stored: Vec<bool> = r.calls.iter().map(|c| c.stored).collect();
        if every {
            // the second end is one too many: the third call is not sent again
            assert_eq!(r.status, Status::Partial);
            assert_eq!(stored, [true, true, false]);
        } else {
            assert_eq!(r.status, Status::Done, "{r:#?}");
            assert_eq!(stored, [true, true, true]);
            assert_eq!(la.pay()["config"]["mch_id"], MCHID);
        }
        assert!(
            ctx.with_keychain(|k| k.get("店", SecretField::BackendPassword))
                .unwrap()
                .is_some()
        );
    }
}

/// Second CLI trial, blocker: a case-2 shop pushed, then a case-1 shop (mini program
/// only) into the same likeadmin. likeadmin pays with its service-account page's
/// AppID in the 公众号, H5 and PC scenes (all on in a fresh likeadmin), with the
/// merchant number the second push stores: the preview shows that page's AppID, the
/// push leaves it as it is (the merchant may have set it) and does not say a plain
/// "done": it warns, in `--json` too, and on the terminal says what to do.
#[test]
fn a_case_one_push_after_a_case_two_shop_warns_about_the_service_account_left() {
    let Some(la) = likeadmin() else { return };
    la.set_by_hand();
    let first = Shop::new(true, "");
    let (o, v) = first.push(&la, &la.password, &[]);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    let oa = la.oa();
    assert_eq!(oa["app_id"], OA_APPID);
    let second = Shop::new(false, "");

    // the preview: the service account page's AppID, read and left alone
    let (o, v) = second.push(&la, &la.password, &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    let left = v["left_alone"].as_array().expect("left_alone");
    let appid = left
        .iter()
        .find(|l| l["field"] == "official_account_setting.app_id")
        .unwrap_or_else(|| panic!("the service account's AppID shown: {v:#}"));
    assert_eq!(appid["now"]["text"], OA_APPID, "{appid}");
    let warning = &v["warnings"][0];
    assert_eq!(warning["field"], "official_account_setting.app_id", "{v:#}");
    // a fresh likeadmin 1.9.6 offers WeChat Pay to 公众号 and H5 users (not on PC)
    assert_eq!(warning["scenes"], serde_json::json!(["oa", "h5"]), "{v:#}");
    let words = warning["message"].as_str().unwrap();
    for w in [OA_APPID, "service account", "H5", "What to do"] {
        assert!(words.contains(w), "{w} in: {words}");
    }

    // the push: what it sent is stored, the AppID is left, and it is no plain "done"
    let (o, v) = second.push(&la, &la.password, &[]);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    assert_eq!(v["status"], "done_with_warnings", "{v:#}");
    assert_eq!(v["warnings"][0]["holds"]["text"], OA_APPID, "{v:#}");
    assert!(
        v["message"].as_str().unwrap().contains("look at"),
        "{}",
        v["message"]
    );
    assert_eq!(
        la.oa(),
        oa,
        "the service account page is never emptied by us"
    );
    assert_eq!(la.pay()["config"]["mch_id"], MCHID);

    // on the terminal: the warning after the result, and --yes said to have sent anyway
    let o = wxpay(second.config.path())
        .args(["push", "--profile", &second.name, "--yes"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(!out.contains("✓ likeadmin stored everything"), "{out}");
    let after = &out[out.find("One thing to look at").expect("warned")..];
    assert!(after.contains(OA_APPID), "{out}");
    assert!(err.contains("--yes"), "said it went on: {err}");

    // without --yes it asks, and "n" sends nothing
    let o = wxpay(second.config.path())
        .args(["push", "--profile", &second.name])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"n\n")?;
            c.wait_with_output()
        })
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("anyway"),
        "the question names the warning: {err}"
    );
    assert_eq!(la.oa(), oa);
}

/// Second CLI trial, minor 3: a shop without a payment display name keeps the one
/// likeadmin holds (another shop's, or the merchant's): listed under "kept", reported
/// as "kept as it was", never as ours "stored, read back equal".
#[test]
fn a_payment_name_kept_from_likeadmin_is_kept_not_stored() {
    let Some(la) = likeadmin() else { return };
    la.set_by_hand();
    let first = Shop::new(true, "payment_name = \"书店微信支付\"\n");
    let (o, v) = first.push(&la, &la.password, &[]);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    assert_eq!(la.pay()["name"], "书店微信支付");
    let second = Shop::new(true, "");
    let (o, v) = second.push(&la, &la.password, &[]);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    let kept = v["preview"]["kept"].as_array().unwrap();
    assert!(kept.iter().any(|k| k == "pay_config.name"), "{kept:?}");
    assert!(
        !v["preview"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "pay_config.name"),
        "not a field of ours to send: {v:#}"
    );
    let name = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "pay_config.name")
        .unwrap()
        .clone();
    assert_eq!(name["kept"], true, "{name}");
    let o = wxpay(second.config.path())
        .args(["push", "--profile", &second.name, "--yes"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out
        .lines()
        .find(|l| l.contains("(payment method name):"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("kept as it was"), "{line}");
    assert!(!line.contains("stored"), "{line}");
    assert_eq!(la.pay()["name"], "书店微信支付");
}
