//! The guide's steps as data: the checklists of the two merchant-number paths,
//! the certificate how-to, and the WeChat web consoles they send the user to.

use crate::domain::profile::{MerchantPath, Profile};

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

/// Whose AppID a checklist item is about (binding it to the merchant number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    MiniProgram,
    ServiceAccount,
}

impl Account {
    /// The AppID as it is now.
    pub fn appid(self, p: &Profile) -> &str {
        match self {
            Account::MiniProgram => p.mp_appid.trim(),
            Account::ServiceAccount => p.oa_appid.trim(),
        }
    }
}

/// One tickable step. Its text is `checklist.<id>.text`, its "where exactly" hint
/// `checklist.<id>.hint` in the i18n catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChecklistItem {
    pub id: &'static str,
    pub console: Option<Console>,
    /// The item binds this account's AppID: ticked for one AppID, it does not
    /// count for another (trial m10: a copied shop whose AppID changed).
    pub about: Option<Account>,
}

const fn item(id: &'static str, console: Option<Console>) -> ChecklistItem {
    ChecklistItem {
        id,
        console,
        about: None,
    }
}

const fn binding(id: &'static str, console: Console, about: Account) -> ChecklistItem {
    ChecklistItem {
        id,
        console: Some(console),
        about: Some(about),
    }
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
    binding("bind_authorize", PAY, Account::MiniProgram),
    binding("bind_confirm", MP, Account::MiniProgram),
    binding("bind_status", MP, Account::MiniProgram),
];

/// Case 2: the service account must be bound to the merchant number too (the
/// `pay_oa` check tests exactly that), the same way as the mini program.
pub const SERVICE_ACCOUNT_STEPS: &[ChecklistItem] = &[
    binding("oa_bind", PAY, Account::ServiceAccount),
    binding(
        "oa_confirm",
        Console::ServiceAccountAdmin,
        Account::ServiceAccount,
    ),
];

/// Setting the APIv2 key on the merchant platform.
pub const API_KEY_STEPS: &[ChecklistItem] =
    &[item("key_opcert", Some(PAY)), item("key_set", Some(PAY))];

/// Setting the APIv3 key on the merchant platform, for a shop system that takes
/// it instead of the APIv2 key (likeadmin's 商户API密钥).
pub const API_V3_KEY_STEPS: &[ChecklistItem] =
    &[item("v3_opcert", Some(PAY)), item("v3_set", Some(PAY))];

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

/// The items the fields step asks the owner to tick (and draws): setting the
/// APIv2 key on the merchant platform, unless binding a number whose key is in
/// use (then it is only a fallback, folded away), and in case 2 binding the
/// service account. The step is done only when these are ticked (issue 19 item 5).
pub fn fields_checklists(p: &Profile) -> Vec<&'static [ChecklistItem]> {
    let mut lists = Vec::new();
    let key_in_use =
        p.merchant_path == Some(MerchantPath::BindExisting) && key_in_use_answer(p) != Some(false);
    if !key_in_use {
        lists.push(key_steps(p));
    }
    if p.site_kind_or_default().needs_service_account() {
        lists.push(SERVICE_ACCOUNT_STEPS);
    }
    lists
}

/// The API key the shop system takes is the one the fields step guides: the
/// APIv3 key for likeadmin (it has no place for the APIv2 key), else the APIv2 key.
pub fn key_steps(p: &Profile) -> &'static [ChecklistItem] {
    if super::rules::needs_api_v3(p) {
        API_V3_KEY_STEPS
    } else {
        API_KEY_STEPS
    }
}

/// Binding a number: the answer to "is that key already in use?" for the key
/// the fields step guides.
pub fn key_in_use_answer(p: &Profile) -> Option<bool> {
    if super::rules::needs_api_v3(p) {
        p.api_key_v3_in_use
    } else {
        p.api_key_in_use
    }
}

/// Every item of every list, to find one by its id.
const ALL_LISTS: [&[ChecklistItem]; 6] = [
    APPLY_NEW,
    BIND_EXISTING,
    SERVICE_ACCOUNT_STEPS,
    API_KEY_STEPS,
    API_V3_KEY_STEPS,
    CERT_STEPS,
];

pub fn find_item(id: &str) -> Option<&'static ChecklistItem> {
    ALL_LISTS.iter().flat_map(|l| l.iter()).find(|i| i.id == id)
}

/// Whether the item counts as done: ticked, and, for an item about an AppID,
/// ticked for the AppID the shop has now (a tick from before the AppID was
/// recorded counts, as it always did).
pub fn is_done(p: &Profile, id: &str) -> bool {
    if !p.checklist_done.contains(id) {
        return false;
    }
    match (find_item(id).and_then(|i| i.about), p.ticked_for.get(id)) {
        (Some(account), Some(appid)) => appid == account.appid(p),
        _ => true,
    }
}

/// The user ticks (`true`) or unticks an item; an item about an AppID
/// remembers which one. Returns whether anything changed.
pub fn set_done(p: &mut Profile, id: &str, done: bool) -> bool {
    let about = find_item(id).and_then(|i| i.about);
    if !done {
        let a = p.checklist_done.remove(id);
        let b = p.ticked_for.remove(id).is_some();
        return a || b;
    }
    let mut changed = p.checklist_done.insert(id.to_owned());
    // ticked before the AppID is typed (binding comes before the fields step):
    // it counts for the AppID that is then typed, until that one changes
    if let Some(account) = about {
        let appid = account.appid(p).to_owned();
        if !whole_appid(&appid) {
            changed |= p.ticked_for.remove(id).is_some();
        } else {
            changed |= p.ticked_for.insert(id.to_owned(), appid.clone()).as_ref() != Some(&appid);
        }
    }
    changed
}

/// An AppID in its whole form (not empty, not half typed): only such a one
/// is remembered with a tick.
fn whole_appid(appid: &str) -> bool {
    crate::domain::fields::check_appid(appid)
        .iter()
        .all(|p| !p.is_error())
}

/// Before an account's AppID changes: ticks made before the AppID was
/// recorded with them are pinned to the AppID they were made for (the one
/// about to be replaced), so they stop counting for the new one.
pub fn pin_ticks(p: &mut Profile, account: Account) {
    let appid = account.appid(p).to_owned();
    if !whole_appid(&appid) {
        // the first AppID typed: ticks made before it count for it, also while
        // it is typed one key at a time (trial 2 minor 2: the ticks were
        // pinned to its first letter "w" and cleared without a word)
        return;
    }
    let ids: Vec<&'static str> = ALL_LISTS
        .iter()
        .flat_map(|l| l.iter())
        .filter(|i| i.about == Some(account) && p.checklist_done.contains(i.id))
        .map(|i| i.id)
        .collect();
    for id in ids {
        p.ticked_for
            .entry(id.to_owned())
            .or_insert_with(|| appid.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut all: Vec<&str> = ALL_LISTS
            .iter()
            .flat_map(|l| l.iter().map(|i| i.id))
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    /// Trial m10: ticks made for one AppID do not count for another; ticks
    /// from before AppIDs were recorded are pinned to the AppID they were made
    /// for when it changes.
    #[test]
    fn binding_ticks_belong_to_the_appid_they_were_made_for() {
        let mut p = Profile::new("店");
        p.mp_appid = "wx1234567890abcdef".into();
        assert!(set_done(&mut p, "bind_status", true));
        assert!(is_done(&p, "bind_status"));
        p.mp_appid = "wxfedcba0987654321".into();
        assert!(!is_done(&p, "bind_status"), "ticked for the old AppID");
        assert!(
            set_done(&mut p, "bind_status", true),
            "ticked again for this one"
        );
        assert!(is_done(&p, "bind_status"));
        // an old profile: ticked, no AppID recorded
        let mut old = Profile::new("旧店");
        old.mp_appid = "wx1234567890abcdef".into();
        old.checklist_done.insert("bind_confirm".into());
        old.checklist_done.insert("key_set".into());
        assert!(is_done(&old, "bind_confirm"));
        pin_ticks(&mut old, Account::MiniProgram);
        old.mp_appid = "wxfedcba0987654321".into();
        assert!(!is_done(&old, "bind_confirm"));
        assert!(is_done(&old, "key_set"), "not about an AppID");
        assert!(set_done(&mut old, "bind_confirm", false));
        assert!(old.ticked_for.is_empty());
        // binding first, the AppID typed on the fields step afterwards
        let mut first = Profile::new("先绑定的店");
        set_done(&mut first, "bind_status", true);
        pin_ticks(&mut first, Account::MiniProgram);
        first.mp_appid = "wx1234567890abcdef".into();
        assert!(
            is_done(&first, "bind_status"),
            "counts for the AppID typed then"
        );
        pin_ticks(&mut first, Account::MiniProgram);
        first.mp_appid = "wxfedcba0987654321".into();
        assert!(!is_done(&first, "bind_status"), "not for another one");
    }

    /// Trial 2 minor 2: the binding ticked on step 2 before any AppID, then the
    /// AppID typed on step 4 one key at a time (each change pins the ticks
    /// first): the tick counts for the AppID typed, not for its first letter.
    #[test]
    fn a_tick_made_before_the_appid_survives_typing_it_key_by_key() {
        let mut p = Profile::new("店");
        set_done(&mut p, "bind_status", true);
        for c in "wx1234567890abcdef".chars() {
            pin_ticks(&mut p, Account::MiniProgram);
            p.mp_appid.push(c);
        }
        assert!(is_done(&p, "bind_status"), "{:?}", p.ticked_for);
        // ticked while the AppID was half typed: counts for the whole one
        let mut half = Profile::new("店");
        half.mp_appid = "wx12345".into();
        set_done(&mut half, "bind_status", true);
        for c in "67890abcdef".chars() {
            pin_ticks(&mut half, Account::MiniProgram);
            half.mp_appid.push(c);
        }
        assert!(is_done(&half, "bind_status"));
        // and once whole, another AppID does not inherit it
        pin_ticks(&mut p, Account::MiniProgram);
        p.mp_appid.pop();
        pin_ticks(&mut p, Account::MiniProgram);
        p.mp_appid.push('0');
        assert!(!is_done(&p, "bind_status"));
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
