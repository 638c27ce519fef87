//! WeChat Pay APIv2: the MD5 / HMAC-SHA256 signature, the flat XML format, and
//! `pay/orderquery` with a random order number: WeChat accepting the request
//! signed with the API key (ORDERNOTEXIST, in a reply signed with that key and
//! naming the request's `appid` and `mch_id`) proves the merchant number and
//! the key, and it creates or changes nothing. It does not prove the AppID is
//! bound to the merchant number: no source shows orderquery checking the
//! binding (facts §4), so the reply gives two verdicts, the key's and the
//! binding's, and the binding's is "wrong" only when WeChat names it.

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

use super::known::{self, Api, Said};
use super::{Outcome, Status, WeChatWords, random_token};

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

/// What the orderquery request asked about: the reply must name the same.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub appid: &'a str,
    pub mchid: &'a str,
}

/// The two verdicts of one orderquery reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQueryVerdict {
    /// The merchant number and the APIv2 key.
    pub pay: Outcome,
    /// The AppID's binding to the merchant number: `fail` when WeChat names
    /// it, else `unproven` (the merchant confirms it in the merchant platform).
    pub binding: Outcome,
}

/// The binding item when WeChat did not name the binding.
pub fn binding_unproven(appid: &str) -> Outcome {
    Outcome::unproven("binding_unproven").with("appid", appid.trim())
}

/// Reads the orderquery reply (HTTP status `http`). The verdicts come from the
/// table of known replies; "right" (ORDERNOTEXIST) needs the reply's signature
/// to verify with the key and its `appid` and `mch_id` to be the request's: a
/// SUCCESS reply without `sign` proves nothing, and one about another account
/// is not about these values.
pub fn interpret_orderquery(
    http: u16,
    body: &str,
    key: &str,
    sign_type: SignType,
    asked: Asked<'_>,
) -> OrderQueryVerdict {
    let binding = binding_unproven(asked.appid);
    let p = match parse_xml(body) {
        Ok(p) => p,
        Err(e) => {
            let pay = Outcome::error("bad_reply")
                .with("detail", truncate(&e))
                .heard(WeChatWords::new(http, None, None));
            return OrderQueryVerdict { pay, binding };
        }
    };
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    let success = get("return_code") == "SUCCESS";
    // WeChat's words: the transport level when it failed, else the business level
    let words = if success {
        let code = Some(get("err_code"))
            .filter(|c| !c.is_empty())
            .unwrap_or(get("result_code"));
        let message = Some(get("err_code_des"))
            .filter(|c| !c.is_empty())
            .unwrap_or(get("return_msg"));
        WeChatWords::new(http, Some(code), Some(message))
    } else {
        WeChatWords::new(http, Some(get("return_code")), Some(get("return_msg")))
    };
    let said = Said {
        http,
        errcode: None,
        // err_code means something only in a reply that got through (SUCCESS)
        code: if success { get("err_code") } else { "" },
        messages: vec![get("return_msg"), get("err_code_des")],
    };
    let (pay, binding) = match known::lookup(Api::OrderQuery, &said) {
        // WeChat stopped at the binding: the key was not looked at behind it
        Some(row) if row.code.starts_with("binding_") => (
            Outcome::error("pay_stopped_at_binding"),
            row.verdict("", &said).heard(words.clone()),
        ),
        Some(row) if row.status == Status::Ok => {
            let pay = match verify(&p, key, sign_type) {
                SignatureCheck::Valid
                    if get("appid") == asked.appid.trim()
                        && get("mch_id") == asked.mchid.trim() =>
                {
                    row.outcome("")
                }
                SignatureCheck::Valid => Outcome::error("pay_reply_other_account").with(
                    "detail",
                    truncate(&format!("appid={} mch_id={}", get("appid"), get("mch_id"))),
                ),
                SignatureCheck::Invalid => Outcome::error("pay_reply_signature_bad"),
                SignatureCheck::Absent => Outcome::error("pay_reply_unsigned"),
            };
            (pay, binding)
        }
        Some(row) => (row.verdict("", &said), binding),
        None => (known::unexpected(&said), binding),
    };
    OrderQueryVerdict {
        pay: pay.heard(words),
        binding,
    }
}

/// Replies are shown to the user: keep what we quote short.
pub use crate::domain::text::truncate;

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

    const ASKED: Asked<'static> = Asked {
        appid: "wx1234567890abcdef",
        mchid: "1900006031",
    };

    /// Both verdicts of a reply to a request for [`ASKED`].
    fn both(http: u16, body: &str, key: &str, st: SignType) -> OrderQueryVerdict {
        interpret_orderquery(http, body, key, st, ASKED)
    }

    /// The pay item's verdict; a "not bound" reply's verdict is the binding's.
    fn oq(http: u16, body: &str, key: &str, st: SignType) -> Outcome {
        let v = both(http, body, key, st);
        if v.binding.status == Status::Fail {
            v.binding
        } else {
            v.pay
        }
    }

    /// A reply as WeChat signs it, naming the request's appid and mch_id.
    fn reply(fields: &[(&str, &str)], key: Option<&str>) -> String {
        let mut all: Vec<(&str, &str)> = vec![("appid", ASKED.appid), ("mch_id", ASKED.mchid)];
        all.extend_from_slice(fields);
        bare_reply(&all, key)
    }

    fn bare_reply(fields: &[(&str, &str)], key: Option<&str>) -> String {
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
        assert_eq!(oq(200, &ok, key, SignType::Md5).code, "pay_ok");
        let forged = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "ORDERNOTEXIST"),
            ],
            Some("other"),
        );
        assert_eq!(
            oq(200, &forged, key, SignType::Md5).code,
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
            oq(200, &unsigned, key, SignType::Md5).code,
            "pay_reply_unsigned"
        );
        for msg in ["签名错误", "签名错误，请检查后再试"] {
            let r = reply(&[("return_code", "FAIL"), ("return_msg", msg)], None);
            assert_eq!(oq(200, &r, key, SignType::Md5).code, "pay_wrong_key");
        }
        let r = reply(
            &[
                ("return_code", "FAIL"),
                ("return_msg", "appid和mch_id不匹配"),
            ],
            None,
        );
        assert_eq!(oq(200, &r, key, SignType::Md5).code, "binding_not_bound");
        let r = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "APPID_MCHID_NOT_MATCH"),
            ],
            Some(key),
        );
        assert_eq!(oq(200, &r, key, SignType::Md5).code, "binding_not_bound");
        let r = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "SYSTEMERROR"),
            ],
            Some(key),
        );
        let o = oq(200, &r, key, SignType::Md5);
        assert_eq!(o.code, "system_error");
        assert!(o.is_retryable());
        let r = reply(
            &[("return_code", "FAIL"), ("return_msg", "AppID不存在")],
            None,
        );
        assert_eq!(oq(200, &r, key, SignType::Md5).code, "pay_appid_not_exist");
        assert_eq!(
            oq(200, "<html>502</html>", key, SignType::Md5).code,
            "bad_reply"
        );
    }

    fn verdict(fields: &[(&str, &str)], signed_with: Option<&str>) -> (Status, String) {
        let fields: Vec<(&str, &str)> = fields.to_vec();
        let key = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
        let o = oq(200, &reply(&fields, signed_with), key, SignType::Md5);
        (o.status, o.code)
    }

    /// Every wording of facts §4a, in both placements.
    #[test]
    fn every_known_wording_is_read() {
        let key = Some("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e");
        let fail = |msg| [("return_code", "FAIL"), ("return_msg", msg)];
        let biz = |code, des| {
            [
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", code),
                ("err_code_des", des),
            ]
        };
        let not_bound = (Status::Fail, "binding_not_bound".to_owned());
        let wrong_key = (Status::Fail, "pay_wrong_key".to_owned());
        for msg in [
            "appid和mch_id不匹配",
            "appid和mch_id不匹配，请检查后再试",
            "商户号mch_id与appid不匹配",
            "APPID_MCHID_NOT_MATCH",
        ] {
            assert_eq!(verdict(&fail(msg), None), not_bound, "{msg}");
            assert_eq!(
                verdict(&biz("", msg), key),
                not_bound,
                "{msg} in err_code_des"
            );
        }
        assert_eq!(verdict(&biz("APPID_MCHID_NOT_MATCH", ""), key), not_bound);
        for msg in ["签名错误", "签名错误，请检查后再试", "签名失败"] {
            assert_eq!(verdict(&fail(msg), None), wrong_key, "{msg}");
        }
        // SIGNERROR names the key, even though the reply's own signature can't match ours
        assert_eq!(
            verdict(&biz("SIGNERROR", "签名错误"), Some("other")),
            wrong_key
        );
        assert_eq!(verdict(&biz("SIGNERROR", "sign error"), None), wrong_key);
        assert_eq!(
            verdict(&fail("mch_id参数格式错误"), None),
            (Status::Fail, "pay_bad_mchid".into())
        );
        // unknown replies are "could not check", never a guess at a value
        for fields in [
            &fail("XML格式错误")[..],
            &fail("")[..],
            &biz("SOMETHING_NEW", "新的错误")[..],
            &[("return_code", "SUCCESS"), ("result_code", "SUCCESS")][..],
        ] {
            assert_eq!(
                verdict(fields, key),
                (Status::Error, "unexpected_reply".into()),
                "{fields:?}"
            );
        }
        // "right" needs the signature
        let found = biz("ORDERNOTEXIST", "订单不存在");
        assert_eq!(verdict(&found, key), (Status::Ok, "pay_ok".into()));
        assert_eq!(
            verdict(&found, None),
            (Status::Error, "pay_reply_unsigned".into())
        );
    }

    #[test]
    fn wechat_words_are_kept() {
        let key = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
        let o = oq(
            200,
            &reply(&[("return_code", "FAIL"), ("return_msg", "签名错误")], None),
            key,
            SignType::Md5,
        );
        assert_eq!(
            o.wechat,
            Some(WeChatWords {
                http: 200,
                code: Some("FAIL".into()),
                message: Some("签名错误".into())
            })
        );
        let o = oq(
            200,
            &reply(
                &[
                    ("return_code", "SUCCESS"),
                    ("return_msg", "OK"),
                    ("result_code", "FAIL"),
                    ("err_code", "ORDERNOTEXIST"),
                    ("err_code_des", "订单不存在"),
                ],
                Some(key),
            ),
            key,
            SignType::Md5,
        );
        assert_eq!(o.code, "pay_ok");
        let w = o.wechat.unwrap();
        assert_eq!(
            (w.code.as_deref(), w.message.as_deref()),
            (Some("ORDERNOTEXIST"), Some("订单不存在"))
        );
    }

    /// Issue 17 item 1: ORDERNOTEXIST proves the merchant number and key,
    /// never the binding; WeChat naming the binding fails the binding item,
    /// and the key is then not checked.
    #[test]
    fn the_binding_is_wrong_only_when_wechat_names_it() {
        let key = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
        let found = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "ORDERNOTEXIST"),
            ],
            Some(key),
        );
        let v = both(200, &found, key, SignType::Md5);
        assert_eq!((v.pay.status, v.pay.code.as_str()), (Status::Ok, "pay_ok"));
        assert_eq!(
            (v.binding.status, v.binding.code.as_str()),
            (Status::Unproven, "binding_unproven")
        );
        assert_eq!(v.binding.args, [("appid".into(), ASKED.appid.into())]);
        assert_eq!(v.binding.wechat, None, "WeChat said nothing of the binding");
        let not_bound = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "APPID_MCHID_NOT_MATCH"),
                ("err_code_des", "appid和mch_id不匹配"),
            ],
            Some(key),
        );
        let v = both(200, &not_bound, key, SignType::Md5);
        assert_eq!(
            (v.binding.status, v.binding.code.as_str()),
            (Status::Fail, "binding_not_bound")
        );
        assert_eq!(
            v.binding.wechat.as_ref().unwrap().code.as_deref(),
            Some("APPID_MCHID_NOT_MATCH")
        );
        assert_eq!(
            (v.pay.status, v.pay.code.as_str()),
            (Status::Error, "pay_stopped_at_binding")
        );
        // a wrong key: the binding is not looked at, so it stays unproven
        let v = both(
            200,
            &reply(&[("return_code", "FAIL"), ("return_msg", "签名错误")], None),
            key,
            SignType::Md5,
        );
        assert_eq!(v.pay.code, "pay_wrong_key");
        assert_eq!(v.binding.status, Status::Unproven);
    }

    /// Issue 17 item 1: "right" only for a reply about the request's AppID and
    /// merchant number.
    #[test]
    fn a_signed_reply_about_another_account_proves_nothing() {
        let key = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
        let fields = |appid, mchid| {
            vec![
                ("appid", appid),
                ("mch_id", mchid),
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "ORDERNOTEXIST"),
            ]
        };
        for (appid, mchid) in [
            ("wxfedcba0987654321", ASKED.mchid),
            (ASKED.appid, "1900000109"),
            (ASKED.appid, ""),
        ] {
            let body = bare_reply(&fields(appid, mchid), Some(key));
            let o = both(200, &body, key, SignType::Md5).pay;
            assert_eq!(
                (o.status, o.code.as_str()),
                (Status::Error, "pay_reply_other_account"),
                "{appid} {mchid}"
            );
        }
        // without them at all
        let body = bare_reply(&fields("", "")[2..], Some(key));
        assert_eq!(
            both(200, &body, key, SignType::Md5).pay.code,
            "pay_reply_other_account"
        );
    }

    /// Issue 17 item 6: NOAUTH from orderquery names no value.
    #[test]
    fn noauth_is_wechats_words_and_blames_no_field() {
        let key = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
        let body = reply(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "NOAUTH"),
                ("err_code_des", "商户无此接口权限"),
            ],
            Some(key),
        );
        let o = both(200, &body, key, SignType::Md5).pay;
        assert_eq!((o.status, o.code.as_str()), (Status::Error, "pay_no_auth"));
        assert!(!o.status.needs_edit());
        assert_eq!(
            o.wechat.unwrap().message.as_deref(),
            Some("商户无此接口权限")
        );
    }
}
