//! Small pieces every step uses: a validated text field, a masked secret field,
//! a checklist, problem lines and console buttons.

use std::path::Path;

use egui::{Color32, RichText, TextEdit, Ui};

use crate::app::journey::{ChecklistItem, Console};
use crate::app::worker::PickPurpose;
use crate::app::{SecretSync, Wizard};
use crate::domain::fields::FieldId;
use crate::domain::problem::{Problem, Severity};
use crate::domain::secret::Secret;
use crate::i18n::Tr;

use super::UiState;

/// Status colours for the theme shown (each at least 4.5:1 on its page).
pub fn ok_color(ui: &Ui) -> Color32 {
    super::theme::status(ui.visuals(), super::theme::Status::Ok)
}
pub fn warn_color(ui: &Ui) -> Color32 {
    super::theme::status(ui.visuals(), super::theme::Status::Warn)
}
pub fn err_color(ui: &Ui) -> Color32 {
    super::theme::status(ui.visuals(), super::theme::Status::Err)
}
pub fn unproven_color(ui: &Ui) -> Color32 {
    super::theme::status(ui.visuals(), super::theme::Status::Unproven)
}
pub const FIELD_WIDTH: f32 = 360.0;

pub fn problem_line(ui: &mut Ui, tr: Tr, p: &Problem) {
    let (icon, color) = match p.severity {
        Severity::Error => ("×", err_color(ui)),
        Severity::Warning => ("⚠", warn_color(ui)),
    };
    ui.label(RichText::new(format!("{icon} {}", tr.msg(p))).color(color));
}

pub fn ok_line(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(format!("✓ {text}")).color(ok_color(ui)));
}

pub fn hint(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).weak().small());
}

/// How long "copied" and "asked the browser" stay beside their button.
const FEEDBACK_SECS: f64 = 1.5;
const BROWSER_HINT_SECS: f64 = 30.0;

/// When the button with this id was last clicked, if within `secs`.
fn recently(ui: &Ui, id: egui::Id, secs: f64) -> bool {
    let now = ui.input(|i| i.time);
    let at: Option<f64> = ui.data(|d| d.get_temp(id));
    let fresh = at.is_some_and(|t| now - t < secs);
    if fresh {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs_f64(secs));
    }
    fresh
}

fn mark_clicked(ui: &Ui, id: egui::Id) {
    let now = ui.input(|i| i.time);
    ui.data_mut(|d| d.insert_temp(id, now));
}

/// "Copy", which says "copied" for a moment after it copied `text`.
pub fn copy_button(
    ui: &mut Ui,
    tr: Tr,
    salt: impl std::hash::Hash + std::fmt::Debug,
    text: impl FnOnce() -> String,
) {
    let id = ui.scope_id().with(("copy", salt));
    let copied = format!("✓ {}", tr.t("common.copied"));
    let label = if recently(ui, id, FEEDBACK_SECS) {
        copied.clone()
    } else {
        tr.t("common.copy").to_owned()
    };
    // as wide as its wider label: saying "copied" does not push what follows
    let widest = widest_text(ui, &[tr.t("common.copy"), &copied], egui::TextStyle::Body);
    let button = egui::Button::new(label).small().min_size(egui::vec2(
        widest + 2.0 * ui.spacing().button_padding.x,
        0.0,
    ));
    if ui.add(button).clicked() {
        ui.ctx().copy_text(text());
        mark_clicked(ui, id);
    }
}

/// Opens a WeChat console in the browser. The window cannot know whether a
/// browser opened, so for a while it shows the address to copy, just in case.
pub fn console_button(ui: &mut Ui, tr: Tr, console: Console) {
    let id = ui
        .scope_id()
        .with(("console", console.url(), console.button_key()));
    if ui
        .button(format!("{} ↗", tr.t(console.button_key())))
        .on_hover_text(console.url())
        .clicked()
    {
        ui.ctx().open_url(egui::OpenUrl::new_tab(console.url()));
        mark_clicked(ui, id);
    }
    if recently(ui, id, BROWSER_HINT_SECS) {
        let text = tr.tf("console.opened", &[("url", console.url().to_owned())]);
        ui.label(RichText::new(text).small());
        copy_button(ui, tr, id, || console.url().to_owned());
    }
}

/// A list of steps to tick, each with its "where exactly" hint and console button.
pub fn checklist(ui: &mut Ui, w: &mut Wizard, items: &[ChecklistItem]) {
    let tr = w.tr();
    for (n, item) in items.iter().enumerate() {
        // wrapped: at the window's minimum width a long step and its button
        // would otherwise widen the whole page past the window's edge
        ui.horizontal_wrapped(|ui| {
            let mut done = w.is_checked(item.id);
            let text = format!(
                "{}. {}",
                n + 1,
                tr.t(&format!("checklist.{}.text", item.id))
            );
            if ui.checkbox(&mut done, text).changed() {
                w.set_checked(item.id, done);
            }
            if let Some(c) = item.console {
                console_button(ui, tr, c);
            }
        });
        ui.indent(item.id, |ui| {
            hint(ui, tr.t(&format!("checklist.{}.hint", item.id)))
        });
    }
}

fn field_header(ui: &mut Ui, tr: Tr, f: FieldId) -> egui::Response {
    let label = ui.label(RichText::new(tr.t(&format!("field.{}.label", f.key()))).strong());
    hint(ui, tr.t(&format!("field.{}.where", f.key())));
    label
}

/// Shows the field's problems, or a green tick when it is right. An empty field
/// only gets a quiet "required" until the user has typed something.
fn validation(ui: &mut Ui, tr: Tr, problems: &[Problem], empty: bool) {
    if empty {
        if let Some(p) = problems.first() {
            ui.label(RichText::new(tr.msg(p)).weak());
        }
        return;
    }
    if problems.is_empty() {
        ok_line(ui, tr.t("field.valid"));
    }
    for p in problems {
        problem_line(ui, tr, p);
    }
}

pub fn text_field(ui: &mut Ui, w: &mut Wizard, f: FieldId) {
    let tr = w.tr();
    ui.add_space(6.0);
    let label = field_header(ui, tr, f);
    let mut value = w.text(f).to_owned();
    let resp = ui
        .add(TextEdit::singleline(&mut value).desired_width(FIELD_WIDTH))
        .labelled_by(label.id);
    if resp.changed() {
        w.set_text(f, &value);
    }
    validation(ui, tr, &w.field_problems(f), value.trim().is_empty());
}

pub fn secret_field(ui: &mut Ui, w: &mut Wizard, st: &mut UiState, f: FieldId) {
    let Some(sf) = f.secret() else { return };
    let tr = w.tr();
    ui.add_space(6.0);
    let label = field_header(ui, tr, f);
    let mut value: Secret = w.secret(sf);
    let reveal = st.revealed.contains(&sf);
    ui.horizontal(|ui| {
        let resp = ui
            .add(
                TextEdit::singleline(value.expose_mut())
                    .password(!reveal)
                    .desired_width(FIELD_WIDTH),
            )
            .labelled_by(label.id);
        if resp.changed() {
            w.set_secret(sf, value.clone());
        }
        let eye = if reveal {
            tr.t("secret.hide")
        } else {
            tr.t("secret.show")
        };
        if ui.small_button(eye).clicked() {
            if reveal {
                st.revealed.remove(&sf);
            } else {
                st.revealed.insert(sf);
            }
        }
    });
    validation(ui, tr, &w.field_problems(f), value.is_empty());
    sync_status(ui, tr, w.secret_sync(sf));
}

pub fn sync_status(ui: &mut Ui, tr: Tr, sync: Option<&SecretSync>) {
    match sync {
        Some(SecretSync::Saved) => hint(ui, tr.t("secret.saved")),
        Some(SecretSync::Pending { .. }) | Some(SecretSync::Saving) => {
            hint(ui, tr.t("secret.saving"))
        }
        Some(SecretSync::Failed(e)) => {
            ui.label(RichText::new(tr.msg(e)).color(err_color(ui)));
        }
        None => {}
    }
}

pub fn section(ui: &mut Ui, title: &str) {
    ui.add_space(10.0);
    ui.label(RichText::new(title).heading().size(17.0));
    ui.separator();
}

/// When the file dialog for one of `purposes` did not open (or is slow): says
/// so and offers a path field with "use this path" (issue 8 item 1).
pub fn path_prompt(ui: &mut Ui, w: &mut Wizard, purposes: &[PickPurpose]) {
    let tr = w.tr();
    let Some(prompt) = w.path_prompt(purposes).cloned() else {
        return;
    };
    egui::Frame::group(ui.style())
        .inner_margin(8.0)
        .show(ui, |ui| {
            if prompt.failed {
                // a computer without a file window is normal here: said, not red
                ui.label(tr.t("dialog.failed"));
            } else {
                ui.label(tr.t("dialog.slow"));
            }
            let mut text = prompt.text.clone();
            let mut go = false;
            let mut cancel = false;
            ui.horizontal(|ui| {
                let l = ui.label(tr.t("dialog.path"));
                let r = ui
                    .add(TextEdit::singleline(&mut text).desired_width(FIELD_WIDTH + 60.0))
                    .labelled_by(l.id);
                if r.changed() {
                    w.set_path_prompt_text(text.clone());
                }
                go = ui.button(tr.t("dialog.use_path")).clicked()
                    || (r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
                cancel = ui.button(tr.t("common.cancel")).clicked();
            });
            if let Some(p) = &prompt.error {
                problem_line(ui, tr, p);
            }
            if go {
                // a refusal shows from the next frame on, until the text changes
                let _ = w.use_typed_path();
            } else if cancel {
                w.cancel_path_prompt();
            }
        });
}

/// "Open its folder" for a file just written: the file manager opens there.
pub fn open_folder_button(ui: &mut Ui, tr: Tr, file: &Path) {
    let dir = if file.is_dir() {
        file
    } else {
        file.parent().unwrap_or(file)
    };
    if ui.small_button(tr.t("dialog.open_folder")).clicked() {
        ui.ctx().open_url(egui::OpenUrl::new_tab(folder_url(dir)));
    }
}

/// A `file://` address for a folder (forward slashes, as browsers and file
/// managers expect on every system).
pub fn folder_url(dir: &Path) -> String {
    let s = dir.display().to_string().replace('\\', "/");
    if s.starts_with('/') {
        format!("file://{s}")
    } else {
        format!("file:///{s}")
    }
}

/// The width of the widest of `texts` on one line: a button as wide as its
/// wider label does not move what follows when its label changes.
pub fn widest_text(ui: &egui::Ui, texts: &[&str], style: egui::TextStyle) -> f32 {
    texts
        .iter()
        .map(|t| {
            egui::WidgetText::from(*t)
                .into_galley(
                    ui,
                    Some(egui::TextWrapMode::Extend),
                    f32::INFINITY,
                    style.clone(),
                )
                .size()
                .x
        })
        .fold(0.0, f32::max)
}
