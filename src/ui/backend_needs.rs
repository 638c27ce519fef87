//! On the payment-fields step: which shop system the shop runs (asked once, stored in
//! the profile; the push on the summary page uses the same answer) and what that system
//! needs (issue 19 item 3; trial m8: in case 2 the service account's values too). The
//! needs line keeps one height whichever system is chosen, so nothing below it moves.
//! Which API key the step then leads through is `fields.rs`'s business.

use egui::{RichText, Ui};

use super::widgets::{steady_min, tallest, warn_color};
use crate::app::Wizard;
use crate::domain::backend_kind::{BackendKind, BackendPreset};

/// The needs line's text key for `preset` (in case 2 a system that writes the
/// service account's values says so).
fn needs_key(preset: BackendPreset, case_two: bool) -> String {
    match preset {
        BackendPreset::Unset => "backend.needs.unset".into(),
        BackendPreset::Other => "backend.needs.other".into(),
        p => {
            let k = p.kind().unwrap_or(BackendKind::Generic);
            if case_two && writes_service_account(k) {
                format!("backend.needs.{}_case2", k.name())
            } else {
                format!("backend.needs.{}", k.name())
            }
        }
    }
}

/// The systems whose push writes the service account's values, named on their
/// own line (the generic receiver's line says every value is sent).
fn writes_service_account(k: BackendKind) -> bool {
    k != BackendKind::Generic
}

pub fn show(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    super::push::backend_choice(ui, w);
    let case_two = w.profile().site_kind_or_default().needs_service_account();
    let preset = w.profile().backend_preset;
    let text = tr.t(&needs_key(preset, case_two));
    // room for the longest of them: choosing a system moves nothing below
    let all: Vec<Vec<String>> = [
        BackendPreset::Unset,
        BackendPreset::Other,
        BackendPreset::Known(BackendKind::Likeadmin),
        BackendPreset::Known(BackendKind::Crmeb),
        BackendPreset::Known(BackendKind::Shopxo),
        BackendPreset::Known(BackendKind::Generic),
    ]
    .into_iter()
    .map(|p| vec![tr.t(&needs_key(p, case_two)).to_owned()])
    .collect();
    let room = tallest(ui, &all);
    steady_min(ui, "backend_needs", room, |ui| {
        ui.add(egui::Label::new(RichText::new(text).color(warn_color(ui))).wrap());
    });
}
