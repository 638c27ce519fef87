//! Native file dialogs behind a trait, so GUI tests can answer them.
//! Dialogs block until the user answers: callers run them off the UI thread.
//!
//! A dialog can also fail to open at all (no desktop portal on Linux, a broken
//! portal): the native dialog library then answers exactly as if the user had
//! cancelled. A person cannot cancel a dialog within a blink, so an empty answer
//! that fast is reported as [`PickError::NoDialog`], and the window offers a
//! path field instead (issue 8 item 1). [`FilePicker::default_dir`] is the
//! folder that field starts from (Documents, else Desktop, else home).
//! Also the one native message box: the window could not start, so it cannot show the reason.

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The dialog did not open (or broke); the user never saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickError {
    NoDialog,
}

/// What a dialog answered: a path, `None` when the user cancelled, or why it failed.
pub type PickResult = Result<Option<PathBuf>, PickError>;

pub trait FilePicker: Send + Sync {
    fn pick_cert_zip(&self) -> PickResult;
    fn pick_cert_folder(&self) -> PickResult;
    fn save_bundle(&self, default_name: &str) -> PickResult;
    fn save_report(&self, default_name: &str) -> PickResult;
    fn pick_bundle(&self) -> PickResult;
    fn pick_export_folder(&self) -> PickResult;
    /// Where files are saved when the user types no folder: Documents, else
    /// Desktop, else the home folder.
    fn default_dir(&self) -> PathBuf;
    /// The window could not start: tell the user where they will see it. The
    /// caller prints the reason to stderr too, which is enough wherever there
    /// is a terminal.
    fn show_startup_error(&self, _title: &str, _text: &str) {}
}

/// No one closes a dialog faster than this; an empty answer sooner is a failure.
const FASTEST_HUMAN_ANSWER: Duration = Duration::from_millis(400);

/// Runs a dialog and tells a failure to open from a cancel by its speed.
fn timed(dialog: impl FnOnce() -> Option<PathBuf>) -> PickResult {
    let start = Instant::now();
    match dialog() {
        Some(p) => Ok(Some(p)),
        None if start.elapsed() < FASTEST_HUMAN_ANSWER => Err(PickError::NoDialog),
        None => Ok(None),
    }
}

/// The OS dialog (xdg-desktop-portal on Linux, native on Windows and macOS).
pub struct NativePicker;

impl FilePicker for NativePicker {
    fn pick_cert_zip(&self) -> PickResult {
        timed(|| {
            let dialog = rfd::AsyncFileDialog::new()
                .add_filter("WXCertUtil zip", &["zip"])
                .add_filter("PEM", &["pem", "crt", "cer"]);
            pollster::block_on(dialog.pick_file()).map(|h| h.path().to_path_buf())
        })
    }

    fn pick_cert_folder(&self) -> PickResult {
        timed(|| {
            pollster::block_on(rfd::AsyncFileDialog::new().pick_folder())
                .map(|h| h.path().to_path_buf())
        })
    }

    fn save_bundle(&self, default_name: &str) -> PickResult {
        timed(|| {
            let dialog = rfd::AsyncFileDialog::new()
                .set_directory(self.default_dir())
                .set_file_name(default_name)
                .add_filter("zip", &["zip"]);
            pollster::block_on(dialog.save_file()).map(|h| h.path().to_path_buf())
        })
    }

    fn save_report(&self, default_name: &str) -> PickResult {
        timed(|| {
            let dialog = rfd::AsyncFileDialog::new()
                .set_directory(self.default_dir())
                .set_file_name(default_name)
                .add_filter("HTML", &["html"]);
            pollster::block_on(dialog.save_file()).map(|h| h.path().to_path_buf())
        })
    }

    fn pick_bundle(&self) -> PickResult {
        timed(|| {
            let dialog = rfd::AsyncFileDialog::new().add_filter("wxpay-setup bundle", &["zip"]);
            pollster::block_on(dialog.pick_file()).map(|h| h.path().to_path_buf())
        })
    }

    fn pick_export_folder(&self) -> PickResult {
        timed(|| {
            pollster::block_on(
                rfd::AsyncFileDialog::new()
                    .set_directory(self.default_dir())
                    .pick_folder(),
            )
            .map(|h| h.path().to_path_buf())
        })
    }

    fn default_dir(&self) -> PathBuf {
        let Some(dirs) = directories::UserDirs::new() else {
            return std::env::temp_dir();
        };
        dirs.document_dir()
            .or(dirs.desktop_dir())
            .map(PathBuf::from)
            .filter(|d| d.is_dir())
            .unwrap_or_else(|| dirs.home_dir().to_path_buf())
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

/// Answers with preset paths (tests); `fail` makes every dialog fail to open.
#[derive(Default)]
pub struct FixedPicker {
    pub zip: std::sync::Mutex<Option<PathBuf>>,
    pub folder: std::sync::Mutex<Option<PathBuf>>,
    pub save: std::sync::Mutex<Option<PathBuf>>,
    pub report: std::sync::Mutex<Option<PathBuf>>,
    pub bundle: std::sync::Mutex<Option<PathBuf>>,
    pub export_dir: std::sync::Mutex<Option<PathBuf>>,
    pub fail: std::sync::atomic::AtomicBool,
    /// The default folder; the system temp folder when unset.
    pub dir: std::sync::Mutex<Option<PathBuf>>,
}

impl FixedPicker {
    fn answer(&self, slot: &std::sync::Mutex<Option<PathBuf>>) -> PickResult {
        if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(PickError::NoDialog);
        }
        Ok(slot.lock().ok().and_then(|p| p.clone()))
    }
}

impl FilePicker for FixedPicker {
    fn pick_cert_zip(&self) -> PickResult {
        self.answer(&self.zip)
    }
    fn pick_cert_folder(&self) -> PickResult {
        self.answer(&self.folder)
    }
    fn save_bundle(&self, _default_name: &str) -> PickResult {
        self.answer(&self.save)
    }
    fn save_report(&self, _default_name: &str) -> PickResult {
        self.answer(&self.report)
    }
    fn pick_bundle(&self) -> PickResult {
        self.answer(&self.bundle)
    }
    fn pick_export_folder(&self) -> PickResult {
        self.answer(&self.export_dir)
    }
    fn default_dir(&self) -> PathBuf {
        self.dir
            .lock()
            .ok()
            .and_then(|d| d.clone())
            .unwrap_or_else(std::env::temp_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_empty_answer_is_a_dialog_that_never_opened() {
        assert_eq!(timed(|| None), Err(PickError::NoDialog));
        assert_eq!(
            timed(|| Some(PathBuf::from("/a.zip"))),
            Ok(Some(PathBuf::from("/a.zip")))
        );
        let cancelled = timed(|| {
            std::thread::sleep(FASTEST_HUMAN_ANSWER + Duration::from_millis(50));
            None
        });
        assert_eq!(cancelled, Ok(None), "a slow empty answer is a cancel");
    }
}
