//! The readiness report: one self-contained HTML file (inline CSS, no scripts,
//! nothing fetched) that a merchant can send to a client or colleague. Secrets
//! appear only as "set" / "not set".

use std::collections::BTreeSet;

use super::backend_form::{FormValue, backend_form};
use super::bundle::plain_value;
use super::profile::{Profile, SecretField};
use super::wxapi::Status;
use crate::i18n::Tr;

/// One line of "what is still missing", already localized by the caller.
pub struct ReportInput<'a> {
    pub profile: &'a Profile,
    pub secrets_set: &'a BTreeSet<SecretField>,
    /// Field label -> localized problem, for the backend rows.
    pub row_problems: &'a dyn Fn(FormValue) -> Option<String>,
    /// What is still missing, and whether it is a wrong value (`true`) or only
    /// something not checked yet (offline is not failure: not drawn in red).
    pub missing: Vec<(String, bool)>,
    /// Check name, status, localized message, time, stale.
    pub checks: Vec<(String, Status, String, String, bool)>,
    pub generated_at: &'a str,
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
        escape(if all_ok {
            tr.t("report.ready")
        } else {
            tr.t("report.not_ready")
        })
    ));

    h.push_str(&format!(
        "<h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        escape(tr.t("report.fields")),
        escape(tr.t("summary.col_label")),
        escape(tr.t("summary.col_value")),
        escape(tr.t("summary.col_status"))
    ));
    for row in backend_form(p.site_kind_or_default()) {
        let value = match row.value {
            FormValue::Field(f) => match f.secret() {
                Some(sf) if input.secrets_set.contains(&sf) => tr.t("report.secret_set").to_owned(),
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
            FormValue::PrivateKeyFile if input.secrets_set.contains(&SecretField::PrivateKey) => {
                tr.t("report.secret_set").to_owned()
            }
            FormValue::PrivateKeyFile => tr.t("summary.not_set").to_owned(),
        };
        let status = match (input.row_problems)(row.value) {
            None => "<span class=\"ok\">✓</span>".to_owned(),
            Some(msg) => format!("<span class=\"bad\">× {}</span>", escape(&msg)),
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{status}</td></tr>\n",
            escape(row.label),
            escape(&value)
        ));
    }
    h.push_str("</table>\n");

    h.push_str(&format!(
        "<h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        escape(tr.t("report.checks")),
        escape(tr.t("report.check")),
        escape(tr.t("report.result")),
        escape(tr.t("report.when"))
    ));
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
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"{class}\">{mark} {}{stale_note}</td><td>{}</td></tr>\n",
            escape(name),
            escape(message),
            escape(at)
        ));
    }
    h.push_str("</table>\n");
    let counted = super::wxapi::Tally::of(
        input
            .checks
            .iter()
            .filter(|c| !c.4 && !c.3.is_empty())
            .map(|c| c.1),
    );
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

    #[test]
    fn escapes_and_never_shows_secrets() {
        let mut p = Profile::new("<script>alert(1)</script>");
        p.mp_appid = "wx1234567890abcdef".into();
        let set: BTreeSet<SecretField> = [SecretField::ApiKeyV2].into_iter().collect();
        let no_problem = |_: FormValue| None;
        let html = render(
            Tr(Lang::En),
            &ReportInput {
                profile: &p,
                secrets_set: &set,
                row_problems: &no_problem,
                missing: vec![("a & b".into(), true)],
                checks: vec![(
                    "MP".into(),
                    Status::Ok,
                    "fine".into(),
                    "2026-11-26".into(),
                    false,
                )],
                generated_at: "now",
            },
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;") && html.contains("a &amp; b"));
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
