//! Step 1: the mini program must be WeChat-verified; individual ones never can be.

use egui::{RichText, Ui};

use super::widgets::{console_button, err_color, hint, warn_color};
use crate::app::Wizard;
use crate::app::journey::Console;
use crate::domain::profile::{Prerequisite, Step};

pub fn show(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    ui.label(tr.t("prereq.intro"));
    ui.add_space(6.0);
    ui.label(RichText::new(tr.t("prereq.rule")).strong());
    hint(ui, tr.t("prereq.where"));
    ui.add_space(8.0);
    let current = w.profile().prerequisite;
    for (choice, key) in [
        (Prerequisite::Verified, "prereq.choice_verified"),
        (Prerequisite::NotYetVerified, "prereq.choice_not_yet"),
        (Prerequisite::IndividualOwner, "prereq.choice_individual"),
    ] {
        if ui.radio(current == Some(choice), tr.t(key)).clicked() {
            w.set_prerequisite(choice);
        }
    }
    ui.add_space(8.0);
    match w.profile().prerequisite {
        Some(Prerequisite::Verified) if ui.button(tr.t("prereq.continue")).clicked() => {
            w.go_to(Step::MerchantNumber);
        }
        Some(Prerequisite::NotYetVerified) => {
            ui.label(RichText::new(tr.t("prereq.not_yet_help")).color(warn_color(ui)));
            console_button(ui, tr, Console::MiniProgramAdmin);
        }
        Some(Prerequisite::IndividualOwner) => {
            ui.label(RichText::new(tr.t("prereq.individual_stop")).color(err_color(ui)));
            ui.label(tr.t("prereq.individual_options"));
        }
        Some(Prerequisite::Verified) | None => {}
    }
}
