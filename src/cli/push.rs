//! `push --profile NAME --backend likeadmin|crmeb|shopxo|generic --url BASE
//! --account NAME --password-file FILE|- [--dry-run] [--yes] [--json]` (a generic
//! receiver: `--token-file`, `--mapping`): send the configuration into the shop
//! backend the way its own settings page does. Shows per field what the backend
//! holds now and what it will hold (secrets masked), asks, sends, reads back, and
//! reports per field: sent, stored, checked. Exit 0 only when the backend holds
//! every value (a receiver without a read-back: accepted every value).
//!
//! The password never comes from the command line (it would be in the shell's
//! history and the process list): a file, or `-` for standard input.

use std::path::PathBuf;

use serde::Serialize;

use super::{CliError, CliResult, Env, FAIL, Io, USAGE, print_json, say};
use crate::app::ops::push::{
    FailureMessage, Outcome, Overrides, Preview, PushError, Report, Status, run,
};
use crate::app::ops::secret_file::{self, What};
use crate::domain::backend::{
    BackendKind, FieldLabel, FieldResult, Kept, Left, PlanRow, Shown, Warning,
};
use crate::domain::secret::Secret;
use crate::i18n::{Arg, Message, Tr};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_name = "NAME", value_parser = super::shop_name)]
    profile: String,
    #[arg(long, value_name = "BACKEND", conflicts_with = "preset")]
    backend: Option<String>,
    /// Deprecated: `--backend` (kept for one release).
    #[arg(long, value_name = "BACKEND", hide = true)]
    preset: Option<String>,
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    #[arg(long, value_name = "NAME")]
    account: Option<String>,
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    #[arg(long)]
    dry_run: bool,
    #[arg(long, short = 'y')]
    yes: bool,
    #[arg(long)]
    json: bool,
}

fn push_error(tr: Tr, e: &PushError) -> CliError {
    let code = if e.is_usage() { USAGE } else { FAIL };
    CliError {
        code,
        lines: vec![format!("× {}", tr.msg(e))],
    }
}

/// A message as `--json` carries it: the backend's own words as they were (JSON
/// escapes what needs escaping), not the terminal's escapes (`\u{1b}`) escaped again.
struct Unescaped<'a, M: Message + ?Sized>(&'a M);

impl<M: Message + ?Sized> Message for Unescaped<'_, M> {
    fn key(&self) -> String {
        self.0.key()
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        fn raw(a: Arg) -> Arg {
            match a {
                Arg::Text(s) => Arg::Text(unescape(&s)),
                Arg::List(v) => Arg::List(v.into_iter().map(raw).collect()),
                Arg::Nested(k, args) => {
                    Arg::Nested(k, args.into_iter().map(|(n, a)| (n, raw(a))).collect())
                }
                key @ Arg::Key(_) => key,
            }
        }
        self.0
            .args()
            .into_iter()
            .map(|(n, a)| (n, raw(a)))
            .collect()
    }
}

/// Undoes `domain::text::printable`: `\u{1b}` back to the character.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let decoded = after.find('}').and_then(|end| {
            let c = u32::from_str_radix(&after[..end], 16)
                .ok()
                .and_then(char::from_u32)?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("\\u{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A usage error said before anything is read; with `--json` as a JSON report too.
fn usage_as(io: &mut Io<'_>, json: bool, code: &str, message: &str) -> CliError {
    if json {
        print_json(
            io,
            &serde_json::json!({ "status": "error", "code": code, "message": message }),
        );
        return CliError {
            code: USAGE,
            lines: Vec::new(),
        };
    }
    CliError::usage(format!("× {message}"))
}

/// With `--json`, a refusal is a JSON report too (`code`: `busy` means try again).
fn push_error_as(tr: Tr, io: &mut Io<'_>, json: bool, e: &PushError) -> CliError {
    let mut err = push_error(tr, e);
    if json {
        print_json(
            io,
            &serde_json::json!({ "status": "error", "code": e.code(), "message": tr.msg(&Unescaped(e)) }),
        );
        err.lines.clear();
    }
    err
}

/// A secret from a file, or for `-` from standard input: typed at a prompt on
/// stderr without echo when input is a terminal, else its first line (a pipe).
fn read_secret(
    tr: Tr,
    io: &mut Io<'_>,
    f: &std::path::Path,
    what: What,
) -> Result<Secret, CliError> {
    if f.as_os_str() != "-" {
        return secret_file::read(f, what).map_err(|e| CliError::usage(tr.msg(&e)));
    }
    let usage = |e: secret_file::SecretFileError| CliError::usage(tr.msg(&e));
    let line = zeroize::Zeroizing::new(match io.hidden.as_mut() {
        Some(read_hidden) => {
            let prompt = match what {
                What::Token => "push.prompt_token",
                _ => "push.prompt_password",
            };
            let _ = write!(io.err, "{}", tr.t(prompt));
            let _ = io.err.flush();
            // Ctrl-C or Ctrl-D at the prompt: nothing was typed
            read_hidden().unwrap_or_default()
        }
        None => {
            let mut line = String::new();
            let _ = io.input.read_line(&mut line);
            line
        }
    });
    secret_file::from_input(&line, what).map_err(usage)
}

#[derive(Serialize)]
struct RowJson<'a> {
    field: &'a str,
    label: String,
    secret: bool,
    now: &'a Shown,
    will: &'a Shown,
    changes: bool,
}

#[derive(Serialize)]
struct CannotJson {
    field: &'static str,
    why: &'static str,
    message: String,
}

/// A field read and shown, not sent (the service account's AppID of a case-1 shop).
#[derive(Serialize)]
struct LeftJson<'a> {
    field: &'a str,
    label: String,
    now: &'a Shown,
    why: &'static str,
    message: String,
}

/// What the owner should look at although everything sent was stored.
#[derive(Serialize)]
struct WarningJson<'a> {
    why: &'static str,
    field: &'a str,
    label: String,
    holds: &'a Shown,
    /// Where the backend offers WeChat Pay with it; `null`: the backend did not say.
    scenes: Option<&'a [&'static str]>,
    message: String,
}

#[derive(Serialize)]
struct PreviewJson<'a> {
    backend: &'static str,
    url: &'a str,
    fields: Vec<RowJson<'a>>,
    kept: &'a [String],
    /// The same fields by the labels the backend's own page shows.
    kept_labels: Vec<String>,
    /// Read and left as they are (not sent).
    left_alone: Vec<LeftJson<'a>>,
    cannot_hold: Vec<CannotJson>,
    needs: Vec<&'static str>,
    calls: &'a [&'static str],
    warnings: Vec<WarningJson<'a>>,
}

fn warnings_json<'a>(tr: Tr, warnings: &'a [Warning]) -> Vec<WarningJson<'a>> {
    warnings
        .iter()
        .map(|w| WarningJson {
            why: w.why,
            field: &w.field,
            label: label(
                tr,
                w.backend,
                Some(crate::domain::backend::Ours::OaAppId),
                &w.field,
            ),
            holds: &w.holds,
            scenes: w.scenes.as_deref(),
            message: tr.msg(&Unescaped(w)),
        })
        .collect()
}

fn preview_json<'a>(tr: Tr, p: &'a Preview) -> PreviewJson<'a> {
    PreviewJson {
        backend: p.backend.name(),
        url: &p.url,
        fields: p
            .plan
            .rows
            .iter()
            .map(|r| RowJson {
                field: &r.field,
                label: label(tr, p.backend, r.ours, &r.field),
                secret: r.ours.is_some_and(|o| o.secret()),
                now: &r.now,
                will: &r.will,
                changes: r.changes,
            })
            .collect(),
        kept: &p.plan.kept,
        kept_labels: p
            .plan
            .kept
            .iter()
            .map(|f| label(tr, p.backend, None, f))
            .collect(),
        left_alone: p
            .plan
            .left
            .iter()
            .map(|l| LeftJson {
                field: &l.field,
                label: label(tr, p.backend, l.ours, &l.field),
                now: &l.now,
                why: l.why,
                message: tr.msg(l),
            })
            .collect(),
        cannot_hold: p
            .plan
            .cannot
            .iter()
            .map(|c| CannotJson {
                field: c.ours.key(),
                why: c.why,
                message: tr.msg(c),
            })
            .collect(),
        needs: p.plan.needs.iter().map(|o| o.key()).collect(),
        calls: &p.plan.calls,
        warnings: warnings_json(tr, &p.plan.warnings),
    }
}

#[derive(Serialize)]
struct FieldJson<'a> {
    field: &'a str,
    label: String,
    kept: bool,
    sent: bool,
    stored: bool,
    checked: bool,
    read_back: Option<&'a Shown>,
}

#[derive(Serialize)]
struct CallJson {
    call: &'static str,
    label: String,
    stored: bool,
}

#[derive(Serialize)]
struct SentJson<'a> {
    /// `done_with_warnings`: every value sent is stored and checked, and the backend
    /// holds something that pairs with it to look at (`warnings`).
    status: &'static str,
    backend: &'static str,
    url: &'a str,
    message: String,
    fields: Vec<FieldJson<'a>>,
    calls: Vec<CallJson>,
    not_sent: Vec<CallJson>,
    relogins: usize,
    /// What the owner should look at although everything sent was stored (the
    /// status stays `done`, the exit code 0): see docs/push-api.md.
    warnings: Vec<WarningJson<'a>>,
    preview: PreviewJson<'a>,
}

/// The report's status as `--json` says it: a `done` with warnings is not a plain
/// `done` (a script that knows only `done` then does not take it for one).
fn status_json(r: &Report) -> &'static str {
    match r.status {
        Status::Done if !r.warnings().is_empty() => "done_with_warnings",
        Status::Done => "done",
        Status::StoredUnchecked => "stored_unchecked",
        Status::Mismatch => "mismatch",
        Status::Partial => "partial",
        Status::Refused => "refused",
    }
}

/// A field by the label its backend's own page shows.
fn label(
    tr: Tr,
    backend: BackendKind,
    ours: Option<crate::domain::backend::Ours>,
    field: &str,
) -> String {
    tr.msg(&FieldLabel {
        backend,
        ours,
        field,
    })
}

fn call_label(tr: Tr, call: &str) -> String {
    tr.t(&format!("backend.call.{call}")).to_owned()
}

/// The preview as lines: per field now -> will, what is sent back unchanged, what
/// this backend cannot hold, what it needs.
fn print_preview(tr: Tr, io: &mut Io<'_>, p: &Preview) {
    let backend = tr
        .t(&format!("backend.kind.{}", p.backend.name()))
        .to_owned();
    say!(
        io.out,
        "{}",
        tr.tf(
            "push.preview_heading",
            &[("backend", backend.clone()), ("url", p.url.clone())]
        )
    );
    for PlanRow {
        field,
        ours,
        now,
        will,
        changes,
    } in &p.plan.rows
    {
        let mark = if *changes { "*" } else { " " };
        let row = tr.tf(
            "push.preview_row",
            &[
                ("field", label(tr, p.backend, *ours, field)),
                ("now", tr.msg(now)),
                ("will", tr.msg(will)),
            ],
        );
        say!(io.out, "{mark} {row}");
    }
    if !p.plan.kept.is_empty() {
        let kept = Kept {
            backend: p.backend,
            fields: &p.plan.kept,
        };
        say!(io.out, "  {}", tr.msg(&kept));
    }
    for l in &p.plan.left {
        say!(io.out, "  {}", left_line(tr, p.backend, l));
    }
    for c in &p.plan.cannot {
        say!(io.out, "! {}", tr.msg(c));
    }
    for w in &p.plan.warnings {
        say!(io.out, "! {}", tr.msg(w));
    }
}

/// A field read and left as it is: what it holds, and why it is not sent.
fn left_line(tr: Tr, backend: BackendKind, l: &Left) -> String {
    tr.tf(
        "push.left_row",
        &[
            ("field", label(tr, backend, l.ours, &l.field)),
            ("now", tr.msg(&l.now)),
            ("why", tr.msg(l)),
        ],
    )
}

fn summary(tr: Tr, r: &Report) -> String {
    tr.msg(r)
}

/// A field's line; `unchecked_ok`: the receiver offers no read-back, so a value
/// stored and not checked is no failure (a neutral mark, not ×).
fn field_line(tr: Tr, backend: BackendKind, f: &FieldResult, unchecked_ok: bool) -> String {
    let yes_no = |b: bool, key: &str| {
        let k = if b {
            key.to_owned()
        } else {
            format!("{key}_not")
        };
        tr.t(&format!("push.{k}")).to_owned()
    };
    let mark = match (f.checked, f.stored && unchecked_ok) {
        (true, _) => "✓",
        (false, true) => "·",
        (false, false) => "×",
    };
    let field = label(tr, backend, f.ours, &f.field);
    // a value sent back as the backend held it was kept, not stored by us
    let mut line = if f.kept {
        tr.tf(
            "push.result_kept_row",
            &[
                ("mark", mark.to_owned()),
                ("field", field),
                ("checked", yes_no(f.checked, "kept_checked")),
            ],
        )
    } else {
        tr.tf(
            "push.result_row",
            &[
                ("mark", mark.to_owned()),
                ("field", field),
                ("stored", yes_no(f.stored, "stored")),
                ("checked", yes_no(f.checked, "checked")),
            ],
        )
    };
    if f.stored
        && !f.checked
        && let Some(back) = &f.read_back
    {
        line.push_str(&tr.tf("push.read_back_was", &[("value", tr.msg(back))]));
    }
    line
}

pub fn exec(env: &mut Env<'_>, io: &mut Io<'_>, a: Args) -> CliResult {
    let tr = env.tr;
    if a.preset.is_some() {
        say!(io.err, "{}", tr.t("push.preset_deprecated"));
    }
    let (json, yes) = (a.json, a.yes);
    // standard input is one: a password (or token) piped in leaves no answer for the
    // confirmation, and a script reading JSON gets no question; a terminal can do both
    let piped = |f: &Option<PathBuf>| f.as_ref().is_some_and(|f| f.as_os_str() == "-");
    let asks = !yes && !a.dry_run;
    if asks && json {
        return Err(usage_as(
            io,
            json,
            "json_needs_yes",
            tr.t("push.json_needs_yes"),
        ));
    }
    if piped(&a.password_file) && piped(&a.token_file) {
        return Err(usage_as(io, json, "stdin_twice", tr.t("push.stdin_twice")));
    }
    if asks && io.hidden.is_none() && (piped(&a.password_file) || piped(&a.token_file)) {
        return Err(usage_as(
            io,
            json,
            "stdin_needs_yes",
            tr.t("push.stdin_needs_yes"),
        ));
    }
    // a file that gives no secret: with --json, a JSON refusal too
    let mut secret = |f: &Option<PathBuf>, what| match f {
        Some(f) => read_secret(tr, io, f, what).map(Some).map_err(|e| {
            let message = e.lines.join(" ");
            usage_as(io, json, "bad_credential", &message)
        }),
        None => Ok(None),
    };
    let token = secret(&a.token_file, What::Token)?;
    let password = secret(&a.password_file, What::Password)?;
    let overrides = Overrides {
        url: a.url,
        backend: a.backend.or(a.preset),
        mapping_file: a.mapping,
        token,
        account: a.account,
        password,
        dry_run: a.dry_run,
    };
    let ctx = env.ctx()?;
    // the preview is shown and confirmed while the shop stays locked: what is sent
    // is what was shown
    let mut confirm = |p: &Preview| {
        if !json {
            print_preview(tr, io, p);
        }
        // a warning (a value left that pairs with ours) is confirmed by the question
        // itself; with --yes the push goes on and says so
        let warned = !p.plan.warnings.is_empty() && p.plan.needs.is_empty();
        if yes {
            if warned && !json {
                say!(io.err, "{}", tr.t("push.yes_despite_warning"));
            }
            return true;
        }
        let question = if warned {
            "push.confirm_warning"
        } else {
            "push.confirm"
        };
        let _ = write!(io.err, "{} ", tr.t(question));
        let _ = io.err.flush();
        let mut answer = String::new();
        let _ = io.input.read_line(&mut answer);
        matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "是")
    };
    let outcome = run(ctx, &a.profile, overrides, &mut confirm);
    let outcome = outcome.map_err(|e| push_error_as(tr, io, json, &e))?;
    let report = match outcome {
        Outcome::DryRun(p) => {
            // a push the real one would refuse (values the backend needs are missing)
            // fails as a dry run too: exit 1, and --json says it would be refused
            let refused = (!p.plan.needs.is_empty())
                .then(|| PushError::Needs(p.backend, p.plan.needs.clone()));
            if json {
                let mut v = serde_json::to_value(preview_json(tr, &p)).unwrap_or_default();
                match &refused {
                    Some(e) => {
                        v["status"] = "dry_run_refused".into();
                        v["code"] = e.code().into();
                        v["message"] = tr.msg(&Unescaped(e)).into();
                    }
                    None => v["status"] = "dry_run".into(),
                }
                print_json(io, &v);
            } else {
                print_preview(tr, io, &p);
                if let Some(e) = &refused {
                    say!(io.err, "× {}", tr.msg(e));
                }
                say!(io.out, "{}", tr.t("push.dry_run_done"));
            }
            return match refused {
                Some(_) => Err(CliError::silent()),
                None => Ok(()),
            };
        }
        Outcome::Cancelled(_) => return Err(CliError::fail(tr.t("push.cancelled"))),
        Outcome::Sent(r) => r,
    };
    let message = summary(tr, &report);
    let failure = report.failure_message().map(|f: FailureMessage| tr.msg(&f));
    if json {
        let message = tr.msg(&Unescaped(&report));
        let failure = report.failure_message().map(|f| tr.msg(&Unescaped(&f)));
        let fields = report
            .fields
            .iter()
            .map(|f| FieldJson {
                field: &f.field,
                label: label(tr, report.backend, f.ours, &f.field),
                kept: f.kept,
                sent: f.sent,
                stored: f.stored,
                checked: f.checked,
                read_back: f.read_back.as_ref(),
            })
            .collect();
        let calls = |list: Vec<(&'static str, bool)>| {
            list.into_iter()
                .map(|(call, stored)| CallJson {
                    call,
                    label: call_label(tr, call),
                    stored,
                })
                .collect()
        };
        print_json(
            io,
            &SentJson {
                status: status_json(&report),
                backend: report.backend.name(),
                url: &report.url,
                message: match &failure {
                    Some(f) => format!("{f} {message}"),
                    None => message.clone(),
                },
                fields,
                calls: calls(report.calls.iter().map(|c| (c.call, c.stored)).collect()),
                not_sent: calls(report.not_sent.iter().map(|c| (*c, false)).collect()),
                relogins: report.relogins,
                warnings: warnings_json(tr, report.warnings()),
                preview: preview_json(tr, &report.preview),
            },
        );
    } else {
        let unchecked_ok = report.status == Status::StoredUnchecked;
        for f in &report.fields {
            say!(
                io.out,
                "  {}",
                field_line(tr, report.backend, f, unchecked_ok)
            );
        }
        if let Some(f) = &failure {
            say!(io.err, "× {f}");
        }
        if let Some(f) = &report.read_back_failure {
            let m = FailureMessage {
                backend: report.backend,
                failure: f.clone(),
            };
            say!(
                io.err,
                "{}",
                tr.tf("push.read_back_failed", &[("reason", tr.msg(&m))])
            );
        }
        if report.ok() && !report.warnings().is_empty() {
            // stored and checked, and one thing to look at: said after the result
            say!(io.out, "! {message}");
            for w in report.warnings() {
                say!(io.out, "! {}", tr.msg(w));
            }
        } else if report.ok() {
            say!(io.out, "✓ {message}");
        } else {
            say!(io.err, "× {message}");
        }
    }
    if report.ok() {
        Ok(())
    } else {
        Err(CliError::silent())
    }
}
