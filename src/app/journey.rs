//! The guide's steps as data: the checklists of the two merchant-number paths,
//! the certificate how-to, and the WeChat web consoles they send the user to.

use crate::domain::profile::MerchantPath;

#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter)]
pub enum Console {
    /// mp.weixin.qq.com: mini program / service account admin.
    MiniProgramAdmin,
    /// pay.weixin.qq.com: merchant platform.
    MerchantPlatform,
    /// mp.weixin.qq.com again, logged in as the service account (case 2).
    ServiceAccountAdmin,
}

impl Console {
    pub fn url(self) -> &'static str {
        match self {
            Console::MiniProgramAdmin | Console::ServiceAccountAdmin => "https://mp.weixin.qq.com/",
            Console::MerchantPlatform => "https://pay.weixin.qq.com/",
        }
    }

    /// i18n key of the button that opens it.
    pub fn button_key(self) -> &'static str {
        match self {
            Console::MiniProgramAdmin => "console.open_mp",
            Console::MerchantPlatform => "console.open_pay",
            Console::ServiceAccountAdmin => "console.open_oa",
        }
    }
}

/// One tickable step. Its text is `checklist.<id>.text`, its "where exactly" hint
/// `checklist.<id>.hint` in the i18n catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChecklistItem {
    pub id: &'static str,
    pub console: Option<Console>,
}

const fn item(id: &'static str, console: Option<Console>) -> ChecklistItem {
    ChecklistItem { id, console }
}

use Console::{MerchantPlatform as PAY, MiniProgramAdmin as MP};

/// Applying for a new merchant number: 1-5 days, the user leaves and comes back.
pub const APPLY_NEW: &[ChecklistItem] = &[
    item("new_open", Some(MP)),
    item("new_choose", None),
    item("new_fill", None),
    item("new_review", None),
    item("new_verify", None),
    item("new_sign", Some(PAY)),
];

/// Binding a merchant number the merchant already has.
pub const BIND_EXISTING: &[ChecklistItem] = &[
    item("bind_authorize", Some(PAY)),
    item("bind_confirm", Some(MP)),
    item("bind_status", Some(MP)),
];

/// Case 2: the service account must be bound to the merchant number too (the
/// `pay_oa` check tests exactly that), the same way as the mini program.
pub const SERVICE_ACCOUNT_STEPS: &[ChecklistItem] = &[
    item("oa_bind", Some(PAY)),
    item("oa_confirm", Some(Console::ServiceAccountAdmin)),
];

/// Setting the APIv2 key on the merchant platform.
pub const API_KEY_STEPS: &[ChecklistItem] =
    &[item("key_opcert", Some(PAY)), item("key_set", Some(PAY))];

/// Getting the certificate zip with WXCertUtil.
pub const CERT_STEPS: &[ChecklistItem] = &[
    item("cert_apply", Some(PAY)),
    item("cert_tool", None),
    item("cert_strings", None),
    item("cert_zip", None),
];

pub fn merchant_checklist(path: MerchantPath) -> &'static [ChecklistItem] {
    match path {
        MerchantPath::ApplyNew => APPLY_NEW,
        MerchantPath::BindExisting => BIND_EXISTING,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut all: Vec<&str> = [
            APPLY_NEW,
            BIND_EXISTING,
            SERVICE_ACCOUNT_STEPS,
            API_KEY_STEPS,
            CERT_STEPS,
        ]
        .iter()
        .flat_map(|l| l.iter().map(|i| i.id))
        .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    /// Each console (every variant, by `EnumIter`) opens an HTTPS page on a
    /// WeChat host, judged by the parsed URL, not by its spelling.
    #[test]
    fn consoles_are_https_wechat_sites() {
        use strum::IntoEnumIterator;
        for c in Console::iter() {
            let url = url::Url::parse(c.url()).unwrap();
            assert_eq!(url.scheme(), "https", "{c:?}");
            let host = url.host_str().unwrap_or("");
            assert!(
                host == "weixin.qq.com" || host.ends_with(".weixin.qq.com"),
                "{c:?}: {host}"
            );
            assert!(url.username().is_empty() && url.port().is_none(), "{c:?}");
        }
    }
}
