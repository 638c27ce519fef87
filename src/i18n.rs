//! User-facing text. Every string the user reads comes from `i18n/<lang>.toml`
//! (compiled in), looked up by a dotted key. Simplified Chinese is the default.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::domain::problem::Problem;

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
        first
            .get(key)
            .or_else(|| second.get(key))
            .map(String::as_str)
            .unwrap_or(MISSING)
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn tf(self, key: &str, args: &[(&str, String)]) -> String {
        fill(self.t(key), args)
    }

    /// The localized message of a problem.
    pub fn problem(self, p: &Problem) -> String {
        let args: Vec<(&str, String)> = p.args.iter().map(|(k, v)| (*k, v.clone())).collect();
        self.tf(&p.message_key(), &args)
    }
}

pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
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
    }
}
