//! `verify --profile NAME | --all [--json]`: every online check, results kept in
//! the profile. The human table is rendered from the same report as the JSON.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::{CliError, CliResult, Env, Io, Targets, failed, print_json, say};
use crate::app::ops::verify::{Batch, DEFAULT_JOBS, MAX_JOBS, Verified, connection, verify_many};
use crate::domain::wxapi::{Outcome, Status, WeChatWords};
use crate::i18n::Tr;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    targets: Targets,
    #[arg(long)]
    json: bool,
    /// How many shops are checked at once (with --all): 1 to [`MAX_JOBS`],
    /// read in [`jobs`] so that a wrong value is told the range.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_JOBS.to_string(),
          allow_negative_numbers = true)]
    jobs: String,
}

/// The `--jobs` value, or a usage error that says what verify takes.
fn jobs(tr: Tr, value: &str) -> Result<usize, CliError> {
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_JOBS).contains(n))
        .ok_or_else(|| {
            let args = [
                ("value", value.to_owned()),
                ("min", "1".to_owned()),
                ("max", MAX_JOBS.to_string()),
                ("default", DEFAULT_JOBS.to_string()),
            ];
            // as clap's own usage errors end
            let more = tr.t("cli.usage.more");
            CliError::usage(format!("{}\n{more}", tr.tf("cli.bad_jobs", &args)))
        })
}

/// One check in the JSON, with WeChat's own words when a reply came back.
#[derive(Serialize)]
struct RowJson {
    id: &'static str,
    status: Status,
    code: String,
    message: String,
    wechat: Option<WeChatWords>,
    /// Binding items only: whether the merchant confirmed the binding in the
    /// merchant platform (their word, not WeChat's proof).
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed_by_merchant: Option<bool>,
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
    let row = |id: &'static str, o: &Outcome, confirmed: Option<bool>| RowJson {
        id,
        status: o.status,
        code: o.code.clone(),
        message: tr.msg(o),
        wechat: o.wechat.clone(),
        confirmed_by_merchant: confirmed,
    };
    match r {
        Ok(v) => v
            .clock
            .iter()
            .map(|o| row("clock", o, None))
            .chain(v.checks.iter().map(|(id, o)| {
                let confirmed = id.merchant_confirms().then(|| v.confirmed.contains(id));
                row(id.key(), o, confirmed)
            }))
            .collect(),
        Err(e) => vec![RowJson {
            id: "profile",
            status: Status::Error,
            code: "profile".into(),
            message: e.clone(),
            wechat: None,
            confirmed_by_merchant: None,
        }],
    }
}

fn ok(r: &Result<Verified, String>) -> bool {
    r.as_ref().is_ok_and(Verified::ok)
}

pub fn exec(env: &mut Env<'_>, io: &mut Io<'_>, a: Args) -> CliResult {
    let tr = env.tr;
    let jobs = jobs(tr, &a.jobs)?;
    let all = a.targets.all;
    let stop = Arc::new(AtomicBool::new(false));
    // Ctrl-C during --all: no further shop starts, the running ones finish and
    // the summary shows what was checked; a second Ctrl-C ends at once
    let handlers = if all { on_ctrl_c(&stop) } else { Vec::new() };
    let batch = Batch { jobs, stop: &stop };
    let outcome = verify_many(env.ctx()?, &a.targets.which(), batch, |i, n, name, r| {
        if all {
            // a shop that could not be checked is not a failed shop
            let key = match r {
                Ok(v) if v.ok() => "cli.row_ok",
                Ok(v) if v.tally().fail == 0 => "cli.row_not_checked",
                _ => "cli.row_failed",
            };
            say!(io.err, "[{i}/{n}] {name}: {}", tr.t(key));
        }
    });
    for id in handlers {
        signal_hook::low_level::unregister(id);
    }
    let results: Vec<(String, Result<Verified, String>)> = outcome
        .map_err(|e| failed(tr, &e))?
        .into_iter()
        .map(|(name, r)| (name, r.map_err(|e| tr.msg(&e))))
        .collect();
    let stopped = stop.load(Ordering::SeqCst);
    if stopped {
        let total = a.targets.which().names(env.ctx()?).map_or(0, |n| n.len());
        let args = [
            ("done", results.len().to_string()),
            ("total", total.to_string()),
        ];
        say!(io.err, "{}", tr.tf("cli.verify_stopped", &args));
    }
    let all_ok = !stopped && results.iter().all(|(_, r)| ok(r));
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

/// Sets `stop` on the first Ctrl-C; a second one (with `stop` already set)
/// ends the program at once, as usual.
fn on_ctrl_c(stop: &Arc<AtomicBool>) -> Vec<signal_hook::SigId> {
    use signal_hook::consts::SIGINT;
    use signal_hook::flag;
    [
        flag::register_conditional_shutdown(SIGINT, 130, stop.clone()),
        flag::register(SIGINT, stop.clone()),
    ]
    .into_iter()
    .filter_map(Result::ok)
    .collect()
}

/// A shop's mark: ✓ nothing wrong or unchecked, × WeChat called a value
/// wrong, ○ something could not be checked.
fn verdict_mark(v: &Verified) -> &'static str {
    match (v.ok(), v.tally().fail) {
        (true, _) => "✓",
        (false, 0) => "○",
        (false, _) => "×",
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
                    // the merchant's word, said as theirs (never as WeChat's)
                    if id.merchant_confirms() && o.status == Status::Unproven {
                        let key = if v.confirmed.contains(id) {
                            "verify.binding_confirmed"
                        } else {
                            "verify.binding_not_confirmed"
                        };
                        say!(io.out, "    {}", tr.t(key));
                    }
                    if let Some(words) = &o.wechat {
                        let words = words.to_string();
                        say!(
                            io.out,
                            "    {}",
                            tr.tf("verify.wechat_words", &[("words", words)])
                        );
                    }
                }
                // the bindings have their own line above: confirmed or not yet
                let unproven: Vec<String> = v
                    .unproven()
                    .filter(|id| !id.merchant_confirms())
                    .map(|id| tr.msg(&id))
                    .collect();
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
                Ok(v) => format!("{} {}", verdict_mark(v), tr.msg(&v.tally())),
                Err(_) => "×".to_owned(),
            };
            say!(io.out, "  {name:<24} {cell}");
        }
    }
    let any_wrong = results
        .iter()
        .any(|(_, r)| r.as_ref().map_or(true, |v| v.tally().fail > 0));
    // the closing line claims no more than the rows: what is still open
    // (a binding to confirm, a value no reply proves) is named, not passed over
    let open = crate::domain::check::StillOpen::of(
        results
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .flat_map(|v| {
                v.checks
                    .iter()
                    .map(|(id, o)| (*id, o.status, v.confirmed.contains(id)))
            }),
    );
    let verdict = match (all_ok, any_wrong) {
        (true, _) if !open.is_empty() => format!("◇ {}", tr.msg(&open)),
        (true, _) => tr.t("cli.verify_all_ok").to_owned(),
        (false, true) => tr.t("cli.verify_not_ok").to_owned(),
        // nothing wrong, something not checked (offline, busy, the clock)
        (false, false) => tr.t("cli.verify_not_checked").to_owned(),
    };
    say!(io.out, "{verdict}");
}
