//! The online checks: all at once here, or one group at a time beside its fields.

use egui::{RichText, TextEdit, Ui};

use super::widgets::{err_color, hint, ok_color, ok_line, section, unproven_color, warn_color};
use crate::app::verify::CheckId;
use crate::app::worker::PickPurpose;
use crate::app::{Busy, CheckView, Wizard};
use crate::domain::wxapi::Status;

pub fn show(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    ui.label(tr.t("verify.intro"));
    ui.add_space(6.0);
    let ids = w.applicable_checks();
    let any_running = ids.iter().any(|id| w.check_view(*id) == CheckView::Running);
    if ui
        .add_enabled(!any_running, egui::Button::new(tr.t("verify.run_all")))
        .clicked()
    {
        w.run_checks(&ids);
    }
    ui.add_space(6.0);
    // a wrong clock makes WeChat refuse signed requests: say that before anything else
    if let Some(clock) = w.clock_warning() {
        ui.label(
            RichText::new(format!("⚠ {}", tr.msg(&clock)))
                .color(warn_color(ui))
                .strong(),
        );
        ui.add_space(6.0);
    }
    for id in &ids {
        check_row(ui, w, *id, true);
        ui.add_space(4.0);
    }
    if w.step_complete(crate::domain::profile::Step::Verify) {
        ok_line(ui, tr.t("verify.all_ok"));
    }
    public_key_section(ui, w);
    ui.add_space(8.0);
    report_button(ui, w);
}

/// Saves the readiness report (HTML) through the save dialog.
pub fn report_button(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    if ui
        .add_enabled(
            !w.dialog_open(),
            egui::Button::new(tr.t("verify.save_report")),
        )
        .clicked()
    {
        w.start_save_report();
    }
    super::widgets::path_prompt(ui, w, &[PickPurpose::SaveReport]);
    match w.report() {
        Busy::Done(path) => {
            let path = path.clone();
            ui.horizontal(|ui| {
                ok_line(
                    ui,
                    &tr.tf(
                        "verify.report_saved",
                        &[("path", path.display().to_string())],
                    ),
                );
                super::widgets::open_folder_button(ui, tr, &path);
            });
        }
        Busy::Failed(e) => {
            let reason = super::causes::localize(tr, e);
            let text = tr.tf("verify.report_failed", &[("reason", reason)]);
            ui.label(RichText::new(text).color(err_color(ui)));
        }
        _ => {}
    }
}

/// One check: its name, its state (spinner while running), the exact reason and
/// fix, when it ran, and whether the values changed since.
pub fn check_row(ui: &mut Ui, w: &mut Wizard, id: CheckId, with_button: bool) {
    let tr = w.tr();
    let view = w.check_view(id);
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr.msg(&id)).strong());
        if with_button
            && ui
                .add_enabled(
                    view != CheckView::Running,
                    egui::Button::new(tr.t("verify.run")).small(),
                )
                .clicked()
        {
            w.run_checks(&[id]);
        }
    });
    ui.indent(id.key(), |ui| match &view {
        CheckView::NotRun => hint(ui, tr.t("verify.never")),
        CheckView::Running => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr.t("verify.running"));
            });
        }
        CheckView::Done { record, stale } => {
            let status = record.outcome.status;
            let color = if *stale {
                ui.visuals().weak_text_color()
            } else {
                status_color(ui, status)
            };
            let head = format!(
                "{} {}",
                status_mark(status),
                tr.t(&format!("check.status.{}", status.key()))
            );
            ui.label(RichText::new(head).color(color).strong());
            // a network error's English detail, in the owner's words
            let mut outcome = record.outcome.clone();
            for (name, value) in &mut outcome.args {
                if name == "detail" {
                    *value = super::causes::localize(tr, value);
                }
            }
            ui.label(tr.msg(&outcome));
            if let Some(words) = &record.outcome.wechat {
                hint(
                    ui,
                    &tr.tf("verify.wechat_words", &[("words", words.to_string())]),
                );
            }
            // local time here; the profile and the report keep UTC
            let when = tr.tf(
                "verify.checked_at",
                &[("time", super::local_time::show(&record.at))],
            );
            hint(ui, &when);
            if *stale {
                ui.label(RichText::new(tr.t("verify.stale")).color(warn_color(ui)));
            }
        }
    });
}

/// Green only for what WeChat proved, red only for what WeChat called wrong;
/// "could not check" is plain text, "cannot be proven" has its own colour.
pub fn status_color(ui: &Ui, status: Status) -> egui::Color32 {
    match status {
        Status::Ok => ok_color(ui),
        Status::Fail => err_color(ui),
        Status::Unproven => unproven_color(ui),
        Status::Error => ui.visuals().text_color(),
        Status::Skipped => ui.visuals().weak_text_color(),
    }
}

pub fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Ok => "✓",
        Status::Fail => "×",
        Status::Unproven => "◇",
        Status::Error => "○",
        Status::Skipped => "—",
    }
}

/// A button that runs a group of checks, with their results below it.
pub fn inline_checks(ui: &mut Ui, w: &mut Wizard, ids: &[CheckId]) {
    let ids: Vec<CheckId> = ids
        .iter()
        .copied()
        .filter(|id| w.applicable_checks().contains(id))
        .collect();
    if ids.is_empty() {
        return;
    }
    ui.add_space(4.0);
    for id in ids {
        check_row(ui, w, id, true);
    }
}

/// Merchants in public-key mode give the public key ID and pub_key.pem.
fn public_key_section(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    let asked = matches!(
        w.check_view(CheckId::V3Certificates),
        CheckView::Done { ref record, .. } if record.outcome.code.starts_with("v3_public_key") || record.outcome.code.starts_with("public_key") || record.outcome.code == "v3_reply_signer_unknown"
    );
    if !asked && w.profile().public_key_id.is_empty() {
        return;
    }
    section(ui, tr.t("verify.public_key_title"));
    hint(ui, tr.t("verify.public_key_hint"));
    let mut id = w.profile().public_key_id.clone();
    let mut pem = w.profile().public_key_pem.clone();
    let l = ui.label(tr.t("verify.public_key_id"));
    let a = ui
        .add(TextEdit::singleline(&mut id).desired_width(420.0))
        .labelled_by(l.id);
    if !id.trim().is_empty()
        && let Err(code) = crate::domain::wxapi::v3::check_public_key_id(&id)
    {
        ui.label(RichText::new(tr.t(&format!("check.{code}"))).color(err_color(ui)));
    }
    let l = ui.label(tr.t("verify.public_key_pem"));
    let b = ui
        .add(
            TextEdit::multiline(&mut pem)
                .desired_rows(4)
                .desired_width(520.0)
                .code_editor(),
        )
        .labelled_by(l.id);
    if !pem.trim().is_empty()
        && let Err(code) = crate::domain::wxapi::v3::check_public_key_pem(&pem)
    {
        ui.label(RichText::new(tr.t(&format!("check.{code}"))).color(err_color(ui)));
    }
    if a.changed() || b.changed() {
        w.set_public_key(&id, &pem);
    }
}
