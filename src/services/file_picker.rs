//! Native file dialogs behind a trait, so GUI tests can answer them.
//! Dialogs block until the user answers: callers run them off the UI thread.
//! Also the one native message box: the window could not start, so it cannot show the reason.

use std::path::PathBuf;

pub trait FilePicker: Send + Sync {
    fn pick_cert_zip(&self) -> Option<PathBuf>;
    fn pick_cert_folder(&self) -> Option<PathBuf>;
    fn save_bundle(&self, default_name: &str) -> Option<PathBuf>;
    fn save_report(&self, default_name: &str) -> Option<PathBuf>;
    fn pick_bundle(&self) -> Option<PathBuf>;
    fn pick_export_folder(&self) -> Option<PathBuf>;
    /// The window could not start: tell the user where they will see it. The caller has
    /// prints the reason to stderr too, which is enough wherever there is a terminal.
    fn show_startup_error(&self, _title: &str, _text: &str) {}
}

/// The OS dialog (xdg-desktop-portal on Linux, native on Windows and macOS).
pub struct NativePicker;

impl FilePicker for NativePicker {
    fn pick_cert_zip(&self) -> Option<PathBuf> {
        let dialog = rfd::AsyncFileDialog::new()
            .add_filter("WXCertUtil zip", &["zip"])
            .add_filter("PEM", &["pem", "crt", "cer"]);
        pollster::block_on(dialog.pick_file()).map(|h| h.path().to_path_buf())
    }

    fn pick_cert_folder(&self) -> Option<PathBuf> {
        pollster::block_on(rfd::AsyncFileDialog::new().pick_folder())
            .map(|h| h.path().to_path_buf())
    }

    fn save_bundle(&self, default_name: &str) -> Option<PathBuf> {
        let dialog = rfd::AsyncFileDialog::new()
            .set_file_name(default_name)
            .add_filter("zip", &["zip"]);
        pollster::block_on(dialog.save_file()).map(|h| h.path().to_path_buf())
    }

    fn save_report(&self, default_name: &str) -> Option<PathBuf> {
        let dialog = rfd::AsyncFileDialog::new()
            .set_file_name(default_name)
            .add_filter("HTML", &["html"]);
        pollster::block_on(dialog.save_file()).map(|h| h.path().to_path_buf())
    }

    fn pick_bundle(&self) -> Option<PathBuf> {
        let dialog = rfd::AsyncFileDialog::new().add_filter("wxpay-setup bundle", &["zip"]);
        pollster::block_on(dialog.pick_file()).map(|h| h.path().to_path_buf())
    }

    fn pick_export_folder(&self) -> Option<PathBuf> {
        pollster::block_on(rfd::AsyncFileDialog::new().pick_folder())
            .map(|h| h.path().to_path_buf())
    }

    /// On Windows a double-clicked GUI-subsystem program has no console: without this box
    /// a PC whose OpenGL cannot start the window would see nothing happen at all.
    #[cfg(windows)]
    fn show_startup_error(&self, title: &str, text: &str) {
        rfd::MessageDialog::new()
            .set_level(rfd::MessageLevel::Error)
            .set_title(title)
            .set_description(text)
            .set_buttons(rfd::MessageButtons::Ok)
            .show();
    }
}

/// Answers with preset paths (tests).
#[derive(Default)]
pub struct FixedPicker {
    pub zip: std::sync::Mutex<Option<PathBuf>>,
    pub folder: std::sync::Mutex<Option<PathBuf>>,
    pub save: std::sync::Mutex<Option<PathBuf>>,
    pub report: std::sync::Mutex<Option<PathBuf>>,
    pub bundle: std::sync::Mutex<Option<PathBuf>>,
    pub export_dir: std::sync::Mutex<Option<PathBuf>>,
}

impl FilePicker for FixedPicker {
    fn pick_cert_zip(&self) -> Option<PathBuf> {
        self.zip.lock().ok()?.clone()
    }
    fn pick_cert_folder(&self) -> Option<PathBuf> {
        self.folder.lock().ok()?.clone()
    }
    fn save_bundle(&self, _default_name: &str) -> Option<PathBuf> {
        self.save.lock().ok()?.clone()
    }
    fn save_report(&self, _default_name: &str) -> Option<PathBuf> {
        self.report.lock().ok()?.clone()
    }
    fn pick_bundle(&self) -> Option<PathBuf> {
        self.bundle.lock().ok()?.clone()
    }
    fn pick_export_folder(&self) -> Option<PathBuf> {
        self.export_dir.lock().ok()?.clone()
    }
}
