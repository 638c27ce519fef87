//! The notices under the wizard: what just happened (saved, imported, failed).
//! Each is kept as a message (a key and its arguments) and localized when drawn,
//! so switching the language changes them too. Only the newest few are kept,
//! and never the same one twice. Successes and information fade after a few
//! seconds; warnings and errors stay until their cause is gone (the wizard
//! withdraws them) or the user leaves the step they belong to. Only what is
//! true on every step (the keychain, the profile file) outlives a step change.

use std::time::{Duration, Instant};

use crate::i18n::{Arg, Message};

/// At most this many notices are shown; a new one pushes out the oldest.
pub const MAX_NOTICES: usize = 4;

/// Successes and information go after this long.
pub const FADE_AFTER: Duration = Duration::from_secs(6);

/// Notices about the whole app, not one step: they stay when the step changes.
const APP_WIDE: &[&str] = &["keychain.error.", "notice.profile_"];

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
    /// When it was told (successes and information fade from then).
    pub since: Instant,
}

impl Notice {
    fn fades(&self) -> bool {
        matches!(self.level, NoticeLevel::Success | NoticeLevel::Info)
    }
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

    /// Tells the user `m` (an error, an outcome, any [`Message`]); the same
    /// message told again replaces the older one.
    pub fn push(&mut self, level: NoticeLevel, m: &(impl Message + ?Sized)) {
        let (key, args) = (m.key(), m.args());
        self.list.retain(|n| !(n.key == key && n.args == args));
        self.list.push(Notice {
            level,
            key,
            args,
            since: Instant::now(),
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
                since: Instant::now(),
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

    /// Lets successes and information older than [`FADE_AFTER`] go.
    pub fn expire(&mut self, now: Instant) {
        self.list
            .retain(|n| !n.fades() || now.saturating_duration_since(n.since) < FADE_AFTER);
    }

    /// Is a notice waiting to fade (so the window should look again soon)?
    pub fn fading(&self) -> bool {
        self.list.iter().any(Notice::fades)
    }

    /// The user left the step: its notices go, the app-wide ones stay.
    pub fn leave_step(&mut self) {
        self.list
            .retain(|n| APP_WIDE.iter().any(|p| n.key.starts_with(p)));
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

    #[test]
    fn the_same_notice_is_shown_once() {
        let mut n = Notices::default();
        n.push_key(
            NoticeLevel::Error,
            "notice.export_failed",
            vec![("reason", "x".into())],
        );
        n.push_key(NoticeLevel::Success, "notice.cert_imported", vec![]);
        n.push_key(
            NoticeLevel::Error,
            "notice.export_failed",
            vec![("reason", "x".into())],
        );
        n.push_key(
            NoticeLevel::Error,
            "notice.export_failed",
            vec![("reason", "y".into())],
        );
        let keys: Vec<_> = n.list().iter().map(|n| n.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "notice.cert_imported",
                "notice.export_failed",
                "notice.export_failed"
            ]
        );
    }

    #[test]
    fn successes_fade_errors_stay_and_a_step_change_keeps_only_app_wide_ones() {
        let mut n = Notices::default();
        n.push_key(NoticeLevel::Success, "notice.cert_imported", vec![]);
        n.push_key(NoticeLevel::Info, "notice.mchid_from_cert", vec![]);
        n.push_key(NoticeLevel::Error, "notice.export_failed", vec![]);
        n.push_key(NoticeLevel::Error, "keychain.error.denied", vec![]);
        assert!(n.fading());
        n.expire(Instant::now() + FADE_AFTER / 2);
        assert_eq!(n.list().len(), 4, "not yet");
        n.expire(Instant::now() + FADE_AFTER * 2);
        assert_eq!(n.list().len(), 2, "successes and information went");
        assert!(!n.fading());
        n.leave_step();
        assert_eq!(n.list().len(), 1);
        assert_eq!(n.list()[0].key, "keychain.error.denied");
    }
}
