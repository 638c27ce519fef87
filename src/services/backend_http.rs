//! HTTP to the shop backends: sends what a `domain::backend` adapter asks for and
//! hands back status, body and `Set-Cookie`. The rules of `wechat_http` apply (HTTPS
//! anywhere, plain http to loopback only, no user or password in the address, the
//! proxy rule, no redirects); on top:
//!
//! - every body is read through a bounded reader: past [`REPLY_LIMIT`] the reply is a
//!   failure ("reply too large"), however it is sent (a `Content-Length`, or an endless
//!   chunked stream), so memory stays small and nothing too large passes for success;
//! - a request ends after [`DEADLINE`] (its whole reply; a test may set it lower,
//!   see `wechat_http`), even when its body trickles in, and the timeout says so;
//! - an address whose http/https does not match the server (a TLS handshake to a plain
//!   HTTP port, or plain HTTP to a TLS port) is named for what it is, not retried as if
//!   the server were busy, nor told as a certificate failure;
//! - a failure is told by its kind in the reader's words (`NetError::cause`), and a
//!   redirect by where it leads.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::domain::backend::{Body, Method, Part, Reply, Request};
use crate::services::http_body::{BodyError, read_limited_until};
use crate::services::wechat_http::{HttpClient, NetError, error_chain, whole_secs};

/// A real backend reply is a few KB; a ShopXO page a few hundred.
pub const REPLY_LIMIT: u64 = crate::services::http_body::BODY_LIMIT;
/// The longest one request may take, its body included.
pub const DEADLINE: Duration = crate::services::wechat_http::BACKEND_DEADLINE;

/// Why a request got no usable reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Net(NetError),
    #[error("reply larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// `https://` to a port that speaks plain HTTP (it answers HTTP, or hangs up on
    /// the TLS handshake, as PHP's built-in server does).
    #[error("the port does not speak HTTPS")]
    NotHttps,
    /// `http://` to a port that speaks HTTPS.
    #[error("the port speaks HTTPS")]
    NotHttp,
    /// A header or address that cannot be sent: a value the backend handed us (its
    /// session token) with a line break in it. Not the network.
    #[error("cannot be sent: {0}")]
    Unsendable(String),
}

impl SendError {
    pub fn samples() -> Vec<SendError> {
        vec![
            SendError::Net(NetError::Timeout(DEADLINE.as_secs())),
            SendError::TooLarge { limit: REPLY_LIMIT },
            SendError::NotHttps,
            SendError::NotHttp,
            SendError::Unsendable("failed to parse header value".into()),
            SendError::Net(NetError::Connect(
                "tcp connect error: Connection refused (os error 111)".into(),
            )),
            SendError::Net(NetError::Tls(
                "invalid peer certificate: UnknownIssuer".into(),
            )),
        ]
    }

    pub fn code(&self) -> &'static str {
        match self {
            SendError::Net(e) => e.code(),
            SendError::TooLarge { .. } => "reply_too_large",
            SendError::NotHttps => "not_https",
            SendError::NotHttp => "not_http",
            SendError::Unsendable(_) => "bad_header",
        }
    }

    /// Worth trying again: the network, not the address or the reply. Not a
    /// timeout: the request went out, and the backend may have acted on it
    /// (a write that took long); it is told, not sent again unasked.
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            SendError::Net(NetError::Connect(_) | NetError::Other(_))
        )
    }
}

impl crate::i18n::Message for SendError {
    fn key(&self) -> String {
        format!("backend.net.{}", self.code())
    }
    /// The kind of failure in the reader's words (`cause.<code>`, as the WeChat
    /// checks say it); the system's own English only where no kind is known (a
    /// proxy or an address it names).
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        use crate::i18n::Arg;
        let detail = match self {
            SendError::Net(e) => e.detail(),
            SendError::TooLarge { limit } => format!("{} KiB", limit / 1024),
            SendError::Unsendable(d) => d.clone(),
            SendError::NotHttps | SendError::NotHttp => String::new(),
        };
        let mut a = vec![(
            "detail",
            crate::domain::text::quoted(&crate::domain::backend::snippet(&detail)),
        )];
        if let SendError::Net(e) = self {
            a.push(("cause", Arg::Key(format!("cause.{}", e.cause()))));
            if let Some(secs) = e.seconds() {
                a.push(("seconds", secs.to_string().into()));
            }
        }
        a
    }
}

/// What the push needs from HTTP. The real one is [`BackendClient`]; unit tests use
/// [`FakeBackend`].
pub trait BackendHttp: Send + Sync {
    fn send(&self, req: &Request) -> Result<Reply, SendError>;
}

/// The real client: reqwest over `wechat_http`'s configured client.
pub struct BackendClient {
    http: HttpClient,
}

impl BackendClient {
    pub fn new() -> Result<BackendClient, NetError> {
        Ok(BackendClient {
            http: HttpClient::new()?,
        })
    }
}

impl BackendHttp for BackendClient {
    fn send(&self, req: &Request) -> Result<Reply, SendError> {
        self.http.allowed(&req.url).map_err(SendError::Net)?;
        let client = self.http.reqwest();
        let mut b = match req.method {
            Method::Get => client.get(&req.url),
            Method::Post => client.post(&req.url),
        };
        for (k, v) in &req.headers {
            // a value the backend handed us (its token) with a line break cannot go
            // back in a header: said as that, not as a network failure
            let value = reqwest::header::HeaderValue::from_str(v)
                .map_err(|e| SendError::Unsendable(first_line(&e.to_string())))?;
            b = b.header(k.as_str(), value);
        }
        b = match &req.body {
            Body::Empty => b,
            Body::Json(v) => b
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(v).unwrap_or_default()),
            Body::Form(pairs) => {
                let mut s = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in pairs {
                    s.append_pair(k, v);
                }
                b.header("Content-Type", "application/x-www-form-urlencoded")
                    .body(s.finish())
            }
            Body::Multipart(parts) => {
                let mut form = reqwest::blocking::multipart::Form::new();
                for p in parts {
                    form = match p {
                        Part::Text { name, value } => form.text(name.clone(), value.clone()),
                        Part::File {
                            name,
                            file_name,
                            content,
                        } => form.part(
                            name.clone(),
                            reqwest::blocking::multipart::Part::bytes(content.clone().into_bytes())
                                .file_name(file_name.clone())
                                .mime_str("application/octet-stream")
                                .map_err(|e| SendError::Net(NetError::Other(e.to_string())))?,
                        ),
                    };
                }
                b.multipart(form)
            }
        };
        let started = Instant::now();
        let https = req
            .url
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("https:");
        // reqwest's per-request timeout covers the whole reply, body included
        let deadline = self.http.backend_deadline();
        let mut resp = b
            .timeout(deadline)
            .send()
            .map_err(|e| classify(e, https, deadline))?;
        let status = resp.status().as_u16();
        // where a redirect leads (redirects are not followed): named in the report
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(300).collect::<String>());
        let set_cookies = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .take(20)
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.len() < 4096)
            .map(str::to_owned)
            .collect();
        if resp.content_length().is_some_and(|n| n > REPLY_LIMIT) {
            return Err(SendError::TooLarge { limit: REPLY_LIMIT });
        }
        let body = read_bounded(&mut resp, REPLY_LIMIT, started + deadline, deadline)?;
        Ok(Reply {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
            set_cookies,
            location,
        })
    }
}

/// Reads at most `limit` bytes, until `deadline` (`http_body`'s reader): a larger
/// body is [`SendError::TooLarge`] as soon as it passes the limit, one that trickles
/// past the deadline a timeout naming `allowed`, the time the request had.
pub fn read_bounded(
    r: &mut dyn Read,
    limit: u64,
    deadline: Instant,
    allowed: Duration,
) -> Result<Vec<u8>, SendError> {
    let late = || SendError::Net(NetError::Timeout(whole_secs(allowed)));
    read_limited_until(r, limit, Some(deadline)).map_err(|e| match e {
        BodyError::TooLarge { limit } => SendError::TooLarge { limit },
        BodyError::Late => late(),
        BodyError::Read(e) if is_timeout_io(&e) => late(),
        BodyError::Read(e) => SendError::Net(NetError::Other(first_line(&e.to_string()))),
    })
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect()
}

/// A body read that failed for its time: the system's own timeout, or reqwest's
/// deadline inside an io::Error.
fn is_timeout_io(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout)
}

/// The kind of a failed request, from reqwest's whole error chain; `https`: the
/// address asked for TLS; `allowed`: the time it had.
fn classify(e: reqwest::Error, https: bool, allowed: Duration) -> SendError {
    if e.is_timeout() {
        // a connection that never opened sent nothing: "cannot connect", may be retried
        if e.is_connect() {
            let (_, innermost) = error_chain(&e.without_url());
            return SendError::Net(NetError::Connect(first_line(&innermost)));
        }
        return SendError::Net(NetError::Timeout(whole_secs(allowed)));
    }
    let is_connect = e.is_connect() || e.is_request();
    let is_builder = e.is_builder();
    let (lower, innermost) = error_chain(&e.without_url());
    let detail = first_line(&innermost);
    // rustls reading "HTTP/1.1 400" as a TLS record, or a plain-HTTP server hanging
    // up on the handshake; hyper reading TLS as HTTP
    let not_tls = lower.contains("invalidcontenttype")
        || lower.contains("corrupt message")
        || lower.contains("wrong version number")
        || lower.contains("handshake eof");
    if https && not_tls {
        SendError::NotHttps
    } else if !https && (lower.contains("invalid http version") || not_tls) {
        SendError::NotHttp
    } else if is_builder {
        SendError::Unsendable(detail)
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        SendError::Net(NetError::Tls(detail))
    } else if is_connect {
        SendError::Net(NetError::Connect(detail))
    } else {
        SendError::Net(NetError::Other(detail))
    }
}

/// How a [`FakeBackend`] answers.
type Handler = dyn Fn(&Request) -> Result<Reply, SendError> + Send + Sync;

/// A test double: answers with `handler`, records every request it was sent.
#[derive(Clone)]
pub struct FakeBackend {
    handler: std::sync::Arc<Handler>,
    seen: std::sync::Arc<std::sync::Mutex<Vec<Request>>>,
}

/// A backend that is not there, until a test says how it answers.
impl Default for FakeBackend {
    fn default() -> Self {
        FakeBackend::new(|_| {
            Err(SendError::Net(NetError::Connect(
                "no backend reply scripted".into(),
            )))
        })
    }
}

impl FakeBackend {
    pub fn new(
        handler: impl Fn(&Request) -> Result<Reply, SendError> + Send + Sync + 'static,
    ) -> Self {
        FakeBackend {
            handler: std::sync::Arc::new(handler),
            seen: Default::default(),
        }
    }

    pub fn seen(&self) -> Vec<Request> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl BackendHttp for FakeBackend {
    fn send(&self, req: &Request) -> Result<Reply, SendError> {
        crate::services::wechat_http::check_base_url(&req.url).map_err(SendError::Net)?;
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(req.clone());
        (self.handler)(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A loopback server that answers each connection with `reply`, then (when
    /// `endless`) streams chunks until the client hangs up.
    fn server(reply: &'static [u8], endless: bool) -> u16 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for c in l.incoming() {
                let Ok(mut c) = c else { return };
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    let _ = c.set_read_timeout(Some(Duration::from_millis(200)));
                    let _ = std::io::Read::read(&mut c, &mut buf);
                    let _ = c.write_all(reply);
                    let chunk = format!("{:x}\r\n{}\r\n", 8192, "x".repeat(8192));
                    while endless && c.write_all(chunk.as_bytes()).is_ok() {}
                });
            }
        });
        port
    }

    #[test]
    fn an_endless_reply_is_too_large_not_a_success() {
        let port = server(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n",
            true,
        );
        let c = BackendClient::new().unwrap();
        let r = c.send(&Request::get(format!("http://127.0.0.1:{port}/x")));
        assert_eq!(r.err(), Some(SendError::TooLarge { limit: REPLY_LIMIT }));
        // a declared length past the limit is refused before its body is read
        let port = server(
            b"HTTP/1.1 200 OK\r\nContent-Length: 500000000\r\n\r\n{}",
            false,
        );
        let r = c.send(&Request::get(format!("http://127.0.0.1:{port}/x")));
        assert_eq!(r.err(), Some(SendError::TooLarge { limit: REPLY_LIMIT }));
    }

    #[test]
    fn https_to_a_plain_http_port_is_named_and_not_temporary() {
        let port = server(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            false,
        );
        let c = BackendClient::new().unwrap();
        let e = c
            .send(&Request::get(format!("https://127.0.0.1:{port}/x")))
            .unwrap_err();
        assert_eq!(e, SendError::NotHttps);
        assert!(!e.is_temporary());
    }

    /// A loopback server that reads the request and closes without a word (PHP's
    /// built-in server does so to a TLS handshake).
    fn silent_server() -> u16 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for c in l.incoming() {
                let Ok(mut c) = c else { return };
                let mut buf = [0u8; 4096];
                let _ = c.set_read_timeout(Some(Duration::from_millis(200)));
                let _ = std::io::Read::read(&mut c, &mut buf);
            }
        });
        port
    }

    /// Trial minor 5 and window m1: https to a plain-http port that hangs up is named
    /// for what it is (no "certificate check failed"), and every failure is worded
    /// in the reader's language, never the system's English inside a sentence.
    #[test]
    fn https_to_a_port_that_hangs_up_is_not_a_certificate_failure() {
        let port = silent_server();
        let c = BackendClient::new().unwrap();
        let e = c
            .send(&Request::get(format!("https://127.0.0.1:{port}/x")))
            .unwrap_err();
        assert_eq!(e, SendError::NotHttps, "{e:?}");
        let zh = crate::i18n::Tr(crate::i18n::Lang::ZhCn);
        let text = zh.msg(&e);
        assert!(text.contains("http://") && !text.contains("证书"), "{text}");
        // a refused connection, in Chinese words only
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let e = c
            .send(&Request::get(format!("http://127.0.0.1:{port}/x")))
            .unwrap_err();
        let text = zh.msg(&e);
        assert!(text.contains("拒绝"), "{text}");
        assert!(
            !text.contains("refused") && !text.contains("os error") && !text.contains("connect"),
            "{text}"
        );
    }

    /// Trial minor 5: a redirect names where it leads; a header value the backend
    /// handed us that cannot be sent back is not "check the network".
    #[test]
    fn a_redirect_names_its_location_and_a_bad_header_is_not_the_network() {
        let port = server(
            b"HTTP/1.1 302 Found\r\nLocation: https://shop.example.com/admin/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            false,
        );
        let c = BackendClient::new().unwrap();
        let r = c
            .send(&Request::get(format!("http://127.0.0.1:{port}/x")))
            .unwrap();
        let stop = crate::domain::backend::Stop::unexpected(&r);
        assert!(
            format!("{stop:?}").contains("https://shop.example.com/admin/"),
            "{stop:?}"
        );
        let e = c
            .send(&Request::get(format!("http://127.0.0.1:{port}/x")).header("token", "a\r\nb"))
            .unwrap_err();
        assert_eq!(e.code(), "bad_header", "{e:?}");
        let text = crate::i18n::Tr(crate::i18n::Lang::ZhCn).msg(&e);
        let unreachable = crate::i18n::Tr(crate::i18n::Lang::ZhCn).t("backend.net.net_unreachable");
        assert!(
            !text.contains(&unreachable[..12]),
            "not 'cannot reach': {text}"
        );
        assert!(text.contains("不是网络问题"), "{text}");
    }

    #[test]
    fn the_bounded_reader_stops_at_the_limit_and_the_deadline() {
        let mut small: &[u8] = b"{\"code\":1}";
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(
            read_bounded(&mut small, 64, far, Duration::from_secs(60)).unwrap(),
            b"{\"code\":1}"
        );
        let mut big = std::io::repeat(b'x');
        assert_eq!(
            read_bounded(&mut big, 1000, far, Duration::from_secs(60)),
            Err(SendError::TooLarge { limit: 1000 })
        );
        let mut slow = std::io::repeat(b'x').take(10);
        assert_eq!(
            read_bounded(
                &mut slow,
                1000,
                Instant::now() - Duration::from_secs(1),
                Duration::from_secs(7)
            ),
            Err(SendError::Net(NetError::Timeout(7)))
        );
    }
}
