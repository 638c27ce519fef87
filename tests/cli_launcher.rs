//! `wxpay-setup-cli` (src/bin/wxpay-setup-cli.rs), the console launcher that Windows
//! scripts use: it must behave exactly as `wxpay-setup` (output, exit codes), and when
//! the program is not beside it, say so in the user's language instead of failing
//! silently. Under Wine the same is checked for the .exe by scripts/windows-test.sh.

use std::process::Command;

const CLI: &str = env!("CARGO_BIN_EXE_wxpay-setup-cli");
const MAIN: &str = env!("CARGO_BIN_EXE_wxpay-setup");

fn run(bin: &str, args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(bin)
        .args(args)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env(
            "WXPAY_SETUP_CONFIG_DIR",
            std::env::temp_dir().join("wxpay-launcher-none"),
        )
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn launcher_has_the_programs_output_and_exit_codes() {
    for args in [
        &["--version"][..],
        &["check-certs", "missing.zip"],
        &["no-such-command"],
    ] {
        let (code, out) = run(CLI, args);
        assert_eq!((code, out), run(MAIN, args), "{args:?}");
    }
    assert_eq!(run(CLI, &["no-such-command"]).0, Some(2));
}

#[test]
fn launcher_without_the_program_says_where_it_must_be() {
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("wxpay-setup-cli");
    std::fs::copy(CLI, &alone).unwrap();
    for (lang, words) in [
        ("en_US.UTF-8", "same folder"),
        ("zh_CN.UTF-8", "同一个文件夹"),
    ] {
        let o = Command::new(&alone)
            .env("LANG", lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(words) && err.contains("wxpay-setup"),
            "{lang}: {err}"
        );
    }
}
