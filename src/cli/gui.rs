//! The window's composition root: builds the real services and opens the wizard.

use std::process::ExitCode;
use std::sync::Arc;

use crate::app::{Services, WeChatAccess};
use crate::i18n::{Lang, Tr};
use crate::services::file_picker::NativePicker;
use crate::services::profile_store::ProfileStore;
use crate::services::secret_store::{KeyringStore, SecretStore};
use crate::services::wechat_http::{BaseUrls, HttpClient, WeChatHttp};

use super::FAIL;

pub fn run_gui() -> ExitCode {
    let tr = Tr(Lang::from_system());
    let profiles = match ProfileStore::open_default() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", tr.msg(&e));
            return ExitCode::from(FAIL);
        }
    };
    let http: Arc<dyn WeChatHttp> = match HttpClient::new() {
        Ok(h) => Arc::new(h),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(FAIL);
        }
    };
    let services = Services {
        secrets: Arc::new(|| KeyringStore::connect().map(|s| Arc::new(s) as Arc<dyn SecretStore>)),
        profiles,
        picker: Arc::new(NativePicker),
        wechat: WeChatAccess {
            http,
            urls: BaseUrls::from_env(),
        },
    };
    match crate::ui::run(services) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", tr.tf("cli.gui_failed", &[("reason", e.to_string())]));
            ExitCode::from(FAIL)
        }
    }
}
