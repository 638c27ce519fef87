//! No arguments: the wizard window. A subcommand: headless, for agents and scripts.

fn main() -> std::process::ExitCode {
    wxpay_setup::ui::mark_process_start();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.len() <= 1 {
        return wxpay_setup::cli::run_gui();
    }
    wxpay_setup::cli::run(args)
}
