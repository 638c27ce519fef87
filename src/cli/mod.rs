//! Headless subcommands for agents and scripts (cargo's `commands/<name>.rs`
//! shape): each module declares its arguments with clap derive, calls
//! [`crate::app::ops`], and renders the typed report as human text (in the
//! locale's language) or `--json`. Exit codes: 0 ok, 1 not usable or failed,
//! 2 usage error, carried by [`CliError`]. No input, however broken, makes it panic.

mod cert;
mod check_certs;
mod export;
mod gui;
mod profile;
mod push;
mod usage_error;
mod verify;

use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::app::ops::{Ctx, OpError};
use crate::i18n::{Lang, Message, Tr};

pub use gui::run_gui;

pub const OK: u8 = 0;
pub const FAIL: u8 = 1;
pub const USAGE: u8 = 2;

/// A command that did not succeed: its exit code and the lines it says on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub code: u8,
    pub lines: Vec<String>,
}

impl CliError {
    /// Not usable, or it failed (exit 1).
    pub fn fail(line: impl Into<String>) -> Self {
        CliError {
            code: FAIL,
            lines: vec![line.into()],
        }
    }

    /// The arguments are wrong or incomplete (exit 2).
    pub fn usage(line: impl Into<String>) -> Self {
        CliError {
            code: USAGE,
            lines: vec![line.into()],
        }
    }

    /// Failed, and everything was already said (exit 1).
    pub fn silent() -> Self {
        CliError {
            code: FAIL,
            lines: Vec::new(),
        }
    }

    /// One more line to say after the others.
    pub fn and(mut self, line: impl Into<String>) -> Self {
        self.lines.push(line.into());
        self
    }
}

pub type CliResult = Result<(), CliError>;

/// Where a command writes and reads: the terminal, or buffers in tests.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub input: &'a mut dyn BufRead,
    /// When standard input is a terminal: reads one line from it without echo (a
    /// password typed at `--password-file -`). `None`: input is a pipe or a file.
    pub hidden: Option<&'a mut dyn FnMut() -> std::io::Result<String>>,
}

/// Writes a line; a closed pipe is not worth a panic.
macro_rules! say {
    ($w:expr, $($arg:tt)*) => {{
        let _ = writeln!($w, $($arg)*);
    }};
}
pub(crate) use say;

/// What a command needs, built on first use: `check-certs` needs no profile
/// folder, and a folder that cannot be opened fails only the commands that need it.
pub struct Env<'a> {
    pub tr: Tr,
    make: Option<Box<dyn FnOnce() -> Result<Ctx, OpError> + 'a>>,
    ctx: Option<Ctx>,
}

impl Env<'_> {
    pub fn ctx(&mut self) -> Result<&Ctx, CliError> {
        if self.ctx.is_none() {
            let make = self.make.take().ok_or_else(CliError::silent)?;
            self.ctx = Some(make().map_err(|e| CliError::fail(self.tr.msg(&e)))?);
        }
        self.ctx.as_ref().ok_or_else(CliError::silent)
    }
}

#[derive(Parser)]
#[command(
    name = "wxpay-setup",
    version,
    subcommand_required = true,
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    CheckCerts(check_certs::Args),
    #[command(subcommand_required = true, disable_help_subcommand = true)]
    Profile {
        #[command(subcommand)]
        command: profile::Command,
    },
    Verify(verify::Args),
    Push(push::Args),
    Export(export::Args),
    #[command(subcommand_required = true, disable_help_subcommand = true)]
    Cert {
        #[command(subcommand)]
        command: cert::Command,
    },
}

/// The i18n key of a command's one-line description (`cli.<name>`, profile's
/// subcommands `cli.profile_<name>`).
fn about_key(parent: &str, name: &str) -> String {
    let name = name.replace('-', "_");
    match parent {
        "" => "cli.about".into(),
        "wxpay-setup" => format!("cli.{name}"),
        p => format!("cli.{}_{name}", p.replace('-', "_")),
    }
}

/// The i18n key of an argument's help; some names mean different things per command.
fn arg_help_key(command: &str, arg: &str) -> Option<&'static str> {
    Some(match (command, arg) {
        ("check-certs", "path") => "cli.arg_cert_path",
        ("import", "file") => "cli.arg_import_file",
        ("import-bundle", "file") => "cli.arg_bundle_file",
        ("import-bundle", "name") => "cli.arg_new_name",
        ("accept", "file") => "cli.arg_cert_string_file",
        ("save", "out") => "cli.arg_cert_files_out",
        (_, "company") => "cli.arg_company",
        (_, "new") => "cli.arg_new_request",
        (_, "name" | "profile") => "cli.arg_name",
        (_, "mchid") => "cli.arg_mchid",
        (_, "json") => "cli.arg_json",
        (_, "passphrase_file") => "cli.arg_passphrase_file",
        (_, "all") => "cli.arg_all",
        (_, "url") => "cli.arg_push_url",
        (_, "token_file") => "cli.arg_token_file",
        (_, "preset") => "cli.arg_preset",
        (_, "backend") => "cli.arg_backend",
        (_, "account") => "cli.arg_account",
        (_, "password_file") => "cli.arg_password_file",
        (_, "mapping") => "cli.arg_mapping",
        (_, "dry_run") => "cli.arg_dry_run",
        (_, "yes") => "cli.arg_yes",
        (_, "format") => "cli.arg_format",
        (_, "out") => "cli.arg_out",
        (_, "include_secrets") => "cli.arg_include_secrets",
        (_, "jobs") => "cli.arg_jobs",
        ("import", "replace") => "cli.arg_replace",
        ("import", "discard_key") => "cli.arg_discard_key",
        ("accept", "discard_key") => "cli.arg_accept_discard_key",
        ("doctor", "fix") => "cli.arg_doctor_fix",
        (_, "force") => "cli.arg_force",
        _ => return None,
    })
}

/// Puts our own words on what clap would print in English: descriptions, argument
/// help, headings, -h, -V.
fn localize(cmd: Command, tr: Tr, parent: &str) -> Command {
    let name = cmd.get_name().to_owned();
    let cmd = cmd
        .about(tr.t(&about_key(parent, &name)))
        .help_template(tr.t("cli.help_template"))
        .subcommand_help_heading(tr.t("cli.heading_commands"))
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(tr.t("cli.arg_help")),
        )
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "cli.heading_args"
            } else {
                "cli.heading_options"
            };
            let help = arg_help_key(&name, a.get_id().as_str());
            let a = a.help_heading(tr.t(heading));
            let a = match help {
                Some(k) => a.help(tr.t(k)),
                None => a,
            };
            localize_suffixes(a, tr)
        });
    cmd.mut_subcommands(|sc| localize(sc, tr, &name))
}

/// clap appends "[default: …]" and "[possible values: …]" in English; the same
/// facts in the user's language instead.
fn localize_suffixes(a: Arg, tr: Tr) -> Arg {
    let join = |v: Vec<String>| v.join(", ");
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let possible: Vec<String> = if a.is_hide_possible_values_set() || !a.get_action().takes_values()
    {
        Vec::new()
    } else {
        a.get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_owned())
            .collect()
    };
    let mut extra = String::new();
    if !possible.is_empty() {
        extra.push_str(&tr.tf("cli.help_possible", &[("values", join(possible))]));
    }
    if !defaults.is_empty() && a.get_action().takes_values() {
        extra.push_str(&tr.tf("cli.help_default", &[("value", join(defaults))]));
    }
    if extra.is_empty() {
        return a;
    }
    let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
    a.hide_default_value(true)
        .hide_possible_values(true)
        .help(format!("{help}{extra}"))
}

fn command(tr: Tr) -> Command {
    let cmd = Cli::command().disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help(tr.t("cli.arg_version")),
    );
    localize(cmd, tr, "")
}

/// Runs a subcommand; `args[0]` is the program name.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let tr = Tr(Lang::from_system());
    let (stdout, stderr, stdin) = (std::io::stdout(), std::io::stderr(), std::io::stdin());
    let terminal = std::io::IsTerminal::is_terminal(&stdin);
    let mut read_hidden = read_hidden_line;
    let mut io = Io {
        out: &mut stdout.lock(),
        err: &mut stderr.lock(),
        input: &mut stdin.lock(),
        hidden: terminal.then_some(&mut read_hidden as &mut dyn FnMut() -> _),
    };
    ExitCode::from(run_in(tr, Ctx::real, args, &mut io))
}

/// A line typed on the terminal without echo, leaving the cursor on a new line:
/// Enter is not echoed, so the reader writes the line end itself, but at Ctrl-D (end
/// of input) it writes none, and what follows (an error) would go on the prompt's
/// own line. Its output is watched, and the line ended when it did not.
fn read_hidden_line() -> std::io::Result<String> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    /// The terminal, noting whether a line end went to it.
    struct Watched(std::fs::File, Arc<AtomicBool>);
    impl Write for Watched {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            if b.contains(&b'\n') {
                self.1.store(true, Ordering::Relaxed);
            }
            self.0.write(b)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.0.flush()
        }
    }
    #[cfg(unix)]
    let tty = std::fs::OpenOptions::new().write(true).open("/dev/tty");
    #[cfg(not(unix))]
    let tty: std::io::Result<std::fs::File> = Err(std::io::ErrorKind::Unsupported.into());
    let Ok(tty) = tty else {
        return rpassword::read_password();
    };
    let ended = Arc::new(AtomicBool::new(false));
    let config = rpassword::ConfigBuilder::new()
        .output_writer(Watched(tty, ended.clone()))
        .build();
    let line = rpassword::read_password_with_config(config);
    if !ended.load(Ordering::Relaxed) {
        eprintln!();
    }
    line
}

/// Runs a subcommand over the given services, writing to `io`; returns the exit code.
pub fn run_in<'a>(
    tr: Tr,
    make_ctx: impl FnOnce() -> Result<Ctx, OpError> + 'a,
    args: Vec<OsString>,
    io: &mut Io<'_>,
) -> u8 {
    let matches = match command(tr).try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() { USAGE } else { OK };
            let text = usage_error::render(tr, &e);
            if e.use_stderr() {
                let _ = write!(io.err, "{text}");
            } else {
                let _ = write!(io.out, "{text}");
            }
            return code;
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = write!(io.err, "{}", usage_error::render(tr, &e));
            return USAGE;
        }
    };
    let mut env = Env {
        tr,
        make: Some(Box::new(make_ctx)),
        ctx: None,
    };
    let result = match cli.command {
        Commands::CheckCerts(a) => check_certs::exec(tr, io, a),
        Commands::Profile { command } => profile::exec(&mut env, io, command),
        Commands::Verify(a) => verify::exec(&mut env, io, a),
        Commands::Push(a) => push::exec(&mut env, io, a),
        Commands::Export(a) => export::exec(&mut env, io, a),
        Commands::Cert { command } => cert::exec(&mut env, io, command),
    };
    match result {
        Ok(()) => OK,
        Err(e) => {
            for line in &e.lines {
                say!(io.err, "{line}");
            }
            e.code
        }
    }
}

/// Runs a subcommand in-process against the given services (tests: fakes);
/// returns the exit code, stdout and stderr. `input` is what stdin would give.
pub fn run_with(ctx: Ctx, lang: Lang, args: &[&str], input: &str) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut input = input.as_bytes();
    let code = {
        let mut io = Io {
            out: &mut out,
            err: &mut err,
            input: &mut input,
            hidden: None,
        };
        let args = std::iter::once("wxpay-setup")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        run_in(Tr(lang), move || Ok(ctx), args, &mut io)
    };
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// "cannot read <path>: <reason>" as a failure.
fn read_failure(tr: Tr, path: &Path, e: &std::io::Error) -> CliError {
    let args = [
        ("path", path.display().to_string()),
        ("reason", e.to_string()),
    ];
    CliError::fail(tr.tf("cli.cannot_read", &args))
}

/// A secret from a file (a passphrase, token or password file): the one way they
/// are read (`app::ops::secret_file`); a file that gives none is a usage error.
fn read_secret_file(
    tr: Tr,
    path: &Path,
    what: crate::app::ops::secret_file::What,
) -> Result<crate::domain::secret::Secret, CliError> {
    crate::app::ops::secret_file::read(path, what).map_err(|e| CliError::usage(tr.msg(&e)))
}

/// A typed error as a failure line.
fn failed(tr: Tr, e: &(impl Message + ?Sized)) -> CliError {
    CliError::fail(tr.msg(e))
}

fn print_json(io: &mut Io<'_>, v: &impl serde::Serialize) {
    say!(
        io.out,
        "{}",
        serde_json::to_string_pretty(v).unwrap_or_default()
    );
}

/// A problem as the JSON reports list it.
#[derive(serde::Serialize)]
struct ProblemJson {
    code: &'static str,
    severity: crate::domain::problem::Severity,
    message: String,
}

impl ProblemJson {
    fn new(tr: Tr, p: &crate::domain::problem::Problem) -> Self {
        ProblemJson {
            code: p.code,
            severity: p.severity,
            message: tr.msg(p),
        }
    }
}

fn issuer_str(k: crate::domain::cert::IssuerKind) -> &'static str {
    use crate::domain::cert::IssuerKind;
    match k {
        IssuerKind::Tenpay => "tenpay",
        IssuerKind::Legacy => "legacy",
        IssuerKind::Unknown => "unknown",
    }
}

/// `--profile NAME` or `--all`: the profiles a command runs on.
#[derive(clap::Args)]
pub struct Targets {
    #[arg(
        long,
        value_name = "NAME",
        value_parser = shop_name,
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    profile: Option<String>,
    #[arg(long)]
    all: bool,
}

impl Targets {
    fn which(&self) -> crate::app::ops::Which {
        use crate::app::ops::Which;
        match (&self.profile, self.all) {
            (_, true) => Which::All,
            (Some(name), false) => Which::One(name.clone()),
            // clap requires one of them
            (None, false) => Which::One(String::new()),
        }
    }
}

/// A shop name as typed on the command line, trimmed as every other way in
/// trims it (`profile import`, bundles, the window): `' 店 '` is the shop `店`.
fn shop_name(s: &str) -> Result<String, std::convert::Infallible> {
    Ok(s.trim().to_owned())
}

/// "[2/5] name: ok" on stderr while an `--all` run goes on.
fn progress_line(tr: Tr, io: &mut Io<'_>, i: usize, n: usize, name: &str, ok: bool) {
    let status = tr.t(if ok { "cli.row_ok" } else { "cli.row_failed" });
    say!(io.err, "[{i}/{n}] {name}: {status}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_definition_is_valid_in_both_languages() {
        for lang in Lang::ALL {
            command(Tr(lang)).debug_assert();
        }
    }

    #[test]
    fn every_command_and_argument_has_a_localized_help() {
        fn walk(cmd: &Command) {
            let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
            assert!(!about.is_empty() && about != "(?)", "{}", cmd.get_name());
            for a in cmd.get_arguments() {
                let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                assert!(
                    !help.is_empty() && help != "(?)",
                    "{} {}",
                    cmd.get_name(),
                    a.get_id()
                );
            }
            for sc in cmd.get_subcommands() {
                walk(sc);
            }
        }
        for lang in Lang::ALL {
            let mut cmd = command(Tr(lang));
            cmd.build();
            walk(&cmd);
        }
    }

    /// What a parse error of the command line prints, in `lang`.
    fn usage_error(lang: Lang, args: &[&str]) -> (u8, String) {
        let (ctx, _fakes) = crate::app::ops::testing::fake_ctx();
        let (code, out, err) = run_with(ctx, lang, args, "");
        assert_eq!(out, "", "{args:?}");
        (code, err)
    }

    #[test]
    fn command_line_mistakes_are_explained_in_chinese() {
        let cases: [(&[&str], &[&str]); 5] = [
            (
                &["verfy"],
                &["没有「verfy」这个命令", "您是不是想写：verify"],
            ),
            (
                &["verify", "--all", "--jobs", "abc"],
                &["--jobs 不能是「abc」", "1 到 16"],
            ),
            (
                &["verify", "--bogus"],
                &["不认识「--bogus」这个参数", "用法：wxpay-setup verify"],
            ),
            (&["profile", "show"], &["缺少必须给出的参数：<NAME>"]),
            (&["profile"], &["管理店铺配置", "用法：wxpay-setup profile"]),
        ];
        for (args, wanted) in cases {
            let (code, err) = usage_error(Lang::ZhCn, args);
            assert_eq!(code, USAGE, "{args:?}: {err}");
            for w in wanted {
                assert!(err.contains(w), "{args:?} should say {w:?}:\n{err}");
            }
            // none of clap's English words
            for english in ["error:", "Usage:", "For more information", "tip:"] {
                assert!(!err.contains(english), "{args:?}: {err}");
            }
            assert!(err.contains("--help"), "{err}");
        }
        let (_, en) = usage_error(Lang::En, &["verfy"]);
        assert!(en.contains("There is no command 'verfy'"), "{en}");
    }

    #[test]
    fn help_gives_defaults_in_the_users_language() {
        let (ctx, _fakes) = crate::app::ops::testing::fake_ctx();
        let (code, out, _) = run_with(ctx, Lang::ZhCn, &["verify", "--help"], "");
        assert_eq!(code, OK);
        assert!(out.contains("（默认："), "{out}");
        assert!(!out.contains("[default:"), "{out}");
    }
}
