//! HTTP to WeChat. HTTPS with certificate validation always; plain http only to
//! a loopback address (the test servers). Every request has a 10 s timeout.
//! Base URLs come from `WXPAY_SETUP_MP_API` and `WXPAY_SETUP_PAY_API` when set.
//! A reply comes back with the headers the checks read: `Date` (this computer's
//! clock against WeChat's) and the `Wechatpay-*` signature of APIv3 replies.

use std::time::Duration;

use crate::domain::wxapi::ReplyHeaders;

pub const MP_API_DEFAULT: &str = "https://api.weixin.qq.com";
pub const PAY_API_DEFAULT: &str = "https://api.mch.weixin.qq.com";
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a request got no answer: distinct from "WeChat says your value is wrong".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter), vis(pub))]
pub enum NetError {
    #[error("timed out")]
    Timeout,
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Other(String),
    #[error("refused base URL {0}: HTTPS is required except for loopback")]
    InsecureUrl(String),
}

impl NetError {
    /// One value of every variant, for the test that each has a text in both
    /// languages: the match over the discriminants stops compiling when a
    /// variant is added without a sample here.
    pub fn samples() -> Vec<NetError> {
        use NetErrorDiscriminants as D;
        use strum::IntoEnumIterator;
        D::iter()
            .map(|d| match d {
                D::Timeout => NetError::Timeout,
                D::Connect => NetError::Connect("connection refused".into()),
                D::Tls => NetError::Tls("unknown issuer".into()),
                D::Other => NetError::Other("reset".into()),
                D::InsecureUrl => NetError::InsecureUrl("http://example.com".into()),
            })
            .collect()
    }

    pub fn code(&self) -> &'static str {
        match self {
            NetError::Timeout => "net_timeout",
            NetError::Connect(_) | NetError::Other(_) => "net_unreachable",
            NetError::Tls(_) => "net_tls",
            NetError::InsecureUrl(_) => "net_insecure_url",
        }
    }

    pub fn detail(&self) -> String {
        self.to_string()
    }
}

pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: ReplyHeaders,
}

/// The headers the checks read, each bounded (a real one is under 400 bytes).
fn reply_headers(h: &reqwest::header::HeaderMap) -> ReplyHeaders {
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(1024).collect::<String>())
    };
    ReplyHeaders {
        date: get("date"),
        wechatpay_serial: get("wechatpay-serial"),
        wechatpay_signature: get("wechatpay-signature"),
        wechatpay_timestamp: get("wechatpay-timestamp"),
        wechatpay_nonce: get("wechatpay-nonce"),
    }
}

/// What the checks and the push need from HTTP. The real one is [`HttpClient`];
/// tests point it at a local server that behaves as WeChat documents, or use
/// [`FakeHttp`].
pub trait WeChatHttp: Send + Sync {
    fn get(&self, url: &str, authorization: Option<&str>) -> Result<Reply, NetError>;
    fn post_xml(&self, url: &str, body: &str) -> Result<Reply, NetError>;
    /// POSTs a multipart form with a bearer token and an idempotency key (the
    /// shop backend push). A client that cannot (a test double for the checks
    /// only) says so as an error rather than pretending to send.
    fn post_multipart(
        &self,
        url: &str,
        token: &str,
        idempotency_key: &str,
        parts: &[crate::domain::push::Part],
    ) -> Result<Reply, NetError> {
        let _ = (url, token, idempotency_key, parts);
        Err(NetError::Other(
            "multipart is not supported by this client".into(),
        ))
    }
}

/// One request a [`FakeHttp`] received (secrets left out: the token is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenRequest {
    pub method: &'static str,
    pub url: String,
    pub idempotency_key: Option<String>,
    /// The multipart field names, in order.
    pub part_names: Vec<String>,
}

/// An HTTP double: answers every request with the next scripted reply (the last
/// one repeats), and records what it was asked.
#[derive(Default, Clone)]
pub struct FakeHttp {
    inner: std::sync::Arc<std::sync::Mutex<FakeHttpInner>>,
}

#[derive(Default)]
struct FakeHttpInner {
    replies: std::collections::VecDeque<Result<(u16, String), NetError>>,
    seen: Vec<SeenRequest>,
}

impl FakeHttp {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a reply.
    pub fn reply(&self, status: u16, body: &str) -> &Self {
        self.lock().replies.push_back(Ok((status, body.to_owned())));
        self
    }

    /// Queues a network failure.
    pub fn fail(&self, e: NetError) -> &Self {
        self.lock().replies.push_back(Err(e));
        self
    }

    pub fn seen(&self) -> Vec<SeenRequest> {
        self.lock().seen.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeHttpInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn answer(&self, req: SeenRequest) -> Result<Reply, NetError> {
        check_base_url(&req.url)?;
        let mut g = self.lock();
        g.seen.push(req);
        let next = if g.replies.len() > 1 {
            g.replies.pop_front()
        } else {
            g.replies.front().cloned()
        };
        match next {
            Some(Ok((status, body))) => Ok(Reply {
                status,
                body,
                headers: Default::default(),
            }),
            Some(Err(e)) => Err(e),
            None => Err(NetError::Connect("no reply scripted".into())),
        }
    }
}

impl WeChatHttp for FakeHttp {
    fn get(&self, url: &str, _authorization: Option<&str>) -> Result<Reply, NetError> {
        self.answer(SeenRequest {
            method: "GET",
            url: url.to_owned(),
            idempotency_key: None,
            part_names: Vec::new(),
        })
    }
    fn post_xml(&self, url: &str, _body: &str) -> Result<Reply, NetError> {
        self.answer(SeenRequest {
            method: "POST",
            url: url.to_owned(),
            idempotency_key: None,
            part_names: Vec::new(),
        })
    }
    fn post_multipart(
        &self,
        url: &str,
        _token: &str,
        idempotency_key: &str,
        parts: &[crate::domain::push::Part],
    ) -> Result<Reply, NetError> {
        self.answer(SeenRequest {
            method: "POST",
            url: url.to_owned(),
            idempotency_key: Some(idempotency_key.to_owned()),
            part_names: parts.iter().map(|p| p.name().to_owned()).collect(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct BaseUrls {
    pub mp: String,
    pub pay: String,
}

impl BaseUrls {
    pub fn from_env() -> Result<BaseUrls, NetError> {
        let read = |var: &str, default: &str| {
            std::env::var(var)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        let urls = BaseUrls {
            mp: read("WXPAY_SETUP_MP_API", MP_API_DEFAULT),
            pay: read("WXPAY_SETUP_PAY_API", PAY_API_DEFAULT),
        };
        check_base_url(&urls.mp)?;
        check_base_url(&urls.pay)?;
        Ok(urls)
    }
}

/// HTTPS anywhere; plain http only to 127.0.0.0/8, ::1 or localhost.
pub fn check_base_url(url: &str) -> Result<(), NetError> {
    let bad = || NetError::InsecureUrl(url.to_owned());
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| bad())?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if loopback { Ok(()) } else { Err(bad()) }
        }
        _ => Err(bad()),
    }
}

pub struct HttpClient {
    client: reqwest::blocking::Client,
}

impl HttpClient {
    pub fn new() -> Result<HttpClient, NetError> {
        // rustls with ring: no C toolchain beyond what ring needs, no OpenSSL
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            // WeChat's APIs never redirect; a redirect is a captive portal or proxy page
            .redirect(reqwest::redirect::Policy::none())
            // a handful of one-shot requests: a fresh connection each, no stale keep-alive
            .pool_max_idle_per_host(0)
            .https_only(false) // checked per base URL above, so loopback http works in tests
            .user_agent(concat!("wxpay-setup/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| NetError::Other(e.to_string()))?;
        Ok(HttpClient { client })
    }

    fn send(&self, req: reqwest::blocking::RequestBuilder) -> Result<Reply, NetError> {
        let resp = req.send().map_err(classify)?;
        let status = resp.status().as_u16();
        let headers = reply_headers(resp.headers());
        // bound what we read: a real reply is a few KB
        let bytes = resp.bytes().map_err(classify)?;
        let body = String::from_utf8_lossy(&bytes[..bytes.len().min(1 << 20)]).into_owned();
        Ok(Reply {
            status,
            body,
            headers,
        })
    }
}

fn classify(e: reqwest::Error) -> NetError {
    if e.is_timeout() {
        return NetError::Timeout;
    }
    let is_connect = e.is_connect() || e.is_request() || e.is_body();
    // the URL is left out: its path (/v3/certificates) must not read as a TLS problem,
    // and a check URL carries the AppSecret in its query
    let e = e.without_url();
    // the whole chain decides the kind; the innermost cause is what the user reads
    let mut chain = e.to_string();
    let mut innermost = chain.clone();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = src {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        innermost = s.to_string();
        src = s.source();
    }
    let detail: String = innermost.chars().take(100).collect();
    let lower = chain.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        NetError::Tls(detail)
    } else if is_connect {
        NetError::Connect(detail)
    } else {
        NetError::Other(detail)
    }
}

impl WeChatHttp for HttpClient {
    fn post_multipart(
        &self,
        url: &str,
        token: &str,
        idempotency_key: &str,
        parts: &[crate::domain::push::Part],
    ) -> Result<Reply, NetError> {
        use crate::domain::push::Part;
        check_base_url(url)?;
        let mut form = reqwest::blocking::multipart::Form::new();
        for p in parts {
            form = match p {
                Part::Text { name, value, .. } => form.text(name.clone(), value.clone()),
                Part::File {
                    name,
                    file_name,
                    content,
                    ..
                } => form.part(
                    name.clone(),
                    reqwest::blocking::multipart::Part::bytes(content.clone().into_bytes())
                        .file_name(file_name.clone())
                        .mime_str("application/x-pem-file")
                        .map_err(|e| NetError::Other(e.to_string()))?,
                ),
            };
        }
        self.send(
            self.client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", idempotency_key)
                .multipart(form),
        )
    }
    fn get(&self, url: &str, authorization: Option<&str>) -> Result<Reply, NetError> {
        check_base_url(url)?;
        let mut req = self.client.get(url).header("Accept", "application/json");
        if let Some(a) = authorization {
            req = req.header("Authorization", a);
        }
        self.send(req)
    }

    fn post_xml(&self, url: &str, body: &str) -> Result<Reply, NetError> {
        check_base_url(url)?;
        self.send(
            self.client
                .post(url)
                .header("Content-Type", "text/xml; charset=utf-8")
                .body(body.to_owned()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://api.weixin.qq.com",
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "http://127.3.4.5",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.weixin.qq.com",
            "http://10.0.0.1",
            "ftp://x",
            "not a url",
            "http://127.0.0.1.evil.com",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }
}
