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
        // the results are this page's content: each takes the room it needs
        check_row(ui, w, *id, true, false);
        ui.add_space(4.0);
    }
    if w.step_complete(crate::domain::profile::Step::Verify) {
        // never more than the rows above claim: what no reply proved is named
        let open = w.still_open();
        if open.is_empty() {
            ok_line(ui, tr.t("verify.all_ok"));
        } else {
            ui.label(RichText::new(format!("◇ {}", tr.msg(&open))).color(unproven_color(ui)));
        }
    } else {
        // what keeps the step from ✓, each said (trial 3 minor 1: binding ticks set
        // without 检查 left the step ○ with nothing saying why); below the rows, so
        // it comes and goes without moving them
        let left = w.step_missing(crate::domain::profile::Step::Verify);
        if !left.is_empty() {
            ui.label(RichText::new(tr.t("verify.left")).strong());
            for m in &left {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("• {}", tr.msg(&m.problem))).color(warn_color(ui)),
                    )
                    .wrap(),
                );
            }
        }
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
/// fix, WeChat's own words (folded unless something failed), when it ran, when
/// it last passed if WeChat could not be asked now, and whether the values
/// changed since. A binding item also says where the merchant sees the binding
/// and takes their confirmation. `keep_room`: beside fields, room is kept for
/// the result from the click on "check" on, so its arrival moves nothing below.
pub fn check_row(ui: &mut Ui, w: &mut Wizard, id: CheckId, with_button: bool, keep_room: bool) {
    let tr = w.tr();
    let view = w.check_view(id);
    // beside fields, a check that lacks a value says which instead of running
    // to "cannot check yet"
    let lacks = if keep_room {
        w.check_lacks(id)
    } else {
        Vec::new()
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr.msg(&id)).strong());
        if with_button
            && ui
                .add_enabled(
                    lacks.is_empty()
                        && !matches!(view, CheckView::Running | CheckView::NotNeeded(_)),
                    egui::Button::new(tr.t("verify.run")).small(),
                )
                .clicked()
        {
            w.run_checks(&[id]);
        }
    });
    ui.indent(id.key(), |ui| {
        // the result arrives while the user may be working further down: room
        // is kept for its usual answer before the click, from the start (trial
        // m12; trial 2 minor 1: kept from the click on, the box below jumped as
        // the owner went for it). Not from when the check can run: that is when
        // its last value is typed, or the keychain answers, while the owner is
        // typing below
        let room = if keep_room {
            result_room(ui, w, id)
        } else {
            0.0
        };
        super::widgets::steady_min(ui, ("check_result", id.key()), room, |ui| {
            match &view {
                CheckView::NotRun if !lacks.is_empty() => {
                    let lacking = crate::domain::wxapi::Outcome::error("missing_values")
                        .with("fields", lacks.join(", "));
                    hint(ui, &tr.msg(&lacking));
                }
                CheckView::NotRun => hint(ui, tr.t("verify.never")),
                CheckView::Running => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(tr.t("verify.running"));
                    });
                }
                CheckView::Done { record, stale } => done(ui, w, id, record, *stale),
                CheckView::NotNeeded(outcome) => {
                    ui.label(
                        RichText::new(format!(
                            "{} {}",
                            status_mark(outcome.status),
                            tr.t("verify.not_needed")
                        ))
                        .color(status_color(ui, outcome.status))
                        .strong(),
                    );
                    ui.label(tr.msg(outcome));
                }
            }
            if id.merchant_confirms() {
                binding_confirmation(ui, w, id, &view);
            }
        });
    });
}

/// The room a check's result usually takes: its head, the message of its
/// usual answer, WeChat's words (folded) and when it ran; a binding item adds
/// its confirmation box.
fn result_room(ui: &Ui, w: &Wizard, id: CheckId) -> f32 {
    let tr = w.tr();
    let usual = match id {
        CheckId::MpAppSecret | CheckId::OaAppSecret => "appsecret_ok",
        CheckId::PayMp | CheckId::PayOa => "pay_ok",
        CheckId::BindingMp | CheckId::BindingOa => "binding_unproven",
        CheckId::V3Certificates => "v3_ok",
    };
    let message = super::widgets::tallest(ui, &[vec![tr.t(&format!("check.{usual}")).to_owned()]]);
    let gap = ui.spacing().item_spacing.y;
    // its text lines, and one control's height: the folded "WeChat's words", or
    // a binding's confirmation box (a control is taller than a line of text)
    let lines = if id.merchant_confirms() { 3.0 } else { 2.0 };
    let control = ui.spacing().interact_size.y;
    super::widgets::rows_height(ui, lines) + gap + control + gap + message
}

/// A check's remembered result.
fn done(
    ui: &mut Ui,
    w: &Wizard,
    id: CheckId,
    record: &crate::app::verify::CheckRecord,
    stale: bool,
) {
    let tr = w.tr();
    let status = record.outcome.status;
    if stale {
        // the values changed since: it is headed as what it is now, never as its
        // old verdict (trial m10: "✓ passed", grey, above "changed since")
        ui.label(
            RichText::new(format!("⚠ {}", tr.t("verify.stale")))
                .color(warn_color(ui))
                .strong(),
        );
        // in words, without its mark: no ✓ for what no longer holds
        hint(
            ui,
            &tr.tf(
                "verify.stale_was",
                &[(
                    "result",
                    tr.t(&format!("check.status.{}", status.key())).to_owned(),
                )],
            ),
        );
        hint(
            ui,
            &tr.tf(
                "verify.checked_at",
                &[("time", super::local_time::show(&record.at))],
            ),
        );
        return;
    }
    let color = status_color(ui, status);
    let head = if id.merchant_confirms() && status == Status::Unproven {
        // "format correct" says nothing of a binding: whose word it rests on
        let key = if w.binding_confirmed(id) {
            "verify.binding_head_confirmed"
        } else {
            "verify.binding_head_unconfirmed"
        };
        format!("{} {}", status_mark(status), tr.t(key))
    } else {
        format!(
            "{} {}",
            status_mark(status),
            tr.t(&format!("check.status.{}", status.key()))
        )
    };
    ui.label(RichText::new(head).color(color).strong());
    // a network error's English detail, in the owner's words
    ui.label(super::causes::msg(tr, &record.outcome));
    if let Some(words) = &record.outcome.wechat {
        // WeChat's raw words ("40029 invalid code") under a green pass alarm
        // owners: folded there, open where something went wrong
        egui::CollapsingHeader::new(tr.t("verify.wechat_words_title"))
            .id_salt(("wechat_words", id.key(), status.key()))
            .default_open(status.is_problem())
            .show(ui, |ui| {
                ui.label(words.to_string());
                hint(ui, tr.t("verify.wechat_words_hint"));
            });
    }
    // local time here; the profile and the report keep UTC
    let when = tr.tf(
        "verify.checked_at",
        &[("time", super::local_time::show(&record.at))],
    );
    hint(ui, &when);
    // "could not check" does not undo an earlier pass on the same values
    if let Some(at) = w.passed_before(id) {
        let text = tr.tf(
            "verify.passed_before",
            &[("time", super::local_time::show(&at))],
        );
        ui.label(RichText::new(format!("✓ {text}")).color(ok_color(ui)));
    }
}

/// Where the merchant sees the binding (商户平台 → 产品中心 → AppID账号管理,
/// 已关联), and their "I saw it" box, like the JSAPI one. Not offered when
/// WeChat said the AppID is not bound.
fn binding_confirmation(ui: &mut Ui, w: &mut Wizard, id: CheckId, view: &CheckView) {
    let tr = w.tr();
    if matches!(view, CheckView::Done { record, stale: false } if record.outcome.status == Status::Fail)
    {
        return;
    }
    let appid = match id {
        CheckId::BindingOa => w.profile().oa_appid.trim().to_owned(),
        _ => w.profile().mp_appid.trim().to_owned(),
    };
    // a result's message says where already; before any, this line does, with
    // room for a whole AppID: typing one further up moves nothing below it
    if !matches!(view, CheckView::Done { .. }) {
        let full = tr.tf(
            "verify.binding_where",
            &[("appid", "wx0123456789abcdef".into())],
        );
        let room = super::widgets::tallest(ui, &[vec![full]]);
        super::widgets::steady_min(ui, ("binding_where", id.key()), room, |ui| {
            hint(
                ui,
                &tr.tf("verify.binding_where", &[("appid", appid.clone())]),
            );
        });
    }
    let can = !appid.is_empty() && !w.profile().mchid.trim().is_empty();
    ui.horizontal(|ui| {
        let mut on = w.binding_confirmed(id);
        if ui
            .add_enabled(
                can,
                egui::Checkbox::new(&mut on, tr.t("verify.binding_confirm")),
            )
            .changed()
        {
            w.set_binding_confirmed(id, on);
        }
        super::widgets::console_button(ui, tr, crate::app::journey::Console::MerchantPlatform);
    });
    // said once: by the result's head when there is one, else here
    let head_says_it =
        matches!(view, CheckView::Done { record, .. } if record.outcome.status == Status::Unproven);
    if !head_says_it {
        // its line kept whether ticked or not: a tick moves nothing below (trial 2
        // minor 1: the JSAPI box moved 19 px under the pointer)
        super::widgets::steady(ui, ("binding_confirmed", id.key()), 1.0, |ui| {
            if w.binding_confirmed(id) {
                ui.label(RichText::new(tr.t("verify.binding_confirmed")).color(unproven_color(ui)));
            }
        });
    }
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

/// A button that runs a group of checks, with their results below it (and
/// the items read from the same reply: a pay check's binding).
pub fn inline_checks(ui: &mut Ui, w: &mut Wizard, ids: &[CheckId]) {
    let ids: Vec<CheckId> = ids
        .iter()
        .flat_map(|id| std::iter::once(*id).chain(id.read_along()))
        .filter(|id| w.applicable_checks().contains(id))
        .collect();
    if ids.is_empty() {
        return;
    }
    ui.add_space(4.0);
    for id in ids {
        // beside fields the owner types into further down: room kept
        check_row(ui, w, id, true, true);
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
    // room for its longest message: the box below stays where it was (trial M3)
    let room = super::widgets::tallest(
        ui,
        &["public_key_id_prefix", "public_key_id_chars"]
            .map(|c| vec![tr.t(&format!("check.{c}")).to_owned()]),
    );
    super::widgets::steady_min(ui, "public_key_id_check", room, |ui| {
        if !id.trim().is_empty()
            && let Err(code) = crate::domain::wxapi::v3::check_public_key_id(&id)
        {
            ui.label(RichText::new(tr.t(&format!("check.{code}"))).color(err_color(ui)));
        }
    });
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
