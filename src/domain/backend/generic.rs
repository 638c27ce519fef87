//! The generic receiver of docs/push-api.md: for those who write their own. One POST
//! (multipart form, bearer token, an `Idempotency-Key` its retries reuse); accepted
//! only when the body says so (`{"ok": true}`; a body in another backend's style,
//! `{"code":0,"msg":"..."}`, is not taken for a yes); and, when the receiver offers the
//! contract's optional `GET` on the same address, read before (the preview's "now")
//! and read back after (the check). Without it the push is "stored, not checked".

use serde_json::{Map, Value};

use super::{
    Adapter, BackendKind, Body, FieldResult, Ours, Part, Plan, PlanRow, Reply, Request, Shown,
    Stop, Values, Write, Writes, json_object, member, same, snippet,
};
use crate::domain::push::{CANONICAL, FIXED, Mapping};

/// One field sent: the receiver's name, which of ours (`None`: a fixed value), the value.
#[derive(Clone)]
struct Field {
    name: String,
    ours: Option<Ours>,
    value: String,
}

pub struct Generic {
    url: String,
    token: String,
    idempotency_key: String,
    fields: Vec<Field>,
    /// What the receiver's GET answered; `None` before reading.
    held: Option<Option<Map<String, Value>>>,
    before: Option<Option<Map<String, Value>>>,
    checking: bool,
    /// One call: the POST.
    writes: Writes,
}

/// The receiver's verdict on the POST.
pub fn judge(reply: &Reply) -> Result<(), Stop> {
    let m = json_object(reply).ok();
    let message = m
        .as_ref()
        .map(|m| {
            ["message", "msg", "error"]
                .iter()
                .map(|k| member(m, k))
                .find(|s| !s.is_empty())
                .unwrap_or_default()
        })
        .filter(|s| !s.is_empty())
        // raw text: a message is quoted where it is said (`stop_args`)
        .unwrap_or_else(|| super::clip(&reply.body));
    let status = reply.status;
    match status {
        200..=299 => {
            // a web page is not a receiver's yes: a login page, a proxy's error page,
            // the shop's home page at a wrong address
            let body = reply.body.trim_start_matches('\u{feff}').trim_start();
            let head: String = body
                .chars()
                .take(200)
                .collect::<String>()
                .to_ascii_lowercase();
            if head.starts_with('<') && (head.contains("<html") || head.contains("<!doctype")) {
                return Err(Stop::unexpected(reply));
            }
            let Some(m) = &m else { return Ok(()) };
            match m.get("ok") {
                Some(Value::Bool(true)) => Ok(()),
                Some(Value::Bool(false)) => Err(Stop::Refused { message }),
                // another backend's reply style: its `code` 0 may be a refusal
                _ if ["code", "status", "errcode"]
                    .iter()
                    .any(|k| m.contains_key(*k)) =>
                {
                    Err(Stop::Refused { message })
                }
                _ => Ok(()),
            }
        }
        401 | 403 => Err(Stop::Token { message }),
        400 | 409 | 413 | 422 => Err(Stop::Refused {
            message: if message.is_empty() {
                format!("HTTP {status}")
            } else {
                message
            },
        }),
        500..=599 => Err(Stop::Temporary {
            status,
            detail: snippet(&message),
        }),
        _ => Err(Stop::Unexpected {
            status,
            detail: snippet(&message),
        }),
    }
}

impl Generic {
    pub fn new(
        url: &str,
        token: &str,
        mapping: &Mapping,
        ours: Values,
        idempotency_key: &str,
    ) -> Generic {
        let mut fields = Vec::new();
        for canonical in CANONICAL {
            let Some(name) = mapping.0.get(*canonical) else {
                continue;
            };
            let o = Ours::ALL.into_iter().find(|o| o.key() == *canonical);
            if let Some(v) = o.and_then(|o| ours.get(o)) {
                fields.push(Field {
                    name: name.clone(),
                    ours: o,
                    value: v.to_owned(),
                });
            }
        }
        for (canonical, value) in FIXED {
            if let Some(name) = mapping.0.get(*canonical) {
                fields.push(Field {
                    name: name.clone(),
                    ours: None,
                    value: (*value).to_owned(),
                });
            }
        }
        Generic {
            url: url.trim().to_owned(),
            token: token.to_owned(),
            idempotency_key: idempotency_key.to_owned(),
            fields,
            held: None,
            before: None,
            checking: false,
            writes: Writes::default(),
        }
    }

    /// The receiver's GET answered with what it holds (the optional read-back).
    pub fn can_read_back(&self) -> bool {
        matches!(self.before, Some(Some(_)))
    }

    fn auth(&self, r: Request) -> Request {
        r.header("Authorization", &format!("Bearer {}", self.token))
            .header("Accept", "application/json")
    }

    /// A value read from the receiver: as it is, or `sha256:<hex>` for secrets and files.
    fn matches(held: &str, ours: &str) -> bool {
        match held.strip_prefix("sha256:") {
            Some(h) => {
                use sha2::Digest;
                h.eq_ignore_ascii_case(&super::hex(&sha2::Sha256::digest(ours.as_bytes())))
            }
            None => same(held, ours),
        }
    }

    fn shown(f: &Field, held: Option<&Map<String, Value>>) -> Shown {
        let Some(m) = held else {
            return Shown::Unknown;
        };
        let v = member(m, &f.name);
        if v.starts_with("sha256:") {
            return if f.ours == Some(Ours::PrivateKey) {
                Shown::PrivateKey {
                    ours: Self::matches(&v, &f.value),
                }
            } else {
                Shown::Masked {
                    chars: 0,
                    ours: Self::matches(&v, &f.value),
                }
            };
        }
        Shown::of(f.ours, &v, Some(&f.value))
    }
}

impl Adapter for Generic {
    fn kind(&self) -> BackendKind {
        BackendKind::Generic
    }

    fn login(&self, _account: &str, _password: &str) -> Option<Request> {
        None
    }

    fn logged_in(&mut self, _reply: &Reply) -> Result<(), Stop> {
        Ok(())
    }

    fn next_read(&self) -> Option<Request> {
        if self.held.is_some() || (self.checking && !self.can_read_back()) {
            return None;
        }
        Some(self.auth(Request::get(self.url.clone())))
    }

    fn read(&mut self, reply: &Reply) -> Result<(), Stop> {
        let held = match reply.status {
            200 => {
                let m = json_object(reply)?;
                match m.get("fields") {
                    Some(Value::Object(f)) => Some(f.clone()),
                    _ => return Err(Stop::unexpected(reply)),
                }
            }
            // a receiver without the optional read: nothing to compare with
            404 | 405 | 501 => None,
            _ => {
                judge(reply)?;
                return Err(Stop::unexpected(reply));
            }
        };
        if !self.checking {
            self.before = Some(held.clone());
        }
        self.held = Some(held);
        Ok(())
    }

    fn plan(&self) -> Plan {
        let before = self.before.clone().flatten();
        let rows = self
            .fields
            .iter()
            .map(|f| {
                let now = Self::shown(f, before.as_ref());
                let will = Shown::of(f.ours, &f.value, Some(&f.value));
                let changes = match &before {
                    Some(m) => !Self::matches(&member(m, &f.name), &f.value),
                    None => true,
                };
                PlanRow {
                    field: f.name.clone(),
                    ours: f.ours,
                    now,
                    will,
                    changes,
                }
            })
            .collect();
        let mut needs = Vec::new();
        if self.fields.is_empty() {
            needs.push(Ours::MchId);
        }
        Plan {
            rows,
            kept: Vec::new(),
            cannot: Vec::new(),
            needs,
            calls: vec!["generic_post"],
            ..Plan::default()
        }
    }

    fn next_write(&self) -> Option<Write> {
        if self.before.is_none() || self.writes.next() != Some(0) {
            return None;
        }
        let parts = self
            .fields
            .iter()
            .map(|f| match f.ours {
                Some(o @ (Ours::Certificate | Ours::PrivateKey)) => Part::File {
                    name: f.name.clone(),
                    file_name: format!("{}.pem", o.key()),
                    content: f.value.clone(),
                },
                _ => Part::Text {
                    name: f.name.clone(),
                    value: f.value.clone(),
                },
            })
            .collect();
        Some(Write {
            call: "generic_post",
            request: self
                .auth(Request::post(self.url.clone(), Body::Multipart(parts)))
                .header("Idempotency-Key", &self.idempotency_key),
        })
    }

    fn wrote(&mut self, reply: &Reply) -> Result<(), Stop> {
        // a 5xx: tried again with the same key by the driver
        self.writes
            .record(judge(reply), |e| matches!(e, Stop::Temporary { .. }))
    }

    fn reread(&mut self) {
        self.checking = true;
        self.held = None;
    }

    fn results(&self) -> Vec<FieldResult> {
        if !self.writes.sent(0) {
            return Vec::new();
        }
        let stored = self.writes.stored(0);
        let back = self.held.clone().flatten();
        self.fields
            .iter()
            .map(|f| {
                let read = back.as_ref().map(|m| member(m, &f.name));
                FieldResult {
                    field: f.name.clone(),
                    ours: f.ours,
                    kept: false,
                    sent: true,
                    stored,
                    checked: stored
                        && self.checking
                        && read.as_deref().is_some_and(|r| Self::matches(r, &f.value)),
                    read_back: back.as_ref().map(|m| Self::shown(f, Some(m))),
                }
            })
            .collect()
    }

    fn retries_writes(&self) -> bool {
        true
    }
}

impl std::fmt::Debug for Generic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Generic({})", self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::SiteKind;

    fn generic(mapping: &Mapping) -> Generic {
        Generic::new(
            "https://shop.example.com/api/wxpay",
            "tok",
            mapping,
            Values::from_pairs(
                SiteKind::MiniProgram,
                &[
                    (Ours::MchId, "1900006031"),
                    (Ours::ApiKeyV2, "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
                    (
                        Ours::PrivateKey,
                        "-----BEGIN PRIVATE KEY-----\nB\n-----END PRIVATE KEY-----",
                    ),
                ],
            ),
            "idem-0123456789abcdef",
        )
    }

    /// Issue 16: likeadmin's `{"code":0,"msg":...}` under HTTP 200 was "✓ Sent".
    #[test]
    fn a_200_is_a_yes_only_when_the_body_does_not_say_no() {
        for body in ["", "{}", r#"{"ok":true}"#, r#"{"id":"pm_1"}"#, "accepted"] {
            assert_eq!(judge(&Reply::new(201, body)), Ok(()), "{body}");
        }
        for (body, words) in [
            (
                r#"{"code":0,"show":1,"msg":"微信支付证书不能为空","data":[]}"#,
                "微信支付证书不能为空",
            ),
            (
                r#"{"ok":false,"message":"商户号格式不对"}"#,
                "商户号格式不对",
            ),
            (r#"{"status":400,"msg":"账号或密码错误"}"#, "账号或密码错误"),
        ] {
            assert_eq!(
                judge(&Reply::new(200, body)),
                Err(Stop::Refused {
                    message: words.into()
                }),
                "{body}"
            );
        }
        assert!(matches!(
            judge(&Reply::new(503, "busy")),
            Err(Stop::Temporary { .. })
        ));
        assert!(matches!(
            judge(&Reply::new(401, "")),
            Err(Stop::Token { .. })
        ));
        assert!(matches!(
            judge(&Reply::new(302, "")),
            Err(Stop::Unexpected { .. })
        ));
        assert!(matches!(
            judge(&Reply::new(404, "")),
            Err(Stop::Unexpected { .. })
        ));
    }

    #[test]
    fn read_back_compares_values_and_secret_hashes() {
        use sha2::Digest;
        let mut g = generic(&Mapping::generic());
        g.read(&Reply::new(404, "")).unwrap();
        assert!(!g.can_read_back());
        assert_eq!(g.plan().rows[0].now, Shown::Unknown);
        let w = g.next_write().unwrap();
        assert!(
            w.request
                .headers
                .contains(&("Authorization".into(), "Bearer tok".into()))
        );
        g.wrote(&Reply::new(201, "{}")).unwrap();
        g.reread();
        assert!(g.next_read().is_none(), "no GET: nothing to read back");
        assert!(g.results().iter().all(|r| r.stored && !r.checked));

        let mut g = generic(&Mapping::generic());
        let key_hash =
            super::super::hex(&sha2::Sha256::digest(b"Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"));
        g.read(&Reply::new(200, r#"{"fields":{"mchid":"1900000001"}}"#))
            .unwrap();
        let mch = &g.plan().rows[0];
        assert!(
            mch.changes
                && mch.now
                    == Shown::Plain {
                        text: "1900000001".into()
                    }
        );
        g.wrote(&Reply::new(200, r#"{"ok":true}"#)).unwrap();
        g.reread();
        assert!(g.next_read().is_some());
        g.read(&Reply::new(
            200,
            &format!(r#"{{"fields":{{"mchid":"1900006031","api_key_v2":"sha256:{key_hash}"}}}}"#),
        ))
        .unwrap();
        let r = g.results();
        assert!(r[0].checked && r[1].checked, "{r:?}");
        assert!(!r[2].checked, "the key was not returned");
    }

    #[test]
    fn a_custom_mapping_renames_and_may_send_the_fixed_fields() {
        let m = crate::domain::push::parse_mapping(
            "[fields]\nmchid = \"merchant_no\"\ninterface_version = \"version\"\n",
        )
        .unwrap();
        let mut g = generic(&m);
        g.read(&Reply::new(405, "")).unwrap();
        let w = g.next_write().unwrap();
        assert_eq!(
            w.request.field("merchant_no").as_deref(),
            Some("1900006031")
        );
        assert_eq!(w.request.field("version").as_deref(), Some("v3"));
        assert_eq!(w.request.field("api_key_v2"), None);
    }

    /// Trial minor 15: an HTML page answered with 200 to the POST is not a receiver
    /// saying yes (a login page, a proxy's error page, the wrong address).
    #[test]
    fn an_html_page_is_not_an_acceptance() {
        for page in [
            "<!DOCTYPE html><html><body>登录</body></html>",
            "  <html><head><title>502</title></head></html>",
        ] {
            assert!(
                matches!(judge(&Reply::new(200, page)), Err(Stop::Unexpected { .. })),
                "{page}"
            );
        }
        // the contract's 1.0 receivers: an empty body or a word is still a yes
        assert!(judge(&Reply::new(204, "")).is_ok());
        assert!(judge(&Reply::new(200, "ok")).is_ok());
    }
}
