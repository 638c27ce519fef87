//! HTTP to WeChat. HTTPS with certificate validation always; plain http only to
//! a loopback address (the test servers). Every request has a deadline for its
//! whole reply, body included ([`WECHAT_DEADLINE`], 10 s): a reply that trickles
//! in a byte at a time ends there, not after minutes (a per-read timeout alone
//! never fires for it). Connecting has its own [`TIMEOUT`]; a connection that
//! never opens is "cannot connect", one whose reply is late is
//! [`NetError::Timeout`] with the limit that was hit, so a message can say it.
//! Base URLs come from `WXPAY_SETUP_MP_API` and `WXPAY_SETUP_PAY_API` when set;
//! the deadlines from `WXPAY_SETUP_WECHAT_DEADLINE_SECS` and
//! `WXPAY_SETUP_BACKEND_DEADLINE_SECS` (whole seconds; for tests, like the URLs).
//! A reply comes back with the headers the checks read: `Date` (this computer's
//! clock against WeChat's) and the `Wechatpay-*` signature of APIv3 replies.
//!
//! Proxies. The requests carry secrets: the AppSecret in the URL's query, the
//! v2 signature, the push's bearer token and body. The rule, for WeChat and for
//! the shop backend push alike:
//! - plain `http://` targets (only loopback ones are allowed at all) never go
//!   through a proxy: through one, the whole request, secret included, would
//!   travel in clear to it. `HTTP_PROXY`/`http_proxy` are therefore not used;
//! - `https://` targets go through the proxy named by `HTTPS_PROXY`,
//!   `https_proxy`, `ALL_PROXY` or `all_proxy` (the first one set), skipping
//!   the hosts of `NO_PROXY`/`no_proxy`, when it is an `http://` or `https://`
//!   proxy: reqwest then opens a CONNECT tunnel, so the proxy sees only the host
//!   name and port, the request stays inside TLS, and the server's certificate
//!   is still checked end to end (an intercepting proxy fails that check);
//! - any other proxy (`socks5://`...: not built in) is refused for https
//!   targets with [`NetError::UnsupportedProxy`], rather than silently going
//!   around what the user configured.
//!
//! Nothing else of the environment is read: reqwest's own proxy lookup is off.
//! [`proxy_in_use`] tells which proxy applies (without its password), for
//! `verify` to print.

use std::time::Duration;

use crate::domain::wxapi::ReplyHeaders;

pub const MP_API_DEFAULT: &str = "https://api.weixin.qq.com";
pub const PAY_API_DEFAULT: &str = "https://api.mch.weixin.qq.com";
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a WeChat request may take, its whole reply included.
pub const WECHAT_DEADLINE: Duration = Duration::from_secs(10);
/// The longest a shop backend request may take, its whole reply included
/// (`backend_http`): a shared PHP host writing settings can be slow.
pub const BACKEND_DEADLINE: Duration = Duration::from_secs(30);

/// Why a request got no answer: distinct from "WeChat says your value is wrong".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter), vis(pub))]
pub enum NetError {
    /// No whole reply within the limit (in seconds) after the request went
    /// out: the server may have acted on it.
    #[error("no whole reply within {0} s")]
    Timeout(u64),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Other(String),
    #[error("refused base URL {0}: HTTPS is required except for loopback")]
    InsecureUrl(String),
    /// A proxy we will not send through (see the module header); the proxy's
    /// address, without user and password.
    #[error("unsupported proxy {0}: only http:// or https:// proxies are used")]
    UnsupportedProxy(String),
    /// The reply's body went on past [`crate::services::http_body::BODY_LIMIT`]
    /// bytes (the limit): not read further, and not judged.
    #[error("the reply is over {0} bytes")]
    TooLarge(u64),
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
                D::Timeout => NetError::Timeout(WECHAT_DEADLINE.as_secs()),
                D::Connect => NetError::Connect("connection refused".into()),
                D::Tls => NetError::Tls("unknown issuer".into()),
                D::Other => NetError::Other("reset".into()),
                D::InsecureUrl => NetError::InsecureUrl("http://example.com".into()),
                D::UnsupportedProxy => NetError::UnsupportedProxy("socks5://127.0.0.1:1080".into()),
                D::TooLarge => NetError::TooLarge(crate::services::http_body::BODY_LIMIT),
            })
            .collect()
    }

    pub fn code(&self) -> &'static str {
        match self {
            NetError::Timeout(_) => "net_timeout",
            NetError::Connect(_) | NetError::Other(_) => "net_unreachable",
            NetError::Tls(_) => "net_tls",
            NetError::InsecureUrl(_) => "net_insecure_url",
            NetError::UnsupportedProxy(_) => "net_proxy",
            NetError::TooLarge(_) => "net_too_large",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            // the limit, in the unit a person reads
            NetError::TooLarge(limit) if limit % (1 << 20) == 0 => format!("{} MiB", limit >> 20),
            _ => self.to_string(),
        }
    }

    /// The limit a [`NetError::Timeout`] hit, in seconds, for the message.
    pub fn seconds(&self) -> Option<u64> {
        match self {
            NetError::Timeout(secs) => Some(*secs),
            _ => None,
        }
    }

    /// The kind of failure, as a `domain::cause` code ("refused", "dns",
    /// "timeout", …): what a message says in the reader's language, while the
    /// system's own English text stays in [`Self::detail`].
    pub fn cause(&self) -> &'static str {
        use crate::domain::cause::{NETWORK, cause_of};
        match self {
            NetError::Timeout(_) => "timeout",
            NetError::Tls(_) => "tls",
            NetError::Connect(d) | NetError::Other(d) => cause_of(d).unwrap_or(NETWORK),
            NetError::InsecureUrl(_) | NetError::UnsupportedProxy(_) | NetError::TooLarge(_) => {
                NETWORK
            }
        }
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

/// What the checks need from WeChat over HTTP. The real one is [`HttpClient`];
/// tests point it at a local server that behaves as WeChat documents, or use
/// [`FakeHttp`].
pub trait WeChatHttp: Send + Sync {
    fn get(&self, url: &str, authorization: Option<&str>) -> Result<Reply, NetError>;
    fn post_xml(&self, url: &str, body: &str) -> Result<Reply, NetError>;
    /// An APIv3 GET; with `wechatpay_serial`, the `Wechatpay-Serial` header
    /// that asks WeChat to sign its reply under that key (the WeChat Pay public
    /// key's ID). A client that cannot send it says so rather than dropping it.
    fn get_v3(
        &self,
        url: &str,
        authorization: &str,
        wechatpay_serial: Option<&str>,
    ) -> Result<Reply, NetError> {
        match wechatpay_serial {
            None => self.get(url, Some(authorization)),
            Some(_) => Err(NetError::Other(
                "Wechatpay-Serial is not supported by this client".into(),
            )),
        }
    }
}

/// One request a [`FakeHttp`] received (secrets left out: the token is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenRequest {
    pub method: &'static str,
    pub url: String,
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
    /// Replies for requests whose URL contains the text, before the queue.
    by_url: Vec<(String, (u16, String))>,
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

    /// Answers every request whose URL contains `part` with this reply, ahead
    /// of the queue (concurrent checks ask in no fixed order).
    pub fn reply_to(&self, part: &str, status: u16, body: &str) -> &Self {
        self.lock()
            .by_url
            .push((part.to_owned(), (status, body.to_owned())));
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
        let by_url = g
            .by_url
            .iter()
            .find(|(part, _)| req.url.contains(part.as_str()))
            .map(|(_, r)| Ok(r.clone()));
        g.seen.push(req);
        let next = if by_url.is_some() {
            by_url
        } else if g.replies.len() > 1 {
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
    fn get_v3(&self, url: &str, _: &str, _: Option<&str>) -> Result<Reply, NetError> {
        self.get(url, None)
    }
    fn get(&self, url: &str, _authorization: Option<&str>) -> Result<Reply, NetError> {
        self.answer(SeenRequest {
            method: "GET",
            url: url.to_owned(),
        })
    }
    fn post_xml(&self, url: &str, _body: &str) -> Result<Reply, NetError> {
        self.answer(SeenRequest {
            method: "POST",
            url: url.to_owned(),
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

/// An address as a message may show it: a user and password in it
/// (`https://user:pass@host/`) become `***` (`https://***@host/`). Works on
/// text that is no valid URL too, since refused addresses are shown.
pub fn redact_url(url: &str) -> String {
    let (start, authority) = authority_of(url);
    match authority.rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

/// Where `url`'s authority (`user:password@host:port`) starts, and the authority:
/// after the first `://` (or from the start), up to the path, query or fragment.
fn authority_of(url: &str) -> (usize, &str) {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    (
        start,
        &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())],
    )
}

/// `url` without the `user:password@` of its authority, when it has one.
pub fn without_userinfo(url: &str) -> Option<String> {
    let (start, authority) = authority_of(url);
    let at = authority.rfind('@')?;
    Some(format!("{}{}", &url[..start], &url[start + at + 1..]))
}

/// Whether `url` (perhaps half typed) may hold a user or password: its
/// authority has an `@`, or a `:` followed by something that is not a port.
pub fn may_hold_password(url: &str) -> bool {
    let (_, authority) = authority_of(url);
    if authority.contains('@') {
        return true;
    }
    // an IPv6 literal's colons are inside its brackets
    let host_end = if authority.starts_with('[') {
        authority.find(']').map_or(authority.len(), |i| i + 1)
    } else {
        0
    };
    match authority[host_end..].split_once(':') {
        Some((_, port)) => !port.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

/// HTTPS anywhere; plain http only to 127.0.0.0/8, ::1 or localhost; never a
/// user or password inside the address (it would be shown, stored in the
/// profile and bundles in plain text, and sent as a second Authorization).
pub fn check_base_url(url: &str) -> Result<(), NetError> {
    let bad = || NetError::InsecureUrl(redact_url(url));
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| bad())?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad());
    }
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

/// Which proxy requests to `https://` addresses go through (see the module
/// header); plain http ones never use one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProxyUse {
    /// The proxy, without user and password; `None`: straight to the server.
    pub https_proxy: Option<String>,
    /// The variable it was taken from.
    pub from_variable: Option<&'static str>,
    /// `NO_PROXY` as set: hosts reached directly anyway.
    pub no_proxy: Option<String>,
}

/// The line `verify` can print: `verify.proxy_direct` or `verify.proxy_via`.
impl crate::i18n::Message for ProxyUse {
    fn key(&self) -> String {
        match self.https_proxy {
            Some(_) => "verify.proxy_via".into(),
            None => "verify.proxy_direct".into(),
        }
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        vec![
            ("proxy", self.https_proxy.clone().unwrap_or_default().into()),
            (
                "variable",
                self.from_variable.unwrap_or_default().to_owned().into(),
            ),
            (
                "no_proxy",
                self.no_proxy.clone().unwrap_or_else(|| "-".into()).into(),
            ),
        ]
    }
}

const HTTPS_PROXY_VARS: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];
const NO_PROXY_VARS: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// How the client reads the environment; tests hand in their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn first_set(env: Env<'_>, names: &[&'static str]) -> Option<(&'static str, String)> {
    names.iter().find_map(|n| {
        env(n)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(|v| (*n, v))
    })
}

/// A proxy address without its user and password.
fn redact(url: &reqwest::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// The proxy for https targets: `Ok(None)` for none, an error for one we refuse.
fn https_proxy(env: Env<'_>) -> Result<Option<(&'static str, reqwest::Url)>, NetError> {
    let Some((var, value)) = first_set(env, &HTTPS_PROXY_VARS) else {
        return Ok(None);
    };
    // like curl and reqwest, an address without a scheme is an http proxy
    let text = if value.contains("://") {
        value
    } else {
        format!("http://{value}")
    };
    let url = reqwest::Url::parse(&text)
        .map_err(|_| NetError::UnsupportedProxy(format!("{var} (not an address)")))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(Some((var, url))),
        _ => Err(NetError::UnsupportedProxy(redact(&url))),
    }
}

/// Which proxy applies, from the process environment.
pub fn proxy_in_use() -> Result<ProxyUse, NetError> {
    proxy_use_from(&process_env)
}

pub fn proxy_use_from(env: Env<'_>) -> Result<ProxyUse, NetError> {
    let proxy = https_proxy(env)?;
    Ok(ProxyUse {
        https_proxy: proxy.as_ref().map(|(_, u)| redact(u)),
        from_variable: proxy.map(|(v, _)| v),
        no_proxy: first_set(env, &NO_PROXY_VARS).map(|(_, v)| v),
    })
}

pub struct HttpClient {
    client: reqwest::blocking::Client,
    /// [`WECHAT_DEADLINE`], or the test's.
    wechat_deadline: Duration,
    /// [`BACKEND_DEADLINE`], or the test's.
    backend_deadline: Duration,
    /// Set when the environment names a proxy we refuse: every https request
    /// fails with it (plain http ones, to loopback, never use a proxy).
    refused_proxy: Option<NetError>,
}

impl HttpClient {
    /// A client following the proxy rule of the module header over the process environment.
    pub fn new() -> Result<HttpClient, NetError> {
        HttpClient::with_env(&process_env)
    }

    /// The same, reading the proxy variables through `env`.
    pub fn with_env(env: Env<'_>) -> Result<HttpClient, NetError> {
        // rustls with ring: no C toolchain beyond what ring needs, no OpenSSL
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::blocking::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            // WeChat's APIs never redirect; a redirect is a captive portal or proxy page
            .redirect(reqwest::redirect::Policy::none())
            // a handful of one-shot requests: a fresh connection each, no stale keep-alive
            .pool_max_idle_per_host(0)
            .https_only(false) // checked per base URL above, so loopback http works in tests
            .user_agent(concat!("wxpay-setup/", env!("CARGO_PKG_VERSION")))
            // reqwest's own lookup would send plain http through HTTP_PROXY/ALL_PROXY
            .no_proxy();
        let mut refused_proxy = None;
        match https_proxy(env) {
            Ok(None) => {}
            Ok(Some((_, url))) => {
                // `Proxy::https`: only https targets, always as a CONNECT tunnel
                let mut proxy = reqwest::Proxy::https(url.as_str())
                    .map_err(|_| NetError::UnsupportedProxy(redact(&url)))?;
                if let Some((_, list)) = first_set(env, &NO_PROXY_VARS) {
                    proxy = proxy.no_proxy(reqwest::NoProxy::from_string(&list));
                }
                builder = builder.proxy(proxy);
            }
            Err(e) => refused_proxy = Some(e),
        }
        let client = builder
            .build()
            .map_err(|e| NetError::Other(e.to_string()))?;
        Ok(HttpClient {
            client,
            wechat_deadline: deadline_from(env, "WXPAY_SETUP_WECHAT_DEADLINE_SECS")
                .unwrap_or(WECHAT_DEADLINE),
            backend_deadline: deadline_from(env, "WXPAY_SETUP_BACKEND_DEADLINE_SECS")
                .unwrap_or(BACKEND_DEADLINE),
            refused_proxy,
        })
    }

    /// How long one shop backend request may take, its whole reply included.
    pub fn backend_deadline(&self) -> Duration {
        self.backend_deadline
    }

    /// The configured client (proxy rule, no redirects, timeouts), for the shop
    /// backend service (`services::backend_http`), which reads its replies itself.
    pub fn reqwest(&self) -> &reqwest::blocking::Client {
        &self.client
    }

    /// The checks every request passes first: the URL's scheme and host, and
    /// a refused proxy for https.
    pub fn allowed(&self, url: &str) -> Result<(), NetError> {
        check_base_url(url)?;
        let https = reqwest::Url::parse(url.trim()).is_ok_and(|u| u.scheme() == "https");
        match &self.refused_proxy {
            Some(e) if https => Err(e.clone()),
            _ => Ok(()),
        }
    }

    fn send(&self, req: reqwest::blocking::RequestBuilder) -> Result<Reply, NetError> {
        let deadline = self.wechat_deadline;
        let started = std::time::Instant::now();
        // reqwest's per-request timeout covers the body too; the reader's own
        // deadline check below holds even where it would not
        let resp = req
            .timeout(deadline)
            .send()
            .map_err(|e| classify(e, deadline))?;
        let status = resp.status().as_u16();
        let headers = reply_headers(resp.headers());
        // bound what we read: a real reply is a few KB; an endless one ends here
        let bytes = read_body(resp, started + deadline, deadline)?;
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Reply {
            status,
            body,
            headers,
        })
    }
}

/// A reply's body through [`http_body::read_limited_until`](crate::services::http_body::read_limited_until),
/// until `deadline` (`limit` after the request went out): over the size limit is
/// [`NetError::TooLarge`]; still arriving at the deadline, or a read that timed
/// out, [`NetError::Timeout`] naming `limit`; another failure is told as
/// reqwest's own error would be.
pub fn read_body(
    resp: reqwest::blocking::Response,
    deadline: std::time::Instant,
    limit: Duration,
) -> Result<Vec<u8>, NetError> {
    use crate::services::http_body::{BODY_LIMIT, BodyError, read_limited_until};
    match read_limited_until(resp, BODY_LIMIT, Some(deadline)) {
        Ok(bytes) => Ok(bytes),
        Err(BodyError::TooLarge { limit }) => Err(NetError::TooLarge(limit)),
        Err(BodyError::Late) => Err(NetError::Timeout(whole_secs(limit))),
        Err(BodyError::Read(e)) => Err(classify_io(e, limit)),
    }
}

/// A limit in whole seconds, as a message says it (at least 1).
pub fn whole_secs(limit: Duration) -> u64 {
    limit.as_secs().max(1)
}

/// A deadline from the environment variable `var`: whole seconds, 1 or more.
fn deadline_from(env: Env<'_>, var: &str) -> Option<Duration> {
    let secs: u64 = env(var)?.trim().parse().ok()?;
    (secs > 0).then(|| Duration::from_secs(secs))
}

/// A read error of a body: reqwest hands its own error inside an io::Error.
fn classify_io(e: std::io::Error, limit: Duration) -> NetError {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return NetError::Timeout(whole_secs(limit));
    }
    match e.into_inner() {
        Some(inner) => match inner.downcast::<reqwest::Error>() {
            Ok(re) => classify(*re, limit),
            Err(other) => NetError::Other(other.to_string().chars().take(100).collect()),
        },
        None => NetError::Other("the reply broke off".into()),
    }
}

/// An error and its causes: the whole chain in lower case (which decides the
/// kind of failure) and the innermost cause (what the user reads). Shared with
/// `backend_http`, which tells its own kinds from the same chain.
pub fn error_chain(e: &dyn std::error::Error) -> (String, String) {
    let mut chain = e.to_string();
    let mut innermost = chain.clone();
    let mut src = e.source();
    while let Some(s) = src {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        innermost = s.to_string();
        src = s.source();
    }
    (chain.to_ascii_lowercase(), innermost)
}

/// The kind of a failed request; `limit`: the deadline it was sent with.
fn classify(e: reqwest::Error, limit: Duration) -> NetError {
    // the URL is left out: its path (/v3/certificates) must not read as a TLS problem,
    // and a check URL carries the AppSecret in its query
    let (timeout, connect) = (e.is_timeout(), e.is_connect());
    let is_connect = connect || e.is_request() || e.is_body();
    let (lower, innermost) = error_chain(&e.without_url());
    let detail: String = innermost.chars().take(100).collect();
    if timeout {
        // a connection that never opened sent nothing: "cannot connect (timed out)"
        return if connect {
            NetError::Connect(detail)
        } else {
            NetError::Timeout(whole_secs(limit))
        };
    }
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        NetError::Tls(detail)
    } else if is_connect {
        NetError::Connect(detail)
    } else {
        NetError::Other(detail)
    }
}

impl WeChatHttp for HttpClient {
    fn get(&self, url: &str, authorization: Option<&str>) -> Result<Reply, NetError> {
        self.allowed(url)?;
        let mut req = self.client.get(url).header("Accept", "application/json");
        if let Some(a) = authorization {
            req = req.header("Authorization", a);
        }
        self.send(req)
    }

    fn get_v3(
        &self,
        url: &str,
        authorization: &str,
        wechatpay_serial: Option<&str>,
    ) -> Result<Reply, NetError> {
        self.allowed(url)?;
        let mut req = self
            .client
            .get(url)
            .header("Accept", "application/json")
            .header("Authorization", authorization);
        if let Some(serial) = wechatpay_serial {
            req = req.header("Wechatpay-Serial", serial);
        }
        self.send(req)
    }

    fn post_xml(&self, url: &str, body: &str) -> Result<Reply, NetError> {
        self.allowed(url)?;
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

    /// A loopback listener that records every byte it is sent and answers each
    /// connection with `reply`: the stand-in for a plain-http proxy, and for a
    /// loopback test server.
    fn recorder(reply: &'static [u8]) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = got.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { return };
                let _ = conn.set_read_timeout(Some(Duration::from_millis(300)));
                let mut buf = [0u8; 8192];
                // read until the client stops sending (the whole request), then answer
                while let Ok(n) = conn.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock().unwrap().extend_from_slice(&buf[..n]);
                }
                let _ = conn.write_all(reply);
            }
        });
        (port, got)
    }

    const OK_REPLY: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    const BAD_GATEWAY: &[u8] =
        b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    const SECRET: &str = "AppSecret0123456789abcdefABCDEF";
    const TOKEN: &str = "PushToken-9f86d081884c7d659a2f";

    fn text(b: &std::sync::Mutex<Vec<u8>>) -> String {
        String::from_utf8_lossy(&b.lock().unwrap()).into_owned()
    }

    /// Every proxy variable pointing at the stand-in.
    fn all_proxy_vars(port: u16) -> impl Fn(&str) -> Option<String> {
        move |name: &str| {
            matches!(
                name,
                "http_proxy"
                    | "HTTP_PROXY"
                    | "https_proxy"
                    | "HTTPS_PROXY"
                    | "ALL_PROXY"
                    | "all_proxy"
            )
            .then(|| format!("http://127.0.0.1:{port}"))
        }
    }

    #[test]
    fn plain_http_never_goes_through_a_proxy() {
        let (proxy, at_proxy) = recorder(BAD_GATEWAY);
        let (server, at_server) = recorder(OK_REPLY);
        let client = HttpClient::with_env(&all_proxy_vars(proxy)).unwrap();
        let base = format!("http://127.0.0.1:{server}");
        let r = client
            .get(
                &format!("{base}/cgi-bin/token?appid=wx1&secret={SECRET}"),
                None,
            )
            .unwrap();
        assert_eq!(r.status, 200);
        let r = client
            .get(&format!("{base}/push"), Some(&format!("Bearer {TOKEN}")))
            .unwrap();
        assert_eq!(r.status, 200);
        let proxy_saw = text(&at_proxy);
        assert!(proxy_saw.is_empty(), "the proxy received: {proxy_saw}");
        // and the requests did happen, straight to the server
        let server_saw = text(&at_server);
        assert!(server_saw.contains(SECRET) && server_saw.contains(TOKEN));
    }

    #[test]
    fn https_goes_through_an_http_proxy_only_as_a_connect_tunnel() {
        let (proxy, at_proxy) = recorder(BAD_GATEWAY);
        let client = HttpClient::with_env(&all_proxy_vars(proxy)).unwrap();
        // the stand-in refuses the tunnel, so nothing leaves this machine
        let r = client.get(
            &format!("https://api.weixin.qq.com/cgi-bin/token?appid=wx1&secret={SECRET}"),
            Some(TOKEN),
        );
        assert!(r.is_err());
        let proxy_saw = text(&at_proxy);
        assert!(
            proxy_saw.starts_with("CONNECT api.weixin.qq.com:443 "),
            "{proxy_saw}"
        );
        assert!(!proxy_saw.contains(SECRET) && !proxy_saw.contains(TOKEN));
        assert!(!proxy_saw.contains("/cgi-bin/"), "{proxy_saw}");
    }

    #[test]
    fn a_socks_or_unknown_proxy_is_refused_for_https_and_plain_http_stays_direct() {
        let (server, _) = recorder(OK_REPLY);
        let env =
            |name: &str| (name == "ALL_PROXY").then(|| "socks5://u:pw@127.0.0.1:1080".to_owned());
        let client = HttpClient::with_env(&env).unwrap();
        assert_eq!(
            client.get("https://api.weixin.qq.com/x", None).err(),
            Some(NetError::UnsupportedProxy("socks5://127.0.0.1:1080".into()))
        );
        let r = client
            .get(&format!("http://127.0.0.1:{server}/x"), None)
            .unwrap();
        assert_eq!(r.status, 200);
        assert!(proxy_use_from(&env).is_err());
    }

    #[test]
    fn a_refused_address_is_told_without_user_and_password() {
        let e = check_base_url("http://shop:s3cret-Pa55@10.0.0.5:8080/api?x=1").unwrap_err();
        let NetError::InsecureUrl(shown) = e else {
            panic!("{e:?}")
        };
        assert_eq!(shown, "http://***@10.0.0.5:8080/api?x=1");
        assert_eq!(redact_url("ftp://a@b@h/p@q"), "ftp://***@h/p@q");
        assert_eq!(redact_url("user:pw@host"), "***@host");
        assert_eq!(redact_url("https://host/a@b"), "https://host/a@b");
    }

    /// Found by a first-user trial: a password inside an https address was shown
    /// in the push preview and `--json`, stored in the profile and bundles, and
    /// sent as a second Authorization header beside the token.
    #[test]
    fn a_half_typed_password_in_an_address_is_seen() {
        for url in ["https://admin:Pa", "https://a@", "admin:pw@h"] {
            assert!(may_hold_password(url), "{url}");
        }
        for url in [
            "https://shop.example.com",
            "https://shop.example.com:8443/api",
            "http://[::1]:8080/x",
            "https://shop.example.com/a:b@c",
            "https://shop.example.com:",
        ] {
            assert!(!may_hold_password(url), "{url}");
        }
    }

    #[test]
    fn the_user_and_password_of_an_address_can_be_taken_out() {
        assert_eq!(
            without_userinfo("https://admin:Pa55@shop.example.com/x@y").as_deref(),
            Some("https://shop.example.com/x@y")
        );
        assert_eq!(without_userinfo("https://shop.example.com/a@b"), None);
    }

    #[test]
    fn an_address_with_a_user_or_password_is_refused_even_over_https() {
        for url in [
            "https://admin:Pa55Word@shop.example.com/x",
            "https://admin@shop.example.com/x",
            "https://:Pa55Word@shop.example.com/x",
            "http://u:p@127.0.0.1:8080/x",
        ] {
            let e = check_base_url(url).unwrap_err();
            assert!(!e.to_string().contains("Pa55Word"), "{e}");
        }
        assert!(check_base_url("https://shop.example.com/x").is_ok());
    }

    #[test]
    fn the_proxy_in_use_is_told_without_its_password() {
        let env = |name: &str| match name {
            "https_proxy" => Some("http://agent:hunter2@proxy.corp:3128".to_owned()),
            "ALL_PROXY" => Some("http://other:1".to_owned()),
            "no_proxy" => Some("localhost,.internal".to_owned()),
            "http_proxy" => Some("http://plain:1".to_owned()),
            _ => None,
        };
        assert_eq!(
            proxy_use_from(&env).unwrap(),
            ProxyUse {
                https_proxy: Some("http://proxy.corp:3128/".into()),
                from_variable: Some("https_proxy"),
                no_proxy: Some("localhost,.internal".into()),
            }
        );
        let bare = |name: &str| (name == "HTTPS_PROXY").then(|| "10.0.0.1:8080".to_owned());
        assert_eq!(
            proxy_use_from(&bare).unwrap().https_proxy.as_deref(),
            Some("http://10.0.0.1:8080/")
        );
        let line = crate::i18n::Tr(crate::i18n::Lang::En).msg(&proxy_use_from(&env).unwrap());
        assert!(
            line.contains("http://proxy.corp:3128/") && !line.contains("hunter2"),
            "{line}"
        );
        assert_eq!(
            proxy_use_from(&|_: &str| None).unwrap(),
            ProxyUse {
                https_proxy: None,
                from_variable: None,
                no_proxy: None
            }
        );
    }
}

/// Issue 18 item 1: a reply body is read through a bounded reader.
#[cfg(test)]
mod endless_reply {
    use super::*;
    use std::io::{Read, Write};

    /// A loopback server that answers `200` with a chunked body that does not
    /// end (64 KiB chunks, until the client goes away; at most 128 MiB so that
    /// a client without a limit cannot take the test machine down with it).
    fn endless_server() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { return };
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    let _ = conn.read(&mut buf);
                    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                                Transfer-Encoding: chunked\r\n\r\n";
                    if conn.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    let chunk = vec![b'x'; 64 * 1024];
                    let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                    frame.extend_from_slice(&chunk);
                    frame.extend_from_slice(b"\r\n");
                    for _ in 0..(128 * 16) {
                        if conn.write_all(&frame).is_err() {
                            return;
                        }
                    }
                    let _ = conn.write_all(b"0\r\n\r\n");
                });
            }
        });
        port
    }

    #[test]
    fn an_endless_chunked_200_ends_quickly_as_a_failure_never_a_verdict() {
        let port = endless_server();
        let client = HttpClient::with_env(&|_: &str| None).unwrap();
        let start = std::time::Instant::now();
        let r = client.get(&format!("http://127.0.0.1:{port}/cgi-bin/token"), None);
        let took = start.elapsed();
        match r {
            Err(NetError::TooLarge(limit)) => {
                assert_eq!(limit, crate::services::http_body::BODY_LIMIT)
            }
            Err(e) => panic!("another failure: {e:?}"),
            Ok(reply) => panic!(
                "a {} reply of {} bytes was taken as an answer",
                reply.status,
                reply.body.len()
            ),
        }
        assert!(took < Duration::from_secs(5), "took {took:?}");
    }
}
