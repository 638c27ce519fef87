//! AppID + AppSecret checks with a random login code: WeChat checks the AppID
//! and the secret before the code, so "invalid code" (40029) shows that WeChat
//! accepted the pair. It does not show whose pair it is: a service account's
//! AppID and secret get 40029 from jscode2session too (facts §4a).
//! Never `cgi-bin/token`: it would invalidate the access_token the shop uses.

use serde::Deserialize;

use super::known::{self, Api, Said};
use super::{Outcome, WeChatWords, random_token, v2::truncate};

/// Which account the AppID belongs to, and so which endpoint checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    MiniProgram,
    ServiceAccount,
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

#[derive(Deserialize)]
struct Reply {
    errcode: Option<i64>,
    errmsg: Option<String>,
    openid: Option<String>,
}

/// Reads the reply (HTTP status `http`, body `body`) of the check request.
/// Matches on `errcode` only: `errmsg` carries a varying request id.
pub fn interpret(account: Account, http: u16, body: &str) -> Outcome {
    let reply: Reply = match serde_json::from_str(body) {
        Ok(r) => r,
        Err(_) => {
            return Outcome::error("bad_reply")
                .with("detail", truncate(body))
                .heard(WeChatWords::new(http, None, None));
        }
    };
    let errcode = reply.errcode.map(|c| c.to_string());
    let words = WeChatWords::new(http, errcode.as_deref(), reply.errmsg.as_deref());
    let said = Said {
        http,
        errcode: reply.errcode,
        code: "",
        messages: reply.errmsg.as_deref().into_iter().collect(),
    };
    let prefix = match account {
        Account::MiniProgram => "mp",
        Account::ServiceAccount => "oa",
    };
    let outcome = match reply.errcode {
        // a code can't really be valid, but if WeChat accepted it, it accepted the pair too
        None | Some(0) if reply.openid.is_some() => Outcome::ok("appsecret_ok"),
        None => Outcome::error("bad_reply").with("detail", truncate(body)),
        Some(_) => match known::lookup(Api::AppSecret, &said) {
            Some(row) => row.verdict(prefix, &said),
            None => known::unexpected(&said),
        },
    };
    outcome.heard(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::wxapi::Status;

    fn interpret(account: Account, body: &str) -> Outcome {
        super::interpret(account, 200, body)
    }

    #[test]
    fn codes_map_to_outcomes() {
        let mp = Account::MiniProgram;
        assert_eq!(
            interpret(
                mp,
                r#"{"errcode":40029,"errmsg":"invalid code, rid: 6a1b"}"#
            )
            .code,
            "appsecret_ok"
        );
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
        assert!(interpret(mp, r#"{"errcode":45011}"#).is_retryable());
        assert_eq!(interpret(mp, "<html>").code, "bad_reply");
        assert_eq!(interpret(mp, "{}").code, "bad_reply");
        let other = interpret(mp, r#"{"errcode":12345,"errmsg":"strange"}"#);
        assert_eq!(other.code, "unexpected_reply");
        assert_eq!(other.status, Status::Error);
    }

    /// 40164 (IP whitelist) does not apply to these calls and 40002 (grant_type)
    /// is our own bug: neither may blame the user's AppID or secret.
    #[test]
    fn codes_that_do_not_name_a_value_are_unexpected_not_wrong() {
        for body in [
            r#"{"errcode":40164,"errmsg":"invalid ip 1.2.3.4, not in whitelist"}"#,
            r#"{"errcode":40002,"errmsg":"invalid grant_type"}"#,
            r#"{"errcode":41008,"errmsg":"missing code"}"#,
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
        let o = super::interpret(
            Account::MiniProgram,
            200,
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
        let o = super::interpret(Account::MiniProgram, 502, "<html>bad gateway</html>");
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
