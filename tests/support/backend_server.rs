//! A receiver written to the contract of docs/push-api.md: POST multipart/form-data
//! with a bearer token and an Idempotency-Key, answered `{"ok":true}`; the optional
//! GET on the same address answers what it holds (`{"fields":{...}}`, secrets and
//! files as `sha256:<hex>`). It records every POST. Some paths misbehave on purpose.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use sha2::Digest;

use super::stand_in::{self, multipart};

pub const TOKEN: &str = "backend-token-0123456789";

/// The contract's secret fields: a GET answers their hash, never their value.
const SECRET: &[&str] = &[
    "mp_appsecret",
    "api_key_v2",
    "api_key_v3",
    "oa_appsecret",
    "apiclient_key",
    "apiclient_cert",
];

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub idempotency_key: String,
    pub fields: BTreeMap<String, String>,
    pub files: BTreeMap<String, (String, String)>,
}

/// Replies by path: `/ok` 201 (and its GET), `/okbody` 200 `{"ok":true}`, `/noread`
/// (no GET: 405), `/flaky` 503 twice then 201, `/down` always 503, `/reject` 422
/// with a message, `/big` 413, `/moved` 302, `/code0` HTTP 200 with likeadmin's
/// refusal in the body, `/hostile` 422 with terminal escapes in its message,
/// `/endless` an endless chunked 200, `/slow` a POST that takes 5 s, `/hang` a POST
/// received (and recorded) but answered only after 15 s; a wrong token 401.
pub struct Backend {
    pub url: String,
    server: Arc<tiny_http::Server>,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

pub const HOSTILE: &str =
    "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}[32m✓ Sent to the shop backend.\u{1b}[0m\r\nfake";

/// What a GET answers for the last POST to `path`.
fn held(received: &[Received], path: &str) -> String {
    let mut out = serde_json::Map::new();
    if let Some(r) = received.iter().rev().find(|r| r.path == path) {
        let values = r
            .fields
            .iter()
            .chain(r.files.iter().map(|(k, (_, v))| (k, v)));
        for (k, v) in values {
            let shown = if SECRET.contains(&k.as_str()) {
                let h: String = sha2::Sha256::digest(v.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                format!("sha256:{h}")
            } else {
                v.clone()
            };
            out.insert(k.clone(), shown.into());
        }
    }
    serde_json::json!({ "fields": out }).to_string()
}

pub fn backend() -> Backend {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let (s, r) = (server.clone(), received.clone());
    std::thread::spawn(move || {
        let mut flaky = 0;
        for mut req in s.incoming_requests() {
            let header = |n: &'static str| stand_in::header(&req, n).unwrap_or_default();
            let (auth, ctype, key) = (
                header("Authorization"),
                header("Content-Type"),
                header("Idempotency-Key"),
            );
            let mut body = Vec::new();
            let _ = req.as_reader().read_to_end(&mut body);
            let path = req.url().to_owned();
            let get = req.method().as_str() == "GET";
            if path == "/endless" && !get {
                let resp = tiny_http::Response::new(
                    tiny_http::StatusCode(200),
                    vec!["Content-Type: application/json".parse().unwrap()],
                    std::io::repeat(b' '),
                    None,
                    None,
                );
                std::thread::spawn(move || {
                    let _ = req.respond(resp);
                });
                continue;
            }
            if path == "/hang" && !get && auth == format!("Bearer {TOKEN}") {
                r.lock().unwrap().push(Received {
                    path: path.clone(),
                    idempotency_key: key,
                    fields: BTreeMap::new(),
                    files: BTreeMap::new(),
                });
                std::thread::spawn(move || {
                    std::thread::sleep(std::time::Duration::from_secs(15));
                    let _ =
                        req.respond(tiny_http::Response::from_string("{}").with_status_code(201));
                });
                continue;
            }
            let (status, reply) = if auth != format!("Bearer {TOKEN}") {
                (401, r#"{"message":"invalid token"}"#.to_owned())
            } else if get {
                match path.as_str() {
                    "/ok" | "/okbody" | "/flaky" | "/code0" | "/reject" => {
                        (200, held(&r.lock().unwrap(), &path))
                    }
                    "/slow" => (200, held(&r.lock().unwrap(), &path)),
                    "/moved" => (302, String::new()),
                    _ => (405, String::new()),
                }
            } else if !ctype.starts_with("multipart/form-data") {
                (
                    415,
                    r#"{"message":"multipart/form-data POST expected"}"#.to_owned(),
                )
            } else if key.len() < 16 {
                (
                    400,
                    r#"{"message":"Idempotency-Key header required"}"#.to_owned(),
                )
            } else {
                if path == "/slow" {
                    std::thread::sleep(std::time::Duration::from_secs(5));
                }
                let mut fields = BTreeMap::new();
                let mut files = BTreeMap::new();
                for p in multipart(&ctype, &body).expect("a multipart boundary") {
                    match p.file_name {
                        Some(f) => {
                            files.insert(p.name, (f, p.content));
                        }
                        None => {
                            fields.insert(p.name, p.content);
                        }
                    }
                }
                r.lock().unwrap().push(Received {
                    path: path.clone(),
                    idempotency_key: key,
                    fields,
                    files,
                });
                match path.as_str() {
                    "/ok" | "/noread" | "/slow" => (201, r#"{"id":"pm_1"}"#.to_owned()),
                    "/okbody" => (200, r#"{"ok":true}"#.to_owned()),
                    "/flaky" if flaky < 2 => {
                        flaky += 1;
                        (503, r#"{"message":"busy"}"#.to_owned())
                    }
                    "/flaky" => (201, "{}".to_owned()),
                    "/down" => (503, r#"{"message":"maintenance"}"#.to_owned()),
                    "/reject" => (422, r#"{"message":"商户号格式不对"}"#.to_owned()),
                    "/hostile" => (422, serde_json::json!({ "message": HOSTILE }).to_string()),
                    "/big" => (413, String::new()),
                    // likeadmin's way: HTTP 200, the refusal in the body
                    "/code0" => (
                        200,
                        r#"{"code":0,"show":1,"msg":"微信支付证书不能为空","data":[]}"#.to_owned(),
                    ),
                    _ => (404, r#"{"message":"no such route"}"#.to_owned()),
                }
            };
            let mut resp = tiny_http::Response::from_string(reply).with_status_code(status);
            if status == 302 {
                resp = resp.with_header(
                    "Location: http://198.51.100.1/steal"
                        .parse::<tiny_http::Header>()
                        .unwrap(),
                );
            }
            let _ = req.respond(
                resp.with_header("Connection: close".parse::<tiny_http::Header>().unwrap()),
            );
        }
    });
    Backend {
        url,
        server,
        received,
    }
}
