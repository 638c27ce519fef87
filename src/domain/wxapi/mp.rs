//! AppID + AppSecret checks with a random login code. Whether WeChat looks at
//! the secret before the (invalid) code is undocumented, so "invalid code"
//! (40029) for the real secret proves it only once the same AppID with a
//! deliberately altered secret was refused for the secret (40125): then WeChat
//! checks the secret first for this AppID (facts §4b). Otherwise the secret
//! stays unproven. Even proven, 40029 does not show whose pair it is: a service
//! account's AppID and secret get 40029 from jscode2session too (facts §4a).
//! Never `cgi-bin/token`: it would invalidate the access_token the shop uses.

use serde::Deserialize;

use super::known::{self, Api, Said};
use super::{Outcome, Status, WeChatWords, random_token};
use crate::domain::text::quote_reply;

/// Which account the AppID belongs to, and so which endpoint checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    MiniProgram,
    ServiceAccount,
}

impl Account {
    fn prefix(self) -> &'static str {
        match self {
            Account::MiniProgram => "mp",
            Account::ServiceAccount => "oa",
        }
    }
}

/// The secret with its last character changed: certainly wrong, and as long
/// and as hex as the real one, so WeChat cannot tell it by its form.
pub fn altered_secret(secret: &str) -> String {
    let secret = secret.trim();
    let mut chars: Vec<char> = secret.chars().collect();
    match chars.last_mut() {
        Some(c) => *c = if *c == '0' { '1' } else { '0' },
        None => chars.push('0'),
    }
    chars.into_iter().collect()
}

/// The path and query of the check request (the secret is in the query, as
/// WeChat requires; it travels over HTTPS only and is never logged).
pub fn check_path(account: Account, appid: &str, secret: &str) -> String {
    let code = random_token(32);
    let (path, code_name) = match account {
        Account::MiniProgram => ("/sns/jscode2session", "js_code"),
        Account::ServiceAccount => ("/sns/oauth2/access_token", "code"),
    };
    format!(
        "{path}?appid={}&secret={}&{code_name}={code}&grant_type=authorization_code",
        encode(appid.trim()),
        encode(secret.trim())
    )
}

/// Percent-encoding of a query value (AppIDs and secrets are alphanumeric, but
/// a stray character typed by the user must not change the request's meaning).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the real secret's reply says, read so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// The verdict.
    Done(Outcome),
    /// 40029 ("invalid code"): proves the secret only if WeChat looks at the
    /// secret first for this AppID. Ask again with [`altered_secret`] and give
    /// its reply to [`interpret_probe`] with this outcome.
    Probe(Outcome),
}

/// Reads the reply (HTTP status `http`, body `body`) of the check request with
/// the real secret. Matches on `errcode` only: `errmsg` carries a varying request id.
pub fn interpret(account: Account, http: u16, body: &str) -> Reading {
    let reply = match parse(http, body) {
        Ok(r) => r,
        Err(o) => return Reading::Done(*o),
    };
    let (said, words) = said(http, &reply);
    let outcome = match reply.errcode {
        // a code can't really be valid, but if WeChat accepted it, it accepted the secret too
        None | Some(0) if reply.openid.is_some() => Outcome::ok("appsecret_ok"),
        None => Outcome::error("bad_reply").with("detail", quote_reply(body, 120)),
        Some(_) => match known::lookup(Api::AppSecret, &said) {
            Some(row) if row.status == Status::Ok => {
                return Reading::Probe(row.verdict(account.prefix(), &said).heard(words));
            }
            Some(row) => row.verdict(account.prefix(), &said),
            None => known::unexpected(&said),
        },
    };
    Reading::Done(outcome.heard(words))
}

/// Reads the altered secret's reply: the real secret's 40029 (`first`) stands
/// only when WeChat refused the altered one for its secret. WeChat's words
/// kept are the real secret's; an unexpected probe reply quotes its own.
pub fn interpret_probe(account: Account, http: u16, body: &str, first: Outcome) -> Outcome {
    let reply = match parse(http, body) {
        Ok(r) => r,
        Err(o) => return *o,
    };
    let (said, words) = said(http, &reply);
    let words_of_first = first.wechat.clone();
    let outcome = match known::lookup(Api::AppSecretProbe, &said) {
        Some(row) if row.status == Status::Ok => return first,
        Some(row) => row.verdict(account.prefix(), &said),
        None => return known::unexpected(&said).heard(words),
    };
    match words_of_first {
        Some(w) => outcome.heard(w),
        None => outcome,
    }
}

#[derive(Deserialize)]
struct Reply {
    errcode: Option<i64>,
    errmsg: Option<String>,
    openid: Option<String>,
}

/// The reply, or the "unreadable reply" outcome (boxed: an outcome is large).
fn parse(http: u16, body: &str) -> Result<Reply, Box<Outcome>> {
    serde_json::from_str(body).map_err(|_| {
        Box::new(
            Outcome::error("bad_reply")
                .with("detail", quote_reply(body, 120))
                .heard(WeChatWords::new(http, None, None)),
        )
    })
}

fn said(http: u16, reply: &Reply) -> (Said<'_>, WeChatWords) {
    let errcode = reply.errcode.map(|c| c.to_string());
    let words = WeChatWords::new(http, errcode.as_deref(), reply.errmsg.as_deref());
    let said = Said {
        http,
        errcode: reply.errcode,
        code: "",
        messages: reply.errmsg.as_deref().into_iter().collect(),
    };
    (said, words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::wxapi::Status;

    /// The outcome of the real secret's reply (a 40029 waits for the probe).
    fn interpret(account: Account, body: &str) -> Outcome {
        match super::interpret(account, 200, body) {
            Reading::Done(o) | Reading::Probe(o) => o,
        }
    }

    #[test]
    fn codes_map_to_outcomes() {
        let mp = Account::MiniProgram;
        assert_eq!(
            interpret(
                mp,
                r#"{"errcode":40125,"errmsg":"invalid appsecret, rid: x"}"#
            )
            .code,
            "mp_wrong_secret"
        );
        assert_eq!(
            interpret(mp, r#"{"errcode":40013,"errmsg":"invalid appid"}"#).code,
            "mp_wrong_appid"
        );
        assert_eq!(
            interpret(Account::ServiceAccount, r#"{"errcode":40125}"#).code,
            "oa_wrong_secret"
        );
        let busy = interpret(mp, r#"{"errcode":-1,"errmsg":"system error"}"#);
        assert!(busy.is_retryable());
        // a per-minute quota: said, not retried within seconds
        let limited = interpret(mp, r#"{"errcode":45011}"#);
        assert_eq!(limited.code, "rate_limited");
        assert!(!limited.is_retryable());
        assert_eq!(interpret(mp, "<html>").code, "bad_reply");
        assert_eq!(interpret(mp, "{}").code, "bad_reply");
        let other = interpret(mp, r#"{"errcode":12345,"errmsg":"strange"}"#);
        assert_eq!(other.code, "unexpected_reply");
        assert_eq!(other.status, Status::Error);
    }

    /// Issue 17 item 2: 40029 for the real secret is a verdict only with the
    /// altered secret's reply.
    #[test]
    fn invalid_code_proves_the_secret_only_when_an_altered_secret_is_refused() {
        let mp = Account::MiniProgram;
        let Reading::Probe(first) = super::interpret(
            mp,
            200,
            r#"{"errcode":40029,"errmsg":"invalid code, rid: 6a1b"}"#,
        ) else {
            panic!("40029 asks for the probe")
        };
        let probe = |body: &str| interpret_probe(mp, 200, body, first.clone());
        let ok = probe(r#"{"errcode":40125,"errmsg":"invalid appsecret, rid: 2"}"#);
        assert_eq!((ok.status, ok.code.as_str()), (Status::Ok, "appsecret_ok"));
        assert_eq!(
            ok.wechat.unwrap().code.as_deref(),
            Some("40029"),
            "the real secret's words"
        );
        // the code is looked at first: the wrong secret passes as well
        let code_first = probe(r#"{"errcode":40029,"errmsg":"invalid code, rid: 3"}"#);
        assert_eq!(
            (code_first.status, code_first.code.as_str()),
            (Status::Unproven, "mp_secret_unproven")
        );
        assert_eq!(probe(r#"{"errcode":45011}"#).code, "rate_limited");
        assert_eq!(probe(r#"{"errcode":-1}"#).code, "busy");
        let odd = probe(r#"{"errcode":48001,"errmsg":"api unauthorized"}"#);
        assert_eq!(
            (odd.status, odd.code.as_str()),
            (Status::Error, "unexpected_reply")
        );
        assert!(odd.args[0].1.contains("48001"));
        assert_eq!(probe("<html>").code, "bad_reply");
        assert_eq!(
            interpret_probe(
                Account::ServiceAccount,
                200,
                r#"{"errcode":40029}"#,
                first.clone()
            )
            .code,
            "oa_secret_unproven"
        );
    }

    #[test]
    fn the_altered_secret_differs_in_its_last_character_only() {
        let s = "0123456789abcdef0123456789abcdef";
        let a = altered_secret(s);
        assert_ne!(a, s);
        assert_eq!(a.len(), s.len());
        assert_eq!(a[..31], s[..31]);
        assert_eq!(altered_secret("abc0"), "abc1");
        assert_eq!(altered_secret(" abc1 "), "abc0");
    }

    /// 40164 (IP whitelist) does not apply to these calls and 40002 (grant_type)
    /// is our own bug: neither may blame the user's AppID or secret. 40163
    /// (code used) and 40226 (risky user) cannot come from a random code.
    #[test]
    fn codes_that_do_not_name_a_value_are_unexpected_not_wrong() {
        for body in [
            r#"{"errcode":40164,"errmsg":"invalid ip 1.2.3.4, not in whitelist"}"#,
            r#"{"errcode":40002,"errmsg":"invalid grant_type"}"#,
            r#"{"errcode":41008,"errmsg":"missing code"}"#,
            r#"{"errcode":40163,"errmsg":"code been used"}"#,
            r#"{"errcode":40226,"errmsg":"high risk user"}"#,
        ] {
            let o = interpret(Account::ServiceAccount, body);
            assert_eq!(
                (o.status, o.code.as_str()),
                (Status::Error, "unexpected_reply"),
                "{body}"
            );
        }
        assert!(
            interpret(
                Account::MiniProgram,
                r#"{"errcode":41008,"errmsg":"missing code"}"#
            )
            .args[0]
                .1
                .contains("missing code"),
            "WeChat's words are quoted"
        );
    }

    #[test]
    fn wechat_words_are_kept() {
        let o = interpret(
            Account::MiniProgram,
            r#"{"errcode":40125,"errmsg":"invalid appsecret, rid: 6a1b"}"#,
        );
        assert_eq!(
            o.wechat,
            Some(WeChatWords {
                http: 200,
                code: Some("40125".into()),
                message: Some("invalid appsecret, rid: 6a1b".into())
            })
        );
        let Reading::Done(o) =
            super::interpret(Account::MiniProgram, 502, "<html>bad gateway</html>")
        else {
            panic!()
        };
        assert_eq!(o.wechat.unwrap().http, 502);
        assert_eq!(o.code, "bad_reply");
    }

    #[test]
    fn request_never_asks_for_a_token() {
        let p = check_path(
            Account::MiniProgram,
            "wx1234567890abcdef",
            "0123456789abcdef0123456789abcdef",
        );
        assert!(p.starts_with("/sns/jscode2session?appid=wx1234567890abcdef&secret=0123"));
        assert!(!p.contains("cgi-bin"));
        let p = check_path(Account::ServiceAccount, "wx1&x=1", "s");
        assert!(p.starts_with("/sns/oauth2/access_token?appid=wx1%26x%3D1&"));
    }
}
