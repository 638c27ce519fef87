//! The outside world behind small traits, each with a real and a fake.

pub mod backend_http;
pub mod file_picker;
pub mod files;
pub mod http_body;
pub mod private_folder;
pub mod process_info;
pub mod profile_store;
pub mod secret_store;
pub mod wechat_http;
