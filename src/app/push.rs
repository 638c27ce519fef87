//! The window's side of "send to shop backend": what stops a push before it is
//! tried (each a message the form shows in its hint area), and taking a user and
//! password out of a typed address. The push itself is `ops::push`, for both faces.

/// For the address box: what may hold a password while typed, and taking it out.
pub use crate::services::wechat_http::{may_hold_password, without_userinfo};

use crate::domain::backend_kind::BackendKind;
use crate::domain::profile::Profile;

/// What stops a push before it is tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushBlocker {
    /// Which system the shop runs is not chosen yet.
    NoBackend,
    /// The backend address is missing or not HTTPS (local test addresses aside).
    InsecureUrl { url: String },
    /// The admin account (likeadmin, CRMEB, ShopXO).
    NoAccount,
    /// The admin password, neither typed nor kept from an earlier push.
    NoPassword,
    /// The generic receiver's token.
    NoToken,
    /// The token typed could never be sent as it is (`push::check_token`: a
    /// control character, a no-break space, U+2028…); refused as from a file.
    BadToken(crate::app::ops::push::CredentialProblem),
    /// The kept password (`what`: `password`) or token (`token`) belongs to
    /// another address (`kept_for`; empty: none recorded): the one of `url` is asked.
    KeptElsewhere {
        what: &'static str,
        kept_for: String,
        url: String,
    },
}

/// What the form has of a password or token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Have {
    /// Nothing typed, none kept.
    Nothing,
    /// Typed for this push.
    Typed,
    /// Kept from an earlier push, for the origin the profile records.
    Kept,
    /// Not known yet (the keychain did not say): the try tells.
    Unknown,
}

impl PushBlocker {
    /// One of each way an address is refused, for the room the form keeps for
    /// its hints (each says something else: missing, no scheme, not HTTPS).
    pub fn every_url_problem() -> Vec<PushBlocker> {
        [
            "",
            "shop.example.com",
            "http://shop.example.com",
            "https://",
        ]
        .into_iter()
        .map(|url| PushBlocker::InsecureUrl { url: url.into() })
        .collect()
    }
}

/// What is wrong with a refused address, in the words the owner needs: nothing
/// typed; no `http://` or `https://` in front (trial m2: `127.0.0.1:40509` read as
/// if nothing was typed); plain http to another computer; else not an address.
fn url_problem_key(url: &str) -> &'static str {
    let u = url.trim().to_ascii_lowercase();
    if u.is_empty() {
        "push_ui.need_url"
    } else if !u.starts_with("http://") && !u.starts_with("https://") {
        "push_ui.need_scheme"
    } else if u.starts_with("http://") {
        "push_ui.need_https"
    } else {
        "push_ui.need_valid_url"
    }
}

impl crate::i18n::Message for PushBlocker {
    fn key(&self) -> String {
        match self {
            PushBlocker::NoBackend => "push_ui.need_backend",
            PushBlocker::InsecureUrl { url } => url_problem_key(url),
            PushBlocker::NoAccount => "push_ui.need_account",
            PushBlocker::NoPassword => "push_ui.need_password",
            PushBlocker::NoToken => "push_ui.need_token",
            PushBlocker::BadToken(problem) => problem.key(),
            PushBlocker::KeptElsewhere { what, kept_for, .. } => {
                return format!(
                    "push_ui.kept_{what}_{}",
                    if kept_for.is_empty() {
                        "unrecorded"
                    } else {
                        "elsewhere"
                    }
                );
            }
        }
        .into()
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        match self {
            PushBlocker::BadToken(problem) => {
                let mut a = vec![("what", crate::i18n::Arg::Key("push.what_token".into()))];
                if let Some(position) = problem.position() {
                    a.push(("position", position.to_string().into()));
                }
                a
            }
            PushBlocker::KeptElsewhere { kept_for, url, .. } => vec![
                ("kept_for", kept_for.as_str().into()),
                ("url", url.as_str().into()),
            ],
            _ => Vec::new(),
        }
    }
}

/// A kept credential whose recorded origin is not the address's: the blocker that
/// asks for the one of this address (nothing kept is sent elsewhere).
fn kept_blocker(what: &'static str, have: Have, kept_for: &str, url: &str) -> Option<PushBlocker> {
    match have {
        Have::Nothing => Some(if what == "token" {
            PushBlocker::NoToken
        } else {
            PushBlocker::NoPassword
        }),
        Have::Kept => crate::domain::kept::may_send(kept_for, url)
            .err()
            .map(|kept_for| PushBlocker::KeptElsewhere {
                what,
                kept_for,
                url: crate::domain::kept::origin(url).unwrap_or_default(),
            }),
        Have::Typed | Have::Unknown => None,
    }
}

/// The blockers of a push of `p`: what the form has of the generic receiver's
/// token and of the admin password (a kept one counts only at its own origin).
pub fn blockers(p: &Profile, token: Have, password: Have) -> Vec<PushBlocker> {
    let mut b = Vec::new();
    let Some(kind) = p.backend_preset.kind() else {
        return vec![PushBlocker::NoBackend];
    };
    let url_ok = crate::services::wechat_http::check_base_url(&p.backend_url).is_ok();
    if !url_ok {
        b.push(PushBlocker::InsecureUrl {
            url: crate::services::wechat_http::redact_url(&p.backend_url),
        });
    }
    // while the address is refused it is asked first; the credential after
    let kept = |what, have, kept_for: &str| {
        let have = match have {
            Have::Kept if !url_ok => Have::Unknown,
            other => other,
        };
        kept_blocker(what, have, kept_for, &p.backend_url)
    };
    if kind == BackendKind::Generic {
        b.extend(kept("token", token, &p.backend_token_origin));
    } else {
        if p.backend_account.trim().is_empty() {
            b.push(PushBlocker::NoAccount);
        }
        b.extend(kept("password", password, &p.backend_password_origin));
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::backend_kind::BackendPreset;
    use crate::i18n::{Lang, Tr};

    #[test]
    fn blockers_of_a_push() {
        use Have::*;
        let mut p = Profile::new("店");
        assert_eq!(blockers(&p, Nothing, Nothing), vec![PushBlocker::NoBackend]);
        p.backend_preset = BackendPreset::Known(BackendKind::Likeadmin);
        assert_eq!(
            blockers(&p, Nothing, Nothing),
            vec![
                PushBlocker::InsecureUrl { url: String::new() },
                PushBlocker::NoAccount,
                PushBlocker::NoPassword
            ]
        );
        p.backend_url = "http://shop.example.com/admin".into();
        p.backend_account = "admin".into();
        assert_eq!(
            blockers(&p, Nothing, Typed),
            vec![PushBlocker::InsecureUrl {
                url: "http://shop.example.com/admin".into()
            }]
        );
        p.backend_url = "https://shop.example.com/admin".into();
        assert_eq!(blockers(&p, Nothing, Typed), vec![]);
        p.backend_preset = BackendPreset::Custom;
        assert_eq!(blockers(&p, Nothing, Nothing), vec![PushBlocker::NoToken]);
    }

    /// Trial 3 Major 1: a kept password or token counts only at the address it was
    /// accepted at; elsewhere (or with none recorded) the form asks for this one.
    #[test]
    fn a_kept_credential_counts_only_at_its_own_address() {
        use Have::*;
        let mut p = Profile::new("店");
        p.backend_preset = BackendPreset::Known(BackendKind::Likeadmin);
        p.backend_account = "admin".into();
        p.backend_url = "https://shop.example.com/admin".into();
        p.backend_password_origin = "https://shop.example.com".into();
        assert_eq!(blockers(&p, Nothing, Kept), vec![]);
        p.backend_url = "https://other.example.com/admin".into();
        let asked = PushBlocker::KeptElsewhere {
            what: "password",
            kept_for: "https://shop.example.com".into(),
            url: "https://other.example.com".into(),
        };
        assert_eq!(blockers(&p, Nothing, Kept), vec![asked.clone()]);
        let zh = Tr(Lang::ZhCn).msg(&asked);
        assert!(
            zh.contains("https://shop.example.com") && zh.contains("https://other.example.com"),
            "{zh}"
        );
        // a password typed for the new address is sent there
        assert_eq!(blockers(&p, Nothing, Typed), vec![]);
        p.backend_password_origin.clear();
        p.backend_url = "https://shop.example.com/admin".into();
        assert!(matches!(
            &blockers(&p, Nothing, Kept)[..],
            [PushBlocker::KeptElsewhere { kept_for, .. }] if kept_for.is_empty()
        ));
        p.backend_preset = BackendPreset::Known(BackendKind::Generic);
        p.backend_token_origin = "https://shop.example.com".into();
        assert_eq!(blockers(&p, Kept, Nothing), vec![]);
        p.backend_url = "https://shop.example.com:8443/api".into();
        assert!(matches!(
            &blockers(&p, Kept, Nothing)[..],
            [PushBlocker::KeptElsewhere { what: "token", .. }]
        ));
    }

    /// Trial m2: each refused address says what is wrong with it.
    #[test]
    fn a_refused_address_says_what_is_wrong_with_it() {
        let key =
            |url: &str| crate::i18n::Message::key(&PushBlocker::InsecureUrl { url: url.into() });
        assert_eq!(key(""), "push_ui.need_url");
        assert_eq!(key("127.0.0.1:40509"), "push_ui.need_scheme");
        assert_eq!(key("shop.example.com/admin"), "push_ui.need_scheme");
        assert_eq!(key("http://shop.example.com"), "push_ui.need_https");
        assert_eq!(key("https://"), "push_ui.need_valid_url");
        let zh = Tr(Lang::ZhCn).msg(&PushBlocker::InsecureUrl {
            url: "127.0.0.1:40509".into(),
        });
        assert!(zh.contains("http://") && zh.contains("https://"), "{zh}");
        let keys: std::collections::BTreeSet<String> = PushBlocker::every_url_problem()
            .iter()
            .map(crate::i18n::Message::key)
            .collect();
        assert_eq!(keys.len(), 4, "one of each");
    }

    /// Third CLI trial minor 2, the window's way in: a typed token with a
    /// no-break space stops the push, naming the position, as a file's does.
    #[test]
    fn a_typed_token_that_cannot_be_sent_blocks_the_push() {
        let b = PushBlocker::BadToken(crate::app::ops::push::check_token("ab\u{a0}c").unwrap_err());
        let text = Tr(Lang::En).msg(&b);
        assert!(text.contains("Character 3 of the token"), "{text}");
    }

    #[test]
    fn every_blocker_has_a_text_in_both_languages() {
        let mut all = vec![
            PushBlocker::NoBackend,
            PushBlocker::NoAccount,
            PushBlocker::NoPassword,
            PushBlocker::NoToken,
            PushBlocker::BadToken(crate::app::ops::push::CredentialProblem::Control {
                position: 2,
            }),
            PushBlocker::BadToken(crate::app::ops::push::CredentialProblem::NotVisibleAscii {
                position: 3,
            }),
        ];
        for what in ["password", "token"] {
            for kept_for in ["", "https://old.example.com"] {
                all.push(PushBlocker::KeptElsewhere {
                    what,
                    kept_for: kept_for.into(),
                    url: "https://new.example.com".into(),
                });
            }
        }
        all.extend(PushBlocker::every_url_problem());
        for b in &all {
            // adding a variant breaks this match until it is listed above
            match b {
                PushBlocker::NoBackend
                | PushBlocker::InsecureUrl { .. }
                | PushBlocker::NoAccount
                | PushBlocker::NoPassword
                | PushBlocker::KeptElsewhere { .. }
                | PushBlocker::NoToken
                | PushBlocker::BadToken(_) => {}
            }
            for lang in Lang::ALL {
                let text = Tr(lang).msg(b);
                assert!(
                    !text.contains("(?)") && !text.contains('{'),
                    "{b:?}: {text}"
                );
            }
        }
    }
}
