//! Step 6: every backend field with its value, what is missing, the export, and
//! the push to the shop backend (`push.rs`).
//! The field table's columns share the window's width and wrap their texts, so
//! nothing needs scrolling sideways down to the minimum window size.

use egui::{RichText, TextEdit, Ui};

use super::UiState;
use super::widgets::{err_color, hint, ok_color, ok_line, problem_line, section, warn_color};
use crate::app::worker::PickPurpose;
use crate::app::{Busy, RowStatus, Wizard};
use crate::domain::backend_form::{CERT_FILE_NAME, FormPage, FormValue, KEY_FILE_NAME};
use crate::domain::profile::SecretField;

pub fn show(ui: &mut Ui, w: &mut Wizard, _st: &mut UiState) {
    let tr = w.tr();
    // the form of the shop system the owner chose (trial m7): likeadmin's pages
    let pages = w.hand_form();
    if pages.iter().all(|p| p.path.is_none()) {
        ui.label(tr.t("summary.intro"));
    } else {
        ui.label(tr.t("summary.intro_pages"));
    }
    for (i, page) in pages.into_iter().enumerate() {
        ui.add_space(6.0);
        if let Some(path) = page.path {
            ui.label(RichText::new(tr.tf("summary.page", &[("path", path.to_owned())])).strong());
        }
        // the table's columns share the window's width and their texts wrap: it
        // never needs scrolling sideways, down to the minimum window size
        summary_table(ui, w, i, &page);
    }
    ui.add_space(6.0);
    // the same warnings go into the report
    for key in w.form_warnings() {
        ui.label(RichText::new(tr.t(key)).strong());
    }
    cert_files(ui, w);

    section(ui, tr.t("summary.missing_title"));
    let missing = w.all_missing();
    if missing.is_empty() {
        ok_line(ui, tr.t("summary.all_done"));
    }
    for m in &missing {
        // wraps at the window's width: a long reason is never cut
        ui.horizontal_wrapped(|ui| {
            let field = m
                .field
                .map(|f| format!("{}: ", tr.t(&format!("field.{}.label", f.key()))))
                .unwrap_or_default();
            ui.label(RichText::new(tr.t(&format!("step.{}.nav", m.step.key()))).weak());
            let text = format!("{field}{}", tr.msg(&m.problem));
            // only a value that is wrong is red and asks for an edit; a check that
            // has not run, or could not run (offline), asks to check again
            let (text, button) = if m.problem.is_error() {
                (RichText::new(text).color(err_color(ui)), "summary.go_fix")
            } else {
                (RichText::new(text), "summary.go_check")
            };
            ui.label(text);
            if ui.small_button(tr.t(button)).clicked() {
                w.go_fix(m);
            }
        });
    }
    let tally = w.check_tally();
    let line = tr.tf("summary.checks_line", &[("tally", tr.msg(&tally))]);
    let color = super::widgets::tally_color(ui, &tally);
    ui.label(RichText::new(line).color(color));

    ui.add_space(6.0);
    super::verify::report_button(ui, w);

    export_section(ui, w);
}

fn export_section(ui: &mut Ui, w: &mut Wizard) {
    use crate::domain::export::Format;
    let tr = w.tr();
    section(ui, tr.t("export.title"));
    ui.label(tr.t("export.intro"));
    // each format by whom it is for: the shop system, or the language and library
    let format_name = |f: Option<Format>| match f {
        None => tr.t("export.format_bundle_owner").to_owned(),
        Some(f) => tr
            .t(&format!("export_for.{}", f.name().replace('-', "_")))
            .to_owned(),
    };
    ui.horizontal(|ui| {
        let l = ui.label(tr.t("export.format"));
        let current = w.export_form().format;
        egui::ComboBox::from_id_salt("export_format")
            .selected_text(format_name(current))
            .width(320.0)
            .show_ui(ui, |ui| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                for f in std::iter::once(None).chain(Format::ALL.map(Some)) {
                    if ui.selectable_label(current == f, format_name(f)).clicked() {
                        w.export_form_mut().format = f;
                    }
                }
            })
            .response
            .labelled_by(l.id);
    });
    // the technical name, small, for the colleague who asks which one it is
    let tech = current_tech_name(w.export_form().format);
    hint(
        ui,
        &tr.tf("export.format_tech", &[("name", tech.to_owned())]),
    );
    let bundle = w.export_form().format.is_none();
    let secrets_label = if bundle {
        tr.t("export.include_secrets")
    } else {
        tr.t("export.include_secrets_plain")
    };
    ui.checkbox(&mut w.export_form_mut().include_secrets, secrets_label);
    if w.export_form().include_secrets && bundle {
        hint(ui, tr.t("export.secrets_hint"));
        let l = ui.label(tr.t("export.passphrase"));
        ui.add(TextEdit::singleline(w.export_form_mut().passphrase.expose_mut()).password(true))
            .labelled_by(l.id);
        let l = ui.label(tr.t("export.confirm"));
        ui.add(TextEdit::singleline(w.export_form_mut().confirm.expose_mut()).password(true))
            .labelled_by(l.id);
        // nothing typed yet: no red error, only what is needed
        let typed = !w.export_form().passphrase.is_empty() || !w.export_form().confirm.is_empty();
        if typed {
            for p in w.export_problems() {
                problem_line(ui, tr, &p);
            }
        } else {
            hint(ui, tr.t("export.passphrase_needed"));
        }
    }
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let can = w.export_problems().is_empty() && !w.export().is_running() && !w.dialog_open();
        let label = if bundle {
            tr.t("export.button")
        } else {
            tr.t("export.button_folder")
        };
        if ui.add_enabled(can, egui::Button::new(label)).clicked() {
            w.start_export();
        }
        if w.export().is_running() {
            ui.spinner();
        }
    });
    super::widgets::path_prompt(
        ui,
        w,
        &[PickPurpose::ExportBundle, PickPurpose::ExportFolder],
    );
    match w.export() {
        Busy::Done(path) => {
            let path = path.clone();
            ui.horizontal(|ui| {
                ok_line(
                    ui,
                    &tr.tf("notice.exported", &[("path", path.display().to_string())]),
                );
                super::widgets::open_folder_button(ui, tr, &path);
            });
        }
        Busy::Failed(e) => {
            let reason = super::causes::localize(tr, e);
            ui.label(
                RichText::new(tr.tf("notice.export_failed", &[("reason", reason)]))
                    .color(err_color(ui)),
            );
        }
        _ => {}
    }
    super::push::show(ui, w);
}

/// The export format's own name (what the CLI's `--format` takes).
fn current_tech_name(f: Option<crate::domain::export::Format>) -> &'static str {
    f.map(|f| f.name()).unwrap_or("bundle")
}

/// Every field of one page of the backend: its label, value, copy button and
/// what is known of it (trial M2): × where its format is wrong or WeChat refused
/// it, "check again" where it changed since its check, ✓ only where a current
/// reply of WeChat proved it, and only "format correct" otherwise.
fn summary_table(ui: &mut Ui, w: &mut Wizard, page_no: usize, page: &FormPage) {
    let tr = w.tr();
    let gap = 12.0;
    let total = ui.available_width() - 2.0 * gap;
    // label, value (with its copy button), check: shares that suit both the
    // long Chinese field names and the long "× …" reasons
    let widths = [total * 0.36, total * 0.34, total * 0.30];
    table_row(ui, widths, gap, None, |ui, col| {
        let key = [
            "summary.col_label",
            "summary.col_value",
            "summary.col_status",
        ][col];
        ui.add(egui::Label::new(RichText::new(tr.t(key)).strong()).wrap());
    });
    for (i, row) in page.rows.iter().enumerate() {
        let fill = (i % 2 == 0).then(|| ui.visuals().faint_bg_color);
        let (copy, value): (Option<String>, String) = match row.value {
            FormValue::Field(f) => match f.secret() {
                Some(sf) => {
                    let set = w.has_secret(sf);
                    let shown = if set {
                        tr.t("summary.secret_set")
                    } else {
                        tr.t("summary.not_set")
                    };
                    (
                        set.then(|| w.secret(sf).expose().trim().to_owned()),
                        shown.to_owned(),
                    )
                }
                None => {
                    let v = w.text(f).trim().to_owned();
                    let shown = if v.is_empty() {
                        tr.t("summary.not_set").to_owned()
                    } else {
                        v.clone()
                    };
                    ((!v.is_empty()).then_some(v), shown)
                }
            },
            // likeadmin takes the files' text, pasted: copied as the others are
            FormValue::CertificateFile if page.pastes_files => (
                w.certificate()
                    .map(|c| c.certificate_pem.trim().to_owned())
                    .filter(|t| !t.is_empty() && w.cert_usable()),
                tr.tf("summary.paste_cert", &[("file", CERT_FILE_NAME.into())]),
            ),
            FormValue::PrivateKeyFile if page.pastes_files => (
                w.has_secret(SecretField::PrivateKey)
                    .then(|| w.secret(SecretField::PrivateKey).expose().trim().to_owned()),
                tr.tf("summary.paste_key", &[("file", KEY_FILE_NAME.into())]),
            ),
            FormValue::CertificateFile => (
                None,
                tr.tf("summary.upload_cert", &[("file", CERT_FILE_NAME.into())]),
            ),
            FormValue::PrivateKeyFile => (
                None,
                tr.tf("summary.upload_key", &[("file", KEY_FILE_NAME.into())]),
            ),
        };
        let status = w.row_status(row.value);
        let mut copy = copy;
        table_row(ui, widths, gap, fill, |ui, col| match col {
            0 => {
                ui.add(egui::Label::new(row.label).wrap());
            }
            1 => {
                ui.horizontal_wrapped(|ui| {
                    ui.add(egui::Label::new(value.as_str()).wrap());
                    if let Some(text) = copy.take() {
                        super::widgets::copy_button(ui, tr, (page_no, row.label), || text);
                    }
                });
            }
            _ => status_cell(ui, tr, &status),
        });
    }
}

/// What the check column says of one value: the report's words and classes.
fn status_cell(ui: &mut Ui, tr: crate::i18n::Tr, status: &RowStatus) {
    let (class, text) = status.cell(tr);
    let color = match class {
        "ok" => ok_color(ui),
        "warn" => warn_color(ui),
        "bad" => err_color(ui),
        _ => ui.visuals().weak_text_color(),
    };
    ui.add(egui::Label::new(RichText::new(text).color(color)).wrap());
}

/// One row of three columns of the given widths, each cell's text wrapping in
/// its column; `fill` stripes the row.
pub(super) fn table_row(
    ui: &mut Ui,
    widths: [f32; 3],
    gap: f32,
    fill: Option<egui::Color32>,
    mut cell: impl FnMut(&mut Ui, usize),
) {
    let background = ui.painter().add(egui::Shape::Noop);
    let row = ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing.x = gap;
        for (col, width) in widths.into_iter().enumerate() {
            ui.allocate_ui_with_layout(
                egui::vec2(width.max(40.0), 0.0),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    ui.set_width(width.max(40.0));
                    cell(ui, col);
                },
            );
        }
    });
    if let Some(fill) = fill {
        let rect = row.response.rect.expand2(egui::vec2(2.0, 2.0));
        ui.painter()
            .set(background, egui::Shape::rect_filled(rect, 2.0, fill));
    }
}

/// Saves the two files the backend's upload boxes want, where the owner finds them.
fn cert_files(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    ui.horizontal(|ui| {
        let can = w.can_save_cert_files() && !w.cert_files().is_running() && !w.dialog_open();
        if ui
            .add_enabled(can, egui::Button::new(tr.t("summary.save_cert_files")))
            .clicked()
        {
            w.start_save_cert_files();
        }
        if w.cert_files().is_running() {
            ui.spinner();
        }
    });
    if !w.can_save_cert_files() {
        hint(ui, tr.t("summary.save_cert_files_need"));
    }
    super::widgets::path_prompt(ui, w, &[PickPurpose::CertFilesFolder]);
    match w.cert_files() {
        Busy::Done(dir) => {
            let dir = dir.clone();
            ui.horizontal(|ui| {
                ok_line(
                    ui,
                    &tr.tf(
                        "summary.cert_files_saved",
                        &[("path", dir.display().to_string())],
                    ),
                );
                super::widgets::open_folder_button(ui, tr, &dir);
            });
        }
        Busy::Failed(e) => {
            let reason = super::causes::localize(tr, e);
            ui.label(
                RichText::new(tr.tf("summary.cert_files_failed", &[("reason", reason)]))
                    .color(err_color(ui)),
            );
        }
        _ => {}
    }
}
