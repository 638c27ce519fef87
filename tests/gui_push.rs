//! The window's "发送到商城后台" driven through egui_kittest by the labels the user
//! reads: into the real likeadmin that scripts/test.sh starts (preview of what it holds,
//! send, the field-by-field result, a wrong password in likeadmin's words); a form whose
//! fields stay put while hints come and go; the fields step asking which system the
//! shop runs and saying what it needs.

mod support;

use std::sync::Arc;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::gui::*;
use support::likeadmin::likeadmin;
use support::*;
use wxpay_setup::app::ops::{Ctx, Lazy};
use wxpay_setup::domain::backend_kind::{BackendKind, BackendPreset};
use wxpay_setup::domain::profile::{Prerequisite, SecretField, Step};
use wxpay_setup::i18n::Lang;
use wxpay_setup::services::file_picker::FixedPicker;
use wxpay_setup::services::profile_store::{ProfileStore, Settings};
use wxpay_setup::services::secret_store::{MemoryStore, SecretStore};
use wxpay_setup::services::wechat_http::NetError;
use wxpay_setup::ui::WizardApp;

const V3: &str = "V3keyV3keyV3keyV3keyV3keyV3key12";

struct Fixture {
    config: tempfile::TempDir,
    keychain: MemoryStore,
    name: String,
}

impl Fixture {
    /// A shop made as `profile import` makes it (certificate zip, keys), opened at
    /// `step` next time the window starts.
    fn new(
        case_two: bool,
        step: Step,
        edit: impl FnOnce(&mut wxpay_setup::domain::profile::Profile),
    ) -> Fixture {
        let config = tempfile::tempdir().unwrap();
        let keychain = MemoryStore::new();
        let store = ProfileStore::at(config.path().to_path_buf());
        let ctx = Ctx {
            profiles: Arc::new(store.clone()),
            secrets: Lazy::ready(Arc::new(keychain.clone()) as Arc<dyn SecretStore>),
            http: Lazy::new(|| Err(NetError::Other("none".into()))),
            urls: Err(NetError::Other("none".into())),
            backend: Lazy::new(|| Err(NetError::Other("none".into()))),
        };
        let work = tempfile::tempdir().unwrap();
        let zip = good_zip(work.path());
        let oa = if case_two {
            "site_kind = \"site_and_mini_program\"\noa_appid = \"wxfedcba0987654321\"\noa_appsecret = \"fedcba9876543210fedcba9876543210\"\n"
        } else {
            "site_kind = \"mini_program\"\n"
        };
        let file = work.path().join("shop.toml");
        std::fs::write(
            &file,
            format!(
                "name = \"花店\"\n{oa}mp_appid = \"wx1234567890abcdef\"\nmp_appsecret = \"0123456789abcdef0123456789abcdef\"\nmchid = {MCHID:?}\napi_key_v3 = {V3:?}\ncert_zip = {:?}\n",
                zip.display().to_string()
            ),
        )
        .unwrap();
        wxpay_setup::app::ops::import::import_file(&ctx, &file, false).unwrap();
        let mut p = store.load("花店").unwrap();
        p.prerequisite = Some(Prerequisite::Verified);
        p.step = step;
        edit(&mut p);
        store.save(&p).unwrap();
        store
            .save_settings(&Settings {
                lang: Some(Lang::ZhCn),
                last_profile: Some("花店".into()),
            })
            .unwrap();
        Fixture {
            config,
            keychain,
            name: "花店".into(),
        }
    }

    fn open(&self, size: [f32; 2]) -> Harness<'static, WizardApp> {
        let services = services(
            self.config.path(),
            &self.keychain,
            Arc::new(FixedPicker::default()),
            NO_WECHAT,
        );
        let mut h = window(services, size);
        settle(&mut h);
        h
    }
}

fn settle(h: &mut Harness<'static, WizardApp>) {
    settle_within(h, Duration::from_secs(30));
}

fn click(h: &mut Harness<'static, WizardApp>, label: &str) {
    let n = h.get_by_label(label);
    n.scroll_to_me();
    h.run_ok();
    h.get_by_label(label).click();
    h.run_ok();
}

/// Chooses the shop system in the combo box the user sees.
fn choose_backend(h: &mut Harness<'static, WizardApp>, choice: &str) {
    let combo = h.get_by_role_and_label(Role::ComboBox, t("push_ui.backend"));
    combo.scroll_to_me();
    h.run_ok();
    h.get_by_role_and_label(Role::ComboBox, t("push_ui.backend"))
        .click();
    h.run_ok();
    h.get_by_label(choice).click();
    h.run_ok();
}

/// Issue 16, through the window: a case-2 shop sent into the real likeadmin from the
/// summary page, by likeadmin's own getConfig; a wrong password in likeadmin's words.
#[test]
fn the_summary_sends_into_the_real_likeadmin_and_shows_each_field_checked() {
    let Some(la) = likeadmin() else { return };
    la.set_by_hand();
    let f = Fixture::new(true, Step::Summary, |_| {});
    let mut h = f.open([1100.0, 2600.0]);
    choose_backend(&mut h, t("backend.kind_choice.likeadmin"));
    type_into(&mut h, t("push_ui.url"), &format!("{}/admin", la.url));
    type_into(&mut h, t("push_ui.account"), &la.account);
    type_into(&mut h, t("push_ui.password"), "not-the-password");
    settle(&mut h);
    click(&mut h, t("push_ui.preview"));
    settle(&mut h);
    assert!(shows(&h, "密码错误"), "likeadmin's own words");
    assert!(
        f.keychain
            .peek(&f.name, SecretField::BackendPassword)
            .is_none()
    );

    let role = field_role(&h, t("push_ui.password"));
    h.get_by_role_and_label(role, t("push_ui.password")).focus();
    h.run_ok();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run_ok();
    type_into(&mut h, t("push_ui.password"), &la.password);
    settle(&mut h);
    click(&mut h, t("push_ui.preview"));
    settle(&mut h);
    // what likeadmin holds now beside what it will hold, secrets masked
    assert!(shows(&h, "1230000109"), "the merchant number it holds now");
    assert!(shows(
        &h,
        "证书，序列号 444F4864EA9B34415C2E019A2B773010C45D196F"
    ));
    assert!(shows(&h, t("backend.shown.masked_ours")));
    assert!(!shows(&h, V3), "never in clear");
    assert_eq!(
        la.pay()["config"]["mch_id"],
        "1230000109",
        "nothing sent yet"
    );

    click(&mut h, t("push_ui.send"));
    settle(&mut h);
    assert!(shows(&h, "已保存，读回核对"), "the outcome line");
    // ours read back equal; what was kept as it was, read back unchanged
    let checked = h
        .query_all_by_label(&format!("✓ {}", t("push.checked")))
        .count()
        + h.query_all_by_label(&format!("✓ {}", t("push.kept_checked")))
            .count();
    assert!(checked >= 15, "{checked} fields read back equal");
    assert!(!shows(&h, &format!("× {}", t("push.checked_not"))));

    let pay = la.pay();
    assert_eq!(pay["config"]["mch_id"], MCHID);
    assert_eq!(pay["config"]["pay_sign_key"], V3);
    assert_eq!(pay["config"]["interface_version"], "v3");
    assert_eq!(la.mnp()["original_id"], "gh_handmnp0001");
    assert_eq!(la.oa()["token"], "HandSetToken123");
    assert_eq!(la.oa()["app_id"], "wxfedcba0987654321");
    // the password is kept in the keychain, never in the profile folder
    assert_eq!(
        f.keychain
            .peek(&f.name, SecretField::BackendPassword)
            .map(|s| s.expose().to_owned()),
        Some(la.password.clone())
    );
    assert!(!all_files_text(f.config.path()).contains(&la.password));
}

/// Issue 19 item 1, the push form: typing while hints appear and disappear (the
/// address is missing, then complete; a password inside it taken out; the account
/// missing, then typed) moves no field and drops no character.
#[test]
fn the_push_form_keeps_every_character_and_no_field_moves_while_hints_change() {
    for size in [[1024.0, 720.0], [720.0, 480.0]] {
        let f = Fixture::new(false, Step::Summary, |p| {
            p.backend_preset = BackendPreset::Known(BackendKind::Likeadmin);
        });
        let mut h = f.open(size);
        let pw_role = field_role(&h, t("push_ui.password"));
        // where each field sits relative to the address field
        let layout = |h: &Harness<'static, WizardApp>| {
            let url = h
                .get_by_role_and_label(Role::TextInput, t("push_ui.url"))
                .rect();
            let account = h
                .get_by_role_and_label(Role::TextInput, t("push_ui.account"))
                .rect();
            let pw = h
                .get_by_role_and_label(pw_role, t("push_ui.password"))
                .rect();
            let button = h.get_by_label(t("push_ui.preview")).rect();
            [
                account.top() - url.top(),
                pw.top() - url.top(),
                button.top() - url.top(),
            ]
        };
        h.get_by_role_and_label(Role::TextInput, t("push_ui.url"))
            .scroll_to_me();
        h.run_ok();
        let before = layout(&h);
        assert!(shows(&h, t("push_ui.need_url")), "a hint to start with");
        let steps: [(&str, Role, &str); 3] = [
            (
                t("push_ui.url"),
                Role::TextInput,
                "https://admin:pw@shop.example.com/admin",
            ),
            (t("push_ui.account"), Role::TextInput, "店长admin"),
            (t("push_ui.password"), pw_role, "Pa55-word!"),
        ];
        let mut hints_seen = std::collections::BTreeSet::new();
        for (label, role, text) in steps {
            h.get_by_role_and_label(role, label).focus();
            h.run_ok();
            for c in text.chars() {
                h.get_by_role_and_label(role, label)
                    .type_text(&c.to_string());
                h.step();
                h.step();
                // a half-typed address says what it lacks (its scheme, trial m2)
                for hint in [
                    "push_ui.need_scheme",
                    "push_ui.need_account",
                    "push_ui.no_credentials_in_url",
                ] {
                    if shows(&h, t(hint)) {
                        hints_seen.insert(hint);
                    }
                }
                assert_eq!(
                    layout(&h),
                    before,
                    "{size:?}: a field moved at {c:?} in {label}"
                );
            }
        }
        assert_eq!(hints_seen.len(), 3, "{size:?}: {hints_seen:?}");
        assert!(!shows(&h, t("push_ui.need_url")) && !shows(&h, t("push_ui.need_account")));
        settle(&mut h);
        let w = &h.state().wizard;
        assert_eq!(w.profile().backend_url, "https://shop.example.com/admin");
        assert_eq!(w.profile().backend_account, "店长admin");
        assert_eq!(w.push_password().expose(), "Pa55-word!");
        assert!(!all_files_text(f.config.path()).contains("pw@"));
    }
}

/// Issue 19 item 3: the fields step asks once which system the shop runs and says
/// what it needs: likeadmin requires the APIv3 key (not "可选"); the push on the
/// summary uses the same answer.
#[test]
fn the_fields_step_asks_for_the_backend_once_and_says_what_it_needs() {
    let f = Fixture::new(false, Step::Fields, |_| {});
    let mut h = f.open([1100.0, 2600.0]);
    assert!(shows(&h, t("fields.v3_optional")));
    assert!(shows(&h, t("backend.needs.unset")));
    choose_backend(&mut h, t("backend.kind_choice.likeadmin"));
    assert!(shows(&h, t("backend.needs.likeadmin")));
    assert!(shows(&h, "APIv3 密钥（likeadmin 必填）"));
    assert!(
        !shows(&h, t("fields.v3_optional")),
        "not 可选 for likeadmin"
    );
    choose_backend(&mut h, t("backend.kind_choice.shopxo"));
    assert!(shows(&h, t("backend.needs.shopxo")));
    assert!(shows(&h, t("fields.v3_optional")));
    settle(&mut h);
    assert_eq!(
        h.state().wizard.profile().backend_preset,
        BackendPreset::Known(BackendKind::Shopxo)
    );
    h.state_mut().wizard.go_to(Step::Summary);
    h.run_ok();
    let shown = h
        .get_by_role_and_label(Role::ComboBox, t("push_ui.backend"))
        .value()
        .unwrap_or_default();
    assert_eq!(shown, t("backend.kind_choice.shopxo"), "asked once");
}

/// The receiver of docs/push-api.md from the window: preview (its GET), send, the
/// result per field; a refusal whose words carry terminal escapes is shown escaped
/// (issue 18 item 2), never as a forged success line.
#[test]
fn a_receiver_of_our_own_contract_from_the_window_and_its_words_escaped() {
    use support::backend_server::{HOSTILE, TOKEN, backend};
    let b = backend();
    let f = Fixture::new(false, Step::Summary, |_| {});
    let mut h = f.open([1100.0, 2600.0]);
    choose_backend(&mut h, t("backend.kind_choice.generic"));
    type_into(&mut h, t("push_ui.url"), &format!("{}/ok", b.url));
    type_into(&mut h, t("push_ui.token"), TOKEN);
    settle(&mut h);
    click(&mut h, t("push_ui.preview"));
    settle(&mut h);
    assert!(shows(&h, MCHID), "what will be sent");
    assert!(!shows(&h, V3), "never in clear");
    assert!(
        b.received.lock().unwrap().is_empty(),
        "nothing sent before confirming"
    );
    click(&mut h, t("push_ui.send"));
    settle(&mut h);
    assert_eq!(b.received.lock().unwrap()[0].fields["mchid"], MCHID);
    assert!(
        !shows(&h, &format!("× {}", t("push.checked_not"))),
        "every field read back"
    );
    assert_eq!(
        f.keychain
            .peek(&f.name, SecretField::BackendToken)
            .unwrap()
            .expose(),
        TOKEN
    );

    // a refusal whose words would clear a terminal and forge "✓ Sent"
    let role = field_role(&h, t("push_ui.url"));
    h.get_by_role_and_label(role, t("push_ui.url")).focus();
    h.run_ok();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run_ok();
    type_into(&mut h, t("push_ui.url"), &format!("{}/hostile", b.url));
    settle(&mut h);
    click(&mut h, t("push_ui.preview"));
    settle(&mut h);
    click(&mut h, t("push_ui.send"));
    settle(&mut h);
    assert!(shows(&h, "\\u{1b}[2J"), "the words, escaped");
    assert!(HOSTILE.contains('\u{1b}'));
    assert_eq!(
        h.query_all_by_label_contains("\u{1b}").count(),
        0,
        "no escape character reaches the window"
    );
}

/// Second CLI trial, blocker, through the window: a mini-program-only shop sent into
/// a likeadmin whose service-account page holds an AppID (set by hand, or another
/// shop's): the preview shows that AppID left as it is and the warning; the result
/// is no green "done" but says what to look at; the AppID is still there.
#[test]
fn a_case_one_shop_is_warned_of_the_service_account_appid_likeadmin_holds() {
    let Some(la) = likeadmin() else { return };
    la.set_by_hand();
    let f = Fixture::new(false, Step::Summary, |_| {});
    let mut h = f.open([1100.0, 2600.0]);
    choose_backend(&mut h, t("backend.kind_choice.likeadmin"));
    type_into(&mut h, t("push_ui.url"), &format!("{}/admin", la.url));
    type_into(&mut h, t("push_ui.account"), &la.account);
    type_into(&mut h, t("push_ui.password"), &la.password);
    settle(&mut h);
    click(&mut h, t("push_ui.preview"));
    settle(&mut h);
    assert!(shows(&h, "wx0000000000000002"), "the AppID it holds");
    assert!(shows(&h, "不发送，保持原样"), "left as it is");
    assert!(shows(&h, "⚠ 要留意：likeadmin 的「微信公众号 › AppID」"));

    click(&mut h, t("push_ui.send"));
    settle(&mut h);
    assert!(shows(&h, "⚠ likeadmin 已保存"), "no green done");
    assert!(!shows(&h, "✓ likeadmin 已保存"));
    // the preview closes on send: this is the result's
    assert!(
        shows(&h, "⚠ 要留意：likeadmin 的「微信公众号 › AppID」"),
        "the warning said again with the result"
    );
    // the payment row's name, kept as likeadmin had it, is not "saved" by us
    assert!(shows(&h, &format!("· {}", t("push.kept_short"))));
    assert_eq!(la.oa()["app_id"], "wx0000000000000002", "never emptied");
    assert_eq!(la.pay()["config"]["mch_id"], MCHID);
}

/// Third window trial, Major 1: the admin password kept from a push goes only to
/// the address it was accepted at. With another address typed, 读取后台并预览 sends
/// nothing there (a listener records that nothing arrives, after a restart too);
/// the form asks for that backend's password and names the address the kept one
/// belongs to. A password typed for a new backend, accepted there, is then kept
/// for that backend instead, and not sent back to the first one unasked.
#[test]
fn a_kept_password_is_sent_only_to_the_address_it_was_accepted_at() {
    use support::crmeb_server::{ACCOUNT, PASSWORD, crmeb};
    let first = crmeb();
    let f = Fixture::new(false, Step::Summary, |_| {});
    let mut h = f.open([1100.0, 2600.0]);
    choose_backend(&mut h, t("backend.kind_choice.crmeb"));
    type_into(&mut h, t("push_ui.url"), &first.url);
    type_into(&mut h, t("push_ui.account"), ACCOUNT);
    type_into(&mut h, t("push_ui.password"), PASSWORD);
    settle(&mut h);
    click(&mut h, t("push_ui.preview"));
    settle(&mut h);
    click(&mut h, t("push_ui.send"));
    settle(&mut h);
    assert_eq!(first.get("pay_weixin_mchid"), MCHID);
    assert!(
        f.keychain
            .peek(&f.name, SecretField::BackendPassword)
            .is_some()
    );

    let retype_url = |h: &mut Harness<'static, WizardApp>, url: &str| {
        let role = field_role(h, t("push_ui.url"));
        h.get_by_role_and_label(role, t("push_ui.url")).focus();
        h.run_ok();
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        h.key_press(egui::Key::Backspace);
        h.run_ok();
        type_into(h, t("push_ui.url"), url);
        // out of the box: the address is taken as typed
        h.key_press(egui::Key::Tab);
        settle(h);
    };
    let stranger = Listener::start();
    retype_url(&mut h, &format!("{}/admin", stranger.url));
    let try_preview = |h: &mut Harness<'static, WizardApp>| {
        let b = h.get_by_label(t("push_ui.preview"));
        b.scroll_to_me();
        h.run_ok();
        h.get_by_label(t("push_ui.preview")).click();
        h.run_ok();
        settle(h);
    };
    try_preview(&mut h);
    let (connections, got) = stranger.received();
    assert_eq!(connections, 0, "nothing reached the other address: {got}");
    // "请填写 <new> 的管理员密码：保存的密码是 <old> 那个后台的…"
    let asks = |h: &Harness<'static, WizardApp>, old: &str| {
        shows(h, "的管理员密码：保存的密码是") && shows(h, &format!("{old} 那个后台"))
    };
    assert!(
        asks(&h, &first.url),
        "asks for the new backend's password, naming the old one"
    );
    assert!(!shows(&h, t("push_ui.password_kept")));
    // and after a restart, as before it
    drop(h);
    let mut h = f.open([1100.0, 2600.0]);
    try_preview(&mut h);
    assert!(asks(&h, &first.url));
    let (connections, got) = stranger.received();
    assert_eq!(connections, 0, "nothing reached the other address: {got}");
    assert!(!got.contains(PASSWORD));

    // a password typed for a second backend, accepted there, is kept for it
    let second = crmeb();
    retype_url(&mut h, &second.url);
    type_into(&mut h, t("push_ui.password"), PASSWORD);
    settle(&mut h);
    click(&mut h, t("push_ui.preview"));
    settle(&mut h);
    click(&mut h, t("push_ui.send"));
    settle(&mut h);
    assert_eq!(second.get("pay_weixin_mchid"), MCHID);
    let logins = first.state.lock().unwrap().logins;
    retype_url(&mut h, &first.url);
    try_preview(&mut h);
    assert!(
        asks(&h, &second.url),
        "the kept one is now the second backend's"
    );
    assert_eq!(
        first.state.lock().unwrap().logins,
        logins,
        "not sent back unasked"
    );
}

/// Third window trial, Major 2: shop A sent, then shop B into the same backend:
/// A's step 7 no longer says a green "sent"; it says in amber that the backend now
/// holds B's settings and that A must be sent again.
#[test]
fn a_shop_overwritten_by_another_shops_push_is_not_green() {
    use support::crmeb_server::{ACCOUNT, PASSWORD, crmeb};
    use wxpay_setup::app::ops::push::{Outcome, Overrides, run};
    let c = crmeb();
    let f = Fixture::new(false, Step::Summary, |p| {
        p.backend_preset = BackendPreset::Known(BackendKind::Crmeb);
        p.backend_url = c.url.clone();
        p.backend_account = ACCOUNT.into();
    });
    let store = ProfileStore::at(f.config.path().to_path_buf());
    let ctx = Ctx {
        profiles: Arc::new(store.clone()),
        secrets: Lazy::ready(Arc::new(f.keychain.clone()) as Arc<dyn SecretStore>),
        http: Lazy::new(|| Err(NetError::Other("none".into()))),
        urls: Err(NetError::Other("none".into())),
        backend: Lazy::new(|| {
            wxpay_setup::services::backend_http::BackendClient::new()
                .map(|c| Arc::new(c) as Arc<dyn wxpay_setup::services::backend_http::BackendHttp>)
        }),
    };
    // shop B: the same merchant under another name, another mini program
    let mut b = store.load(&f.name).unwrap();
    b.name = "茶店".into();
    b.mp_appid = "wx00000000000000c1".into();
    store.save(&b).unwrap();
    for field in [
        SecretField::ApiKeyV3,
        SecretField::MpAppSecret,
        SecretField::PrivateKey,
    ] {
        if let Some(v) = f.keychain.peek(&f.name, field) {
            f.keychain.set("茶店", field, &v).unwrap();
        }
    }
    let push = |name: &str| {
        let o = Overrides {
            password: Some(wxpay_setup::domain::secret::Secret::new(PASSWORD)),
            ..Default::default()
        };
        match run(&ctx, name, o, &mut |_| true) {
            Ok(Outcome::Sent(r)) => assert!(!r.calls.is_empty(), "{name}: {r:?}"),
            other => panic!("{name}: {other:?}"),
        }
    };
    push(&f.name);
    std::thread::sleep(Duration::from_millis(20));
    push("茶店");
    assert_eq!(
        c.get("routine_appId"),
        "wx00000000000000c1",
        "the backend holds B's"
    );

    let h = f.open([1100.0, 2600.0]);
    assert!(
        shows(&h, "之后「茶店」也发送到了这个后台"),
        "A's line names the shop the backend holds now"
    );
    assert!(!shows(&h, "✓ 已发送到"), "no green 'sent' for A");
    // the HTML report says the same
    let html = h.state().wizard.report_html();
    // in the report's amber, as the window shows it (trial 4: it was plain text)
    assert!(
        html.contains("<p class=\"warn\">⚠ 已发送到"),
        "marked and coloured, not ✓"
    );
    assert!(html.contains("之后「茶店」也发送到了这个后台"));
}

/// Third window trial, minor 2: a push whose backend holds another shop's service
/// account AppID ends amber (the bottom message too, with what to look at); after
/// a restart the stored line is still amber and still says what to look at.
#[test]
fn a_push_warning_stays_amber_after_a_restart() {
    use support::crmeb_server::{ACCOUNT, PASSWORD, crmeb};
    const OTHER_OA: &str = "wxfedcba0987654321";
    let c = crmeb();
    c.state
        .lock()
        .unwrap()
        .config
        .insert("wechat_appid".into(), serde_json::json!(OTHER_OA));
    let f = Fixture::new(false, Step::Summary, |p| {
        p.backend_preset = BackendPreset::Known(BackendKind::Crmeb);
        p.backend_url = c.url.clone();
        p.backend_account = ACCOUNT.into();
    });
    let mut h = f.open([1100.0, 2600.0]);
    type_into(&mut h, t("push_ui.password"), PASSWORD);
    settle(&mut h);
    click(&mut h, t("push_ui.preview"));
    settle(&mut h);
    click(&mut h, t("push_ui.send"));
    settle(&mut h);
    let look = "要您看一下";
    assert!(
        shows(&h, look),
        "the result says there is something to look at"
    );
    assert_eq!(c.get("wechat_appid"), OTHER_OA);
    let warned = h.state().wizard.notices().iter().any(|n| {
        n.level == wxpay_setup::app::NoticeLevel::Warning && n.key.starts_with("backend.warning.")
    });
    assert!(
        warned,
        "the bottom message says what to look at, not only '看一下：'"
    );
    assert!(
        h.state()
            .wizard
            .notices()
            .iter()
            .all(|n| n.level != wxpay_setup::app::NoticeLevel::Success),
        "no green bottom message"
    );
    drop(h);
    let h = f.open([1100.0, 2600.0]);
    assert!(
        !shows(&h, "✓ 已发送到"),
        "not a plain green line after a restart"
    );
    assert!(shows(&h, look), "still says there is something to look at");
    assert!(shows(&h, OTHER_OA), "and what: the AppID the backend holds");
}

/// Third window trial, minor 3: when a bottom message times out, the page does not
/// move (the result of a push, scrolled into view at 1024×720, stays where it is).
#[test]
fn a_bottom_message_that_times_out_moves_nothing_on_the_page() {
    use support::crmeb_server::{ACCOUNT, PASSWORD, crmeb};
    let c = crmeb();
    let f = Fixture::new(false, Step::Summary, |p| {
        p.backend_preset = BackendPreset::Known(BackendKind::Crmeb);
        p.backend_url = c.url.clone();
        p.backend_account = ACCOUNT.into();
    });
    let mut h = f.open([1024.0, 720.0]);
    type_into(&mut h, t("push_ui.password"), PASSWORD);
    settle(&mut h);
    click(&mut h, t("push_ui.preview"));
    settle(&mut h);
    click(&mut h, t("push_ui.send"));
    settle(&mut h);
    for _ in 0..5 {
        h.run_ok();
    }
    assert!(
        !h.state().wizard.notices().is_empty(),
        "the push's bottom message is shown"
    );
    let before = h.get_by_label(t("push_ui.col_stored")).rect();
    let back = format!("← {}", t("nav.back"));
    let back_before = h.get_by_label(&back).rect();
    // its time is up
    h.state_mut()
        .wizard
        .tick(std::time::Instant::now() + Duration::from_secs(60));
    assert!(h.state().wizard.notices().is_empty(), "it timed out");
    for _ in 0..5 {
        h.run_ok();
    }
    let after = h.get_by_label(t("push_ui.col_stored")).rect();
    assert_eq!(
        before.top(),
        after.top(),
        "the page moved when the message went"
    );
    // nor do the bottom buttons (trial 4: they went up 23 px)
    assert_eq!(
        back_before.top(),
        h.get_by_label(&back).rect().top(),
        "the back button moved when the message went"
    );
}

/// Trial 4: after a push, a value edited in the window makes the push line amber,
/// and the session's result below it is history: no green ✓ left under the
/// amber line.
#[test]
fn a_push_result_turns_to_history_once_the_values_change() {
    use support::crmeb_server::{ACCOUNT, PASSWORD, crmeb};
    let c = crmeb();
    let f = Fixture::new(false, Step::Summary, |p| {
        p.backend_preset = BackendPreset::Known(BackendKind::Crmeb);
        p.backend_url = c.url.clone();
        p.backend_account = ACCOUNT.into();
    });
    let mut h = f.open([1100.0, 2600.0]);
    type_into(&mut h, t("push_ui.password"), PASSWORD);
    settle(&mut h);
    click(&mut h, t("push_ui.preview"));
    settle(&mut h);
    click(&mut h, t("push_ui.send"));
    settle(&mut h);
    let stored = format!("✓ {}", t("push.stored"));
    assert!(shows(&h, &stored), "the push's own result is green");
    assert!(!shows(&h, t("push_ui.result_history")));
    h.state_mut().wizard.set_text(
        wxpay_setup::domain::fields::FieldId::MpAppId,
        "wx00000000000000c1",
    );
    settle(&mut h);
    assert!(shows(&h, t("push_ui.result_history")), "said to be history");
    assert!(!shows(&h, &stored), "no green ✓ under the amber line");
}
