//! The real wizard window under egui_kittest, as the GUI tests (gui.rs, gui_hour.rs,
//! gui_push.rs, gui_cert_apply.rs) open and read it: the window over a profile
//! folder, an in-memory keychain and a fixed file picker; waiting for its background
//! work; finding what the user reads and typing into the box a label names.
//! How a test clicks (scrolled first, waiting for the work after) stays with the
//! test: that differs from file to file.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use wxpay_setup::app::{Services, WeChatAccess};
use wxpay_setup::i18n::{Lang, Tr};
use wxpay_setup::services::file_picker::FixedPicker;
use wxpay_setup::services::profile_store::ProfileStore;
use wxpay_setup::services::secret_store::{MemoryStore, SecretStore};
use wxpay_setup::services::wechat_http::{BaseUrls, HttpClient};
use wxpay_setup::ui::WizardApp;

pub type H = Harness<'static, WizardApp>;

pub const ZH: Tr = Tr(Lang::ZhCn);

/// A text in Chinese, the language the tests read the window in unless they say.
pub fn t(key: &str) -> &'static str {
    ZH.t(key)
}

/// Where a window's online checks go when a test starts no WeChat: nothing listens
/// on port 9.
pub const NO_WECHAT: &str = "http://127.0.0.1:9";

/// The window's outside world: the profile folder `config`, `keychain`, `picker`,
/// and WeChat (both APIs) at `wechat_url`.
pub fn services(
    config: &Path,
    keychain: &MemoryStore,
    picker: Arc<FixedPicker>,
    wechat_url: &str,
) -> Services {
    let keychain = keychain.clone();
    Services {
        secrets: Arc::new(move || Ok(Arc::new(keychain.clone()) as Arc<dyn SecretStore>)),
        profiles: ProfileStore::at(config.to_path_buf()),
        picker,
        wechat: WeChatAccess {
            http: Arc::new(HttpClient::new().unwrap()),
            urls: Ok(BaseUrls {
                mp: wechat_url.to_owned(),
                pay: wechat_url.to_owned(),
            }),
        },
    }
}

/// The window at `size` (the app's minimum is 720×480), before its first work ends.
pub fn window(services: Services, size: [f32; 2]) -> H {
    Harness::builder()
        .with_size(size)
        .build_eframe(move |cc| WizardApp::new(&cc.egui_ctx, services))
}

/// Steps frames until background work and autosave timers are done; fails when the
/// wizard is still busy after `limit`.
pub fn settle_within(h: &mut H, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        h.step();
        if !h.state().wizard.busy() {
            h.run();
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the wizard stayed busy: {}",
            h.state().wizard.busy_reasons()
        );
        std::thread::sleep(Duration::from_millis(15));
    }
}

/// Some label on the screen contains `text`.
pub fn shows(h: &H, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// Text fields have the TextInput role, masked ones PasswordInput.
pub fn field_role(h: &H, label: &str) -> Role {
    if h.query_by_role_and_label(Role::PasswordInput, label)
        .is_some()
    {
        Role::PasswordInput
    } else {
        Role::TextInput
    }
}

/// Types `text` into the (one-line) box labelled `label`, after what it holds.
pub fn type_into(h: &mut H, label: &str, text: &str) {
    let role = field_role(h, label);
    h.get_by_role_and_label(role, label).focus();
    h.run_ok();
    h.get_by_role_and_label(role, label).type_text(text);
    h.run_ok();
}

/// A checklist item as the user reads it: `3. <its text>`.
pub fn checklist_label(n: usize, id: &str) -> String {
    format!("{n}. {}", t(&format!("checklist.{id}.text")))
}
