//! The start page for agents with many shops: search (by name, merchant number
//! or AppID), open, new, duplicate,
//! rename, delete, bundle import, clean-up (keychain entries of no shop and
//! leftover files, removed after a confirmation); certificates expiring soon
//! stand out. A table when it fits; narrower (the minimum window size, long
//! names) each shop stacks, so every button stays reachable without scrolling.

use egui::{RichText, TextEdit, Ui};

use super::UiState;
use super::widgets::{err_color, hint, warn_color};
use crate::app::Wizard;
use crate::app::profiles::ProfileRow;
use crate::app::worker::PickPurpose;
use crate::domain::cert::EXPIRY_WARNING_DAYS;
use crate::domain::profile::{SiteKind, Step};
use crate::domain::text::printable;

/// A name being typed for a rename or duplicate of `from`.
#[derive(Default, Clone)]
pub struct NameEdit {
    pub from: String,
    pub to: String,
    pub duplicate: bool,
}

pub fn show(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    ui.horizontal(|ui| {
        let l = ui.label(tr.t("shops.search"));
        ui.add(
            TextEdit::singleline(&mut st.shop_search)
                .hint_text(tr.t("shops.search_hint"))
                .desired_width(220.0),
        )
        .labelled_by(l.id);
        if ui.button(tr.t("profile.new")).clicked() {
            st.new_profile = Some(String::new());
            st.new_profile_error = None;
        }
        if ui
            .add_enabled(
                !w.dialog_open(),
                egui::Button::new(tr.t("shops.import_bundle")),
            )
            .clicked()
        {
            w.start_import_bundle();
        }
        if ui
            .add_enabled(
                !w.profile_op_running(),
                egui::Button::new(tr.t("shops.clean_up")),
            )
            .on_hover_text(tr.t("shops.clean_up_hint"))
            .clicked()
        {
            w.start_clean_up();
        }
        if w.profile_op_running() {
            ui.spinner();
        }
    });
    super::widgets::path_prompt(ui, w, &[PickPurpose::ImportBundle]);
    bundle_prompt(ui, w);
    name_edit(ui, w, st);
    delete_confirm(ui, w, st);
    clean_up_confirm(ui, w);
    ui.add_space(6.0);

    // by name, merchant number or AppID (`ProfileRow::matches`)
    let rows: Vec<_> = w
        .profile_rows()
        .iter()
        .filter(|r| r.matches(&st.shop_search))
        .cloned()
        .collect();
    if rows.is_empty() && !w.profile_rows().is_empty() {
        let query = printable(st.shop_search.trim());
        ui.label(tr.tf("shops.no_match", &[("query", query)]));
        return;
    }
    // the table when it fits; at narrower widths (the minimum window size, long
    // names, English) each shop stacks its facts and its buttons on their own
    // lines, so every action stays reachable without scrolling sideways
    let width_id = egui::Id::unique("shops_table_width");
    let table_width: f32 = ui.data(|d| d.get_temp(width_id)).unwrap_or(0.0);
    if table_width <= ui.available_width() {
        let r = shops_table(ui, w, st, &rows);
        ui.data_mut(|d| d.insert_temp(width_id, r.rect.width()));
    } else {
        shops_stacked(ui, w, st, &rows);
    }
}

/// The widest a shop's name is drawn before it is cut short (the full name
/// shows on hover).
const NAME_MAX_WIDTH: f32 = 240.0;

fn shop_name(ui: &mut Ui, w: &Wizard, r: &ProfileRow, max_width: f32) {
    let tr = w.tr();
    let name = if r.damaged {
        format!("{} {}", r.name, tr.t("shops.damaged"))
    } else {
        r.name.clone()
    };
    ui.scope(|ui| {
        ui.set_max_width(max_width);
        ui.add(egui::Label::new(RichText::new(name).strong()).truncate());
    });
}

/// Site kind, progress, checks and certificate date of one shop, one label each.
fn shop_facts(ui: &mut Ui, w: &Wizard, r: &ProfileRow) {
    let tr = w.tr();
    ui.label(match r.site_kind {
        Some(SiteKind::MiniProgram) => tr.t("shops.kind_mp"),
        Some(SiteKind::SiteAndMiniProgram) => tr.t("shops.kind_site"),
        None => tr.t("shops.kind_unknown"),
    });
    let n = Step::ALL.iter().position(|s| *s == r.step).unwrap_or(0) + 1;
    ui.label(tr.tf(
        "shops.progress",
        &[("n", n.to_string()), ("total", Step::ALL.len().to_string())],
    ));
    match &r.checks {
        Some(t) => {
            let color = super::widgets::tally_color(ui, t);
            // "could not check" does not undo an earlier pass on the same
            // values: said here as on the step page (trial m11)
            let text = match &r.passed_before {
                Some((n, at)) => tr.tf(
                    "shops.checks_passed_before",
                    &[
                        ("tally", tr.msg(t)),
                        ("n", n.to_string()),
                        ("time", super::local_time::show(at)),
                    ],
                ),
                None => tr.msg(t),
            };
            ui.label(RichText::new(text).color(color));
        }
        // judged against the shop's secrets: still being read, or unreadable
        None if w.profile_rows_reading() => {
            ui.label(RichText::new(tr.t("tally.unknown")).weak());
        }
        None => {
            ui.label(RichText::new(tr.t("tally.unknown_keychain")).weak());
        }
    }
    match (&r.cert_not_after, r.cert_days_left) {
        (Some(date), Some(days)) => {
            let date = date.get(..10).unwrap_or("").to_owned();
            if days < 0 {
                ui.label(
                    RichText::new(tr.tf("shops.cert_expired", &[("date", date)]))
                        .color(err_color(ui))
                        .strong(),
                );
            } else if days <= EXPIRY_WARNING_DAYS {
                ui.label(
                    RichText::new(tr.tf(
                        "shops.cert_days",
                        &[("date", date), ("days", days.to_string())],
                    ))
                    .color(warn_color(ui))
                    .strong(),
                );
            } else {
                ui.label(date);
            }
        }
        _ => {
            ui.label(tr.t("shops.cert_none"));
        }
    }
}

/// Open, duplicate, rename, delete.
fn shop_actions(ui: &mut Ui, w: &mut Wizard, st: &mut UiState, r: &ProfileRow) {
    let tr = w.tr();
    let idle = !w.profile_op_running();
    if ui
        .add_enabled(idle && !r.damaged, egui::Button::new(tr.t("shops.open")))
        .clicked()
    {
        w.open_shop(&r.name);
        st.show_shops = false;
    }
    if ui
        .add_enabled(
            idle && !r.damaged,
            egui::Button::new(tr.t("shops.duplicate")),
        )
        .clicked()
    {
        st.name_edit = Some(NameEdit {
            from: r.name.clone(),
            to: format!("{} 2", r.name),
            duplicate: true,
        });
    }
    if ui
        .add_enabled(idle && !r.damaged, egui::Button::new(tr.t("shops.rename")))
        .clicked()
    {
        st.name_edit = Some(NameEdit {
            from: r.name.clone(),
            to: r.name.clone(),
            duplicate: false,
        });
    }
    if ui
        .add_enabled(idle, egui::Button::new(tr.t("shops.delete")))
        .clicked()
    {
        st.confirm_delete = Some(r.name.clone());
    }
}

fn shops_table(
    ui: &mut Ui,
    w: &mut Wizard,
    st: &mut UiState,
    rows: &[ProfileRow],
) -> egui::Response {
    let tr = w.tr();
    egui::Grid::new("shops_grid")
        .num_columns(6)
        .striped(true)
        .spacing([14.0, 6.0])
        .show(ui, |ui| {
            for h in [
                "shops.col_name",
                "shops.col_kind",
                "shops.col_progress",
                "shops.col_checks",
                "shops.col_cert",
                "",
            ] {
                ui.label(RichText::new(if h.is_empty() { "" } else { tr.t(h) }).strong());
            }
            ui.end_row();
            for r in rows {
                shop_name(ui, w, r, NAME_MAX_WIDTH);
                shop_facts(ui, w, r);
                ui.horizontal(|ui| shop_actions(ui, w, st, r));
                ui.end_row();
            }
        })
        .response
}

/// One block per shop: its name, its facts, its buttons, each wrapping at the
/// window's width.
fn shops_stacked(ui: &mut Ui, w: &mut Wizard, st: &mut UiState, rows: &[ProfileRow]) {
    for (i, r) in rows.iter().enumerate() {
        let fill = if i % 2 == 1 {
            ui.visuals().faint_bg_color
        } else {
            egui::Color32::TRANSPARENT
        };
        egui::Frame::new()
            .fill(fill)
            .inner_margin(egui::Margin::symmetric(4, 4))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                shop_name(ui, w, r, ui.available_width());
                ui.horizontal_wrapped(|ui| {
                    ui.spacing_mut().item_spacing.x = 14.0;
                    shop_facts(ui, w, r);
                });
                ui.horizontal_wrapped(|ui| shop_actions(ui, w, st, r));
            });
    }
}

/// The copy or rename prompt, as a modal over the list: opening it does not
/// move the table under the pointer.
fn name_edit(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    let Some(edit) = st.name_edit.as_mut() else {
        return;
    };
    let mut done = false;
    let mut cancel = false;
    let error = st.name_edit_error.clone();
    // the list dimmed behind it: the dialog belongs to no row it happens to cover (trial m17)
    let modal = egui::Modal::new(egui::Id::unique("shop_name_edit"))
        .backdrop_color(egui::Color32::from_black_alpha(160))
        .show(ui.ctx(), |ui| {
            ui.set_max_width(360.0);
            // a copy and a rename look alike: each says which it is
            let (prompt, confirm) = if edit.duplicate {
                ("shops.duplicate_name_for", "shops.duplicate_confirm")
            } else {
                ("shops.rename_name_for", "shops.rename_confirm")
            };
            let l = ui.label(tr.tf(prompt, &[("name", edit.from.clone())]));
            ui.add(TextEdit::singleline(&mut edit.to).desired_width(260.0))
                .labelled_by(l.id);
            // the refusal has room kept: its buttons stay under the pointer (trial m12)
            super::widgets::steady(ui, "name_edit_error", 2.0, |ui| {
                if let Some(p) = &error {
                    super::widgets::problem_line(ui, tr, p);
                }
            });
            ui.horizontal(|ui| {
                done = ui.button(tr.t(confirm)).clicked();
                cancel = ui.button(tr.t("common.cancel")).clicked();
            });
        });
    cancel |= modal.should_close();
    if done {
        let edit = edit.clone();
        let r = if edit.duplicate {
            w.duplicate_profile(&edit.from, &edit.to)
        } else {
            w.rename_profile(&edit.from, &edit.to)
        };
        match r {
            Ok(()) => {
                st.name_edit = None;
                st.name_edit_error = None;
            }
            Err(p) => st.name_edit_error = Some(p),
        }
    } else if cancel {
        st.name_edit = None;
        st.name_edit_error = None;
    }
}

/// "Delete this shop?", as a modal over the list.
fn delete_confirm(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    let Some(name) = st.confirm_delete.clone() else {
        return;
    };
    let modal = egui::Modal::new(egui::Id::unique("shop_delete")).show(ui.ctx(), |ui| {
        ui.label(
            RichText::new(tr.tf("shops.confirm_delete", &[("name", name.clone())]))
                .color(err_color(ui)),
        );
        ui.horizontal(|ui| {
            if ui.button(tr.t("shops.delete_confirm")).clicked() {
                w.delete_profile(&name);
                st.confirm_delete = None;
            }
            if ui.button(tr.t("common.cancel")).clicked() {
                st.confirm_delete = None;
            }
        });
    });
    if modal.should_close() {
        st.confirm_delete = None;
    }
}

/// What the clean-up found, as a modal: removed only when the user says so.
fn clean_up_confirm(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    let Some(found) = w.clean_up_found().cloned() else {
        return;
    };
    let (mut remove, mut cancel) = (false, false);
    let modal = egui::Modal::new(egui::Id::unique("shops_clean_up")).show(ui.ctx(), |ui| {
        ui.set_max_width(460.0);
        ui.heading(tr.t("shops.clean_up_title"));
        ui.label(RichText::new(tr.t("shops.clean_up_found")).strong());
        for name in &found.orphaned_secrets {
            ui.label(tr.tf("shops.clean_up_secrets", &[("name", name.clone())]));
        }
        for k in &found.damaged_not_touched {
            let entries = k
                .entries
                .iter()
                .map(|e| {
                    let path = std::path::Path::new(e);
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| e.clone())
                })
                .collect::<Vec<_>>()
                .join(", ");
            ui.label(tr.tf(
                "shops.clean_up_kept",
                &[
                    ("name", printable(&k.name)),
                    ("entries", printable(&entries)),
                ],
            ));
        }
        for f in &found.leftover_files {
            // the file's name, whole; where it is on hover (a long path would
            // break mid-word in the narrow dialog)
            let path = std::path::Path::new(f.path());
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| f.path().to_owned());
            ui.label(tr.tf("shops.clean_up_file", &[("file", file)]))
                .on_hover_text(f.path());
        }
        if !found.orphaned_secrets.is_empty() {
            ui.label(RichText::new(tr.t("shops.clean_up_warning")).color(warn_color(ui)));
        }
        ui.horizontal(|ui| {
            remove = ui.button(tr.t("shops.clean_up_confirm")).clicked();
            cancel = ui.button(tr.t("common.cancel")).clicked();
        });
    });
    if remove {
        w.confirm_clean_up();
    } else if cancel || modal.should_close() {
        w.cancel_clean_up();
    }
}

fn bundle_prompt(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    let Some((path, mut pass)) = w.bundle_prompt().cloned() else {
        return;
    };
    let mut go = false;
    let mut cancel = false;
    egui::Frame::group(ui.style())
        .inner_margin(8.0)
        .show(ui, |ui| {
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let l = ui.label(tr.tf("shops.passphrase_for", &[("file", file)]));
            ui.horizontal(|ui| {
                let r = ui
                    .add(
                        TextEdit::singleline(pass.expose_mut())
                            .password(true)
                            .desired_width(220.0),
                    )
                    .labelled_by(l.id);
                go = ui.button(tr.t("shops.import")).clicked()
                    || (r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
                cancel = ui.button(tr.t("common.cancel")).clicked();
            });
            hint(ui, tr.t("export.secrets_hint"));
        });
    if go {
        w.import_bundle(path, Some(pass));
    } else if cancel {
        w.cancel_bundle_prompt();
    } else {
        w.set_bundle_passphrase(pass);
    }
}
