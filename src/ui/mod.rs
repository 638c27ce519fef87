//! The egui face: one file per wizard step, each only drawing and forwarding the
//! user's edits to [`Wizard`]. No I/O and no business rules here.

mod apply;
mod backend_needs;
mod causes;
mod certificate;
mod fields;
pub mod fonts;
pub mod local_time;
mod merchant;
mod prerequisite;
mod push;
mod shops;
mod site_kind;
mod summary;
pub mod theme;
mod verify;
mod widgets;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Color32, RichText, Ui};

use crate::app::{KeychainState, NoticeLevel, Services, Wizard};
use crate::domain::problem::Problem;
use crate::domain::profile::{SecretField, Step};
use crate::i18n::{Lang, Tr};
use widgets::{err_color, ok_color, warn_color};

/// What only the GUI needs: not saved, not part of the wizard's rules.
#[derive(Default)]
pub struct UiState {
    pub revealed: BTreeSet<SecretField>,
    pub new_profile: Option<String>,
    pub new_profile_error: Option<Problem>,
    /// The start page instead of the wizard.
    pub show_shops: bool,
    pub shop_search: String,
    pub name_edit: Option<shops::NameEdit>,
    pub name_edit_error: Option<Problem>,
    pub confirm_delete: Option<String>,
    /// The shop the page state above belongs to; another shop starts afresh.
    pub shop: String,
    /// The page shown and the tallest the bottom bar has been on it: the bar keeps
    /// that room while the page stays, so a notice that fades or is dismissed
    /// moves nothing on the page (third window trial, minor 3: a scrolled page
    /// jumped 23 px under the pointer when a notice timed out).
    pub bottom_room: (String, f32),
}

impl UiState {
    /// Forgets the page state of another shop (revealed secrets).
    fn follow_shop(&mut self, name: &str) {
        if self.shop != name {
            self.shop = name.to_owned();
            self.revealed.clear();
        }
    }
}

pub struct WizardApp {
    pub wizard: Wizard,
    pub ui_state: UiState,
}

impl WizardApp {
    pub fn new(ctx: &egui::Context, services: Services) -> WizardApp {
        fonts::install(ctx);
        theme::install(ctx);
        let repaint_ctx = ctx.clone();
        let waker = Arc::new(move || repaint_ctx.request_repaint());
        let mut wizard = Wizard::new(services, waker);
        // an agent with many shops starts on the list; a merchant with one, in
        // the wizard; anyone who left inside a shop comes back to it
        let show_shops = wizard.profile_names().len() > 1 && !wizard.resumed_shop();
        if show_shops {
            wizard.refresh_profile_rows();
        }
        WizardApp {
            wizard,
            ui_state: UiState {
                show_shops,
                ..UiState::default()
            },
        }
    }
}

impl eframe::App for WizardApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.wizard.tick(Instant::now());
        let dropped: Vec<_> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            self.wizard.go_to(Step::Certificate);
            self.wizard.import_cert(&path);
        }
        if self.wizard.busy() {
            // autosave timers and background results: look again soon
            ctx.request_repaint_after(Duration::from_millis(100));
        } else if let Some(at) = self.wizard.save_retry_at() {
            // a save refused while another window held the shop is tried again
            ctx.request_repaint_after(at.saturating_duration_since(Instant::now()));
        } else if self.wizard.notices_fading() {
            ctx.request_repaint_after(Duration::from_millis(500));
        }
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        draw(ui, &mut self.wizard, &mut self.ui_state);
        first_frame_probe(ui.ctx());
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.wizard.shutdown();
    }
}

pub fn draw(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    st.follow_shop(&w.profile().name);
    window_title(ui.ctx(), tr);
    // a console's note belongs to the page its button is on
    let page = if st.show_shops {
        format!("shops/{}", w.profile().name)
    } else {
        format!("{}/{}", w.step().key(), w.profile().name)
    };
    widgets::console_note_follow_page(ui.ctx(), &page);
    egui::Panel::top("top").show(ui, |ui| top_bar(ui, w, st));
    let wizard_nav = !st.show_shops;
    let room = if st.bottom_room.0 == page {
        st.bottom_room.1
    } else {
        0.0
    };
    let bar = egui::Panel::bottom("bottom")
        .min_size(room)
        .show(ui, |ui| bottom_bar(ui, w, wizard_nav));
    st.bottom_room = (page.clone(), room.max(bar.response.rect.height()));
    if wizard_nav {
        egui::Panel::left("steps")
            .resizable(false)
            .default_size(190.0)
            .show(ui, |ui| step_list(ui, w));
    }
    egui::CentralPanel::default().show(ui, |ui| {
        let hovering = ui.ctx().input(|i| !i.raw.hovered_files.is_empty());
        if hovering {
            drop_overlay(ui, tr);
        }
        let mut page = egui::ScrollArea::vertical().auto_shrink([false, false]);
        if w.take_scroll_to_top() {
            page = page.vertical_scroll_offset(0.0);
        }
        page.show(ui, |ui| {
            if st.show_shops {
                ui.label(RichText::new(tr.t("shops.title")).heading());
                ui.add_space(4.0);
                shops::show(ui, w, st);
                return;
            }
            ui.label(RichText::new(tr.t(&format!("step.{}.title", w.step().key()))).heading());
            ui.add_space(4.0);
            // sections opened and closed belong to the shop: their ids carry its name
            let shop = w.profile().name.clone();
            ui.push_id(shop, |ui| match w.step() {
                Step::Prerequisite => prerequisite::show(ui, w),
                Step::MerchantNumber => merchant::show(ui, w),
                Step::SiteKind => site_kind::show(ui, w),
                Step::Fields => fields::show(ui, w, st),
                Step::Certificate => certificate::show(ui, w),
                Step::Verify => verify::show(ui, w),
                Step::Summary => summary::show(ui, w, st),
            });
            ui.add_space(20.0);
        });
    });
    w.set_on_shop_list(st.show_shops);
}

/// The title bar speaks the window's language: the window opens with the
/// system's, and the user may have chosen another (issue 19 item 8). Asked
/// for once per change, not every frame.
fn window_title(ctx: &egui::Context, tr: Tr) {
    let id = egui::Id::unique("window_title");
    let title = tr.t("app.title");
    if ctx.data(|d| d.get_temp::<&'static str>(id)) != Some(title) {
        ctx.data_mut(|d| d.insert_temp(id, title));
        ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.to_owned()));
    }
}

/// "Drop to import", over the page rather than above it: the page stays put.
fn drop_overlay(ui: &mut Ui, tr: Tr) {
    let rect = ui.max_rect();
    egui::Area::new(egui::Id::unique("drop_overlay"))
        .order(egui::Order::Foreground)
        .fixed_pos(rect.min)
        .interactable(false)
        .show(ui.ctx(), |ui| {
            egui::Frame::new()
                .fill(ui.visuals().panel_fill.gamma_multiply(0.9))
                .stroke(egui::Stroke::new(2.0, ok_color(ui)))
                .corner_radius(6.0)
                .show(ui, |ui| {
                    ui.set_min_size(rect.size() - egui::vec2(4.0, 4.0));
                    ui.centered_and_justified(|ui| {
                        ui.label(
                            RichText::new(tr.t("cert.drop_here"))
                                .heading()
                                .color(ok_color(ui)),
                        );
                    });
                });
        });
}

fn top_bar(ui: &mut Ui, w: &mut Wizard, st: &mut UiState) {
    let tr = w.tr();
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr.t("app.title")).strong().size(18.0));
        ui.separator();
        let label = ui.label(tr.t("profile.label"));
        let current = w.profile().name.clone();
        let mut chosen = None;
        egui::ComboBox::from_id_salt("profile")
            .selected_text(&current)
            .show_ui(ui, |ui| {
                for name in w.profile_names() {
                    if ui.selectable_label(*name == current, name).clicked() {
                        chosen = Some(name.clone());
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if let Some(name) = chosen {
            w.switch_profile(&name);
            st.show_shops = false;
        }
        if ui.button(tr.t("profile.new")).clicked() {
            st.new_profile = Some(String::new());
            st.new_profile_error = None;
        }
        if ui
            .selectable_label(st.show_shops, tr.t("shops.open_list"))
            .clicked()
        {
            st.show_shops = !st.show_shops;
            if st.show_shops {
                w.refresh_profile_rows();
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            for lang in [Lang::En, Lang::ZhCn] {
                let name = match lang {
                    Lang::ZhCn => "中文",
                    Lang::En => "English",
                };
                if ui.selectable_label(w.lang() == lang, name).clicked() {
                    w.set_lang(lang);
                }
            }
        });
    });
    // the new shop's name is asked in a dialog over the window: a bar opening
    // under the top bar moved the whole page down (trial m12)
    if let Some(name) = st.new_profile.as_mut() {
        let mut create = false;
        let mut cancel = false;
        let error = st.new_profile_error.clone();
        let modal = egui::Modal::new(egui::Id::unique("new_shop")).show(ui.ctx(), |ui| {
            ui.set_max_width(360.0);
            let label = ui.label(tr.t("profile.new_name"));
            let resp = ui
                .add(egui::TextEdit::singleline(name).desired_width(260.0))
                .labelled_by(label.id);
            if resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                create = true;
            }
            // its refusal has room kept: the buttons stay under the pointer
            widgets::steady(ui, "new_shop_error", 2.0, |ui| {
                if let Some(p) = &error {
                    widgets::problem_line(ui, tr, p);
                }
            });
            ui.horizontal(|ui| {
                create |= ui.button(tr.t("profile.create")).clicked();
                cancel = ui.button(tr.t("common.cancel")).clicked();
            });
        });
        cancel |= modal.should_close();
        if create {
            let name = name.clone();
            match w.create_profile(&name) {
                Ok(()) => {
                    st.new_profile = None;
                    st.new_profile_error = None;
                    st.show_shops = false;
                }
                Err(p) => st.new_profile_error = Some(p),
            }
        } else if cancel {
            st.new_profile = None;
        }
    }
    keychain_banner(ui, w);
}

fn keychain_banner(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    if let KeychainState::Unavailable(e) = w.keychain().clone() {
        egui::Frame::new()
            .fill(err_color(ui).gamma_multiply(0.15))
            .inner_margin(6.0)
            .show(ui, |ui| {
                ui.label(RichText::new(tr.msg(&e)).color(err_color(ui)));
                ui.label(tr.t("keychain.banner_help"));
                if ui.button(tr.t("keychain.retry")).clicked() {
                    w.retry_keychain();
                }
            });
    }
}

fn step_list(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    // one line per step in every language: the panel fits the longest name
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
    ui.add_space(8.0);
    for (n, step) in Step::ALL.into_iter().enumerate() {
        let enabled = w.can_visit(step);
        let mark = if step == Step::Summary {
            "  "
        } else if w.step_complete(step) {
            "✓"
        } else {
            "○"
        };
        let text = format!(
            "{mark} {}. {}",
            n + 1,
            tr.t(&format!("step.{}.nav", step.key()))
        );
        let resp = ui.add_enabled(enabled, egui::Button::selectable(w.step() == step, text));
        if resp.clicked() {
            w.go_to(step);
        }
    }
}

/// Notices, and the wizard's Back / Next when a wizard step is shown.
fn bottom_bar(ui: &mut Ui, w: &mut Wizard, wizard_nav: bool) {
    // laid out from the bottom: the buttons keep their place at the window's
    // foot while notices above them come and go (trial 4: a notice that timed
    // out moved them 23 px under the pointer)
    ui.with_layout(egui::Layout::bottom_up(egui::Align::Min), |ui| {
        nav_row(ui, w, wizard_nav);
        notices(ui, w);
        widgets::console_note(ui, w.tr());
    });
}

/// The notices, the newest nearest the buttons, each with its × to dismiss.
fn notices(ui: &mut Ui, w: &mut Wizard) {
    let tr = w.tr();
    let mut dismiss = None;
    // bottom-up: drawn last first, so they read top-down in their order
    for (i, n) in w.notices().iter().enumerate().rev() {
        let color = match n.level {
            NoticeLevel::Info => Color32::GRAY,
            NoticeLevel::Success => ok_color(ui),
            NoticeLevel::Warning => warn_color(ui),
            NoticeLevel::Error => err_color(ui),
        };
        // system and network errors in the owner's words
        let text = causes::msg(tr, n);
        // a long notice wraps at the window's width rather than being cut
        ui.with_layout(
            egui::Layout::left_to_right(egui::Align::Min).with_main_wrap(true),
            |ui| {
                ui.label(RichText::new(text).color(color));
                if ui
                    .small_button("×")
                    .on_hover_text(tr.t("common.dismiss"))
                    .clicked()
                {
                    dismiss = Some(i);
                }
            },
        );
    }
    if let Some(i) = dismiss {
        w.dismiss_notice(i);
    }
}

/// Back, next, and whether everything is saved.
fn nav_row(ui: &mut Ui, w: &mut Wizard, wizard_nav: bool) {
    let tr = w.tr();
    ui.horizontal(|ui| {
        if !wizard_nav {
            return;
        }
        if let Some(prev) = w.step().prev()
            && ui.button(format!("← {}", tr.t("nav.back"))).clicked()
        {
            w.go_to(prev);
        }
        // the first page starts with its own button beside the answer: one
        // way on, not two (issue 19 item 10)
        if let Some(next) = w.step().next().filter(|_| w.step() != Step::Prerequisite) {
            let enabled = w.can_visit(next);
            if ui
                .add_enabled(
                    enabled,
                    egui::Button::new(format!("{} →", tr.t("nav.next"))),
                )
                .clicked()
            {
                w.go_to(next);
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            // never "saved" while an edit is only in memory
            let status = if w.save_retrying() {
                tr.t("status.not_saved")
            } else if w.unsaved() {
                tr.t("status.save_failed")
            } else if w.busy() {
                tr.t("status.saving")
            } else {
                tr.t("status.saved")
            };
            ui.label(RichText::new(status).weak().small());
        });
    });
}

static PROCESS_START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Call first thing in `main`: the benchmark measures time to first frame from here.
pub fn mark_process_start() {
    PROCESS_START.get_or_init(Instant::now);
    // the earliest point, surely single-threaded: the local time zone can be read
    local_time::init();
}

/// With `WXPAY_SETUP_FIRST_FRAME_EXIT=1` (benchmark only): print the time to the
/// first drawn frame and the resident memory, then close the window.
fn first_frame_probe(ctx: &egui::Context) {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if std::env::var_os("WXPAY_SETUP_FIRST_FRAME_EXIT").is_none()
        || DONE.swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        return;
    }
    let ms = PROCESS_START
        .get()
        .map(|t| t.elapsed().as_secs_f64() * 1000.0)
        .unwrap_or(0.0);
    let rss_kb = crate::app::probe::resident_memory_kb()
        .map(|k| k.to_string())
        .unwrap_or_default();
    println!("first_frame_ms={ms:.0} rss_kb={rss_kb}");
    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
}

/// The application icon (rendered from `assets/icon.svg` by `scripts/make-icons.sh`): the
/// title bar and taskbar use it; without it eframe would show egui's own logo.
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// Runs the window (the double-click path). The title bar and taskbar show the product's
/// name in the system language (微信支付配置向导 / WeChat Pay Setup). When the window cannot
/// start (typically a PC whose graphics driver has no OpenGL 2), the reason is also shown in
/// a native message box: a double-clicked program has no console to print it to.
pub fn run(services: Services) -> eframe::Result {
    // before the window's threads start: reading the time zone later is refused
    local_time::init();
    let tr = Tr(Lang::from_system());
    let title = tr.t("app.title");
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(title)
        // the X11 WM_CLASS / Wayland app id that the Linux .desktop entry names
        .with_app_id("wxpay-setup")
        .with_inner_size([1024.0, 720.0])
        .with_min_inner_size([720.0, 480.0])
        .with_drag_and_drop(true);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON_PNG) {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    let dialogs = Arc::clone(&services.picker);
    let result = eframe::run_native(
        title,
        options,
        Box::new(|cc| Ok(Box::new(WizardApp::new(&cc.egui_ctx, services)))),
    );
    if let Err(e) = &result {
        dialogs.show_startup_error(
            title,
            &tr.tf("window.start_failed", &[("reason", e.to_string())]),
        );
    }
    result
}
