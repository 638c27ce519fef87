//! A stand-in for CRMEB 5.x's admin API (PHP 7.1-7.4: it does not run on this
//! machine's PHP 8.2), answering as its source does (crmeb/crmeb/utils/Json.php,
//! adminapi/controller/Login.php, v1/setting/SystemConfig.php save_basics and
//! get_system, v1/file/SystemAttachment.php upload, AdminApiExceptionHandle.php):
//! every reply HTTP 200, `status` 200 or 400 (or 1100xx for a session that ended) with
//! `msg` from its language table; `login_captcha: 1` after two failed logins;
//! `save_basics` changes only the settings sent.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::stand_in::{self, form, multipart};

pub const ACCOUNT: &str = "admin";
pub const PASSWORD: &str = "Crmeb-pass-2026";

#[derive(Default)]
pub struct State {
    /// Settings by name, as `sys_config` returns them.
    pub config: BTreeMap<String, Value>,
    /// Uploaded files: path -> content.
    pub files: BTreeMap<String, String>,
    pub tokens: Vec<String>,
    pub failed_logins: usize,
    /// Ends every session after this many uploads (a token that expired).
    pub expire_after_uploads: Option<usize>,
    pub uploads: usize,
    /// The upload folder cannot be created from this upload on (`400555`).
    pub refuse_upload_from: Option<usize>,
    pub logins: usize,
}

pub struct Crmeb {
    pub url: String,
    server: Arc<tiny_http::Server>,
    pub state: Arc<Mutex<State>>,
}

impl Drop for Crmeb {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

impl Crmeb {
    pub fn get(&self, name: &str) -> Value {
        self.state
            .lock()
            .unwrap()
            .config
            .get(name)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

fn reply(status: i64, msg: &str, data: Option<Value>) -> String {
    let mut v = json!({ "status": status, "msg": msg });
    if let Some(d) = data {
        v["data"] = d;
    }
    v.to_string()
}

pub fn crmeb() -> Crmeb {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        for (k, v) in [
            ("pay_weixin_open", json!("0")),
            ("pay_wechat_type", json!("")),
            ("pay_weixin_mchid", json!("")),
            ("pay_weixin_key", json!("")),
            ("pay_weixin_key_v3", json!("")),
            ("pay_weixin_serial_no", json!("")),
            ("pay_weixin_client_cert", json!("")),
            ("pay_weixin_client_key", json!("")),
            ("routine_appId", json!("wxhandset00000001")),
            ("routine_appsecret", json!("")),
            ("wechat_appid", json!("")),
            ("wechat_appsecret", json!("")),
            ("site_name", json!("手填的站点名称")),
        ] {
            s.config.insert(k.to_owned(), v);
        }
    }
    let (srv, st) = (server.clone(), state.clone());
    std::thread::spawn(move || {
        for mut req in srv.incoming_requests() {
            let header = |n: &'static str| stand_in::header(&req, n).unwrap_or_default();
            let (auth, ctype) = (header("Authori-zation"), header("Content-Type"));
            let mut body = Vec::new();
            let _ = req.as_reader().read_to_end(&mut body);
            let path = req.url().to_owned();
            let mut s = st.lock().unwrap();
            let answer = if path == "/adminapi/login" {
                let v: Value = serde_json::from_slice(&body).unwrap_or_default();
                let (account, pwd) = (
                    v["account"].as_str().unwrap_or_default(),
                    v["pwd"].as_str().unwrap_or_default(),
                );
                if pwd.trim().len() < 6 || pwd.trim().len() > 32 {
                    reply(400, "账号密码必须是在6到32位之间", None)
                } else if account == ACCOUNT && pwd == PASSWORD {
                    s.failed_logins = 0;
                    s.logins += 1;
                    let token = format!("crmeb-token-{}", s.logins);
                    s.tokens.push(token.clone());
                    reply(
                        200,
                        "success",
                        Some(json!({"token": token, "expires_time": 1_900_000_000})),
                    )
                } else {
                    // Login.php: the second failure in a minute asks the page for a captcha
                    s.failed_logins += 1;
                    let captcha = i32::from(s.failed_logins > 1);
                    reply(
                        400,
                        "账号或密码错误",
                        Some(json!({"login_captcha": captcha})),
                    )
                }
            } else {
                let token = auth.trim_start_matches("Bearer").trim().to_owned();
                if token.is_empty() || !s.tokens.contains(&token) {
                    reply(110003, "登录已过期,请重新登录", None)
                } else if let Some(name) = path.strip_prefix("/adminapi/setting/config/get_system/")
                {
                    let value = s.config.get(name).cloned().unwrap_or(Value::Null);
                    reply(200, "success", Some(json!({ "value": value })))
                } else if path.starts_with("/adminapi/file/upload/") {
                    let parts: BTreeMap<String, (Option<String>, String)> =
                        multipart(&ctype, &body)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|p| (p.name, (p.file_name, p.content)))
                            .collect();
                    s.uploads += 1;
                    let n = s.uploads;
                    let file = parts.get("file");
                    let ok_ext = file
                        .and_then(|(f, _)| f.as_deref())
                        .is_some_and(|f| f.ends_with(".pem") || f.ends_with(".key"));
                    let answer = if s.refuse_upload_from.is_some_and(|from| n >= from) {
                        reply(400, "无法创建文件夹，请检查您的上传目录权限", None)
                    } else if !ok_ext {
                        reply(400, "文件格式不正确", None)
                    } else {
                        let src = format!("/uploads/attach/2026/12/07/upload{n}.pem");
                        let content = file.map(|(_, c)| c.clone()).unwrap_or_default();
                        s.files.insert(src.clone(), content);
                        reply(200, "上传成功", Some(json!({ "src": src })))
                    };
                    if s.expire_after_uploads.is_some_and(|after| n >= after) {
                        s.tokens.clear();
                        s.expire_after_uploads = None;
                    }
                    answer
                } else if path == "/adminapi/setting/config/save_basics" {
                    // only the settings sent change; each is stored as given
                    for (k, v) in form(&body) {
                        if s.config.contains_key(&k) {
                            s.config.insert(k, Value::String(v));
                        }
                    }
                    reply(200, "修改成功", None)
                } else {
                    reply(400, "接口不存在", None)
                }
            };
            drop(s);
            let resp = tiny_http::Response::from_string(answer).with_header(
                "Content-Type: application/json"
                    .parse::<tiny_http::Header>()
                    .unwrap(),
            );
            let _ = req.respond(resp);
        }
    });
    Crmeb { url, server, state }
}
