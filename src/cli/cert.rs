//! `cert request --profile NAME [--company TEXT] [--new] [--json]` and
//! `cert accept --profile NAME FILE|-`: apply for the API certificate without
//! WXCertUtil (issue 11). The key goes straight to the keychain; only the
//! request string (public) is printed. `cert save --profile NAME --out DIR`
//! writes the folder WXCertUtil would have left (key, certificate, p12, notes).

use std::io::Read;
use std::path::PathBuf;

use serde::Serialize;

use super::{CliError, CliResult, Env, Io, failed, issuer_str, print_json, say};
use crate::app::ops::cert_request::{self, CertOpError};
use crate::domain::cert::request::MAX_PASTE_BYTES;

#[derive(clap::Subcommand)]
pub enum Command {
    Request {
        #[arg(long, value_name = "NAME", value_parser = super::shop_name)]
        profile: String,
        #[arg(long, value_name = "TEXT")]
        company: Option<String>,
        #[arg(long)]
        new: bool,
        #[arg(long)]
        json: bool,
    },
    Accept {
        #[arg(long, value_name = "NAME", value_parser = super::shop_name)]
        profile: String,
        /// `-` reads standard input.
        file: PathBuf,
        /// Replace the shop's private key (and certificate) even when it is
        /// the only copy (see `CertOpError::WouldDropKey`).
        #[arg(long)]
        discard_key: bool,
        #[arg(long)]
        json: bool,
    },
    Save {
        #[arg(long, value_name = "NAME", value_parser = super::shop_name)]
        profile: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

pub fn exec(env: &mut Env<'_>, io: &mut Io<'_>, c: Command) -> CliResult {
    match c {
        Command::Request {
            profile,
            company,
            new,
            json,
        } => request(env, io, &profile, company.as_deref(), new, json),
        Command::Accept {
            profile,
            file,
            discard_key,
            json,
        } => accept(env, io, &profile, &file, discard_key, json),
        Command::Save { profile, out, json } => save(env, io, &profile, &out, json),
    }
}

fn op_failure(env: &Env<'_>, io: &mut Io<'_>, e: &CertOpError, json: bool) -> CliError {
    let tr = env.tr;
    use crate::domain::cert::request::RequestError;
    let code = match e {
        CertOpError::NoMchid
        | CertOpError::NoCompany
        | CertOpError::Request(
            RequestError::CompanyChars { .. } | RequestError::CompanyTooLong { .. },
        ) => super::USAGE,
        _ => super::FAIL,
    };
    if json {
        print_json(
            io,
            &serde_json::json!({ "ok": false, "code": e.code(), "message": tr.msg(e) }),
        );
        return CliError {
            code,
            lines: Vec::new(),
        };
    }
    let mut err = failed(tr, e);
    err.code = code;
    err
}

fn request(
    env: &mut Env<'_>,
    io: &mut Io<'_>,
    name: &str,
    company: Option<&str>,
    new: bool,
    json: bool,
) -> CliResult {
    let tr = env.tr;
    let r = match cert_request::request(env.ctx()?, name, company, new) {
        Ok(r) => r,
        Err(e) => return Err(op_failure(env, io, &e, json)),
    };
    if json {
        print_json(io, &r);
        return Ok(());
    }
    let args = [
        ("mchid", r.mchid.clone()),
        ("company", crate::domain::text::printable(&r.company)),
        ("time", r.created_at.clone()),
    ];
    let head = if r.new {
        "cli.cert_request_made"
    } else {
        "cli.cert_request_waiting"
    };
    say!(io.out, "{}", tr.tf(head, &args));
    say!(io.out, "{}", tr.t("cli.cert_request_key_stored"));
    say!(io.out, "");
    say!(io.out, "{}", tr.t("cli.cert_request_pem"));
    say!(io.out, "{}", r.request_pem.trim_end());
    say!(io.out, "");
    say!(io.out, "{}", tr.t("cli.cert_request_base64"));
    say!(io.out, "{}", r.request_base64);
    say!(io.out, "");
    let next = [("name", name.to_owned())];
    say!(io.out, "{}", tr.tf("cli.cert_request_next", &next));
    say!(io.out, "{}", tr.t("cert_request.unconfirmed"));
    Ok(())
}

#[derive(Serialize)]
struct AcceptedJson<'a> {
    ok: bool,
    mchid: Option<&'a str>,
    company: Option<&'a str>,
    issuer: &'static str,
    serial: &'a str,
    not_after: &'a str,
    key_matches_cert: Option<bool>,
}

fn accept(
    env: &mut Env<'_>,
    io: &mut Io<'_>,
    name: &str,
    file: &std::path::Path,
    discard_key: bool,
    json: bool,
) -> CliResult {
    let tr = env.tr;
    let mut bytes = Vec::new();
    let limit = MAX_PASTE_BYTES as u64 + 1;
    let read = if file.as_os_str() == "-" {
        io.input.take(limit).read_to_end(&mut bytes)
    } else {
        // a regular file only: a FIFO or a device would hang or never end
        crate::app::ops::read_text(file).map(|t| {
            bytes = t.into_bytes();
            bytes.len()
        })
    };
    read.map_err(|e| super::read_failure(tr, file, &e))?;
    // a certificate string is ASCII; anything else is refused by the parser
    let text = String::from_utf8_lossy(&bytes);
    let summary = match cert_request::accept(env.ctx()?, name, &text, discard_key) {
        Ok(a) => a.summary,
        Err(e) => return Err(op_failure(env, io, &e, json)),
    };
    if json {
        print_json(
            io,
            &AcceptedJson {
                ok: true,
                mchid: summary.mchid.as_deref(),
                company: summary.company.as_deref(),
                issuer: issuer_str(summary.issuer),
                serial: &summary.serial,
                not_after: &summary.not_after,
                key_matches_cert: summary.key_matches,
            },
        );
        return Ok(());
    }
    let args = [
        ("name", name.to_owned()),
        ("serial", summary.serial.clone()),
        ("not_after", summary.not_after.clone()),
    ];
    say!(io.out, "{}", tr.tf("cli.cert_accepted", &args));
    Ok(())
}

fn save(
    env: &mut Env<'_>,
    io: &mut Io<'_>,
    name: &str,
    out: &std::path::Path,
    json: bool,
) -> CliResult {
    let tr = env.tr;
    let folder = match cert_request::save_files(env.ctx()?, name, out, tr) {
        Ok(f) => f,
        Err(e) => return Err(op_failure(env, io, &e, json)),
    };
    let key = folder.join(crate::domain::backend_form::KEY_FILE_NAME);
    if json {
        print_json(
            io,
            &serde_json::json!({
                "ok": true,
                "folder": folder.display().to_string(),
                "key_file": key.display().to_string(),
            }),
        );
        return Ok(());
    }
    let args = [("folder", folder.display().to_string())];
    say!(io.out, "{}", tr.tf("cli.cert_files_saved", &args));
    say!(io.out, "{}", tr.t("cert_files.key_warning"));
    Ok(())
}
