//! A shop backend that checks the push contract of docs/push-api.md: POST
//! multipart/form-data, a bearer token, an Idempotency-Key; it records what it got.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const TOKEN: &str = "backend-token-0123456789";

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub idempotency_key: String,
    pub fields: BTreeMap<String, String>,
    pub files: BTreeMap<String, (String, String)>,
}

/// Replies by path: `/ok` 201, `/flaky` 503 twice then 201, `/down` always 503,
/// `/reject` 422 with a message, `/big` 413, `/moved` 302; a wrong token 401.
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

fn multipart(
    content_type: &str,
    body: &[u8],
) -> (BTreeMap<String, String>, BTreeMap<String, (String, String)>) {
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a multipart boundary")
        .trim_matches('"');
    let text = String::from_utf8_lossy(body);
    let mut fields = BTreeMap::new();
    let mut files = BTreeMap::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let content = content.strip_suffix("\r\n").unwrap_or(content).to_owned();
        let attr = |a: &str| {
            head.split(&format!("{a}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(str::to_owned)
        };
        let Some(name) = attr("name") else { continue };
        match attr("filename") {
            Some(f) => {
                files.insert(name, (f, content));
            }
            None => {
                fields.insert(name, content);
            }
        }
    }
    (fields, files)
}

pub fn backend() -> Backend {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let (s, r) = (server.clone(), received.clone());
    std::thread::spawn(move || {
        let mut flaky = 0;
        for mut req in s.incoming_requests() {
            let header = |n: &'static str| {
                req.headers()
                    .iter()
                    .find(|h| h.field.equiv(n))
                    .map(|h| h.value.as_str().to_owned())
                    .unwrap_or_default()
            };
            let (auth, ctype, key) = (
                header("Authorization"),
                header("Content-Type"),
                header("Idempotency-Key"),
            );
            let mut body = Vec::new();
            let _ = req.as_reader().read_to_end(&mut body);
            let path = req.url().to_owned();
            let (status, reply) =
                if req.method().as_str() != "POST" || !ctype.starts_with("multipart/form-data") {
                    (
                        415,
                        r#"{"message":"multipart/form-data POST expected"}"#.to_owned(),
                    )
                } else if auth != format!("Bearer {TOKEN}") {
                    (401, r#"{"message":"invalid token"}"#.to_owned())
                } else if key.len() < 16 {
                    (
                        400,
                        r#"{"message":"Idempotency-Key header required"}"#.to_owned(),
                    )
                } else {
                    let (fields, files) = multipart(&ctype, &body);
                    r.lock().unwrap().push(Received {
                        path: path.clone(),
                        idempotency_key: key,
                        fields,
                        files,
                    });
                    match path.as_str() {
                        "/ok" => (201, r#"{"id":"pm_1"}"#.to_owned()),
                        "/flaky" if flaky < 2 => {
                            flaky += 1;
                            (503, r#"{"message":"busy"}"#.to_owned())
                        }
                        "/flaky" => (201, "{}".to_owned()),
                        "/down" => (503, r#"{"message":"maintenance"}"#.to_owned()),
                        "/reject" => (422, r#"{"message":"商户号格式不对"}"#.to_owned()),
                        "/big" => (413, String::new()),
                        "/moved" => (302, String::new()),
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
