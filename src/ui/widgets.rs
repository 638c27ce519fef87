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

/// The colour of a tally of results, the same on the shop list and the
/// summary: red only when WeChat said a value is wrong, amber when a value
/// changed since its check, green only when everything that ran passed.
pub fn tally_color(ui: &Ui, t: &crate::domain::wxapi::Tally) -> Color32 {
    if t.fail > 0 {
        err_color(ui)
    } else if t.stale > 0 {
        warn_color(ui)
    } else if t.total() > 0 && t.all_good() && t.unproven == 0 {
        ok_color(ui)
    } else {
        ui.visuals().text_color()
    }
}

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
/// browser opened, so for a while the bar at the bottom shows the address to
/// copy, just in case ([`console_note`]): there it moves nothing on the page
/// (trial m12: a note beside the button pushed the items below it down).
pub fn console_button(ui: &mut Ui, tr: Tr, console: Console) {
    if ui
        .button(format!("{} ↗", tr.t(console.button_key())))
        .on_hover_text(console.url())
        .clicked()
    {
        ui.ctx().open_url(egui::OpenUrl::new_tab(console.url()));
        let now = ui.input(|i| i.time);
        ui.data_mut(|d| d.insert_temp(console_note_id(), (console.url().to_owned(), now)));
    }
}

fn console_note_id() -> egui::Id {
    egui::Id::unique("console_note")
}

/// Another page is shown: the note of a console opened on the last one goes.
pub fn console_note_follow_page(ctx: &egui::Context, page: &str) {
    let id = egui::Id::unique("console_note_page");
    let last: Option<String> = ctx.data(|d| d.get_temp(id));
    if last.as_deref() != Some(page) {
        ctx.data_mut(|d| {
            d.insert_temp(id, page.to_owned());
            d.remove::<(String, f64)>(console_note_id());
        });
    }
}

/// "Asked the browser to open <url>; if it did not, copy the address": for
/// [`BROWSER_HINT_SECS`] after a console button was clicked, in the bottom bar.
pub fn console_note(ui: &mut Ui, tr: Tr) {
    let Some((url, at)) = ui.data(|d| d.get_temp::<(String, f64)>(console_note_id())) else {
        return;
    };
    let now = ui.input(|i| i.time);
    if now - at >= BROWSER_HINT_SECS {
        ui.data_mut(|d| d.remove::<(String, f64)>(console_note_id()));
        return;
    }
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_secs_f64(
            BROWSER_HINT_SECS - (now - at),
        ));
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(tr.tf("console.opened", &[("url", url.clone())])).small());
        copy_button(ui, tr, "console_note", || url.clone());
    });
}

/// A block for lines that come and go (a field's check, "saved to the
/// keychain", a console's "opened" note) that keeps its height: at least
/// `min_rows` lines of body text, and never shorter than it has been at this
/// width. What follows stays where the user saw it while hints appear and go,
/// so a click aimed at the next field lands in it (issue 19 item 1). Use it for
/// anything drawn above a field that can change while the user is elsewhere.
pub fn steady(
    ui: &mut Ui,
    salt: impl std::hash::Hash + std::fmt::Debug,
    min_rows: f32,
    add: impl FnOnce(&mut Ui),
) {
    let min = rows_height(ui, min_rows);
    steady_min(ui, salt, min, add);
}

/// The height of `rows` lines of body text, one under another.
pub fn rows_height(ui: &Ui, rows: f32) -> f32 {
    let row = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
    (rows * row - ui.spacing().item_spacing.y).max(0.0)
}

/// The height of the tallest of `cases` at the width at hand: each case some
/// lines shown one under another (a field's messages that can appear together).
/// What a block reserves so that its longest message moves nothing below it
/// (trial M3: a three-line mix-up error pushed the next box away from a click).
pub fn tallest(ui: &Ui, cases: &[Vec<String>]) -> f32 {
    let width = ui.available_width();
    let gap = ui.spacing().item_spacing.y;
    cases
        .iter()
        .map(|lines| {
            let h: f32 = lines
                .iter()
                .map(|l| {
                    egui::WidgetText::from(l.as_str())
                        .into_galley(
                            ui,
                            Some(egui::TextWrapMode::Wrap),
                            width,
                            egui::TextStyle::Body,
                        )
                        .size()
                        .y
                        + gap
                })
                .sum();
            (h - gap).max(0.0)
        })
        .fold(0.0, f32::max)
}

/// [`steady`] with its least height given in points.
pub fn steady_min(
    ui: &mut Ui,
    salt: impl std::hash::Hash + std::fmt::Debug,
    min_height: f32,
    add: impl FnOnce(&mut Ui),
) {
    let id = ui.make_persistent_id(("steady", salt));
    let width = ui.available_width();
    // (width, tallest so far): another width wraps the text anew
    let tallest = ui
        .data(|d| d.get_temp::<(f32, f32)>(id))
        .filter(|(w, _)| (w - width).abs() < 0.5)
        .map_or(0.0, |(_, h)| h);
    let min = tallest.max(min_height);
    let height = ui
        .vertical(|ui| {
            ui.set_min_height(min);
            add(ui);
        })
        .response
        .rect
        .height();
    ui.data_mut(|d| d.insert_temp(id, (width, height.max(tallest))));
}

/// A list of steps to tick, each with its "where exactly" hint and console button.
pub fn checklist(ui: &mut Ui, w: &mut Wizard, items: &[ChecklistItem]) {
    for (n, item) in items.iter().enumerate() {
        checklist_item(ui, w, n, item);
    }
}

/// One step to tick: its text and console button (wrapped: at the window's
/// minimum width a long step and its button would otherwise widen the whole
/// page past the window's edge), and its "where exactly" hint.
fn checklist_item(ui: &mut Ui, w: &mut Wizard, n: usize, item: &ChecklistItem) {
    let tr = w.tr();
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

/// A field's text box keeps one id whatever is drawn above it: a hint that
/// appears above does not take its focus (egui numbers unnamed widgets in order).
fn field_id(ui: &Ui, f: FieldId) -> egui::Id {
    ui.make_persistent_id(("field", f.key()))
}

/// The room a field's check keeps below its box: its tallest message (or the
/// tallest set shown together), at least one line ("✓ format correct").
fn check_room(ui: &Ui, w: &Wizard, f: FieldId) -> f32 {
    let tr = w.tr();
    let cases: Vec<Vec<String>> = w
        .possible_field_problems(f)
        .iter()
        .map(|case| case.iter().map(|p| format!("× {}", tr.msg(p))).collect())
        .collect();
    tallest(ui, &cases).max(rows_height(ui, 1.0))
}

/// A field: its label and where to find it, the box, and its check in a
/// [`steady`] block that keeps room for the longest message it can show.
pub fn text_field(ui: &mut Ui, w: &mut Wizard, f: FieldId) {
    let tr = w.tr();
    ui.add_space(6.0);
    let label = field_header(ui, tr, f);
    let mut value = w.text(f).to_owned();
    let resp = ui
        .add(
            TextEdit::singleline(&mut value)
                .id(field_id(ui, f))
                .desired_width(FIELD_WIDTH),
        )
        .labelled_by(label.id);
    if resp.changed() {
        w.set_text(f, &value);
    }
    if w.take_scroll_target(f.key()) {
        resp.scroll_to_me(Some(egui::Align::Center));
        resp.request_focus();
    }
    let room = check_room(ui, w, f);
    steady_min(ui, ("status", f.key()), room, |ui| {
        validation(ui, tr, &w.field_problems(f), value.trim().is_empty())
    });
}

/// A secret field: like [`text_field`], masked, with "show", and two lines
/// kept below it: its check, and whether it is in the keychain.
pub fn secret_field(ui: &mut Ui, w: &mut Wizard, st: &mut UiState, f: FieldId) {
    let Some(sf) = f.secret() else { return };
    let tr = w.tr();
    ui.add_space(6.0);
    let label = field_header(ui, tr, f);
    let mut value: Secret = w.secret(sf);
    let reveal = st.revealed.contains(&sf);
    let id = field_id(ui, f);
    ui.horizontal(|ui| {
        let resp = ui
            .add(
                TextEdit::singleline(value.expose_mut())
                    .id(id)
                    .password(!reveal)
                    .desired_width(FIELD_WIDTH),
            )
            .labelled_by(label.id);
        if resp.changed() {
            w.set_secret(sf, value.clone());
        }
        if w.take_scroll_target(f.key()) {
            resp.scroll_to_me(Some(egui::Align::Center));
            resp.request_focus();
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
    // its check, then whether it is in the keychain
    let room = check_room(ui, w, f) + ui.spacing().item_spacing.y + rows_height(ui, 1.0);
    steady_min(ui, ("status", f.key()), room, |ui| {
        validation(ui, tr, &w.field_problems(f), value.is_empty());
        sync_status(ui, tr, w.secret_sync(sf));
    });
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
/// so and offers a path field with "use this path" (issue 8 item 1). It stands
/// in for the file window, so it opens as one, over the page: the page moves
/// nowhere under the pointer when it comes (trial m12: it pushed the push form
/// down), and it is in view wherever the button that asked was.
pub fn path_prompt(ui: &mut Ui, w: &mut Wizard, purposes: &[PickPurpose]) {
    let tr = w.tr();
    let Some(prompt) = w.path_prompt(purposes).cloned() else {
        return;
    };
    let mut go = false;
    let mut cancel = false;
    let modal = egui::Modal::new(egui::Id::unique("path_prompt")).show(ui.ctx(), |ui| {
        ui.set_max_width(FIELD_WIDTH + 160.0);
        if prompt.failed {
            // a computer without a file window is normal here: said, not red
            ui.label(tr.t("dialog.failed"));
        } else {
            ui.label(tr.t("dialog.slow"));
        }
        let mut text = prompt.text.clone();
        let l = ui.label(tr.t("dialog.path"));
        let r = ui
            .add(TextEdit::singleline(&mut text).desired_width(FIELD_WIDTH + 140.0))
            .labelled_by(l.id);
        if r.changed() {
            w.set_path_prompt_text(text.clone());
        }
        // the refusal has its line kept: the buttons below stay put when it comes
        steady(ui, "path_prompt_error", 2.0, |ui| {
            if let Some(p) = &prompt.error {
                problem_line(ui, tr, p);
            }
        });
        ui.horizontal(|ui| {
            go = ui.button(tr.t("dialog.use_path")).clicked()
                || (r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
            cancel = ui.button(tr.t("common.cancel")).clicked();
        });
    });
    if go {
        // a refusal shows from the next frame on, until the text changes
        let _ = w.use_typed_path();
    } else if cancel || modal.should_close() {
        w.cancel_path_prompt();
    }
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
