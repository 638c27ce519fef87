//! User-facing text. Every string the user reads comes from `i18n/<lang>.toml`
//! (compiled in), looked up by a dotted key. Simplified Chinese is the default.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language of a locale name such as `zh_CN.UTF-8`, `zh-Hans`, `en-US`.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::ZhCn
        } else {
            Lang::En
        }
    }

    /// The language of the user's locale (LC_ALL, LC_MESSAGES, LANG on Unix).
    pub fn from_system() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
                && v != "C"
                && v != "POSIX"
            {
                return Lang::from_locale(&v);
            }
        }
        sys_locale::get_locale()
            .map(|l| Lang::from_locale(&l))
            .unwrap_or_default()
    }
}

pub const ZH_CN_SOURCE: &str = include_str!("../i18n/zh-CN.toml");
pub const EN_SOURCE: &str = include_str!("../i18n/en.toml");

/// A flat key -> text map built from a nested TOML file.
pub fn parse_catalog(source: &str) -> Result<HashMap<String, String>, String> {
    let table: toml::Table = toml::from_str(source).map_err(|e| e.to_string())?;
    let mut out = HashMap::new();
    flatten("", &toml::Value::Table(table), &mut out)?;
    Ok(out)
}

fn flatten(prefix: &str, v: &toml::Value, out: &mut HashMap<String, String>) -> Result<(), String> {
    match v {
        toml::Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
            Ok(())
        }
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out)?;
            }
            Ok(())
        }
        other => Err(format!(
            "{prefix}: expected text, found {}",
            other.type_str()
        )),
    }
}

const MISSING: &str = "(?)";

static CATALOGS: LazyLock<[HashMap<String, String>; 2]> = LazyLock::new(|| {
    // The catalogs are compiled in and checked by tests; a broken one is a build bug.
    [
        parse_catalog(ZH_CN_SOURCE).expect("i18n/zh-CN.toml is valid"),
        parse_catalog(EN_SOURCE).expect("i18n/en.toml is valid"),
    ]
});

/// The text of `key` in the user's catalog, else in the other one (a text
/// missing in one language shows in the other rather than as a marker).
fn lookup<'a>(
    first: &'a HashMap<String, String>,
    second: &'a HashMap<String, String>,
    key: &str,
) -> Option<&'a str> {
    first
        .get(key)
        .or_else(|| second.get(key))
        .map(String::as_str)
}

/// A translator for one language: cheap to copy into every view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn lang(self) -> Lang {
        self.0
    }

    /// The text for `key`; falls back to the other language, then to a visible
    /// marker (a test checks that every key used in the sources exists).
    pub fn t(self, key: &str) -> &'static str {
        let [zh, en] = &*CATALOGS;
        let (first, second) = match self.0 {
            Lang::ZhCn => (zh, en),
            Lang::En => (en, zh),
        };
        // `CATALOGS` is a static, so these references live for the whole program.
        lookup(first, second, key).unwrap_or(MISSING)
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn tf(self, key: &str, args: &[(&str, String)]) -> String {
        fill(self.t(key), args)
    }
}

/// One value inside a message: plain text, or something that is itself
/// localized (a key), or a list of either joined the way the language lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Key(String),
    List(Vec<Arg>),
    /// A whole message of its own (a key and its arguments) inside this one.
    Nested(String, Vec<(&'static str, Arg)>),
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

/// Anything the user can be told: an error, an outcome, a notice. It names its
/// text by key and hands over the values the text refers to; [`Tr::msg`] turns
/// it into words. This is the only contract between the layers and the text
/// tables, so i18n needs to know none of the types that implement it.
pub trait Message {
    /// The i18n key of the text, e.g. `import_error.not_a_zip`.
    fn key(&self) -> String;
    /// The `{name}` placeholders of that text and their values.
    fn args(&self) -> Vec<(&'static str, Arg)> {
        Vec::new()
    }
}

impl Tr {
    /// The localized text of any [`Message`].
    pub fn msg(self, m: &(impl Message + ?Sized)) -> String {
        let args: Vec<(&str, String)> = m
            .args()
            .into_iter()
            .map(|(name, arg)| (name, self.arg(&arg)))
            .collect();
        self.tf(&m.key(), &args)
    }

    fn arg(self, a: &Arg) -> String {
        match a {
            Arg::Text(s) => s.clone(),
            Arg::Key(k) => self.t(k).to_owned(),
            Arg::Nested(key, args) => {
                let args: Vec<(&str, String)> =
                    args.iter().map(|(n, a)| (*n, self.arg(a))).collect();
                self.tf(key, &args)
            }
            Arg::List(items) => {
                let sep = if self.0 == Lang::ZhCn { "、" } else { ", " };
                // an item that is a sentence (it ends with a full stop) is followed
                // by the next one as sentences are, not by a comma
                let mut out = String::new();
                for (i, item) in items.iter().map(|i| self.arg(i)).enumerate() {
                    if i > 0 {
                        out.push_str(match ends_sentence(&out) {
                            true if self.0 == Lang::ZhCn => "",
                            true => " ",
                            false => sep,
                        });
                    }
                    out.push_str(&item);
                }
                out
            }
        }
    }
}

pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in args {
        let placeholder = format!("{{{name}}}");
        let mut filled = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(&placeholder) {
            filled.push_str(&rest[..at]);
            filled.push_str(value);
            rest = &rest[at + placeholder.len()..];
            // a value that ends a sentence takes the template's full stop after it
            // ("…login page." + "." was "login page..")
            if ends_sentence(value) {
                rest = rest
                    .strip_prefix('.')
                    .filter(|r| !r.starts_with('.'))
                    .or_else(|| rest.strip_prefix('。'))
                    .unwrap_or(rest);
            }
        }
        filled.push_str(rest);
        out = filled;
    }
    out
}

/// Whether `text` ends with a full stop (not an ellipsis).
fn ends_sentence(text: &str) -> bool {
    (text.ends_with('.') && !text.ends_with("..")) || text.ends_with('。')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_names() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::ZhCn);
        assert_eq!(Lang::from_locale("zh-Hans-CN"), Lang::ZhCn);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("de_DE"), Lang::En);
    }

    /// Second CLI trial, wording: a sentence given as a value ends with its own
    /// full stop, not two ("login page.. Ask"), and sentences in a list follow
    /// each other as sentences, not with a comma.
    #[test]
    fn a_sentence_in_a_text_keeps_one_full_stop() {
        let a = "Type the account as on the login page.".to_owned();
        assert_eq!(
            fill("Wrong: {x}. Ask again.", &[("x", a.clone())]),
            "Wrong: Type the account as on the login page. Ask again."
        );
        assert_eq!(fill("{x}。再试", &[("x", "错了。".into())]), "错了。再试");
        // not an ellipsis, and not a value without its own stop
        assert_eq!(fill("{x}...", &[("x", "a.".into())]), "a....");
        assert_eq!(fill("{x}.", &[("x", "v1.2".into())]), "v1.2.");
        let list = Arg::List(vec![Arg::Text(a.clone()), Arg::Text("mchid: wrong".into())]);
        assert_eq!(Tr(Lang::En).arg(&list), format!("{a} mchid: wrong"));
        let list = Arg::List(vec![Arg::Text("a".into()), Arg::Text("b".into())]);
        assert_eq!(Tr(Lang::En).arg(&list), "a, b");
    }

    struct Sample;
    impl Message for Sample {
        fn key(&self) -> String {
            "cli.deleted".into()
        }
        fn args(&self) -> Vec<(&'static str, Arg)> {
            vec![(
                "name",
                Arg::List(vec![Arg::Text("a".into()), Arg::Key("app.title".into())]),
            )]
        }
    }

    #[test]
    fn messages_localize_their_key_and_arguments() {
        let zh = Tr(Lang::ZhCn).msg(&Sample);
        let en = Tr(Lang::En).msg(&Sample);
        assert!(zh.contains("a、微信支付配置向导"), "{zh}");
        assert!(en.contains("a, WeChat Pay Setup"), "{en}");
    }

    #[test]
    fn fill_replaces_placeholders() {
        assert_eq!(
            fill("{a} and {b}, {a}", &[("a", "1".into()), ("b", "2".into())]),
            "1 and 2, 1"
        );
    }

    #[test]
    fn lookup_and_fallback() {
        assert_eq!(Tr(Lang::ZhCn).t("app.title"), "微信支付配置向导");
        assert_eq!(Tr(Lang::En).t("app.title"), "WeChat Pay Setup");
        assert_eq!(Tr(Lang::En).t("no.such.key"), MISSING);
        // the real catalogs have the same keys, so the fallback is tried on
        // catalogs where a key is in one language only
        let zh = parse_catalog("[a]\nboth = \"两者\"\nzh_only = \"只有中文 {n}\"\n").unwrap();
        let en = parse_catalog("[a]\nboth = \"both\"\nen_only = \"English only\"\n").unwrap();
        assert_eq!(lookup(&zh, &en, "a.both"), Some("两者"));
        assert_eq!(lookup(&en, &zh, "a.both"), Some("both"));
        assert_eq!(lookup(&zh, &en, "a.en_only"), Some("English only"));
        assert_eq!(lookup(&en, &zh, "a.zh_only"), Some("只有中文 {n}"));
        assert_eq!(lookup(&en, &zh, "a.none"), None);
        assert_eq!(
            fill(lookup(&en, &zh, "a.zh_only").unwrap(), &[("n", "3".into())]),
            "只有中文 3"
        );
    }
}

#[cfg(test)]
mod catalog_tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(s: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.insert(rest[start + 1..start + len].to_owned());
            rest = &rest[start + len..];
        }
        out
    }

    #[test]
    fn both_languages_define_the_same_keys_and_placeholders() {
        let zh = parse_catalog(ZH_CN_SOURCE).unwrap();
        let en = parse_catalog(EN_SOURCE).unwrap();
        let zk: BTreeSet<_> = zh.keys().collect();
        let ek: BTreeSet<_> = en.keys().collect();
        assert_eq!(
            zk.symmetric_difference(&ek).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "keys present in only one language"
        );
        for (k, z) in &zh {
            assert_eq!(
                placeholders(z),
                placeholders(&en[k]),
                "placeholders differ for {k}"
            );
            assert!(
                !z.trim().is_empty() && !en[k].trim().is_empty(),
                "empty text for {k}"
            );
        }
    }

    /// Every key the sources look up literally exists, and every key built from a
    /// code written as a literal (`Problem::error("<code>")`, `Outcome::fail(..)`,
    /// a push failure's `code: "push_.."`) exists. The codes that are enum
    /// variants are checked from their types in `tests/messages.rs`.
    #[test]
    fn every_key_used_in_the_sources_exists() {
        let zh = parse_catalog(ZH_CN_SOURCE).unwrap();
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut files = vec![std::path::PathBuf::from(src)];
        let mut missing = Vec::new();
        while let Some(p) = files.pop() {
            if p.is_dir() {
                files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let text = text.split("#[cfg(test)]").next().unwrap_or("");
            for pat in ["t(\"", "tf(\"", "tf(\n"] {
                for (i, _) in text.match_indices(pat) {
                    let rest = text[i + pat.len()..].trim_start().trim_start_matches('"');
                    let key: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
                        .collect();
                    if key.contains('.') && !zh.contains_key(&key) {
                        missing.push(format!("{}: {key}", p.display()));
                    }
                }
            }
            // (pattern, i18n prefix, part of the code inside the pattern)
            for (pat, prefix, lead) in [
                ("Problem::error(\"", "problem", ""),
                ("Problem::warning(\"", "problem", ""),
                ("Outcome::ok(\"", "check", ""),
                ("Outcome::fail(\"", "check", ""),
                ("Outcome::error(\"", "check", ""),
                ("Status::Skipped, \"", "check", ""),
                ("Err(\"public_key", "check", "public_key"),
                ("=> \"net_", "check", "net_"),
                ("code: \"push_", "push", "push_"),
            ] {
                for (i, _) in text.match_indices(pat) {
                    let code: String = text[i + pat.len()..]
                        .chars()
                        .take_while(|c| *c != '"')
                        .collect();
                    let key = format!("{prefix}.{lead}{code}");
                    if !zh.contains_key(&key) {
                        missing.push(format!("{}: {key}", p.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing i18n keys: {missing:#?}");
    }
}
