//! likeadmin (likeadmin_php 1.9.6; ThinkPHP 6, EasyWeChat 6): its admin pages'
//! own calls, read from its source and run against the real one in the tests.
//!
//! - Login `POST /adminapi/login/account {account,password,terminal:1}` -> `data.token`,
//!   sent back in a header named `token`. Every reply is HTTP 200: `code` 1 is
//!   success, 0 a refusal with `msg`, -1 a session that ended.
//! - The WeChat Pay row: found by `pay_way` 2 in `setting.pay.pay_config/lists`, read
//!   with `getConfig?id=`, written with `setConfig {id,name,icon,sort,remark,config}`.
//!   `config` needs all six values; `pay_sign_key` is the APIv3 key (EasyWeChat 6's
//!   `secret_key`), the certificate and key are PEM texts.
//! - Mini program (`channel.mnp_settings`) and service account
//!   (`channel.official_account_setting`): their `setConfig` empties `name`,
//!   `original_id`, `qr_code` (and `token`, `encoding_aes_key`) when not sent, so
//!   what was read is sent back.
//!
//! The channel pages go first and WeChat Pay last: a refusal of the payment row
//! (`支付名称已存在`) then comes after calls that were stored, and the report says which.
//!
//! A mini-program-only shop (case 1) sends nothing to the service account page, yet
//! likeadmin pays with that page's AppID in its 公众号, H5 and PC scenes
//! (`WeChatPayService::pay`: `getOaConfig()['app_id']` for `WECHAT_OA`, `H5`, `PC`),
//! with the merchant number this push stores. So the push reads that page too, and
//! `setting.pay.pay_way/getPayWay` (per scene, which pay rows are on: `scene` is the
//! user's terminal, 1 mini program, 2 公众号, 3 H5, 4 PC, as `PaymentLogic::getPayWay`
//! matches it): an AppID held there while WeChat Pay is on in one of those scenes is
//! a warning in the preview and the report, never emptied by us.

use serde_json::{Map, Value, json};

use super::{
    Adapter, BackendKind, Body, Cannot, FieldResult, Left, Ours, Plan, PlanRow, Reply, Request,
    Shown, Stop, Values, Warning, Write, Writes, json_object, json_text, logged_out, member,
    number, same, site_root, words,
};

/// The three pages a push writes, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Mnp,
    Oa,
    Pay,
}

impl Page {
    fn call(self) -> &'static str {
        match self {
            Page::Mnp => "likeadmin_mnp",
            Page::Oa => "likeadmin_oa",
            Page::Pay => "likeadmin_pay",
        }
    }
}

/// Where a managed field's value comes from.
#[derive(Debug, Clone, Copy)]
enum Source {
    Ours(Ours),
    Fixed(&'static str),
}

/// A field a push manages: its page, its member (`config.` ones inside the pay row's
/// config), where its value comes from, and whether the shop must have it: likeadmin
/// refuses the page without it, and what likeadmin holds there is another merchant's
/// (or another app's) until this shop's own value replaces it. Only the payment
/// row's display name may stay as likeadmin has it.
struct Spec {
    page: Page,
    member: &'static str,
    source: Source,
    required: bool,
}

const SPECS: &[Spec] = &[
    Spec {
        page: Page::Mnp,
        member: "app_id",
        source: Source::Ours(Ours::MpAppId),
        required: true,
    },
    Spec {
        page: Page::Mnp,
        member: "app_secret",
        source: Source::Ours(Ours::MpAppSecret),
        required: true,
    },
    Spec {
        page: Page::Oa,
        member: "app_id",
        source: Source::Ours(Ours::OaAppId),
        required: true,
    },
    Spec {
        page: Page::Oa,
        member: "app_secret",
        source: Source::Ours(Ours::OaAppSecret),
        required: true,
    },
    Spec {
        page: Page::Pay,
        member: "name",
        source: Source::Ours(Ours::PaymentName),
        required: false,
    },
    Spec {
        page: Page::Pay,
        member: "config.interface_version",
        source: Source::Fixed("v3"),
        required: true,
    },
    Spec {
        page: Page::Pay,
        member: "config.merchant_type",
        source: Source::Fixed("ordinary_merchant"),
        required: true,
    },
    Spec {
        page: Page::Pay,
        member: "config.mch_id",
        source: Source::Ours(Ours::MchId),
        required: true,
    },
    Spec {
        page: Page::Pay,
        member: "config.pay_sign_key",
        source: Source::Ours(Ours::ApiKeyV3),
        required: true,
    },
    Spec {
        page: Page::Pay,
        member: "config.apiclient_cert",
        source: Source::Ours(Ours::Certificate),
        required: true,
    },
    Spec {
        page: Page::Pay,
        member: "config.apiclient_key",
        source: Source::Ours(Ours::PrivateKey),
        required: true,
    },
];

/// Each field as likeadmin's own pages label it (admin/src/views/channel/weapp.vue,
/// channel/wx_oa/config.vue, setting/pay/config/edit.vue): the field as reported ->
/// its `backend.label_likeadmin.<key>` text.
pub const LABELS: &[(&str, &str)] = &[
    ("mnp_settings.app_id", "mnp_app_id"),
    ("mnp_settings.app_secret", "mnp_app_secret"),
    ("mnp_settings.name", "mnp_name"),
    ("mnp_settings.original_id", "mnp_original_id"),
    ("mnp_settings.qr_code", "mnp_qr_code"),
    ("official_account_setting.app_id", "oa_app_id"),
    ("official_account_setting.app_secret", "oa_app_secret"),
    ("official_account_setting.name", "oa_name"),
    ("official_account_setting.original_id", "oa_original_id"),
    ("official_account_setting.qr_code", "oa_qr_code"),
    ("official_account_setting.token", "oa_token"),
    (
        "official_account_setting.encoding_aes_key",
        "oa_encoding_aes_key",
    ),
    (
        "official_account_setting.encryption_type",
        "oa_encryption_type",
    ),
    ("pay_config.name", "pay_name"),
    ("pay_config.icon", "pay_icon"),
    ("pay_config.sort", "pay_sort"),
    ("pay_config.remark", "pay_remark"),
    (
        "pay_config.config.interface_version",
        "pay_interface_version",
    ),
    ("pay_config.config.merchant_type", "pay_merchant_type"),
    ("pay_config.config.mch_id", "pay_mch_id"),
    ("pay_config.config.pay_sign_key", "pay_sign_key"),
    ("pay_config.config.apiclient_cert", "pay_apiclient_cert"),
    ("pay_config.config.apiclient_key", "pay_apiclient_key"),
];

/// What each page's setConfig is sent back as read (besides the managed members).
fn kept_members(page: Page) -> &'static [&'static str] {
    match page {
        Page::Mnp => &["name", "original_id", "qr_code"],
        Page::Oa => &[
            "name",
            "original_id",
            "qr_code",
            "token",
            "encoding_aes_key",
            "encryption_type",
        ],
        Page::Pay => &["id", "icon", "sort", "remark"],
    }
}

#[derive(Debug, Clone, Default)]
struct Held {
    pay: Option<Map<String, Value>>,
    mnp: Option<Map<String, Value>>,
    oa: Option<Map<String, Value>>,
    /// Case 1: the scenes paying with the service account's AppID where WeChat Pay is
    /// on; `Some(None)` when likeadmin did not say (refused, or another answer).
    oa_scenes: Option<Option<Vec<&'static str>>>,
}

/// likeadmin's pay scenes (`la_dev_pay_way.scene`, the user's terminal) that pay
/// with the service account's AppID, by our scene names.
const OA_SCENES: [(&str, &str); 3] = [("2", "oa"), ("3", "h5"), ("4", "pc")];

/// The scenes of `getPayWay`'s answer (`{scene: [{pay_config_id, scene, status}]}`, or
/// a list of such lists) where the pay row `row_id` is on and the service account's
/// AppID is used; `None` when the answer is not that.
fn oa_scenes(data: &Value, row_id: &str) -> Option<Vec<&'static str>> {
    let groups: Vec<&Value> = match data {
        Value::Object(m) => m.values().collect(),
        Value::Array(a) => a.iter().collect(),
        _ => return None,
    };
    let mut on = Vec::new();
    for group in groups {
        for row in group.as_array()? {
            let row = row.as_object()?;
            let is_wechat = member(row, "pay_config_id") == row_id;
            if is_wechat && member(row, "status") == "1" {
                let scene = member(row, "scene");
                if let Some((_, name)) = OA_SCENES.iter().find(|(n, _)| *n == scene) {
                    on.push(*name);
                }
            }
        }
    }
    on.sort_by_key(|s| OA_SCENES.iter().position(|(_, n)| n == s));
    on.dedup();
    Some(on)
}

impl Held {
    fn page(&self, p: Page) -> Option<&Map<String, Value>> {
        match p {
            Page::Mnp => self.mnp.as_ref(),
            Page::Oa => self.oa.as_ref(),
            Page::Pay => self.pay.as_ref(),
        }
    }

    /// A member's text; `config.x` inside the pay row's `config`.
    fn text(&self, p: Page, m: &str) -> Option<String> {
        let page = self.page(p)?;
        Some(match m.strip_prefix("config.") {
            Some(inner) => page
                .get("config")
                .and_then(Value::as_object)
                .map(|c| member(c, inner))
                .unwrap_or_default(),
            None => member(page, m),
        })
    }
}

pub struct Likeadmin {
    api: String,
    ours: Values,
    token: Option<String>,
    row_id: Option<Value>,
    held: Held,
    /// What the first reading found: the plan and the writes are made from it.
    before: Option<Held>,
    checking: bool,
    /// Write calls accepted, in order; and the one refused, if any.
    writes: Writes,
}

impl Likeadmin {
    /// From the admin address the merchant opens (`https://shop.example.com/admin`).
    pub fn new(typed: &str, ours: Values) -> Result<Likeadmin, super::AddressProblem> {
        Ok(Likeadmin {
            api: format!("{}/adminapi", site_root(typed)?),
            ours,
            token: None,
            row_id: None,
            held: Held::default(),
            before: None,
            checking: false,
            writes: Writes::default(),
        })
    }

    fn pages(&self) -> Vec<Page> {
        if self.ours.case_two() {
            vec![Page::Mnp, Page::Oa, Page::Pay]
        } else {
            vec![Page::Mnp, Page::Pay]
        }
    }

    /// The pages read: those written, and for a case-1 shop the service account's
    /// too (shown, never written), except in the read-back.
    fn read_pages(&self) -> Vec<Page> {
        if self.checking {
            self.pages()
        } else {
            vec![Page::Mnp, Page::Oa, Page::Pay]
        }
    }

    fn specs(&self) -> impl Iterator<Item = &'static Spec> + '_ {
        let pages = self.pages();
        SPECS.iter().filter(move |s| pages.contains(&s.page))
    }

    fn ours_of(&self, s: &Spec) -> Option<String> {
        match s.source {
            Source::Ours(o) => self.ours.get(o).map(str::to_owned),
            Source::Fixed(v) => Some(v.to_owned()),
        }
    }

    /// What a managed field will hold: ours, else what the backend holds (never emptied).
    fn will(&self, s: &Spec) -> String {
        self.ours_of(s).unwrap_or_else(|| {
            self.before
                .as_ref()
                .and_then(|b| b.text(s.page, s.member))
                .unwrap_or_default()
        })
    }

    fn with_token(&self, r: Request) -> Request {
        match &self.token {
            Some(t) => r.header("token", t),
            None => r,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.api)
    }

    fn body(&self, page: Page) -> Value {
        let before = self.before.as_ref().and_then(|b| b.page(page));
        let mut out = Map::new();
        let mut config = Map::new();
        for m in kept_members(page) {
            let v = before
                .and_then(|b| b.get(*m))
                .cloned()
                .unwrap_or(Value::Null);
            // a token never set reads as null; the page sends an empty text
            let v = if v.is_null() { json!("") } else { v };
            out.insert((*m).to_owned(), v);
        }
        for s in self.specs().filter(|s| s.page == page) {
            match s.member.strip_prefix("config.") {
                Some(inner) => {
                    config.insert(inner.to_owned(), json!(self.will(s)));
                }
                None => {
                    out.insert(s.member.to_owned(), json!(self.will(s)));
                }
            }
        }
        if page == Page::Pay {
            out.insert("config".into(), Value::Object(config));
        }
        Value::Object(out)
    }

    fn page_path(page: Page, action: &str) -> String {
        let c = match page {
            Page::Mnp => "channel.mnp_settings",
            Page::Oa => "channel.official_account_setting",
            Page::Pay => "setting.pay.pay_config",
        };
        format!("{c}/{action}")
    }

    /// The read pending: the pay row's id, then each page, then (case 1) which
    /// scenes offer WeChat Pay.
    fn pending(&self) -> Option<Pending> {
        if self.row_id.is_none() {
            return Some(Pending::Lists);
        }
        if let Some(p) = self
            .read_pages()
            .into_iter()
            .find(|p| self.held.page(*p).is_none())
        {
            return Some(Pending::Page(p));
        }
        let scenes_wanted = !self.ours.case_two() && !self.checking;
        (scenes_wanted && self.held.oa_scenes.is_none()).then_some(Pending::PayWay)
    }

    /// Case 1: what the service account page holds, shown and left as it is, and
    /// the warning when likeadmin pays with it in some scene.
    fn service_account(&self, before: &Held) -> (Vec<Left>, Vec<Warning>) {
        if self.ours.case_two() {
            return (Vec::new(), Vec::new());
        }
        let field = format!("{}.app_id", page_prefix(Page::Oa));
        let held = before.text(Page::Oa, "app_id").unwrap_or_default();
        let left = Left {
            field: field.clone(),
            ours: Some(Ours::OaAppId),
            now: Shown::of(Some(Ours::OaAppId), &held, None),
            why: "no_service_account",
        };
        let scenes = before.oa_scenes.clone().flatten();
        let warning = Warning::service_account(BackendKind::Likeadmin, &field, &held, scenes);
        (vec![left], warning.into_iter().collect())
    }
}

enum Pending {
    Lists,
    Page(Page),
    PayWay,
}

/// likeadmin's verdict: `code` 1 and the `data`, or why not.
pub fn judge(reply: &Reply) -> Result<Value, Stop> {
    let m = json_object(reply)?;
    let message = || words(&m, "code");
    match number(&m, "code") {
        Some(1) => Ok(m.get("data").cloned().unwrap_or(Value::Null)),
        Some(0) => Err(Stop::Refused { message: message() }),
        Some(-1) => Err(Stop::LoggedOut { message: message() }),
        _ => Err(Stop::unexpected(reply)),
    }
}

fn object(v: Value, reply: &Reply) -> Result<Map<String, Value>, Stop> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(Stop::unexpected(reply)),
    }
}

impl Adapter for Likeadmin {
    fn kind(&self) -> BackendKind {
        BackendKind::Likeadmin
    }

    fn login(&self, account: &str, password: &str) -> Option<Request> {
        Some(Request::post(
            self.url("login/account"),
            Body::Json(json!({ "account": account, "password": password, "terminal": 1 })),
        ))
    }

    fn logged_in(&mut self, reply: &Reply) -> Result<(), Stop> {
        let data = judge(reply)?;
        match data.get("token").and_then(Value::as_str) {
            Some(t) if !t.is_empty() && t.len() < 512 => {
                self.token = Some(t.to_owned());
                Ok(())
            }
            _ => Err(Stop::unexpected(reply)),
        }
    }

    fn next_read(&self) -> Option<Request> {
        let r = match self.pending()? {
            Pending::Lists => Request::get(self.url("setting.pay.pay_config/lists")),
            Pending::Page(Page::Pay) => {
                let id = self.row_id.as_ref().map(json_text).unwrap_or_default();
                Request::get(format!(
                    "{}?id={id}",
                    self.url(&Self::page_path(Page::Pay, "getConfig"))
                ))
            }
            Pending::Page(p) => Request::get(self.url(&Self::page_path(p, "getConfig"))),
            Pending::PayWay => Request::get(self.url("setting.pay.pay_way/getPayWay")),
        };
        Some(self.with_token(r))
    }

    fn read(&mut self, reply: &Reply) -> Result<(), Stop> {
        let Some(pending) = self.pending() else {
            return Ok(());
        };
        if let Pending::PayWay = pending {
            // only for a warning: an account without the right to that page (or an
            // answer of another shape) leaves the scenes unknown, the push goes on
            let row = self.row_id.as_ref().map(json_text).unwrap_or_default();
            let scenes = match judge(reply) {
                Ok(data) => oa_scenes(&data, &row),
                Err(e @ Stop::LoggedOut { .. }) => return Err(e),
                Err(_) => None,
            };
            self.held.oa_scenes = Some(scenes);
        } else {
            self.read_page(pending, reply)?;
        }
        if !self.checking && self.pending().is_none() {
            self.before = Some(self.held.clone());
        }
        Ok(())
    }

    fn plan(&self) -> Plan {
        self.plan_of()
    }

    fn next_write(&self) -> Option<Write> {
        self.next_write_of()
    }

    fn wrote(&mut self, reply: &Reply) -> Result<(), Stop> {
        self.writes.record(judge(reply), logged_out).map(drop)
    }

    fn reread(&mut self) {
        self.checking = true;
        self.held = Held::default();
    }

    fn results(&self) -> Vec<FieldResult> {
        self.results_of()
    }
}

impl Likeadmin {
    fn read_page(&mut self, pending: Pending, reply: &Reply) -> Result<(), Stop> {
        let data = judge(reply)?;
        match pending {
            Pending::Lists => {
                let row = data
                    .get("lists")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|r| r.get("pay_way").map(json_text).as_deref() == Some("2"));
                match row.and_then(|r| r.get("id")) {
                    Some(id @ (Value::Number(_) | Value::String(_))) => {
                        self.row_id = Some(id.clone())
                    }
                    _ => {
                        return Err(Stop::NotFound {
                            what: "likeadmin_pay_row",
                        });
                    }
                }
            }
            Pending::Page(p) => {
                let m = object(data, reply)?;
                if p == Page::Pay && !m.get("config").is_some_and(Value::is_object) {
                    // an empty config reads as `[]` before the first save
                    let mut m = m;
                    m.insert("config".into(), Value::Object(Map::new()));
                    self.held.pay = Some(m);
                } else {
                    match p {
                        Page::Mnp => self.held.mnp = Some(m),
                        Page::Oa => self.held.oa = Some(m),
                        Page::Pay => self.held.pay = Some(m),
                    }
                }
            }
            Pending::PayWay => {}
        }
        Ok(())
    }

    fn plan_of(&self) -> Plan {
        let Some(before) = &self.before else {
            return empty_plan();
        };
        let mut rows = Vec::new();
        let mut needs = Vec::new();
        for s in self.specs().filter(|s| !self.keeps(s)) {
            let ours = match s.source {
                Source::Ours(o) => Some(o),
                Source::Fixed(_) => None,
            };
            let now = before.text(s.page, s.member).unwrap_or_default();
            let will = self.will(s);
            // what likeadmin holds is never a stand-in for a value the shop lacks: such a
            // row will hold nothing of ours, and nothing is sent
            let needed = s.required && ours.is_some_and(|o| self.ours.get(o).is_none());
            if needed && let Some(o) = ours {
                needs.push(o);
            }
            let will = if needed { String::new() } else { will };
            let ours_value = ours.and_then(|o| self.ours.get(o));
            rows.push(PlanRow {
                field: display_name(s),
                ours,
                now: Shown::of(ours, &now, ours_value),
                will: Shown::of(ours, &will, ours_value),
                changes: !same(&now, &will),
            });
        }
        // a value the shop does not have that may stay as likeadmin holds it (the
        // payment row's display name) is kept, as what we do not manage is
        let kept = self
            .pages()
            .into_iter()
            .flat_map(|p| {
                let managed = self
                    .specs()
                    .filter(move |s| s.page == p && self.keeps(s))
                    .map(|s| s.member);
                managed
                    .chain(kept_members(p).iter().copied().filter(|m| *m != "id"))
                    .map(move |m| format!("{}.{m}", page_prefix(p)))
            })
            .collect();
        let mut cannot = Vec::new();
        if self.ours.get(Ours::ApiKeyV2).is_some() {
            cannot.push(Cannot {
                ours: Ours::ApiKeyV2,
                why: "likeadmin_no_v2",
            });
        }
        // likeadmin 1.9.6 hands EasyWeChat 6 no platform certificate or public key
        cannot.push(Cannot {
            ours: Ours::PublicKeyId,
            why: "likeadmin_no_public_key",
        });
        let (left, warnings) = self.service_account(before);
        Plan {
            rows,
            kept,
            cannot,
            needs,
            calls: self.pages().into_iter().map(Page::call).collect(),
            left,
            warnings,
        }
    }

    /// A field of ours the shop does not have, that stays as likeadmin holds it.
    fn keeps(&self, s: &Spec) -> bool {
        !s.required && matches!(s.source, Source::Ours(o) if self.ours.get(o).is_none())
    }

    fn next_write_of(&self) -> Option<Write> {
        self.before.as_ref()?;
        let page = *self.pages().get(self.writes.next()?)?;
        let request = self.with_token(Request::post(
            self.url(&Self::page_path(page, "setConfig")),
            Body::Json(self.body(page)),
        ));
        Some(Write {
            call: page.call(),
            request,
        })
    }

    fn results_of(&self) -> Vec<FieldResult> {
        let Some(before) = &self.before else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, page) in self.pages().into_iter().enumerate() {
            if !self.writes.sent(i) {
                continue;
            }
            let stored = self.writes.stored(i);
            let read = |m: &str| self.checking.then(|| self.held.text(page, m)).flatten();
            for s in self.specs().filter(|s| s.page == page) {
                let ours = match s.source {
                    Source::Ours(o) => Some(o),
                    Source::Fixed(_) => None,
                };
                let ours_value = ours.and_then(|o| self.ours.get(o));
                let mut r = super::field_result(
                    &display_name(s),
                    ours,
                    &self.will(s),
                    stored,
                    read(s.member).as_deref(),
                    ours_value,
                );
                // a fixed value is ours; a value of ours the shop lacks was sent back as held
                r.kept = ours.is_some() && ours_value.is_none();
                out.push(r);
            }
            for m in kept_members(page).iter().filter(|m| **m != "id") {
                let was = before.text(page, m).unwrap_or_default();
                out.push(super::field_result(
                    &format!("{}.{m}", page_prefix(page)),
                    None,
                    &was,
                    stored,
                    read(m).as_deref(),
                    None,
                ));
            }
        }
        out
    }
}

fn page_prefix(p: Page) -> &'static str {
    match p {
        Page::Mnp => "mnp_settings",
        Page::Oa => "official_account_setting",
        Page::Pay => "pay_config",
    }
}

fn display_name(s: &Spec) -> String {
    format!("{}.{}", page_prefix(s.page), s.member)
}

fn empty_plan() -> Plan {
    Plan::default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::SiteKind;

    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

    fn ours(site: SiteKind) -> Values {
        Values::from_pairs(
            site,
            &[
                (Ours::MchId, "1900006031"),
                (Ours::ApiKeyV3, "V3keyV3keyV3keyV3keyV3keyV3key12"),
                (Ours::ApiKeyV2, "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
                (Ours::Certificate, CERT),
                (Ours::PrivateKey, KEY),
                (Ours::MpAppId, "wx1234567890abcdef"),
                (Ours::MpAppSecret, "0123456789abcdef0123456789abcdef"),
                (Ours::OaAppId, "wxfedcba0987654321"),
                (Ours::OaAppSecret, "fedcba9876543210fedcba9876543210"),
            ],
        )
    }

    fn ok(data: Value) -> Reply {
        Reply::new(
            200,
            &json!({"code":1,"show":0,"msg":"","data":data}).to_string(),
        )
    }

    /// likeadmin 1.9.6's getPayWay as a fresh install answers it: WeChat Pay (row 2)
    /// on for the mini program, 公众号 and H5 scenes.
    fn pay_way_fresh() -> Value {
        json!({
            "1":[{"pay_config_id":1,"scene":1,"status":1},{"pay_config_id":2,"scene":1,"status":1}],
            "2":[{"pay_config_id":1,"scene":2,"status":1},{"pay_config_id":2,"scene":2,"status":1}],
            "3":[{"pay_config_id":1,"scene":3,"status":1},{"pay_config_id":2,"scene":3,"status":1},
                 {"pay_config_id":3,"scene":3,"status":1}]
        })
    }

    /// Runs the reads of `a`, each answered by the reply for its address (by the end
    /// of its path); returns the paths read, in order.
    fn read_with(a: &mut Likeadmin, answers: &[(&str, Reply)]) -> Vec<String> {
        let mut read = Vec::new();
        while let Some(r) = a.next_read() {
            assert_eq!(r.headers, vec![("token".to_owned(), "T".to_owned())]);
            let path = r.url.split("/adminapi/").nth(1).unwrap().to_owned();
            let (_, reply) = answers
                .iter()
                .find(|(p, _)| path.starts_with(p))
                .unwrap_or_else(|| panic!("no answer for {path}"));
            a.read(reply).unwrap();
            read.push(path);
            assert!(read.len() < 10, "reads never end: {read:?}");
        }
        read
    }

    /// Runs the reads of `a` over likeadmin's answers as a fresh install gives them,
    /// the service account page holding `oa_app_id`.
    fn read_fresh_oa(a: &mut Likeadmin, oa_app_id: &str) -> Vec<String> {
        let answers = [
            (
                "setting.pay.pay_config/lists",
                ok(json!({"lists":[{"id":1,"pay_way":1},{"id":2,"pay_way":2,"name":"微信支付"}]})),
            ),
            (
                "channel.mnp_settings",
                ok(
                    json!({"name":"","original_id":"gh_hand","qr_code":"","app_id":"","app_secret":""}),
                ),
            ),
            (
                "channel.official_account_setting",
                ok(
                    json!({"name":"服务号","original_id":"","qr_code":"","app_id":oa_app_id,"app_secret":"",
                          "token":null,"encoding_aes_key":"aeskey","encryption_type":1}),
                ),
            ),
            (
                "setting.pay.pay_config/getConfig",
                ok(
                    json!({"id":2,"name":"微信支付","pay_way":2,"icon":"http://x/wechat_pay.png","sort":123,
                          "remark":"微信支付备注","config":{"interface_version":"v3","merchant_type":"ordinary_merchant",
                          "mch_id":"","pay_sign_key":"","apiclient_cert":"","apiclient_key":""}}),
                ),
            ),
            ("setting.pay.pay_way/getPayWay", ok(pay_way_fresh())),
        ];
        read_with(a, &answers)
    }

    fn read_fresh(a: &mut Likeadmin) {
        let read = read_fresh_oa(a, "");
        // the service account page is read for a case-1 shop too (shown, never
        // written), and then which scenes pay with it
        assert_eq!(
            read.len(),
            if a.ours.case_two() { 4 } else { 5 },
            "{read:?}"
        );
    }

    fn logged_in(site: SiteKind) -> Likeadmin {
        let mut a = Likeadmin::new("http://127.0.0.1:8080/admin/#/login", ours(site)).unwrap();
        let login = a.login("admin", "pw").unwrap();
        assert_eq!(login.url, "http://127.0.0.1:8080/adminapi/login/account");
        assert_eq!(
            a.logged_in(&Reply::new(200, r#"{"code":0,"msg":"密码错误","data":[]}"#)),
            Err(Stop::Refused {
                message: "密码错误".into()
            })
        );
        a.logged_in(&ok(json!({"token":"T"}))).unwrap();
        a
    }

    #[test]
    fn a_case_two_push_sends_back_what_the_merchant_set_and_sends_the_payment_row_last() {
        let mut a = logged_in(SiteKind::SiteAndMiniProgram);
        read_fresh(&mut a);
        let plan = a.plan();
        assert!(plan.needs.is_empty(), "{:?}", plan.needs);
        assert_eq!(
            plan.calls,
            ["likeadmin_mnp", "likeadmin_oa", "likeadmin_pay"]
        );
        let mch = plan
            .rows
            .iter()
            .find(|r| r.field == "pay_config.config.mch_id")
            .unwrap();
        assert_eq!(
            (&mch.now, &mch.will),
            (
                &Shown::Empty,
                &Shown::Plain {
                    text: "1900006031".into()
                }
            )
        );
        let mut sent = Vec::new();
        while let Some(w) = a.next_write() {
            sent.push(w.request.clone());
            a.wrote(&ok(json!([]))).unwrap();
        }
        assert_eq!(sent.len(), 3);
        // the mini program page keeps its original ID; the service account its AES key
        assert_eq!(sent[0].field("/original_id").as_deref(), Some("gh_hand"));
        assert_eq!(
            sent[0].field("/app_secret").as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(
            sent[1].field("/encoding_aes_key").as_deref(),
            Some("aeskey")
        );
        assert_eq!(sent[1].field("/token").as_deref(), Some(""));
        assert_eq!(sent[1].field("/encryption_type").as_deref(), Some("1"));
        let pay = &sent[2];
        assert!(pay.url.ends_with("setting.pay.pay_config/setConfig"));
        for (path, want) in [
            ("/id", "2"),
            ("/icon", "http://x/wechat_pay.png"),
            ("/sort", "123"),
            ("/config/interface_version", "v3"),
            ("/config/merchant_type", "ordinary_merchant"),
            ("/config/mch_id", "1900006031"),
            ("/config/pay_sign_key", "V3keyV3keyV3keyV3keyV3keyV3key12"),
            ("/config/apiclient_cert", CERT),
            ("/config/apiclient_key", KEY),
        ] {
            assert_eq!(pay.field(path).as_deref(), Some(want), "{path}");
        }
        // no payment name of ours: the row keeps its own
        assert_eq!(pay.field("/name").as_deref(), Some("微信支付"));
        assert!(
            !pay.field("/config").unwrap().contains("Zq8R"),
            "the APIv2 key has no place in likeadmin"
        );
        assert!(
            plan.cannot.iter().any(|c| c.ours == Ours::ApiKeyV2)
                && plan.cannot.iter().any(|c| c.ours == Ours::PublicKeyId)
        );
    }

    #[test]
    fn checked_only_what_reads_back_equal() {
        let mut a = logged_in(SiteKind::MiniProgram);
        read_fresh(&mut a);
        while a.next_write().is_some() {
            a.wrote(&ok(json!([]))).unwrap();
        }
        a.reread();
        let back = [
            ok(
                json!({"name":"","original_id":"gh_hand","qr_code":"","app_id":"wx1234567890abcdef",
                      "app_secret":"0123456789abcdef0123456789abcdef"}),
            ),
            // the backend kept another merchant number
            ok(
                json!({"id":2,"name":"微信支付","icon":"http://x/wechat_pay.png","sort":123,"remark":"微信支付备注",
                      "config":{"interface_version":"v3","merchant_type":"ordinary_merchant","mch_id":"1999999999",
                      "pay_sign_key":"V3keyV3keyV3keyV3keyV3keyV3key12","apiclient_cert":CERT.replace('\n', "\r\n"),
                      "apiclient_key":KEY}}),
            ),
        ];
        let mut i = 0;
        while a.next_read().is_some() {
            a.read(&back[i]).unwrap();
            i += 1;
        }
        let results = a.results();
        let get = |f: &str| results.iter().find(|r| r.field == f).unwrap();
        assert!(get("pay_config.config.pay_sign_key").checked);
        assert!(
            get("pay_config.config.apiclient_cert").checked,
            "CRLF is the same PEM"
        );
        let mch = get("pay_config.config.mch_id");
        assert!(mch.sent && mch.stored && !mch.checked);
        assert!(get("mnp_settings.original_id").kept && get("mnp_settings.original_id").checked);
        assert!(
            !format!("{results:?}").contains("V3keyV3"),
            "results show secrets masked"
        );
    }

    #[test]
    fn a_refusal_after_stored_calls_says_which_were_stored_and_an_expiry_is_retried() {
        let mut a = logged_in(SiteKind::MiniProgram);
        read_fresh(&mut a);
        let w = a.next_write().unwrap();
        assert_eq!(w.call, "likeadmin_mnp");
        // the session ended: the call is not counted and comes again
        let out = Reply::new(
            200,
            r#"{"code":-1,"show":1,"msg":"登录超时，请重新登录","data":[]}"#,
        );
        assert!(matches!(a.wrote(&out), Err(Stop::LoggedOut { .. })));
        assert_eq!(a.next_write().unwrap().call, "likeadmin_mnp");
        a.wrote(&ok(json!([]))).unwrap();
        let refused = Reply::new(
            200,
            r#"{"code":0,"show":1,"msg":"支付名称已存在","data":[]}"#,
        );
        assert_eq!(a.next_write().unwrap().call, "likeadmin_pay");
        assert_eq!(
            a.wrote(&refused),
            Err(Stop::Refused {
                message: "支付名称已存在".into()
            })
        );
        assert!(a.next_write().is_none());
        let r = a.results();
        assert!(
            r.iter()
                .filter(|f| f.field.starts_with("mnp_settings"))
                .all(|f| f.stored)
        );
        assert!(
            r.iter()
                .filter(|f| f.field.starts_with("pay_config"))
                .all(|f| f.sent && !f.stored)
        );
    }

    #[test]
    fn what_likeadmin_needs_is_asked_before_anything_is_sent() {
        let mut a = Likeadmin::new(
            "https://shop.example.com",
            Values::from_pairs(SiteKind::MiniProgram, &[(Ours::MchId, "1900006031")]),
        )
        .unwrap();
        a.logged_in(&ok(json!({"token":"T"}))).unwrap();
        read_fresh(&mut a);
        let needs = a.plan().needs;
        for o in [
            Ours::ApiKeyV3,
            Ours::Certificate,
            Ours::PrivateKey,
            Ours::MpAppId,
            Ours::MpAppSecret,
        ] {
            assert!(needs.contains(&o), "{o:?} in {needs:?}");
        }
        assert!(!needs.contains(&Ours::MchId));
    }

    /// Trial B1: likeadmin holds another merchant's APIv3 key, certificate and key; a
    /// shop without them is refused before anything is sent, never "kept".
    #[test]
    fn values_the_shop_lacks_are_needed_even_when_likeadmin_holds_anothers() {
        let mut a = Likeadmin::new(
            "https://shop.example.com",
            Values::from_pairs(
                SiteKind::MiniProgram,
                &[
                    (Ours::MchId, "1900009999"),
                    (Ours::ApiKeyV2, "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
                    (Ours::MpAppId, "wx1234567890abcdef"),
                    (Ours::MpAppSecret, "0123456789abcdef0123456789abcdef"),
                ],
            ),
        )
        .unwrap();
        a.logged_in(&ok(json!({"token":"T"}))).unwrap();
        let answers = [
            (
                "setting.pay.pay_config/lists",
                ok(json!({"lists":[{"id":2,"pay_way":2}]})),
            ),
            (
                "channel.mnp_settings",
                ok(
                    json!({"name":"","original_id":"","qr_code":"","app_id":"wx1","app_secret":"s"}),
                ),
            ),
            (
                "channel.official_account_setting",
                ok(json!({"name":"","original_id":"","qr_code":"","app_id":"","app_secret":""})),
            ),
            (
                "setting.pay.pay_config/getConfig",
                ok(
                    json!({"id":2,"name":"微信支付","icon":"i","sort":1,"remark":"",
                          "config":{"interface_version":"v3","merchant_type":"ordinary_merchant",
                          "mch_id":"1900006032","pay_sign_key":"OtherV3OtherV3OtherV3OtherV3Oth1",
                          "apiclient_cert":CERT,"apiclient_key":KEY}}),
                ),
            ),
            ("setting.pay.pay_way/getPayWay", ok(pay_way_fresh())),
        ];
        read_with(&mut a, &answers);
        let needs = a.plan().needs;
        assert_eq!(
            needs,
            [Ours::ApiKeyV3, Ours::Certificate, Ours::PrivateKey],
            "another merchant's values are never kept"
        );
    }

    /// Second CLI trial, blocker: a case-1 shop reads the service account page (never
    /// writes it) and which scenes pay with its AppID; an AppID held there while
    /// WeChat Pay is on in such a scene is a warning, with the scenes named.
    #[test]
    fn a_case_one_shop_is_warned_of_a_service_account_appid_left_in_likeadmin() {
        let mut a = logged_in(SiteKind::MiniProgram);
        let read = read_fresh_oa(&mut a, "wxbbbbbbbbbbbbbbb2");
        assert_eq!(read.last().unwrap(), "setting.pay.pay_way/getPayWay");
        let plan = a.plan();
        assert_eq!(
            plan.calls,
            ["likeadmin_mnp", "likeadmin_pay"],
            "never written"
        );
        assert_eq!(plan.left.len(), 1);
        assert_eq!(plan.left[0].field, "official_account_setting.app_id");
        assert_eq!(
            plan.left[0].now,
            Shown::Plain {
                text: "wxbbbbbbbbbbbbbbb2".into()
            }
        );
        assert_eq!(plan.warnings.len(), 1);
        let w = &plan.warnings[0];
        assert_eq!(w.scenes, Some(vec!["oa", "h5"]));
        assert_eq!(w.why, "likeadmin_oa_appid");
        let before = plan.fingerprint();
        // the read-back reads only what was written
        while a.next_write().is_some() {
            a.wrote(&ok(json!([]))).unwrap();
        }
        a.reread();
        let mut back = Vec::new();
        while let Some(r) = a.next_read() {
            back.push(r.url.clone());
            a.read(&ok(json!({"config":{}}))).unwrap();
        }
        assert_eq!(back.len(), 2, "{back:?}");
        assert!(
            !back
                .iter()
                .any(|u| u.contains("official_account") || u.contains("pay_way"))
        );

        // the same AppID with WeChat Pay off in the 公众号 and H5 scenes: nothing pairs
        let mut a = logged_in(SiteKind::MiniProgram);
        let off = json!({"1":[{"pay_config_id":2,"scene":1,"status":1}],
                         "2":[{"pay_config_id":2,"scene":2,"status":0}],
                         "3":[{"pay_config_id":2,"scene":3,"status":0},{"pay_config_id":1,"scene":3,"status":1}]});
        read_with(
            &mut a,
            &[
                (
                    "setting.pay.pay_config/lists",
                    ok(json!({"lists":[{"id":2,"pay_way":2}]})),
                ),
                (
                    "channel.official_account_setting",
                    ok(json!({"app_id":"wxbbbbbbbbbbbbbbb2"})),
                ),
                ("channel.mnp_settings", ok(json!({"app_id":""}))),
                (
                    "setting.pay.pay_config/getConfig",
                    ok(json!({"id":2,"config":[]})),
                ),
                ("setting.pay.pay_way/getPayWay", ok(off)),
            ],
        );
        let plan = a.plan();
        assert_eq!(plan.left.len(), 1);
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
        assert_ne!(plan.fingerprint(), before);

        // an account without the right to see the scenes: the warning says it is
        // not known where, and the push goes on; a lost session is a lost session
        let mut a = logged_in(SiteKind::MiniProgram);
        let refused = Reply::new(200, r#"{"code":0,"msg":"权限不足","data":[]}"#);
        let answers = [
            (
                "setting.pay.pay_config/lists",
                ok(json!({"lists":[{"id":2,"pay_way":2}]})),
            ),
            (
                "channel.official_account_setting",
                ok(json!({"app_id":"wxbbbbbbbbbbbbbbb2"})),
            ),
            ("channel.mnp_settings", ok(json!({"app_id":""}))),
            (
                "setting.pay.pay_config/getConfig",
                ok(json!({"id":2,"config":[]})),
            ),
            ("setting.pay.pay_way/getPayWay", refused),
        ];
        read_with(&mut a, &answers);
        let w = &a.plan().warnings[0];
        assert_eq!(w.scenes, None);
        use crate::i18n::Message;
        assert_eq!(w.key(), "backend.warning.likeadmin_oa_appid_unknown");
        let mut a = logged_in(SiteKind::MiniProgram);
        for (_, r) in &answers[..4] {
            a.read(r).unwrap();
        }
        let out = Reply::new(200, r#"{"code":-1,"msg":"登录超时","data":[]}"#);
        assert!(matches!(a.read(&out), Err(Stop::LoggedOut { .. })));
        assert!(
            a.next_read().unwrap().url.ends_with("getPayWay"),
            "asked again"
        );
    }

    #[test]
    fn a_case_two_shop_reads_no_scenes_and_has_nothing_left() {
        let mut a = logged_in(SiteKind::SiteAndMiniProgram);
        let read = read_fresh_oa(&mut a, "wxbbbbbbbbbbbbbbb2");
        assert!(!read.iter().any(|r| r.contains("pay_way")), "{read:?}");
        let plan = a.plan();
        assert!(plan.left.is_empty() && plan.warnings.is_empty());
    }

    #[test]
    fn the_scenes_answer_of_another_shape_is_not_known() {
        assert_eq!(oa_scenes(&json!("x"), "2"), None);
        assert_eq!(oa_scenes(&json!({"1": "x"}), "2"), None);
        assert_eq!(oa_scenes(&json!({"1": ["x"]}), "2"), None);
        // a list of lists (what PHP gives when the scenes start at 0) reads the same
        let list = json!([[{"pay_config_id":"2","scene":"4","status":"1"}],
                          [{"pay_config_id":2,"scene":2,"status":1}]]);
        assert_eq!(oa_scenes(&list, "2"), Some(vec!["oa", "pc"]));
        assert_eq!(oa_scenes(&json!({}), "2"), Some(vec![]));
    }

    /// Trial minor 13: the service account's token and AES key, sent back as held,
    /// are shown masked like every secret, never in clear.
    #[test]
    fn kept_secrets_are_masked_in_the_report() {
        let mut a = logged_in(SiteKind::SiteAndMiniProgram);
        read_fresh(&mut a);
        while a.next_write().is_some() {
            a.wrote(&ok(json!([]))).unwrap();
        }
        a.reread();
        // the read-back: the token the merchant set by hand meanwhile, the AES key as read
        for r in [
            ok(json!({"name":"","original_id":"gh_hand","qr_code":"","app_id":"","app_secret":""})),
            ok(
                json!({"name":"服务号","original_id":"","qr_code":"","app_id":"","app_secret":"",
                      "token":"HandSetToken123","encoding_aes_key":"aeskey","encryption_type":1}),
            ),
            ok(json!({"id":2,"name":"微信支付","config":{}})),
        ] {
            a.read(&r).unwrap();
        }
        let shown = format!("{:?}", a.results());
        assert!(
            !shown.contains("aeskey") && !shown.contains("HandSetToken123"),
            "{shown}"
        );
        let aes = a
            .results()
            .into_iter()
            .find(|r| r.field.ends_with("encoding_aes_key"))
            .unwrap();
        assert_eq!(aes.read_back, Some(Shown::Hidden { chars: 6 }));
    }

    /// A value of ours that read back as another's (or that we never had) is not checked.
    #[test]
    fn a_read_back_that_is_not_ours_is_never_checked() {
        let r = crate::domain::backend::field_result(
            "pay_config.config.pay_sign_key",
            Some(Ours::ApiKeyV3),
            "OtherV3OtherV3OtherV3OtherV3Oth1",
            true,
            Some("OtherV3OtherV3OtherV3OtherV3Oth1"),
            None,
        );
        assert!(!r.checked, "{r:?}");
    }

    #[test]
    fn replies_that_are_not_likeadmins_are_unexpected_not_success() {
        for body in [
            "<html>404</html>",
            "",
            "[]",
            r#"{"code":"x"}"#,
            r#"{"msg":"ok"}"#,
        ] {
            assert!(
                matches!(judge(&Reply::new(200, body)), Err(Stop::Unexpected { .. })),
                "{body}"
            );
        }
        assert!(judge(&Reply::new(200, r#"{"code":"1","data":{}}"#)).is_ok());
        let mut a = Likeadmin::new("https://x.cn", ours(SiteKind::MiniProgram)).unwrap();
        a.logged_in(&ok(json!({"token":"T"}))).unwrap();
        assert_eq!(
            a.read(&ok(json!({"lists":[{"id":1,"pay_way":1}]}))),
            Err(Stop::NotFound {
                what: "likeadmin_pay_row"
            })
        );
    }
}
