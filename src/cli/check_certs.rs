//! `check-certs PATH [--mchid MCHID] [--json]`: what a certificate zip or folder
//! holds and whether it can be used.

use std::path::PathBuf;

use serde::Serialize;

use super::{CliError, CliResult, Io, ProblemJson, issuer_str, print_json, say};
use crate::app::ops::check_certs::{CertReport, check_certs};
use crate::domain::cert::{CertSummary, IssuerKind};
use crate::domain::fields;
use crate::domain::text::printable;
use crate::i18n::Tr;

#[derive(clap::Args)]
pub struct Args {
    path: PathBuf,
    #[arg(long, value_name = "MCHID")]
    mchid: Option<String>,
    #[arg(long)]
    json: bool,
}

/// The JSON report (field names are a contract: README and tests/cli.rs).
#[derive(Serialize)]
struct CertJson<'a> {
    path: String,
    usable: bool,
    /// The certificate's own text, escaped as [`printable`] (it may hold anything).
    mchid: Option<String>,
    company: Option<String>,
    issuer: &'static str,
    issuer_name: String,
    serial: &'a str,
    not_before: &'a str,
    not_after: &'a str,
    signature_algorithm: &'a str,
    key_bits: Option<usize>,
    key_matches_cert: Option<bool>,
    p12_present: bool,
    problems: Vec<ProblemJson>,
}

pub fn exec(tr: Tr, io: &mut Io<'_>, a: Args) -> CliResult {
    let mchid = a.mchid.map(|s| s.trim().to_owned()).unwrap_or_default();
    if !mchid.is_empty()
        && let Some(p) = fields::check_mchid(&mchid).first()
    {
        return Err(CliError::usage(format!("--mchid: {}", tr.msg(p))));
    }
    let path = a.path.display().to_string();
    let report = match check_certs(&a.path, &mchid) {
        Ok(r) => r,
        Err(e) => {
            let message = tr.msg(&e);
            if !a.json {
                return Err(CliError::fail(format!("× {message}")));
            }
            print_json(
                io,
                &serde_json::json!({
                    "path": path,
                    "usable": false,
                    "mchid": null, "company": null, "issuer": null, "serial": null,
                    "not_after": null, "key_matches_cert": null,
                    "problems": [{ "code": e.code(), "severity": "error", "message": message }],
                }),
            );
            return Err(CliError::silent());
        }
    };
    let CertReport {
        summary: c,
        problems,
        usable,
    } = &report;
    if a.json {
        print_json(
            io,
            &CertJson {
                path,
                usable: *usable,
                mchid: c.mchid.as_deref().map(printable),
                company: c.company.as_deref().map(printable),
                issuer: issuer_str(c.issuer),
                issuer_name: printable(&c.issuer_name),
                serial: &c.serial,
                not_before: &c.not_before,
                not_after: &c.not_after,
                signature_algorithm: &c.signature_algorithm,
                key_bits: c.key_bits,
                key_matches_cert: c.key_matches,
                p12_present: c.p12_present,
                problems: problems.iter().map(|p| ProblemJson::new(tr, p)).collect(),
            },
        );
    } else {
        print_cert(tr, io, c);
        for p in problems {
            let icon = if p.is_error() { "×" } else { "⚠" };
            say!(io.out, "{icon} {}", printable(&tr.msg(p)));
        }
        let verdict = if *usable {
            "cli.cert_usable"
        } else {
            "cli.cert_not_usable"
        };
        say!(io.out, "{}", tr.t(verdict));
    }
    if *usable {
        Ok(())
    } else {
        Err(CliError::silent())
    }
}

fn print_cert(tr: Tr, io: &mut Io<'_>, c: &CertSummary) {
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
        // the certificate's text is anyone's: escaped, it cannot drive the terminal
        say!(io.out, "{}: {}", tr.t(k), printable(&v));
    }
}
