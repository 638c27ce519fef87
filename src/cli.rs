//! Headless subcommands. Human text by default, `--json` for scripts.
//! Exit codes: 0 ok, 1 not usable / failed, 2 usage error.
pub fn run_gui() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
pub fn run(_a: Vec<std::ffi::OsString>) -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
