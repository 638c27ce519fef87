//! No arguments: the wizard window. A subcommand: headless, for agents and scripts.
//!
//! On Windows this is a GUI-subsystem program, so a double-click opens no black console
//! window. A GUI-subsystem program started from cmd or PowerShell is not waited for (the
//! prompt comes back at once and `%ERRORLEVEL%` is not its exit code), so scripts use the
//! console launcher `wxpay-setup-cli.exe` (`src/bin/wxpay-setup-cli.rs`), which runs this
//! program with its console's handles and waits for it. Typed by hand with a subcommand,
//! this one still prints into the console it was started from.
#![cfg_attr(windows, windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    wxpay_setup::ui::mark_process_start();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.len() <= 1 {
        return wxpay_setup::cli::run_gui();
    }
    #[cfg(windows)]
    attach_parent_console();
    wxpay_setup::cli::run(args)
}

/// A GUI-subsystem program starts with no standard handles unless they were redirected:
/// borrow the parent's console (cmd, PowerShell) so that `--help` and reports are seen.
#[cfg(windows)]
fn attach_parent_console() {
    use windows_sys::Win32::System::Console::{
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_OUTPUT_HANDLE,
    };
    // SAFETY: plain Win32 calls without pointers; failure (no parent console) is harmless.
    unsafe {
        if GetStdHandle(STD_OUTPUT_HANDLE).is_null() {
            AttachConsole(ATTACH_PARENT_PROCESS);
        }
    }
}
