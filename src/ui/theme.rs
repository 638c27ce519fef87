//! How the window looks: it follows the system's light or dark setting (most
//! Windows users run light), and its quiet text (the where-to-find hints, the
//! save status) stays readable: at least WCAG AA contrast (4.5:1) against the
//! page and at least [`MIN_HINT_PX`] high. egui's defaults draw hints at 9 px
//! in a grey of about 2.5:1 on the dark page (issue 8 item 13).

use egui::{Color32, FontId, TextStyle, Theme, ThemePreference};

/// The smallest text the window draws (egui's `Small` style).
pub const MIN_HINT_PX: f32 = 12.5;

/// WCAG AA for normal text.
pub const MIN_CONTRAST: f32 = 4.5;

pub fn install(ctx: &egui::Context) {
    ctx.options_mut(|o| o.theme_preference = ThemePreference::System);
    for theme in [Theme::Dark, Theme::Light] {
        ctx.style_mut_of(theme, |s| {
            s.text_styles
                .insert(TextStyle::Small, FontId::proportional(MIN_HINT_PX));
            let (body, weak) = match theme {
                // on egui's page greys: 27 (dark) and 248 (light)
                Theme::Dark => (Color32::from_gray(210), Color32::from_gray(165)),
                Theme::Light => (Color32::from_gray(35), Color32::from_gray(85)),
            };
            // body text (and the titles drawn in it) a step stronger than egui's 140 / 80
            s.visuals.widgets.noninteractive.fg_stroke.color = body;
            s.visuals.weak_text_color = Some(weak);
        });
    }
}

/// What a status colour says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warn,
    Err,
    /// "Format right, cannot be proven online": neither the green of proof nor
    /// the red of a wrong value.
    Unproven,
}

/// The status colour for these visuals: brighter on the dark page, deeper on
/// the light one, so each keeps AA contrast (one colour cannot do both).
pub fn status(v: &egui::Visuals, s: Status) -> Color32 {
    match (v.dark_mode, s) {
        (true, Status::Ok) => Color32::from_rgb(0x4c, 0xc9, 0x74),
        (true, Status::Warn) => Color32::from_rgb(0xe8, 0xa3, 0x3a),
        (true, Status::Err) => Color32::from_rgb(0xff, 0x6b, 0x6b),
        (false, Status::Ok) => Color32::from_rgb(0x13, 0x73, 0x3a),
        (false, Status::Warn) => Color32::from_rgb(0x9a, 0x5b, 0x00),
        (false, Status::Err) => Color32::from_rgb(0xb4, 0x1e, 0x1e),
        (true, Status::Unproven) => Color32::from_rgb(0x7d, 0xb0, 0xff),
        (false, Status::Unproven) => Color32::from_rgb(0x1f, 0x57, 0xb0),
    }
}

/// WCAG 2 contrast ratio of two opaque colours (1 to 21).
pub fn contrast(a: Color32, b: Color32) -> f32 {
    fn channel(c: u8) -> f32 {
        let c = f32::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }
    fn luminance(c: Color32) -> f32 {
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    }
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 0.01);
        // #767676 on white is the classic 4.54:1
        let grey = Color32::from_gray(0x76);
        assert!((contrast(grey, Color32::WHITE) - 4.54).abs() < 0.02);
    }

    #[test]
    fn hints_and_body_text_meet_aa_in_both_themes() {
        let ctx = egui::Context::default();
        install(&ctx);
        assert_eq!(ctx.options(|o| o.theme_preference), ThemePreference::System);
        for theme in [Theme::Dark, Theme::Light] {
            let style = ctx.style_of(theme);
            let v = &style.visuals;
            for (what, fg) in [("hint", v.weak_text_color()), ("body", v.text_color())] {
                let c = contrast(fg, v.panel_fill);
                assert!(c >= MIN_CONTRAST, "{theme:?} {what}: {c:.2}:1");
            }
            for st in [Status::Ok, Status::Warn, Status::Err] {
                let c = contrast(status(v, st), v.panel_fill);
                assert!(c >= MIN_CONTRAST, "{theme:?} {st:?}: {c:.2}:1");
            }
            let small = style.text_styles[&TextStyle::Small].size;
            assert!(small >= MIN_HINT_PX, "{theme:?}: {small} px");
        }
    }
}
