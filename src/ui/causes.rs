//! Error causes in the owner's language. Errors from the system and the network
//! arrive as English text ("Permission denied (os error 13)", "dns error"); set
//! inside a Chinese sentence they read as noise. The common ones are recognised
//! here and told in words (issue 8 item 10); anything else is shown as it came.

use crate::i18n::{Arg, Tr};

/// Lower-case fragments of system and network error texts, and the i18n key of
/// the cause they mean. The first match wins.
const CAUSES: &[(&[&str], &str)] = &[
    (
        &[
            "permission denied",
            "access is denied",
            "os error 13)",
            "os error 5)",
        ],
        "cause.permission",
    ),
    (
        &["no space left", "os error 28)", "disk full"],
        "cause.disk_full",
    ),
    (
        &["read-only file system", "os error 30)"],
        "cause.read_only",
    ),
    (&["is a directory", "os error 21)"], "cause.is_dir"),
    (
        &[
            "not a directory",
            "os error 20)",
            "file exists",
            "os error 17)",
        ],
        "cause.blocked",
    ),
    (
        &[
            "no such file",
            "cannot find the path",
            "cannot find the file",
            "os error 2)",
            "os error 3)",
        ],
        "cause.not_found",
    ),
    (&["timed out", "timeout"], "cause.timeout"),
    (
        &[
            "dns error",
            "failed to lookup",
            "name or service not known",
            "no such host",
            "temporary failure in name resolution",
        ],
        "cause.dns",
    ),
    (
        &["connection refused", "os error 111)", "os error 10061)"],
        "cause.refused",
    ),
    (
        &["connection reset", "broken pipe", "connection aborted"],
        "cause.reset",
    ),
    (
        &[
            "network is unreachable",
            "os error 101)",
            "no route to host",
        ],
        "cause.offline",
    ),
    (&["certificate", "tls", "ssl", "handshake"], "cause.tls"),
];

/// The i18n key of the cause `raw` names, if it is a known one.
pub fn cause_key(raw: &str) -> Option<&'static str> {
    let lower = raw.to_lowercase();
    CAUSES
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| lower.contains(n)))
        .map(|(_, key)| *key)
}

/// `raw` in the owner's words when it is a known cause, else as it came.
pub fn localize(tr: Tr, raw: &str) -> String {
    match cause_key(raw) {
        Some(key) => tr.t(key).to_owned(),
        None => raw.to_owned(),
    }
}

/// The arguments that carry a raw error text, localized.
pub fn localize_args(tr: Tr, args: &mut [(&'static str, Arg)]) {
    for (name, arg) in args.iter_mut() {
        if matches!(*name, "reason" | "detail")
            && let Arg::Text(raw) = arg
        {
            *raw = localize(tr, raw);
        }
    }
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
            assert_eq!(cause_key(raw), Some(key), "{raw}");
        }
        assert_eq!(cause_key("something odd"), None);
        assert_eq!(localize(Tr(Lang::ZhCn), "something odd"), "something odd");
        assert!(!localize(Tr(Lang::ZhCn), "Permission denied (os error 13)").contains("denied"));
    }
}
