//! Chinese text must render on a machine without any CJK font: we bundle a
//! subset of Noto Sans SC (SIL OFL 1.1, see assets/fonts/OFL.txt) that covers
//! every character of our texts plus the 3,500 most common Chinese characters.
//! eframe's system-font fallback still covers rarer characters (company names).

use egui::{FontData, FontDefinitions, FontFamily};

pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-subset.otf");
const CJK_FONT_NAME: &str = "noto_sans_sc_subset";

pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        CJK_FONT_NAME.to_owned(),
        FontData::from_static(CJK_FONT).into(),
    );
    // After the default Latin fonts, so Latin keeps its look and CJK falls through to us.
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push(CJK_FONT_NAME.to_owned());
    }
    ctx.set_fonts(fonts);
}
