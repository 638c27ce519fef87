//! Rules about characters that several parts of the core share. A leaf: it imports
//! nothing of the domain, so the profile model (at the bottom) can use it.

/// Characters that change how a name reads without being seen: zero-width
/// ones and the bidi controls (a name that shows as "店.toml" but is another).
pub fn is_hidden_char(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A character that a typed text never holds and a printed one never shows raw: a
/// control character, an invisible one ([`is_hidden_char`]) or a line or
/// paragraph separator (U+2028/9, which break the line wherever it is shown).
pub fn is_unseen(c: char) -> bool {
    c.is_control() || is_hidden_char(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Where (from 1) the first [`is_unseen`] character is.
pub fn first_unseen(s: &str) -> Option<usize> {
    s.chars().position(is_unseen).map(|i| i + 1)
}

/// What we keep of a text someone else wrote (WeChat's message, a reply body): the
/// first 120 characters, enough to quote to support and short enough for one line,
/// made [`printable`]: kept so, it is safe wherever it is shown later (a terminal,
/// the window, a report), whoever shows it.
pub fn truncate(s: &str) -> String {
    printable(&s.chars().take(120).collect::<String>())
}

/// How a reply's body (a shop backend's or WeChat's) is quoted in a message: the
/// one rule for both (third CLI trial minors 8 and 9). A blank body is "an empty
/// reply", not a row of spaces in brackets; a body that is not text (gzip,
/// binary, invalid UTF-8) is "a reply that is not text (N bytes)", not escaped
/// garbage; text is cut to a length and escaped ([`printable`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quote {
    Empty,
    NotText { bytes: usize },
    Text(String),
}

/// Starts the kept form of an empty or binary quote (a private-use character:
/// no control character is kept raw); a quoted text that starts with it has it
/// escaped, so the kept form of a text is never read as one.
const QUOTE_MARK: char = '\u{e000}';

impl Quote {
    /// `body` quoted, at most `max_chars` of it.
    pub fn of(body: &str, max_chars: usize) -> Quote {
        let s = body.trim();
        if s.is_empty() {
            return Quote::Empty;
        }
        let odd = s
            .chars()
            .filter(|c| *c == '\u{fffd}' || *c == '\u{0}' || (c.is_control() && !c.is_whitespace()))
            .count();
        if s.contains('\u{fffd}') || s.contains('\u{0}') || odd * 10 > s.chars().count() {
            return Quote::NotText { bytes: body.len() };
        }
        let mut out = printable(&s.chars().take(max_chars).collect::<String>());
        if s.chars().count() > max_chars {
            out.push('…');
        }
        if let Some(rest) = out.strip_prefix(QUOTE_MARK) {
            out = format!("\\u{{e000}}{rest}");
        }
        Quote::Text(out)
    }

    /// The form kept in an outcome or a backend's answer (a string).
    pub fn kept(&self) -> String {
        match self {
            Quote::Empty => format!("{QUOTE_MARK}empty"),
            Quote::NotText { bytes } => format!("{QUOTE_MARK}{bytes}"),
            Quote::Text(s) => s.clone(),
        }
    }

    /// Back from [`Self::kept`]; any other text is quoted text.
    pub fn from_kept(s: &str) -> Quote {
        match s.strip_prefix(QUOTE_MARK) {
            Some("empty") => Quote::Empty,
            Some(n) => Quote::NotText {
                bytes: n.parse().unwrap_or(0),
            },
            None => Quote::Text(printable(s)),
        }
    }

    /// As a message says it (`reply.empty`, `reply.not_text`, or the text).
    pub fn arg(&self) -> crate::i18n::Arg {
        use crate::i18n::Arg;
        match self {
            Quote::Empty => Arg::Key("reply.empty".into()),
            Quote::NotText { bytes } => Arg::Nested(
                "reply.not_text".into(),
                vec![("bytes", bytes.to_string().into())],
            ),
            Quote::Text(s) => Arg::Text(s.clone()),
        }
    }
}

/// A reply's body in its kept form (see [`Quote`]).
pub fn quote_reply(body: &str, max_chars: usize) -> String {
    Quote::of(body, max_chars).kept()
}

/// A kept quote (or any kept detail) as a message argument.
pub fn quoted(kept: &str) -> crate::i18n::Arg {
    Quote::from_kept(kept).arg()
}

/// Text that someone else wrote (a shop backend's or WeChat's message, a certificate's
/// company field, a file's contents), made safe to print on a terminal or draw in a
/// window: every control character (C0, DEL, C1: escape sequences, carriage returns,
/// bells), line and paragraph separator and invisible bidi/zero-width character is shown
/// as its escape (`\u{1b}`), so it can neither move the cursor, retitle the window, forge
/// a line of ours, nor hide what it says.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unseen(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_quoted_as_empty_not_text_or_its_text() {
        assert_eq!(Quote::of(&" ".repeat(100), 120), Quote::Empty);
        assert_eq!(
            Quote::of("\u{1f}\u{fffd}\u{8}\u{0}abc", 120),
            Quote::NotText { bytes: 9 }
        );
        assert_eq!(
            Quote::of(" {\"errcode\":1}\u{1b}[2J ", 120),
            Quote::Text("{\"errcode\":1}\\u{1b}[2J".into())
        );
        for q in [
            Quote::Empty,
            Quote::NotText { bytes: 7 },
            Quote::Text("x".into()),
        ] {
            assert_eq!(Quote::from_kept(&q.kept()), q);
        }
        struct M(Quote);
        impl crate::i18n::Message for M {
            fn key(&self) -> String {
                "check.bad_reply".into()
            }
            fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
                vec![("detail", self.0.arg())]
            }
        }
        let tr = crate::i18n::Tr(crate::i18n::Lang::En);
        assert!(tr.msg(&M(Quote::Empty)).contains("(an empty reply)"));
        let binary = tr.msg(&M(Quote::NotText { bytes: 7 }));
        assert!(
            binary.contains("(a reply that is not text (7 bytes))"),
            "{binary}"
        );
    }

    /// Issue 18 item 2: WeChat's words are kept already escaped.
    #[test]
    fn what_is_kept_of_someone_elses_text_is_printable() {
        let kept = truncate("\u{1b}]0;pwned\u{7}\r\n商户无权限\u{2028}");
        assert_eq!(kept, "\\u{1b}]0;pwned\\u{7}\\u{d}\\u{a}商户无权限\\u{2028}");
        assert_eq!(truncate(&"长".repeat(200)).chars().count(), 120);
        // escaping twice changes nothing
        assert_eq!(printable(&kept), kept);
    }

    #[test]
    fn printable_escapes_what_would_drive_a_terminal_and_keeps_the_rest() {
        let hostile =
            "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}[32m✓ 已发送\r\nfake\u{2028}\u{202e}x\u{9b}";
        let shown = printable(hostile);
        assert!(
            !shown.chars().any(|c| c.is_control() || is_hidden_char(c)),
            "{shown:?}"
        );
        assert_eq!(
            shown,
            "\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\u{1b}[32m✓ 已发送\\u{d}\\u{a}fake\\u{2028}\\u{202e}x\\u{9b}"
        );
        assert_eq!(
            printable("微信支付证书不能为空 (code 0)"),
            "微信支付证书不能为空 (code 0)"
        );
    }
}
