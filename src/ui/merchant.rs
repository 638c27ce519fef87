//! Step 2: get a merchant number, by applying for a new one or binding one.

use egui::{RichText, Ui};

use super::widgets::{checklist, hint, ok_line, warn_color};
use crate::app::{Wizard, journey};
use crate::domain::profile::MerchantPath;

pub fn show(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    ui.label(tr.t("merchant.intro"));
    ui.add_space(6.0);
    let current = w.profile().merchant_path;
    for (path, key) in [
        (MerchantPath::ApplyNew, "merchant.choice_new"),
        (MerchantPath::BindExisting, "merchant.choice_bind"),
    ] {
        if ui.radio(current == Some(path), tr.t(key)).clicked() {
            w.set_merchant_path(path);
        }
    }
    let Some(path) = w.profile().merchant_path else {
        return;
    };
    ui.add_space(8.0);
    match path {
        MerchantPath::ApplyNew => {
            ui.label(RichText::new(tr.t("merchant.new_duration")).color(warn_color(ui)));
        }
        MerchantPath::BindExisting => {
            let appid = w.profile().mp_appid.trim().to_owned();
            if appid.is_empty() {
                hint(ui, tr.t("merchant.bind_need_appid"));
            } else {
                ui.horizontal(|ui| {
                    ui.label(tr.tf("merchant.bind_your_appid", &[("appid", appid.clone())]));
                    super::widgets::copy_button(ui, tr, "appid", || appid.clone());
                });
            }
        }
    }
    ui.add_space(4.0);
    checklist(ui, w, journey::merchant_checklist(path));
    ui.add_space(8.0);
    if w.step_complete(crate::domain::profile::Step::MerchantNumber) {
        ok_line(ui, tr.t("merchant.done"));
    } else if path == MerchantPath::ApplyNew {
        hint(ui, tr.t("merchant.later_hint"));
        if ui.button(tr.t("merchant.continue_later")).clicked() {
            w.continue_later();
        }
    }
}
