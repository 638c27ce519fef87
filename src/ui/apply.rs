//! On the certificate step, beside "import the zip": apply for the
//! certificate here (issue 11). Company name, "make the request" (on the
//! worker), the request with a copy button for each form, the steps on the
//! merchant platform, the paste box and "check and save"; a waiting request is
//! shown again after a restart, "start over" asks first. Below the details of
//! a certificate: save the folder WXCertUtil would have left. Draws only; the
//! wizard does the work.

use egui::{RichText, TextEdit, Ui};

use super::widgets::{FIELD_WIDTH, console_button, err_color, hint, ok_line, warn_color};
use crate::app::journey::Console;
use crate::app::ops::cert_request::CertOpError;
use crate::app::worker::PickPurpose;
use crate::app::{Busy, Wizard};
use crate::domain::cert::wxcertutil::folder_name;
use crate::i18n::Tr;

pub fn show(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    let open = w.certificate().is_none() || w.pending_cert_request().is_some();
    egui::CollapsingHeader::new(RichText::new(tr.t("cert_apply.title")).strong())
        .id_salt("cert_apply")
        .default_open(open)
        .open(w.take_apply_fold().then_some(false))
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            ui.label(tr.t("cert_apply.intro"));
            ui.add_space(4.0);
            if w.profile().mchid.trim().is_empty() {
                ui.label(RichText::new(tr.t("cert_apply.no_mchid")).color(warn_color(ui)));
            } else if w.pending_cert_request().is_some() {
                waiting(ui, w, tr);
            } else {
                make(ui, w, tr);
            }
            ui.add_space(4.0);
            hint(ui, tr.t("cert_apply.unconfirmed"));
        });
}

fn running(w: &Wizard) -> bool {
    w.apply_state().is_running()
}

fn failure(ui: &mut Ui, w: &Wizard, tr: Tr) {
    if let Busy::Failed(e) = w.apply_state() {
        let text = match e {
            // the command line's words name its flags; the window has a button
            CertOpError::PendingKeyMissing => tr.t("cert_apply.pending_key_missing").to_owned(),
            CertOpError::NoPending => tr.t("cert_apply.no_pending").to_owned(),
            e => super::causes::msg(tr, e),
        };
        ui.label(RichText::new(format!("× {text}")).color(err_color(ui)));
    }
}

/// A usable certificate is there: a new request does not stop it. (One that
/// fails its checks is not "in use": nothing to reassure about.)
fn current_stays(ui: &mut Ui, w: &Wizard, tr: Tr) {
    if w.cert_usable() {
        ui.label(tr.t("cert_apply.current_stays"));
    }
}

/// No request yet: the company name and "make the request".
fn make(ui: &mut Ui, w: &mut Wizard, tr: Tr) {
    let label = ui.label(RichText::new(tr.t("cert_apply.company")).strong());
    let mut company = w.apply_company();
    let resp = ui
        .add(TextEdit::singleline(&mut company).desired_width(FIELD_WIDTH))
        .labelled_by(label.id);
    if resp.changed() {
        w.set_apply_company(company.clone());
    }
    hint(ui, tr.t("cert_apply.company_hint"));
    current_stays(ui, w, tr);
    ui.horizontal(|ui| {
        let can = !running(w) && !company.trim().is_empty();
        if ui
            .add_enabled(can, egui::Button::new(tr.t("cert_apply.make")))
            .clicked()
        {
            w.start_cert_request();
        }
        if running(w) {
            ui.spinner();
            ui.label(tr.t("cert_apply.making"));
        }
    });
    failure(ui, w, tr);
}

/// A request is waiting: show it, the steps, and the paste box.
fn waiting(ui: &mut Ui, w: &mut Wizard, tr: Tr) {
    let Some(pending) = w.pending_cert_request().cloned() else {
        return;
    };
    let time = super::local_time::show(&pending.created_at);
    ok_line(ui, &tr.tf("cert_apply.waiting", &[("time", time)]));
    current_stays(ui, w, tr);
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        copy(ui, tr, "cert_apply.copy_pem", || pending.csr_pem.clone());
        let base64 = w.pending_request_base64();
        copy(ui, tr, "cert_apply.copy_base64", || base64);
    });
    // the text itself on request: the copy buttons are what the user needs, and
    // a scroll box inside the page would catch the mouse wheel
    egui::CollapsingHeader::new(tr.t("cert_apply.request_label"))
        .id_salt("cert_apply_request")
        .default_open(false)
        .show(ui, |ui| {
            ui.add(
                TextEdit::multiline(&mut pending.csr_pem.trim_end())
                    .font(egui::TextStyle::Monospace)
                    .desired_width(ui.available_width() - scroll_bar_room(ui)),
            );
        });

    ui.add_space(6.0);
    ui.label(RichText::new(tr.t("cert_apply.steps_title")).strong());
    for key in [
        "cert_apply.step_login",
        "cert_apply.step_where",
        "cert_apply.step_paste",
        "cert_apply.step_back",
    ] {
        ui.label(tr.t(key));
    }
    hint(ui, tr.t("cert_apply.limit"));
    ui.horizontal_wrapped(|ui| console_button(ui, tr, Console::MerchantPlatform));

    ui.add_space(6.0);
    let label = ui.label(RichText::new(tr.t("cert_apply.paste_label")).strong());
    let mut paste = w.apply_paste().to_owned();
    // a box of fixed height that scrolls inside: a pasted certificate string
    // (dozens of lines) does not push "check and save" away from the pointer
    let rows = 5.0;
    let height = rows * ui.text_style_height(&egui::TextStyle::Monospace)
        + 2.0 * ui.spacing().button_padding.y
        + 6.0;
    // clear of both scroll bars (the page's and its own), which are drawn over
    // what is under them: the text's right edge stays readable (trial m17)
    let width = ui.available_width() - 2.0 * scroll_bar_room(ui);
    let resp = egui::ScrollArea::vertical()
        .id_salt("cert_apply_paste")
        .min_scrolled_height(height)
        .max_height(height)
        .max_width(width)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.add(
                TextEdit::multiline(&mut paste)
                    .font(egui::TextStyle::Monospace)
                    .desired_width(width - scroll_bar_room(ui))
                    .desired_rows(rows as usize),
            )
            .labelled_by(label.id)
        })
        .inner;
    if resp.changed() {
        w.set_apply_paste(paste.clone());
    }
    hint(ui, tr.t("cert_apply.paste_hint"));
    ui.horizontal_wrapped(|ui| {
        let can = !running(w) && !paste.trim().is_empty();
        if ui
            .add_enabled(can, egui::Button::new(tr.t("cert_apply.accept")))
            .clicked()
        {
            w.accept_cert_string();
        }
        if running(w) {
            ui.spinner();
            ui.label(tr.t("cert_apply.accepting"));
        }
        if !w.start_over_asked()
            && ui
                .add_enabled(
                    !running(w),
                    egui::Button::new(tr.t("cert_apply.start_over")),
                )
                .clicked()
        {
            w.ask_start_over();
        }
    });
    failure(ui, w, tr);
    if w.discard_key_asked() {
        egui::Frame::group(ui.style())
            .inner_margin(8.0)
            .show(ui, |ui| {
                ui.label(
                    RichText::new(tr.t("cert_apply.discard_key_question")).color(warn_color(ui)),
                );
                ui.horizontal_wrapped(|ui| {
                    if ui.button(tr.t("cert_apply.discard_key_yes")).clicked() {
                        w.confirm_discard_key();
                    }
                    if ui.button(tr.t("cert_apply.discard_key_no")).clicked() {
                        w.keep_current_key();
                    }
                });
            });
    }
    if w.start_over_asked() {
        egui::Frame::group(ui.style())
            .inner_margin(8.0)
            .show(ui, |ui| {
                ui.label(
                    RichText::new(tr.t("cert_apply.start_over_question")).color(warn_color(ui)),
                );
                ui.horizontal(|ui| {
                    if ui.button(tr.t("cert_apply.start_over_yes")).clicked() {
                        w.confirm_start_over();
                    }
                    if ui.button(tr.t("cert_apply.start_over_no")).clicked() {
                        w.keep_request();
                    }
                });
            });
    }
}

/// A copy button with its own words, which says "copied" for a moment in its
/// own place: it keeps its width, so the next button does not move.
fn copy(ui: &mut Ui, tr: Tr, key: &str, text: impl FnOnce() -> String) {
    let id = ui.scope_id().with(("cert_apply_copy", key));
    let now = ui.input(|i| i.time);
    let at: Option<f64> = ui.data(|d| d.get_temp(id));
    let copied = format!("✓ {}", tr.t("common.copied"));
    let recently = at.is_some_and(|t| now - t < 1.5);
    let widest = super::widgets::widest_text(ui, &[tr.t(key), &copied], egui::TextStyle::Button);
    let label = if recently {
        copied
    } else {
        tr.t(key).to_owned()
    };
    let button = egui::Button::new(label).min_size(egui::vec2(
        widest + 2.0 * ui.spacing().button_padding.x,
        0.0,
    ));
    if ui.add(button).clicked() {
        ui.ctx().copy_text(text());
        ui.data_mut(|d| d.insert_temp(id, now));
    }
    if recently {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(1500));
    }
}

/// Under the certificate's details: the folder WXCertUtil would have left.
pub fn save_files(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    if !w.can_save_cert_util_files() {
        return;
    }
    let mchid = w
        .certificate()
        .and_then(|c| c.mchid.clone())
        .unwrap_or_else(|| w.profile().mchid.trim().to_owned());
    let folder = folder_name(&mchid, crate::app::ops::cert_request::today());
    super::widgets::section(ui, tr.t("cert_apply.save_title"));
    hint(ui, &tr.tf("cert_apply.save_hint", &[("folder", folder)]));
    ui.label(RichText::new(format!("⚠ {}", tr.t("cert_files.key_warning"))).color(warn_color(ui)));
    ui.horizontal(|ui| {
        let busy = w.cert_util_files().is_running() || w.dialog_open();
        if ui
            .add_enabled(!busy, egui::Button::new(tr.t("cert_apply.save")))
            .clicked()
        {
            w.start_save_cert_util_files();
        }
        if w.cert_util_files().is_running() {
            ui.spinner();
            ui.label(tr.t("cert_apply.saving"));
        }
    });
    super::widgets::path_prompt(ui, w, &[PickPurpose::CertUtilFolder]);
    match w.cert_util_files() {
        Busy::Done(dir) => {
            let dir = dir.clone();
            ui.horizontal(|ui| {
                ok_line(
                    ui,
                    &tr.tf("cert_apply.saved", &[("path", dir.display().to_string())]),
                );
                super::widgets::open_folder_button(ui, tr, &dir);
            });
        }
        Busy::Failed(e) => {
            ui.label(
                RichText::new(format!("× {}", super::causes::msg(tr, e))).color(err_color(ui)),
            );
        }
        _ => {}
    }
}

/// The width a scroll bar takes at the right edge of what it scrolls (drawn
/// over the content there).
fn scroll_bar_room(ui: &Ui) -> f32 {
    let s = &ui.spacing().scroll;
    s.bar_width + s.bar_inner_margin + s.bar_outer_margin
}
