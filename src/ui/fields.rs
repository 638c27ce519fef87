//! Step 4: every value of the backend form, validated while typing.

use egui::{RichText, Ui};

use super::UiState;
use super::widgets::{
    ERR_COLOR, WARN_COLOR, checklist, console_button, hint, ok_line, secret_field, section,
    text_field,
};
use crate::app::journey::Console;
use crate::app::verify::CheckId;
use crate::app::{Wizard, journey};
use crate::domain::fields::FieldId;

pub fn show(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    ui.label(tr.t("fields.intro"));

    section(ui, tr.t("fields.section_shop"));
    text_field(ui, w, FieldId::PaymentName);

    section(ui, tr.t("fields.section_mp"));
    console_button(ui, tr, Console::MiniProgramAdmin);
    text_field(ui, w, FieldId::MpAppId);
    ui.label(RichText::new(tr.t("fields.appsecret_warning")).color(WARN_COLOR));
    secret_field(ui, w, st, FieldId::MpAppSecret);
    super::verify::inline_checks(ui, w, &[CheckId::MpAppSecret]);

    section(ui, tr.t("fields.section_merchant"));
    text_field(ui, w, FieldId::MchId);

    section(ui, tr.t("fields.section_api_key"));
    ui.label(RichText::new(tr.t("fields.api_key_not_v3")).color(ERR_COLOR));
    checklist(ui, w, journey::API_KEY_STEPS);
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if ui.button(tr.t("fields.generate_key")).clicked() {
            let key = w.generate_api_key();
            ui.ctx().copy_text(key.expose().to_owned());
            st.key_generated = true;
        }
        hint(ui, tr.t("fields.generate_key_hint"));
    });
    if st.key_generated {
        ok_line(ui, tr.t("fields.generated_copied"));
    }
    secret_field(ui, w, st, FieldId::ApiKeyV2);
    ui.add_space(4.0);
    egui::CollapsingHeader::new(tr.t("fields.v3_optional"))
        .id_salt("v3")
        .show(ui, |ui| {
            hint(ui, tr.t("fields.v3_why"));
            secret_field(ui, w, st, FieldId::ApiKeyV3);
        });
    super::verify::inline_checks(ui, w, &[CheckId::PayMp, CheckId::PayOa]);

    if w.profile().site_kind_or_default().needs_service_account() {
        section(ui, tr.t("fields.section_oa"));
        ui.label(tr.t("fields.oa_intro"));
        text_field(ui, w, FieldId::OaAppId);
        secret_field(ui, w, st, FieldId::OaAppSecret);
        super::verify::inline_checks(ui, w, &[CheckId::OaAppSecret]);
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
