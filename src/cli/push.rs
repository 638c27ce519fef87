//! `push --profile NAME [--url URL] [--token-file F] [--preset P | --mapping F]
//! [--dry-run] [--yes] [--json]`: send the configuration to the shop backend,
//! after showing what will be sent (secrets masked).

use std::path::PathBuf;

use serde::Serialize;

use super::{CliError, CliResult, Env, FAIL, Io, USAGE, print_json, say};
use crate::app::ops::push::{Overrides, PushError, prepare, send};
use crate::i18n::Tr;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_name = "NAME", value_parser = super::shop_name)]
    profile: String,
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    #[arg(long, value_name = "PRESET")]
    preset: Option<String>,
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    #[arg(long)]
    dry_run: bool,
    #[arg(long, short = 'y')]
    yes: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct FieldJson<'a> {
    field: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct DryRunJson<'a> {
    status: &'static str,
    url: &'a str,
    preview: Vec<FieldJson<'a>>,
}

#[derive(Serialize)]
struct SentJson<'a> {
    status: &'static str,
    code: &'static str,
    message: String,
    attempts: usize,
    idempotency_key: &'a str,
    url: &'a str,
    preview: Vec<FieldJson<'a>>,
}

fn push_error(tr: Tr, e: &PushError) -> CliError {
    let code = if e.is_usage() { USAGE } else { FAIL };
    CliError {
        code,
        lines: vec![tr.msg(e)],
    }
}

/// With `--json`, a refusal is a JSON report too (`code`: `busy` means try again).
fn push_error_as(tr: Tr, io: &mut Io<'_>, json: bool, e: &PushError) -> CliError {
    let mut err = push_error(tr, e);
    if json {
        print_json(
            io,
            &serde_json::json!({ "status": "error", "code": e.code(), "message": tr.msg(e) }),
        );
        err.lines.clear();
    }
    err
}

pub fn exec(env: &mut Env<'_>, io: &mut Io<'_>, a: Args) -> CliResult {
    let tr = env.tr;
    let token = match &a.token_file {
        Some(f) => {
            let t = super::read_secret_file(tr, f)?;
            Some(crate::domain::secret::Secret::new(t.expose().trim()))
        }
        None => None,
    };
    let overrides = Overrides {
        url: a.url,
        preset: a.preset,
        mapping_file: a.mapping,
        token,
        dry_run: a.dry_run,
    };
    let ctx = env.ctx()?;
    // arguments override the profile and are remembered (the token in the keychain),
    // except in a dry run
    let ready =
        prepare(ctx, &a.profile, overrides).map_err(|e| push_error_as(tr, io, a.json, &e))?;
    let preview = || -> Vec<FieldJson> {
        ready
            .preview
            .iter()
            .map(|(k, v)| FieldJson { field: k, value: v })
            .collect()
    };
    if !a.json {
        say!(
            io.out,
            "{}",
            tr.tf("push.preview_heading", &[("url", ready.url.clone())])
        );
        for (k, v) in &ready.preview {
            say!(io.out, "  {k}: {v}");
        }
    }
    if a.dry_run {
        if a.json {
            print_json(
                io,
                &DryRunJson {
                    status: "dry_run",
                    url: &ready.url,
                    preview: preview(),
                },
            );
        } else {
            say!(io.out, "{}", tr.t("push.dry_run_done"));
        }
        return Ok(());
    }
    if !ready.has_token() {
        return Err(push_error_as(tr, io, a.json, &PushError::NoToken));
    }
    if !a.yes {
        let _ = write!(io.err, "{} ", tr.t("push.confirm"));
        let _ = io.err.flush();
        let mut answer = String::new();
        let _ = io.input.read_line(&mut answer);
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "是") {
            return Err(CliError::fail(tr.t("push.cancelled")));
        }
    }
    let sent = send(ctx, &ready).map_err(|e| push_error_as(tr, io, a.json, &e))?;
    let message = tr.msg(&sent.outcome);
    if a.json {
        print_json(
            io,
            &SentJson {
                status: if sent.accepted { "sent" } else { "failed" },
                code: sent.code,
                message,
                attempts: sent.attempts,
                idempotency_key: &sent.idempotency_key,
                url: &ready.url,
                preview: preview(),
            },
        );
    } else if sent.accepted {
        say!(io.out, "✓ {message}");
    } else {
        say!(io.err, "× {message}");
    }
    if sent.accepted {
        Ok(())
    } else {
        Err(CliError::silent())
    }
}
