//! A stand-in for ShopXO's admin, answering as its source does
//! (app/admin/controller/{Admin,Payment,Common}.php, app/service/{AdminService,
//! PaymentService}.php, app/admin/view/default/payment/{index,saveinfo}.html, the
//! Weixin plugin's `Config()`): an admin entry file renamed at install; login with a
//! session cookie (and a picture code when that is switched on); the payment methods
//! page and the plugin's HTML form; `payment/save` rebuilding the plugin config from
//! exactly the `plugins_*` fields sent, `is_enable`/`is_open_user` 0 when absent.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::json;

use super::stand_in::{self, form};

pub const ENTRY: &str = "/admin8a3f.php";
pub const ACCOUNT: &str = "admin";
pub const PASSWORD: &str = "Shopxo-pass-2026";

/// The WeChat payment method as ShopXO's `payment` table row holds it.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    pub apply_terminal: Vec<String>,
    pub logo: String,
    pub config: BTreeMap<String, String>,
    pub sort: String,
    pub is_enable: String,
    pub is_open_user: String,
}

pub struct State {
    pub weixin: Row,
    pub installed: bool,
    pub sessions: Vec<String>,
    /// `admin_login_img_verify_state`: the login wants a picture code.
    pub picture_code: bool,
    /// Ends every session after the payment form was read this many times.
    pub end_sessions_after_reads: Option<usize>,
    pub reads: usize,
    pub logins: usize,
    pub saves: usize,
}

pub struct Shopxo {
    pub url: String,
    server: Arc<tiny_http::Server>,
    pub state: Arc<Mutex<State>>,
}

impl Drop for Shopxo {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

impl Shopxo {
    /// The admin address the merchant opens.
    pub fn admin(&self) -> String {
        format!("{}{ENTRY}", self.url)
    }

    pub fn row(&self) -> Row {
        self.state.lock().unwrap().weixin.clone()
    }
}

/// ThinkPHP's `{$x}`: htmlentities.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#039;")
}

const TERMINALS: [(&str, &str); 4] = [
    ("pc", "PC"),
    ("h5", "H5"),
    ("weixin", "微信小程序"),
    ("ios", "苹果APP"),
];

fn saveinfo(row: &Row) -> String {
    let mut h = String::from(
        "<!doctype html><html><body><div class=\"content-right\"><form class=\"am-form form-validation\" action=\"/admin8a3f.php?s=payment/save.html\" method=\"POST\" request-type=\"ajax-url\" enctype=\"multipart/form-data\">\n",
    );
    h += &format!(
        "<div class=\"am-form-group\"><label>名称</label><input type=\"text\" name=\"name\" minlength=\"2\" maxlength=\"60\" class=\"am-radius\" value=\"{}\" required /></div>\n",
        esc(&row.name)
    );
    for (v, label) in TERMINALS {
        let checked = if row.apply_terminal.iter().any(|t| t == v) {
            "checked"
        } else {
            ""
        };
        h += &format!(
            "<label class=\"am-checkbox-inline\"><input type=\"checkbox\" name=\"apply_terminal\" value=\"{v}\" {checked} data-am-ucheck minchecked=\"1\" required /> {label}</label>\n"
        );
    }
    h += &format!(
        "<ul class=\"plug-file-upload-view\"><li><input type=\"text\" name=\"logo\" value=\"{}\" /><img src=\"{}\" /></li></ul>\n",
        esc(&row.logo),
        esc(&row.logo)
    );
    let c = |k: &str| row.config.get(k).cloned().unwrap_or_default();
    for k in ["app_appid", "appid", "mini_appid", "mch_id", "key"] {
        h += &format!(
            "<div class=\"am-form-group\"><input class=\"am-radius\" type=\"text\" name=\"plugins_{k}\" value=\"{}\" placeholder=\"{k}\" /></div>\n",
            esc(&c(k))
        );
    }
    for k in ["apiclient_cert", "apiclient_key"] {
        h += &format!(
            "<textarea class=\"am-radius\" name=\"plugins_{k}\" rows=\"6\" placeholder=\"{k}\">{}</textarea>\n",
            esc(&c(k))
        );
    }
    for (k, options) in [
        ("agreement", ["1", "2"]),
        ("is_h5_url_encode", ["1", "2"]),
        ("is_h5_pay_native_mode", ["0", "1"]),
    ] {
        h += &format!("<select class=\"chosen-select am-radius\" name=\"plugins_{k}\">");
        for o in options {
            let sel = if c(k) == o { " selected" } else { "" };
            h += &format!("<option value=\"{o}\"{sel}>{o}</option>");
        }
        h += "</select>\n";
    }
    h += &format!(
        "<input type=\"number\" name=\"sort\" value=\"{}\" />\n",
        esc(&row.sort)
    );
    let switch = |name: &str, on: &str| {
        let checked = if on == "1" { "checked=\"true\"" } else { "" };
        format!(
            "<input name=\"{name}\" value=\"1\" type=\"checkbox\" data-off-text=\"否\" data-on-text=\"是\" data-am-switch {checked} />\n"
        )
    };
    h += &switch("is_open_user", &row.is_open_user);
    h += &switch("is_enable", &row.is_enable);
    h += "<input type=\"hidden\" name=\"id\" value=\"7\" /><button type=\"submit\">保存</button></form></div></body></html>";
    h
}

fn index(installed: bool) -> String {
    let weixin = if installed {
        "<a class=\"am-btn\" href=\"/admin8a3f.php?s=payment/saveinfo/id/7.html\"><i class=\"am-icon-edit\"></i><span>编辑</span></a>\n<button type=\"button\" class=\"submit-ajax\" data-url=\"/admin8a3f.php?s=payment/uninstall.html\" data-id=\"Weixin\" data-view=\"reload\">卸载</button>"
    } else {
        "<button type=\"button\" class=\"submit-ajax\" data-url=\"/admin8a3f.php?s=payment/install.html\" data-id=\"Weixin\" data-view=\"reload\">安装</button>"
    };
    format!(
        "<!doctype html><html><body><table class=\"am-table\">\n<tr><td>支付宝</td><td><a href=\"/admin8a3f.php?s=payment/saveinfo/id/3.html\">编辑</a><button data-url=\"/admin8a3f.php?s=payment/uninstall.html\" data-id=\"Alipay\">卸载</button></td></tr>\n<tr><td>微信</td><td>{weixin}</td></tr>\n</table></body></html>"
    )
}

fn json_reply(code: i64, msg: &str) -> String {
    json!({ "msg": msg, "code": code, "data": "" }).to_string()
}

pub fn shopxo() -> Shopxo {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let mut config = BTreeMap::new();
    for (k, v) in [
        ("app_appid", "wxapphandset00001"),
        ("appid", ""),
        ("mini_appid", ""),
        ("mch_id", ""),
        ("key", ""),
        ("apiclient_cert", ""),
        ("apiclient_key", ""),
        ("agreement", "2"),
        ("is_h5_url_encode", "1"),
        ("is_h5_pay_native_mode", "0"),
    ] {
        config.insert(k.to_owned(), v.to_owned());
    }
    let state = Arc::new(Mutex::new(State {
        weixin: Row {
            name: "微信".into(),
            apply_terminal: vec!["pc".into(), "h5".into(), "weixin".into()],
            logo: "/static/upload/images/payment/weixin.png".into(),
            config,
            sort: "0".into(),
            is_enable: "1".into(),
            is_open_user: "1".into(),
        },
        installed: true,
        sessions: Vec::new(),
        picture_code: false,
        end_sessions_after_reads: None,
        reads: 0,
        logins: 0,
        saves: 0,
    }));
    let (srv, st) = (server.clone(), state.clone());
    std::thread::spawn(move || {
        for mut req in srv.incoming_requests() {
            let header = |n: &'static str| stand_in::header(&req, n).unwrap_or_default();
            let (cookie, ajax) = (
                header("Cookie"),
                header("X-Requested-With") == "XMLHttpRequest",
            );
            let mut body = Vec::new();
            let _ = req.as_reader().read_to_end(&mut body);
            let full = req.url().to_owned();
            let (path, query) = full.split_once('?').unwrap_or((&full, ""));
            let params: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let route = params.get("s").cloned().unwrap_or_default();
            let route = route.trim_end_matches(".html");
            let mut s = st.lock().unwrap();
            let mut set_cookie = None;
            let mut html = false;
            let answer = if path != ENTRY {
                html = true;
                "<html>404</html>".to_owned()
            } else if route == "admin/login" {
                let f: BTreeMap<String, String> = form(&body).into_iter().collect();
                let get = |k: &str| f.get(k).cloned().unwrap_or_default();
                if get("accounts").is_empty() {
                    json_reply(-1, "账号不能为空")
                } else if s.picture_code && get("verify").is_empty() {
                    json_reply(-10, "图片验证码不能为空")
                } else if get("accounts") != ACCOUNT {
                    json_reply(-2, "账户异常")
                } else if get("pwd") != PASSWORD {
                    json_reply(-3, "密码错误")
                } else {
                    s.logins += 1;
                    let sid = format!("sess{}x{}", s.logins, std::process::id());
                    s.sessions.push(sid.clone());
                    set_cookie = Some(format!("PHPSESSID={sid}; path=/; HttpOnly"));
                    json!({"msg":"登录成功","code":0,"data":{"id":1,"username":ACCOUNT,"token":"0123abcd"}})
                        .to_string()
                }
            } else {
                let sid = cookie
                    .split(';')
                    .filter_map(|c| c.trim().strip_prefix("PHPSESSID="))
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                if !s.sessions.contains(&sid) {
                    // Common::IsLogin
                    if ajax {
                        json!({"msg":"登录失效，请重新登录","code":-400,"data":{"login":"/admin8a3f.php?s=admin/logininfo.html"}}).to_string()
                    } else {
                        html = true;
                        "<script type=\"text/javascript\">window.location.href=\"/admin8a3f.php?s=admin/logininfo.html\";</script>".to_owned()
                    }
                } else if route == "payment/index" {
                    html = true;
                    index(s.installed)
                } else if route.starts_with("payment/saveinfo") {
                    html = true;
                    s.reads += 1;
                    let page = saveinfo(&s.weixin);
                    if s.end_sessions_after_reads.is_some_and(|n| s.reads >= n) {
                        s.sessions.clear();
                        s.end_sessions_after_reads = None;
                    }
                    page
                } else if route == "payment/save" {
                    let f = form(&body);
                    let get = |k: &str| {
                        f.iter()
                            .find(|(n, _)| n == k)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default()
                    };
                    let name_len = get("name").chars().count();
                    if get("id").is_empty() {
                        json_reply(-1, "数据id有误")
                    } else if !(2..=60).contains(&name_len) {
                        json_reply(-1, "名称格式1~80个字符")
                    } else if get("apply_terminal").is_empty() {
                        json_reply(-1, "至少选择一个适用终端")
                    } else if get("sort").len() > 3 {
                        json_reply(-1, "顺序0~255之间的数值")
                    } else {
                        // PaymentService::GetPluginsConfig: exactly the plugins_* sent
                        let config = f
                            .iter()
                            .filter_map(|(k, v)| {
                                k.strip_prefix("plugins_")
                                    .map(|k| (k.to_owned(), v.clone()))
                            })
                            .collect();
                        s.saves += 1;
                        s.weixin = Row {
                            name: get("name"),
                            apply_terminal: get("apply_terminal")
                                .split(',')
                                .map(str::to_owned)
                                .collect(),
                            logo: get("logo"),
                            config,
                            sort: get("sort"),
                            is_enable: if get("is_enable").is_empty() {
                                "0".into()
                            } else {
                                get("is_enable")
                            },
                            is_open_user: if get("is_open_user").is_empty() {
                                "0".into()
                            } else {
                                get("is_open_user")
                            },
                        };
                        json_reply(0, "编辑成功")
                    }
                } else {
                    json_reply(-1, "未知的操作")
                }
            };
            drop(s);
            let ctype = if html {
                "Content-Type: text/html; charset=utf-8"
            } else {
                "Content-Type: application/json; charset=utf-8"
            };
            let mut resp = tiny_http::Response::from_string(answer)
                .with_header(ctype.parse::<tiny_http::Header>().unwrap());
            if let Some(c) = set_cookie {
                resp = resp.with_header(
                    format!("Set-Cookie: {c}")
                        .parse::<tiny_http::Header>()
                        .unwrap(),
                );
            }
            let _ = req.respond(resp);
        }
    });
    Shopxo { url, server, state }
}
