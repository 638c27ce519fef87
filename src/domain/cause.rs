//! The kind of a system or network error, told apart from its text. Errors
//! from the operating system and the network arrive as English text ("Connection
//! refused (os error 111)", "failed to lookup address information"); set inside
//! a Chinese sentence they read as noise. Each kind has a code, whose words are
//! `cause.<code>` in the text tables: a message carries the code and is worded in
//! the reader's language; the raw text stays only as a detail (issue 19 item 8).
//! One table, read by the network service (`NetError::cause`), the check outcomes
//! and the window's notices alike.

/// Lower-case fragments of system and network error texts (Linux, macOS and
/// Windows wordings and OS error numbers), and the cause they mean. The first
/// match wins.
const CAUSES: &[(&[&str], &str)] = &[
    (
        &[
            "permission denied",
            "access is denied",
            "os error 13)",
            "os error 5)",
        ],
        "permission",
    ),
    (&["no space left", "os error 28)", "disk full"], "disk_full"),
    (&["read-only file system", "os error 30)"], "read_only"),
    (&["is a directory", "os error 21)"], "is_dir"),
    (
        &[
            "not a directory",
            "os error 20)",
            "file exists",
            "os error 17)",
        ],
        "blocked",
    ),
    (
        &[
            "no such file",
            "cannot find the path",
            "cannot find the file",
            "os error 2)",
            "os error 3)",
        ],
        "not_found",
    ),
    (&["timed out", "timeout", "os error 10060)"], "timeout"),
    (
        &[
            "dns error",
            "failed to lookup",
            "name or service not known",
            "no such host",
            "temporary failure in name resolution",
            "nodename nor servname",
            "os error 11001)",
        ],
        "dns",
    ),
    (
        &[
            "connection refused",
            "actively refused",
            "os error 111)",
            "os error 61)",
            "os error 10061)",
        ],
        "refused",
    ),
    (
        &[
            "connection reset",
            "broken pipe",
            "connection aborted",
            "connection closed",
            "os error 104)",
            "os error 10054)",
        ],
        "reset",
    ),
    (
        &[
            "network is unreachable",
            "os error 101)",
            "no route to host",
            "os error 113)",
            "os error 10051)",
        ],
        "offline",
    ),
    (&["certificate", "tls", "ssl", "handshake"], "tls"),
];

/// The code of the cause `raw` names, if it is a known one (`cause.<code>`).
pub fn cause_of(raw: &str) -> Option<&'static str> {
    let lower = raw.to_lowercase();
    CAUSES
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| lower.contains(n)))
        .map(|(_, code)| *code)
}

/// The code for a network failure whose text names no known cause.
pub const NETWORK: &str = "network";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_system_and_network_errors_are_told_apart_by_kind() {
        for (raw, code) in [
            ("Permission denied (os error 13)", "permission"),
            ("No such file or directory (os error 2)", "not_found"),
            (
                "error sending request: dns error: failed to lookup address information",
                "dns",
            ),
            ("operation timed out", "timeout"),
            (
                "tcp connect error: Connection refused (os error 111)",
                "refused",
            ),
            (
                "No connection could be made because the target machine actively refused it. (os error 10061)",
                "refused",
            ),
            ("invalid peer certificate: UnknownIssuer", "tls"),
            ("Connection reset by peer (os error 104)", "reset"),
        ] {
            assert_eq!(cause_of(raw), Some(code), "{raw}");
        }
        assert_eq!(cause_of("something odd"), None);
    }

    #[test]
    fn every_cause_has_words_in_both_languages() {
        for lang in crate::i18n::Lang::ALL {
            let tr = crate::i18n::Tr(lang);
            for code in CAUSES.iter().map(|(_, c)| *c).chain([NETWORK]) {
                let words = tr.t(&format!("cause.{code}"));
                assert!(!words.contains("(?)"), "{}: cause.{code}", lang.code());
            }
        }
    }
}
