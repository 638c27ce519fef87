//! WeChat Pay APIv2: the MD5 / HMAC-SHA256 signature, the flat XML format, and
//! `pay/orderquery` with a random order number, which proves MCHID + API key +
//! AppID binding without creating or changing anything.

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

use super::{Outcome, random_token};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignType {
    Md5,
    HmacSha256,
}

impl SignType {
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::HmacSha256 => "HMAC-SHA256",
        }
    }
}

pub type Params = BTreeMap<String, String>;

/// `k=v&k=v` of the non-empty fields except `sign`, sorted by name (ASCII),
/// then `&key=<API key>`.
pub fn string_to_sign(params: &Params, key: &str) -> String {
    let mut s = String::new();
    // BTreeMap iterates in byte order, which is the ASCII order WeChat asks for
    for (k, v) in params {
        if k == "sign" || v.is_empty() {
            continue;
        }
        s.push_str(k);
        s.push('=');
        s.push_str(v);
        s.push('&');
    }
    s.push_str("key=");
    s.push_str(key);
    s
}

fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

pub fn sign(params: &Params, key: &str, sign_type: SignType) -> String {
    let text = string_to_sign(params, key);
    match sign_type {
        SignType::Md5 => upper_hex(&Md5::digest(text.as_bytes())),
        SignType::HmacSha256 => {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes())
                .expect("HMAC takes keys of any length");
            mac.update(text.as_bytes());
            upper_hex(&mac.finalize().into_bytes())
        }
    }
}

/// Whether a reply's signature is right. The sign type is the reply's own
/// `sign_type` field when present, else the one of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureCheck {
    Valid,
    Invalid,
    Absent,
}

pub fn verify(params: &Params, key: &str, request_type: SignType) -> SignatureCheck {
    let Some(given) = params.get("sign").filter(|s| !s.is_empty()) else {
        return SignatureCheck::Absent;
    };
    let sign_type = match params.get("sign_type").map(String::as_str) {
        Some("HMAC-SHA256") => SignType::HmacSha256,
        Some("MD5") => SignType::Md5,
        _ => request_type,
    };
    if sign(params, key, sign_type).eq_ignore_ascii_case(given) {
        SignatureCheck::Valid
    } else {
        SignatureCheck::Invalid
    }
}

/// `<xml><k><![CDATA[v]]></k>...</xml>`.
pub fn to_xml(params: &Params) -> String {
    let mut s = String::from("<xml>");
    for (k, v) in params {
        // CDATA cannot contain its own terminator; none of our values do
        s.push_str(&format!("<{k}><![CDATA[{}]]></{k}>", v.replace("]]>", "")));
    }
    s.push_str("</xml>");
    s
}

/// Reads WeChat's flat XML. Anything else (HTML error page, nested XML,
/// garbage) is an error, never a panic.
pub fn parse_xml(body: &str) -> Result<Params, String> {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let mut reader = Reader::from_str(body);
    let mut params = Params::new();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    let mut text = String::new();
    let mut saw_root = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                let name = e.name().as_ref().to_owned();
                match depth {
                    1 if name == "xml" => saw_root = true,
                    1 => return Err(format!("root element is <{name}>, not <xml>")),
                    2 => {
                        current = Some(name);
                        text.clear();
                    }
                    _ => return Err("nested elements".into()),
                }
            }
            Ok(Event::End(_)) => {
                if depth == 2
                    && let Some(name) = current.take()
                {
                    params.insert(name, text.trim().to_owned());
                }
                depth = depth.saturating_sub(1);
            }
            Ok(Event::Empty(e)) if depth == 1 => {
                let name = e.name().as_ref().to_owned();
                params.insert(name, String::new());
            }
            Ok(Event::Text(t)) if depth == 2 => {
                // entities come as separate GeneralRef events
                text.push_str(t.as_ref());
            }
            Ok(Event::CData(c)) if depth == 2 => {
                text.push_str(&c.into_inner());
            }
            Ok(Event::GeneralRef(r)) if depth == 2 => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                    continue;
                }
                let name = r.as_ref().to_owned();
                let ch = match name.as_str() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => return Err(format!("unknown entity &{name};")),
                };
                text.push_str(ch);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    if !saw_root || depth != 0 {
        return Err("not a complete <xml> document".into());
    }
    Ok(params)
}

/// The body of `POST /pay/orderquery` for a random order number that cannot exist.
pub fn orderquery_request(appid: &str, mchid: &str, key: &str, sign_type: SignType) -> String {
    let mut p = Params::new();
    p.insert("appid".into(), appid.trim().to_owned());
    p.insert("mch_id".into(), mchid.trim().to_owned());
    p.insert(
        "out_trade_no".into(),
        format!("WXPAYSETUP{}", random_token(22)),
    );
    p.insert("nonce_str".into(), random_token(32));
    if sign_type == SignType::HmacSha256 {
        p.insert("sign_type".into(), sign_type.as_str().into());
    }
    let s = sign(&p, key, sign_type);
    p.insert("sign".into(), s);
    to_xml(&p)
}

/// Reads the orderquery reply. ORDERNOTEXIST with a valid reply signature proves
/// the MCHID, the API key and the AppID binding at once.
pub fn interpret_orderquery(body: &str, key: &str, sign_type: SignType) -> Outcome {
    let p = match parse_xml(body) {
        Ok(p) => p,
        Err(e) => return Outcome::error("bad_reply").with("detail", truncate(&e)),
    };
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    let return_msg = get("return_msg");
    let err_code = get("err_code");
    let not_bound =
        |s: &str| s.contains("appid和mch_id不匹配") || s.contains("APPID_MCHID_NOT_MATCH");
    if get("return_code") != "SUCCESS" {
        if return_msg.contains("签名错误") {
            return Outcome::fail("pay_wrong_key");
        }
        if not_bound(return_msg) {
            return Outcome::fail("pay_not_bound");
        }
        if return_msg.contains("AppID不存在")
            || return_msg.to_ascii_lowercase().contains("appid") && return_msg.contains("不存在")
        {
            return Outcome::fail("pay_appid_not_exist");
        }
        if return_msg.contains("mch_id") || return_msg.contains("商户号") {
            return Outcome::fail("pay_bad_mchid").with("detail", truncate(return_msg));
        }
        return Outcome::fail("pay_other").with("detail", truncate(return_msg));
    }
    // return_code SUCCESS: the reply is signed with the merchant's key
    match verify(&p, key, sign_type) {
        SignatureCheck::Invalid => return Outcome::error("pay_reply_signature_bad"),
        SignatureCheck::Valid | SignatureCheck::Absent => {}
    }
    match (get("result_code"), err_code) {
        (_, "ORDERNOTEXIST") => {
            if verify(&p, key, sign_type) == SignatureCheck::Valid {
                Outcome::ok("pay_ok")
            } else {
                Outcome::error("pay_reply_unsigned")
            }
        }
        (_, "APPID_MCHID_NOT_MATCH") => Outcome::fail("pay_not_bound"),
        (_, "APPID_NOT_EXIST") => Outcome::fail("pay_appid_not_exist"),
        (_, "MCHID_NOT_EXIST") => Outcome::fail("pay_bad_mchid").with("detail", "MCHID_NOT_EXIST"),
        (_, "SYSTEMERROR") => Outcome::error("system_error"),
        (_, "NOAUTH") => Outcome::fail("pay_no_auth"),
        ("SUCCESS", _) => Outcome::ok("pay_ok"),
        (_, code) if not_bound(get("err_code_des")) => {
            let _ = code;
            Outcome::fail("pay_not_bound")
        }
        (_, code) => Outcome::fail("pay_other").with(
            "detail",
            truncate(&format!("{code} {}", get("err_code_des"))),
        ),
    }
}

/// Replies are shown to the user: keep what we quote short.
pub fn truncate(s: &str) -> String {
    s.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Params {
        [
            ("appid", "wxd930ea5d5a258f4f"),
            ("mch_id", "10000100"),
            ("device_info", "1000"),
            ("body", "test"),
            ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// WeChat's published example (安全规范 / 签名算法).
    #[test]
    fn published_example_md5_and_hmac() {
        let key = "192006250b4c09247ec02edce69f6a2d";
        assert_eq!(
            string_to_sign(&example(), key),
            "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=192006250b4c09247ec02edce69f6a2d"
        );
        assert_eq!(
            sign(&example(), key, SignType::Md5),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
        assert_eq!(
            sign(&example(), key, SignType::HmacSha256),
            "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
        );
    }

    #[test]
    fn empty_values_and_sign_are_left_out_and_names_are_case_sensitive() {
        let mut p = example();
        let base = sign(&p, "k", SignType::Md5);
        p.insert("attach".into(), String::new());
        p.insert("sign".into(), "XYZ".into());
        assert_eq!(sign(&p, "k", SignType::Md5), base);
        p.insert("Zeta".into(), "1".into());
        assert!(
            string_to_sign(&p, "k").starts_with("Zeta=1&appid="),
            "uppercase sorts first in ASCII"
        );
    }

    #[test]
    fn xml_round_trip_and_verify() {
        let mut p = example();
        p.insert("sign_type".into(), "HMAC-SHA256".into());
        let s = sign(&p, "key", SignType::HmacSha256);
        p.insert("sign".into(), s);
        let back = parse_xml(&to_xml(&p)).unwrap();
        assert_eq!(back, p);
        assert_eq!(
            verify(&back, "key", SignType::Md5),
            SignatureCheck::Valid,
            "uses the reply's sign_type"
        );
        assert_eq!(
            verify(&back, "other", SignType::Md5),
            SignatureCheck::Invalid
        );
        let plain = parse_xml("<xml><a>1 &amp; 2</a><b/></xml>").unwrap();
        assert_eq!(plain["a"], "1 & 2");
        assert_eq!(plain["b"], "");
    }

    #[test]
    fn malformed_xml_is_an_error() {
        for bad in [
            "",
            "<html>busy</html>",
            "<xml><a><b>1</b></a></xml>",
            "<xml><a>1</a>",
            "not xml",
            "<xml><a>&bogus;</a></xml>",
        ] {
            assert!(parse_xml(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn request_is_signed_and_complete() {
        let body = orderquery_request(
            "wx1234567890abcdef",
            "1900006031",
            "K".repeat(32).as_str(),
            SignType::HmacSha256,
        );
        let p = parse_xml(&body).unwrap();
        assert_eq!(
            verify(&p, &"K".repeat(32), SignType::HmacSha256),
            SignatureCheck::Valid
        );
        assert!(p["out_trade_no"].len() <= 32);
        assert_eq!(p["sign_type"], "HMAC-SHA256");
        assert_eq!(p["appid"], "wx1234567890abcdef");
        assert_eq!(p["mch_id"], "1900006031");
        assert!(!p["nonce_str"].is_empty());
        assert_eq!(
            verify(&p, &"k".repeat(32), SignType::HmacSha256),
            SignatureCheck::Invalid,
            "signed with that key, not any"
        );
    }

    fn reply(fields: &[(&str, &str)], key: Option<&str>) -> String {
        let mut p: Params = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(k) = key {
            let s = sign(&p, k, SignType::Md5);
            p.insert("sign".into(), s);
        }
        to_xml(&p)
    }

    #[test]
    fn replies_map_to_plain_outcomes() {
        let key = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
        let ok = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "ORDERNOTEXIST"),
                ("nonce_str", "x"),
            ],
            Some(key),
        );
        assert_eq!(interpret_orderquery(&ok, key, SignType::Md5).code, "pay_ok");
        let forged = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "ORDERNOTEXIST"),
            ],
            Some("other"),
        );
        assert_eq!(
            interpret_orderquery(&forged, key, SignType::Md5).code,
            "pay_reply_signature_bad"
        );
        let unsigned = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "ORDERNOTEXIST"),
            ],
            None,
        );
        assert_eq!(
            interpret_orderquery(&unsigned, key, SignType::Md5).code,
            "pay_reply_unsigned"
        );
        for msg in ["签名错误", "签名错误，请检查后再试"] {
            let r = reply(&[("return_code", "FAIL"), ("return_msg", msg)], None);
            assert_eq!(
                interpret_orderquery(&r, key, SignType::Md5).code,
                "pay_wrong_key"
            );
        }
        let r = reply(
            &[
                ("return_code", "FAIL"),
                ("return_msg", "appid和mch_id不匹配"),
            ],
            None,
        );
        assert_eq!(
            interpret_orderquery(&r, key, SignType::Md5).code,
            "pay_not_bound"
        );
        let r = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "APPID_MCHID_NOT_MATCH"),
            ],
            Some(key),
        );
        assert_eq!(
            interpret_orderquery(&r, key, SignType::Md5).code,
            "pay_not_bound"
        );
        let r = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "SYSTEMERROR"),
            ],
            Some(key),
        );
        let o = interpret_orderquery(&r, key, SignType::Md5);
        assert_eq!(o.code, "system_error");
        assert!(o.is_retryable());
        let r = reply(
            &[("return_code", "FAIL"), ("return_msg", "AppID不存在")],
            None,
        );
        assert_eq!(
            interpret_orderquery(&r, key, SignType::Md5).code,
            "pay_appid_not_exist"
        );
        assert_eq!(
            interpret_orderquery("<html>502</html>", key, SignType::Md5).code,
            "bad_reply"
        );
    }
}
