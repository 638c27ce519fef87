//! CRMEB 5.x (crmeb/CRMEB, PHP 7.1-7.4): built from its source
//! (`crmeb/app/adminapi/controller/Login.php`, `v1/setting/SystemConfig.php`,
//! `v1/file/SystemAttachment.php`, `AdminApiExceptionHandle.php`) and tested against a
//! stand-in that answers as that source does; it does not run on Debian 12's PHP 8.2.
//!
//! - Login `POST /adminapi/login {account, pwd}` -> `data.token`, sent back as
//!   `Authori-zation: Bearer <token>` (that spelling). Every reply is HTTP 200 with
//!   `status` 200 for success, 400 (and others) for a refusal with `msg`; an ended
//!   session is `status` 110002-110005. After two failed logins the reply carries
//!   `data.login_captcha: 1`: the admin page then asks for a slider check.
//! - Reading a setting: `GET /adminapi/setting/config/get_system/{name}` -> `data.value`.
//! - The certificate and key are files: `POST /adminapi/file/upload/1?type=1`
//!   (multipart `file`, `menu_name`) -> `data.src`, a path the setting then holds.
//! - Saving: `POST /adminapi/setting/config/save_basics`, the settings by name. It
//!   changes only the names sent, so nothing is emptied; `pay_wechat_type` 1 switches
//!   payments to APIv3 (without it CRMEB stays on v2 and ignores the v3 key and serial).
//! - CRMEB pays with `wechat_appid` (公众号配置) in its 公众号, H5 and PC scenes
//!   (`V3WechatPay::initialize`: `wechat` and `web` take it) and has one switch for
//!   WeChat Pay in every scene (`pay_weixin_open`). A mini-program-only shop sends
//!   none, so the push reads it, shows it and warns when it holds an AppID: that
//!   AppID would be paired with this shop's merchant number. Never emptied by us.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{
    Adapter, BackendKind, Body, Cannot, FieldResult, Left, Ours, Part, Plan, PlanRow, Reply,
    Request, Shown, Stop, Values, Warning, Write, Writes, json_object, json_text, logged_out,
    number, same, site_root, words,
};

/// The service account's AppID setting (公众号配置), read for a case-1 shop too.
const OA_APPID: &str = "wechat_appid";

/// Where CRMEB pays with the service account's AppID (its one WeChat Pay switch,
/// which this push turns on, covers them all).
const OA_SCENES: [&str; 3] = ["oa", "h5", "pc"];

/// The settings a push reads, and which of ours each holds (`None`: a switch).
const SETTINGS: &[(&str, Option<Ours>)] = &[
    ("pay_weixin_open", None),
    ("pay_wechat_type", None),
    ("pay_weixin_mchid", Some(Ours::MchId)),
    ("pay_weixin_key", Some(Ours::ApiKeyV2)),
    ("pay_weixin_key_v3", Some(Ours::ApiKeyV3)),
    ("pay_weixin_serial_no", Some(Ours::CertSerial)),
    ("pay_weixin_client_cert", Some(Ours::Certificate)),
    ("pay_weixin_client_key", Some(Ours::PrivateKey)),
    ("routine_appId", Some(Ours::MpAppId)),
    ("routine_appsecret", Some(Ours::MpAppSecret)),
    ("wechat_appid", Some(Ours::OaAppId)),
    ("wechat_appsecret", Some(Ours::OaAppSecret)),
];

/// Each setting as CRMEB's settings pages label it (its `eb_system_config.info`, under
/// the tabs 商城支付配置 › 微信支付配置, 小程序配置, 公众号配置): setting -> its
/// `backend.label_crmeb.<key>` text.
pub const LABELS: &[(&str, &str)] = &[
    ("pay_weixin_open", "pay_weixin_open"),
    ("pay_wechat_type", "pay_wechat_type"),
    ("pay_weixin_mchid", "pay_weixin_mchid"),
    ("pay_weixin_key", "pay_weixin_key"),
    ("pay_weixin_key_v3", "pay_weixin_key_v3"),
    ("pay_weixin_serial_no", "pay_weixin_serial_no"),
    ("pay_weixin_client_cert", "pay_weixin_client_cert"),
    ("pay_weixin_client_key", "pay_weixin_client_key"),
    ("routine_appId", "routine_appid"),
    ("routine_appsecret", "routine_appsecret"),
    ("wechat_appid", "wechat_appid"),
    ("wechat_appsecret", "wechat_appsecret"),
];

/// The file uploads, in order: which setting each fills.
const UPLOADS: [(&str, Ours, &str); 2] = [
    (
        "pay_weixin_client_cert",
        Ours::Certificate,
        "apiclient_cert.pem",
    ),
    (
        "pay_weixin_client_key",
        Ours::PrivateKey,
        "apiclient_key.pem",
    ),
];

pub struct Crmeb {
    api: String,
    ours: Values,
    token: Option<String>,
    held: BTreeMap<&'static str, String>,
    before: Option<BTreeMap<&'static str, String>>,
    checking: bool,
    /// Paths the uploads answered, by setting.
    uploaded: BTreeMap<&'static str, String>,
    /// The uploads, then the save.
    writes: Writes,
}

/// CRMEB's verdict: `status` 200 and the `data`, or why not.
pub fn judge(reply: &Reply) -> Result<Value, Stop> {
    let m = json_object(reply)?;
    let message = || words(&m, "status");
    match number(&m, "status") {
        Some(200) => Ok(m.get("data").cloned().unwrap_or(Value::Null)),
        Some(110002..=110005) => Err(Stop::LoggedOut { message: message() }),
        Some(_) => {
            let captcha = m
                .get("data")
                .and_then(|d| d.get("login_captcha"))
                .map(json_text)
                .as_deref()
                == Some("1");
            if captcha {
                Err(Stop::Captcha { message: message() })
            } else {
                Err(Stop::Refused { message: message() })
            }
        }
        None => Err(Stop::unexpected(reply)),
    }
}

impl Crmeb {
    pub fn new(typed: &str, ours: Values) -> Result<Crmeb, super::AddressProblem> {
        Ok(Crmeb {
            api: format!("{}/adminapi", site_root(typed)?),
            ours,
            token: None,
            held: BTreeMap::new(),
            before: None,
            checking: false,
            uploaded: BTreeMap::new(),
            writes: Writes::default(),
        })
    }

    fn settings(&self) -> impl Iterator<Item = (&'static str, Option<Ours>)> + '_ {
        let two = self.ours.case_two();
        SETTINGS
            .iter()
            .copied()
            .filter(move |(n, _)| two || !n.starts_with("wechat_"))
    }

    /// The settings read: those sent, and for a case-1 shop the service account's
    /// AppID (shown, never sent), except in the read-back.
    fn reads(&self) -> Vec<&'static str> {
        let mut r: Vec<&'static str> = self.settings().map(|(n, _)| n).collect();
        if !self.ours.case_two() && !self.checking {
            r.push(OA_APPID);
        }
        r
    }

    fn next_unread(&self) -> Option<&'static str> {
        self.reads()
            .into_iter()
            .find(|n| !self.held.contains_key(n))
    }

    fn v3(&self) -> bool {
        self.ours.get(Ours::ApiKeyV3).is_some()
    }

    /// The settings this push sends, each with its value (uploads: the file's text;
    /// the path replaces it once uploaded).
    fn sends(&self) -> Vec<(&'static str, Option<Ours>, String)> {
        // the interface switch both ways: a shop on APIv2 must not leave CRMEB on v3
        // with the v3 key and serial it holds (another merchant's, or none)
        let kind = if self.v3() { "1" } else { "0" };
        let mut out = vec![
            ("pay_weixin_open", None, "1".to_owned()),
            ("pay_wechat_type", None, kind.to_owned()),
        ];
        for (name, ours) in self.settings() {
            let Some(o) = ours else { continue };
            // the serial goes with the v3 key: CRMEB reads it only in v3
            if o == Ours::CertSerial && !self.v3() {
                continue;
            }
            if let Some(v) = self.ours.get(o) {
                let v = self.uploaded.get(name).cloned().unwrap_or(v.to_owned());
                out.push((name, ours, v));
            }
        }
        out
    }

    /// What the shop must fill in before a push: what payments need, from the shop
    /// (what CRMEB holds is another merchant's until replaced), and what CRMEB holds
    /// of another merchant or app that would stay beside this shop's values.
    fn needs(&self, now: &dyn Fn(&str) -> String) -> Vec<Ours> {
        let lacks = |o| self.ours.get(o).is_none();
        let mut needs: Vec<Ours> = [Ours::MchId, Ours::MpAppId]
            .into_iter()
            .filter(|o| lacks(*o))
            .collect();
        if self.v3() {
            needs.extend(
                [Ours::CertSerial, Ours::Certificate, Ours::PrivateKey]
                    .into_iter()
                    .filter(|o| lacks(*o)),
            );
        } else if lacks(Ours::ApiKeyV2) {
            // neither key: the one to set up is the APIv3 key
            needs.push(Ours::ApiKeyV3);
        }
        let same = |setting: &str, o: Ours| {
            self.ours
                .get(o)
                .is_some_and(|v| now(setting).trim() == v.trim())
        };
        let same_mch = same("pay_weixin_mchid", Ours::MchId);
        let mut held = vec![
            (Ours::Certificate, "pay_weixin_client_cert", same_mch),
            (Ours::PrivateKey, "pay_weixin_client_key", same_mch),
            (
                Ours::MpAppSecret,
                "routine_appsecret",
                same("routine_appId", Ours::MpAppId),
            ),
        ];
        if self.ours.case_two() {
            held.push((
                Ours::OaAppSecret,
                "wechat_appsecret",
                same("wechat_appid", Ours::OaAppId),
            ));
        }
        for (o, setting, same_owner) in held {
            if lacks(o) && !now(setting).trim().is_empty() && !same_owner {
                needs.push(o);
            }
        }
        needs.sort();
        needs.dedup();
        needs
    }

    fn uploads(&self) -> Vec<(&'static str, Ours, &'static str)> {
        UPLOADS
            .into_iter()
            .filter(|(_, o, _)| self.ours.get(*o).is_some())
            .collect()
    }

    fn with_token(&self, r: Request) -> Request {
        match &self.token {
            Some(t) => r.header("Authori-zation", &format!("Bearer {t}")),
            None => r,
        }
    }

    fn calls(&self) -> Vec<&'static str> {
        let mut c: Vec<&'static str> = self
            .uploads()
            .into_iter()
            .map(|(n, _, _)| {
                if n.ends_with("cert") {
                    "crmeb_upload_cert"
                } else {
                    "crmeb_upload_key"
                }
            })
            .collect();
        c.push("crmeb_save");
        c
    }
}

impl Adapter for Crmeb {
    fn kind(&self) -> BackendKind {
        BackendKind::Crmeb
    }

    fn login(&self, account: &str, password: &str) -> Option<Request> {
        Some(Request::post(
            format!("{}/login", self.api),
            Body::Json(json!({ "account": account, "pwd": password })),
        ))
    }

    fn logged_in(&mut self, reply: &Reply) -> Result<(), Stop> {
        let data = judge(reply)?;
        match data.get("token").and_then(Value::as_str) {
            Some(t) if !t.is_empty() && t.len() < 4096 => {
                self.token = Some(t.to_owned());
                Ok(())
            }
            _ => Err(Stop::unexpected(reply)),
        }
    }

    fn next_read(&self) -> Option<Request> {
        let name = self.next_unread()?;
        Some(self.with_token(Request::get(format!(
            "{}/setting/config/get_system/{name}",
            self.api
        ))))
    }

    fn read(&mut self, reply: &Reply) -> Result<(), Stop> {
        let Some(name) = self.next_unread() else {
            return Ok(());
        };
        let data = judge(reply)?;
        let value = match &data {
            Value::Object(m) => m.get("value").map(json_text).unwrap_or_default(),
            _ => return Err(Stop::unexpected(reply)),
        };
        self.held.insert(name, value);
        if !self.checking && self.next_read().is_none() {
            self.before = Some(self.held.clone());
        }
        Ok(())
    }

    fn plan(&self) -> Plan {
        let Some(before) = &self.before else {
            return Plan::default();
        };
        let now = |n: &str| before.get(n).cloned().unwrap_or_default();
        let rows = self
            .sends()
            .into_iter()
            .map(|(name, ours, will)| {
                let ours_value = ours.and_then(|o| self.ours.get(o));
                let now = now(name);
                PlanRow {
                    field: name.to_owned(),
                    ours,
                    changes: !same(&now, &will),
                    now: Shown::of(ours, &now, ours_value),
                    will: Shown::of(ours, &will, ours_value),
                }
            })
            .collect();
        let needs = self.needs(&now);
        let mut cannot = Vec::new();
        for o in [Ours::PublicKeyId, Ours::PublicKeyPem] {
            if self.ours.get(o).is_some() {
                cannot.push(Cannot {
                    ours: o,
                    why: "crmeb_no_public_key",
                });
            }
        }
        if self.ours.get(Ours::PaymentName).is_some() {
            cannot.push(Cannot {
                ours: Ours::PaymentName,
                why: "crmeb_no_payment_name",
            });
        }
        let (mut left, mut warnings) = (Vec::new(), Vec::new());
        if !self.ours.case_two() {
            let held = now(OA_APPID);
            left.push(Left {
                field: OA_APPID.to_owned(),
                ours: Some(Ours::OaAppId),
                now: Shown::of(Some(Ours::OaAppId), &held, None),
                why: "no_service_account",
            });
            let scenes = Some(OA_SCENES.to_vec());
            warnings.extend(Warning::service_account(
                BackendKind::Crmeb,
                OA_APPID,
                &held,
                scenes,
            ));
        }
        Plan {
            rows,
            kept: Vec::new(),
            cannot,
            needs,
            calls: self.calls(),
            left,
            warnings,
        }
    }

    fn next_write(&self) -> Option<Write> {
        self.before.as_ref()?;
        let next = self.writes.next()?;
        let uploads = self.uploads();
        if let Some((name, ours, file_name)) = uploads.get(next) {
            let content = self.ours.get(*ours).unwrap_or_default().to_owned();
            let request = self.with_token(Request::post(
                format!("{}/file/upload/1?type=1", self.api),
                Body::Multipart(vec![
                    Part::File {
                        name: "file".into(),
                        file_name: (*file_name).to_owned(),
                        content,
                    },
                    Part::Text {
                        name: "menu_name".into(),
                        value: (*name).to_owned(),
                    },
                ]),
            ));
            return Some(Write {
                call: self.calls()[next],
                request,
            });
        }
        if next > uploads.len() {
            return None;
        }
        let form = self
            .sends()
            .into_iter()
            .map(|(n, _, v)| (n.to_owned(), v))
            .collect();
        Some(Write {
            call: "crmeb_save",
            request: self.with_token(Request::post(
                format!("{}/setting/config/save_basics", self.api),
                Body::Form(form),
            )),
        })
    }

    fn wrote(&mut self, reply: &Reply) -> Result<(), Stop> {
        let upload = self
            .writes
            .next()
            .and_then(|i| self.uploads().get(i).map(|(name, _, _)| *name));
        // an upload's reply names the path the file was kept at, or it was not kept
        let verdict = judge(reply).and_then(|data| match upload {
            None => Ok(None),
            Some(name) => data
                .get("src")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty() && s.len() < 1024)
                .map(|src| Some((name, src.to_owned())))
                .ok_or_else(|| Stop::unexpected(reply)),
        });
        if let Some((name, src)) = self.writes.record(verdict, logged_out)? {
            self.uploaded.insert(name, src);
        }
        Ok(())
    }

    fn reread(&mut self) {
        self.checking = true;
        self.held.clear();
    }

    fn results(&self) -> Vec<FieldResult> {
        if self.before.is_none() {
            return Vec::new();
        }
        let uploads = self.uploads().len();
        let save = uploads;
        // the save is the call that stores every setting, the uploaded paths included
        if !self.writes.sent(save) {
            return Vec::new();
        }
        let stored = self.writes.stored(save);
        self.sends()
            .into_iter()
            .map(|(name, ours, will)| {
                let back = self
                    .checking
                    .then(|| self.held.get(name).cloned())
                    .flatten();
                // every value sent is this shop's (an upload's: the path CRMEB gave it)
                let mut r = super::field_result(
                    name,
                    ours,
                    &will,
                    stored,
                    back.as_deref(),
                    ours.map(|_| will.as_str()),
                );
                r.kept = false;
                r
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::SiteKind;

    fn ok(data: Value) -> Reply {
        Reply::new(
            200,
            &json!({"status":200,"msg":"success","data":data}).to_string(),
        )
    }

    fn ours() -> Values {
        Values::from_pairs(
            SiteKind::MiniProgram,
            &[
                (Ours::MchId, "1900006031"),
                (Ours::ApiKeyV3, "V3keyV3keyV3keyV3keyV3keyV3key12"),
                (Ours::CertSerial, "444F4864EA9B34415C2E019A2B773010C45D196F"),
                (
                    Ours::Certificate,
                    "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----",
                ),
                (
                    Ours::PrivateKey,
                    "-----BEGIN PRIVATE KEY-----\nB\n-----END PRIVATE KEY-----",
                ),
                (Ours::MpAppId, "wx1234567890abcdef"),
                (Ours::PublicKeyId, "PUB_KEY_ID_0119000060312025112600000001"),
            ],
        )
    }

    #[test]
    fn uploads_then_one_save_with_v3_switched_on() {
        let mut c = Crmeb::new("https://shop.example.com/admin", ours()).unwrap();
        assert_eq!(
            c.login("admin", "pw").unwrap().url,
            "https://shop.example.com/adminapi/login"
        );
        c.logged_in(&ok(json!({"token":"tok","expires_time":1})))
            .unwrap();
        let mut reads = Vec::new();
        while let Some(r) = c.next_read() {
            assert!(r.url.contains("/adminapi/setting/config/get_system/"));
            assert_eq!(r.headers[0], ("Authori-zation".into(), "Bearer tok".into()));
            c.read(&ok(json!({"value": if r.url.ends_with("pay_weixin_key") { json!("oldv2oldv2") } else { Value::Null }})))
                .unwrap();
            reads.push(r.url.rsplit('/').next().unwrap().to_owned());
        }
        // case 1 writes no service account, but reads its AppID (shown, never sent)
        assert_eq!(reads.len(), 11, "{reads:?}");
        assert_eq!(reads.last().map(String::as_str), Some("wechat_appid"));
        assert!(!reads.iter().any(|r| r == "wechat_appsecret"), "{reads:?}");
        let plan = c.plan();
        assert!(plan.needs.is_empty(), "{:?}", plan.needs);
        // it holds none: shown as empty, nothing to warn about
        assert_eq!(plan.left.len(), 1);
        assert_eq!(plan.left[0].now, Shown::Empty);
        assert!(plan.warnings.is_empty());
        assert_eq!(
            plan.calls,
            ["crmeb_upload_cert", "crmeb_upload_key", "crmeb_save"]
        );
        assert!(plan.cannot.iter().any(|c| c.ours == Ours::PublicKeyId));
        let w = c.next_write().unwrap();
        assert_eq!(
            w.request.field("menu_name").as_deref(),
            Some("pay_weixin_client_cert")
        );
        assert!(w.request.url.ends_with("/adminapi/file/upload/1?type=1"));
        c.wrote(&ok(json!({"src":"/uploads/attach/2026/12/07/c.pem"})))
            .unwrap();
        c.wrote(&ok(json!({"src":"/uploads/attach/2026/12/07/k.pem"})))
            .unwrap();
        let save = c.next_write().unwrap();
        assert_eq!(save.call, "crmeb_save");
        for (name, want) in [
            ("pay_weixin_open", "1"),
            ("pay_wechat_type", "1"),
            ("pay_weixin_mchid", "1900006031"),
            ("pay_weixin_client_cert", "/uploads/attach/2026/12/07/c.pem"),
            ("pay_weixin_client_key", "/uploads/attach/2026/12/07/k.pem"),
            (
                "pay_weixin_serial_no",
                "444F4864EA9B34415C2E019A2B773010C45D196F",
            ),
        ] {
            assert_eq!(save.request.field(name).as_deref(), Some(want), "{name}");
        }
        // a value we do not have is not sent: CRMEB keeps its own
        assert_eq!(save.request.field("pay_weixin_key"), None);
        c.wrote(&ok(Value::Null)).unwrap();
        assert!(c.next_write().is_none());
        c.reread();
        while let Some(r) = c.next_read() {
            let v = if r.url.ends_with("pay_weixin_mchid") {
                "1900006031"
            } else if r.url.ends_with("client_cert") {
                "/uploads/attach/2026/12/07/c.pem"
            } else {
                ""
            };
            c.read(&ok(json!({ "value": v }))).unwrap();
        }
        let res = c.results();
        let get = |n: &str| res.iter().find(|r| r.field == n).unwrap();
        assert!(get("pay_weixin_mchid").checked);
        assert!(get("pay_weixin_client_cert").checked);
        assert!(get("pay_weixin_client_key").stored && !get("pay_weixin_client_key").checked);
    }

    /// Reads every setting with `held` answering (empty for the others).
    fn read_holding(c: &mut Crmeb, held: &[(&str, &str)]) {
        c.logged_in(&ok(json!({"token":"t"}))).unwrap();
        while let Some(r) = c.next_read() {
            let name = r.url.rsplit('/').next().unwrap().to_owned();
            let v = held.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v);
            c.read(&ok(json!({ "value": v }))).unwrap();
        }
    }

    /// Trial B1 in CRMEB: what CRMEB holds of another merchant is never kept in place
    /// of a value the shop lacks; on APIv2 the switch goes back to v2.
    #[test]
    fn another_merchants_values_are_never_kept_for_the_shops_missing_ones() {
        let other = [
            ("pay_wechat_type", "1"),
            ("pay_weixin_mchid", "1900006032"),
            ("pay_weixin_key_v3", "OtherV3OtherV3OtherV3OtherV3Oth1"),
            ("pay_weixin_serial_no", "5157F09EFDC096DE15EBE81A47057A72"),
            ("pay_weixin_client_cert", "/uploads/attach/other_cert.pem"),
            ("pay_weixin_client_key", "/uploads/attach/other_key.pem"),
            ("routine_appId", "wx0000000000000001"),
            ("routine_appsecret", "00000000000000000000000000000001"),
        ];
        // APIv3 without the certificate: the other merchant's would stay
        let v3 = Values::from_pairs(
            SiteKind::MiniProgram,
            &[
                (Ours::MchId, "1900009999"),
                (Ours::ApiKeyV3, "V3keyV3keyV3keyV3keyV3keyV3key12"),
                (Ours::MpAppId, "wx1234567890abcdef"),
            ],
        );
        let mut c = Crmeb::new("https://x.cn", v3).unwrap();
        read_holding(&mut c, &other);
        assert_eq!(
            c.plan().needs,
            [
                Ours::MpAppSecret,
                Ours::CertSerial,
                Ours::Certificate,
                Ours::PrivateKey
            ]
        );
        // APIv2: CRMEB is switched back to v2, and the other merchant's certificate
        // (CRMEB's v2 refunds use it) is not left beside this merchant's number
        let v2 = Values::from_pairs(
            SiteKind::MiniProgram,
            &[
                (Ours::MchId, "1900009999"),
                (Ours::ApiKeyV2, "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
                (Ours::MpAppId, "wx1234567890abcdef"),
                (Ours::MpAppSecret, "0123456789abcdef0123456789abcdef"),
            ],
        );
        let mut c = Crmeb::new("https://x.cn", v2.clone()).unwrap();
        read_holding(&mut c, &other);
        assert_eq!(c.plan().needs, [Ours::Certificate, Ours::PrivateKey]);
        // the same merchant's own certificate, set by hand, may stay
        let mut same = other.to_vec();
        same[1] = ("pay_weixin_mchid", "1900009999");
        let mut c = Crmeb::new("https://x.cn", v2).unwrap();
        read_holding(&mut c, &same);
        assert!(c.plan().needs.is_empty(), "{:?}", c.plan().needs);
        let save = c.next_write().unwrap();
        assert_eq!(save.request.field("pay_wechat_type").as_deref(), Some("0"));
    }

    #[test]
    fn refusals_expiry_and_the_captcha_are_told_apart() {
        assert_eq!(
            judge(&Reply::new(
                200,
                r#"{"status":400,"msg":"账号或密码错误","data":{"login_captcha":0},"code":400140}"#
            )),
            Err(Stop::Refused {
                message: "账号或密码错误".into()
            })
        );
        assert!(matches!(
            judge(&Reply::new(
                200,
                r#"{"status":400,"msg":"账号或密码错误","data":{"login_captcha":1}}"#
            )),
            Err(Stop::Captcha { .. })
        ));
        assert!(matches!(
            judge(&Reply::new(
                200,
                r#"{"status":110003,"msg":"登录已过期,请重新登录"}"#
            )),
            Err(Stop::LoggedOut { .. })
        ));
        assert!(matches!(
            judge(&Reply::new(200, "<!doctype html>")),
            Err(Stop::Unexpected { .. })
        ));
        // an upload that answers success without a path stored nothing usable
        let mut c = Crmeb::new("https://x.cn", ours()).unwrap();
        c.logged_in(&ok(json!({"token":"t"}))).unwrap();
        while c.next_read().is_some() {
            c.read(&ok(json!({"value": ""}))).unwrap();
        }
        assert!(c.wrote(&ok(json!({}))).is_err());
        assert!(c.next_write().is_none());
    }
}
