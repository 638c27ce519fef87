//! `wxpay-setup push --backend crmeb|shopxo` against stand-ins that answer as those
//! backends' sources do (they do not run here: CRMEB needs PHP 7.x, ShopXO its own
//! installation): what is written, what is kept, their refusals in their own words,
//! the captcha after failed logins, sessions that end mid-push.

mod support;

use std::process::Output;

use serde_json::Value;
use support::*;

const V3: &str = "V3keyV3keyV3keyV3keyV3keyV3key12";
const V2: &str = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
const MP_APPID: &str = "wx1234567890abcdef";
const OA_APPID: &str = "wxfedcba0987654321";

/// Its push commands are this file's own (below).
type Shop = ImportedShop;

impl Shop {
    fn new(extra: &str) -> Shop {
        ImportedShop::import(
            "standin",
            &format!(
                "site_kind = \"site_and_mini_program\"\noa_appid = {OA_APPID:?}\noa_appsecret = \"fedcba9876543210fedcba9876543210\"\nmp_appid = {MP_APPID:?}\nmp_appsecret = \"0123456789abcdef0123456789abcdef\"\nmchid = {MCHID:?}\napi_key_v2 = {V2:?}\n{extra}"
            ),
        )
    }

    /// A shop with a mini program only (case 1), its own mini program.
    fn mini_program_only(extra: &str) -> Shop {
        ImportedShop::import(
            "standin1",
            &format!(
                "site_kind = \"mini_program\"\nmp_appid = \"wx00000000000000c1\"\nmp_appsecret = \"c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1\"\nmchid = {MCHID:?}\napi_key_v2 = {V2:?}\n{extra}"
            ),
        )
    }

    fn push(&self, backend: &str, url: &str, account: &str, pw: &str) -> (Output, Value) {
        let f = self.work.path().join("pw.txt");
        std::fs::write(&f, pw).unwrap();
        let o = wxpay(self.config.path())
            .args(["push", "--profile", &self.name, "--backend", backend])
            .args(["--url", url, "--account", account, "--password-file"])
            .arg(&f)
            .args(["--yes", "--json"])
            .output()
            .unwrap();
        let v = stdout_json(&o);
        (o, v)
    }

    fn cert_pem(&self) -> String {
        self.profile().certificate.unwrap().certificate_pem
    }
}

fn calls(v: &Value) -> Vec<(String, bool)> {
    v["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["call"].as_str().unwrap().to_owned(), c["stored"] == true))
        .collect()
}

fn norm(s: &str) -> String {
    s.replace("\r\n", "\n").trim().to_owned()
}

mod crmeb {
    use super::support::crmeb_server::{ACCOUNT, PASSWORD, crmeb};
    use super::*;

    #[test]
    fn uploads_the_files_switches_v3_on_and_checks_every_setting() {
        let c = crmeb();
        let s = Shop::new(&format!("api_key_v3 = {V3:?}\n"));
        let (o, v) = s.push("crmeb", &format!("{}/admin", c.url), ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(0), "{v:#}");
        assert_eq!(v["status"], "done", "{v:#}");
        assert_eq!(
            calls(&v),
            [
                ("crmeb_upload_cert".into(), true),
                ("crmeb_upload_key".into(), true),
                ("crmeb_save".into(), true)
            ]
        );
        for (k, want) in [
            ("pay_weixin_open", "1"),
            ("pay_wechat_type", "1"),
            ("pay_weixin_mchid", MCHID),
            ("pay_weixin_key", V2),
            ("pay_weixin_key_v3", V3),
            ("pay_weixin_serial_no", SERIAL_HEX),
            ("routine_appId", MP_APPID),
            ("wechat_appid", OA_APPID),
            ("site_name", "手填的站点名称"),
        ] {
            assert_eq!(c.get(k), want, "{k}");
        }
        // the settings hold the uploaded files' paths, the files hold the PEMs
        let state = c.state.lock().unwrap();
        let cert = state.config["pay_weixin_client_cert"].as_str().unwrap();
        let key = state.config["pay_weixin_client_key"].as_str().unwrap();
        assert_eq!(norm(&state.files[cert]), norm(&s.cert_pem()));
        assert_eq!(norm(&state.files[key]), norm(key_a()));
    }

    #[test]
    fn a_wrong_password_is_said_and_the_second_one_mentions_the_captcha() {
        let c = crmeb();
        let s = Shop::new("");
        let (o, v) = s.push("crmeb", &c.url, ACCOUNT, "wrong-password");
        assert_eq!(o.status.code(), Some(1), "{v}");
        assert_eq!(v["code"], "login_refused");
        assert!(
            v["message"].as_str().unwrap().contains("账号或密码错误"),
            "{v}"
        );
        let (o, v) = s.push("crmeb", &c.url, ACCOUNT, "wrong-again");
        assert_eq!(o.status.code(), Some(1), "{v}");
        assert_eq!(v["code"], "captcha", "{v}");
        assert!(
            v["message"].as_str().unwrap().contains("verification code"),
            "{v}"
        );
        assert_eq!(c.get("pay_weixin_mchid"), "", "nothing was written");
    }

    #[test]
    fn a_session_that_ends_after_the_first_upload_logs_in_again() {
        let c = crmeb();
        c.state.lock().unwrap().expire_after_uploads = Some(1);
        let s = Shop::new(&format!("api_key_v3 = {V3:?}\n"));
        let (o, v) = s.push("crmeb", &c.url, ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(0), "{v:#}");
        assert_eq!(v["relogins"], 1);
        assert_eq!(c.state.lock().unwrap().logins, 2);
        assert_eq!(c.get("pay_weixin_mchid"), MCHID);
    }

    #[test]
    fn a_refused_upload_after_a_stored_one_says_what_was_stored() {
        let c = crmeb();
        c.state.lock().unwrap().refuse_upload_from = Some(2);
        let s = Shop::new(&format!("api_key_v3 = {V3:?}\n"));
        let (o, v) = s.push("crmeb", &c.url, ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(1), "{v:#}");
        assert_eq!(v["status"], "partial");
        assert_eq!(
            calls(&v),
            [
                ("crmeb_upload_cert".into(), true),
                ("crmeb_upload_key".into(), false)
            ]
        );
        let not_sent: Vec<&str> = v["not_sent"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["call"].as_str().unwrap())
            .collect();
        assert_eq!(not_sent, ["crmeb_save"]);
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .contains("无法创建文件夹，请检查您的上传目录权限"),
            "{v}"
        );
        assert_eq!(c.get("pay_weixin_mchid"), "", "the save never happened");
    }
}

/// Trial 3 Major 1: the admin password a push kept is sent only to the address it
/// was accepted at. Another address typed next receives nothing (not even a
/// connection); the command asks for that backend's password and exits non-zero,
/// and the kept one still works where it belongs.
#[test]
fn a_kept_password_never_goes_to_another_address() {
    use support::crmeb_server::{ACCOUNT, PASSWORD, crmeb};
    let c = crmeb();
    let s = Shop::new(&format!("api_key_v3 = {V3:?}\n"));
    let (o, v) = s.push("crmeb", &c.url, ACCOUNT, PASSWORD);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    let stranger = Listener::start();
    let without_password = |url: &str| {
        wxpay(s.config.path())
            .args([
                "push",
                "--profile",
                &s.name,
                "--url",
                url,
                "--yes",
                "--json",
            ])
            .output()
            .unwrap()
    };
    for url in [
        format!("{}/admin", stranger.url),
        // the same host on another scheme is another address
        stranger.url.replace("http://", "https://"),
    ] {
        let o = without_password(&url);
        let v = stdout_json(&o);
        assert_ne!(o.status.code(), Some(0), "{v:#}");
        assert_eq!(v["code"], "kept_elsewhere", "{v:#}");
        let msg = v["message"].as_str().unwrap();
        assert!(msg.contains("--password-file"), "{msg}");
        assert!(
            msg.contains(&c.url),
            "names the address it belongs to: {msg}"
        );
    }
    let (connections, got) = stranger.received();
    assert_eq!(connections, 0, "nothing reached the other address: {got}");
    assert!(!got.contains(PASSWORD));
    // the kept password is untouched and still goes where it was accepted
    let o = without_password(&c.url);
    assert_eq!(o.status.code(), Some(0), "{:#}", stdout_json(&o));
}

mod shopxo {
    use super::support::shopxo_server::{ACCOUNT, PASSWORD, shopxo};
    use super::*;

    #[test]
    fn the_whole_form_goes_back_with_our_values_and_reads_back_equal() {
        let x = shopxo();
        let s = Shop::new(&format!(
            "api_key_v3 = {V3:?}\npayment_name = \"微信支付\"\n"
        ));
        let (o, v) = s.push("shopxo", &x.admin(), ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(0), "{v:#}");
        assert_eq!(v["status"], "done", "{v:#}");
        let row = x.row();
        let c = |k: &str| row.config.get(k).cloned().unwrap_or_default();
        assert_eq!(c("mch_id"), MCHID);
        assert_eq!(c("key"), V2, "ShopXO takes the APIv2 key");
        assert_eq!(c("mini_appid"), MP_APPID);
        assert_eq!(c("appid"), OA_APPID);
        assert_eq!(norm(&c("apiclient_cert")), norm(&s.cert_pem()));
        assert_eq!(norm(&c("apiclient_key")), norm(key_a()));
        // what the merchant set, and every switch, are as they were
        assert_eq!(c("app_appid"), "wxapphandset00001");
        assert_eq!(c("agreement"), "2");
        assert_eq!(row.is_enable, "1");
        assert_eq!(row.is_open_user, "1");
        assert_eq!(row.apply_terminal, ["pc", "h5", "weixin"]);
        assert_eq!(row.name, "微信支付");
        let cannot = v["preview"]["cannot_hold"].to_string();
        assert!(cannot.contains("api_key_v3"), "{cannot}");
    }

    #[test]
    fn its_refusal_is_told_in_its_words_and_nothing_changes() {
        let x = shopxo();
        // the merchant unticked every terminal: ShopXO refuses the form as it is
        x.state.lock().unwrap().weixin.apply_terminal.clear();
        let s = Shop::new("");
        let (o, v) = s.push("shopxo", &x.admin(), ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(1), "{v:#}");
        assert_eq!(v["status"], "refused");
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .contains("至少选择一个适用终端"),
            "{v}"
        );
        assert_eq!(x.row().config["mch_id"], "");
        assert_eq!(x.state.lock().unwrap().saves, 0);
    }

    #[test]
    fn logins_the_picture_code_and_a_lost_session() {
        let x = shopxo();
        let s = Shop::new("");
        let (o, v) = s.push("shopxo", &x.admin(), ACCOUNT, "wrong-password");
        assert_eq!(o.status.code(), Some(1));
        assert!(v["message"].as_str().unwrap().contains("密码错误"), "{v}");

        x.state.lock().unwrap().picture_code = true;
        let (o, v) = s.push("shopxo", &x.admin(), ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(v["code"], "captcha");
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .contains("图片验证码不能为空"),
            "{v}"
        );

        x.state.lock().unwrap().picture_code = false;
        // the session ends right after the form was read: the save logs in again
        x.state.lock().unwrap().end_sessions_after_reads = Some(1);
        let (o, v) = s.push("shopxo", &x.admin(), ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(0), "{v:#}");
        assert_eq!(v["relogins"], 1);
        assert_eq!(x.row().config["mch_id"], MCHID);
    }

    #[test]
    fn the_address_must_be_the_admin_entry_and_the_plugin_installed() {
        let x = shopxo();
        let s = Shop::new("");
        let (o, v) = s.push("shopxo", &format!("{}/", x.url), ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(2), "{v}");
        assert_eq!(v["code"], "bad_address");
        assert!(
            v["message"].as_str().unwrap().contains("admin8a3f.php"),
            "{v}"
        );
        x.state.lock().unwrap().installed = false;
        let (o, v) = s.push("shopxo", &x.admin(), ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(1), "{v}");
        assert_eq!(v["code"], "not_found");
        assert!(
            v["message"].as_str().unwrap().contains("not installed"),
            "{v}"
        );
    }

    /// Second CLI trial, blocker, for ShopXO: a case-1 shop after a case-2 one leaves
    /// the plugin's service-account AppID (it pays with it on the pc and h5
    /// terminals), and warns; a shop whose pc and h5 terminals are unticked does not.
    #[test]
    fn a_case_one_shop_after_a_case_two_one_warns_about_the_service_account_appid() {
        let x = shopxo();
        let first = Shop::new("");
        let (o, v) = first.push("shopxo", &x.admin(), ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(0), "{v:#}");
        assert_eq!(x.row().config["appid"], OA_APPID);
        let second = Shop::mini_program_only("");
        let (o, v) = second.push("shopxo", &x.admin(), ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(0), "{v:#}");
        assert_eq!(v["status"], "done_with_warnings", "{v:#}");
        let w = &v["warnings"][0];
        assert_eq!(w["field"], "plugins_appid", "{v:#}");
        assert_eq!(w["holds"]["text"], OA_APPID);
        assert_eq!(w["scenes"], serde_json::json!(["pc", "h5"]));
        assert!(w["message"].as_str().unwrap().contains("适用终端"), "{w}");
        assert_eq!(v["preview"]["left_alone"][0]["now"]["text"], OA_APPID);
        assert_eq!(x.row().config["appid"], OA_APPID, "never emptied by us");
        assert_eq!(x.row().config["mini_appid"], "wx00000000000000c1");

        // the merchant unticks pc and h5: the AppID is no longer paired with anything
        x.state.lock().unwrap().weixin.apply_terminal = vec!["weixin".into()];
        let (o, v) = second.push("shopxo", &x.admin(), ACCOUNT, PASSWORD);
        assert_eq!(o.status.code(), Some(0), "{v:#}");
        assert_eq!(v["status"], "done", "{v:#}");
        assert_eq!(v["warnings"], serde_json::json!([]));
    }
}

/// Second CLI trial, blocker, for CRMEB: its one WeChat Pay switch pays with the
/// service account's AppID (公众号配置) in the 公众号, H5 and PC scenes.
#[test]
fn crmeb_warns_about_a_service_account_appid_a_case_one_shop_leaves() {
    use support::crmeb_server::{ACCOUNT, PASSWORD, crmeb};
    let c = crmeb();
    // a fresh CRMEB holds no service account AppID: nothing to warn about
    let second = Shop::mini_program_only(&format!("api_key_v3 = {V3:?}\n"));
    let (o, v) = second.push("crmeb", &c.url, ACCOUNT, PASSWORD);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    assert_eq!(v["status"], "done", "{v:#}");

    let first = Shop::new(&format!("api_key_v3 = {V3:?}\n"));
    let (o, v) = first.push("crmeb", &c.url, ACCOUNT, PASSWORD);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    let (o, v) = second.push("crmeb", &c.url, ACCOUNT, PASSWORD);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    assert_eq!(v["status"], "done_with_warnings", "{v:#}");
    let w = &v["warnings"][0];
    assert_eq!(w["field"], "wechat_appid", "{v:#}");
    assert_eq!(w["holds"]["text"], OA_APPID);
    assert_eq!(w["scenes"], serde_json::json!(["oa", "h5", "pc"]));
    assert_eq!(c.get("wechat_appid"), OA_APPID, "never emptied by us");
    assert_eq!(c.get("routine_appId"), "wx00000000000000c1");
}
