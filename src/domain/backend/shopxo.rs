//! ShopXO (gongfuxiang/shopxo; its WeChat payment plugin `extend/payment/Weixin.php`,
//! APIv2 only): built from its source (`app/admin/controller/{Admin,Payment,Common}.php`,
//! `app/service/{AdminService,PaymentService}.php`, `app/admin/view/default/payment/`)
//! and tested against a stand-in that answers as that source does.
//!
//! - The admin lives behind an entry file renamed at install (`adminXXXX.php`): that is
//!   the address the merchant opens, and every call goes through it (`?s=controller/action`).
//! - Login `?s=admin/login` (form `type=username`, `accounts`, `pwd`) -> `code` 0 and a
//!   session cookie; `-10..-12` when its picture code is switched on. Asked with
//!   `X-Requested-With`, an ended session answers `{"code":-400}` instead of a page.
//! - The payment methods page (`?s=payment/index`) links each installed plugin's form
//!   (`payment/saveinfo/id/N`); that form (HTML) is what the backend holds.
//! - `?s=payment/save` rebuilds the whole plugin config from exactly the `plugins_*`
//!   fields sent (`PaymentService::GetPluginsConfig`), and `is_enable`/`is_open_user`
//!   fall to 0 when absent: the whole form is sent back, our values in it.
//! - The plugin pays with `plugins_appid` (公众号/服务号AppID) on the `pc` and `h5`
//!   terminals (`Weixin::PayAppID`: only `weixin`, `ios`, `android` take another),
//!   with the merchant number this push stores. A mini-program-only shop sends none:
//!   an AppID held there while those terminals are ticked (适用终端) is a warning.

use super::{
    Adapter, BackendKind, Body, Cannot, FieldResult, Left, Ours, Plan, PlanRow, Reply, Request,
    Shown, Stop, Values, Warning, Write, Writes, json_object, logged_out, number, same, words,
};

/// The terminals (`apply_terminal`) the plugin pays on with `plugins_appid`, by our
/// scene names.
const OA_TERMINALS: [(&str, &str); 2] = [("pc", "pc"), ("h5", "h5")];

/// The plugin's settings we manage, which of ours each holds, and whether the shop
/// must have it (ShopXO's form requires it; what ShopXO holds there is another
/// merchant's or app's until this shop's own replaces it).
const MANAGED: &[(&str, Ours, bool)] = &[
    ("name", Ours::PaymentName, false),
    ("plugins_mini_appid", Ours::MpAppId, true),
    ("plugins_appid", Ours::OaAppId, true),
    ("plugins_mch_id", Ours::MchId, true),
    ("plugins_key", Ours::ApiKeyV2, true),
    ("plugins_apiclient_cert", Ours::Certificate, false),
    ("plugins_apiclient_key", Ours::PrivateKey, false),
];

const PLUGIN: &str = "Weixin";

/// Each field as ShopXO's payment form labels it (`payment/saveinfo.html`, the
/// plugin's own `Weixin::Config` titles): field -> its `backend.label_shopxo.<key>`
/// text. A field of another plugin version is shown by its name.
pub const LABELS: &[(&str, &str)] = &[
    ("name", "name"),
    ("apply_terminal", "apply_terminal"),
    ("logo", "logo"),
    ("sort", "sort"),
    ("is_enable", "is_enable"),
    ("is_open_user", "is_open_user"),
    ("plugins_app_appid", "app_appid"),
    ("plugins_appid", "appid"),
    ("plugins_mini_appid", "mini_appid"),
    ("plugins_mch_id", "mch_id"),
    ("plugins_key", "key"),
    ("plugins_apiclient_cert", "apiclient_cert"),
    ("plugins_apiclient_key", "apiclient_key"),
    ("plugins_agreement", "agreement"),
    ("plugins_is_h5_url_encode", "is_h5_url_encode"),
    ("plugins_is_h5_pay_native_mode", "is_h5_pay_native_mode"),
];

pub struct Shopxo {
    entry: String,
    ours: Values,
    cookie: Option<String>,
    token: Option<String>,
    row_id: Option<String>,
    form: Option<Vec<(String, String)>>,
    before: Option<Vec<(String, String)>>,
    checking: bool,
    /// One call: the save.
    writes: Writes,
}

/// ShopXO's verdict on a JSON reply: `code` 0 and the `data`, or why not.
pub fn judge(reply: &Reply) -> Result<serde_json::Value, Stop> {
    let m = json_object(reply)?;
    let message = || words(&m, "code");
    match number(&m, "code") {
        Some(0) => Ok(m.get("data").cloned().unwrap_or(serde_json::Value::Null)),
        Some(-400) => Err(Stop::LoggedOut { message: message() }),
        Some(-12..=-10) => Err(Stop::Captcha { message: message() }),
        Some(_) => Err(Stop::Refused { message: message() }),
        None => Err(Stop::unexpected(reply)),
    }
}

/// A page that should be HTML: the JSON an ended session (or a refusal) answers instead.
fn page(reply: &Reply) -> Result<&str, Stop> {
    let body = reply.body.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('{') {
        judge(reply)?;
        return Err(Stop::unexpected(reply));
    }
    if reply.status != 200 {
        return Err(Stop::unexpected(reply));
    }
    // without the ajax header an ended session is a script that goes to the login page
    if !body.contains("<form") && !body.contains("data-id=") && body.contains("logininfo") {
        return Err(Stop::LoggedOut {
            message: String::new(),
        });
    }
    Ok(body)
}

/// The id of the WeChat plugin's form, from the payment methods page.
pub fn weixin_row(html: &str) -> Result<String, Stop> {
    let needle = format!("data-id=\"{PLUGIN}\"");
    let mut found = false;
    let mut from = 0;
    while let Some(rel) = html[from..].find(&needle) {
        found = true;
        let at = from + rel;
        let row = html[..at].rfind("<tr").unwrap_or(0);
        let seg = &html[row..at];
        if let Some(s) = seg.rfind("saveinfo") {
            let after = &seg[s + "saveinfo".len()..];
            let digits: String = after
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .chars()
                .take_while(char::is_ascii_digit)
                .take(18)
                .collect();
            let close = after
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(usize::MAX);
            if !digits.is_empty() && close < 24 && after[..close].contains("id") {
                return Ok(digits);
            }
        }
        from = at + needle.len();
    }
    Err(Stop::NotFound {
        what: if found {
            "shopxo_weixin_not_installed"
        } else {
            "shopxo_weixin_missing"
        },
    })
}

/// `PHPSESSID=...; path=/; HttpOnly` -> `PHPSESSID=...`, every cookie of the login joined.
pub fn session_cookie(set_cookies: &[String]) -> Option<String> {
    let pairs: Vec<&str> = set_cookies
        .iter()
        .filter_map(|c| c.split(';').next())
        .map(str::trim)
        .filter(|p| {
            p.contains('=')
                && p.len() < 4096
                && !p.chars().any(|c| c.is_control() || c == ';' || c == ',')
        })
        .collect();
    (!pairs.is_empty()).then(|| pairs.join("; "))
}

impl Shopxo {
    /// From the address the merchant opens to log in (`https://shop.example.com/admin8a3f.php`).
    pub fn new(typed: &str, ours: Values) -> Result<Shopxo, super::AddressProblem> {
        use super::AddressProblem;
        let u = url::Url::parse(typed.trim()).map_err(|_| AddressProblem::NotAnAddress)?;
        if u.host_str().is_none() || !matches!(u.scheme(), "http" | "https") {
            return Err(AddressProblem::NotAnAddress);
        }
        let mut path = Vec::new();
        let mut entry = None;
        for seg in u.path_segments().into_iter().flatten() {
            path.push(seg);
            let lower = seg.to_ascii_lowercase();
            if lower.ends_with(".php") && lower != "index.php" && lower != "api.php" {
                entry = Some(path.join("/"));
                break;
            }
        }
        let entry = entry.ok_or(AddressProblem::NoShopxoEntry)?;
        Ok(Shopxo {
            entry: format!("{}/{entry}", u.origin().ascii_serialization()),
            ours,
            cookie: None,
            token: None,
            row_id: None,
            form: None,
            before: None,
            checking: false,
            writes: Writes::default(),
        })
    }

    fn url(&self, route: &str) -> String {
        let mut u = format!("{}?s={route}", self.entry);
        if self.cookie.is_none()
            && let Some(t) = &self.token
        {
            u.push_str("&token=");
            u.push_str(t);
        }
        u
    }

    fn ajax(&self, r: Request) -> Request {
        let r = r.header("X-Requested-With", "XMLHttpRequest");
        match &self.cookie {
            Some(c) => r.header("Cookie", c),
            None => r,
        }
    }

    fn managed(&self) -> impl Iterator<Item = (&'static str, Ours, bool)> + '_ {
        let two = self.ours.case_two();
        MANAGED.iter().copied().filter(move |(n, o, _)| {
            (two || *n != "plugins_appid")
                // the payment name only when ShopXO takes it (2 to 60 characters)
                && (*o != Ours::PaymentName
                    || self
                        .ours
                        .get(Ours::PaymentName)
                        .is_some_and(|v| (2..=60).contains(&v.chars().count())))
        })
    }

    fn held(form: &[(String, String)], name: &str) -> String {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn will(&self, name: &str, o: Ours) -> String {
        self.ours
            .get(o)
            .map(str::to_owned)
            .unwrap_or_else(|| Self::held(self.before.as_deref().unwrap_or_default(), name))
    }

    /// The form as it is sent back: everything read, our values in it.
    fn sent_form(&self) -> Vec<(String, String)> {
        let mut form = self.before.clone().unwrap_or_default();
        for (name, o, _) in self.managed() {
            let v = self.will(name, o);
            match form.iter_mut().find(|(k, _)| k == name) {
                Some(slot) => slot.1 = v,
                None => form.push((name.to_owned(), v)),
            }
        }
        form
    }
}

impl Adapter for Shopxo {
    fn kind(&self) -> BackendKind {
        BackendKind::Shopxo
    }

    fn login(&self, account: &str, password: &str) -> Option<Request> {
        Some(
            Request::post(
                self.url("admin/login"),
                Body::Form(vec![
                    ("type".into(), "username".into()),
                    ("accounts".into(), account.to_owned()),
                    ("pwd".into(), password.to_owned()),
                ]),
            )
            .header("X-Requested-With", "XMLHttpRequest"),
        )
    }

    fn logged_in(&mut self, reply: &Reply) -> Result<(), Stop> {
        let data = judge(reply)?;
        self.cookie = session_cookie(&reply.set_cookies);
        self.token = data
            .get("token")
            .and_then(serde_json::Value::as_str)
            .filter(|t| {
                !t.is_empty() && t.len() < 256 && t.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            .map(str::to_owned);
        if self.cookie.is_none() && self.token.is_none() {
            return Err(Stop::unexpected(reply));
        }
        Ok(())
    }

    fn next_read(&self) -> Option<Request> {
        if self.row_id.is_none() {
            return Some(self.ajax(Request::get(self.url("payment/index"))));
        }
        if self.form.is_none() {
            let id = self.row_id.as_deref().unwrap_or_default();
            return Some(self.ajax(Request::get(format!(
                "{}&id={id}",
                self.url("payment/saveinfo")
            ))));
        }
        None
    }

    fn read(&mut self, reply: &Reply) -> Result<(), Stop> {
        if self.row_id.is_none() {
            self.row_id = Some(weixin_row(page(reply)?)?);
            return Ok(());
        }
        if self.form.is_some() {
            return Ok(());
        }
        let form = super::form::fields(page(reply)?);
        // the WeChat plugin's own form: it has the merchant number field and our row's id
        let is_ours = form.iter().any(|(k, _)| k == "plugins_mch_id")
            && Self::held(&form, "id") == self.row_id.clone().unwrap_or_default();
        if !is_ours {
            return Err(Stop::unexpected(reply));
        }
        if !self.checking {
            self.before = Some(form.clone());
        }
        self.form = Some(form);
        Ok(())
    }

    fn plan(&self) -> Plan {
        let Some(before) = &self.before else {
            return Plan::default();
        };
        let mut rows = Vec::new();
        let mut needs = Vec::new();
        // the certificate and key are this merchant's only while the number is
        let same_mch = self
            .ours
            .get(Ours::MchId)
            .is_some_and(|m| Self::held(before, "plugins_mch_id").trim() == m.trim());
        for (name, o, required) in self.managed() {
            let now = Self::held(before, name);
            let will = self.will(name, o);
            let lacks = self.ours.get(o).is_none();
            let anothers = o.bound() && !now.trim().is_empty() && !same_mch;
            let needed = lacks && (required || anothers);
            if needed {
                needs.push(o);
            }
            // a value the shop lacks: nothing of ours to hold (and nothing is sent)
            let will = if needed { String::new() } else { will };
            let ours_value = self.ours.get(o);
            rows.push(PlanRow {
                field: name.to_owned(),
                ours: Some(o),
                changes: !same(&now, &will),
                now: Shown::of(Some(o), &now, ours_value),
                will: Shown::of(Some(o), &will, ours_value),
            });
        }
        let managed: Vec<&str> = self.managed().map(|(n, _, _)| n).collect();
        let kept = before
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| k != "id" && !managed.contains(&k.as_str()))
            .collect();
        let mut cannot = Vec::new();
        for (o, why) in [
            (Ours::ApiKeyV3, "shopxo_v2_only"),
            (Ours::PublicKeyId, "shopxo_v2_only"),
            (Ours::MpAppSecret, "shopxo_secret_elsewhere"),
            (Ours::OaAppSecret, "shopxo_secret_elsewhere"),
        ] {
            if self.ours.get(o).is_some() {
                cannot.push(Cannot { ours: o, why });
            }
        }
        let (mut left, mut warnings) = (Vec::new(), Vec::new());
        if !self.ours.case_two() {
            let held = Self::held(before, "plugins_appid");
            left.push(Left {
                field: "plugins_appid".into(),
                ours: Some(Ours::OaAppId),
                now: Shown::of(Some(Ours::OaAppId), &held, None),
                why: "no_service_account",
            });
            // ticked terminals come joined by commas, as ShopXO's form sends them
            let ticked = Self::held(before, "apply_terminal");
            let scenes = OA_TERMINALS
                .iter()
                .filter(|(t, _)| ticked.split(',').any(|x| x.trim() == *t))
                .map(|(_, s)| *s)
                .collect();
            warnings.extend(Warning::service_account(
                BackendKind::Shopxo,
                "plugins_appid",
                &held,
                Some(scenes),
            ));
        }
        Plan {
            rows,
            kept,
            cannot,
            needs,
            calls: vec!["shopxo_save"],
            left,
            warnings,
        }
    }

    fn next_write(&self) -> Option<Write> {
        if self.before.is_none() || self.writes.next() != Some(0) {
            return None;
        }
        Some(Write {
            call: "shopxo_save",
            request: self.ajax(Request::post(
                self.url("payment/save"),
                Body::Form(self.sent_form()),
            )),
        })
    }

    fn wrote(&mut self, reply: &Reply) -> Result<(), Stop> {
        self.writes.record(judge(reply), logged_out).map(drop)
    }

    fn reread(&mut self) {
        self.checking = true;
        self.form = None;
    }

    fn results(&self) -> Vec<FieldResult> {
        if !self.writes.sent(0) {
            return Vec::new();
        }
        let back = self.checking.then_some(self.form.as_ref()).flatten();
        let managed: Vec<(&str, Ours)> = self.managed().map(|(n, o, _)| (n, o)).collect();
        self.sent_form()
            .into_iter()
            .filter(|(k, _)| k != "id")
            .map(|(name, value)| {
                let ours = managed.iter().find(|(n, _)| *n == name).map(|(_, o)| *o);
                let read = back.map(|f| Self::held(f, &name));
                super::field_result(
                    &name,
                    ours,
                    &value,
                    self.writes.stored(0),
                    read.as_deref(),
                    ours.and_then(|o| self.ours.get(o)),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::SiteKind;

    const INDEX: &str = r#"<table><tr><td>支付宝</td><td>
<a href="/admin8a3f.php?s=payment/saveinfo/id/3.html">编辑</a>
<button class="submit-ajax" data-url="/admin8a3f.php?s=payment/uninstall.html" data-id="Alipay">卸载</button></td></tr>
<tr><td>微信</td><td><a class="am-btn" href="/admin8a3f.php?s=payment/saveinfo/id/7.html">
<i class="am-icon-edit"></i><span>编辑</span></a>
<button type="button" data-url="/admin8a3f.php?s=payment/uninstall.html" data-id="Weixin">卸载</button></td></tr></table>"#;

    fn form(mch: &str) -> String {
        format!(
            r#"<form action="/admin8a3f.php?s=payment/save.html">
<input type="text" name="name" value="微信" />
<input type="checkbox" name="apply_terminal" value="pc" checked /><input type="checkbox" name="apply_terminal" value="weixin" checked />
<input class="am-radius" type="text" name="plugins_app_appid" value="wxapp0000000000001" />
<input class="am-radius" type="text" name="plugins_appid" value="" />
<input class="am-radius" type="text" name="plugins_mini_appid" value="" />
<input class="am-radius" type="text" name="plugins_mch_id" value="{mch}" />
<input class="am-radius" type="text" name="plugins_key" value="" />
<textarea name="plugins_apiclient_cert"></textarea><textarea name="plugins_apiclient_key"></textarea>
<select name="plugins_agreement"><option value="1">默认</option><option value="2" selected>强制</option></select>
<input type="number" name="sort" value="0" />
<input name="is_open_user" value="1" type="checkbox" data-am-switch checked="true" />
<input name="is_enable" value="1" type="checkbox" data-am-switch checked />
<input type="hidden" name="id" value="7" /></form>"#
        )
    }

    fn ours() -> Values {
        Values::from_pairs(
            SiteKind::MiniProgram,
            &[
                (Ours::MchId, "1900006031"),
                (Ours::ApiKeyV2, "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
                (Ours::ApiKeyV3, "V3keyV3keyV3keyV3keyV3keyV3key12"),
                (Ours::MpAppId, "wx1234567890abcdef"),
                (
                    Ours::Certificate,
                    "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----",
                ),
                (
                    Ours::PrivateKey,
                    "-----BEGIN PRIVATE KEY-----\nB\n-----END PRIVATE KEY-----",
                ),
            ],
        )
    }

    #[test]
    fn the_entry_file_is_the_address_and_the_whole_form_goes_back() {
        assert_eq!(
            Shopxo::new("https://shop.example.com/", ours()).err(),
            Some(super::super::AddressProblem::NoShopxoEntry)
        );
        let mut s = Shopxo::new(
            "https://shop.example.com/admin8a3f.php?s=index/index.html",
            ours(),
        )
        .unwrap();
        let login = s.login("admin", "pw").unwrap();
        assert_eq!(
            login.url,
            "https://shop.example.com/admin8a3f.php?s=admin/login"
        );
        let mut ok = Reply::new(200, r#"{"msg":"登录成功","code":0,"data":{"token":"abc"}}"#);
        ok.set_cookies = vec!["PHPSESSID=s3ss10n; path=/; HttpOnly".into()];
        s.logged_in(&ok).unwrap();
        let r = s.next_read().unwrap();
        assert!(r.url.ends_with("?s=payment/index"));
        assert!(
            r.headers
                .contains(&("Cookie".into(), "PHPSESSID=s3ss10n".into()))
        );
        s.read(&Reply::new(200, INDEX)).unwrap();
        assert!(
            s.next_read()
                .unwrap()
                .url
                .ends_with("payment/saveinfo&id=7")
        );
        s.read(&Reply::new(200, &form(""))).unwrap();
        assert!(s.next_read().is_none());
        let plan = s.plan();
        assert!(plan.needs.is_empty(), "{:?}", plan.needs);
        assert!(plan.cannot.iter().any(|c| c.ours == Ours::ApiKeyV3));
        assert!(plan.kept.contains(&"plugins_app_appid".to_owned()));
        let w = s.next_write().unwrap();
        let f = |n: &str| w.request.field(n);
        assert_eq!(f("plugins_mch_id").as_deref(), Some("1900006031"));
        assert_eq!(
            f("plugins_key").as_deref(),
            Some("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e")
        );
        // what the merchant set by hand and the switches go back as they were
        assert_eq!(
            f("plugins_app_appid").as_deref(),
            Some("wxapp0000000000001")
        );
        assert_eq!(f("plugins_agreement").as_deref(), Some("2"));
        assert_eq!(f("is_enable").as_deref(), Some("1"));
        assert_eq!(f("apply_terminal").as_deref(), Some("pc,weixin"));
        assert_eq!(f("id").as_deref(), Some("7"));
        assert!(f("plugins_key_v3").is_none());
        s.wrote(&Reply::new(200, r#"{"msg":"编辑成功","code":0,"data":""}"#))
            .unwrap();
        assert!(s.next_write().is_none());
        s.reread();
        s.read(&Reply::new(200, &form("1900006031"))).unwrap();
        let res = s.results();
        let get = |n: &str| res.iter().find(|r| r.field == n).unwrap();
        assert!(get("plugins_mch_id").checked);
        // the form read back has no key: stored (ShopXO said so) but not checked
        assert!(get("plugins_key").stored && !get("plugins_key").checked);
        assert!(get("plugins_agreement").kept && get("plugins_agreement").checked);
    }

    /// Trial B1 in ShopXO: its form holds another merchant's key and certificate; a
    /// shop without them is refused before anything is sent.
    #[test]
    fn another_merchants_values_are_never_kept_for_the_shops_missing_ones() {
        let held = form("1900006032")
            .replace(
                r#"name="plugins_key" value="""#,
                r#"name="plugins_key" value="OtherV2OtherV2OtherV2OtherV2Oth1""#,
            )
            .replace(
                "<textarea name=\"plugins_apiclient_cert\"></textarea>",
                "<textarea name=\"plugins_apiclient_cert\">other cert</textarea>",
            );
        let shop = Values::from_pairs(
            SiteKind::MiniProgram,
            &[
                (Ours::MchId, "1900009999"),
                (Ours::MpAppId, "wx1234567890abcdef"),
            ],
        );
        let mut s = Shopxo::new("https://x.cn/adminabc.php", shop).unwrap();
        s.logged_in(&Reply::new(200, r#"{"code":0,"data":{"token":"abc"}}"#))
            .unwrap();
        s.read(&Reply::new(200, INDEX)).unwrap();
        s.read(&Reply::new(200, &held)).unwrap();
        assert_eq!(s.plan().needs, [Ours::ApiKeyV2, Ours::Certificate]);
    }

    #[test]
    fn sessions_captchas_and_missing_plugins() {
        assert!(matches!(
            judge(&Reply::new(
                200,
                r#"{"msg":"登录失效，请重新登录","code":-400,"data":{}}"#
            )),
            Err(Stop::LoggedOut { .. })
        ));
        assert!(matches!(
            judge(&Reply::new(
                200,
                r#"{"msg":"图片验证码不能为空","code":-10}"#
            )),
            Err(Stop::Captcha { .. })
        ));
        assert_eq!(
            judge(&Reply::new(
                200,
                r#"{"msg":"密码错误","code":-3,"data":""}"#
            )),
            Err(Stop::Refused {
                message: "密码错误".into()
            })
        );
        assert_eq!(
            weixin_row(
                r#"<tr><button data-url="x/install.html" data-id="Weixin">安装</button></tr>"#
            ),
            Err(Stop::NotFound {
                what: "shopxo_weixin_not_installed"
            })
        );
        assert!(matches!(
            weixin_row("<html></html>"),
            Err(Stop::NotFound { .. })
        ));
        assert_eq!(
            session_cookie(&["a=1; path=/".into(), "bad\r\nx=1".into(), "b=2".into()]),
            Some("a=1; b=2".into())
        );
        // a page that sends the browser to the login page is an ended session
        let mut s = Shopxo::new("https://x.cn/adminabc.php", ours()).unwrap();
        assert!(matches!(
            s.read(&Reply::new(
                200,
                r#"<script>window.location.href="/adminabc.php?s=admin/logininfo.html";</script>"#
            )),
            Err(Stop::LoggedOut { .. })
        ));
    }
}
