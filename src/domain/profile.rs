//! One shop's configuration: every non-secret value the wizard collects, plus
//! where the user is in the journey so a later session resumes there.
//! Secrets are *not* here: see [`SecretField`] and the keychain service.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::cert::CertSummary;
use super::text::is_hidden_char;

/// The guide's two site kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// Case 1: the agent ordered a mini-program-only site.
    MiniProgram,
    /// Case 2: PC and mobile site plus the mini program.
    SiteAndMiniProgram,
}

impl SiteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::MiniProgram => "mini_program",
            SiteKind::SiteAndMiniProgram => "site_and_mini_program",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "mini_program" => Some(SiteKind::MiniProgram),
            "site_and_mini_program" => Some(SiteKind::SiteAndMiniProgram),
            _ => None,
        }
    }

    pub fn needs_service_account(self) -> bool {
        self == SiteKind::SiteAndMiniProgram
    }
}

/// How the merchant gets a merchant number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MerchantPath {
    ApplyNew,
    BindExisting,
}

/// The answer to "is the mini program WeChat-verified?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prerequisite {
    Verified,
    NotYetVerified,
    IndividualOwner,
}

/// The wizard's pages, in order.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    Default,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    #[default]
    Prerequisite,
    MerchantNumber,
    SiteKind,
    Fields,
    Certificate,
    Verify,
    Summary,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Prerequisite,
        Step::MerchantNumber,
        Step::SiteKind,
        Step::Fields,
        Step::Certificate,
        Step::Verify,
        Step::Summary,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Step::Prerequisite => "prerequisite",
            Step::MerchantNumber => "merchant",
            Step::SiteKind => "site_kind",
            Step::Fields => "fields",
            Step::Certificate => "certificate",
            Step::Verify => "verify",
            Step::Summary => "summary",
        }
    }

    pub fn next(self) -> Option<Step> {
        let i = Step::ALL.iter().position(|s| *s == self)?;
        Step::ALL.get(i + 1).copied()
    }

    pub fn prev(self) -> Option<Step> {
        let i = Step::ALL.iter().position(|s| *s == self)?;
        i.checked_sub(1).map(|i| Step::ALL[i])
    }
}

/// The secret values of a profile; each lives in the OS keychain under
/// `<profile>/<key>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecretField {
    MpAppSecret,
    ApiKeyV2,
    ApiKeyV3,
    OaAppSecret,
    PrivateKey,
    /// The bearer token of a generic receiver (docs/push-api.md).
    BackendToken,
    /// The shop backend's admin password (likeadmin, CRMEB, ShopXO), kept after a
    /// push logged in with it. Like a waiting request's key it is not among the
    /// settings' secrets ([`SecretField::ALL`]): no bundle, export or `profile show`
    /// carries it; it is renamed and deleted with the shop.
    BackendPassword,
    /// The key of a certificate request made in the wizard, until its
    /// certificate is pasted back (then it becomes `PrivateKey`).
    PendingPrivateKey,
}

impl SecretField {
    /// The settings' secrets (what bundles, exports and `profile show` carry).
    /// A waiting request's key is not among them: it is kept, renamed and
    /// deleted with the profile (see [`SecretField::EVERY`]); of the exports
    /// only an encrypted bundle carries it, to finish the request elsewhere.
    pub const ALL: [SecretField; 6] = [
        SecretField::MpAppSecret,
        SecretField::ApiKeyV2,
        SecretField::ApiKeyV3,
        SecretField::OaAppSecret,
        SecretField::PrivateKey,
        SecretField::BackendToken,
    ];

    /// Every entry a profile may have in the keychain.
    pub const EVERY: [SecretField; 8] = [
        SecretField::MpAppSecret,
        SecretField::ApiKeyV2,
        SecretField::ApiKeyV3,
        SecretField::OaAppSecret,
        SecretField::PrivateKey,
        SecretField::BackendToken,
        SecretField::PendingPrivateKey,
        SecretField::BackendPassword,
    ];

    /// Also the key in the profile import file.
    pub fn key(self) -> &'static str {
        match self {
            SecretField::MpAppSecret => "mp_appsecret",
            SecretField::ApiKeyV2 => "api_key_v2",
            SecretField::ApiKeyV3 => "api_key_v3",
            SecretField::OaAppSecret => "oa_appsecret",
            SecretField::PrivateKey => "private_key",
            SecretField::BackendToken => "backend_token",
            SecretField::PendingPrivateKey => "pending_private_key",
            SecretField::BackendPassword => "backend_password",
        }
    }
}

/// In reports a secret field is named by its key (`api_key_v2`), never by value.
impl Serialize for SecretField {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Profile {
    pub name: String,
    /// Set while `profile import --replace` swaps this shop's values and its
    /// keychain secrets (two stores, no shared transaction): a kill in between
    /// leaves it set, and nothing then vouches for a shop whose AppIDs and
    /// secrets may come from two different imports.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub import_unfinished: bool,
    pub prerequisite: Option<Prerequisite>,
    pub merchant_path: Option<MerchantPath>,
    /// Ids of the checklist items the user has ticked.
    pub checklist_done: BTreeSet<String>,
    pub site_kind: Option<SiteKind>,
    /// Binding a merchant number: does it already have an APIv2 key that another
    /// system uses? Then a new key would stop those payments. `None`: not asked yet.
    pub api_key_in_use: Option<bool>,
    /// The same question for the APIv3 key, asked when the shop system takes
    /// that key instead (likeadmin). `None`: not asked yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_v3_in_use: Option<bool>,
    /// For the ticked checklist items about one AppID (binding it to the
    /// merchant number): the AppID they were ticked for. A tick made for
    /// another AppID (a copied shop whose AppID then changed) does not count.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub ticked_for: std::collections::BTreeMap<String, String>,
    pub payment_name: String,
    pub mp_appid: String,
    pub mchid: String,
    pub oa_appid: String,
    pub jsapi_enabled: bool,
    pub certificate: Option<CertSummary>,
    /// A certificate request made in the wizard and not yet answered (its key
    /// is in the keychain as `PendingPrivateKey`): kept so a restart loses nothing.
    pub pending_cert_request: Option<super::cert::request::PendingRequest>,
    /// WeChat Pay public-key mode (merchants since 2024-25): `PUB_KEY_ID_...`.
    pub public_key_id: String,
    /// ... and its `pub_key.pem` (a public key: not a secret).
    pub public_key_pem: String,
    /// The shop backend's admin address, as the merchant opens it in a browser (a
    /// generic receiver: its full address).
    pub backend_url: String,
    /// Which system the shop runs (asked once, used by the fields step and the
    /// push); `custom`: a generic receiver with `backend_mapping_file`'s names.
    pub backend_preset: super::backend_kind::BackendPreset,
    /// The admin account the push logs in with (its password is in the keychain).
    pub backend_account: String,
    /// The origin (`kept::origin`) the kept admin password was accepted at: it is
    /// sent nowhere else. Empty: none recorded (an older profile), never sent.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub backend_password_origin: String,
    /// The same for the generic receiver's kept token.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub backend_token_origin: String,
    pub backend_mapping_file: String,
    /// Online check results, by check id.
    pub checks: std::collections::BTreeMap<super::record::CheckId, super::record::CheckRecord>,
    /// When each check last passed (see [`super::record::Pass`]).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub passes: std::collections::BTreeMap<super::record::CheckId, super::record::Pass>,
    /// The AppID bindings the merchant confirmed in the merchant platform
    /// (产品中心 → AppID账号管理, 已关联), as `MCHID/AppID`: no side-effect-free
    /// reply proves a binding, and a changed AppID or MCHID is not confirmed.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub confirmed_bindings: BTreeSet<String>,
    /// The random key of this profile's check fingerprints (hex; see
    /// `check::fingerprint`). Made when the profile is, or when an
    /// older profile without one is loaded; kept across saves.
    pub fingerprint_salt: String,
    /// The last push (from the window or the command line): to which system,
    /// when, whether the backend holds every value (shown again after a reopen).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_push: Option<LastPush>,
    /// Where the user was, so that reopening the app lands there.
    pub step: Step,
    /// RFC 3339 time of the last change.
    pub updated_at: String,
}

/// The last push sent to the shop backend (see [`Profile::last_push`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastPush {
    /// The system's name (`likeadmin`, `crmeb`, `shopxo`, `generic`).
    pub backend: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// The backend, read back, held every value.
    pub ok: bool,
    /// `sent::fingerprint` of the values sent and of the backend they went to
    /// (secrets only through its HMAC). Empty in a record of an older version,
    /// which says nothing of what was sent: read as "send again" (`sent::state`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sent: String,
    /// Which backend it went to: its system and normalized address
    /// (`sent::target`; no secret). Another shop's later push to the same target
    /// means this backend no longer holds this shop's values (trial 3 Major 2).
    /// Empty in an older record.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target: String,
    /// What the owner was asked to look at although everything was stored (a
    /// service-account AppID the backend holds, of another shop): said again, in
    /// amber, after a restart (trial 3 minor 2). No secret: an AppID is public.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<PushWarning>,
}

/// A push's warning as kept in its record (see `backend::Warning`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushWarning {
    /// The backend field that pairs with ours.
    pub field: String,
    /// The AppID it holds.
    pub holds: String,
    /// Where the backend offers WeChat Pay with it; `None`: not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenes: Option<Vec<String>>,
}

/// What is wrong with a [`LastPush`] read from a file someone else wrote (a
/// bundle): each names its field, so the refusal can say which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastPushProblem {
    /// `backend` is not the name of a system this version pushes to.
    UnknownBackend,
    /// `at` is not an RFC 3339 date and time.
    BadTime,
    /// `sent` is not a short fingerprint (hex or base64 letters, at most 64).
    BadFingerprint,
    /// `target` or a kept warning is not as this program writes it (a system's
    /// name and an address; an AppID and a field name): too long, or with
    /// characters that are hidden or control ones.
    BadRecord,
}

impl LastPush {
    /// The longest `sent` fingerprint taken from a file (this version writes 16).
    pub const SENT_MAX_CHARS: usize = 64;

    /// Its fields checked as this program writes them: each problem with the
    /// field's name (`last_push.<field>`). A record written unchecked could
    /// leave any text (escapes, 100,000 characters) in the profile file. New
    /// fields add their rule here.
    pub fn problems(&self) -> Vec<(&'static str, LastPushProblem)> {
        use time::format_description::well_known::Rfc3339;
        let mut out = Vec::new();
        let known = super::backend_kind::BackendKind::ALL
            .iter()
            .any(|k| k.name() == self.backend);
        if !known {
            out.push(("last_push.backend", LastPushProblem::UnknownBackend));
        }
        if time::OffsetDateTime::parse(&self.at, &Rfc3339).is_err() {
            out.push(("last_push.at", LastPushProblem::BadTime));
        }
        let fingerprint_char =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_');
        if self.sent.len() > Self::SENT_MAX_CHARS || !self.sent.chars().all(fingerprint_char) {
            out.push(("last_push.sent", LastPushProblem::BadFingerprint));
        }
        let plain = |t: &str, max: usize| {
            t.chars().count() <= max && !t.chars().any(|c| c.is_control() || is_hidden_char(c))
        };
        // "<system> <address>", as `sent::target` writes it
        let target_ok = self.target.is_empty()
            || (plain(&self.target, 512)
                && self.target.split_once(' ').is_some_and(|(system, _)| {
                    super::backend_kind::BackendKind::ALL
                        .iter()
                        .any(|k| k.name() == system)
                }));
        if !target_ok {
            out.push(("last_push.target", LastPushProblem::BadRecord));
        }
        let scene_ok = |s: &String| {
            !s.is_empty()
                && s.len() <= 16
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        };
        let warnings_ok = self.warnings.len() <= 8
            && self.warnings.iter().all(|w| {
                plain(&w.field, 128)
                    && plain(&w.holds, 64)
                    && w.scenes.iter().flatten().all(scene_ok)
                    && w.scenes.as_ref().is_none_or(|s| s.len() <= 8)
            });
        if !warnings_ok {
            out.push(("last_push.warnings", LastPushProblem::BadRecord));
        }
        out
    }

    /// The value of the field a problem is about, as found (for the message).
    pub fn value_of(&self, field: &str) -> &str {
        match field {
            "last_push.backend" => &self.backend,
            "last_push.at" => &self.at,
            "last_push.target" => &self.target,
            "last_push.warnings" => self
                .warnings
                .iter()
                .map(|w| w.holds.as_str())
                .find(|h| h.chars().any(|c| c.is_control() || is_hidden_char(c)))
                .unwrap_or("…"),
            _ => &self.sent,
        }
    }
}

/// Characters a profile name cannot hold: it names a file and a keychain account.
/// These are Windows' rules; they apply everywhere because profiles travel between
/// machines in bundles.
const FORBIDDEN_NAME_CHARS: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];
pub const PROFILE_NAME_MAX_CHARS: usize = 64;
/// The name's UTF-8 length limit: a file name may have 255 bytes on most file
/// systems, and the name becomes `NAME.toml`, `NAME.lock`, `NAME.zip` and a
/// keychain account `NAME/field`; 64 emoji (256 bytes) pass the character
/// rule but no file system takes them.
pub const PROFILE_NAME_MAX_BYTES: usize = 200;

/// The shop-name rule for a name being given (a new shop, an import, a
/// bundle, a rename or copy): [`check_stored_name`], and a space in it is the
/// ordinary one. The name is taken trimmed (every way in trims it: the window,
/// `profile import`, bundles, the command line's NAME arguments).
pub fn check_profile_name(name: &str) -> Result<(), super::problem::Problem> {
    check_stored_name(name)?;
    // a no-break, thin or full-width space (U+00A0, U+2009, U+3000): the name
    // reads as the one with an ordinary space, yet is another shop and file
    if let Some(at) = name
        .trim()
        .chars()
        .position(|c| c.is_whitespace() && c != ' ')
    {
        return Err(super::problem::Problem::error("profile_name_space").with("position", at + 1));
    }
    Ok(())
}

/// The rule every stored shop's name meets, whatever version made it: it can
/// be a file name of ours on every system (the store opens only such names).
pub fn check_stored_name(name: &str) -> Result<(), super::problem::Problem> {
    use super::problem::Problem;
    let n = name.trim();
    if n.is_empty() {
        return Err(Problem::error("profile_name_empty"));
    }
    if n.chars().count() > PROFILE_NAME_MAX_CHARS {
        return Err(Problem::error("profile_name_too_long").with("max", PROFILE_NAME_MAX_CHARS));
    }
    if n.len() > PROFILE_NAME_MAX_BYTES {
        return Err(Problem::error("profile_name_too_many_bytes")
            .with("max", PROFILE_NAME_MAX_BYTES)
            .with("bytes", n.len()));
    }
    // a line separator (U+2028/9) breaks the name's line wherever it is shown
    if let Some(at) = super::text::first_unseen(n) {
        return Err(Problem::error("profile_name_hidden").with("position", at));
    }
    if n == "." || n == ".." || n.starts_with('.') {
        return Err(Problem::error("profile_name_dot"));
    }
    if let Some(c) = n.chars().find(|c| FORBIDDEN_NAME_CHARS.contains(c)) {
        return Err(Problem::error("profile_name_chars")
            .with("char", c)
            .with("chars", "/ \\ : * ? \" < > |"));
    }
    // Windows silently drops a trailing dot (a trailing space is trimmed above): the file
    // would be saved under another name than the shop's.
    if n.ends_with('.') {
        return Err(Problem::error("profile_name_trailing_dot"));
    }
    if is_windows_device_name(n) {
        return Err(Problem::error("profile_name_reserved").with("name", n));
    }
    Ok(())
}

/// A shop name as it is kept: trimmed, in Unicode's composed form (NFC). A name
/// typed on a Mac arrives decomposed (`cafe` + U+0301), the same name typed on
/// Windows composed (`café`): one shop, one file, one keychain account.
pub fn normalize_profile_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.trim().nfc().collect()
}

/// What two shop names are compared by: NFC, then every character's simple
/// uppercase (one character to one, as Windows' file systems compare names:
/// `s1` and `S1` are one file there, `ß` stays `ß`). Two shops whose names
/// have the same key cannot exist side by side: on Windows they would be one
/// file, and a bundle moves shops between systems.
pub fn profile_name_key(name: &str) -> String {
    normalize_profile_name(name)
        .chars()
        .map(|c| {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect()
}

/// Whether `a` and `b` name the same shop (see [`profile_name_key`]).
pub fn same_profile_name(a: &str, b: &str) -> bool {
    a == b || profile_name_key(a) == profile_name_key(b)
}

/// `CON`, `NUL`, `COM1`, `lpt2.txt`, `Aux .toml`: names that Windows opens as a device,
/// whatever the extension or letter case (spaces before the extension are ignored too).
fn is_windows_device_name(name: &str) -> bool {
    const DEVICES: &[&str] = &["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"];
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = stem.to_uppercase();
    if DEVICES.contains(&upper.as_str()) {
        return true;
    }
    // COM0-COM9 and LPT0-LPT9, also with the superscript digits ¹ ² ³
    let mut chars = upper.chars();
    let prefix: String = chars.by_ref().take(3).collect();
    let rest: Vec<char> = chars.collect();
    (prefix == "COM" || prefix == "LPT")
        && matches!(rest.as_slice(), [d] if d.is_ascii_digit() || matches!(d, '¹' | '²' | '³'))
}

impl Profile {
    pub fn new(name: &str) -> Self {
        Profile {
            name: normalize_profile_name(name),
            fingerprint_salt: super::record::new_salt(),
            ..Profile::default()
        }
    }

    /// Gives a profile from before salted fingerprints its salt. Its old
    /// results then no longer match and show as stale, as after an edit.
    pub fn ensure_fingerprint_salt(&mut self) {
        if self.fingerprint_salt.is_empty() {
            self.fingerprint_salt = super::record::new_salt();
        }
    }

    pub fn site_kind_or_default(&self) -> SiteKind {
        self.site_kind.unwrap_or(SiteKind::MiniProgram)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_walk_in_order() {
        assert_eq!(Step::Prerequisite.next(), Some(Step::MerchantNumber));
        assert_eq!(Step::Summary.next(), None);
        assert_eq!(Step::Prerequisite.prev(), None);
        assert_eq!(Step::Summary.prev(), Some(Step::Verify));
    }

    #[test]
    fn profile_names() {
        assert!(check_profile_name("张三的小店").is_ok());
        assert!(check_profile_name("shop-01 (test)").is_ok());
        for bad in ["", "  ", "a/b", "..", ".hidden", "a:b", "x\u{0}"] {
            assert!(check_profile_name(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_profile_name(&"长".repeat(65)).is_err());
    }

    /// Issue 10 item 1: names that read as one thing and are another.
    #[test]
    fn names_with_invisible_or_direction_characters_are_refused() {
        for name in [
            "花\u{202E}lmth.店",
            "店\u{200B}",
            "\u{FEFF}店",
            "a\u{2066}b",
        ] {
            assert_eq!(
                check_profile_name(name).map_err(|p| p.code),
                Err("profile_name_hidden"),
                "{name:?}"
            );
        }
        assert!(check_profile_name("花店 2号").is_ok());
    }

    /// Trial minor 10: "x y" and "x\u{a0}y" (a no-break space) existed side by
    /// side, reading as one name. A space in a new name is U+0020, as in the
    /// company rule; a shop kept under such a name by an older version still
    /// opens (the stored-name rule lets it through).
    #[test]
    fn a_new_name_with_a_no_break_or_other_odd_space_is_refused() {
        let en = crate::i18n::Tr(crate::i18n::Lang::En);
        for (name, position) in [
            ("x\u{a0}y", "2"),
            ("张三\u{3000}小店", "3"),
            ("ab\u{2009}c", "3"),
            ("a\u{202f}b", "2"),
            ("a\u{2007}b", "2"),
        ] {
            let p = check_profile_name(name).unwrap_err();
            assert_eq!(p.code, "profile_name_space", "{name:?}");
            assert!(en.msg(&p).contains(position), "{name:?}: {}", en.msg(&p));
            assert!(check_stored_name(name).is_ok(), "{name:?} would be lost");
        }
        assert!(check_profile_name("x y").is_ok());
        assert!(check_stored_name("x/y").is_err());
    }

    /// The trial: "店\u{200B}" was told it contains one of `/ \ : * ? " < > |`,
    /// which it does not; the message names the problem and where it is.
    #[test]
    fn an_invisible_character_is_named_with_its_position_not_the_forbidden_list() {
        let zh = crate::i18n::Tr(crate::i18n::Lang::ZhCn);
        let en = crate::i18n::Tr(crate::i18n::Lang::En);
        for (name, position) in [
            ("店\u{200B}", "2"),
            ("\u{FEFF}店", "1"),
            ("ab\u{202E}cd", "3"),
            ("tab\there", "4"),
        ] {
            let p = check_profile_name(name).unwrap_err();
            assert_eq!(p.code, "profile_name_hidden", "{name:?}");
            for text in [zh.msg(&p), en.msg(&p)] {
                assert!(text.contains(position), "{name:?}: {text}");
                assert!(!text.contains('|'), "{name:?}: {text}");
            }
        }
        // a forbidden character is named itself
        let p = check_profile_name("a|b").unwrap_err();
        assert_eq!(p.code, "profile_name_chars");
        assert!(en.msg(&p).contains("\"|\""), "{}", en.msg(&p));
    }

    /// The trial: 64 emoji passed the 64-character rule, then the disk said
    /// "File name too long (os error 36)". The bytes have their own limit.
    #[test]
    fn a_name_too_long_in_bytes_is_refused_with_its_own_message() {
        let emoji = "😀".repeat(64);
        let p = check_profile_name(&emoji).unwrap_err();
        assert_eq!(p.code, "profile_name_too_many_bytes");
        let en = crate::i18n::Tr(crate::i18n::Lang::En).msg(&p);
        assert!(en.contains("200") && en.contains("256"), "{en}");
        // 64 Chinese characters are 192 bytes: still a name
        assert!(check_profile_name(&"长".repeat(64)).is_ok());
        assert!(check_profile_name(&"😀".repeat(50)).is_ok());
        assert!(check_profile_name(&"😀".repeat(51)).is_err());
    }

    #[test]
    fn names_windows_cannot_store_are_refused_everywhere() {
        let code = |n: &str| check_profile_name(n).err().map(|p| p.code);
        for bad in [
            "CON",
            "con",
            "Nul",
            "PRN",
            "aux",
            "COM1",
            "com9",
            "LPT1",
            "lpt9",
            "COM0",
            "COM¹",
            "CON.txt",
            "nul.tar.gz",
            "Aux .toml",
            "CONIN$",
            "conout$",
        ] {
            assert_eq!(code(bad), Some("profile_name_reserved"), "{bad:?}");
        }
        for bad in ["shop.", "店铺..", "a. "] {
            assert_eq!(code(bad), Some("profile_name_trailing_dot"), "{bad:?}");
        }
        for bad in ["a<b", "a>b", "a\"b", "a|b", "a?b", "a*b", "a\\b"] {
            assert_eq!(code(bad), Some("profile_name_chars"), "{bad:?}");
        }
        for bad in ["tab\there", "x\u{7f}"] {
            assert_eq!(code(bad), Some("profile_name_hidden"), "{bad:?}");
        }
        // near misses are ordinary names
        for good in [
            "CONSOLE",
            "console shop",
            "COM10",
            "LPT",
            "NUL店",
            "my.con",
            "icon",
            "COMa",
        ] {
            assert!(check_profile_name(good).is_ok(), "{good:?} refused");
        }
    }

    /// Issue 18 item 8: `s1`/`S1`, and `café` composed or decomposed, are one shop.
    #[test]
    fn names_are_compared_as_windows_compares_file_names() {
        assert!(same_profile_name("s1", "S1"));
        assert!(same_profile_name("caf\u{e9}", "cafe\u{301}"));
        assert!(same_profile_name("Caf\u{e9}", "CAFE\u{301}"));
        assert_eq!(normalize_profile_name(" cafe\u{301} "), "caf\u{e9}");
        assert_eq!(Profile::new("cafe\u{301}").name, "caf\u{e9}");
        assert!(!same_profile_name("s1", "s2"));
        // one to one only, as NTFS does: ß is not SS
        assert!(!same_profile_name("straße", "STRASSE"));
        assert!(same_profile_name("店a", "店A"));
    }

    #[test]
    fn site_kind_round_trip() {
        for k in [SiteKind::MiniProgram, SiteKind::SiteAndMiniProgram] {
            assert_eq!(SiteKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(SiteKind::parse("pc"), None);
    }

    /// Every field set to a value that is not its default, written out in full
    /// (no `..Default::default()`): a new field fails to compile here until it
    /// is given one, so it cannot be left out of the round trip.
    fn everything_set() -> Profile {
        use super::super::record::Outcome;
        use super::super::record::{CheckId, CheckRecord};
        Profile {
            name: "店A".into(),
            // the one field left at its default: a shop marked so is never exported
            import_unfinished: false,
            prerequisite: Some(Prerequisite::IndividualOwner),
            merchant_path: Some(MerchantPath::BindExisting),
            checklist_done: ["new.apply".to_owned(), "bind.open".to_owned()].into(),
            site_kind: Some(SiteKind::SiteAndMiniProgram),
            api_key_v3_in_use: Some(false),
            ticked_for: [("bind.open".to_owned(), "wx1234567890abcdef".to_owned())].into(),
            last_push: Some(LastPush {
                backend: "likeadmin".into(),
                at: "2026-11-27T09:00:00Z".into(),
                ok: true,
                sent: "0123456789abcdef".into(),
                target: "likeadmin https://shop.example.com".into(),
                warnings: vec![PushWarning {
                    field: "app_id".into(),
                    holds: "wxfedcba0987654321".into(),
                    scenes: Some(vec!["oa".into(), "h5".into()]),
                }],
            }),
            payment_name: "小店 \"支付\"".into(),
            mp_appid: "wx1234567890abcdef".into(),
            mchid: "1900006031".into(),
            pending_cert_request: Some(super::super::cert::request::PendingRequest {
                csr_pem:
                    "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"
                        .into(),
                company: "深圳市某某科技有限公司".into(),
                created_at: "2026-11-27T08:00:00Z".into(),
            }),
            oa_appid: "wxfedcba0987654321".into(),
            jsapi_enabled: true,
            certificate: Some(CertSummary {
                mchid: Some("1900006031".into()),
                company: Some("某某科技有限公司".into()),
                issuer: super::super::cert::IssuerKind::Legacy,
                issuer_name: "MmpaymchCA".into(),
                serial: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1".into(),
                not_before: "2024-01-01T00:00:00Z".into(),
                not_after: "2029-01-01T00:00:00Z".into(),
                signature_algorithm: "sha256WithRSAEncryption".into(),
                key_bits: Some(2048),
                key_present: true,
                key_matches: Some(false),
                p12_present: true,
                source: "/home/a/证书.zip".into(),
                certificate_pem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
                    .into(),
            }),
            public_key_id: "PUB_KEY_ID_0119000060312024".into(),
            public_key_pem: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".into(),
            backend_url: "https://shop.example.com/api/wxpay".into(),
            backend_preset: crate::domain::backend_kind::BackendPreset::Custom,
            backend_account: "admin".into(),
            backend_password_origin: "https://shop.example.com".into(),
            backend_token_origin: "https://shop.example.com".into(),
            backend_mapping_file: "/home/a/mapping.toml".into(),
            checks: [(
                CheckId::PayOa,
                CheckRecord {
                    outcome: Outcome::fail("pay_other").with("detail", "NOAUTH"),
                    at: "2026-11-27T08:00:00Z".into(),
                    fingerprint: "0123456789abcdef".into(),
                },
            )]
            .into(),
            passes: [(
                CheckId::PayOa,
                crate::domain::record::Pass {
                    at: "2026-11-26T08:00:00Z".into(),
                    fingerprint: "0123456789abcdef".into(),
                },
            )]
            .into(),
            confirmed_bindings: ["1900006031/wx1234567890abcdef".to_owned()].into(),
            fingerprint_salt: "9f86d081884c7d659a2feaa0c55ad015".into(),
            api_key_in_use: Some(true),
            step: Step::Certificate,
            updated_at: "2026-11-27T08:01:00Z".into(),
        }
    }

    #[test]
    fn profile_toml_round_trip_keeps_everything() {
        let p = everything_set();
        let text = toml::to_string_pretty(&p).unwrap();
        let back: Profile = toml::from_str(&text).unwrap();
        assert_eq!(back, p);
        // and no field is at its default, so none can be dropped unnoticed
        let d = serde_json::to_value(Profile::default()).unwrap();
        let full = serde_json::to_value(&p).unwrap();
        for (k, v) in full.as_object().unwrap() {
            assert_ne!(Some(v), d.get(k), "{k} is left at its default");
        }
    }
}
