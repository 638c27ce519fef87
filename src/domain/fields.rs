//! Format rules of every backend field (facts file, section 2). Each check names
//! what is wrong in a way that lets the message say what to do: a value is often a
//! *different* WeChat value pasted into the wrong box, so we recognise those shapes.

use super::problem::Problem;
use super::secret::Secret;

/// The values the wizard collects (secret ones included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::EnumIter)]
pub enum FieldId {
    PaymentName,
    MpAppId,
    MpAppSecret,
    MchId,
    ApiKeyV2,
    ApiKeyV3,
    OaAppId,
    OaAppSecret,
}

impl FieldId {
    /// Also the key in the profile import file and in the i18n catalog (`field.<key>`).
    pub fn key(self) -> &'static str {
        match self {
            FieldId::PaymentName => "payment_name",
            FieldId::MpAppId => "mp_appid",
            FieldId::MpAppSecret => "mp_appsecret",
            FieldId::MchId => "mchid",
            FieldId::ApiKeyV2 => "api_key_v2",
            FieldId::ApiKeyV3 => "api_key_v3",
            FieldId::OaAppId => "oa_appid",
            FieldId::OaAppSecret => "oa_appsecret",
        }
    }

    /// The field whose [`key`](Self::key) this is.
    pub fn from_key(key: &str) -> Option<FieldId> {
        use strum::IntoEnumIterator;
        FieldId::iter().find(|f| f.key() == key)
    }

    /// The keychain entry of a secret field.
    pub fn secret(self) -> Option<super::profile::SecretField> {
        use super::profile::SecretField;
        match self {
            FieldId::MpAppSecret => Some(SecretField::MpAppSecret),
            FieldId::ApiKeyV2 => Some(SecretField::ApiKeyV2),
            FieldId::ApiKeyV3 => Some(SecretField::ApiKeyV3),
            FieldId::OaAppSecret => Some(SecretField::OaAppSecret),
            _ => None,
        }
    }
}

/// What is kept of a typed or pasted text field. Identifiers (AppIDs, MCHID) never
/// contain spaces, so the ones pasted around them are dropped as they arrive;
/// the payment name is kept as typed (a trailing space is the start of the next
/// word) and trimmed where it is used.
pub fn stored_text(f: FieldId, typed: &str) -> String {
    match f {
        FieldId::MpAppId | FieldId::OaAppId | FieldId::MchId => typed.trim().to_owned(),
        _ => typed.to_owned(),
    }
}

/// Longest payment method name, in "characters" where a full-width one counts 2.
pub const PAYMENT_NAME_MAX_WIDTH: usize = 50;

/// Width as shop backends count it: ASCII is 1, anything else (CJK, full-width
/// punctuation) is 2, as in the GBK byte count those backends use.
pub fn payment_name_width(name: &str) -> usize {
    name.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

pub fn check_payment_name(name: &str) -> Vec<Problem> {
    let name = name.trim();
    if name.is_empty() {
        return vec![Problem::error("payment_name_empty")];
    }
    // control characters, and the invisible ones that change how it reads
    // (bidi, zero-width) or break its line (U+2028/9): it is shown to payers
    if name.chars().any(super::text::is_unseen) {
        return vec![Problem::error("payment_name_control")];
    }
    let width = payment_name_width(name);
    if width > PAYMENT_NAME_MAX_WIDTH {
        return vec![
            Problem::error("payment_name_too_long")
                .with("width", width)
                .with("max", PAYMENT_NAME_MAX_WIDTH),
        ];
    }
    Vec::new()
}

/// The most characters a shop backend's admin account may have: likeadmin,
/// CRMEB and ShopXO take 32 or fewer; a longer one is a paste gone wrong.
pub const BACKEND_ACCOUNT_MAX_CHARS: usize = 64;

/// The shop backend's admin account the push logs in with (trimmed; empty:
/// not given yet, which the push asks for). Whether typed, read from an import
/// file or brought by a bundle: no control, invisible or line-breaking
/// character (it is sent in a login form and shown on the terminal), at most
/// [`BACKEND_ACCOUNT_MAX_CHARS`] characters.
pub fn check_backend_account(account: &str) -> Vec<Problem> {
    let a = account.trim();
    if let Some(position) = super::text::first_unseen(a) {
        return vec![Problem::error("backend_account_chars").with("position", position)];
    }
    let chars = a.chars().count();
    if chars > BACKEND_ACCOUNT_MAX_CHARS {
        return vec![
            Problem::error("backend_account_too_long")
                .with("chars", chars)
                .with("max", BACKEND_ACCOUNT_MAX_CHARS),
        ];
    }
    Vec::new()
}

/// The shop backend's address as far as its characters go (whether it is a
/// usable HTTPS address is `services::wechat_http::check_base_url`'s): none
/// that a typed address never holds. The URL parser would percent-encode
/// them, but the address is kept and shown as given.
pub fn check_backend_url_chars(url: &str) -> Vec<Problem> {
    match super::text::first_unseen(url.trim()) {
        Some(position) => vec![Problem::error("backend_url_chars").with("position", position)],
        None => Vec::new(),
    }
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Which account an AppID belongs to: used only to word the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKind {
    MiniProgram,
    ServiceAccount,
}

pub fn check_appid(value: &str) -> Vec<Problem> {
    let v = value.trim();
    if v.is_empty() {
        return vec![Problem::error("appid_empty")];
    }
    if v.starts_with("gh_") {
        return vec![Problem::error("appid_is_original_id")];
    }
    if v.len() == 32 && is_hex(v) {
        return vec![Problem::error("appid_looks_like_secret")];
    }
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return vec![Problem::error("appid_looks_like_mchid")];
    }
    if !v.starts_with("wx") {
        if v.to_ascii_lowercase().starts_with("wx") {
            return vec![Problem::error("appid_uppercase")];
        }
        return vec![Problem::error("appid_prefix")];
    }
    if v.chars().count() != 18 {
        return vec![Problem::error("appid_length").with("len", v.chars().count())];
    }
    if !is_lower_hex(&v[2..]) {
        if is_hex(&v[2..]) {
            return vec![Problem::error("appid_uppercase")];
        }
        return vec![Problem::error("appid_chars")];
    }
    Vec::new()
}

pub fn check_appsecret(value: &Secret, appid: &str) -> Vec<Problem> {
    let v = value.expose().trim();
    if v.is_empty() {
        return vec![Problem::error("appsecret_empty")];
    }
    if v.starts_with("wx") && v.len() == 18 {
        return vec![Problem::error("appsecret_is_appid")];
    }
    if v.chars().count() != 32 {
        return vec![Problem::error("appsecret_length").with("len", v.chars().count())];
    }
    if !is_hex(v) {
        return vec![Problem::error("appsecret_chars")];
    }
    if !appid.trim().is_empty() && v.eq_ignore_ascii_case(appid.trim()) {
        return vec![Problem::error("appsecret_is_appid")];
    }
    Vec::new()
}

pub fn check_mchid(value: &str) -> Vec<Problem> {
    let v = value.trim();
    if v.is_empty() {
        return vec![Problem::error("mchid_empty")];
    }
    if v.starts_with("wx") {
        return vec![Problem::error("mchid_is_appid")];
    }
    if !v.bytes().all(|b| b.is_ascii_digit()) {
        return vec![Problem::error("mchid_digits")];
    }
    match v.len() {
        10 if v.starts_with('1') => Vec::new(),
        10 => vec![Problem::error("mchid_ten_digits_start")],
        8 => Vec::new(),
        n => vec![Problem::error("mchid_length").with("len", n)],
    }
}

/// The APIv2 key: 32 of [0-9A-Za-z], and not one of the other secrets.
pub fn check_api_key_v2(value: &Secret, others: &OtherSecrets<'_>) -> Vec<Problem> {
    let v = value.expose().trim();
    if v.is_empty() {
        return vec![Problem::error("api_key_empty")];
    }
    let len = v.chars().count();
    if len != 32 {
        return vec![Problem::error("api_key_length").with("len", len)];
    }
    let is_v3 = others.api_key_v3.is_some_and(|k| k.expose().trim() == v);
    if let Some((position, c)) = first_bad_char(v, |c| c.is_ascii_graphic()) {
        return vec![
            Problem::error("api_key_char")
                .with("position", position)
                .with("char", c),
        ];
    }
    if !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        // 32 printable characters with symbols: the shape only an APIv3 key has
        return vec![Problem::error(if is_v3 {
            "api_key_is_v3"
        } else if looks_like_v3_key(v) {
            "api_key_looks_like_v3"
        } else {
            "api_key_chars"
        })];
    }
    let mut problems = Vec::new();
    if is_v3 {
        problems.push(Problem::error("api_key_is_v3"));
    }
    if others.appsecrets.iter().any(|s| s.expose().trim() == v) {
        problems.push(Problem::error("api_key_is_appsecret"));
    }
    let distinct: std::collections::BTreeSet<u8> = v.bytes().collect();
    if distinct.len() < 10 {
        problems.push(Problem::warning("api_key_weak"));
    }
    problems
}

/// The first character of `v` that `allowed` refuses: its position (1-based)
/// and how a message shows it (`"é" (U+00E9)`, or `U+00A0` for one not seen).
/// A key of 32 characters with one that is not ASCII is then told by that
/// character, not as "must be 32 characters; this has 32" (third CLI trial minor 5).
fn first_bad_char(v: &str, allowed: impl Fn(char) -> bool) -> Option<(usize, String)> {
    let (at, c) = v.chars().enumerate().find(|(_, c)| !allowed(*c))?;
    let code = format!("U+{:04X}", c as u32);
    let shown = if c.is_alphanumeric() || (c.is_ascii_graphic()) {
        format!("\"{c}\" ({code})")
    } else {
        code
    };
    Some((at + 1, shown))
}

/// 32 bytes of printable ASCII: the shape of an APIv3 key.
fn looks_like_v3_key(v: &str) -> bool {
    v.len() == 32 && v.bytes().all(|b| b.is_ascii_graphic())
}

/// The APIv3 key: exactly 32 bytes of printable ASCII, and not the APIv2 key
/// (the APIv2 box says the same from its side: both boxes flag the pair).
pub fn check_api_key_v3(value: &Secret, api_key_v2: Option<&Secret>) -> Vec<Problem> {
    let v = value.expose().trim();
    if v.is_empty() {
        return Vec::new(); // optional until the APIv3 checks need it
    }
    if v.chars().count() == 32
        && let Some((position, c)) = first_bad_char(v, |c| c.is_ascii_graphic())
    {
        return vec![
            Problem::error("api_key_v3_char")
                .with("position", position)
                .with("char", c),
        ];
    }
    if !looks_like_v3_key(v) {
        return vec![Problem::error("api_key_v3_length").with("len", v.chars().count())];
    }
    if api_key_v2.is_some_and(|k| k.expose().trim() == v) {
        return vec![Problem::error("api_key_v3_is_v2")];
    }
    Vec::new()
}

/// The secrets an APIv2 key must not be equal to.
#[derive(Default)]
pub struct OtherSecrets<'a> {
    pub api_key_v3: Option<&'a Secret>,
    pub appsecrets: Vec<&'a Secret>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trial M3: a bundle's admin account took CR/LF, escapes, U+202E and
    /// 200,000 characters; the rule every way in now shares.
    #[test]
    fn an_admin_account_holds_no_hidden_character_and_at_most_64() {
        assert!(check_backend_account(" admin ").is_empty());
        assert!(check_backend_account("").is_empty(), "not given yet");
        assert!(check_backend_account(&"管".repeat(64)).is_empty());
        for (account, code) in [
            ("ad\r\nmin", "backend_account_chars"),
            ("admin\u{1b}[2J", "backend_account_chars"),
            ("admin\u{202e}", "backend_account_chars"),
            ("ad\u{200b}min", "backend_account_chars"),
            ("ad\u{2028}min", "backend_account_chars"),
        ] {
            assert_eq!(check_backend_account(account)[0].code, code, "{account:?}");
        }
        let long = check_backend_account(&"a".repeat(200_000));
        assert_eq!(long[0].code, "backend_account_too_long");
        assert_eq!(
            check_backend_account("ad\nmin")[0].args,
            [("position", "3".to_owned())]
        );
        assert!(check_backend_url_chars("https://shop.example.com/admin").is_empty());
        assert_eq!(
            check_backend_url_chars("https://x/\u{1b}[2J")[0].code,
            "backend_url_chars"
        );
    }

    fn codes(p: Vec<Problem>) -> Vec<&'static str> {
        p.into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn payment_name_counts_cjk_as_two() {
        assert_eq!(payment_name_width("微信支付"), 8);
        assert_eq!(payment_name_width("WeChat Pay"), 10);
        assert!(check_payment_name("微信支付").is_empty());
        assert!(check_payment_name(&"付".repeat(25)).is_empty());
        assert_eq!(
            codes(check_payment_name(&"付".repeat(26))),
            ["payment_name_too_long"]
        );
        assert!(check_payment_name(&"a".repeat(50)).is_empty());
        assert_eq!(
            codes(check_payment_name(&"a".repeat(51))),
            ["payment_name_too_long"]
        );
        assert_eq!(codes(check_payment_name("  ")), ["payment_name_empty"]);
        assert_eq!(
            codes(check_payment_name("a\u{7}b")),
            ["payment_name_control"]
        );
    }

    #[test]
    fn appid_rules() {
        assert!(check_appid("wx1234567890abcdef").is_empty());
        assert!(check_appid(" wx1234567890abcdef\n").is_empty());
        assert_eq!(codes(check_appid("")), ["appid_empty"]);
        assert_eq!(codes(check_appid("wx1234")), ["appid_length"]);
        assert_eq!(codes(check_appid("wx1234567890abcdeg")), ["appid_chars"]);
        assert_eq!(
            codes(check_appid("WX1234567890abcdef")),
            ["appid_uppercase"]
        );
        assert_eq!(
            codes(check_appid("wx1234567890ABCDEF")),
            ["appid_uppercase"]
        );
        assert_eq!(
            codes(check_appid("gh_1234567890ab")),
            ["appid_is_original_id"]
        );
        assert_eq!(codes(check_appid("1900006031")), ["appid_looks_like_mchid"]);
        assert_eq!(
            codes(check_appid("0123456789abcdef0123456789abcdef")),
            ["appid_looks_like_secret"]
        );
        assert_eq!(codes(check_appid("ab1234567890abcdef")), ["appid_prefix"]);
    }

    #[test]
    fn appsecret_rules() {
        let ok = Secret::new("0123456789abcdef0123456789abcdef");
        assert!(check_appsecret(&ok, "wx1234567890abcdef").is_empty());
        assert_eq!(
            codes(check_appsecret(&Secret::new("abc"), "")),
            ["appsecret_length"]
        );
        assert_eq!(
            codes(check_appsecret(
                &Secret::new("0123456789abcdef0123456789abcdeZ"),
                ""
            )),
            ["appsecret_chars"]
        );
        assert_eq!(
            codes(check_appsecret(&Secret::new("wx1234567890abcdef"), "")),
            ["appsecret_is_appid"]
        );
        assert_eq!(
            codes(check_appsecret(&Secret::empty(), "")),
            ["appsecret_empty"]
        );
    }

    #[test]
    fn mchid_rules() {
        assert!(check_mchid("1900006031").is_empty());
        assert!(check_mchid("10000100").is_empty());
        assert_eq!(codes(check_mchid("2900006031")), ["mchid_ten_digits_start"]);
        assert_eq!(codes(check_mchid("190000603")), ["mchid_length"]);
        assert_eq!(codes(check_mchid("19000O6031")), ["mchid_digits"]);
        assert_eq!(codes(check_mchid("wx1234567890abcdef")), ["mchid_is_appid"]);
        assert_eq!(codes(check_mchid("")), ["mchid_empty"]);
    }

    #[test]
    fn api_key_rules() {
        let key = Secret::new("Ab3dEf6hIj9kLm2oPq5sTu8wXy1zA4cD");
        assert!(check_api_key_v2(&key, &OtherSecrets::default()).is_empty());
        assert_eq!(
            codes(check_api_key_v2(
                &Secret::new("short"),
                &OtherSecrets::default()
            )),
            ["api_key_length"]
        );
        assert_eq!(
            codes(check_api_key_v2(
                &Secret::new("Ab3dEf6hIj9kLm2o Pq5sTu8wXy1zA4c"),
                &OtherSecrets::default()
            )),
            ["api_key_char"],
            "a space is named by its place"
        );
        assert_eq!(
            codes(check_api_key_v2(
                &Secret::new("Ab3dEf6hIj9kLm2oPq5sTu8wXy1zA4c键"),
                &OtherSecrets::default()
            )),
            ["api_key_char"]
        );
        let same = key.clone();
        let others = OtherSecrets {
            api_key_v3: Some(&same),
            appsecrets: vec![],
        };
        assert_eq!(codes(check_api_key_v2(&key, &others)), ["api_key_is_v3"]);
        let others = OtherSecrets {
            api_key_v3: None,
            appsecrets: vec![&same],
        };
        assert_eq!(
            codes(check_api_key_v2(&key, &others)),
            ["api_key_is_appsecret"]
        );
        let weak = Secret::new("a".repeat(32));
        let p = check_api_key_v2(&weak, &OtherSecrets::default());
        assert_eq!(codes(p.clone()), ["api_key_weak"]);
        assert!(!p[0].is_error());
    }

    #[test]
    fn api_key_v3_rules() {
        assert!(check_api_key_v3(&Secret::empty(), None).is_empty());
        assert_eq!(
            codes(check_api_key_v3(
                &Secret::new("a!b@c#d$e%f^g&h*i(j)k-l_m+n=o~p"),
                None
            )),
            ["api_key_v3_length"]
        );
        assert_eq!(
            codes(check_api_key_v3(
                &Secret::new("a b@c#d$e%f^g&h*i(j)k-l_m+n=o~pq"),
                None
            )),
            ["api_key_v3_char"],
            "a space is not printable ASCII here"
        );
        assert!(
            check_api_key_v3(&Secret::new("a!b@c#d$e%f^g&h*i(j)k-l_m+n=o~pq"), None).is_empty()
        );
    }

    /// Issue 8 item 15: the APIv2 box said "same as the APIv3 key" while the APIv3
    /// box showed a tick; both boxes must say it.
    #[test]
    fn the_v3_box_flags_a_key_equal_to_the_v2_key() {
        let key = Secret::new("Ab3dEf6hIj9kLm2oPq5sTu8wXy1zA4cD");
        assert_eq!(
            codes(check_api_key_v3(
                &key,
                Some(&Secret::new(" Ab3dEf6hIj9kLm2oPq5sTu8wXy1zA4cD\n"))
            )),
            ["api_key_v3_is_v2"]
        );
        assert!(
            check_api_key_v3(&key, Some(&Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e")))
                .is_empty()
        );
        assert!(check_api_key_v3(&key, Some(&Secret::empty())).is_empty());
        // both boxes flag the same pair
        let others = OtherSecrets {
            api_key_v3: Some(&key),
            appsecrets: vec![],
        };
        assert_eq!(codes(check_api_key_v2(&key, &others)), ["api_key_is_v3"]);
    }

    /// Issue 8 item 15: an APIv3-style key (32 printable characters with symbols)
    /// pasted into the APIv2 box got only "letters and digits only".
    #[test]
    fn a_v3_style_key_in_the_v2_box_is_named_as_such() {
        for v3_like in [
            "a!b@c#d$e%f^g&h*i(j)k-l_m+n=o~pq",
            "Ab3dEf6hIj9kLm2oPq5sTu8wXy1zA4c-",
        ] {
            assert_eq!(
                codes(check_api_key_v2(
                    &Secret::new(v3_like),
                    &OtherSecrets::default()
                )),
                ["api_key_looks_like_v3"],
                "{v3_like}"
            );
        }
        // when it equals the key in the APIv3 box, that is the more precise message
        let v3 = Secret::new("a!b@c#d$e%f^g&h*i(j)k-l_m+n=o~pq");
        let others = OtherSecrets {
            api_key_v3: Some(&v3),
            appsecrets: vec![],
        };
        assert_eq!(codes(check_api_key_v2(&v3, &others)), ["api_key_is_v3"]);
    }

    /// Issue 8 item 15: AppIDs kept the spaces pasted around them.
    #[test]
    fn identifiers_are_stored_without_surrounding_spaces() {
        for f in [FieldId::MpAppId, FieldId::OaAppId, FieldId::MchId] {
            assert_eq!(
                stored_text(f, " \twx1234567890abcdef \n"),
                "wx1234567890abcdef"
            );
        }
        // the payment name is kept as typed: the space before the next word is being typed
        assert_eq!(stored_text(FieldId::PaymentName, "WeChat "), "WeChat ");
    }
}
