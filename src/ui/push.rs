//! "Send to shop backend" on the summary page: which system the shop runs, its admin
//! address, account and password (a generic receiver: its token), then the backend's
//! own values beside ours (now -> after), the send, and the field-by-field result with
//! the backend's words on a refusal.
//!
//! Nothing moves under the pointer (issue 19 item 1): every hint and blocker is drawn
//! in one area below the last field, which keeps its height while hints come and go.

use egui::{RichText, TextEdit, Ui};

use super::widgets::{err_color, hint, ok_color, section, warn_color};
use crate::app::ops::push::{PushError, Status};
use crate::app::push::PushBlocker;
use crate::app::{Busy, Wizard};
use crate::domain::backend::{BackendKind, FieldLabel, PlanRow, Warning};
use crate::domain::backend_kind::BackendPreset;
use crate::domain::profile::SecretField;
use crate::domain::sent::PushState;
use crate::i18n::Tr;

pub fn show(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    section(ui, tr.t("push_ui.title"));
    ui.label(tr.t("push_ui.intro"));
    last_push(ui, w);
    ui.add_space(4.0);
    backend_choice(ui, w);
    let kind = w.profile().backend_preset.kind();
    let held_back = address(ui, w);
    if let Some(k) = kind {
        if k.has_login() {
            credentials(ui, w);
        } else {
            token(ui, w);
        }
    }
    // asked once a frame: the hints and the button read the same list
    let blocked = w.push_blockers();
    hint_area(ui, w, held_back, &blocked);
    ui.horizontal(|ui| {
        let can = kind.is_some() && blocked.is_empty() && !w.push().is_running();
        if ui
            .add_enabled(can, egui::Button::new(tr.t("push_ui.preview")))
            .clicked()
        {
            w.start_push_preview();
        }
        if w.push().is_running() {
            ui.spinner();
            ui.label(RichText::new(tr.t("push_ui.working")).weak());
        }
    });
    preview(ui, w);
    result(ui, w);
}

/// "Sent to likeadmin, <time>": the last push, remembered with the shop (trial m7:
/// after a reopen nothing said the shop had been sent).
fn last_push(ui: &mut Ui, w: &Wizard) {
    let Some((state, line)) = w.last_push_line() else {
        return;
    };
    // green only while the shop's values and backend are those sent (trial 2 Major 1)
    // and no other shop was sent there since (trial 3 Major 2)
    let (mark, color) = match state {
        PushState::Sent => ("✓", ok_color(ui)),
        PushState::Failed | PushState::Changed | PushState::Overwritten | PushState::SentWarned => {
            ("⚠", warn_color(ui))
        }
    };
    ui.add(egui::Label::new(RichText::new(format!("{mark} {line}")).color(color)).wrap());
}

/// "Which system does the shop run?": asked once, stored in the profile. The
/// list reads as an owner knows the systems, with "another / I do not know" for
/// whoever does not (trial m15).
pub(super) fn backend_choice(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    let current = w.profile().backend_preset;
    let name = |p: BackendPreset| match p {
        BackendPreset::Unset => tr.t("push_ui.choose_backend").to_owned(),
        BackendPreset::Other => tr.t("backend.kind_choice.other").to_owned(),
        p => tr
            .t(&format!(
                "backend.kind_choice.{}",
                p.kind().unwrap_or(BackendKind::Generic).name()
            ))
            .to_owned(),
    };
    let mut chosen = None;
    ui.horizontal(|ui| {
        let l = ui.label(tr.t("push_ui.backend"));
        egui::ComboBox::from_id_salt("push_backend")
            .selected_text(name(current))
            .width(320.0)
            .show_ui(ui, |ui| {
                for k in BackendKind::ALL {
                    let this = match (k, current) {
                        // the generic receiver keeps a custom mapping already chosen
                        (BackendKind::Generic, BackendPreset::Custom) => BackendPreset::Custom,
                        _ => BackendPreset::Known(k),
                    };
                    if ui.selectable_label(current == this, name(this)).clicked() {
                        chosen = Some(this);
                    }
                }
                let other = BackendPreset::Other;
                if ui.selectable_label(current == other, name(other)).clicked() {
                    chosen = Some(other);
                }
            })
            .response
            .labelled_by(l.id);
    });
    if let Some(p) = chosen {
        let url = w.profile().backend_url.clone();
        w.set_backend(&url, p);
    }
}

/// The admin address. While typed it lives in the field's own buffer: a half-typed
/// `user:password@` never reaches the profile file. Returns whether it is held back.
fn address(ui: &mut Ui, w: &mut Wizard) -> bool {
    let tr = w.tr();
    let url_id = ui.make_persistent_id("push_url");
    let typing = ui.memory(|m| m.has_focus(url_id));
    let mut url = typing
        .then(|| ui.data(|d| d.get_temp::<String>(url_id)))
        .flatten()
        .unwrap_or_else(|| w.profile().backend_url.clone());
    let l = ui.label(tr.t("push_ui.url"));
    let changed = ui
        .add(
            TextEdit::singleline(&mut url)
                .id(url_id)
                .hint_text(tr.t("push_ui.url_example"))
                .desired_width(420.0),
        )
        .labelled_by(l.id)
        .changed();
    let clean = crate::app::push::without_userinfo(&url);
    let held_back = clean.is_none() && crate::app::push::may_hold_password(&url);
    if changed {
        let shown = clean.unwrap_or_else(|| url.clone());
        ui.data_mut(|d| d.insert_temp(url_id, shown));
        if !held_back {
            let preset = w.profile().backend_preset;
            w.set_backend(url.trim(), preset);
        }
    }
    held_back
}

fn credentials(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    let l = ui.label(tr.t("push_ui.account"));
    let mut account = w.profile().backend_account.clone();
    if ui
        .add(TextEdit::singleline(&mut account).desired_width(240.0))
        .labelled_by(l.id)
        .changed()
    {
        w.set_backend_account(&account);
    }
    let l = ui.label(tr.t("push_ui.password"));
    let mut pw = w.push_password().clone();
    if ui
        .add(
            TextEdit::singleline(pw.expose_mut())
                .password(true)
                .desired_width(240.0),
        )
        .labelled_by(l.id)
        .changed()
    {
        w.set_push_password(pw);
    }
}

fn token(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
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
        w.set_push_token(token);
    }
}

/// Every hint of the form, in one area below the last field that keeps the height of
/// all the hints this form may show at once (measured at the window's width), so a
/// hint coming or going moves no field and no button.
fn hint_area(ui: &mut Ui, w: &Wizard, held_back: bool, blocked: &[PushBlocker]) {
    let tr = w.tr();
    let kind = w.profile().backend_preset.kind();
    let custom = w.profile().backend_preset == BackendPreset::Custom;
    // "another system / I do not know": what to do instead of a push
    let other = (w.profile().backend_preset == BackendPreset::Other)
        .then(|| tr.t("backend.needs.other").to_owned());
    // a password kept by an earlier push, said as for the other secrets (trial m14)
    let kept_line = tr.t("push_ui.password_kept").to_owned();
    // said only where it will be sent: at its own address
    let kept = kind.is_some_and(|k| k.has_login())
        && w.push_password().is_empty()
        && w.push_password_kept()
        && !blocked
            .iter()
            .any(|b| matches!(b, PushBlocker::KeptElsewhere { .. }));
    // for the room its line needs: two long addresses, not the ones typed, so the
    // room stays the same while the address is typed
    let long = "https://a-rather-long-shop-backend-address.example.com:8443".to_owned();
    let elsewhere = |what| PushBlocker::KeptElsewhere {
        what,
        kept_for: long.clone(),
        url: long.clone(),
    };
    let address_help = kind.map(|k| {
        tr.t(&format!("push_ui.address_help.{}", k.name()))
            .to_owned()
    });
    let custom_line = custom.then(|| {
        tr.tf(
            "push_ui.custom_mapping",
            &[("path", w.profile().backend_mapping_file.clone())],
        )
    });
    let no_credentials = tr.t("push_ui.no_credentials_in_url").to_owned();
    // what may appear, for the room it needs: the longest way the address can be
    // wrong (it shows one at a time), and each other line
    let mut possible: Vec<String> = address_help
        .iter()
        .chain(&custom_line)
        .chain(&other)
        .cloned()
        .collect();
    possible.push(no_credentials.clone());
    let url_room = super::widgets::tallest(
        ui,
        &PushBlocker::every_url_problem()
            .iter()
            .map(|b| vec![tr.msg(b)])
            .collect::<Vec<_>>(),
    );
    let blockers: Vec<PushBlocker> = match kind {
        Some(BackendKind::Generic) => vec![PushBlocker::NoToken, elsewhere("token")],
        Some(_) => vec![
            PushBlocker::NoAccount,
            PushBlocker::NoPassword,
            elsewhere("password"),
        ],
        None => Vec::new(),
    };
    possible.extend(blockers.iter().map(|b| tr.msg(b)));
    if kind.is_some_and(|k| k.has_login()) {
        possible.push(kept_line.clone());
    }
    let width = ui.available_width();
    let room: f32 = possible
        .iter()
        .map(|l| {
            egui::WidgetText::from(RichText::new(l.as_str()).weak().small())
                .into_galley(
                    ui,
                    Some(egui::TextWrapMode::Wrap),
                    width,
                    egui::TextStyle::Body,
                )
                .size()
                .y
                + ui.spacing().item_spacing.y
        })
        .sum::<f32>()
        + if kind.is_some() {
            url_room + ui.spacing().item_spacing.y
        } else {
            0.0
        };
    // what is shown now
    let mut lines: Vec<String> = address_help
        .into_iter()
        .chain(custom_line)
        .chain(other)
        .collect();
    if held_back || w.backend_credentials_dropped() {
        lines.push(no_credentials);
    }
    if kept {
        lines.push(kept_line);
    }
    for b in blocked {
        // the window asks for what is missing rather than quoting a refused address
        if !matches!(b, PushBlocker::NoBackend) {
            lines.push(tr.msg(b));
        }
    }
    let top = ui.cursor().min.y;
    for l in &lines {
        hint(ui, l);
    }
    let used = ui.cursor().min.y - top;
    if used < room {
        ui.add_space(room - used);
    }
}

/// A push error in the window's words: what is missing is asked for by its box, not by
/// the command line's flag.
fn error_text(tr: Tr, e: &PushError) -> String {
    let blocker = match e {
        PushError::NoBackend => PushBlocker::NoBackend,
        PushError::NoUrl | PushError::InsecureUrl(_) => {
            PushBlocker::InsecureUrl { url: String::new() }
        }
        PushError::NoAccount => PushBlocker::NoAccount,
        PushError::NoPassword => PushBlocker::NoPassword,
        PushError::NoToken => PushBlocker::NoToken,
        PushError::KeptElsewhere {
            what,
            kept_for,
            url,
        } => PushBlocker::KeptElsewhere {
            what,
            kept_for: kept_for.clone(),
            url: url.clone(),
        },
        other => return tr.msg(other),
    };
    tr.msg(&blocker)
}

fn label(tr: Tr, backend: BackendKind, r: &PlanRow) -> String {
    tr.msg(&FieldLabel {
        backend,
        ours: r.ours,
        field: &r.field,
    })
}

/// What the backend holds now and what it will hold; then "send".
fn preview(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    let Some(p) = w.push_preview() else {
        return;
    };
    let p = match p {
        Ok(p) => p.clone(),
        Err(e) => {
            let text = format!("× {}", error_text(tr, e));
            ui.add(egui::Label::new(RichText::new(text).color(err_color(ui))).wrap());
            return;
        }
    };
    let backend = tr
        .t(&format!("backend.kind.{}", p.backend.name()))
        .to_owned();
    let shown = egui::Frame::group(ui.style())
        .inner_margin(8.0)
        .show(ui, |ui| {
            let heading = tr.tf(
                "push.preview_heading",
                &[("backend", backend.clone()), ("url", p.url.clone())],
            );
            ui.add(egui::Label::new(RichText::new(heading).strong()).wrap());
            let gap = 10.0;
            let total = ui.available_width() - 2.0 * gap;
            let widths = [total * 0.40, total * 0.30, total * 0.30];
            super::summary::table_row(ui, widths, gap, None, |ui, col| {
                let k = ["push_ui.col_field", "push_ui.col_now", "push_ui.col_will"][col];
                ui.add(egui::Label::new(RichText::new(tr.t(k)).strong()).wrap());
            });
            for (i, r) in p.plan.rows.iter().enumerate() {
                let fill = (i % 2 == 0).then(|| ui.visuals().faint_bg_color);
                super::summary::table_row(ui, widths, gap, fill, |ui, col| {
                    let text = match col {
                        0 => label(tr, p.backend, r),
                        1 => tr.msg(&r.now),
                        _ => tr.msg(&r.will),
                    };
                    // "*" marks a change, as the heading says (and the command line shows)
                    let text = if col == 2 && r.changes {
                        RichText::new(format!("* {text}")).strong()
                    } else {
                        RichText::new(text)
                    };
                    ui.add(egui::Label::new(text).wrap());
                });
            }
            if !p.plan.kept.is_empty() {
                ui.add(
                    egui::Label::new(
                        RichText::new(tr.msg(&crate::domain::backend::Kept {
                            backend: p.backend,
                            fields: &p.plan.kept,
                        }))
                        .weak(),
                    )
                    .wrap(),
                );
            }
            // read and left as they are (a case-1 shop's service-account AppID)
            for l in &p.plan.left {
                let line = tr.tf(
                    "push.left_row",
                    &[
                        (
                            "field",
                            tr.msg(&FieldLabel {
                                backend: p.backend,
                                ours: l.ours,
                                field: &l.field,
                            }),
                        ),
                        ("now", tr.msg(&l.now)),
                        ("why", tr.msg(l)),
                    ],
                );
                ui.add(egui::Label::new(RichText::new(line).weak()).wrap());
            }
            for c in &p.plan.cannot {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("⚠ {}", tr.msg(c))).color(warn_color(ui)),
                    )
                    .wrap(),
                );
            }
            warnings(ui, tr, &p.plan.warnings);
            let blocked = !p.plan.needs.is_empty();
            if blocked {
                let e = PushError::Needs(p.backend, p.plan.needs.clone());
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("× {}", tr.msg(&e))).color(err_color(ui)),
                    )
                    .wrap(),
                );
            }
            ui.horizontal(|ui| {
                let can = !blocked && !w.push().is_running();
                if ui
                    .add_enabled(can, egui::Button::new(tr.t("push_ui.send")))
                    .clicked()
                {
                    w.confirm_push();
                }
                if ui.button(tr.t("common.cancel")).clicked() {
                    w.close_push_preview();
                }
            });
        });
    // it opens below the button, at 1024x720 below the window's edge: brought
    // into view once, its top first (trial m6)
    bring_into_view_once(ui, w, "push_preview_shown", shown.response.rect);
}

/// What the owner should look at although everything sent is stored (a value the
/// backend holds, left as it is, that pairs with ours), in the owner's words.
fn warnings(ui: &mut Ui, tr: Tr, warnings: &[Warning]) {
    for w in warnings {
        ui.add(
            egui::Label::new(RichText::new(format!("⚠ {}", tr.msg(w))).color(warn_color(ui)))
                .wrap(),
        );
    }
}

/// Scrolls `rect` into view (its top at the top when it does not fit) once per
/// answer of the backend: when it arrives, not each time the page is visited.
fn bring_into_view_once(ui: &mut Ui, w: &Wizard, salt: &str, rect: egui::Rect) {
    let id = ui.make_persistent_id(salt);
    let answer = w.push_answers();
    if ui.data(|d| d.get_temp::<u64>(id)) != Some(answer) {
        ui.data_mut(|d| d.insert_temp(id, answer));
        ui.scroll_to_rect(rect, Some(egui::Align::TOP));
    }
}

/// The last push: its summary, the backend's words on a refusal, and per field
/// whether it was stored and read back equal.
fn result(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    match w.push() {
        Busy::Done(r) => {
            let r = r.clone();
            let top = ui.cursor().min;
            // the values or the backend changed since (another shop was sent there,
            // an address or value edited): this result is history, not a green for
            // what the backend holds now (trial 4)
            let history = matches!(
                w.last_push_line(),
                Some((PushState::Changed | PushState::Overwritten, _))
            );
            if history {
                ui.add(
                    egui::Label::new(RichText::new(tr.t("push_ui.result_history")).weak()).wrap(),
                );
            }
            // stored and checked, with a warning: not a plain green "done"
            let warned = r.ok() && !r.warnings().is_empty();
            let (mark, color) = match (r.ok(), warned) {
                _ if history => ("·", ui.visuals().weak_text_color()),
                (true, true) => ("⚠", warn_color(ui)),
                (true, false) => ("✓", ok_color(ui)),
                _ => ("×", err_color(ui)),
            };
            if let Some(f) = r.failure_message() {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("× {}", tr.msg(&f))).color(err_color(ui)),
                    )
                    .wrap(),
                );
            }
            ui.add(
                egui::Label::new(RichText::new(format!("{mark} {}", tr.msg(&r))).color(color))
                    .wrap(),
            );
            if warned {
                warnings(ui, tr, r.warnings());
            }
            let gap = 10.0;
            let total = ui.available_width() - 2.0 * gap;
            let widths = [total * 0.50, total * 0.25, total * 0.25];
            super::summary::table_row(ui, widths, gap, None, |ui, col| {
                let k = [
                    "push_ui.col_field",
                    "push_ui.col_stored",
                    "push_ui.col_checked",
                ][col];
                ui.add(egui::Label::new(RichText::new(tr.t(k)).strong()).wrap());
            });
            for (i, f) in r.fields.iter().enumerate() {
                let fill = (i % 2 == 0).then(|| ui.visuals().faint_bg_color);
                super::summary::table_row(ui, widths, gap, fill, |ui, col| {
                    let (yes, key) = match col {
                        0 => {
                            let l = tr.msg(&FieldLabel {
                                backend: r.backend,
                                ours: f.ours,
                                field: &f.field,
                            });
                            ui.add(egui::Label::new(l).wrap());
                            return;
                        }
                        // sent back as the backend held it: kept, not stored by us
                        1 if f.kept => {
                            ui.label(
                                RichText::new(format!("· {}", tr.t("push.kept_short"))).weak(),
                            );
                            return;
                        }
                        1 => (f.stored, "push.stored"),
                        _ if f.kept => (f.checked, "push.kept_checked"),
                        _ => (f.checked, "push.checked"),
                    };
                    let (text, color) = if yes && history {
                        (format!("· {}", tr.t(key)), ui.visuals().weak_text_color())
                    } else if yes {
                        (format!("✓ {}", tr.t(key)), ok_color(ui))
                    } else if r.status == Status::StoredUnchecked {
                        // a receiver without a read-back: nothing could be checked,
                        // which is not a failure (a neutral mark)
                        (
                            format!("· {}", tr.t(&format!("{key}_not"))),
                            ui.visuals().weak_text_color(),
                        )
                    } else {
                        (format!("× {}", tr.t(&format!("{key}_not"))), err_color(ui))
                    };
                    ui.label(RichText::new(text).color(color));
                });
            }
            let rect = egui::Rect::from_min_max(
                top,
                egui::pos2(ui.max_rect().right(), ui.cursor().min.y.max(top.y + 1.0)),
            );
            bring_into_view_once(ui, w, "push_result_shown", rect);
        }
        Busy::Failed(e) => {
            let text = format!("× {}", error_text(tr, e));
            ui.add(egui::Label::new(RichText::new(text).color(err_color(ui))).wrap());
        }
        _ => {}
    }
}
