//! The notices under the wizard: what just happened (saved, imported, failed).
//! Each is kept as a message (a key and its arguments) and localized when drawn,
//! so switching the language changes them too. Only the newest few are kept.

use crate::i18n::{Arg, Message};

/// At most this many notices are shown; a new one pushes out the oldest.
pub const MAX_NOTICES: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Success,
    Warning,
    Error,
}

/// A message to show the user; localized when drawn (`tr.msg(notice)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: NoticeLevel,
    pub key: String,
    pub args: Vec<(&'static str, Arg)>,
}

impl Message for Notice {
    fn key(&self) -> String {
        self.key.clone()
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        self.args.clone()
    }
}

#[derive(Debug, Default)]
pub struct Notices {
    list: Vec<Notice>,
}

impl Notices {
    pub fn list(&self) -> &[Notice] {
        &self.list
    }

    /// Tells the user `m` (an error, an outcome, any [`Message`]).
    pub fn push(&mut self, level: NoticeLevel, m: &(impl Message + ?Sized)) {
        self.list.push(Notice {
            level,
            key: m.key(),
            args: m.args(),
        });
        if self.list.len() > MAX_NOTICES {
            self.list.remove(0);
        }
    }

    /// Tells the user the text under `key`, with these plain-text arguments.
    pub fn push_key(&mut self, level: NoticeLevel, key: &str, args: Vec<(&'static str, String)>) {
        self.push(
            level,
            &Notice {
                level,
                key: key.to_owned(),
                args: args.into_iter().map(|(k, v)| (k, Arg::Text(v))).collect(),
            },
        );
    }

    pub fn dismiss(&mut self, i: usize) {
        if i < self.list.len() {
            self.list.remove(i);
        }
    }

    /// Removes the notices whose key starts with `prefix` (no longer true).
    pub fn withdraw(&mut self, prefix: &str) {
        self.list.retain(|n| !n.key.starts_with(prefix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Tr};

    #[test]
    fn keeps_the_newest_few_and_localizes_when_drawn() {
        let mut n = Notices::default();
        for i in 0..MAX_NOTICES + 2 {
            n.push_key(
                NoticeLevel::Info,
                "notice.exported",
                vec![("path", format!("/p{i}"))],
            );
        }
        assert_eq!(n.list().len(), MAX_NOTICES);
        // the two oldest went
        let en = Tr(Lang::En).msg(&n.list()[0]);
        assert!(en.contains("/p2"), "{en}");
        assert_ne!(Tr(Lang::ZhCn).msg(&n.list()[0]), en);
    }

    #[test]
    fn dismiss_and_withdraw() {
        let mut n = Notices::default();
        n.push_key(NoticeLevel::Error, "keychain.error.other", vec![]);
        n.push_key(NoticeLevel::Success, "notice.cert_imported", vec![]);
        n.push_key(NoticeLevel::Error, "keychain.error.denied", vec![]);
        n.withdraw("keychain.error.");
        assert_eq!(n.list().len(), 1);
        assert_eq!(n.list()[0].key, "notice.cert_imported");
        n.dismiss(5); // out of range: nothing happens
        n.dismiss(0);
        assert!(n.list().is_empty());
    }
}
