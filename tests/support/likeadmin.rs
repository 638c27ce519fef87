//! The real likeadmin (likeadmin_php 1.9.6) that scripts/test.sh starts for the suite
//! (../shared/backends/likeadmin.sh): where it is, and its admin API spoken directly,
//! as the merchant's browser would, to set things by hand and to read what it holds
//! with its own getConfig.
//!
//! When ../shared/backends is missing (a clone outside CI) the tests that need it say
//! so on one line and are skipped; under `CI=true` a missing likeadmin fails them.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use serde_json::{Value, json};
use wxpay_setup::domain::backend::{Body, Reply, Request};
use wxpay_setup::services::backend_http::{BackendClient, BackendHttp};

pub struct Likeadmin {
    pub url: String,
    pub account: String,
    pub password: String,
    /// Its state folder (database socket, cache), when the test script gave it.
    pub dir: Option<PathBuf>,
    /// Tests that write into it take turns: there is one WeChat Pay row.
    _turn: MutexGuard<'static, ()>,
}

fn turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// The suite's likeadmin, or `None` (said once) when there is none outside CI.
pub fn likeadmin() -> Option<Likeadmin> {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
    match (
        var("LIKEADMIN_URL"),
        var("LIKEADMIN_ACCOUNT"),
        var("LIKEADMIN_PASSWORD"),
    ) {
        (Some(url), Some(account), Some(password)) => Some(Likeadmin {
            url,
            account,
            password,
            dir: var("LIKEADMIN_DIR").map(PathBuf::from),
            _turn: turn(),
        }),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but no likeadmin: scripts/test.sh starts one from ../shared/backends/likeadmin.sh (LIKEADMIN_URL is not set)"
                );
            }
            static SAID: OnceLock<()> = OnceLock::new();
            SAID.get_or_init(|| {
                eprintln!(
                    "likeadmin tests skipped: no likeadmin (../shared/backends is missing; scripts/test.sh starts one when it is there)"
                )
            });
            None
        }
    }
}

fn client() -> &'static BackendClient {
    static C: OnceLock<BackendClient> = OnceLock::new();
    C.get_or_init(|| BackendClient::new().expect("an HTTP client"))
}

impl Likeadmin {
    fn send(&self, r: Request) -> Reply {
        client().send(&r).expect("likeadmin answers")
    }

    /// Logs in as the merchant does; the session token.
    pub fn token(&self) -> String {
        let r = self.send(Request::post(
            format!("{}/adminapi/login/account", self.url),
            Body::Json(json!({"account": self.account, "password": self.password, "terminal": 1})),
        ));
        let v: Value = serde_json::from_str(&r.body).unwrap();
        v["data"]["token"].as_str().expect("logged in").to_owned()
    }

    /// A GET of the admin API: the whole reply.
    pub fn get(&self, path: &str) -> Value {
        let t = self.token();
        let r =
            self.send(Request::get(format!("{}/adminapi/{path}", self.url)).header("token", &t));
        serde_json::from_str(&r.body).unwrap()
    }

    /// A POST of the admin API (JSON): the whole reply.
    pub fn post(&self, path: &str, body: Value) -> Value {
        let t = self.token();
        let r = self.send(
            Request::post(format!("{}/adminapi/{path}", self.url), Body::Json(body))
                .header("token", &t),
        );
        serde_json::from_str(&r.body).unwrap()
    }

    /// likeadmin's own getConfig of the WeChat Pay row (`data`).
    pub fn pay(&self) -> Value {
        let lists = self.get("setting.pay.pay_config/lists");
        let id = lists["data"]["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["pay_way"] == 2)
            .unwrap()["id"]
            .clone();
        self.get(&format!("setting.pay.pay_config/getConfig?id={id}"))["data"].clone()
    }

    pub fn mnp(&self) -> Value {
        self.get("channel.mnp_settings/getConfig")["data"].clone()
    }

    pub fn oa(&self) -> Value {
        self.get("channel.official_account_setting/getConfig")["data"].clone()
    }

    /// What a merchant sets by hand on the two channel pages, and a WeChat Pay row
    /// back at its fresh state (another test may have pushed into it).
    pub fn set_by_hand(&self) {
        let r = self.post(
            "channel.mnp_settings/setConfig",
            json!({"name": "手填的小程序", "original_id": "gh_handmnp0001", "qr_code": "",
                   "app_id": "wx0000000000000001", "app_secret": "00000000000000000000000000000001"}),
        );
        assert_eq!(r["code"], 1, "{r}");
        let r = self.post(
            "channel.official_account_setting/setConfig",
            json!({"name": "手填的服务号", "original_id": "gh_handoa00001", "qr_code": "",
                   "app_id": "wx0000000000000002", "app_secret": "00000000000000000000000000000002",
                   "token": "HandSetToken123", "encoding_aes_key": "HandSetAesKey0123456789abcdefghijklmnopqrstu",
                   "encryption_type": 2}),
        );
        assert_eq!(r["code"], 1, "{r}");
        let pay = self.pay();
        let r = self.post(
            "setting.pay.pay_config/setConfig",
            json!({"id": pay["id"], "name": "微信支付", "icon": pay["icon"], "sort": pay["sort"],
                   "remark": pay["remark"], "config": {"interface_version": "v3",
                   "merchant_type": "ordinary_merchant", "mch_id": "1230000109",
                   "pay_sign_key": "OldV3keyOldV3keyOldV3keyOldV3key",
                   "apiclient_cert": "old cert", "apiclient_key": "old key"}}),
        );
        assert_eq!(r["code"], 1, "{r}");
    }

    /// Ends a session the way its 8 hours do (see [`expire`]).
    pub fn expire(&self, token: &str) -> bool {
        self.dir.as_deref().is_some_and(|d| expire(d, token))
    }
}

/// Ends a session of the likeadmin in `dir` the way its 8 hours do: the session row
/// expires and its cached copy goes (likeadmin reads the cache first, then the row).
pub fn expire(dir: &std::path::Path, token: &str) -> bool {
    let token: String = token.chars().filter(char::is_ascii_alphanumeric).collect();
    let ok = std::process::Command::new("mariadb")
        .arg(format!("--socket={}", dir.join("db.sock").display()))
        .args(["-uroot", "likeadmin", "-e"])
        .arg(format!(
            "UPDATE la_admin_session SET expire_time = UNIX_TIMESTAMP() - 1 WHERE token = '{token}'"
        ))
        .status()
        .is_ok_and(|s| s.success());
    // ThinkPHP's file cache: runtime/cache, and runtime/<app>/cache per app
    let runtime = dir.join("likeadmin_php/server/runtime");
    let _ = std::fs::remove_dir_all(runtime.join("cache"));
    for app in std::fs::read_dir(&runtime).into_iter().flatten().flatten() {
        let _ = std::fs::remove_dir_all(app.path().join("cache"));
    }
    ok
}
