//! `verify --profile NAME | --all [--json]`: every online check, results kept in
//! the profile. The human table is rendered from the same report as the JSON.

use serde::Serialize;

use super::{CliError, CliResult, Env, Io, Targets, failed, print_json, progress_line, say};
use crate::app::ops::verify::{Verified, connection, verify_many};
use crate::domain::wxapi::{Outcome, Status, WeChatWords};
use crate::i18n::Tr;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    targets: Targets,
    #[arg(long)]
    json: bool,
}

/// One check in the JSON, with WeChat's own words when a reply came back.
#[derive(Serialize)]
struct RowJson {
    id: &'static str,
    status: Status,
    code: String,
    message: String,
    wechat: Option<WeChatWords>,
}

/// One profile of `verify --all --json`.
#[derive(Serialize)]
struct ProfileJson<'a> {
    profile: &'a str,
    ok: bool,
    checks: Vec<RowJson>,
}

/// The rows of one profile: the clock first when it is off; a profile that
/// could not be checked is one error row.
fn rows(tr: Tr, r: &Result<Verified, String>) -> Vec<RowJson> {
    let row = |id: &'static str, o: &Outcome| RowJson {
        id,
        status: o.status,
        code: o.code.clone(),
        message: tr.msg(o),
        wechat: o.wechat.clone(),
    };
    match r {
        Ok(v) => v
            .clock
            .iter()
            .map(|o| row("clock", o))
            .chain(v.checks.iter().map(|(id, o)| row(id.key(), o)))
            .collect(),
        Err(e) => vec![RowJson {
            id: "profile",
            status: Status::Error,
            code: "profile".into(),
            message: e.clone(),
            wechat: None,
        }],
    }
}

fn ok(r: &Result<Verified, String>) -> bool {
    r.as_ref().is_ok_and(Verified::ok)
}

pub fn exec(env: &mut Env<'_>, io: &mut Io<'_>, a: Args) -> CliResult {
    let tr = env.tr;
    let all = a.targets.all;
    let results: Vec<(String, Result<Verified, String>)> =
        verify_many(env.ctx()?, &a.targets.which(), |i, n, name, r| {
            if all {
                progress_line(tr, io, i, n, name, r.as_ref().is_ok_and(Verified::ok));
            }
        })
        .map_err(|e| failed(tr, &e))?
        .into_iter()
        .map(|(name, r)| (name, r.map_err(|e| tr.msg(&e))))
        .collect();
    let all_ok = results.iter().all(|(_, r)| ok(r));
    if a.json {
        if a.targets.all {
            let list: Vec<ProfileJson> = results
                .iter()
                .map(|(name, r)| ProfileJson {
                    profile: name,
                    ok: ok(r),
                    checks: rows(tr, r),
                })
                .collect();
            print_json(io, &list);
        } else if let Some((_, r)) = results.first() {
            print_json(io, &rows(tr, r));
        }
    } else {
        table(tr, io, a.targets.all, &results, all_ok);
    }
    if all_ok {
        Ok(())
    } else {
        Err(CliError::silent())
    }
}

/// ✓ proven right, × WeChat says wrong, ○ could not check, ◇ cannot be proven.
fn mark(status: Status) -> &'static str {
    match status {
        Status::Ok => "✓",
        Status::Fail => "×",
        Status::Error => "○",
        Status::Unproven => "◇",
        Status::Skipped => "-",
    }
}

fn table(
    tr: Tr,
    io: &mut Io<'_>,
    all: bool,
    results: &[(String, Result<Verified, String>)],
    all_ok: bool,
) {
    // which way the requests went: straight to WeChat or through a proxy
    match connection() {
        Ok(c) => say!(io.out, "{}", tr.msg(&c)),
        Err(e) => say!(io.out, "× {}", tr.msg(&e)),
    }
    for (name, r) in results {
        if all {
            say!(io.out, "\n{name}");
        }
        match r {
            Ok(v) => {
                if let Some(clock) = &v.clock {
                    say!(io.out, "⚠ {}: {}", tr.t("check.id.clock"), tr.msg(clock));
                }
                for (id, o) in &v.checks {
                    let label = tr.msg(id);
                    say!(io.out, "{} {label}: {}", mark(o.status), tr.msg(o));
                    if let Some(words) = &o.wechat {
                        let words = words.to_string();
                        say!(
                            io.out,
                            "    {}",
                            tr.tf("verify.wechat_words", &[("words", words)])
                        );
                    }
                }
                let unproven: Vec<String> = v.unproven().map(|id| tr.msg(&id)).collect();
                if !unproven.is_empty() {
                    let list = unproven.join(", ");
                    say!(
                        io.out,
                        "{}",
                        tr.tf("cli.verify_unproven", &[("checks", list)])
                    );
                }
            }
            Err(e) => say!(io.out, "× {e}"),
        }
    }
    if all {
        say!(io.out, "\n{}", tr.t("cli.summary_heading"));
        for (name, r) in results {
            let cell = match r {
                Ok(v) => format!("{} {}", if v.ok() { "✓" } else { "×" }, tr.msg(&v.tally())),
                Err(_) => "×".to_owned(),
            };
            say!(io.out, "  {name:<24} {cell}");
        }
    }
    let verdict = if all_ok {
        "cli.verify_all_ok"
    } else {
        "cli.verify_not_ok"
    };
    say!(io.out, "{}", tr.t(verdict));
}
