//! Error causes in the owner's language. Errors from the system and the network
//! arrive as English text ("Permission denied (os error 13)", "dns error"); set
//! inside a Chinese sentence they read as noise. The common ones are recognised
//! (by `domain::cause`) and told in words (issue 8 item 10, issue 19 item 8);
//! anything else is shown as it came.

use crate::i18n::{Arg, Message, Tr};

/// The i18n key of the cause `raw` names, if it is a known one (the table is
/// `domain::cause`, shared with the checks' outcomes).
pub fn cause_key(raw: &str) -> Option<String> {
    crate::domain::cause::cause_of(raw).map(|code| format!("cause.{code}"))
}

/// `raw` in the owner's words when it is a known cause, else as it came.
pub fn localize(tr: Tr, raw: &str) -> String {
    match cause_key(raw) {
        Some(key) => tr.t(&key).to_owned(),
        None => raw.to_owned(),
    }
}

/// The arguments that carry a raw error text, localized.
fn localize_args(tr: Tr, args: &mut [(&'static str, Arg)]) {
    for (name, arg) in args.iter_mut() {
        match arg {
            Arg::Text(raw) if matches!(*name, "reason" | "detail") => {
                *raw = localize(tr, raw);
            }
            // a message carried inside another (a failed import inside the
            // notice that names its file) is told in the same words
            Arg::Nested(_, inner) => localize_args(tr, inner),
            _ => {}
        }
    }
}

/// The text of `m` with the system's and the network's own words in its
/// `reason` / `detail` told in the owner's language (an import or a save that
/// failed on the disk says why in Chinese, not "Permission denied (os error 13)").
pub fn msg(tr: Tr, m: &(impl Message + ?Sized)) -> String {
    struct Worded(String, Vec<(&'static str, Arg)>);
    impl Message for Worded {
        fn key(&self) -> String {
            self.0.clone()
        }
        fn args(&self) -> Vec<(&'static str, Arg)> {
            self.1.clone()
        }
    }
    let mut args = m.args();
    localize_args(tr, &mut args);
    tr.msg(&Worded(m.key(), args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn common_system_and_network_errors_are_told_in_words() {
        for (raw, key) in [
            ("Permission denied (os error 13)", "cause.permission"),
            ("No such file or directory (os error 2)", "cause.not_found"),
            (
                "error sending request: dns error: failed to lookup address information",
                "cause.dns",
            ),
            ("operation timed out", "cause.timeout"),
            (
                "tcp connect error: Connection refused (os error 111)",
                "cause.refused",
            ),
            ("invalid peer certificate: UnknownIssuer", "cause.tls"),
        ] {
            assert_eq!(cause_key(raw).as_deref(), Some(key), "{raw}");
        }
        assert_eq!(cause_key("something odd"), None);
        assert_eq!(localize(Tr(Lang::ZhCn), "something odd"), "something odd");
        assert!(!localize(Tr(Lang::ZhCn), "Permission denied (os error 13)").contains("denied"));
        // a failed write as the storage layer reports it
        struct WriteFailed;
        impl Message for WriteFailed {
            fn key(&self) -> String {
                "storage_error.write".into()
            }
            fn args(&self) -> Vec<(&'static str, Arg)> {
                vec![
                    ("path", "/x/y.toml".into()),
                    ("reason", "Permission denied (os error 13)".into()),
                ]
            }
        }
        let text = msg(Tr(Lang::ZhCn), &WriteFailed);
        assert!(
            text.contains("/x/y.toml") && !text.contains("os error"),
            "{text}"
        );
        assert!(
            text.contains(Tr(Lang::ZhCn).t("cause.permission")),
            "{text}"
        );
    }
}
