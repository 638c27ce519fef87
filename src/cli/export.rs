//! `export --profile NAME | --all --out PATH [--format F] [--include-secrets
//! [--passphrase-file FILE]] [--force]`: the encrypted bundle or a stack's
//! config files. A file that exists is refused unless `--force`.

use std::path::PathBuf;

use super::{CliError, CliResult, Env, Io, Targets, failed, progress_line, say};
use crate::app::ops::export::{Options, Target, export_many};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    targets: Targets,
    #[arg(long, value_name = "FORMAT", default_value = Target::BUNDLE)]
    format: String,
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    #[arg(long)]
    include_secrets: bool,
    #[arg(long, value_name = "FILE", requires = "include_secrets")]
    passphrase_file: Option<PathBuf>,
    #[arg(long)]
    force: bool,
}

pub fn exec(env: &mut Env<'_>, io: &mut Io<'_>, a: Args) -> CliResult {
    let tr = env.tr;
    let target = Target::parse(&a.format).ok_or_else(|| {
        CliError::usage(tr.tf(
            "cli.bad_format",
            &[
                ("value", a.format.clone()),
                ("formats", Target::names().join(", ")),
            ],
        ))
    })?;
    // a stack's config files are not encrypted: a passphrase for them would be
    // silently unused, so it is refused (trial minor 15)
    if a.passphrase_file.is_some() && !matches!(target, Target::Bundle) {
        return Err(CliError::usage(tr.tf(
            "push.passphrase_not_bundle",
            &[("format", a.format.clone())],
        )));
    }
    // the bundle encrypts secrets, so it needs a passphrase; the stack configs hold them in plain
    let passphrase = match (target, a.include_secrets, &a.passphrase_file) {
        (Target::Bundle, true, None) => {
            return Err(CliError::usage(tr.t("cli.passphrase_needed")));
        }
        (_, true, Some(f)) => {
            let pass =
                super::read_secret_file(tr, f, crate::app::ops::secret_file::What::Passphrase)?;
            if let Some(p) = crate::domain::bundle::check_passphrase(&pass, &pass).first() {
                return Err(CliError::usage(tr.msg(p)));
            }
            Some(pass)
        }
        _ => None,
    };
    let all = a.targets.all;
    let done = export_many(
        env.ctx()?,
        &a.targets.which(),
        target,
        &a.out,
        Options {
            include_secrets: a.include_secrets,
            passphrase: passphrase.as_ref(),
            overwrite: a.force,
        },
        |i, n, name, r| {
            if all {
                progress_line(tr, io, i, n, name, r.is_ok());
            }
            match r {
                Ok(e) => say!(
                    io.out,
                    "{}",
                    tr.tf("notice.exported", &[("path", e.path.display().to_string())])
                ),
                Err(e) => say!(io.err, "{name}: {}", tr.msg(e)),
            }
        },
    )
    .map_err(|e| failed(tr, &e))?;
    let rows: Vec<(String, Result<PathBuf, String>)> = done
        .into_iter()
        .map(|(name, r)| (name, r.map(|e| e.path).map_err(|e| tr.msg(&e))))
        .collect();
    let failures = rows.iter().filter(|(_, r)| r.is_err()).count();
    if all {
        say!(io.out, "\n{}", tr.t("cli.summary_heading"));
        for (name, r) in &rows {
            let cell = match r {
                Ok(p) => format!("✓ {}", p.display()),
                Err(e) => format!("× {e}"),
            };
            say!(io.out, "  {name:<24} {cell}");
        }
        let counts = [
            ("ok", (rows.len() - failures).to_string()),
            ("failed", failures.to_string()),
        ];
        say!(io.out, "{}", tr.tf("cli.summary_counts", &counts));
    }
    if failures == 0 {
        Ok(())
    } else {
        Err(CliError::silent())
    }
}
