//! Step 4: every value of the backend form, validated while typing.
//!
//! The layout rule of this page (issue 19 item 1, trial M3): nothing above a
//! field may change height while the user is elsewhere, or a click aimed at the
//! field lands on a label and what is typed next is lost. Fields come from
//! [`text_field`] / [`secret_field`], which keep room under the box for the
//! longest message its check can show (a three-line mix-up error included); any
//! other block whose lines come and go (a check's result, the key generator's
//! answer) goes in [`steady`] with room for its usual answer.
//!
//! Which API key is led through depends on the shop system (trial M4): likeadmin
//! takes the APIv3 key and has no place for the APIv2 key, so there the APIv3 key
//! gets the to-do items and the generator and the APIv2 key is folded, optional.

use egui::{RichText, Ui};

use super::UiState;
use super::widgets::{
    checklist, console_button, err_color, hint, ok_line, secret_field, section, steady, text_field,
    warn_color,
};
use crate::app::journey::Console;
use crate::app::verify::CheckId;
use crate::app::{Wizard, journey};
use crate::domain::fields::FieldId;
use crate::domain::profile::{MerchantPath, SecretField};

pub fn show(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    ui.label(tr.t("fields.intro"));

    section(ui, tr.t("fields.section_shop"));
    text_field(ui, w, FieldId::PaymentName);

    section(ui, tr.t("fields.section_mp"));
    console_button(ui, tr, Console::MiniProgramAdmin);
    text_field(ui, w, FieldId::MpAppId);
    ui.label(RichText::new(tr.t("fields.appsecret_warning")).color(warn_color(ui)));
    secret_field(ui, w, st, FieldId::MpAppSecret);
    inline_checks(ui, w, CheckId::MpAppSecret);

    section(ui, tr.t("fields.section_merchant"));
    text_field(ui, w, FieldId::MchId);

    // which shop system (asked once, the push uses it) decides which key is led through
    section(ui, tr.t("fields.section_backend"));
    super::backend_needs::show(ui, w);
    if w.needs_api_v3() {
        api_key_v3_first(ui, w, st);
    } else {
        api_key_v2_first(ui, w, st);
    }
    inline_checks(ui, w, CheckId::PayMp);

    if w.profile().site_kind_or_default().needs_service_account() {
        section(ui, tr.t("fields.section_oa"));
        ui.label(tr.t("fields.oa_intro"));
        console_button(ui, tr, Console::ServiceAccountAdmin);
        text_field(ui, w, FieldId::OaAppId);
        secret_field(ui, w, st, FieldId::OaAppSecret);
        inline_checks(ui, w, CheckId::OaAppSecret);
        ui.add_space(6.0);
        ui.label(RichText::new(tr.t("fields.oa_bind_title")).strong());
        checklist(ui, w, journey::SERVICE_ACCOUNT_STEPS);
        inline_checks(ui, w, CheckId::PayOa);
    }

    section(ui, tr.t("fields.section_jsapi"));
    // wrapped: in English at 720x480 the box and its button are wider than the
    // page, which then ran past the window's edge with its hint
    ui.horizontal_wrapped(|ui| {
        let mut on = w.profile().jsapi_enabled;
        let resp = ui.checkbox(&mut on, tr.t("fields.jsapi_confirm"));
        if resp.changed() {
            w.set_jsapi_enabled(on);
        }
        if w.take_scroll_target("jsapi") {
            resp.scroll_to_me(Some(egui::Align::Center));
        }
        console_button(ui, tr, Console::MerchantPlatform);
    });
    hint(ui, tr.t("fields.jsapi_where"));
}

/// The shop system's name, for the texts that name it.
fn backend_name(w: &Wizard) -> String {
    let tr = w.tr();
    match w.profile().backend_preset.kind() {
        Some(k) => tr.t(&format!("backend.kind.{}", k.name())).to_owned(),
        None => String::new(),
    }
}

/// The APIv2 key led through (red: not the APIv3 key), the APIv3 key folded.
fn api_key_v2_first(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    section(ui, tr.t("fields.section_api_key"));
    ui.label(RichText::new(tr.t("fields.api_key_not_v3")).color(err_color(ui)));
    guided_key(ui, w, st, SecretField::ApiKeyV2);
    ui.add_space(4.0);
    egui::CollapsingHeader::new(tr.t("fields.v3_optional"))
        .id_salt("v3")
        .open(w.scroll_target_is(FieldId::ApiKeyV3.key()).then_some(true))
        .show(ui, |ui| {
            hint(ui, tr.t("fields.v3_why"));
            secret_field(ui, w, st, FieldId::ApiKeyV3);
        });
}

/// A shop system that takes the APIv3 key (likeadmin): that key led through as
/// required, the APIv2 key folded and optional.
fn api_key_v3_first(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    let backend = backend_name(w);
    section(
        ui,
        &tr.tf("fields.v3_required", &[("backend", backend.clone())]),
    );
    ui.label(
        RichText::new(tr.tf("fields.v3_for_backend", &[("backend", backend.clone())]))
            .color(warn_color(ui)),
    );
    guided_key(ui, w, st, SecretField::ApiKeyV3);
    ui.add_space(4.0);
    egui::CollapsingHeader::new(tr.t("fields.v2_optional"))
        .id_salt("v2_optional")
        .open(w.scroll_target_is(FieldId::ApiKeyV2.key()).then_some(true))
        .show(ui, |ui| {
            hint(
                ui,
                &tr.tf("fields.v2_optional_why", &[("backend", backend)]),
            );
            secret_field(ui, w, st, FieldId::ApiKeyV2);
        });
}

/// A check beside its fields: its result arrives while the user may be typing
/// further down, so its lines are kept when they change (each check row keeps
/// room for its usual result, see `verify::check_row`).
fn inline_checks(ui: &mut Ui, w: &mut Wizard, id: CheckId) {
    steady(ui, ("inline_check", id.key()), 0.0, |ui| {
        super::verify::inline_checks(ui, w, &[id])
    });
}

/// The key the shop system takes (`ApiKeyV2` or `ApiKeyV3`), led through.
/// Binding a merchant number that may already take payments, the owner is
/// asked first whether that key is in use: then they are led to find it, and
/// the generator (which would stop those payments) comes with a warning.
fn guided_key(ui: &mut Ui, w: &mut Wizard, st: &mut UiState, key: SecretField) {
    let tr = w.tr();
    let field = if key == SecretField::ApiKeyV3 {
        FieldId::ApiKeyV3
    } else {
        FieldId::ApiKeyV2
    };
    let v3 = key == SecretField::ApiKeyV3;
    let text = |k: &str| -> &'static str {
        if v3 {
            tr.t(&format!("{k}_v3"))
        } else {
            tr.t(k)
        }
    };
    let steps = journey::key_steps(w.profile());
    let bind = w.profile().merchant_path == Some(MerchantPath::BindExisting);
    if !bind {
        ui.add_space(4.0);
        checklist(ui, w, steps);
        generator(ui, w, key, false);
        secret_field(ui, w, st, field);
        return;
    }
    ui.add_space(4.0);
    ui.label(RichText::new(text("fields.key_in_use_question")).strong());
    let answer = journey::key_in_use_answer(w.profile());
    for (value, k) in [
        (true, "fields.key_in_use_yes"),
        (false, "fields.key_in_use_no"),
    ] {
        if ui.radio(answer == Some(value), tr.t(k)).clicked() {
            w.set_key_in_use(key, value);
        }
    }
    match answer {
        None => hint(ui, tr.t("fields.key_in_use_why")),
        Some(true) => {
            ui.label(text("fields.key_find"));
            secret_field(ui, w, st, field);
            egui::CollapsingHeader::new(tr.t("fields.key_lost"))
                .id_salt(("key_lost", key.key()))
                .show(ui, |ui| {
                    checklist(ui, w, steps);
                    generator(ui, w, key, true);
                });
        }
        Some(false) => {
            checklist(ui, w, steps);
            generator(ui, w, key, true);
            secret_field(ui, w, st, field);
        }
    }
}

/// "Generate a key for me": asks before replacing a typed key, offers undo.
fn generator(ui: &mut Ui, w: &mut Wizard, key: SecretField, warn: bool) {
    let tr = w.tr();
    let v3 = key == SecretField::ApiKeyV3;
    ui.add_space(4.0);
    if warn {
        ui.label(RichText::new(tr.t("fields.new_key_breaks")).color(warn_color(ui)));
    }
    ui.horizontal_wrapped(|ui| {
        let (button, help) = if v3 {
            ("fields.generate_v3_key", "fields.generate_v3_key_hint")
        } else {
            ("fields.generate_key", "fields.generate_key_hint")
        };
        if ui.button(tr.t(button)).clicked()
            && let Some(k) = w.generate_key(key)
        {
            ui.ctx().copy_text(k.expose().to_owned());
        }
        hint(ui, tr.t(help));
    });
    // the question, then its answer, in the same kept place: one line kept for
    // "generated and copied" before it appears (trial m12), the question's box
    // comes only in answer to a click on the button just above
    let line = ui.spacing().interact_size.y;
    super::widgets::steady_min(ui, ("generator_answer", key.key()), line, |ui| {
        if w.key_form(key).confirm_replace {
            egui::Frame::group(ui.style())
                .inner_margin(8.0)
                .show(ui, |ui| {
                    ui.label(
                        RichText::new(tr.t("fields.replace_key_question")).color(warn_color(ui)),
                    );
                    ui.horizontal(|ui| {
                        if ui.button(tr.t("fields.replace_key_yes")).clicked() {
                            let k = w.confirm_replace_key(key);
                            ui.ctx().copy_text(k.expose().to_owned());
                        }
                        if ui.button(tr.t("common.cancel")).clicked() {
                            w.cancel_replace_key(key);
                        }
                    });
                });
        }
        if w.key_form(key).generated {
            ui.horizontal(|ui| {
                let done = if v3 {
                    "fields.generated_copied_v3"
                } else {
                    "fields.generated_copied"
                };
                ok_line(ui, tr.t(done));
                let had_one = w
                    .key_form(key)
                    .previous
                    .as_ref()
                    .is_some_and(|p| !p.is_empty());
                if had_one && ui.small_button(tr.t("fields.undo_generate")).clicked() {
                    w.undo_generated_key(key);
                }
            });
        }
    });
}
