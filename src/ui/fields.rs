//! Step 4: every value of the backend form, validated while typing.

use egui::{RichText, Ui};

use super::UiState;
use super::widgets::{
    checklist, console_button, err_color, hint, ok_line, secret_field, section, text_field,
    warn_color,
};
use crate::app::journey::Console;
use crate::app::verify::CheckId;
use crate::app::{Wizard, journey};
use crate::domain::fields::FieldId;
use crate::domain::profile::MerchantPath;

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
    super::verify::inline_checks(ui, w, &[CheckId::MpAppSecret]);

    section(ui, tr.t("fields.section_merchant"));
    text_field(ui, w, FieldId::MchId);

    section(ui, tr.t("fields.section_api_key"));
    ui.label(RichText::new(tr.t("fields.api_key_not_v3")).color(err_color(ui)));
    api_key_v2(ui, w, st);
    ui.add_space(4.0);
    egui::CollapsingHeader::new(tr.t("fields.v3_optional"))
        .id_salt("v3")
        .show(ui, |ui| {
            hint(ui, tr.t("fields.v3_why"));
            secret_field(ui, w, st, FieldId::ApiKeyV3);
        });
    super::verify::inline_checks(ui, w, &[CheckId::PayMp]);

    if w.profile().site_kind_or_default().needs_service_account() {
        section(ui, tr.t("fields.section_oa"));
        ui.label(tr.t("fields.oa_intro"));
        console_button(ui, tr, Console::ServiceAccountAdmin);
        text_field(ui, w, FieldId::OaAppId);
        secret_field(ui, w, st, FieldId::OaAppSecret);
        super::verify::inline_checks(ui, w, &[CheckId::OaAppSecret]);
        ui.add_space(6.0);
        ui.label(RichText::new(tr.t("fields.oa_bind_title")).strong());
        checklist(ui, w, journey::SERVICE_ACCOUNT_STEPS);
        super::verify::inline_checks(ui, w, &[CheckId::PayOa]);
    }

    section(ui, tr.t("fields.section_jsapi"));
    ui.horizontal(|ui| {
        let mut on = w.profile().jsapi_enabled;
        if ui.checkbox(&mut on, tr.t("fields.jsapi_confirm")).changed() {
            w.set_jsapi_enabled(on);
        }
        console_button(ui, tr, Console::MerchantPlatform);
    });
    hint(ui, tr.t("fields.jsapi_where"));
}

/// The APIv2 key. Binding a merchant number that may already take payments,
/// the owner is asked first whether a key is in use: then they are led to find
/// it, and the generator (which would stop those payments) comes with a warning.
fn api_key_v2(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    let bind = w.profile().merchant_path == Some(MerchantPath::BindExisting);
    if !bind {
        ui.add_space(4.0);
        checklist(ui, w, journey::API_KEY_STEPS);
        generator(ui, w, false);
        secret_field(ui, w, st, FieldId::ApiKeyV2);
        return;
    }
    ui.add_space(4.0);
    ui.label(RichText::new(tr.t("fields.key_in_use_question")).strong());
    let answer = w.profile().api_key_in_use;
    for (value, key) in [
        (true, "fields.key_in_use_yes"),
        (false, "fields.key_in_use_no"),
    ] {
        if ui.radio(answer == Some(value), tr.t(key)).clicked() {
            w.set_api_key_in_use(value);
        }
    }
    match answer {
        None => hint(ui, tr.t("fields.key_in_use_why")),
        Some(true) => {
            ui.label(tr.t("fields.key_find"));
            secret_field(ui, w, st, FieldId::ApiKeyV2);
            egui::CollapsingHeader::new(tr.t("fields.key_lost"))
                .id_salt("key_lost")
                .show(ui, |ui| {
                    checklist(ui, w, journey::API_KEY_STEPS);
                    generator(ui, w, true);
                });
        }
        Some(false) => {
            checklist(ui, w, journey::API_KEY_STEPS);
            generator(ui, w, true);
            secret_field(ui, w, st, FieldId::ApiKeyV2);
        }
    }
}

/// "Generate a key for me": asks before replacing a typed key, offers undo.
fn generator(ui: &mut Ui, w: &mut Wizard, warn: bool) {
    let tr = w.tr();
    ui.add_space(4.0);
    if warn {
        ui.label(RichText::new(tr.t("fields.new_key_breaks")).color(warn_color(ui)));
    }
    ui.horizontal(|ui| {
        if ui.button(tr.t("fields.generate_key")).clicked()
            && let Some(key) = w.generate_api_key()
        {
            ui.ctx().copy_text(key.expose().to_owned());
        }
        hint(ui, tr.t("fields.generate_key_hint"));
    });
    if w.key_form().confirm_replace {
        egui::Frame::group(ui.style())
            .inner_margin(8.0)
            .show(ui, |ui| {
                ui.label(RichText::new(tr.t("fields.replace_key_question")).color(warn_color(ui)));
                ui.horizontal(|ui| {
                    if ui.button(tr.t("fields.replace_key_yes")).clicked() {
                        let key = w.confirm_replace_key();
                        ui.ctx().copy_text(key.expose().to_owned());
                    }
                    if ui.button(tr.t("common.cancel")).clicked() {
                        w.cancel_replace_key();
                    }
                });
            });
    }
    if w.key_form().generated {
        ui.horizontal(|ui| {
            ok_line(ui, tr.t("fields.generated_copied"));
            let had_one = w
                .key_form()
                .previous
                .as_ref()
                .is_some_and(|p| !p.is_empty());
            if had_one && ui.small_button(tr.t("fields.undo_generate")).clicked() {
                w.undo_generated_key();
            }
        });
    }
}
