//! Headless subcommands for agents and scripts. Human text by default (in the
//! locale's language), `--json` for machines. Exit codes: 0 ok, 1 not usable or
//! failed, 2 usage error. No input, however broken, makes it panic.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::Services;
use crate::app::rules::{self, Secrets};
use crate::app::worker::export_to;
use crate::domain::cert::{self, CertSummary, IssuerKind, report};
use crate::domain::fields::{self, FieldId};
use crate::domain::problem::Problem;
use crate::domain::profile::{self as profile_mod, Profile, SecretField, SiteKind};
use crate::domain::secret::Secret;
use crate::i18n::{Lang, Tr};
use crate::services::file_picker::NativePicker;
use crate::services::profile_store::ProfileStore;
use crate::services::secret_store::{KeyringStore, SecretStore, StoreError};

const OK: u8 = 0;
const FAIL: u8 = 1;
const USAGE: u8 = 2;

pub fn run_gui() -> ExitCode {
    let tr = Tr(Lang::from_system());
    let profiles = match ProfileStore::open_default() {
        Ok(p) => p,
        Err(e) => return ExitCode::from(storage_failure(tr, &e)),
    };
    let http: Arc<dyn crate::services::wechat_http::WeChatHttp> =
        match crate::services::wechat_http::HttpClient::new() {
            Ok(h) => Arc::new(h),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(FAIL);
            }
        };
    let services = Services {
        secrets: Arc::new(|| KeyringStore::connect().map(|s| Arc::new(s) as Arc<dyn SecretStore>)),
        profiles,
        picker: Arc::new(NativePicker),
        wechat: crate::app::WeChatAccess {
            http,
            urls: crate::services::wechat_http::BaseUrls::from_env(),
        },
    };
    match crate::ui::run(services) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", tr.tf("cli.gui_failed", &[("reason", e.to_string())]));
            ExitCode::from(FAIL)
        }
    }
}

/// Puts our own words on what clap would print in English: headings, -h, -V.
fn localize(cmd: Command, tr: Tr) -> Command {
    let cmd = cmd
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
            a.help_heading(tr.t(heading))
        });
    cmd.mut_subcommands(|sc| localize(sc, tr))
}

fn command(tr: Tr) -> Command {
    let tree = command_tree(tr).disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help(tr.t("cli.arg_version")),
    );
    localize(tree, tr)
}

fn command_tree(tr: Tr) -> Command {
    let json = || {
        Arg::new("json")
            .long("json")
            .action(ArgAction::SetTrue)
            .help(tr.t("cli.arg_json"))
    };
    Command::new("wxpay-setup")
        .about(tr.t("cli.about"))
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .disable_help_subcommand(true)
        .subcommand(
            Command::new("check-certs")
                .about(tr.t("cli.check_certs"))
                .arg(
                    Arg::new("path")
                        .required(true)
                        .value_parser(clap::value_parser!(PathBuf))
                        .help(tr.t("cli.arg_cert_path")),
                )
                .arg(
                    Arg::new("mchid")
                        .long("mchid")
                        .value_name("MCHID")
                        .help(tr.t("cli.arg_mchid")),
                )
                .arg(json()),
        )
        .subcommand(
            Command::new("profile")
                .about(tr.t("cli.profile"))
                .subcommand_required(true)
                .disable_help_subcommand(true)
                .subcommand(
                    Command::new("import")
                        .about(tr.t("cli.profile_import"))
                        .arg(
                            Arg::new("file")
                                .required(true)
                                .value_parser(clap::value_parser!(PathBuf))
                                .help(tr.t("cli.arg_import_file")),
                        ),
                )
                .subcommand(
                    Command::new("import-bundle")
                        .about(tr.t("cli.profile_import_bundle"))
                        .arg(
                            Arg::new("file")
                                .required(true)
                                .value_parser(clap::value_parser!(PathBuf))
                                .help(tr.t("cli.arg_bundle_file")),
                        )
                        .arg(
                            Arg::new("passphrase-file")
                                .long("passphrase-file")
                                .value_name("FILE")
                                .value_parser(clap::value_parser!(PathBuf))
                                .help(tr.t("cli.arg_passphrase_file")),
                        )
                        .arg(
                            Arg::new("name")
                                .long("name")
                                .value_name("NAME")
                                .help(tr.t("cli.arg_new_name")),
                        ),
                )
                .subcommand(
                    Command::new("list")
                        .about(tr.t("cli.profile_list"))
                        .arg(json()),
                )
                .subcommand(
                    Command::new("show")
                        .about(tr.t("cli.profile_show"))
                        .arg(Arg::new("name").required(true).help(tr.t("cli.arg_name")))
                        .arg(json()),
                )
                .subcommand(
                    Command::new("delete")
                        .about(tr.t("cli.profile_delete"))
                        .arg(Arg::new("name").required(true).help(tr.t("cli.arg_name"))),
                ),
        )
        .subcommand(
            Command::new("verify")
                .about(tr.t("cli.verify"))
                .arg(
                    Arg::new("profile")
                        .long("profile")
                        .value_name("NAME")
                        .required_unless_present("all")
                        .conflicts_with("all")
                        .help(tr.t("cli.arg_name")),
                )
                .arg(
                    Arg::new("all")
                        .long("all")
                        .action(ArgAction::SetTrue)
                        .help(tr.t("cli.arg_all")),
                )
                .arg(json()),
        )
        .subcommand(
            Command::new("push")
                .about(tr.t("cli.push"))
                .arg(
                    Arg::new("profile")
                        .long("profile")
                        .required(true)
                        .value_name("NAME")
                        .help(tr.t("cli.arg_name")),
                )
                .arg(
                    Arg::new("url")
                        .long("url")
                        .value_name("URL")
                        .help(tr.t("cli.arg_push_url")),
                )
                .arg(
                    Arg::new("token-file")
                        .long("token-file")
                        .value_name("FILE")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help(tr.t("cli.arg_token_file")),
                )
                .arg(
                    Arg::new("preset")
                        .long("preset")
                        .value_name("PRESET")
                        .help(tr.t("cli.arg_preset")),
                )
                .arg(
                    Arg::new("mapping")
                        .long("mapping")
                        .value_name("FILE")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help(tr.t("cli.arg_mapping")),
                )
                .arg(
                    Arg::new("dry-run")
                        .long("dry-run")
                        .action(ArgAction::SetTrue)
                        .help(tr.t("cli.arg_dry_run")),
                )
                .arg(
                    Arg::new("yes")
                        .long("yes")
                        .short('y')
                        .action(ArgAction::SetTrue)
                        .help(tr.t("cli.arg_yes")),
                )
                .arg(json()),
        )
        .subcommand(
            Command::new("export")
                .about(tr.t("cli.export"))
                .arg(
                    Arg::new("profile")
                        .long("profile")
                        .value_name("NAME")
                        .required_unless_present("all")
                        .conflicts_with("all")
                        .help(tr.t("cli.arg_name")),
                )
                .arg(
                    Arg::new("all")
                        .long("all")
                        .action(ArgAction::SetTrue)
                        .help(tr.t("cli.arg_all")),
                )
                .arg(
                    Arg::new("format")
                        .long("format")
                        .value_name("FORMAT")
                        .default_value("bundle")
                        .help(tr.t("cli.arg_format")),
                )
                .arg(
                    Arg::new("out")
                        .long("out")
                        .required(true)
                        .value_name("PATH")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help(tr.t("cli.arg_out")),
                )
                .arg(
                    Arg::new("include-secrets")
                        .long("include-secrets")
                        .action(ArgAction::SetTrue)
                        .help(tr.t("cli.arg_include_secrets")),
                )
                .arg(
                    Arg::new("passphrase-file")
                        .long("passphrase-file")
                        .value_name("FILE")
                        .value_parser(clap::value_parser!(PathBuf))
                        .requires("include-secrets")
                        .help(tr.t("cli.arg_passphrase_file")),
                ),
        )
}

/// Runs a subcommand; `args[0]` is the program name.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let tr = Tr(Lang::from_system());
    let m = match command(tr).try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE } else { OK });
        }
    };
    let code = match m.subcommand() {
        Some(("check-certs", m)) => check_certs(tr, m),
        Some(("profile", m)) => match m.subcommand() {
            Some(("import", m)) => with_store(tr, |s| profile_import(tr, s, m)),
            Some(("import-bundle", m)) => with_store(tr, |s| profile_import_bundle(tr, s, m)),
            Some(("list", m)) => with_store(tr, |s| profile_list(tr, s, m)),
            Some(("show", m)) => with_store(tr, |s| profile_show(tr, s, m)),
            Some(("delete", m)) => with_store(tr, |s| profile_delete(tr, s, m)),
            _ => USAGE,
        },
        Some(("export", m)) => with_store(tr, |s| export(tr, s, m)),
        Some(("verify", m)) => with_store(tr, |s| verify(tr, s, m)),
        Some(("push", m)) => with_store(tr, |s| push_cmd(tr, s, m)),
        _ => USAGE,
    };
    ExitCode::from(code)
}

fn with_store(tr: Tr, f: impl FnOnce(&ProfileStore) -> u8) -> u8 {
    match ProfileStore::open_default() {
        Ok(s) => f(&s),
        Err(e) => storage_failure(tr, &e),
    }
}

/// Prints a storage error in the user's language; returns the failure exit code.
fn storage_failure(tr: Tr, e: &crate::services::profile_store::StorageError) -> u8 {
    eprintln!(
        "{}",
        tr.tf(&format!("storage_error.{}", e.code()), &e.args())
    );
    FAIL
}

/// Prints "cannot read <path>: <reason>"; returns the failure exit code.
fn read_failure(tr: Tr, path: &Path, e: &std::io::Error) -> u8 {
    let args = [
        ("path", path.display().to_string()),
        ("reason", e.to_string()),
    ];
    eprintln!("{}", tr.tf("cli.cannot_read", &args));
    FAIL
}

fn problem_json(tr: Tr, p: &Problem) -> Value {
    json!({ "code": p.code, "severity": p.severity, "message": tr.problem(p) })
}

fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

fn issuer_str(k: IssuerKind) -> &'static str {
    match k {
        IssuerKind::Tenpay => "tenpay",
        IssuerKind::Legacy => "legacy",
        IssuerKind::Unknown => "unknown",
    }
}

// ----- check-certs ----------------------------------------------------------------

fn check_certs(tr: Tr, m: &ArgMatches) -> u8 {
    let path = m.get_one::<PathBuf>("path").cloned().unwrap_or_default();
    let as_json = m.get_flag("json");
    let mchid = m
        .get_one::<String>("mchid")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    if !mchid.is_empty()
        && let Some(p) = fields::check_mchid(&mchid).first()
    {
        eprintln!("--mchid: {}", tr.problem(p));
        return USAGE;
    }
    let imported = match cert::import_path(&path) {
        Ok(i) => i,
        Err(e) => {
            let message = tr.tf(&format!("import_error.{}", e.code()), &e.args());
            if as_json {
                print_json(&json!({
                    "path": path.display().to_string(),
                    "usable": false,
                    "mchid": null, "company": null, "issuer": null, "serial": null,
                    "not_after": null, "key_matches_cert": null,
                    "problems": [{ "code": e.code(), "severity": "error", "message": message }],
                }));
            } else {
                eprintln!("× {message}");
            }
            return FAIL;
        }
    };
    let c = &imported.summary;
    let problems = cert::evaluate(c, &mchid, time::OffsetDateTime::now_utc());
    let usable = report::is_usable(&problems);
    if as_json {
        print_json(&json!({
            "path": path.display().to_string(),
            "usable": usable,
            "mchid": c.mchid,
            "company": c.company,
            "issuer": issuer_str(c.issuer),
            "issuer_name": c.issuer_name,
            "serial": c.serial,
            "not_before": c.not_before,
            "not_after": c.not_after,
            "signature_algorithm": c.signature_algorithm,
            "key_bits": c.key_bits,
            "key_matches_cert": c.key_matches,
            "p12_present": c.p12_present,
            "problems": problems.iter().map(|p| problem_json(tr, p)).collect::<Vec<_>>(),
        }));
    } else {
        print_cert(tr, c);
        for p in &problems {
            let icon = if p.is_error() { "×" } else { "⚠" };
            println!("{icon} {}", tr.problem(p));
        }
        println!(
            "{}",
            if usable {
                tr.t("cli.cert_usable")
            } else {
                tr.t("cli.cert_not_usable")
            }
        );
    }
    if usable { OK } else { FAIL }
}

fn print_cert(tr: Tr, c: &CertSummary) {
    let dash = "—".to_owned();
    let issuer = match c.issuer {
        IssuerKind::Tenpay => tr.t("cert.issuer_tenpay"),
        IssuerKind::Legacy => tr.t("cert.issuer_legacy"),
        IssuerKind::Unknown => tr.t("cert.issuer_unknown"),
    };
    let key = match c.key_matches {
        Some(true) => tr.t("cert.key_matches"),
        Some(false) => tr.t("cert.key_mismatch"),
        None => tr.t("cert.key_absent"),
    };
    for (k, v) in [
        (
            "cert.mchid",
            c.mchid.clone().unwrap_or_else(|| dash.clone()),
        ),
        (
            "cert.company",
            c.company.clone().unwrap_or_else(|| dash.clone()),
        ),
        ("cert.issuer", issuer.to_owned()),
        ("cert.serial", c.serial.clone()),
        ("cert.not_after", c.not_after.clone()),
        ("cert.key", key.to_owned()),
    ] {
        println!("{}: {v}", tr.t(k));
    }
}

// ----- profile import -----------------------------------------------------------------

/// The import file: every key optional but `name`; unknown keys are refused so
/// that a typo in an agent's script is caught, not silently ignored.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ImportFile {
    name: Option<String>,
    site_kind: Option<String>,
    payment_name: Option<String>,
    mp_appid: Option<String>,
    mp_appsecret: Option<String>,
    mchid: Option<String>,
    api_key_v2: Option<String>,
    api_key_v3: Option<String>,
    oa_appid: Option<String>,
    oa_appsecret: Option<String>,
    cert_zip: Option<PathBuf>,
    jsapi_enabled: Option<bool>,
    public_key_id: Option<String>,
    /// Path to the merchant's `pub_key.pem` (public-key mode).
    public_key_pem: Option<PathBuf>,
    backend_url: Option<String>,
    backend_token: Option<String>,
    backend_preset: Option<String>,
    /// Path to a custom field-name mapping (with `backend_preset = "custom"`).
    backend_mapping: Option<PathBuf>,
}

impl Drop for ImportFile {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for s in [
            &mut self.mp_appsecret,
            &mut self.api_key_v2,
            &mut self.api_key_v3,
            &mut self.oa_appsecret,
            &mut self.backend_token,
        ]
        .into_iter()
        .flatten()
        {
            s.zeroize();
        }
    }
}

fn profile_import(tr: Tr, store: &ProfileStore, m: &ArgMatches) -> u8 {
    let file = m.get_one::<PathBuf>("file").cloned().unwrap_or_default();
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => zeroize::Zeroizing::new(t),
        Err(e) => return read_failure(tr, &file, &e),
    };
    let mut input: ImportFile = match toml::from_str(&text) {
        Ok(i) => i,
        Err(e) => {
            eprintln!(
                "{}",
                tr.tf(
                    "cli.import_bad_toml",
                    &[
                        ("path", file.display().to_string()),
                        ("reason", e.message().to_owned())
                    ]
                )
            );
            return FAIL;
        }
    };
    let Some(name) = input.name.clone() else {
        eprintln!("{}", tr.t("cli.import_no_name"));
        return FAIL;
    };
    if let Err(p) = profile_mod::check_profile_name(&name) {
        eprintln!("name: {}", tr.problem(&p));
        return FAIL;
    }
    let name = name.trim().to_owned();
    let mut profile = if store.exists(&name) {
        match store.load(&name) {
            Ok(p) => p,
            Err(e) => return storage_failure(tr, &e),
        }
    } else {
        Profile::new(&name)
    };

    let mut errors: Vec<String> = Vec::new();
    if let Some(k) = &input.site_kind {
        match SiteKind::parse(k) {
            Some(k) => profile.site_kind = Some(k),
            None => errors.push(format!(
                "site_kind: {}",
                tr.tf("cli.bad_site_kind", &[("value", k.clone())])
            )),
        }
    }
    let mut set_text =
        |key: &str, value: &Option<String>, slot: &mut String, check: fn(&str) -> Vec<Problem>| {
            if let Some(v) = value {
                for p in check(v).iter().filter(|p| p.is_error()) {
                    errors.push(format!("{key}: {}", tr.problem(p)));
                }
                *slot = v.trim().to_owned();
            }
        };
    set_text(
        "payment_name",
        &input.payment_name,
        &mut profile.payment_name,
        fields::check_payment_name,
    );
    set_text(
        "mp_appid",
        &input.mp_appid,
        &mut profile.mp_appid,
        fields::check_appid,
    );
    set_text(
        "mchid",
        &input.mchid,
        &mut profile.mchid,
        fields::check_mchid,
    );
    set_text(
        "oa_appid",
        &input.oa_appid,
        &mut profile.oa_appid,
        fields::check_appid,
    );
    if let Some(j) = input.jsapi_enabled {
        profile.jsapi_enabled = j;
    }
    if let Some(id) = &input.public_key_id {
        match crate::domain::wxapi::v3::check_public_key_id(id) {
            Ok(()) => profile.public_key_id = id.trim().to_owned(),
            Err(code) => errors.push(format!("public_key_id: {}", tr.t(&format!("check.{code}")))),
        }
    }
    if let Some(path) = &input.public_key_pem {
        let path = if path.is_relative() {
            file.parent().unwrap_or(Path::new(".")).join(path)
        } else {
            path.clone()
        };
        match std::fs::read_to_string(&path) {
            Ok(pem) => match crate::domain::wxapi::v3::check_public_key_pem(&pem) {
                Ok(()) => profile.public_key_pem = pem.trim().to_owned(),
                Err(code) => errors.push(format!(
                    "public_key_pem: {}",
                    tr.t(&format!("check.{code}"))
                )),
            },
            Err(e) => errors.push(format!("public_key_pem: {} ({e})", path.display())),
        }
    }

    if let Some(url) = &input.backend_url {
        match crate::services::wechat_http::check_base_url(url) {
            Ok(()) => profile.backend_url = url.trim().to_owned(),
            Err(_) => errors.push(format!(
                "backend_url: {}",
                tr.tf("push.insecure_url", &[("url", url.clone())])
            )),
        }
    }
    if let Some(preset) = &input.backend_preset {
        if preset == "custom" || crate::domain::push::Preset::parse(preset).is_some() {
            profile.backend_preset = preset.trim().to_owned();
        } else {
            errors.push(format!(
                "backend_preset: {}",
                tr.tf("push.bad_preset", &[("value", preset.clone())])
            ));
        }
    }
    if let Some(path) = &input.backend_mapping {
        let path = if path.is_relative() {
            file.parent().unwrap_or(Path::new(".")).join(path)
        } else {
            path.clone()
        };
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| crate::domain::push::parse_mapping(&t))
        {
            Ok(_) => profile.backend_mapping_file = path.display().to_string(),
            Err(e) => errors.push(format!("backend_mapping: {} ({e})", path.display())),
        }
    }
    let file_has_secrets = input.mp_appsecret.is_some()
        || input.backend_token.is_some()
        || input.api_key_v2.is_some()
        || input.api_key_v3.is_some()
        || input.oa_appsecret.is_some();
    let mut secrets = Secrets::new();
    for (field, value) in [
        (SecretField::MpAppSecret, input.mp_appsecret.take()),
        (SecretField::ApiKeyV2, input.api_key_v2.take()),
        (SecretField::ApiKeyV3, input.api_key_v3.take()),
        (SecretField::OaAppSecret, input.oa_appsecret.take()),
        (SecretField::BackendToken, input.backend_token.take()),
    ] {
        if let Some(mut v) = value {
            secrets.insert(field, Secret::new(v.trim()));
            zeroize::Zeroize::zeroize(&mut v);
        }
    }
    // the typed secrets, validated like the wizard does (the token has no format)
    let fid = |f: SecretField| match f {
        SecretField::MpAppSecret => Some(FieldId::MpAppSecret),
        SecretField::ApiKeyV2 => Some(FieldId::ApiKeyV2),
        SecretField::ApiKeyV3 => Some(FieldId::ApiKeyV3),
        SecretField::OaAppSecret => Some(FieldId::OaAppSecret),
        SecretField::PrivateKey | SecretField::BackendToken => None,
    };
    for (f, id) in secrets.keys().filter_map(|f| fid(*f).map(|id| (f, id))) {
        for p in rules::field_problems(&profile, &secrets, id)
            .iter()
            .filter(|p| p.is_error())
        {
            errors.push(format!("{}: {}", f.key(), tr.problem(p)));
        }
    }
    // the service account's AppID compared with the mini program's (its format was checked above)
    if input.oa_appid.is_some() {
        for p in rules::same_account_problems(&profile, &secrets, FieldId::OaAppId) {
            errors.push(format!("oa_appid: {}", tr.problem(&p)));
        }
    }
    if let Some(cert_path) = &input.cert_zip {
        // relative to the import file, as a person writing it would expect
        let cert_path = if cert_path.is_relative() {
            file.parent().unwrap_or(Path::new(".")).join(cert_path)
        } else {
            cert_path.clone()
        };
        match cert::import_path(&cert_path) {
            Ok(imported) => {
                if let Some(k) = imported.private_key {
                    secrets.insert(SecretField::PrivateKey, k);
                }
                if profile.mchid.is_empty()
                    && let Some(m) = &imported.summary.mchid
                {
                    profile.mchid = m.clone();
                }
                profile.certificate = Some(imported.summary);
            }
            Err(e) => errors.push(format!(
                "cert_zip: {}",
                tr.tf(&format!("import_error.{}", e.code()), &e.args())
            )),
        }
    }
    if !errors.is_empty() {
        eprintln!(
            "{}",
            tr.tf(
                "cli.import_refused",
                &[("path", file.display().to_string())]
            )
        );
        for e in errors {
            eprintln!("  × {e}");
        }
        return FAIL;
    }

    profile.updated_at = crate::app::now_rfc3339();
    if let Err(e) = store.save(&profile) {
        return storage_failure(tr, &e);
    }
    println!(
        "{}",
        tr.tf(
            "cli.import_saved",
            &[
                ("name", name.clone()),
                ("path", store.profile_path(&name).display().to_string())
            ]
        )
    );
    let had_secrets = !secrets.is_empty();
    let mut code = OK;
    if had_secrets {
        match KeyringStore::connect().and_then(|k| k.set_many(&name, &secrets)) {
            Ok(()) => {
                let list: Vec<&str> = secrets.keys().map(|f| f.key()).collect();
                println!(
                    "{}",
                    tr.tf("cli.import_secrets_stored", &[("fields", list.join(", "))])
                );
            }
            Err(e) => {
                eprintln!("{}", keychain_message(tr, &e));
                eprintln!("{}", tr.t("cli.import_secrets_not_stored"));
                code = FAIL;
            }
        }
        if file_has_secrets {
            // the file itself still holds the secrets in plain text
            println!(
                "⚠ {}",
                tr.tf(
                    "cli.import_delete_file",
                    &[("path", file.display().to_string())]
                )
            );
        }
    }
    code
}

fn keychain_message(tr: Tr, e: &StoreError) -> String {
    tr.tf(
        &format!("keychain.error.{}", e.code()),
        &[("detail", e.detail().to_owned())],
    )
}

// ----- profile import-bundle ---------------------------------------------------------

fn profile_import_bundle(tr: Tr, store: &ProfileStore, m: &ArgMatches) -> u8 {
    use crate::domain::bundle::{bundle_needs_passphrase, read_bundle};
    let file = m.get_one::<PathBuf>("file").cloned().unwrap_or_default();
    let fail = |e: crate::domain::bundle::BundleReadError| {
        eprintln!(
            "{}",
            tr.tf(
                &format!("import_bundle.{}", e.code()),
                &[("detail", e.to_string())]
            )
        );
        eprintln!("{}", tr.t("import_bundle.nothing_written"));
        FAIL
    };
    let needs = match bundle_needs_passphrase(&file) {
        Ok(n) => n,
        Err(e) => return fail(e),
    };
    let pass = match m.get_one::<PathBuf>("passphrase-file") {
        Some(f) => match std::fs::read_to_string(f) {
            Ok(t) => Some(Secret::new(t.trim_end_matches(['\r', '\n']))),
            Err(e) => return read_failure(tr, f, &e),
        },
        None if needs => {
            eprintln!("{}", tr.t("import_bundle.bundle_passphrase_needed"));
            return USAGE;
        }
        None => None,
    };
    let mut imported = match read_bundle(&file, pass.as_ref()) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let wanted = m
        .get_one::<String>("name")
        .cloned()
        .unwrap_or_else(|| imported.profile.name.clone());
    if let Err(p) = profile_mod::check_profile_name(&wanted) {
        eprintln!("name: {}", tr.problem(&p));
        return USAGE;
    }
    let name = crate::app::profiles::free_name(store, wanted.trim());
    imported.profile.name = name.clone();
    // secrets first: if the keychain is not there, nothing at all is written
    if !imported.secrets.is_empty()
        && let Err(e) = KeyringStore::connect().and_then(|k| k.set_many(&name, &imported.secrets))
    {
        eprintln!("{}", keychain_message(tr, &e));
        eprintln!("{}", tr.t("import_bundle.nothing_written"));
        return FAIL;
    }
    if let Err(e) = store.save(&imported.profile) {
        return storage_failure(tr, &e);
    }
    println!(
        "{}",
        tr.tf(
            "cli.import_saved",
            &[
                ("name", name.clone()),
                ("path", store.profile_path(&name).display().to_string())
            ]
        )
    );
    if !imported.secrets.is_empty() {
        let list: Vec<&str> = imported.secrets.keys().map(|f| f.key()).collect();
        println!(
            "{}",
            tr.tf("cli.import_secrets_stored", &[("fields", list.join(", "))])
        );
    }
    OK
}

// ----- profile list / show / delete -----------------------------------------------------

fn profile_list(tr: Tr, store: &ProfileStore, m: &ArgMatches) -> u8 {
    let names = match store.list() {
        Ok(n) => n,
        Err(e) => return storage_failure(tr, &e),
    };
    let profiles: Vec<(String, Option<Profile>)> = names
        .into_iter()
        .map(|n| (n.clone(), store.load(&n).ok()))
        .collect();
    if m.get_flag("json") {
        let list: Vec<Value> = profiles
            .iter()
            .map(|(n, p)| {
                json!({
                    "name": n,
                    "site_kind": p.as_ref().and_then(|p| p.site_kind).map(|k| k.as_str()),
                    "mchid": p.as_ref().map(|p| p.mchid.clone()),
                    "cert_not_after": p.as_ref().and_then(|p| p.certificate.as_ref()).map(|c| c.not_after.clone()),
                    "damaged": p.is_none(),
                })
            })
            .collect();
        print_json(&Value::Array(list));
    } else if profiles.is_empty() {
        println!("{}", tr.t("cli.no_profiles"));
    } else {
        for (n, p) in &profiles {
            match p {
                Some(p) => println!(
                    "{n}\t{}\t{}",
                    p.site_kind.map(|k| k.as_str()).unwrap_or("-"),
                    if p.mchid.is_empty() { "-" } else { &p.mchid }
                ),
                None => println!("{n}\t{}", tr.t("cli.damaged")),
            }
        }
    }
    OK
}

fn load_profile(tr: Tr, store: &ProfileStore, name: &str) -> Result<Profile, u8> {
    if !store.exists(name) {
        eprintln!(
            "{}",
            tr.tf("cli.no_such_profile", &[("name", name.to_owned())])
        );
        return Err(FAIL);
    }
    store.load(name).map_err(|e| storage_failure(tr, &e))
}

fn load_secrets(name: &str) -> Result<Secrets, StoreError> {
    KeyringStore::connect()?.get_all(name)
}

fn profile_show(tr: Tr, store: &ProfileStore, m: &ArgMatches) -> u8 {
    let name = m.get_one::<String>("name").cloned().unwrap_or_default();
    let p = match load_profile(tr, store, &name) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let secrets = load_secrets(&name);
    let state = |f: SecretField| match &secrets {
        Ok(s) if s.contains_key(&f) => "set",
        Ok(_) => "not_set",
        Err(_) => "unknown",
    };
    let missing = rules::all_missing(
        &p,
        secrets.as_ref().unwrap_or(&Secrets::new()),
        time::OffsetDateTime::now_utc(),
    );
    if m.get_flag("json") {
        let mut secret_map = serde_json::Map::new();
        for f in SecretField::ALL {
            secret_map.insert(f.key().to_owned(), json!(state(f)));
        }
        print_json(&json!({
            "name": p.name,
            "site_kind": p.site_kind.map(|k| k.as_str()),
            "payment_name": p.payment_name,
            "mp_appid": p.mp_appid,
            "mchid": p.mchid,
            "oa_appid": p.oa_appid,
            "jsapi_enabled": p.jsapi_enabled,
            "certificate": p.certificate.as_ref().map(|c| json!({
                "mchid": c.mchid, "company": c.company, "issuer": issuer_str(c.issuer),
                "serial": c.serial, "not_after": c.not_after, "key_matches_cert": c.key_matches,
            })),
            "secrets": secret_map,
            "keychain_error": secrets.as_ref().err().map(|e| keychain_message(tr, e)),
            "missing": missing.iter().map(|m| problem_json(tr, &m.problem)).collect::<Vec<_>>(),
        }));
    } else {
        println!("{}: {}", tr.t("profile.label"), p.name);
        for (label, v) in [
            (
                "site_kind",
                p.site_kind
                    .map(|k| k.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            ("payment_name", p.payment_name.clone()),
            ("mp_appid", p.mp_appid.clone()),
            ("mchid", p.mchid.clone()),
            ("oa_appid", p.oa_appid.clone()),
        ] {
            println!("  {label}: {}", if v.is_empty() { "-" } else { &v });
        }
        for f in SecretField::ALL {
            let s = match state(f) {
                "set" => tr.t("cli.secret_set"),
                "not_set" => tr.t("cli.secret_not_set"),
                _ => tr.t("cli.secret_unknown"),
            };
            println!("  {}: {s}", f.key());
        }
        if let Some(c) = &p.certificate {
            println!("  certificate: {} ({})", c.serial, c.not_after);
        }
        if let Err(e) = &secrets {
            eprintln!("{}", keychain_message(tr, e));
        }
        for m in &missing {
            println!("  ○ {}", tr.problem(&m.problem));
        }
    }
    OK
}

fn profile_delete(tr: Tr, store: &ProfileStore, m: &ArgMatches) -> u8 {
    let name = m.get_one::<String>("name").cloned().unwrap_or_default();
    if let Err(c) = load_profile(tr, store, &name) {
        return c;
    }
    // Keychain first: a profile file without secrets is harmless, orphaned secrets are not.
    if let Err(e) = KeyringStore::connect().and_then(|k| k.delete_all(&name)) {
        eprintln!("{}", keychain_message(tr, &e));
        eprintln!("{}", tr.t("cli.delete_kept"));
        return FAIL;
    }
    if let Err(e) = store.delete(&name) {
        return storage_failure(tr, &e);
    }
    println!("{}", tr.tf("cli.deleted", &[("name", name)]));
    OK
}

// ----- push -------------------------------------------------------------------------

fn push_cmd(tr: Tr, store: &ProfileStore, m: &ArgMatches) -> u8 {
    use crate::domain::push::{self, Preset, PushOutcome};
    let name = m.get_one::<String>("profile").cloned().unwrap_or_default();
    let mut p = match load_profile(tr, store, &name) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let as_json = m.get_flag("json");
    // arguments override the profile and are remembered (the token in the keychain)
    if let Some(url) = m.get_one::<String>("url") {
        p.backend_url = url.trim().to_owned();
    }
    if let Some(preset) = m.get_one::<String>("preset") {
        p.backend_preset = preset.trim().to_owned();
    }
    if let Some(mapping) = m.get_one::<PathBuf>("mapping") {
        p.backend_mapping_file = mapping.display().to_string();
        p.backend_preset = "custom".into();
    }
    if p.backend_url.is_empty() {
        eprintln!("{}", tr.t("push.no_url"));
        return USAGE;
    }
    if crate::services::wechat_http::check_base_url(&p.backend_url).is_err() {
        eprintln!(
            "{}",
            tr.tf("push.insecure_url", &[("url", p.backend_url.clone())])
        );
        return USAGE;
    }
    let mapping = match p.backend_preset.as_str() {
        "custom" => match std::fs::read_to_string(&p.backend_mapping_file)
            .map_err(|e| e.to_string())
            .and_then(|t| push::parse_mapping(&t))
        {
            Ok(m) => m,
            Err(e) => {
                eprintln!(
                    "{}",
                    tr.tf(
                        "push.bad_mapping",
                        &[("path", p.backend_mapping_file.clone()), ("reason", e)]
                    )
                );
                return USAGE;
            }
        },
        "" => Preset::Generic.mapping(),
        other => match Preset::parse(other) {
            Some(preset) => preset.mapping(),
            None => {
                eprintln!(
                    "{}",
                    tr.tf("push.bad_preset", &[("value", other.to_owned())])
                );
                return USAGE;
            }
        },
    };
    let mut secrets = match load_secrets(&name) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}", keychain_message(tr, &e));
            return FAIL;
        }
    };
    if let Some(f) = m.get_one::<PathBuf>("token-file") {
        let token = match std::fs::read_to_string(f) {
            Ok(t) => Secret::new(t.trim()),
            Err(e) => return read_failure(tr, f, &e),
        };
        if let Err(e) =
            KeyringStore::connect().and_then(|k| k.set(&name, SecretField::BackendToken, &token))
        {
            eprintln!("{}", keychain_message(tr, &e));
            return FAIL;
        }
        secrets.insert(SecretField::BackendToken, token);
    }
    if let Err(e) = store.save(&p) {
        return storage_failure(tr, &e);
    }
    let parts = push::build_parts(&p, &secrets, &mapping);
    let preview = push::preview(&parts);
    let preview_json: Vec<Value> = preview
        .iter()
        .map(|(k, v)| json!({ "field": k, "value": v }))
        .collect();
    if !as_json {
        println!(
            "{}",
            tr.tf("push.preview_heading", &[("url", p.backend_url.clone())])
        );
        for (k, v) in &preview {
            println!("  {k}: {v}");
        }
    }
    if m.get_flag("dry-run") {
        if as_json {
            print_json(
                &json!({ "status": "dry_run", "url": p.backend_url, "preview": preview_json }),
            );
        } else {
            println!("{}", tr.t("push.dry_run_done"));
        }
        return OK;
    }
    let token = secrets
        .get(&SecretField::BackendToken)
        .map(|t| t.expose().to_owned())
        .unwrap_or_default();
    if token.is_empty() {
        eprintln!("{}", tr.t("push.no_token"));
        return USAGE;
    }
    if !m.get_flag("yes") {
        eprint!("{} ", tr.t("push.confirm"));
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "是") {
            eprintln!("{}", tr.t("push.cancelled"));
            return FAIL;
        }
    }
    let http = match crate::services::wechat_http::HttpClient::new() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{e}");
            return FAIL;
        }
    };
    let result = crate::app::push::push(&http, &p.backend_url, &token, &parts);
    let (status, code, message) = match &result.outcome {
        PushOutcome::Accepted => ("sent", "push_ok", tr.t("push.push_ok").to_owned()),
        PushOutcome::Failed { code, detail } => (
            "failed",
            *code,
            tr.tf(&format!("push.{code}"), &[("detail", detail.clone())]),
        ),
        PushOutcome::Retry(detail) => (
            "failed",
            "push_gave_up",
            tr.tf("push.push_gave_up", &[("detail", detail.clone())]),
        ),
    };
    if as_json {
        print_json(&json!({
            "status": status,
            "code": code,
            "message": message,
            "attempts": result.attempts,
            "idempotency_key": result.idempotency_key,
            "url": p.backend_url,
            "preview": preview_json,
        }));
    } else if status == "sent" {
        println!("✓ {message}");
    } else {
        eprintln!("× {message}");
    }
    if status == "sent" { OK } else { FAIL }
}

// ----- verify -----------------------------------------------------------------------

fn verify(tr: Tr, store: &ProfileStore, m: &ArgMatches) -> u8 {
    use crate::services::wechat_http::{BaseUrls, HttpClient, WeChatHttp};
    let names = match target_profiles(tr, store, m) {
        Ok(n) => n,
        Err(c) => return c,
    };
    let http: Arc<dyn WeChatHttp> = match HttpClient::new() {
        Ok(h) => Arc::new(h),
        Err(e) => {
            eprintln!("{e}");
            return FAIL;
        }
    };
    let urls = BaseUrls::from_env();
    let all = m.get_flag("all");
    let as_json = m.get_flag("json");
    let mut results = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let r = verify_one(tr, store, name, http.clone(), &urls);
        if all {
            let status = match &r {
                Ok((_, true)) => tr.t("cli.row_ok"),
                _ => tr.t("cli.row_failed"),
            };
            eprintln!("[{}/{}] {name}: {status}", i + 1, names.len());
        }
        results.push((name.clone(), r));
    }
    let all_ok = results.iter().all(|(_, r)| matches!(r, Ok((_, true))));
    if as_json {
        let rows_of = |r: &Result<(Vec<Value>, bool), String>| match r {
            Ok((rows, _)) => Value::Array(rows.clone()),
            Err(e) => {
                json!([{ "id": "profile", "status": "error", "code": "profile", "message": e }])
            }
        };
        if all {
            let list: Vec<Value> = results
                .iter()
                .map(|(n, r)| json!({ "profile": n, "ok": matches!(r, Ok((_, true))), "checks": rows_of(r) }))
                .collect();
            print_json(&Value::Array(list));
        } else if let Some((_, r)) = results.first() {
            print_json(&rows_of(r));
        }
    } else {
        for (name, r) in &results {
            if all {
                println!("\n{name}");
            }
            match r {
                Ok((rows, _)) => {
                    for row in rows {
                        let mark = match row["status"].as_str() {
                            Some("ok") => "✓",
                            Some("fail") => "×",
                            Some("error") => "!",
                            _ => "-",
                        };
                        let id = row["id"].as_str().unwrap_or("");
                        println!(
                            "{mark} {}: {}",
                            tr.t(&format!("check.id.{id}")),
                            row["message"].as_str().unwrap_or("")
                        );
                    }
                }
                Err(e) => println!("× {e}"),
            }
        }
        if all {
            println!("\n{}", tr.t("cli.summary_heading"));
            for (name, r) in &results {
                let cell = match r {
                    Ok((rows, ok)) => {
                        let passed = rows.iter().filter(|r| r["status"] == "ok").count();
                        let total = rows.iter().filter(|r| r["status"] != "skipped").count();
                        format!("{} {passed}/{total}", if *ok { "✓" } else { "×" })
                    }
                    Err(_) => "×".to_owned(),
                };
                println!("  {name:<24} {cell}");
            }
        }
        println!(
            "{}",
            if all_ok {
                tr.t("cli.verify_all_ok")
            } else {
                tr.t("cli.verify_not_ok")
            }
        );
    }
    if all_ok { OK } else { FAIL }
}

/// Runs every check of one profile, remembers the results in it, and returns the
/// JSON rows and whether every applicable check passed.
fn verify_one(
    tr: Tr,
    store: &ProfileStore,
    name: &str,
    http: Arc<dyn crate::services::wechat_http::WeChatHttp>,
    urls: &Result<crate::services::wechat_http::BaseUrls, crate::services::wechat_http::NetError>,
) -> Result<(Vec<Value>, bool), String> {
    use crate::app::verify::{self as checks, CheckId, CheckRecord};
    use crate::domain::wxapi::Status;
    if !store.exists(name) {
        return Err(tr.tf("cli.no_such_profile", &[("name", name.to_owned())]));
    }
    let mut p = store
        .load(name)
        .map_err(|e| tr.tf(&format!("storage_error.{}", e.code()), &e.args()))?;
    let secrets = load_secrets(name).map_err(|e| keychain_message(tr, &e))?;
    let results = checks::run_all(&CheckId::ALL, &p, &secrets, http, urls);
    let now = crate::app::now_rfc3339();
    let mut all_ok = true;
    let mut rows = Vec::new();
    for (id, outcome) in &results {
        if outcome.status != Status::Skipped {
            all_ok &= outcome.status == Status::Ok;
            let fingerprint = checks::fingerprint(*id, &p, &secrets);
            p.checks.insert(
                *id,
                CheckRecord {
                    outcome: outcome.clone(),
                    at: now.clone(),
                    fingerprint,
                },
            );
        }
        rows.push(json!({
            "id": id.key(),
            "status": outcome.status,
            "code": outcome.code,
            "message": tr.outcome(outcome),
        }));
    }
    store
        .save(&p)
        .map_err(|e| tr.tf(&format!("storage_error.{}", e.code()), &e.args()))?;
    Ok((rows, all_ok))
}

// ----- export -----------------------------------------------------------------------

/// Which profiles a command runs on: `--profile NAME` or `--all`.
fn target_profiles(tr: Tr, store: &ProfileStore, m: &ArgMatches) -> Result<Vec<String>, u8> {
    if m.get_flag("all") {
        let names = store.list().map_err(|e| storage_failure(tr, &e))?;
        if names.is_empty() {
            eprintln!("{}", tr.t("cli.no_profiles"));
            return Err(FAIL);
        }
        return Ok(names);
    }
    Ok(vec![
        m.get_one::<String>("profile").cloned().unwrap_or_default(),
    ])
}

fn export(tr: Tr, store: &ProfileStore, m: &ArgMatches) -> u8 {
    use crate::domain::export::Format;
    let out = m.get_one::<PathBuf>("out").cloned().unwrap_or_default();
    let format_name = m.get_one::<String>("format").cloned().unwrap_or_default();
    let format = match format_name.as_str() {
        "bundle" => None,
        other => match Format::parse(other) {
            Some(f) => Some(f),
            None => {
                let names: Vec<&str> = std::iter::once("bundle")
                    .chain(Format::ALL.iter().map(|f| f.name()))
                    .collect();
                eprintln!(
                    "{}",
                    tr.tf(
                        "cli.bad_format",
                        &[("value", other.to_owned()), ("formats", names.join(", "))]
                    )
                );
                return USAGE;
            }
        },
    };
    let include_secrets = m.get_flag("include-secrets");
    // the bundle encrypts secrets, so it needs a passphrase; the stack configs hold them in plain
    let passphrase = match (
        format,
        include_secrets,
        m.get_one::<PathBuf>("passphrase-file"),
    ) {
        (None, true, None) => {
            eprintln!("{}", tr.t("cli.passphrase_needed"));
            return USAGE;
        }
        (_, true, Some(pass_file)) => {
            let pass = match std::fs::read_to_string(pass_file) {
                Ok(t) => Secret::new(t.trim_end_matches(['\r', '\n'])),
                Err(e) => return read_failure(tr, pass_file, &e),
            };
            if let Some(p) = crate::domain::bundle::check_passphrase(&pass, &pass).first() {
                eprintln!("{}", tr.problem(p));
                return USAGE;
            }
            Some(pass)
        }
        _ => None,
    };
    let names = match target_profiles(tr, store, m) {
        Ok(n) => n,
        Err(c) => return c,
    };
    let all = m.get_flag("all");
    let mut failures = 0;
    let mut summary = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let target = match (all, format) {
            (false, _) => out.clone(),
            (true, None) => out.join(format!("{name}.zip")),
            (true, Some(_)) => out.join(name),
        };
        let result = export_one(
            tr,
            store,
            name,
            format,
            &target,
            include_secrets,
            passphrase.as_ref(),
        );
        if all {
            let status = if result.is_ok() {
                tr.t("cli.row_ok")
            } else {
                tr.t("cli.row_failed")
            };
            eprintln!("[{}/{}] {name}: {status}", i + 1, names.len());
        }
        match &result {
            Ok(path) => println!(
                "{}",
                tr.tf("notice.exported", &[("path", path.display().to_string())])
            ),
            Err(reason) => {
                failures += 1;
                eprintln!("{name}: {reason}");
            }
        }
        summary.push((name.clone(), result));
    }
    if all {
        println!("\n{}", tr.t("cli.summary_heading"));
        for (name, r) in &summary {
            let cell = match r {
                Ok(p) => format!("✓ {}", p.display()),
                Err(e) => format!("× {e}"),
            };
            println!("  {name:<24} {cell}");
        }
        println!(
            "{}",
            tr.tf(
                "cli.summary_counts",
                &[
                    ("ok", (summary.len() - failures).to_string()),
                    ("failed", failures.to_string())
                ]
            )
        );
    }
    if failures == 0 { OK } else { FAIL }
}

/// Exports one profile; returns where it went, or the localized reason it failed.
fn export_one(
    tr: Tr,
    store: &ProfileStore,
    name: &str,
    format: Option<crate::domain::export::Format>,
    out: &Path,
    include_secrets: bool,
    passphrase: Option<&Secret>,
) -> Result<PathBuf, String> {
    if !store.exists(name) {
        return Err(tr.tf("cli.no_such_profile", &[("name", name.to_owned())]));
    }
    let p = store
        .load(name)
        .map_err(|e| tr.tf(&format!("storage_error.{}", e.code()), &e.args()))?;
    let secrets = if include_secrets {
        Some(load_secrets(name).map_err(|e| keychain_message(tr, &e))?)
    } else {
        None
    };
    let Some(format) = format else {
        let part = secrets.zip(passphrase.cloned());
        return export_to(out, &p, part.as_ref())
            .map_err(|reason| tr.tf("notice.export_failed", &[("reason", reason)]));
    };
    crate::app::worker::write_format(out, format, &p, secrets.as_ref())
        .map_err(|e| tr.tf(&format!("storage_error.{}", e.code()), &e.args()))
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
}
