//! "Send to shop backend": one idempotency key per push, reused by its retries,
//! so a retry after a lost reply never creates a second payment method.

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
