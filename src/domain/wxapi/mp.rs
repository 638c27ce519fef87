//! AppID + AppSecret checks with a random login code: WeChat checks the AppID
//! and the secret before the code, so "invalid code" (40029) proves both right.
//! Never `cgi-bin/token`: it would invalidate the access_token the shop uses.

use serde::Deserialize;

use super::{Outcome, random_token, v2::truncate};

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

pub fn interpret(account: Account, body: &str) -> Outcome {
    let reply: Reply = match serde_json::from_str(body) {
        Ok(r) => r,
        Err(_) => return Outcome::error("bad_reply").with("detail", truncate(body)),
    };
    let wrong_secret = match account {
        Account::MiniProgram => "mp_wrong_secret",
        Account::ServiceAccount => "oa_wrong_secret",
    };
    let wrong_appid = match account {
        Account::MiniProgram => "mp_wrong_appid",
        Account::ServiceAccount => "oa_wrong_appid",
    };
    // Match on errcode only: errmsg carries a varying request id.
    match reply.errcode {
        Some(40029) | Some(40163) | Some(40226) => Outcome::ok("appsecret_ok"),
        // a code can't really be valid, but if WeChat accepted it, the pair is right too
        None | Some(0) if reply.openid.is_some() => Outcome::ok("appsecret_ok"),
        Some(40125) | Some(40001) => Outcome::fail(wrong_secret),
        Some(40013) | Some(40002) => Outcome::fail(wrong_appid),
        Some(45011) => Outcome::error("rate_limited"),
        Some(-1) => Outcome::error("busy"),
        Some(40164) => Outcome::fail("ip_not_whitelisted"),
        Some(code) => Outcome::fail("wechat_other")
            .with("code", code)
            .with("detail", truncate(reply.errmsg.as_deref().unwrap_or(""))),
        None => Outcome::error("bad_reply").with("detail", truncate(body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(other.code, "wechat_other");
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
