//! Step 3: which of the guide's two site kinds the shop is.

use egui::{RichText, Ui};

use super::widgets::hint;
use crate::app::Wizard;
use crate::domain::profile::SiteKind;

pub fn show(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    ui.label(tr.t("site.intro"));
    ui.add_space(6.0);
    let current = w.profile().site_kind;
    for (kind, key) in [
        (SiteKind::MiniProgram, "site.mini_program"),
        (SiteKind::SiteAndMiniProgram, "site.site_and_mini_program"),
    ] {
        if ui
            .radio(current == Some(kind), tr.t(&format!("{key}.title")))
            .clicked()
        {
            w.set_site_kind(kind);
        }
        ui.indent(key, |ui| hint(ui, tr.t(&format!("{key}.desc"))));
    }
    ui.add_space(8.0);
    ui.label(RichText::new(tr.t("site.how_to_tell")).strong());
    // a question the owner can answer, before the order type they may never have seen
    ui.label(tr.t("site.ask"));
    ui.horizontal_wrapped(|ui| {
        if ui.button(tr.t("site.ask_yes")).clicked() {
            w.set_site_kind(SiteKind::SiteAndMiniProgram);
        }
        if ui.button(tr.t("site.ask_no")).clicked() {
            w.set_site_kind(SiteKind::MiniProgram);
        }
    });
    ui.add_space(4.0);
    hint(ui, tr.t("site.ask_unsure"));
    ui.label(tr.t("site.rule"));
}
