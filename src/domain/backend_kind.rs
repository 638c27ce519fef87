//! Which shop backend a profile pushes to: the system the shop runs (likeadmin, CRMEB,
//! ShopXO, or a receiver of our own contract), asked once and stored in the profile.
//! Plain data at the bottom of the domain (the profile model holds it); what each
//! backend takes is the business of `domain::backend`, which the profile never imports.

use serde::{Deserialize, Serialize};

/// The shop system behind the admin address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    Likeadmin,
    Crmeb,
    Shopxo,
    /// A receiver written to docs/push-api.md (bearer token, multipart form).
    Generic,
}

impl BackendKind {
    /// In the order the window offers them.
    pub const ALL: [BackendKind; 4] = [
        BackendKind::Likeadmin,
        BackendKind::Crmeb,
        BackendKind::Shopxo,
        BackendKind::Generic,
    ];

    /// The name on the command line (`--backend`), in profile files and JSON reports.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Likeadmin => "likeadmin",
            BackendKind::Crmeb => "crmeb",
            BackendKind::Shopxo => "shopxo",
            BackendKind::Generic => "generic",
        }
    }

    pub fn parse(s: &str) -> Option<BackendKind> {
        let s = s.trim().to_ascii_lowercase();
        BackendKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The APIv3 key is required (likeadmin's `pay_sign_key`; likeadmin has no APIv2).
    pub fn needs_api_v3(self) -> bool {
        self == BackendKind::Likeadmin
    }

    /// The backends with their own admin login (account and password); the generic
    /// receiver takes a token instead.
    pub fn has_login(self) -> bool {
        self != BackendKind::Generic
    }
}

/// What the profile stores: not chosen yet, a known backend, or the generic receiver
/// with the user's own field names (`custom`, with the profile's `backend_mapping_file`).
/// Stored as a string under the profile's `backend_preset` key, as before: `""` is not
/// chosen; `"generic"`, `"crmeb"`, `"likeadmin"`, `"shopxo"` and `"custom"` read as
/// they always did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum BackendPreset {
    #[default]
    Unset,
    Known(BackendKind),
    Custom,
    /// The owner said "another system, or I do not know": nothing to push to;
    /// the window says what to do (ask whoever set the shop up, fill by hand).
    Other,
}

impl BackendPreset {
    pub const CUSTOM: &str = "custom";
    pub const OTHER: &str = "other";

    pub fn parse(s: &str) -> Option<BackendPreset> {
        match s.trim() {
            "" => Some(BackendPreset::Unset),
            Self::CUSTOM => Some(BackendPreset::Custom),
            Self::OTHER => Some(BackendPreset::Other),
            other => BackendKind::parse(other).map(BackendPreset::Known),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BackendPreset::Unset => "",
            BackendPreset::Known(k) => k.name(),
            BackendPreset::Custom => Self::CUSTOM,
            BackendPreset::Other => Self::OTHER,
        }
    }

    /// The system pushed to; a custom mapping is the generic receiver's.
    pub fn kind(self) -> Option<BackendKind> {
        match self {
            BackendPreset::Unset | BackendPreset::Other => None,
            BackendPreset::Known(k) => Some(k),
            BackendPreset::Custom => Some(BackendKind::Generic),
        }
    }
}

/// A backend name that is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown backend {0:?}")]
pub struct UnknownPreset(pub String);

impl TryFrom<String> for BackendPreset {
    type Error = UnknownPreset;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        BackendPreset::parse(&s).ok_or(UnknownPreset(s))
    }
}

impl From<BackendPreset> for String {
    fn from(p: BackendPreset) -> String {
        p.name().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Profile files written before the backend adapters keep loading as they were.
    #[test]
    fn old_profile_strings_still_load_and_round_trip() {
        #[derive(Deserialize, Serialize)]
        struct P {
            backend_preset: BackendPreset,
        }
        for (text, want) in [
            ("", BackendPreset::Unset),
            ("generic", BackendPreset::Known(BackendKind::Generic)),
            ("crmeb", BackendPreset::Known(BackendKind::Crmeb)),
            ("likeadmin", BackendPreset::Known(BackendKind::Likeadmin)),
            ("shopxo", BackendPreset::Known(BackendKind::Shopxo)),
            ("custom", BackendPreset::Custom),
            ("other", BackendPreset::Other),
        ] {
            let p: P = toml::from_str(&format!("backend_preset = {text:?}")).unwrap();
            assert_eq!(p.backend_preset, want, "{text:?}");
            let back: P = toml::from_str(&toml::to_string(&p).unwrap()).unwrap();
            assert_eq!(back.backend_preset, want, "round trip of {text:?}");
        }
        assert!(toml::from_str::<P>("backend_preset = \"magento\"").is_err());
        assert_eq!(BackendPreset::Custom.kind(), Some(BackendKind::Generic));
        assert_eq!(BackendPreset::Unset.kind(), None);
        assert_eq!(BackendPreset::Other.kind(), None, "nothing to push to");
        for k in BackendKind::ALL {
            assert_eq!(BackendKind::parse(k.name()), Some(k));
        }
        assert_eq!(BackendKind::parse(" CRMEB "), Some(BackendKind::Crmeb));
    }
}
