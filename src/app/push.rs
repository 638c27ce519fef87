//! "Send to shop backend": one idempotency key per push, reused by its retries,
//! so a retry after a lost reply never creates a second payment method.

/// For the address box: what may hold a password while typed, and taking it out.
pub use crate::services::wechat_http::{may_hold_password, without_userinfo};
use std::time::Duration;

use crate::domain::push::{Part, PushOutcome, interpret_reply};
use crate::domain::wxapi::random_token;
use crate::services::wechat_http::{NetError, WeChatHttp};

pub const MAX_TRIES: usize = 3;
const BACKOFF: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushResult {
    pub outcome: PushOutcome,
    pub attempts: usize,
    pub idempotency_key: String,
}

/// Sends, retrying 5xx replies and network failures with backoff (3 tries).
pub fn push(http: &dyn WeChatHttp, url: &str, token: &str, parts: &[Part]) -> PushResult {
    let key = random_token(32);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let outcome = match http.post_multipart(url, token, &key, parts) {
            Ok(reply) => interpret_reply(reply.status, &reply.body),
            Err(e @ NetError::InsecureUrl(_)) => PushOutcome::Failed {
                code: "push_insecure_url",
                detail: e.detail(),
            },
            Err(NetError::Tls(d)) => PushOutcome::Failed {
                code: "push_tls",
                detail: d,
            },
            // nothing was sent; retrying would not change the environment
            Err(NetError::UnsupportedProxy(d)) => PushOutcome::Failed {
                code: "push_proxy",
                detail: d,
            },
            Err(e) => PushOutcome::Retry(e.detail()),
        };
        match outcome {
            PushOutcome::Retry(detail) if attempts >= MAX_TRIES => {
                return PushResult {
                    outcome: PushOutcome::Failed {
                        code: "push_gave_up",
                        detail,
                    },
                    attempts,
                    idempotency_key: key,
                };
            }
            PushOutcome::Retry(_) => std::thread::sleep(BACKOFF[attempts - 1]),
            outcome => {
                return PushResult {
                    outcome,
                    attempts,
                    idempotency_key: key,
                };
            }
        }
    }
}

/// What stops a push before it is tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushBlocker {
    /// The backend address is missing or not HTTPS (local test addresses aside).
    InsecureUrl { url: String },
    /// No access token for the backend.
    NoToken,
}

impl crate::i18n::Message for PushBlocker {
    fn key(&self) -> String {
        match self {
            PushBlocker::InsecureUrl { .. } => "push.insecure_url",
            PushBlocker::NoToken => "push.no_token",
        }
        .into()
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        match self {
            PushBlocker::InsecureUrl { url } => vec![("url", url.as_str().into())],
            PushBlocker::NoToken => Vec::new(),
        }
    }
}

/// The blockers of a push to `url`; `has_token`: the backend token is set.
pub fn blockers(url: &str, has_token: bool) -> Vec<PushBlocker> {
    let mut b = Vec::new();
    if crate::services::wechat_http::check_base_url(url).is_err() {
        b.push(PushBlocker::InsecureUrl {
            url: crate::services::wechat_http::redact_url(url),
        });
    }
    if !has_token {
        b.push(PushBlocker::NoToken);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Tr};

    #[test]
    fn blockers_of_a_push() {
        assert_eq!(
            blockers("", false),
            vec![
                PushBlocker::InsecureUrl { url: String::new() },
                PushBlocker::NoToken
            ]
        );
        assert_eq!(
            blockers("http://shop.example.com/api", true),
            vec![PushBlocker::InsecureUrl {
                url: "http://shop.example.com/api".into()
            }]
        );
        assert_eq!(blockers("https://shop.example.com/api", true), vec![]);
    }

    #[test]
    fn every_blocker_has_a_text_in_both_languages() {
        let all = [
            PushBlocker::InsecureUrl {
                url: "http://x".into(),
            },
            PushBlocker::NoToken,
        ];
        for b in &all {
            // adding a variant breaks this match until it is listed above
            match b {
                PushBlocker::InsecureUrl { .. } | PushBlocker::NoToken => {}
            }
            for lang in Lang::ALL {
                let text = Tr(lang).msg(b);
                assert!(
                    !text.contains("(?)") && !text.contains('{'),
                    "{b:?}: {text}"
                );
            }
        }
        let en = Tr(Lang::En).msg(&all[0]);
        assert!(en.contains("http://x"), "{en}");
    }
}
