//! `profile import | import-bundle | list | show | delete | doctor`: the shops'
//! profiles. `doctor` lists what no shop owns (keychain entries with no
//! profile, stale temp and lock files); `doctor --fix` removes it.

use std::path::PathBuf;

use serde::Serialize;

use super::{CliError, CliResult, Env, Io, ProblemJson, failed, issuer_str, print_json, say};
use crate::app::ops::import::{Existing, ImportFileError, import_file_as};
use crate::app::ops::import_bundle::{ImportBundleError, import_bundle, needs_passphrase};
use crate::app::ops::profiles::Leftover;
use crate::app::ops::{OpError, profiles};
use crate::domain::fields::FieldId;
use crate::domain::profile::SecretField;
use crate::domain::text::printable;
use crate::i18n::Tr;

#[derive(clap::Subcommand)]
pub enum Command {
    Import {
        file: PathBuf,
        /// Replace a shop of that name, secrets included (else it is refused).
        #[arg(long)]
        replace: bool,
        /// With --replace: also delete the shop's private key when the file brings none.
        #[arg(long, requires = "replace")]
        discard_key: bool,
    },
    ImportBundle {
        file: PathBuf,
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        #[arg(long, value_name = "NAME", value_parser = super::shop_name)]
        name: Option<String>,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    Show {
        #[arg(value_parser = super::shop_name)]
        name: String,
        #[arg(long)]
        json: bool,
    },
    Delete {
        #[arg(value_parser = super::shop_name)]
        name: String,
    },
    Doctor {
        #[arg(long)]
        fix: bool,
        #[arg(long)]
        json: bool,
    },
}

pub fn exec(env: &mut Env<'_>, io: &mut Io<'_>, c: Command) -> CliResult {
    match c {
        Command::Import {
            file,
            replace,
            discard_key,
        } => {
            let existing = match (replace, discard_key) {
                (false, _) => Existing::Refuse,
                (true, false) => Existing::Replace,
                (true, true) => Existing::ReplaceDroppingKey,
            };
            import(env, io, file, existing)
        }
        Command::ImportBundle {
            file,
            passphrase_file,
            name,
        } => import_bundle_cmd(env, io, file, passphrase_file, name),
        Command::List { json } => list(env, io, json),
        Command::Show { name, json } => show(env, io, &name, json),
        Command::Delete { name } => delete(env, io, &name),
        Command::Doctor { fix, json } => doctor(env, io, fix, json),
    }
}

fn secrets_stored_line(tr: Tr, fields: &[SecretField]) -> String {
    let list: Vec<&str> = fields.iter().map(|f| f.key()).collect();
    tr.tf("cli.import_secrets_stored", &[("fields", list.join(", "))])
}

fn saved_line(tr: Tr, name: &str, location: &str) -> String {
    tr.tf(
        "cli.import_saved",
        &[("name", name.to_owned()), ("path", location.to_owned())],
    )
}

fn import(env: &mut Env<'_>, io: &mut Io<'_>, file: PathBuf, existing: Existing) -> CliResult {
    let tr = env.tr;
    let done = import_file_as(env.ctx()?, &file, existing).map_err(|e| match &e {
        ImportFileError::BadName(_) => CliError::fail(format!("name: {}", tr.msg(&e))),
        ImportFileError::Refused { issues, .. } => {
            let mut err = failed(tr, &e);
            for (key, issue) in issues {
                err = err.and(format!("  × {key}: {}", tr.msg(issue)));
            }
            err
        }
        ImportFileError::Keychain(_) => failed(tr, &e).and(tr.t("cli.import_secrets_not_stored")),
        _ => failed(tr, &e),
    })?;
    say!(io.out, "{}", saved_line(tr, &done.name, &done.location));
    if !done.secrets.is_empty() {
        say!(io.out, "{}", secrets_stored_line(tr, &done.secrets));
    }
    if done.file_has_secrets {
        // the file itself still holds the secrets in plain text
        let path = file.display().to_string();
        say!(
            io.out,
            "⚠ {}",
            tr.tf("cli.import_delete_file", &[("path", path)])
        );
    }
    Ok(())
}

fn import_bundle_cmd(
    env: &mut Env<'_>,
    io: &mut Io<'_>,
    file: PathBuf,
    passphrase_file: Option<PathBuf>,
    name: Option<String>,
) -> CliResult {
    let tr = env.tr;
    let nothing = || tr.t("import_bundle.nothing_written");
    let needs = needs_passphrase(&file).map_err(|e| failed(tr, &e).and(nothing()))?;
    let pass = match &passphrase_file {
        Some(f) => Some(super::read_secret_file(
            tr,
            f,
            crate::app::ops::secret_file::What::Passphrase,
        )?),
        None if needs => {
            return Err(CliError::usage(
                tr.t("import_bundle.bundle_passphrase_needed"),
            ));
        }
        None => None,
    };
    let done =
        import_bundle(env.ctx()?, &file, pass.as_ref(), name.as_deref()).map_err(|e| match &e {
            ImportBundleError::BadName(_) => CliError::usage(format!("name: {}", tr.msg(&e))),
            ImportBundleError::Storage(_) | ImportBundleError::NameTaken(_) => failed(tr, &e),
            // said once: a refusal that already says nothing was imported
            _ if says_nothing_imported(tr, &tr.msg(&e)) => failed(tr, &e),
            _ => failed(tr, &e).and(nothing()),
        })?;
    say!(io.out, "{}", saved_line(tr, &done.name, &done.location));
    if !done.secrets.is_empty() {
        say!(io.out, "{}", secrets_stored_line(tr, &done.secrets));
    }
    Ok(())
}

/// Whether `text` already says "Nothing was imported" (in the sentence's words,
/// whatever punctuation follows).
fn says_nothing_imported(tr: Tr, text: &str) -> bool {
    let words = tr
        .t("import_bundle.nothing_written")
        .trim_end_matches(['.', '。']);
    text.contains(words)
}

/// One line of `profile list --json`.
#[derive(Serialize)]
struct ListedJson<'a> {
    name: &'a str,
    site_kind: Option<&'static str>,
    mchid: Option<&'a str>,
    cert_not_after: Option<&'a str>,
    /// The results by what they prove, as the window counts them: `stale`
    /// ones must be checked again; `null` when they could not be judged.
    checks: Option<crate::domain::wxapi::Tally>,
    damaged: bool,
}

fn list(env: &mut Env<'_>, io: &mut Io<'_>, json: bool) -> CliResult {
    let tr = env.tr;
    let listed = profiles::list(env.ctx()?).map_err(|e| failed(tr, &e))?;
    if json {
        let rows: Vec<ListedJson> = listed
            .iter()
            .map(|l| ListedJson {
                name: &l.name,
                site_kind: l
                    .profile
                    .as_ref()
                    .and_then(|p| p.site_kind)
                    .map(|k| k.as_str()),
                mchid: l.profile.as_ref().map(|p| p.mchid.as_str()),
                cert_not_after: l
                    .profile
                    .as_ref()
                    .and_then(|p| p.certificate.as_ref())
                    .map(|c| c.not_after.as_str()),
                checks: l.checks,
                damaged: l.profile.is_none(),
            })
            .collect();
        print_json(io, &rows);
    } else if listed.is_empty() {
        say!(io.out, "{}", tr.t("cli.no_profiles"));
    } else {
        for l in &listed {
            match &l.profile {
                Some(p) => say!(
                    io.out,
                    "{}\t{}\t{}",
                    l.name,
                    p.site_kind.map(|k| k.as_str()).unwrap_or("-"),
                    if p.mchid.is_empty() {
                        "-".to_owned()
                    } else {
                        printable(&p.mchid)
                    }
                ),
                None => say!(io.out, "{}\t{}", l.name, tr.t("cli.damaged")),
            }
        }
    }
    Ok(())
}

/// `profile show --json`.
#[derive(Serialize)]
struct ShowJson<'a> {
    name: &'a str,
    site_kind: Option<&'static str>,
    payment_name: &'a str,
    mp_appid: &'a str,
    mchid: &'a str,
    oa_appid: &'a str,
    jsapi_enabled: bool,
    backend_url: &'a str,
    backend_preset: &'static str,
    backend_account: &'a str,
    /// `set`, `not_set` or `unknown`: the admin password kept in the keychain.
    backend_password: &'static str,
    certificate: Option<CertBrief<'a>>,
    /// field key -> `set`, `not_set` or `unknown` (the keychain did not answer).
    secrets: std::collections::BTreeMap<&'static str, &'static str>,
    keychain_error: Option<String>,
    missing: Vec<ProblemJson>,
}

#[derive(Serialize)]
struct CertBrief<'a> {
    mchid: Option<&'a str>,
    company: Option<&'a str>,
    issuer: &'static str,
    serial: &'a str,
    not_after: &'a str,
    key_matches_cert: Option<bool>,
}

fn show(env: &mut Env<'_>, io: &mut Io<'_>, name: &str, json: bool) -> CliResult {
    let tr = env.tr;
    let ctx = env.ctx()?;
    let shown = profiles::show(ctx, name).map_err(|e| failed(tr, &e))?;
    let p = &shown.profile;
    // kept apart from the settings' secrets (no export carries it): asked for alone
    let password = match ctx.with_keychain(|k| k.get(name, SecretField::BackendPassword)) {
        Ok(Some(_)) => "set",
        Ok(None) => "not_set",
        Err(_) => "unknown",
    };
    let state = |f: SecretField| match &shown.secrets {
        Ok(s) if s.contains(&f) => "set",
        Ok(_) => "not_set",
        Err(_) => "unknown",
    };
    if json {
        print_json(
            io,
            &ShowJson {
                name: &p.name,
                site_kind: p.site_kind.map(|k| k.as_str()),
                payment_name: &p.payment_name,
                mp_appid: &p.mp_appid,
                mchid: &p.mchid,
                oa_appid: &p.oa_appid,
                jsapi_enabled: p.jsapi_enabled,
                backend_url: &p.backend_url,
                backend_preset: p.backend_preset.name(),
                backend_account: &p.backend_account,
                backend_password: password,
                certificate: p.certificate.as_ref().map(|c| CertBrief {
                    mchid: c.mchid.as_deref(),
                    company: c.company.as_deref(),
                    issuer: issuer_str(c.issuer),
                    serial: &c.serial,
                    not_after: &c.not_after,
                    key_matches_cert: c.key_matches,
                }),
                secrets: SecretField::ALL.map(|f| (f.key(), state(f))).into(),
                keychain_error: shown.secrets.as_ref().err().map(|e| tr.msg(e)),
                missing: shown
                    .missing
                    .iter()
                    .map(|m| ProblemJson::new(tr, m))
                    .collect(),
            },
        );
        return Ok(());
    }
    say!(io.out, "{}: {}", tr.t("profile.label"), printable(&p.name));
    // Each line: the label the window shows, then the key the import file uses.
    // The value escaped: what is stored came from a file, a bundle or an older
    // version that checked less, and may hold anything.
    let line = |io: &mut Io<'_>, label: &str, key: &str, value: &str| {
        let value = if value.is_empty() { "-" } else { value };
        say!(io.out, "  {label} ({key}): {}", printable(value));
    };
    let kind = p
        .site_kind
        .map(|k| tr.t(&format!("site.{}.title", k.as_str())))
        .unwrap_or_default();
    line(io, tr.t("cli.show_site_kind"), "site_kind", kind);
    for f in [
        FieldId::PaymentName,
        FieldId::MpAppId,
        FieldId::MchId,
        FieldId::OaAppId,
    ] {
        let value = match f {
            FieldId::PaymentName => &p.payment_name,
            FieldId::MpAppId => &p.mp_appid,
            FieldId::MchId => &p.mchid,
            _ => &p.oa_appid,
        };
        line(
            io,
            tr.t(&format!("field.{}.label", f.key())),
            f.key(),
            value,
        );
    }
    for f in SecretField::ALL {
        let s = match state(f) {
            "set" => tr.t("cli.secret_set"),
            "not_set" => tr.t("cli.secret_not_set"),
            _ => tr.t("cli.secret_unknown"),
        };
        line(io, secret_label(tr, f), f.key(), s);
    }
    line(
        io,
        tr.t("cli.show_backend_url"),
        "backend_url",
        &p.backend_url,
    );
    line(
        io,
        tr.t("cli.show_backend_preset"),
        "backend_preset",
        p.backend_preset.name(),
    );
    line(
        io,
        tr.t("cli.show_backend_account"),
        "backend_account",
        &p.backend_account,
    );
    let kept = match password {
        "set" => tr.t("cli.secret_set"),
        "not_set" => tr.t("cli.secret_not_set"),
        _ => tr.t("cli.secret_unknown"),
    };
    line(
        io,
        tr.t("push.show_backend_password"),
        "backend_password",
        kept,
    );
    if let Some(c) = &p.certificate {
        let value = format!("{} ({})", c.serial, c.not_after);
        line(io, tr.t("cli.show_certificate"), "certificate", &value);
    }
    if let Err(e) = &shown.secrets {
        say!(io.err, "{}", tr.msg(e));
    }
    for m in &shown.missing {
        say!(io.out, "  ○ {}", tr.msg(m));
    }
    Ok(())
}

fn delete(env: &mut Env<'_>, io: &mut Io<'_>, name: &str) -> CliResult {
    let tr = env.tr;
    let ctx = env.ctx()?;
    let done = profiles::delete(ctx, name).map_err(|e| match &e {
        // keychain first: a profile file without secrets is harmless, orphaned secrets are not
        OpError::Keychain(_) => failed(tr, &e).and(tr.t("cli.delete_kept")),
        _ => failed(tr, &e),
    })?;
    let key = if done.profile {
        "cli.deleted"
    } else {
        "cli.deleted_orphaned_secrets"
    };
    say!(io.out, "{}", tr.tf(key, &[("name", name.to_owned())]));
    Ok(())
}

/// `profile doctor --json`.
#[derive(Serialize)]
struct DoctorJson<'a> {
    orphaned_secrets: &'a [String],
    /// Shops whose file is there but unreadable: their secrets are kept.
    damaged_not_touched: &'a [profiles::Kept],
    leftover_files: Vec<&'a str>,
    fixed: bool,
}

fn doctor(env: &mut Env<'_>, io: &mut Io<'_>, fix: bool, json: bool) -> CliResult {
    let tr = env.tr;
    let found = profiles::doctor(env.ctx()?, fix).map_err(|e| failed(tr, &e))?;
    if json {
        print_json(
            io,
            &DoctorJson {
                orphaned_secrets: &found.orphaned_secrets,
                damaged_not_touched: &found.damaged_not_touched,
                leftover_files: found.leftover_files.iter().map(|l| l.path()).collect(),
                fixed: found.fixed,
            },
        );
        return Ok(());
    }
    if found.is_clean() {
        say!(io.out, "{}", tr.t("cli.doctor_clean"));
        return Ok(());
    }
    let (secrets_key, files_key) = if fix {
        ("cli.doctor_secrets_removed", "cli.doctor_file_removed")
    } else {
        ("cli.doctor_secrets_found", "cli.doctor_file_found")
    };
    for name in &found.orphaned_secrets {
        say!(io.out, "{}", tr.tf(secrets_key, &[("name", name.clone())]));
    }
    for k in &found.damaged_not_touched {
        let entries = k
            .entries
            .iter()
            .map(|e| printable(e))
            .collect::<Vec<_>>()
            .join(", ");
        let args = [("name", printable(&k.name)), ("entries", entries)];
        say!(io.out, "{}", tr.tf("cli.doctor_damaged_kept", &args));
    }
    for f in &found.leftover_files {
        // a stopped save's or export's in the user's folder says what it may hold
        let key = match (f, fix) {
            (Leftover::KilledWrite(_), false) => "cli.doctor_killed_write_found",
            (Leftover::KilledWrite(_), true) => "cli.doctor_killed_write_removed",
            _ => files_key,
        };
        say!(io.out, "{}", tr.tf(key, &[("path", printable(f.path()))]));
    }
    if !fix {
        say!(io.out, "{}", tr.t("cli.doctor_hint_fix"));
    }
    Ok(())
}

/// What the window calls a secret: the field's label, or for the two secrets
/// that are not typed into a field, a label of their own.
fn secret_label(tr: Tr, f: SecretField) -> &'static str {
    match f {
        SecretField::PrivateKey | SecretField::PendingPrivateKey => tr.t("cli.show_private_key"),
        SecretField::BackendToken => tr.t("cli.show_backend_token"),
        _ => tr.t(&format!("field.{}.label", f.key())),
    }
}
