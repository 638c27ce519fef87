//! Sending the configuration to the shop backend: which field names it uses
//! (a generic contract, presets for CRMEB, likeadmin and ShopXO, or a custom
//! mapping file; a preset may also send fields with one fixed value, [`FIXED`]), the
//! request's parts, a masked preview, and reading the reply. The contract is documented
//! in docs/push-api.md.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::backend_form::{CERT_FILE_NAME, KEY_FILE_NAME};
use super::profile::{Profile, SecretField};
use super::secret::Secret;

/// Our canonical names of what can be sent (the generic contract's field names).
pub const CANONICAL: &[&str] = &[
    "payment_name",
    "mp_appid",
    "mp_appsecret",
    "mchid",
    "api_key_v2",
    "api_key_v3",
    "oa_appid",
    "oa_appsecret",
    "cert_serial_no",
    "public_key_id",
    "apiclient_cert",
    "apiclient_key",
];

/// Fields a backend's form needs with one fixed value (likeadmin's WeChat Pay row), as
/// canonical name -> value. Sent only when a mapping names them: the generic contract
/// does not.
pub const FIXED: &[(&str, &str)] = &[
    ("interface_version", "v3"),
    ("merchant_type", "ordinary_merchant"),
];

/// Canonical names whose values are secrets (masked in previews, never logged).
pub const SECRET_NAMES: &[&str] = &[
    "mp_appsecret",
    "api_key_v2",
    "api_key_v3",
    "oa_appsecret",
    "apiclient_key",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Generic,
    Crmeb,
    Likeadmin,
    Shopxo,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::Generic,
        Preset::Crmeb,
        Preset::Likeadmin,
        Preset::Shopxo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Generic => "generic",
            Preset::Crmeb => "crmeb",
            Preset::Likeadmin => "likeadmin",
            Preset::Shopxo => "shopxo",
        }
    }

    pub fn parse(s: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == s.trim())
    }

    /// canonical name -> the backend's field name; a name left out is not sent.
    pub fn mapping(self) -> Mapping {
        let pairs: &[(&str, &str)] = match self {
            Preset::Generic => {
                return Mapping(
                    CANONICAL
                        .iter()
                        .map(|c| ((*c).to_owned(), (*c).to_owned()))
                        .collect(),
                );
            }
            Preset::Crmeb => &[
                ("mp_appid", "routine_appId"),
                ("mp_appsecret", "routine_appsecret"),
                ("mchid", "pay_weixin_mchid"),
                ("api_key_v2", "pay_weixin_key"),
                ("api_key_v3", "pay_weixin_key_v3"),
                ("cert_serial_no", "pay_weixin_serial_no"),
                ("apiclient_cert", "pay_weixin_client_cert"),
                ("apiclient_key", "pay_weixin_client_key"),
            ],
            // likeadmin hands these to EasyWeChat 6: pay_sign_key is the APIv3 key.
            Preset::Likeadmin => &[
                ("interface_version", "interface_version"),
                ("merchant_type", "merchant_type"),
                ("mchid", "mch_id"),
                ("api_key_v3", "pay_sign_key"),
                ("apiclient_cert", "apiclient_cert"),
                ("apiclient_key", "apiclient_key"),
            ],
            Preset::Shopxo => &[
                ("mp_appid", "mini_appid"),
                ("oa_appid", "appid"),
                ("mchid", "mch_id"),
                ("api_key_v2", "key"),
                ("apiclient_cert", "apiclient_cert"),
                ("apiclient_key", "apiclient_key"),
            ],
        };
        Mapping(
            pairs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        )
    }
}

/// Which field names a push uses: a known preset, or the user's own mapping file
/// (`custom`, with the profile's `backend_mapping_file`). Stored in profile files
/// as a string: `""` (older files) and `"generic"` mean [`Preset::Generic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum BackendPreset {
    Known(Preset),
    Custom,
}

impl Default for BackendPreset {
    fn default() -> Self {
        BackendPreset::Known(Preset::Generic)
    }
}

impl BackendPreset {
    pub const CUSTOM: &str = "custom";

    pub fn parse(s: &str) -> Option<BackendPreset> {
        match s.trim() {
            "" => Some(BackendPreset::default()),
            Self::CUSTOM => Some(BackendPreset::Custom),
            other => Preset::parse(other).map(BackendPreset::Known),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BackendPreset::Known(p) => p.name(),
            BackendPreset::Custom => Self::CUSTOM,
        }
    }
}

/// A preset name that is neither known nor `custom`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown backend preset {0:?}")]
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

/// canonical name -> backend field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping(pub BTreeMap<String, String>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    fields: BTreeMap<String, String>,
}

/// A custom mapping file: `[fields]` with `canonical = "backend_name"` lines.
pub fn parse_mapping(text: &str) -> Result<Mapping, String> {
    let f: MappingFile = toml::from_str(text).map_err(|e| e.message().to_owned())?;
    for (k, v) in &f.fields {
        let fixed = FIXED.iter().map(|(name, _)| *name);
        if !CANONICAL.contains(&k.as_str()) && !fixed.clone().any(|f| f == k) {
            let known: Vec<&str> = CANONICAL.iter().copied().chain(fixed).collect();
            return Err(format!(
                "unknown field \"{k}\" (known: {})",
                known.join(", ")
            ));
        }
        if v.trim().is_empty() || v.chars().any(|c| c.is_control() || c == '"') {
            return Err(format!("bad backend name for \"{k}\""));
        }
    }
    Ok(Mapping(f.fields))
}

/// One part of the multipart request.
#[derive(Debug, Clone)]
pub enum Part {
    Text {
        name: String,
        value: String,
        secret: bool,
    },
    File {
        name: String,
        file_name: String,
        content: String,
        secret: bool,
    },
}

impl Part {
    pub fn name(&self) -> &str {
        match self {
            Part::Text { name, .. } | Part::File { name, .. } => name,
        }
    }
}

/// The parts to send, under the mapping's names. Empty values are left out.
pub fn build_parts(
    p: &Profile,
    secrets: &BTreeMap<SecretField, Secret>,
    mapping: &Mapping,
) -> Vec<Part> {
    let secret = |f: SecretField| {
        secrets
            .get(&f)
            .map(|s| s.expose().trim().to_owned())
            .unwrap_or_default()
    };
    let mut values: Vec<(&str, String)> = vec![
        ("payment_name", p.payment_name.trim().to_owned()),
        ("mp_appid", p.mp_appid.trim().to_owned()),
        ("mp_appsecret", secret(SecretField::MpAppSecret)),
        ("mchid", p.mchid.trim().to_owned()),
        ("api_key_v2", secret(SecretField::ApiKeyV2)),
        ("api_key_v3", secret(SecretField::ApiKeyV3)),
        ("oa_appid", p.oa_appid.trim().to_owned()),
        ("oa_appsecret", secret(SecretField::OaAppSecret)),
        (
            "cert_serial_no",
            p.certificate
                .as_ref()
                .map(|c| c.serial.clone())
                .unwrap_or_default(),
        ),
        ("public_key_id", p.public_key_id.trim().to_owned()),
    ];
    values.extend(FIXED.iter().map(|(k, v)| (*k, (*v).to_owned())));
    if !p.site_kind_or_default().needs_service_account() {
        values.retain(|(k, _)| *k != "oa_appid" && *k != "oa_appsecret");
    }
    let mut parts = Vec::new();
    for (canonical, value) in values {
        if let Some(name) = mapping.0.get(canonical)
            && !value.is_empty()
        {
            parts.push(Part::Text {
                name: name.clone(),
                value,
                secret: SECRET_NAMES.contains(&canonical),
            });
        }
    }
    if let (Some(name), Some(c)) = (mapping.0.get("apiclient_cert"), &p.certificate) {
        parts.push(Part::File {
            name: name.clone(),
            file_name: CERT_FILE_NAME.into(),
            content: c.certificate_pem.clone(),
            secret: false,
        });
    }
    let key = secret(SecretField::PrivateKey);
    if let Some(name) = mapping.0.get("apiclient_key")
        && !key.is_empty()
    {
        parts.push(Part::File {
            name: name.clone(),
            file_name: KEY_FILE_NAME.into(),
            content: key,
            secret: true,
        });
    }
    parts
}

/// `name: value` lines for the confirmation dialog and --dry-run; secrets masked.
pub fn preview(parts: &[Part]) -> Vec<(String, String)> {
    parts
        .iter()
        .map(|p| match p {
            Part::Text {
                name,
                value,
                secret,
            } => (
                name.clone(),
                if *secret { mask(value) } else { value.clone() },
            ),
            Part::File {
                name,
                file_name,
                content,
                ..
            } => (
                name.clone(),
                format!("<{file_name}, {} bytes>", content.len()),
            ),
        })
        .collect()
}

/// Shows that a secret is there and which one, never what it is.
pub fn mask(s: &str) -> String {
    format!("•••••• ({} chars)", s.chars().count())
}

/// The backend's verdict on a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushOutcome {
    Accepted,
    /// Worth retrying (5xx, timeout).
    Retry(String),
    Failed {
        code: &'static str,
        detail: String,
    },
}

impl crate::i18n::Message for PushOutcome {
    /// `push.<code>`; a retry that is reported (not retried) has given up.
    fn key(&self) -> String {
        match self {
            PushOutcome::Accepted => "push.push_ok".into(),
            PushOutcome::Retry(_) => "push.push_gave_up".into(),
            PushOutcome::Failed { code, .. } => format!("push.{code}"),
        }
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        match self {
            PushOutcome::Accepted => Vec::new(),
            PushOutcome::Retry(detail) | PushOutcome::Failed { detail, .. } => {
                vec![("detail", detail.as_str().into())]
            }
        }
    }
}

/// Reads the backend's reply; `detail` is its own message when it gave one.
pub fn interpret_reply(status: u16, body: &str) -> PushOutcome {
    #[derive(Deserialize)]
    struct Msg {
        message: Option<String>,
        msg: Option<String>,
        error: Option<String>,
    }
    let message = serde_json::from_str::<Msg>(body)
        .ok()
        .and_then(|m| m.message.or(m.msg).or(m.error))
        .unwrap_or_else(|| body.chars().take(200).collect());
    let detail: String = message.chars().take(200).collect();
    match status {
        200..=299 => PushOutcome::Accepted,
        300..=399 => PushOutcome::Failed {
            code: "push_redirect",
            detail,
        },
        401 | 403 => PushOutcome::Failed {
            code: "push_token",
            detail,
        },
        404 => PushOutcome::Failed {
            code: "push_not_found",
            detail,
        },
        413 => PushOutcome::Failed {
            code: "push_too_large",
            detail,
        },
        422 | 400 => PushOutcome::Failed {
            code: "push_rejected",
            detail,
        },
        500..=599 => PushOutcome::Retry(detail),
        _ => PushOutcome::Failed {
            code: "push_other",
            detail: format!("{status} {detail}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_read_todays_profile_strings_and_refuse_unknown_ones() {
        #[derive(Deserialize, Serialize)]
        struct P {
            backend_preset: BackendPreset,
        }
        for (text, want) in [
            ("", BackendPreset::Known(Preset::Generic)),
            ("generic", BackendPreset::Known(Preset::Generic)),
            ("shopxo", BackendPreset::Known(Preset::Shopxo)),
            ("custom", BackendPreset::Custom),
        ] {
            let p: P = toml::from_str(&format!("backend_preset = {text:?}")).unwrap();
            assert_eq!(p.backend_preset, want, "{text:?}");
            let back: P = toml::from_str(&toml::to_string(&p).unwrap()).unwrap();
            assert_eq!(back.backend_preset, want, "round trip of {text:?}");
        }
        assert!(toml::from_str::<P>("backend_preset = \"magento\"").is_err());
        for p in Preset::ALL {
            assert_eq!(
                BackendPreset::parse(p.name()),
                Some(BackendPreset::Known(p))
            );
        }
    }

    fn profile() -> (Profile, BTreeMap<SecretField, Secret>) {
        let mut p = Profile::new("店");
        p.mp_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        p.oa_appid = "wxfedcba0987654321".into();
        let mut s = BTreeMap::new();
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
        );
        s.insert(
            SecretField::PrivateKey,
            Secret::new("-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n"),
        );
        (p, s)
    }

    #[test]
    fn presets_rename_and_leave_out() {
        let (p, s) = profile();
        let parts = build_parts(&p, &s, &Preset::Crmeb.mapping());
        let names: Vec<&str> = parts.iter().map(Part::name).collect();
        assert_eq!(
            names,
            [
                "routine_appId",
                "pay_weixin_mchid",
                "pay_weixin_key",
                "pay_weixin_client_key"
            ]
        );
        let generic = build_parts(&p, &s, &Preset::Generic.mapping());
        assert!(
            !generic.iter().any(|p| p.name() == "oa_appid"),
            "case 1 sends no service account"
        );
    }

    /// likeadmin hands its WeChat settings to EasyWeChat 6: `pay_sign_key` is the APIv3
    /// key, and `interface_version`/`merchant_type` are required (facts §5).
    #[test]
    fn likeadmin_gets_the_v3_key_and_its_required_fields() {
        let (p, mut s) = profile();
        s.insert(
            SecretField::ApiKeyV3,
            Secret::new("V3keyV3keyV3keyV3keyV3keyV3key12"),
        );
        let parts = build_parts(&p, &s, &Preset::Likeadmin.mapping());
        let text = |name: &str| {
            parts.iter().find_map(|part| match part {
                Part::Text {
                    name: n,
                    value,
                    secret,
                } if n == name => Some((value.as_str(), *secret)),
                _ => None,
            })
        };
        assert_eq!(
            text("pay_sign_key"),
            Some(("V3keyV3keyV3keyV3keyV3keyV3key12", true))
        );
        assert_eq!(text("interface_version"), Some(("v3", false)));
        assert_eq!(text("merchant_type"), Some(("ordinary_merchant", false)));
        assert_eq!(text("mch_id"), Some(("1900006031", false)));
        assert!(
            !parts
                .iter()
                .any(|part| matches!(part, Part::Text { value, .. } if value.starts_with("Zq8R"))),
            "the APIv2 key is not sent to likeadmin"
        );
        // the generic contract is unchanged, and custom mappings may send the fixed fields
        let generic = build_parts(&p, &s, &Preset::Generic.mapping());
        assert!(!generic.iter().any(|p| p.name() == "interface_version"));
        let m = parse_mapping("[fields]\ninterface_version = \"version\"\n").unwrap();
        assert_eq!(build_parts(&p, &s, &m)[0].name(), "version");
    }

    #[test]
    fn preview_masks_secrets() {
        let (p, s) = profile();
        let rows = preview(&build_parts(&p, &s, &Preset::Generic.mapping()));
        let text = format!("{rows:?}");
        assert!(!text.contains("Zq8R") && !text.contains("BEGIN PRIVATE"));
        assert!(text.contains("1900006031") && text.contains("32 chars"));
    }

    #[test]
    fn custom_mappings_are_checked() {
        let m = parse_mapping("[fields]\nmchid = \"merchant_no\"\napi_key_v2 = \"sign_key\"\n")
            .unwrap();
        assert_eq!(m.0["mchid"], "merchant_no");
        assert!(
            parse_mapping("[fields]\nmch_id = \"x\"\n")
                .unwrap_err()
                .contains("unknown field")
        );
        assert!(parse_mapping("fields = 3").is_err());
        assert!(parse_mapping("[fields]\nmchid = \"\"\n").is_err());
    }

    #[test]
    fn replies() {
        assert_eq!(interpret_reply(201, "{}"), PushOutcome::Accepted);
        assert_eq!(
            interpret_reply(422, r#"{"message":"mch_id 格式错误"}"#),
            PushOutcome::Failed {
                code: "push_rejected",
                detail: "mch_id 格式错误".into()
            }
        );
        assert!(matches!(
            interpret_reply(401, ""),
            PushOutcome::Failed {
                code: "push_token",
                ..
            }
        ));
        assert!(matches!(
            interpret_reply(413, ""),
            PushOutcome::Failed {
                code: "push_too_large",
                ..
            }
        ));
        assert!(matches!(
            interpret_reply(302, ""),
            PushOutcome::Failed {
                code: "push_redirect",
                ..
            }
        ));
        assert!(matches!(
            interpret_reply(503, "busy"),
            PushOutcome::Retry(_)
        ));
    }
}
