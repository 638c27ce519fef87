//! The generic receiver's contract (docs/push-api.md): its field names, the fields
//! a custom mapping may name, and reading a mapping file. How a push runs is
//! `domain::backend`'s business; this is what profiles, imports and bundles share.

use std::collections::BTreeMap;

use serde::Deserialize;

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

/// Fields a receiver may want with one fixed value (likeadmin's WeChat Pay row was
/// the model), as canonical name -> value. Sent only when a mapping names them: the
/// generic contract does not.
pub const FIXED: &[(&str, &str)] = &[
    ("interface_version", "v3"),
    ("merchant_type", "ordinary_merchant"),
];

/// canonical name -> the receiver's field name; a name left out is not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping(pub BTreeMap<String, String>);

impl Mapping {
    /// The contract's own names.
    pub fn generic() -> Mapping {
        Mapping(
            CANONICAL
                .iter()
                .map(|c| ((*c).to_owned(), (*c).to_owned()))
                .collect(),
        )
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(parse_mapping("[fields]\ninterface_version = \"version\"\n").is_ok());
        assert_eq!(Mapping::generic().0.len(), CANONICAL.len());
    }
}
