//! Step 6: every backend field with its value, what is missing, and the export.
//! The field table's columns share the window's width and wrap their texts, so
//! nothing needs scrolling sideways down to the minimum window size.

use egui::{RichText, TextEdit, Ui};

use super::UiState;
use super::widgets::{err_color, hint, ok_color, ok_line, problem_line, section};
use crate::app::push::PushBlocker;
use crate::app::worker::PickPurpose;
use crate::app::{Busy, Wizard};
use crate::domain::backend_form::{CERT_FILE_NAME, FormValue, KEY_FILE_NAME, backend_form};
use crate::domain::profile::SecretField;

pub fn show(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    ui.label(tr.t("summary.intro"));
    ui.add_space(6.0);
    let rows = backend_form(w.profile().site_kind_or_default());
    // the table's columns share the window's width and their texts wrap: it
    // never needs scrolling sideways, down to the minimum window size
    summary_table(ui, w, rows);
    ui.add_space(6.0);
    ui.label(RichText::new(tr.t("summary.swapped")).strong());
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
                w.go_to(m.step);
            }
        });
    }
    let tally = w.check_tally();
    let line = tr.tf("summary.checks_line", &[("tally", tr.msg(&tally))]);
    let color = if tally.fail > 0 {
        err_color(ui)
    } else if tally.total() > 0 && tally.all_good() && tally.unproven == 0 {
        ok_color(ui)
    } else {
        ui.visuals().text_color()
    };
    ui.label(RichText::new(line).color(color));

    ui.add_space(6.0);
    super::verify::report_button(ui, w);

    export_section(ui, w, st);
}

fn export_section(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    use crate::domain::export::Format;
    let tr = w.tr();
    section(ui, tr.t("export.title"));
    ui.label(tr.t("export.intro"));
    let format_name = |f: Option<Format>| match f {
        None => tr.t("export.format_bundle_owner").to_owned(),
        Some(f) => tr.tf("export.format_dev", &[("name", f.name().to_owned())]),
    };
    ui.horizontal(|ui| {
        let l = ui.label(tr.t("export.format"));
        let current = w.export_form().format;
        egui::ComboBox::from_id_salt("export_format")
            .selected_text(format_name(current))
            .width(320.0)
            .show_ui(ui, |ui| {
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
    push_section(ui, w, st);
}

/// Send to the shop backend: address, field preset, token; a masked preview to confirm.
fn push_section(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    use crate::domain::profile::SecretField;
    use crate::domain::push::{BackendPreset, Preset};
    let tr = w.tr();
    section(ui, tr.t("push_ui.title"));
    ui.label(tr.t("push_ui.intro"));
    // While the address is being typed it lives in the field's own buffer: a
    // half-typed `user:password@` must never reach the profile file (it is saved
    // 0.3 s after each change). Otherwise the field shows the profile's address.
    let url_id = ui.make_persistent_id("push_url");
    let typing = ui.memory(|m| m.has_focus(url_id));
    let mut url = typing
        .then(|| ui.data(|d| d.get_temp::<String>(url_id)))
        .flatten()
        .unwrap_or_else(|| w.profile().backend_url.clone());
    let mut preset = w.profile().backend_preset;
    let l = ui.label(tr.t("push_ui.url"));
    let changed_url = ui
        .add(
            TextEdit::singleline(&mut url)
                .id(url_id)
                .desired_width(420.0),
        )
        .labelled_by(l.id)
        .changed();
    let clean = crate::app::push::without_userinfo(&url);
    let held_back = clean.is_none() && crate::app::push::may_hold_password(&url);
    if changed_url {
        let shown = clean.unwrap_or_else(|| url.clone());
        ui.data_mut(|d| d.insert_temp(url_id, shown));
    }
    let mut changed_preset = false;
    ui.horizontal(|ui| {
        let l = ui.label(tr.t("push_ui.preset"));
        let preset_name = |p: BackendPreset| match p {
            BackendPreset::Known(Preset::Generic) => tr.t("push_ui.preset_generic").to_owned(),
            BackendPreset::Known(other) => tr.tf(
                "push_ui.preset_product",
                &[("name", other.name().to_owned())],
            ),
            BackendPreset::Custom => BackendPreset::CUSTOM.to_owned(),
        };
        egui::ComboBox::from_id_salt("push_preset")
            .selected_text(preset_name(preset))
            .width(280.0)
            .show_ui(ui, |ui| {
                for p in Preset::ALL {
                    let this = BackendPreset::Known(p);
                    if ui
                        .selectable_label(preset == this, preset_name(this))
                        .clicked()
                    {
                        preset = this;
                        changed_preset = true;
                    }
                }
            })
            .response
            .labelled_by(l.id);
    });
    if (changed_url && !held_back) || changed_preset {
        let keep = if held_back {
            w.profile().backend_url.clone()
        } else {
            url.trim().to_owned()
        };
        w.set_backend(&keep, preset);
    }
    if held_back || w.backend_credentials_dropped() {
        hint(ui, tr.t("push_ui.no_credentials_in_url"));
    }
    let l = ui.label(tr.t("push_ui.token"));
    let mut token = w.secret(SecretField::BackendToken);
    if ui
        .add(
            TextEdit::singleline(token.expose_mut())
                .password(true)
                .desired_width(420.0),
        )
        .labelled_by(l.id)
        .changed()
    {
        w.set_secret(SecretField::BackendToken, token);
    }
    for b in w.push_blockers() {
        let text = match b {
            // the window asks for the address it is missing rather than quoting it
            PushBlocker::InsecureUrl { .. } => tr.t("push_ui.need_url").to_owned(),
            // the CLI's wording names its --token-file flag; the window its box
            PushBlocker::NoToken => tr.t("push_ui.need_token").to_owned(),
        };
        hint(ui, &text);
    }
    ui.horizontal(|ui| {
        let can = w.push_blockers().is_empty() && !w.push().is_running();
        if ui
            .add_enabled(can, egui::Button::new(tr.t("push_ui.preview")))
            .clicked()
        {
            w.reload_push_mapping();
            st.push_confirm = true;
        }
        if w.push().is_running() {
            ui.spinner();
        }
    });
    if !st.push_confirm {
        return;
    }
    egui::Frame::group(ui.style())
        .inner_margin(8.0)
        .show(ui, |ui| {
            let heading = tr.tf(
                "push.preview_heading",
                &[("url", w.profile().backend_url.clone())],
            );
            ui.label(RichText::new(heading).strong());
            match w.push_preview() {
                Ok(rows) => {
                    egui::Grid::new("push_preview")
                        .num_columns(2)
                        .show(ui, |ui| {
                            for (k, v) in rows {
                                ui.label(k);
                                ui.label(v);
                                ui.end_row();
                            }
                        });
                }
                Err(e) => {
                    let path = w.profile().backend_mapping_file.clone();
                    let text = tr.tf("push.bad_mapping", &[("path", path), ("reason", e)]);
                    ui.label(RichText::new(text).color(err_color(ui)));
                }
            }
            ui.horizontal(|ui| {
                if ui.button(tr.t("push_ui.send")).clicked() {
                    w.confirm_push();
                    st.push_confirm = false;
                }
                if ui.button(tr.t("common.cancel")).clicked() {
                    st.push_confirm = false;
                }
            });
        });
}

/// The export format's own name (what the CLI's `--format` takes).
fn current_tech_name(f: Option<crate::domain::export::Format>) -> &'static str {
    f.map(|f| f.name()).unwrap_or("bundle")
}

/// Every backend field: its label, value, copy button and status.
fn summary_table(ui: &mut Ui, w: &mut Wizard, rows: Vec<crate::domain::backend_form::FormRow>) {
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
    for (i, row) in rows.into_iter().enumerate() {
        let fill = (i % 2 == 0).then(|| ui.visuals().faint_bg_color);
        let (problems, copy, value): (Vec<_>, Option<String>, String) = match row.value {
            FormValue::Field(f) => match f.secret() {
                Some(sf) => {
                    let set = w.has_secret(sf);
                    let shown = if set {
                        tr.t("summary.secret_set")
                    } else {
                        tr.t("summary.not_set")
                    };
                    (
                        w.field_problems(f),
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
                    (w.field_problems(f), (!v.is_empty()).then_some(v), shown)
                }
            },
            FormValue::CertificateFile => {
                let p = if w.certificate().is_some() {
                    w.cert_problems()
                } else {
                    vec![crate::domain::problem::Problem::error("cert_missing")]
                };
                let shown = tr.tf("summary.upload_cert", &[("file", CERT_FILE_NAME.into())]);
                (p, None, shown)
            }
            FormValue::PrivateKeyFile => {
                let p = if w.has_secret(SecretField::PrivateKey) {
                    Vec::new()
                } else {
                    vec![crate::domain::problem::Problem::error("key_missing")]
                };
                let shown = tr.tf("summary.upload_key", &[("file", KEY_FILE_NAME.into())]);
                (p, None, shown)
            }
        };
        let mut copy = copy;
        table_row(ui, widths, gap, fill, |ui, col| match col {
            0 => {
                ui.add(egui::Label::new(row.label).wrap());
            }
            1 => {
                ui.horizontal_wrapped(|ui| {
                    ui.add(egui::Label::new(value.as_str()).wrap());
                    if let Some(text) = copy.take() {
                        super::widgets::copy_button(ui, tr, row.label, || text);
                    }
                });
            }
            _ => {
                match problems.iter().find(|p| p.is_error()) {
                    None => ui.label(RichText::new("✓").color(ok_color(ui))),
                    Some(p) => ui.add(
                        egui::Label::new(
                            RichText::new(format!("× {}", tr.msg(p))).color(err_color(ui)),
                        )
                        .wrap(),
                    ),
                };
            }
        });
    }
}

/// One row of three columns of the given widths, each cell's text wrapping in
/// its column; `fill` stripes the row.
fn table_row(
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
