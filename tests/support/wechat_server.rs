//! A local HTTP server that behaves as WeChat documents its endpoints. It checks
//! each request for real (the v2 signature, the v3 Authorization header against
//! the merchant's certificate key, the v3 timestamp against its own clock) with
//! its own code, not the app's, and answers with the documented replies: every
//! reply has a `Date` header from the server's clock, and APIv3 replies are
//! signed as WeChat signs them (`Wechatpay-*` headers), with the platform
//! certificate's key in certificate mode and with a separate WeChat Pay public
//! key in public-key mode. Some AppIDs trigger failure modes; [`Options`] sets
//! the clock, the signing and canned replies (the replies of facts §4a), and
//! the behaviours no public source rules out (facts §4b): a code looked at
//! before the secret, an orderquery that ignores the binding, a merchant
//! switching to the public key, a certificate list that answers 500, a `Date`
//! header a proxy rewrote.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64ct::{Base64, Encoding};
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use sha2::Sha256;
use std::sync::OnceLock;

/// AppIDs that make the server misbehave.
pub const APPID_SLOW: &str = "wx00000000000051ee";
pub const APPID_MALFORMED: &str = "wx00000000000bad0a";
pub const APPID_BUSY: &str = "wx0000000000000b05";

#[derive(Clone)]
pub struct App {
    pub appid: String,
    pub secret: String,
}

#[derive(Clone)]
pub struct Merchant {
    pub mchid: String,
    pub api_key: String,
    pub bound_appids: Vec<String>,
    /// PKCS#8 PEM of the merchant's private key: the server verifies with its public half.
    pub key_pem: String,
    pub serial: String,
    pub api_v3_key: String,
    pub public_key_mode: bool,
    /// Answer SYSTEMERROR this many times before the real answer.
    pub system_errors: usize,
    /// Report "not bound" in return_msg (older replies) rather than as err_code.
    pub not_bound_in_return_msg: bool,
}

/// How the server signs its APIv3 replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Signing {
    /// As WeChat does: the platform certificate's key (certificate mode), or
    /// the WeChat Pay public key's (public-key mode, including its 404).
    #[default]
    Right,
    /// No `Wechatpay-*` headers at all.
    Unsigned,
    /// The right serial in `Wechatpay-Serial`, but signed by another key.
    WrongKey,
}

/// Server-wide behaviour beyond what the merchants and apps define.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The server's clock minus the real one: its `Date` header, the
    /// `Wechatpay-Timestamp`, and the 5-minute window of APIv3 requests.
    pub clock_ahead_secs: i64,
    pub signing: Signing,
    /// `(path, HTTP status, body)`: answered for that path instead of the
    /// normal behaviour (unsigned, with a `Date` header).
    pub canned: Vec<(String, u16, String)>,
    /// jscode2session and oauth2 look at the (random, so invalid) code before
    /// the secret: every known AppID gets 40029, whatever the secret (facts
    /// §4b: the order of WeChat's checks is undocumented).
    pub code_before_secret: bool,
    /// orderquery does not look at the binding: a known AppID gets ORDERNOTEXIST
    /// from any merchant whose key signed the request (facts §4: no source shows
    /// orderquery checking the binding).
    pub orderquery_ignores_binding: bool,
    /// The merchants are switching from platform certificates to the WeChat Pay
    /// public key: `/v3/certificates` still lists the platform certificate, and
    /// a reply is signed with the public key only when the request's
    /// `Wechatpay-Serial` names it (as wechatpay-go asks).
    pub switching_to_public_key: bool,
    /// `/v3/certificates` answers `500 SYSTEM_ERROR` (seen for a brand-new
    /// merchant), unsigned, whatever the request.
    pub certificates_500: bool,
    /// The `Date` header this far from the server's clock (a proxy that writes
    /// its own), while `Wechatpay-Timestamp` keeps the server's clock.
    pub date_header_offset_secs: i64,
}

/// The serial of the platform certificate the server encrypts in
/// `/v3/certificates` (40 uppercase hex characters, as WeChat writes them).
pub const PLATFORM_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
/// The ID of the WeChat Pay public key that signs public-key-mode replies.
pub const PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0119000060312025112600000001";

/// The server's own keys are made here (not by `super`), so that the examples
/// that include this file by path can start it too.
fn new_key_pem() -> String {
    use rsa::pkcs8::EncodePrivateKey;
    let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).expect("rsa keygen");
    key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
}

fn platform_key() -> &'static str {
    static K: OnceLock<String> = OnceLock::new();
    K.get_or_init(new_key_pem)
}
fn public_key_mode_key() -> &'static str {
    static K: OnceLock<String> = OnceLock::new();
    K.get_or_init(new_key_pem)
}
fn stranger_key() -> &'static str {
    static K: OnceLock<String> = OnceLock::new();
    K.get_or_init(new_key_pem)
}

/// The platform certificate (PEM), made by rcgen with the platform key.
pub fn platform_cert_pem() -> &'static str {
    static C: OnceLock<String> = OnceLock::new();
    C.get_or_init(|| {
        let mut p = rcgen::CertificateParams::default();
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CommonName, "Tenpay.com Root CA");
        p.distinguished_name = dn;
        let serial: Vec<u8> = (0..PLATFORM_SERIAL.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&PLATFORM_SERIAL[i..i + 2], 16).unwrap())
            .collect();
        p.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
        let key = rcgen::KeyPair::from_pem_and_sign_algo(platform_key(), &rcgen::PKCS_RSA_SHA256)
            .unwrap();
        p.self_signed(&key).unwrap().pem()
    })
}

/// The WeChat Pay public key of public-key mode, as `pub_key.pem` holds it.
pub fn wechatpay_public_key_pem() -> String {
    public_pem(public_key_mode_key())
}

/// The SPKI PEM of a private key's public half (e.g. a wrong `pub_key.pem`).
pub fn public_pem(private_key_pem: &str) -> String {
    rsa::PrivateKey::from_pkcs8_pem(private_key_pem)
        .unwrap()
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap()
}

/// `Wed, 21 Oct 2015 07:28:00 GMT` (RFC 9110 IMF-fixdate), for the server's clock.
fn http_date(unix: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
    t.format(time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ))
    .unwrap()
}

fn real_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[derive(Default)]
pub struct Log {
    pub paths: Vec<String>,
}

pub struct FakeWeChat {
    pub url: String,
    server: Arc<tiny_http::Server>,
    pub log: Arc<Mutex<Log>>,
    pub requests: Arc<AtomicUsize>,
}

impl Drop for FakeWeChat {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

struct State {
    apps: HashMap<String, App>,
    merchants: Mutex<HashMap<String, Merchant>>,
    options: Options,
}

impl State {
    fn now(&self) -> i64 {
        real_now() + self.options.clock_ahead_secs
    }
}

impl FakeWeChat {
    pub fn start(apps: Vec<App>, merchants: Vec<Merchant>) -> FakeWeChat {
        Self::start_with(apps, merchants, Options::default())
    }

    pub fn start_with(apps: Vec<App>, merchants: Vec<Merchant>, options: Options) -> FakeWeChat {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let state = Arc::new(State {
            apps: apps.into_iter().map(|a| (a.appid.clone(), a)).collect(),
            merchants: Mutex::new(
                merchants
                    .into_iter()
                    .map(|m| (m.mchid.clone(), m))
                    .collect(),
            ),
            options,
        });
        let log = Arc::new(Mutex::new(Log::default()));
        let requests = Arc::new(AtomicUsize::new(0));
        let (s, l, r) = (server.clone(), log.clone(), requests.clone());
        std::thread::spawn(move || {
            for req in s.incoming_requests() {
                let (state, log, requests) = (state.clone(), l.clone(), r.clone());
                std::thread::spawn(move || handle(req, &state, &log, &requests));
            }
        });
        FakeWeChat {
            url,
            server,
            log,
            requests,
        }
    }

    pub fn paths(&self) -> Vec<String> {
        self.log.lock().unwrap().paths.clone()
    }
}

fn query(url: &str) -> HashMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), percent_decode(v)))
                .collect()
        })
        .unwrap_or_default()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A reply: status, body, and the `Wechatpay-*` headers when signed.
struct Answer {
    status: u16,
    body: String,
    headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn plain(status: u16, body: String) -> Answer {
        Answer {
            status,
            body,
            headers: Vec::new(),
        }
    }
}

fn respond(req: tiny_http::Request, state: &State, a: Answer) {
    let mut resp = tiny_http::Response::from_string(a.body)
        .with_status_code(a.status)
        .with_header("Connection: close".parse::<tiny_http::Header>().unwrap())
        .with_header(
            "Content-Type: application/json; charset=utf-8"
                .parse::<tiny_http::Header>()
                .unwrap(),
        )
        .with_header(
            tiny_http::Header::from_bytes(
                &b"Date"[..],
                http_date(state.now() + state.options.date_header_offset_secs).as_bytes(),
            )
            .unwrap(),
        );
    for (name, value) in a.headers {
        resp = resp
            .with_header(tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap());
    }
    let _ = req.respond(resp);
}

/// Signs an APIv3 reply as WeChat does: SHA256withRSA over
/// `timestamp\nnonce\nbody\n`, base64, with the signer's serial or key ID.
fn sign_v3(state: &State, serial: &str, key_pem: &str, a: Answer) -> Answer {
    let key = match state.options.signing {
        Signing::Unsigned => return a,
        Signing::Right => key_pem,
        Signing::WrongKey => stranger_key(),
    };
    let timestamp = state.now().to_string();
    let nonce = "b3a7e9f4c1d2e5f6a7b8c9d0e1f2a3b4".to_owned();
    let message = format!("{timestamp}\n{nonce}\n{}\n", a.body);
    let signer = SigningKey::<Sha256>::new(rsa::PrivateKey::from_pkcs8_pem(key).unwrap());
    let signature = Base64::encode_string(&signer.sign(message.as_bytes()).to_bytes());
    Answer {
        headers: vec![
            ("Wechatpay-Serial", serial.to_owned()),
            ("Wechatpay-Signature", signature),
            ("Wechatpay-Timestamp", timestamp),
            ("Wechatpay-Nonce", nonce),
            ("Request-ID", "08F78BB5AF0610D302A5A5B80C10".to_owned()),
        ],
        ..a
    }
}

fn handle(mut req: tiny_http::Request, state: &State, log: &Mutex<Log>, requests: &AtomicUsize) {
    requests.fetch_add(1, Ordering::SeqCst);
    let url = req.url().to_owned();
    let path = url.split('?').next().unwrap_or("").to_owned();
    log.lock().unwrap().paths.push(path.clone());
    let q = query(&url);
    let appid = q.get("appid").cloned().unwrap_or_default();
    if let Some((_, status, body)) = state.options.canned.iter().find(|(p, ..)| *p == path) {
        let a = Answer::plain(*status, body.clone());
        return respond(req, state, a);
    }
    match (req.method().as_str(), path.as_str()) {
        ("GET", "/sns/jscode2session") | ("GET", "/sns/oauth2/access_token") => {
            match appid.as_str() {
                APPID_SLOW => {
                    std::thread::sleep(Duration::from_secs(12));
                    respond(
                        req,
                        state,
                        Answer::plain(200, r#"{"errcode":40029}"#.into()),
                    );
                }
                APPID_MALFORMED => respond(
                    req,
                    state,
                    Answer::plain(200, "<html><body>502 Bad Gateway</body></html>".into()),
                ),
                _ => {
                    let rid = "rid: 6925a1b2-0f1e";
                    let body = match state.apps.get(&appid) {
                        _ if appid == APPID_BUSY => {
                            format!(r#"{{"errcode":-1,"errmsg":"system error, {rid}"}}"#)
                        }
                        None => format!(r#"{{"errcode":40013,"errmsg":"invalid appid, {rid}"}}"#),
                        Some(_) if state.options.code_before_secret => {
                            format!(r#"{{"errcode":40029,"errmsg":"invalid code, {rid}"}}"#)
                        }
                        Some(a) if Some(&a.secret) != q.get("secret") => {
                            format!(r#"{{"errcode":40125,"errmsg":"invalid appsecret, {rid}"}}"#)
                        }
                        Some(_) => format!(r#"{{"errcode":40029,"errmsg":"invalid code, {rid}"}}"#),
                    };
                    respond(req, state, Answer::plain(200, body));
                }
            }
        }
        ("POST", "/pay/orderquery") => {
            let mut body = String::new();
            let _ = req.as_reader().read_to_string(&mut body);
            let reply = orderquery(state, &body);
            respond(req, state, Answer::plain(200, reply));
        }
        ("GET", "/v3/certificates") => {
            let v3 = V3Request::of(&req, &url);
            let answer = certificates(state, &v3);
            respond(req, state, answer);
        }
        ("GET", p) if p.starts_with(ORDER_BY_OUT_TRADE_NO) => {
            let v3 = V3Request::of(&req, &url);
            let answer = order_by_out_trade_no(state, &v3);
            respond(req, state, answer);
        }
        _ => respond(
            req,
            state,
            Answer::plain(404, r#"{"code":"NOT_FOUND"}"#.into()),
        ),
    }
}

// ----- v2 -----------------------------------------------------------------------

fn parse_xml(body: &str) -> BTreeMap<String, String> {
    // WeChat's flat format: <xml><k><![CDATA[v]]></k>...</xml>
    let mut out = BTreeMap::new();
    let inner = body
        .trim()
        .trim_start_matches("<xml>")
        .trim_end_matches("</xml>");
    let mut rest = inner;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let name = rest[start + 1..start + end].to_owned();
        let close = format!("</{name}>");
        let Some(cpos) = rest.find(&close) else { break };
        let raw = &rest[start + end + 1..cpos];
        let value = raw.trim_start_matches("<![CDATA[").trim_end_matches("]]>");
        out.insert(name, value.to_owned());
        rest = &rest[cpos + close.len()..];
    }
    out
}

fn sign(p: &BTreeMap<String, String>, key: &str, hmac: bool) -> String {
    let mut s: Vec<String> = p
        .iter()
        .filter(|(k, v)| k.as_str() != "sign" && !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    s.push(format!("key={key}"));
    let text = s.join("&");
    let bytes: Vec<u8> = if hmac {
        let mut m = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key.as_bytes()).unwrap();
        m.update(text.as_bytes());
        m.finalize().into_bytes().to_vec()
    } else {
        Md5::digest(text.as_bytes()).to_vec()
    };
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn xml(p: &BTreeMap<String, String>) -> String {
    let mut s = String::from("<xml>");
    for (k, v) in p {
        s.push_str(&format!("<{k}><![CDATA[{v}]]></{k}>"));
    }
    s + "</xml>"
}

/// A reply that got through (`return_code` SUCCESS), as WeChat writes it: the
/// request's `appid` and `mch_id`, a nonce, signed with the merchant's key.
fn signed_reply(
    fields: &[(&str, &str)],
    appid: &str,
    mchid: &str,
    key: &str,
    hmac: bool,
) -> String {
    let mut p: BTreeMap<String, String> = fields
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    p.insert(
        "nonce_str".into(),
        "5K8264ILTKCH16CQ2502SI8ZNMTM67VS".into(),
    );
    p.insert("appid".into(), appid.into());
    p.insert("mch_id".into(), mchid.into());
    let s = sign(&p, key, hmac);
    p.insert("sign".into(), s);
    xml(&p)
}

fn orderquery(state: &State, body: &str) -> String {
    let p = parse_xml(body);
    let fail = |msg: &str| {
        format!(
            "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[{msg}]]></return_msg></xml>"
        )
    };
    let mchid = p.get("mch_id").cloned().unwrap_or_default();
    let mut merchants = state.merchants.lock().unwrap();
    let Some(m) = merchants.get_mut(&mchid) else {
        return fail("mch_id参数格式错误");
    };
    let hmac = p.get("sign_type").map(String::as_str) == Some("HMAC-SHA256");
    if p.get("sign").map(String::as_str) != Some(sign(&p, &m.api_key, hmac).as_str()) {
        return fail("签名错误，请检查后再试");
    }
    let appid = p.get("appid").cloned().unwrap_or_default();
    if !state.apps.contains_key(&appid) && !m.bound_appids.contains(&appid) {
        return fail("AppID不存在，请检查后再试");
    }
    let reply = |fields: &[(&str, &str)]| signed_reply(fields, &appid, &mchid, &m.api_key, hmac);
    if !m.bound_appids.contains(&appid) && !state.options.orderquery_ignores_binding {
        if m.not_bound_in_return_msg {
            return fail("appid和mch_id不匹配");
        }
        return reply(&[
            ("return_code", "SUCCESS"),
            ("result_code", "FAIL"),
            ("err_code", "APPID_MCHID_NOT_MATCH"),
            ("err_code_des", "appid和mch_id不匹配"),
        ]);
    }
    if m.system_errors > 0 {
        m.system_errors -= 1;
        return reply(&[
            ("return_code", "SUCCESS"),
            ("result_code", "FAIL"),
            ("err_code", "SYSTEMERROR"),
            ("err_code_des", "系统错误"),
        ]);
    }
    reply(&[
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("result_code", "FAIL"),
        ("err_code", "ORDERNOTEXIST"),
        ("err_code_des", "订单不存在"),
    ])
}

// ----- v3 -----------------------------------------------------------------------

fn auth_fields(auth: &str) -> Option<HashMap<String, String>> {
    let rest = auth.strip_prefix("WECHATPAY2-SHA256-RSA2048 ")?;
    Some(
        rest.split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
            .collect(),
    )
}

/// The path of "query an order by the merchant's order number" (APIv3); the
/// order number follows, and `?mchid=` after it.
pub const ORDER_BY_OUT_TRADE_NO: &str = "/v3/pay/transactions/out-trade-no/";

/// What an APIv3 request brings: its `Authorization`, the `Wechatpay-Serial`
/// it asks the reply to be signed under, and the URL it signed (path and query).
struct V3Request {
    auth: String,
    wechatpay_serial: Option<String>,
    url: String,
}

impl V3Request {
    fn of(req: &tiny_http::Request, url: &str) -> V3Request {
        let header = |name: &'static str| {
            req.headers()
                .iter()
                .find(|h| h.field.equiv(name))
                .map(|h| h.value.as_str().to_owned())
        };
        V3Request {
            auth: header("Authorization").unwrap_or_default(),
            wechatpay_serial: header("Wechatpay-Serial"),
            url: url.to_owned(),
        }
    }
}

/// Checks an APIv3 request's Authorization as WeChat does (merchant, 5-minute
/// window, serial, signature over `GET\n<url>\n<timestamp>\n<nonce>\n\n`):
/// the merchant, or the refusal to answer (never signed: WeChat signs only
/// replies to requests whose signature verified).
fn authorize(state: &State, r: &V3Request) -> Result<Merchant, Answer> {
    let sign_error = |message: &str| {
        Answer::plain(
            401,
            format!(r#"{{"code":"SIGN_ERROR","message":"{message}"}}"#),
        )
    };
    let Some(f) = auth_fields(&r.auth) else {
        return Err(sign_error("签名错误"));
    };
    let merchants = state.merchants.lock().unwrap();
    let Some(m) = merchants.get(f.get("mchid").map(String::as_str).unwrap_or("")) else {
        return Err(sign_error("签名错误"));
    };
    // WeChat refuses a request more than 5 minutes off its own clock
    let timestamp: i64 = f.get("timestamp").and_then(|t| t.parse().ok()).unwrap_or(0);
    if (timestamp - state.now()).abs() > 300 {
        return Err(sign_error(
            "Http头Authorization中的timestamp与发起请求的时间不得超过5分钟",
        ));
    }
    if f.get("serial_no") != Some(&m.serial) {
        return Err(Answer::plain(
            401,
            r#"{"code":"SIGN_ERROR","detail":{"detail":{"issue":"sign not match"},"field":"","location":"","sign_information":{"method":"GET","sign_message_length":0,"truncated_sign_message":"","url":"/v3/certificates"}},"message":"商户证书序列号有误。"}"#.to_owned(),
        ));
    }
    let message = format!(
        "GET\n{}\n{}\n{}\n\n",
        r.url,
        f.get("timestamp").cloned().unwrap_or_default(),
        f.get("nonce_str").cloned().unwrap_or_default()
    );
    let public = rsa::PrivateKey::from_pkcs8_pem(&m.key_pem)
        .unwrap()
        .to_public_key();
    let verifier = VerifyingKey::<Sha256>::new(public);
    let ok = Base64::decode_vec(f.get("signature").map(String::as_str).unwrap_or(""))
        .ok()
        .and_then(|s| Signature::try_from(s.as_slice()).ok())
        .is_some_and(|sig| verifier.verify(message.as_bytes(), &sig).is_ok());
    if !ok {
        return Err(sign_error("签名错误"));
    }
    Ok(m.clone())
}

/// Signs a reply to merchant `m` as WeChat would: with the WeChat Pay public
/// key in public-key mode, or while switching when the request asked for it
/// (`Wechatpay-Serial`); else with the platform certificate's key.
fn sign_for(state: &State, m: &Merchant, r: &V3Request, a: Answer) -> Answer {
    let asked_public = state.options.switching_to_public_key
        && r.wechatpay_serial.as_deref() == Some(PUBLIC_KEY_ID);
    if m.public_key_mode || asked_public {
        sign_v3(state, PUBLIC_KEY_ID, public_key_mode_key(), a)
    } else {
        sign_v3(state, PLATFORM_SERIAL, platform_key(), a)
    }
}

fn certificates(state: &State, r: &V3Request) -> Answer {
    if state.options.certificates_500 {
        return Answer::plain(
            500,
            r#"{"code":"SYSTEM_ERROR","message":"系统繁忙，请稍后重试"}"#.to_owned(),
        );
    }
    let m = match authorize(state, r) {
        Ok(m) => m,
        Err(refused) => return refused,
    };
    if m.public_key_mode {
        let a = Answer::plain(
            404,
            r#"{"code":"RESOURCE_NOT_EXISTS","message":"无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥"}"#.to_owned(),
        );
        return sign_for(state, &m, r, a);
    }
    let cipher = Aes256Gcm::new_from_slice(m.api_v3_key.as_bytes()).unwrap();
    let nonce = "61f9c719728a";
    let ct = cipher
        .encrypt(
            &Nonce::try_from(nonce.as_bytes()).unwrap(),
            Payload {
                msg: platform_cert_pem().as_bytes(),
                aad: b"certificate",
            },
        )
        .unwrap();
    let body = format!(
        r#"{{"data":[{{"serial_no":"{PLATFORM_SERIAL}","effective_time":"2024-06-08T10:34:56+08:00","expire_time":"2029-06-08T10:34:56+08:00","encrypt_certificate":{{"algorithm":"AEAD_AES_256_GCM","nonce":"{nonce}","associated_data":"certificate","ciphertext":"{}"}}}}]}}"#,
        Base64::encode_string(&ct)
    );
    sign_for(state, &m, r, Answer::plain(200, body))
}

/// `GET /v3/pay/transactions/out-trade-no/{no}?mchid=..`: no order of ours
/// exists, so a request that verified gets a signed `404 ORDER_NOT_EXIST`.
fn order_by_out_trade_no(state: &State, r: &V3Request) -> Answer {
    let m = match authorize(state, r) {
        Ok(m) => m,
        Err(refused) => return refused,
    };
    if query(&r.url).get("mchid") != Some(&m.mchid) {
        return sign_for(
            state,
            &m,
            r,
            Answer::plain(
                400,
                r#"{"code":"PARAM_ERROR","message":"mchid与请求的商户号不一致"}"#.to_owned(),
            ),
        );
    }
    let a = Answer::plain(
        404,
        r#"{"code":"ORDER_NOT_EXIST","message":"查询单据不存在"}"#.to_owned(),
    );
    sign_for(state, &m, r, a)
}

/// A server that accepts connections and closes each at once, without a byte of
/// reply: a dropped connection. It serves at most `max` connections, then stops.
pub fn dropping_server(max: usize) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut s in listener.incoming().take(max).flatten() {
            let mut buf = [0u8; 512];
            let _ = std::io::Read::read(&mut s, &mut buf);
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    });
    url
}

/// An HTTPS server whose certificate no system trusts (self-signed, by rcgen):
/// the client must refuse it. Serves at most `max` connections.
pub fn untrusted_tls_server(max: usize) -> String {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "https://localhost:{}",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max).flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut buf = [0u8; 1024];
                let _ = std::io::Read::read(&mut tls, &mut buf);
            });
        }
    });
    url
}

/// A server that answers every request at once with `200` and a
/// `Content-Length` of `len`, then sends that body one byte per `every`: a reply
/// that trickles (third CLI trial M1). Each connection is served on its own thread.
pub fn trickle_server(len: usize, every: Duration) -> String {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = std::io::Read::read(&mut s, &mut buf);
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Content-Length: {len}\r\nConnection: close\r\n\r\n"
                );
                if s.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for _ in 0..len {
                    std::thread::sleep(every);
                    if s.write_all(b" ").and_then(|_| s.flush()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}
