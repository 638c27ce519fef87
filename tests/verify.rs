//! `wxpay-setup verify` against a local server that behaves as WeChat documents
//! (tests/support/wechat_server.rs): right values, each kind of wrong value,
//! retries, public-key mode, malformed and slow replies, dropped connections,
//! every reply of facts §4a, a wrong clock, and signed replies. Each result is
//! read from `verify --json` and, for what the table does not show yet (WeChat's
//! own words, the clock skew), from the result remembered in the profile.

mod support;

use std::process::{Command, Output};

use serde_json::Value;
use support::wechat_server::*;
use support::*;
use wxpay_setup::domain::wxapi::{Status, clock};

const MP: &str = "wx1234567890abcdef";
const OA: &str = "wxfedcba0987654321";
const MP_SECRET: &str = "0123456789abcdef0123456789abcdef";
const OA_SECRET: &str = "fedcba9876543210fedcba9876543210";
const KEY: &str = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
const V3_KEY: &str = "V3keyV3keyV3keyV3keyV3keyV3key12";

fn merchant(mchid: &str) -> Merchant {
    Merchant {
        mchid: mchid.into(),
        api_key: KEY.into(),
        bound_appids: vec![MP.into(), OA.into()],
        key_pem: key_a().into(),
        serial: SERIAL_HEX.into(),
        api_v3_key: V3_KEY.into(),
        public_key_mode: false,
        system_errors: 0,
        not_bound_in_return_msg: false,
    }
}

fn apps() -> Vec<App> {
    vec![
        App {
            appid: MP.into(),
            secret: MP_SECRET.into(),
        },
        App {
            appid: OA.into(),
            secret: OA_SECRET.into(),
        },
    ]
}

fn server(merchants: Vec<Merchant>) -> FakeWeChat {
    FakeWeChat::start(apps(), merchants)
}

struct Shop {
    config: tempfile::TempDir,
    work: tempfile::TempDir,
    name: String,
    /// The import file it was made from.
    toml: String,
}

/// Imports a case-2 shop whose values are the right ones, with `edits` applied.
fn shop(mchid: &str, edits: &[(&str, &str)]) -> Shop {
    let config = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let cert = merchant_cert_pem(&CertSpec {
        mchid,
        ..Default::default()
    });
    let zip = work.path().join("cert.zip");
    write_zip(&zip, &wxcertutil_files(&cert, key_a(), mchid));
    let name = unique_name("verify");
    let mut fields: Vec<(String, String)> = [
        ("name", name.as_str()),
        ("site_kind", "site_and_mini_program"),
        ("payment_name", "微信支付"),
        ("mp_appid", MP),
        ("mp_appsecret", MP_SECRET),
        ("mchid", mchid),
        ("api_key_v2", KEY),
        ("api_key_v3", V3_KEY),
        ("oa_appid", OA),
        ("oa_appsecret", OA_SECRET),
        ("cert_zip", "cert.zip"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in edits {
        fields.retain(|(key, _)| key != k);
        if !v.is_empty() {
            fields.push(((*k).to_owned(), (*v).to_owned()));
        }
    }
    let toml: String = fields
        .iter()
        .map(|(k, v)| format!("{k} = {v:?}\n"))
        .collect();
    import_profile(config.path(), work.path(), &toml);
    Shop {
        config,
        work,
        name,
        toml,
    }
}

impl Shop {
    fn cmd(&self, base: &str) -> Command {
        let mut c = wxpay(self.config.path());
        c.env("WXPAY_SETUP_MP_API", base)
            .env("WXPAY_SETUP_PAY_API", base);
        c
    }

    fn verify(&self, base: &str) -> (Output, Vec<Value>) {
        let o = self
            .cmd(base)
            .args(["verify", "--profile", &self.name, "--json"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
        (o, v.as_array().unwrap().clone())
    }

    fn delete(&self) {
        let _ = self
            .cmd("http://127.0.0.1:9")
            .args(["profile", "delete", &self.name])
            .output();
    }
}

fn result<'a>(rows: &'a [Value], id: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {rows:?}"))
}

/// The outcome of check `id` as remembered in the shop's profile file.
fn saved_outcome(shop: &Shop, id: &str) -> toml::Value {
    let text = std::fs::read_to_string(
        shop.config
            .path()
            .join(format!("profiles/{}.toml", shop.name)),
    )
    .unwrap();
    let v: toml::Value = toml::from_str(&text).unwrap();
    // the profile names checks by their serde name: mp_appsecret is mp_app_secret there
    let key = id.replace("appsecret", "app_secret");
    v.get("checks")
        .and_then(|c| c.get(&key))
        .and_then(|c| c.get("outcome"))
        .unwrap_or_else(|| panic!("no {id} in {text}"))
        .clone()
}

/// WeChat's words remembered with a result: (http, code, message).
fn saved_words(shop: &Shop, id: &str) -> (i64, String, String) {
    let o = saved_outcome(shop, id);
    let w = o
        .get("wechat")
        .unwrap_or_else(|| panic!("no WeChat words for {id}: {o}"));
    let s = |k: &str| w.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
    (w["http"].as_integer().unwrap(), s("code"), s("message"))
}

/// Gives the shop a WeChat Pay public key ID and `pub_key.pem`: its import
/// file again with them, replacing the shop (a name is imported once otherwise).
fn give_public_key(s: &Shop, id: &str, pem: &str) {
    std::fs::write(s.work.path().join("pub_key.pem"), pem).unwrap();
    let file = s.work.path().join("again.toml");
    let toml = format!(
        "{}public_key_id = {id:?}\npublic_key_pem = \"pub_key.pem\"\n",
        s.toml
    );
    std::fs::write(&file, toml).unwrap();
    let o = wxpay(s.config.path())
        .args(["profile", "import", "--replace"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn message(rows: &[Value], id: &str) -> String {
    result(rows, id)["message"].as_str().unwrap().to_owned()
}

fn status_code(rows: &[Value], id: &str) -> (String, String) {
    let r = result(rows, id);
    (
        r["status"].as_str().unwrap().to_owned(),
        r["code"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn right_values_pass_every_check_and_nothing_changes_state() {
    let wx = server(vec![merchant(MCHID)]);
    let shop = shop(MCHID, &[]);
    let (o, rows) = shop.verify(&wx.url);
    assert_eq!(o.status.code(), Some(0), "{rows:#?}");
    for id in [
        "mp_appsecret",
        "oa_appsecret",
        "pay_mp",
        "pay_oa",
        "v3_certificates",
    ] {
        assert_eq!(status_code(&rows, id).0, "ok", "{id}: {rows:#?}");
    }
    assert_eq!(
        status_code(&rows, "v3_certificates").1,
        "v3_ok",
        "the APIv3 key decrypted the platform certificate"
    );
    let paths = wx.paths();
    assert!(
        !paths.iter().any(|p| p.contains("cgi-bin")),
        "never asks for an access_token: {paths:?}"
    );
    assert!(paths.iter().all(|p| {
        [
            "/sns/jscode2session",
            "/sns/oauth2/access_token",
            "/pay/orderquery",
            "/v3/certificates",
        ]
        .contains(&p.as_str())
    }));
    // results are remembered with their time
    let profile = std::fs::read_to_string(
        shop.config
            .path()
            .join(format!("profiles/{}.toml", shop.name)),
    )
    .unwrap();
    assert!(
        profile.contains("[checks.pay_mp") && profile.contains("at = "),
        "{profile}"
    );
    assert!(!profile.contains(KEY) && !profile.contains(MP_SECRET));
    shop.delete();
}

#[test]
fn each_wrong_value_is_named_with_its_fix() {
    let mut unbound = merchant("1900000109");
    unbound.bound_appids = vec![MP.into()];
    let mut old_style = merchant("1900000110");
    old_style.bound_appids = vec![MP.into()];
    old_style.not_bound_in_return_msg = true;
    let wx = server(vec![merchant(MCHID), unbound, old_style]);

    // wrong AppSecret; the APIv3 key pasted as the API key
    let s = shop(
        MCHID,
        &[
            ("mp_appsecret", "00000000000000000000000000000000"),
            ("api_key_v2", V3_KEY),
            ("api_key_v3", ""),
        ],
    );
    let (o, rows) = s.verify(&wx.url);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        status_code(&rows, "mp_appsecret"),
        ("fail".into(), "mp_wrong_secret".into())
    );
    assert_eq!(status_code(&rows, "oa_appsecret").0, "ok");
    assert_eq!(
        status_code(&rows, "pay_mp"),
        ("fail".into(), "pay_wrong_key".into())
    );
    assert!(
        result(&rows, "pay_mp")["message"]
            .as_str()
            .unwrap()
            .contains("APIv3 key")
    );
    assert_eq!(status_code(&rows, "v3_certificates").1, "v3_ok_no_key");
    s.delete();

    // the service account is not bound: err_code and return_msg placements
    for mchid in ["1900000109", "1900000110"] {
        let s = shop(mchid, &[]);
        let (_, rows) = s.verify(&wx.url);
        assert_eq!(status_code(&rows, "pay_mp").0, "ok", "{mchid}");
        assert_eq!(
            status_code(&rows, "pay_oa"),
            ("fail".into(), "pay_not_bound".into()),
            "{mchid}"
        );
        assert!(
            result(&rows, "pay_oa")["message"]
                .as_str()
                .unwrap()
                .contains("Merchant number step")
        );
        s.delete();
    }

    // a wrong APIv3 key, and an unknown AppID
    let s = shop(
        MCHID,
        &[
            ("api_key_v3", "wrongwrongwrongwrongwrongwrong12"),
            ("oa_appid", "wx0000000000000000"),
        ],
    );
    let (_, rows) = s.verify(&wx.url);
    assert_eq!(
        status_code(&rows, "v3_certificates"),
        ("fail".into(), "v3_wrong_api_v3_key".into())
    );
    assert_eq!(
        status_code(&rows, "oa_appsecret"),
        ("fail".into(), "oa_wrong_appid".into())
    );
    assert_eq!(
        status_code(&rows, "pay_oa"),
        ("fail".into(), "pay_appid_not_exist".into())
    );
    s.delete();
}

#[test]
fn a_certificate_from_another_key_fails_the_v3_signature() {
    let mut m = merchant(MCHID);
    m.key_pem = key_b().into();
    let wx = server(vec![m]);
    let s = shop(MCHID, &[]);
    let (_, rows) = s.verify(&wx.url);
    assert_eq!(
        status_code(&rows, "v3_certificates"),
        ("fail".into(), "v3_sign_error".into())
    );
    s.delete();
}

#[test]
fn a_serial_wechat_does_not_know_is_named_as_the_serial() {
    let mut m = merchant(MCHID);
    m.serial = "7132D72A03E93CDDF8C03BBD1F37EEDF9A3BB1AB".into();
    let wx = server(vec![m]);
    let s = shop(MCHID, &[("site_kind", "mini_program")]);
    let (_, rows) = s.verify(&wx.url);
    assert_eq!(
        status_code(&rows, "v3_certificates"),
        ("fail".into(), "v3_wrong_serial".into())
    );
    assert_eq!(
        saved_words(&s, "v3_certificates"),
        (401, "SIGN_ERROR".into(), "商户证书序列号有误。".into())
    );
    s.delete();
}

#[test]
fn systemerror_is_retried_with_backoff() {
    let mut m = merchant(MCHID);
    m.system_errors = 2;
    let wx = server(vec![m]);
    let s = shop(MCHID, &[("site_kind", "mini_program")]);
    let (o, rows) = s.verify(&wx.url);
    assert_eq!(status_code(&rows, "pay_mp").0, "ok", "{rows:#?}");
    assert_eq!(
        status_code(&rows, "pay_oa").0,
        "skipped",
        "case 1 has no service account"
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        wx.paths()
            .iter()
            .filter(|p| *p == "/pay/orderquery")
            .count(),
        3,
        "two SYSTEMERRORs, then the answer"
    );
    s.delete();
}

#[test]
fn public_key_mode_proves_the_public_key_by_its_signature_and_leaves_the_apiv3_key_unproven() {
    let mut m = merchant(MCHID);
    m.public_key_mode = true;
    let wx = server(vec![m.clone()]);

    // no public key entered yet: nothing is wrong, a value is missing
    let s = shop(MCHID, &[]);
    let (_, rows) = s.verify(&wx.url);
    assert_eq!(
        status_code(&rows, "v3_certificates"),
        ("error".into(), "v3_public_key_mode".into())
    );
    assert!(message(&rows, "v3_certificates").contains("pub_key.pem"));

    // the right ID and pub_key.pem: WeChat's signature verifies; the APIv3 key
    // cannot be proven by any side-effect-free call
    give_public_key(&s, PUBLIC_KEY_ID, &wechatpay_public_key_pem());
    let (o, rows) = s.verify(&wx.url);
    assert_eq!(
        status_code(&rows, "v3_certificates"),
        ("unproven".into(), "v3_key_unproven_public_key_mode".into()),
        "{rows:#?}"
    );
    // unproven is not a problem: verify passes and says what stays unproven
    assert_eq!(o.status.code(), Some(0), "{rows:#?}");
    assert_eq!(
        result(&rows, "v3_certificates")["wechat"],
        serde_json::json!({"http": 404, "code": "RESOURCE_NOT_EXISTS",
            "message": "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥"})
    );
    let human = s
        .cmd(&wx.url)
        .env("LANG", "en_US.UTF-8")
        .args(["verify", "--profile", &s.name])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert_eq!(human.status.code(), Some(0), "{text}");
    assert!(text.contains("cannot be proven online"), "{text}");
    assert!(
        text.contains("Connection: straight to WeChat"),
        "verify says how it reached WeChat: {text}"
    );
    let proxied = s
        .cmd(&wx.url)
        .env("LANG", "en_US.UTF-8")
        .env("HTTPS_PROXY", "http://user:pw@127.0.0.1:3128")
        .args(["verify", "--profile", &s.name])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&proxied.stdout);
    assert!(
        text.contains("through the proxy http://127.0.0.1:3128"),
        "{text}"
    );
    assert!(
        !text.contains("pw"),
        "the proxy's password is not printed: {text}"
    );
    assert!(
        text.contains("WeChat's own reply: HTTP 404 · RESOURCE_NOT_EXISTS"),
        "{text}"
    );
    assert!(
        message(&rows, "v3_certificates").contains("first payment notification"),
        "{rows:#?}"
    );
    assert_eq!(
        saved_words(&s, "v3_certificates"),
        (
            404,
            "RESOURCE_NOT_EXISTS".into(),
            "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥".into()
        )
    );

    // a pub_key.pem of another key: WeChat's signature does not verify with it
    give_public_key(&s, PUBLIC_KEY_ID, &public_pem(key_b()));
    let (_, rows) = s.verify(&wx.url);
    assert_eq!(
        status_code(&rows, "v3_certificates"),
        ("fail".into(), "v3_public_key_mismatch".into())
    );
    assert!(message(&rows, "v3_certificates").contains("does not belong to"));
    s.delete();

    // no APIv3 key entered: the public key is all there is to prove
    let s = shop(MCHID, &[("api_key_v3", "")]);
    give_public_key(&s, PUBLIC_KEY_ID, &wechatpay_public_key_pem());
    let (o, rows) = s.verify(&wx.url);
    assert_eq!(
        status_code(&rows, "v3_certificates"),
        ("ok".into(), "v3_public_key_mode_ok".into())
    );
    assert_eq!(o.status.code(), Some(0));
    s.delete();

    // replies without a signature prove nothing about the public key
    let wx = FakeWeChat::start_with(
        apps(),
        vec![m],
        Options {
            signing: Signing::Unsigned,
            ..Default::default()
        },
    );
    let s = shop(MCHID, &[]);
    give_public_key(&s, PUBLIC_KEY_ID, &wechatpay_public_key_pem());
    let (_, rows) = s.verify(&wx.url);
    assert_eq!(
        status_code(&rows, "v3_certificates"),
        ("unproven".into(), "v3_public_key_unproven".into())
    );
    s.delete();
}

#[test]
fn certificate_mode_checks_the_reply_signature_with_the_platform_certificate() {
    for (signing, code) in [
        (Signing::WrongKey, "v3_reply_signature_bad"),
        (Signing::Unsigned, "v3_reply_unsigned"),
    ] {
        let wx = FakeWeChat::start_with(
            apps(),
            vec![merchant(MCHID)],
            Options {
                signing,
                ..Default::default()
            },
        );
        let s = shop(MCHID, &[("site_kind", "mini_program")]);
        let (o, rows) = s.verify(&wx.url);
        assert_eq!(
            status_code(&rows, "v3_certificates"),
            ("error".into(), code.into()),
            "{signing:?}"
        );
        assert_eq!(o.status.code(), Some(1), "not OK");
        s.delete();
    }
}

#[test]
fn a_clock_ten_minutes_off_is_reported_as_the_clock_not_as_the_key() {
    let wx = FakeWeChat::start_with(
        apps(),
        vec![merchant(MCHID)],
        Options {
            clock_ahead_secs: 600,
            ..Default::default()
        },
    );
    let s = shop(MCHID, &[("site_kind", "mini_program")]);
    let (o, rows) = s.verify(&wx.url);
    assert_eq!(
        status_code(&rows, "v3_certificates"),
        ("error".into(), "clock_off".into()),
        "{rows:#?}"
    );
    // the clock is its own item, said first, and verify does not pass
    assert_eq!(rows[0]["id"], "clock", "{rows:#?}");
    assert_eq!(
        status_code(&rows, "clock"),
        ("error".into(), "clock_off".into())
    );
    assert_eq!(o.status.code(), Some(1));
    let m = message(&rows, "v3_certificates");
    assert!(m.contains("10 minutes"), "{m}");
    // the other checks still work, and each knows how far off the clock is
    assert_eq!(status_code(&rows, "mp_appsecret").0, "ok");
    assert_eq!(status_code(&rows, "pay_mp").0, "ok");
    for id in ["mp_appsecret", "pay_mp", "v3_certificates"] {
        let skew = saved_outcome(&s, id)["clock_skew_secs"].as_integer();
        assert!(
            skew.is_some_and(|k| (-610..=-590).contains(&k)),
            "{id}: {skew:?}"
        );
    }
    assert_eq!(
        saved_words(&s, "v3_certificates"),
        (
            401,
            "SIGN_ERROR".into(),
            "Http头Authorization中的timestamp与发起请求的时间不得超过5分钟".into()
        )
    );
    // the run's own `clock` item, from the skews the results carry
    let skews = ["mp_appsecret", "pay_mp", "v3_certificates"]
        .map(|id| saved_outcome(&s, id)["clock_skew_secs"].as_integer());
    let item = clock::clock_outcome(skews).expect("the clock is reported");
    assert_eq!(
        (item.status, item.code.as_str()),
        (Status::Error, "clock_off")
    );
    assert_eq!(item.args, [("minutes".to_owned(), "10".to_owned())]);
    s.delete();

    // the same server with a right clock: no clock item
    let wx = server(vec![merchant(MCHID)]);
    let s = shop(MCHID, &[("site_kind", "mini_program")]);
    let (_, rows) = s.verify(&wx.url);
    assert_eq!(status_code(&rows, "v3_certificates").1, "v3_ok");
    assert!(rows.iter().all(|r| r["id"] != "clock"), "{rows:#?}");
    let skews = ["mp_appsecret", "pay_mp", "v3_certificates"]
        .map(|id| saved_outcome(&s, id)["clock_skew_secs"].as_integer());
    assert!(
        skews.iter().all(|k| k.is_some_and(|k| k.abs() <= 2)),
        "{skews:?}"
    );
    assert_eq!(clock::clock_outcome(skews), None);
    s.delete();
}

#[test]
fn every_known_reply_gets_its_verdict_and_keeps_wechats_words() {
    /// (path, HTTP status, body, check, expected status and code, WeChat's code and message)
    type Case = (
        &'static str,
        u16,
        &'static str,
        &'static str,
        (&'static str, &'static str),
        (&'static str, &'static str),
    );
    let cases: &[Case] = &[
        (
            "/sns/jscode2session",
            200,
            r#"{"errcode":40164,"errmsg":"invalid ip 203.0.113.9, not in whitelist, rid: 1"}"#,
            "mp_appsecret",
            ("error", "unexpected_reply"),
            ("40164", "invalid ip 203.0.113.9, not in whitelist, rid: 1"),
        ),
        (
            "/sns/jscode2session",
            200,
            r#"{"errcode":40002,"errmsg":"invalid grant_type, rid: 2"}"#,
            "mp_appsecret",
            ("error", "unexpected_reply"),
            ("40002", "invalid grant_type, rid: 2"),
        ),
        (
            "/sns/jscode2session",
            200,
            r#"{"errcode":41008,"errmsg":"missing code, rid: 3"}"#,
            "mp_appsecret",
            ("error", "unexpected_reply"),
            ("41008", "missing code, rid: 3"),
        ),
        (
            "/pay/orderquery",
            200,
            "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[商户号mch_id与appid不匹配]]></return_msg></xml>",
            "pay_mp",
            ("fail", "pay_not_bound"),
            ("FAIL", "商户号mch_id与appid不匹配"),
        ),
        (
            "/pay/orderquery",
            200,
            "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[appid和mch_id不匹配，请检查后再试]]></return_msg></xml>",
            "pay_mp",
            ("fail", "pay_not_bound"),
            ("FAIL", "appid和mch_id不匹配，请检查后再试"),
        ),
        (
            "/pay/orderquery",
            200,
            "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名失败]]></return_msg></xml>",
            "pay_mp",
            ("fail", "pay_wrong_key"),
            ("FAIL", "签名失败"),
        ),
        (
            "/pay/orderquery",
            200,
            "<xml><return_code>SUCCESS</return_code><return_msg>OK</return_msg><result_code>FAIL</result_code><err_code>SIGNERROR</err_code><err_code_des>sign error</err_code_des></xml>",
            "pay_mp",
            ("fail", "pay_wrong_key"),
            ("SIGNERROR", "sign error"),
        ),
        (
            "/pay/orderquery",
            200,
            "<xml><return_code>SUCCESS</return_code><return_msg>OK</return_msg><result_code>FAIL</result_code><err_code>ORDERNOTEXIST</err_code><err_code_des>订单不存在</err_code_des></xml>",
            "pay_mp",
            ("error", "pay_reply_unsigned"),
            ("ORDERNOTEXIST", "订单不存在"),
        ),
        (
            "/pay/orderquery",
            200,
            "<xml><return_code>FAIL</return_code><return_msg>XML格式错误</return_msg></xml>",
            "pay_mp",
            ("error", "unexpected_reply"),
            ("FAIL", "XML格式错误"),
        ),
        (
            "/v3/certificates",
            404,
            r#"{"code":"NOT_FOUND","message":"证书不存在"}"#,
            "v3_certificates",
            ("error", "v3_public_key_mode"),
            ("NOT_FOUND", "证书不存在"),
        ),
        (
            "/v3/certificates",
            500,
            r#"{"code":"SYSTEM_ERROR","message":"系统繁忙，请稍后重试"}"#,
            "v3_certificates",
            ("error", "system_error"),
            ("SYSTEM_ERROR", "系统繁忙，请稍后重试"),
        ),
        (
            "/v3/certificates",
            401,
            r#"{"code":"SIGN_ERROR","detail":{"sign_information":{"method":"GET"}},"message":"商户证书序列号有误。"}"#,
            "v3_certificates",
            ("fail", "v3_wrong_serial"),
            ("SIGN_ERROR", "商户证书序列号有误。"),
        ),
        (
            "/v3/certificates",
            403,
            r#"{"code":"NO_AUTH","message":"商户无权限"}"#,
            "v3_certificates",
            ("error", "unexpected_reply"),
            ("NO_AUTH", "商户无权限"),
        ),
    ];
    let s = shop(MCHID, &[("site_kind", "mini_program")]);
    let mut wrong = Vec::new();
    for (path, http, body, id, expected, words) in cases {
        let wx = FakeWeChat::start_with(
            apps(),
            vec![merchant(MCHID)],
            Options {
                canned: vec![((*path).into(), *http, (*body).into())],
                ..Default::default()
            },
        );
        let (_, rows) = s.verify(&wx.url);
        let got = status_code(&rows, id);
        if (got.0.as_str(), got.1.as_str()) != *expected {
            wrong.push(format!("{body}: {got:?}, expected {expected:?}"));
            continue;
        }
        let (h, c, m) = saved_words(&s, id);
        assert_eq!(
            (h, c.as_str(), m.as_str()),
            (i64::from(*http), words.0, words.1),
            "{body}"
        );
        if expected.1 == "unexpected_reply" {
            assert!(message(&rows, id).contains(words.1), "{rows:#?}");
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    s.delete();
}

#[test]
fn ok_says_only_what_wechat_showed_and_keeps_its_words() {
    let wx = server(vec![merchant(MCHID)]);
    let s = shop(MCHID, &[("site_kind", "mini_program")]);
    let (_, rows) = s.verify(&wx.url);
    assert!(
        message(&rows, "mp_appsecret").contains("accepted this AppID and AppSecret as a pair"),
        "{rows:#?}"
    );
    assert!(
        message(&rows, "pay_mp")
            .contains("accepted this merchant number and API key with this AppID"),
        "{rows:#?}"
    );
    let (http, code, msg) = saved_words(&s, "mp_appsecret");
    assert_eq!((http, code.as_str()), (200, "40029"));
    assert!(msg.starts_with("invalid code"), "{msg}");
    assert_eq!(
        saved_words(&s, "pay_mp"),
        (200, "ORDERNOTEXIST".into(), "订单不存在".into())
    );
    assert_eq!(saved_words(&s, "v3_certificates").0, 200);
    s.delete();
}

#[test]
fn unreachable_malformed_dropped_and_slow_are_could_not_check() {
    let wx = server(vec![merchant(MCHID)]);
    let s = shop(MCHID, &[("site_kind", "mini_program")]);

    // nothing listens there: "cannot reach WeChat", not "your key is wrong"
    let (o, rows) = s.verify("http://127.0.0.1:9");
    assert_eq!(o.status.code(), Some(1));
    for id in ["mp_appsecret", "pay_mp", "v3_certificates"] {
        assert_eq!(
            status_code(&rows, id),
            ("error".into(), "net_unreachable".into()),
            "{id}"
        );
    }
    assert!(
        result(&rows, "pay_mp")["message"]
            .as_str()
            .unwrap()
            .contains("Cannot reach WeChat")
    );

    // the connection is dropped without a reply
    let (_, rows) = s.verify(&dropping_server(8));
    for id in ["mp_appsecret", "pay_mp", "v3_certificates"] {
        assert_eq!(
            status_code(&rows, id),
            ("error".into(), "net_unreachable".into()),
            "{id}"
        );
    }

    // a server whose HTTPS certificate is not trusted: "cannot reach", never "wrong value"
    let (_, rows) = s.verify(&untrusted_tls_server(8));
    for id in ["mp_appsecret", "pay_mp", "v3_certificates"] {
        assert_eq!(
            status_code(&rows, id),
            ("error".into(), "net_tls".into()),
            "{id}: {rows:#?}"
        );
    }
    assert!(
        result(&rows, "pay_mp")["message"]
            .as_str()
            .unwrap()
            .contains("could not be verified")
    );

    // plain http to a non-loopback address is refused before any request
    let (_, rows) = s.verify("http://192.0.2.1");
    assert_eq!(
        status_code(&rows, "pay_mp"),
        ("error".into(), "net_insecure_url".into())
    );
    s.delete();

    for (appid, code) in [(APPID_MALFORMED, "bad_reply"), (APPID_SLOW, "net_timeout")] {
        let s = shop(MCHID, &[("site_kind", "mini_program"), ("mp_appid", appid)]);
        let started = std::time::Instant::now();
        let (_, rows) = s.verify(&wx.url);
        assert_eq!(
            status_code(&rows, "mp_appsecret"),
            ("error".into(), code.into()),
            "{appid}: {rows:#?}"
        );
        if appid == APPID_SLOW {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(15),
                "the 10 s timeout holds"
            );
        }
        s.delete();
    }
}

#[test]
fn missing_values_make_verify_fail_without_a_request() {
    let wx = server(vec![merchant(MCHID)]);
    let s = shop(
        MCHID,
        &[
            ("site_kind", "mini_program"),
            ("api_key_v2", ""),
            ("cert_zip", ""),
        ],
    );
    let (o, rows) = s.verify(&wx.url);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        status_code(&rows, "pay_mp"),
        ("error".into(), "missing_values".into())
    );
    assert_eq!(
        status_code(&rows, "v3_certificates"),
        ("error".into(), "missing_values".into())
    );
    assert!(
        !wx.paths()
            .iter()
            .any(|p| p == "/pay/orderquery" || p == "/v3/certificates")
    );
    s.delete();
}

#[test]
fn verify_all_reports_each_profile_and_a_summary() {
    let mut unbound = merchant("1900000109");
    unbound.bound_appids = vec![];
    let wx = server(vec![merchant(MCHID), unbound]);
    let good = shop(MCHID, &[("site_kind", "mini_program")]);
    // a second, broken shop in the same config folder
    let second = format!("{}-2", good.name);
    import_profile(
        good.config.path(),
        good.work.path(),
        &format!(
            "name = {second:?}\nsite_kind = \"mini_program\"\nmp_appid = {MP:?}\nmp_appsecret = {MP_SECRET:?}\nmchid = \"1900000109\"\napi_key_v2 = {KEY:?}\n"
        ),
    );

    let o = good
        .cmd(&wx.url)
        .args(["verify", "--all", "--json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "one shop is not ready");
    let list: Vec<Value> = serde_json::from_slice::<Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(list.len(), 2);
    let by_name = |n: &str| list.iter().find(|p| p["profile"] == n).unwrap().clone();
    assert_eq!(by_name(&good.name)["ok"], true);
    let bad = by_name(&second);
    assert_eq!(bad["ok"], false);
    let pay = bad["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "pay_mp")
        .unwrap()
        .clone();
    assert_eq!(pay["code"], "pay_not_bound");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("[1/2]") && err.contains("[2/2]"), "{err}");

    let o = good
        .cmd(&wx.url)
        .args(["verify", "--all"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Summary:") && out.contains(&second), "{out}");
    let _ = good
        .cmd(&wx.url)
        .args(["profile", "delete", &second])
        .output();
    good.delete();
}

#[test]
#[cfg(unix)]
fn ctrl_c_during_verify_all_stops_cleanly_with_a_summary() {
    let wx = server(vec![merchant(MCHID)]);
    // the first shop's AppSecret check hangs until the client gives up (10 s)
    let slow = shop(
        MCHID,
        &[("site_kind", "mini_program"), ("mp_appid", APPID_SLOW)],
    );
    let second = format!("{}-2", slow.name);
    import_profile(
        slow.config.path(),
        slow.work.path(),
        &format!("name = {second:?}\nsite_kind = \"mini_program\"\nmp_appid = {MP:?}\n"),
    );
    let child = slow
        .cmd(&wx.url)
        .env("LANG", "en_US.UTF-8")
        .args(["verify", "--all", "--jobs", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(
        err.contains("Stopped by Ctrl-C: 1 of 2 shops were checked"),
        "{err}"
    );
    assert!(out.contains(&slow.name) && !out.contains(&second), "{out}");
    slow.delete();
}
