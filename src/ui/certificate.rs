//! Step 5: import the WXCertUtil zip (dialog or drag and drop), or apply for the
//! certificate here ([`super::apply`]), and show what the certificate holds.

use egui::{RichText, Ui};

use super::widgets::{checklist, err_color, hint, ok_line, problem_line, section};
use crate::app::worker::PickPurpose;
use crate::app::{Busy, Wizard, journey};
use crate::domain::cert::IssuerKind;

pub fn show(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    // once after a certificate came in: the guide and the apply section fold
    // and the page is at its top, where the details follow (issue 19 item 6)
    let arrived = w.take_cert_arrived();
    ui.label(tr.t("cert.intro"));

    // the buttons first: at the smallest window they are on screen as the step
    // opens; the guide to getting the zip follows them
    ui.add_space(8.0);
    egui::Frame::group(ui.style())
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            ui.label(RichText::new(tr.t("cert.drop_zone")).strong());
            hint(ui, tr.t("cert.drop_zone_hint"));
            ui.horizontal(|ui| {
                let idle = !w.import().is_running() && !w.dialog_open();
                if ui
                    .add_enabled(idle, egui::Button::new(tr.t("cert.choose_zip")))
                    .clicked()
                {
                    w.pick_cert_zip();
                }
                if ui
                    .add_enabled(idle, egui::Button::new(tr.t("cert.choose_folder")))
                    .clicked()
                {
                    w.pick_cert_folder();
                }
                if w.import().is_running() {
                    ui.spinner();
                    ui.label(tr.t("cert.importing"));
                }
            });
        });
    super::widgets::path_prompt(ui, w, &[PickPurpose::CertZip, PickPurpose::CertFolder]);
    replace_prompt(ui, w);
    if let Busy::Failed(e) = w.import() {
        ui.label(RichText::new(format!("× {}", super::causes::msg(tr, e))).color(err_color(ui)));
        hint(ui, tr.t("cert.nothing_written"));
    }
    refusal(ui, w);

    ui.add_space(4.0);
    egui::CollapsingHeader::new(tr.t("cert.how_to_get"))
        .id_salt("cert_how")
        .default_open(w.certificate().is_none() && w.pending_cert_request().is_none())
        .open(arrived.then_some(false))
        .show(ui, |ui| checklist(ui, w, journey::CERT_STEPS));

    ui.add_space(8.0);
    super::apply::show(ui, w);

    let Some(cert) = w.certificate().cloned() else {
        return;
    };
    section(ui, tr.t("cert.details"));
    let dash = || "—".to_owned();
    egui::Grid::new("cert_grid")
        .num_columns(2)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            let row = |ui: &mut Ui, key: &str, value: String| {
                ui.label(RichText::new(tr.t(key)).strong());
                // the certificate's text is anyone's: no bidi or control character drawn raw
                ui.label(crate::domain::text::printable(&value));
                ui.end_row();
            };
            row(ui, "cert.mchid", cert.mchid.clone().unwrap_or_else(dash));
            row(
                ui,
                "cert.company",
                cert.company.clone().unwrap_or_else(dash),
            );
            let issuer = match cert.issuer {
                IssuerKind::Tenpay => tr.t("cert.issuer_tenpay"),
                IssuerKind::Legacy => tr.t("cert.issuer_legacy"),
                IssuerKind::Unknown => tr.t("cert.issuer_unknown"),
            };
            row(ui, "cert.issuer", issuer.to_owned());
            row(ui, "cert.serial", cert.serial.clone());
            row(
                ui,
                "cert.not_after",
                cert.not_after.get(..10).unwrap_or("").to_owned(),
            );
            let key = match cert.key_matches {
                Some(true) => tr.t("cert.key_matches"),
                Some(false) => tr.t("cert.key_mismatch"),
                None => tr.t("cert.key_absent"),
            };
            row(ui, "cert.key", key.to_owned());
            // a certificate applied for here has no file to name
            let source = if cert.source == crate::app::ops::cert_request::SOURCE {
                tr.t("cert_apply.source").to_owned()
            } else {
                cert.source.clone()
            };
            row(ui, "cert.source", source);
        });
    ui.add_space(6.0);
    let problems = w.cert_problems();
    if problems.is_empty() {
        ok_line(ui, tr.t("cert.usable"));
    }
    for p in &problems {
        problem_line(ui, tr, p);
    }
    super::verify::inline_checks(ui, w, &[crate::app::verify::CheckId::V3Certificates]);
    super::apply::save_files(ui, w);
}

/// A certificate read and refused (another merchant's, expired, its key not
/// its own): why, whose it is, and whether the certificate in use stays. It is
/// not shown as imported: no details, no company name taken from it, no files
/// to save (issue 19 item 4).
fn refusal(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    let Some(r) = w.cert_refused().cloned() else {
        return;
    };
    egui::Frame::group(ui.style())
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            let head = tr.tf(
                "cert.refused",
                &[
                    ("file", r.file.clone()),
                    (
                        "mchid",
                        r.summary.mchid.clone().unwrap_or_else(|| "—".into()),
                    ),
                    (
                        "company",
                        r.summary.company.clone().unwrap_or_else(|| "—".into()),
                    ),
                ],
            );
            ui.label(RichText::new(format!("× {head}")).color(err_color(ui)));
            for p in &r.problems {
                problem_line(ui, tr, p);
            }
            if w.cert_usable() {
                hint(ui, tr.t("cert.refused_current_stays"));
            } else {
                hint(ui, tr.t("cert.nothing_written"));
            }
        });
}

/// "A certificate is imported already: replace it with this file?", asked in a
/// dialog over the page: a bar above the details moved the certificate's
/// "检查" button 74 px down under the pointer (trial 2 minor 1), and the
/// question wants an answer before anything else on the page anyway. A click
/// beside it answers nothing.
fn replace_prompt(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    let (Some(path), Some(cert)) = (w.cert_replace(), w.certificate()) else {
        return;
    };
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let question = tr.tf(
        "cert.replace_question",
        &[
            ("mchid", cert.mchid.clone().unwrap_or_else(|| "—".into())),
            ("serial", cert.serial.clone()),
            ("file", file),
        ],
    );
    let width = (ui.ctx().content_rect().width() - 80.0).clamp(240.0, 560.0);
    egui::Modal::new(ui.make_persistent_id("cert_replace_question")).show(ui.ctx(), |ui| {
        ui.set_width(width);
        ui.label(RichText::new(question).color(super::widgets::warn_color(ui)));
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button(tr.t("cert.replace_yes")).clicked() {
                w.confirm_replace_cert();
            }
            if ui.button(tr.t("cert.replace_keep")).clicked() {
                w.cancel_replace_cert();
            }
        });
    });
}
