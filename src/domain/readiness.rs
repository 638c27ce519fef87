//! The readiness report: one self-contained HTML file (inline CSS, no scripts,
//! nothing fetched) that a merchant can send to a client or colleague. Secrets
//! appear only as "set" / "not set".

use std::collections::BTreeSet;

use super::backend_form::{FormValue, hand_form};
use super::bundle::plain_value;
use super::check::CheckId;
use super::problem::Problem;
use super::profile::{Profile, SecretField};
use super::wxapi::Status;
use crate::i18n::Tr;

/// What is known of one value of the backend's form, the same in the window's
/// table and the report (trial M2): wrong by its format; refused by WeChat;
/// changed since its check; proven by a current reply; only its format checked
/// (no online check can prove it); or not proven yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowStatus {
    Wrong(Problem),
    Refused(Vec<CheckId>),
    Stale,
    Proven,
    FormatOnly,
    Unchecked,
    /// Could not be checked this time; passed on these values at (a time as shown).
    PassedBefore(String),
}

impl RowStatus {
    /// The status of a value whose format check gave `problems`, and of which
    /// WeChat's current replies say `verdict` (`check::verdict`).
    pub fn of(problems: &[Problem], verdict: super::check::ValueVerdict) -> RowStatus {
        use super::check::ValueVerdict as V;
        if let Some(p) = problems.iter().find(|p| p.is_error()) {
            return RowStatus::Wrong(p.clone());
        }
        match verdict {
            V::Refused(ids) => RowStatus::Refused(ids),
            V::Stale => RowStatus::Stale,
            V::Proven => RowStatus::Proven,
            V::FormatOnly => RowStatus::FormatOnly,
            V::Unchecked => RowStatus::Unchecked,
            V::PassedBefore(at) => RowStatus::PassedBefore(at),
        }
    }

    /// The cell of the report and of the summary's check column: its class
    /// (`ok`, `warn`, `bad`, `muted`) and localized text.
    pub fn cell(&self, tr: Tr) -> (&'static str, String) {
        match self {
            RowStatus::Wrong(p) => ("bad", format!("× {}", tr.msg(p))),
            RowStatus::Refused(ids) => {
                let names: Vec<String> = ids.iter().map(|c| tr.msg(c)).collect();
                let sep = if tr.lang() == crate::i18n::Lang::ZhCn {
                    "、"
                } else {
                    "; "
                };
                (
                    "bad",
                    format!(
                        "× {}",
                        tr.tf("summary.status_refused", &[("checks", names.join(sep))])
                    ),
                )
            }
            RowStatus::Stale => ("warn", format!("⚠ {}", tr.t("summary.status_stale"))),
            RowStatus::Proven => ("ok", format!("✓ {}", tr.t("summary.status_proven"))),
            RowStatus::FormatOnly => ("muted", tr.t("summary.status_format").to_owned()),
            RowStatus::Unchecked => ("muted", tr.t("summary.status_unchecked").to_owned()),
            RowStatus::PassedBefore(at) => (
                "muted",
                format!(
                    "○ {}",
                    tr.tf("summary.status_passed_before", &[("time", at.clone())])
                ),
            ),
        }
    }
}

/// One line of "what is still missing", already localized by the caller.
pub struct ReportInput<'a> {
    pub profile: &'a Profile,
    pub secrets_set: &'a BTreeSet<SecretField>,
    /// What is known of each value of the backend's form.
    pub row_status: &'a dyn Fn(FormValue) -> RowStatus,
    /// What is still missing, and whether it is a wrong value (`true`) or only
    /// something not checked yet (offline is not failure: not drawn in red).
    pub missing: Vec<(String, bool)>,
    /// Check name, status, localized message, time (as the user reads it), stale.
    pub checks: Vec<(String, Status, String, String, bool)>,
    /// The names (as in `checks`) of the unproven items the merchant confirmed
    /// (the AppID bindings): shown and counted as their confirmation.
    pub confirmed: Vec<String>,
    /// When the report was made, as the user reads times (local, to the minute).
    pub generated_at: &'a str,
    /// The warnings the summary shows under the backend's form (localized):
    /// the report is read by whoever fills that form in.
    pub form_warnings: Vec<String>,
    /// The last push, as the window says it ("sent to likeadmin, <time>").
    /// Whether it still holds (✓, green) or not (⚠, amber), and its words.
    pub last_push: Option<(bool, String)>,
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0;width:100%}td,th{border:1px solid #ccc;padding:6px 10px;text-align:left;vertical-align:top}\
th{background:#f3f3f3}.ok{color:#1a7f3c}.bad{color:#c62828}.warn{color:#b26a00}.unproven{color:#2f62b0}.muted{color:#777;font-size:.9em}";

pub fn render(tr: Tr, input: &ReportInput<'_>) -> String {
    let p = input.profile;
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"");
    h.push_str(tr.lang().code());
    h.push_str("\"><head><meta charset=\"utf-8\"><title>");
    h.push_str(&escape(&tr.tf("report.title", &[("name", p.name.clone())])));
    h.push_str("</title><style>");
    h.push_str(CSS);
    h.push_str("</style></head><body>\n<h1>");
    h.push_str(&escape(&tr.tf("report.title", &[("name", p.name.clone())])));
    h.push_str("</h1>\n<p class=\"muted\">");
    h.push_str(&escape(&tr.tf(
        "report.generated",
        &[("time", input.generated_at.to_owned())],
    )));
    h.push_str("</p>\n");

    let all_ok = input.missing.is_empty() && input.checks.iter().all(|c| !c.1.is_problem() && !c.4);
    let any_wrong =
        input.missing.iter().any(|m| m.1) || input.checks.iter().any(|c| c.1 == Status::Fail);
    h.push_str(&format!(
        "<p class=\"{}\"><strong>{}</strong></p>\n",
        match (all_ok, any_wrong) {
            (true, _) => "ok",
            (false, true) => "bad",
            (false, false) => "warn",
        },
        // "see the items in red" only when something is red (trial 2 minor 5:
        // offline, every item was a grey ○ under that headline)
        escape(if all_ok {
            tr.t("report.ready")
        } else if any_wrong {
            tr.t("report.not_ready")
        } else {
            tr.t("report.not_ready_unchecked")
        })
    ));

    h.push_str(&format!("<h2>{}</h2>\n", escape(tr.t("report.fields"))));
    if let Some((holds, line)) = &input.last_push {
        let (class, mark) = if *holds {
            ("ok", "✓")
        } else {
            ("warn", "⚠")
        };
        h.push_str(&format!(
            "<p class=\"{class}\">{mark} {}</p>\n",
            escape(line)
        ));
    }
    // the form of the shop system chosen: likeadmin's own pages and labels
    for page in hand_form(p.backend_preset.kind(), p.site_kind_or_default()) {
        if let Some(path) = page.path {
            h.push_str(&format!(
                "<p><strong>{}</strong></p>\n",
                escape(&tr.tf("summary.page", &[("path", path.to_owned())]))
            ));
        }
        h.push_str(&format!(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
            escape(tr.t("summary.col_label")),
            escape(tr.t("summary.col_value")),
            escape(tr.t("summary.col_status"))
        ));
        for row in page.rows {
            let value = match row.value {
                FormValue::Field(f) => match f.secret() {
                    Some(sf) if input.secrets_set.contains(&sf) => {
                        tr.t("report.secret_set").to_owned()
                    }
                    Some(_) => tr.t("summary.not_set").to_owned(),
                    None if plain_value(p, f).is_empty() => tr.t("summary.not_set").to_owned(),
                    None => plain_value(p, f).to_owned(),
                },
                FormValue::CertificateFile => p
                    .certificate
                    .as_ref()
                    .map(|c| {
                        tr.tf(
                            "report.cert_value",
                            &[
                                ("serial", c.serial.clone()),
                                ("date", c.not_after.get(..10).unwrap_or("").to_owned()),
                            ],
                        )
                    })
                    .unwrap_or_else(|| tr.t("summary.not_set").to_owned()),
                FormValue::PrivateKeyFile
                    if input.secrets_set.contains(&SecretField::PrivateKey) =>
                {
                    tr.t("report.secret_set").to_owned()
                }
                FormValue::PrivateKeyFile => tr.t("summary.not_set").to_owned(),
            };
            let (class, text) = (input.row_status)(row.value).cell(tr);
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td><span class=\"{class}\">{}</span></td></tr>\n",
                escape(row.label),
                escape(&value),
                escape(&text)
            ));
        }
        h.push_str("</table>\n");
    }
    for warning in &input.form_warnings {
        h.push_str(&format!(
            "<p class=\"warn\"><strong>{}</strong></p>\n",
            escape(warning)
        ));
    }

    h.push_str(&format!(
        "<h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        escape(tr.t("report.checks")),
        escape(tr.t("report.check")),
        escape(tr.t("report.result")),
        escape(tr.t("report.when"))
    ));
    let confirmed = |name: &String, status: &Status| {
        *status == Status::Unproven && input.confirmed.contains(name)
    };
    for (name, status, message, at, stale) in &input.checks {
        // green only for proof, red only for WeChat's "wrong"; offline is plain
        let (class, mark) = match status {
            Status::Ok => ("ok", "✓"),
            Status::Fail => ("bad", "×"),
            Status::Error => ("plain", "○"),
            Status::Skipped => ("muted", "—"),
            Status::Unproven => ("unproven", "◇"),
        };
        let stale_note = if *stale {
            format!(
                " <span class=\"warn\">({})</span>",
                escape(tr.t("verify.stale"))
            )
        } else {
            String::new()
        };
        // the merchant's word, said as theirs: never as WeChat's proof
        let confirmed_note = if confirmed(name, status) {
            format!(
                " <strong>{}</strong>",
                escape(tr.t("verify.binding_confirmed"))
            )
        } else {
            String::new()
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"{class}\">{mark} {}{confirmed_note}{stale_note}</td><td>{}</td></tr>\n",
            escape(name),
            escape(message),
            escape(at)
        ));
    }
    h.push_str("</table>\n");
    // a result whose values changed since is "check again", never its old verdict
    let mut counted = super::wxapi::Tally::default();
    for (name, status, _, at, stale) in &input.checks {
        if at.is_empty() {
            continue;
        }
        if *stale {
            counted.stale += 1;
        } else {
            counted.add(*status, confirmed(name, status));
        }
    }
    h.push_str(&format!("<p>{}</p>\n", escape(&tr.msg(&counted))));

    if !input.missing.is_empty() {
        h.push_str(&format!(
            "<h2>{}</h2>\n<ul>\n",
            escape(tr.t("summary.missing_title"))
        ));
        for (m, wrong) in &input.missing {
            let class = if *wrong { "bad" } else { "plain" };
            h.push_str(&format!("<li class=\"{class}\">{}</li>\n", escape(m)));
        }
        h.push_str("</ul>\n");
    }
    h.push_str(&format!(
        "<p class=\"muted\">{}</p>\n</body></html>\n",
        escape(tr.t("report.footer"))
    ));
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// Trial 2 minor 5: offline, nothing is red; the headline does not send the
    /// reader to "the items marked in red".
    #[test]
    fn the_headline_speaks_of_red_only_when_something_is_red() {
        let p = Profile::new("店");
        let set = BTreeSet::new();
        let unchecked = |_: FormValue| RowStatus::Unchecked;
        let tr = Tr(Lang::ZhCn);
        let html = |missing: Vec<(String, bool)>, status: Status| {
            render(
                tr,
                &ReportInput {
                    profile: &p,
                    secrets_set: &set,
                    row_status: &unchecked,
                    missing,
                    checks: vec![("MP".into(), status, "…".into(), "now".into(), false)],
                    confirmed: Vec::new(),
                    generated_at: "now",
                    form_warnings: Vec::new(),
                    last_push: None,
                },
            )
        };
        let offline = html(vec![("还没有在线检查".into(), false)], Status::Error);
        assert!(
            !offline.contains(tr.t("report.not_ready")),
            "nothing is red"
        );
        assert!(offline.contains(tr.t("report.not_ready_unchecked")));
        let wrong = html(vec![("填错了".into(), true)], Status::Fail);
        assert!(wrong.contains(tr.t("report.not_ready")));
    }

    #[test]
    fn escapes_and_never_shows_secrets() {
        let mut p = Profile::new("<script>alert(1)</script>");
        p.mp_appid = "wx1234567890abcdef".into();
        let set: BTreeSet<SecretField> = [SecretField::ApiKeyV2].into_iter().collect();
        let no_problem = |_: FormValue| RowStatus::Unchecked;
        let html = render(
            Tr(Lang::En),
            &ReportInput {
                profile: &p,
                secrets_set: &set,
                row_status: &no_problem,
                missing: vec![("a & b".into(), true)],
                checks: vec![(
                    "MP".into(),
                    Status::Ok,
                    "fine".into(),
                    "2026-11-26".into(),
                    false,
                )],
                confirmed: Vec::new(),
                generated_at: "now",
                form_warnings: vec!["<upload by name>".into()],
                last_push: None,
            },
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;") && html.contains("a &amp; b"));
        assert!(
            html.contains("&lt;upload by name&gt;"),
            "the form's warning"
        );
        assert!(html.contains("wx1234567890abcdef"));
        // a secret shows as "set" or "not set", by whether it is there
        let row = |label: &str| {
            let start = html.find(&format!("<td>{}</td>", escape(label))).unwrap();
            html[start..].split("</tr>").next().unwrap().to_owned()
        };
        let set = Tr(Lang::En).t("report.secret_set");
        let not_set = Tr(Lang::En).t("summary.not_set");
        assert!(row("API密钥（Key）").contains(set));
        assert!(row("公众平台API的权限获取所需密钥（APPSECRET）").contains(not_set));
        assert!(row("存储公钥文件[apiclient_key]").contains(not_set));
        assert!(
            !html.contains("<link") && !html.contains("src="),
            "self-contained"
        );
    }
}
