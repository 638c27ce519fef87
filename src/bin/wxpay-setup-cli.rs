//! The console twin of `wxpay-setup` for Windows scripts and agents: a console-subsystem
//! program, so cmd and PowerShell wait for it and see its exit code. Same subcommands,
//! output and exit codes as `wxpay-setup`; with no arguments it opens the window too.
//! (On Linux and macOS the one `wxpay-setup` binary already does both; this one is the
//! same program there.)

fn main() -> std::process::ExitCode {
    wxpay_setup::ui::mark_process_start();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.len() <= 1 {
        return wxpay_setup::cli::run_gui();
    }
    wxpay_setup::cli::run(args)
}
