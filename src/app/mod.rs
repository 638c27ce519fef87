//! The application layer, unrelated to drawing: the wizard's state and rules
//! (which steps apply, what is complete, what is missing and why), edits with
//! autosave, background work and its results. The GUI reads and edits the
//! [`Wizard`]; the CLI uses the same services.

pub mod journey;
pub mod local_time;
pub mod ops;
pub mod probe;
pub mod profiles;
pub mod push;
pub mod rules;
pub mod verify;
mod wizard;
pub mod worker;

use std::sync::Arc;

pub use crate::domain::readiness::RowStatus;
use crate::services::file_picker::FilePicker;
use crate::services::profile_store::ProfileStore;
use crate::services::wechat_http::{BaseUrls, NetError, WeChatHttp};
pub use rules::Missing;
pub use wizard::forms::ExportForm;
pub use wizard::notices::{Notice, NoticeLevel};
pub use wizard::session::{KeychainState, PROFILE_SAVE_DELAY, SECRET_SAVE_DELAY, SecretSync};
pub use wizard::tasks::{Busy, Task, Wait};
pub use wizard::{CheckView, Wizard};
use worker::SecretStoreProvider;

pub struct Services {
    pub secrets: SecretStoreProvider,
    pub profiles: ProfileStore,
    pub picker: Arc<dyn FilePicker>,
    pub wechat: WeChatAccess,
}

impl Services {
    /// The real outside world for the window: the profile folder, the OS
    /// keychain (opened on the worker when first needed), native file dialogs and
    /// one HTTP client.
    pub fn real() -> Result<Services, ops::OpError> {
        use crate::services::secret_store::{KeyringStore, SecretStore};
        let http: Arc<dyn WeChatHttp> = Arc::new(crate::services::wechat_http::HttpClient::new()?);
        Ok(Services {
            secrets: Arc::new(|| {
                KeyringStore::connect().map(|s| Arc::new(s) as Arc<dyn SecretStore>)
            }),
            profiles: ProfileStore::open_default()?,
            picker: Arc::new(crate::services::file_picker::NativePicker),
            wechat: WeChatAccess {
                http,
                urls: BaseUrls::from_env(),
            },
        })
    }
}

/// How the online checks reach WeChat (a local server in tests).
#[derive(Clone)]
pub struct WeChatAccess {
    pub http: Arc<dyn WeChatHttp>,
    pub urls: Result<BaseUrls, NetError>,
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// The current time as RFC 3339: how profiles, check results and bundles record it.
pub fn now_rfc3339() -> String {
    now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
