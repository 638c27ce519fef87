//! Applying for the API certificate in the window (issue 11), driven through
//! egui_kittest by the labels the user reads, with the in-memory keychain and a
//! real profile folder. A test CA plays the merchant platform and signs the
//! request as WeChat would; the certificate string is typed back into the box.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::gui::{NO_WECHAT, services, settle_within, shows, t, window};
use wxpay_setup::domain::fields::FieldId;
use wxpay_setup::domain::profile::{SecretField, Step};
use wxpay_setup::i18n::{Lang, Tr};
use wxpay_setup::services::file_picker::FixedPicker;
use wxpay_setup::services::profile_store::{ProfileStore, Settings};
use wxpay_setup::services::secret_store::{MemoryStore, SecretStore};
use wxpay_setup::ui::WizardApp;

const SHOP: &str = "申请证书的店";

/// The part of a text before its first `{placeholder}`.
fn head(key: &str) -> &'static str {
    let text = t(key);
    &text[..text.find('{').unwrap_or(text.len())]
}

/// The part of a text after its first `{placeholder}`.
fn tail(key: &str) -> &'static str {
    let text = t(key);
    let rest = &text[text.find('}').map_or(0, |i| i + 1)..];
    assert!(rest.trim().len() > 4, "{key}: too little text to look for");
    rest.trim()
}

struct Fixture {
    config: tempfile::TempDir,
    keychain: MemoryStore,
    picker: Arc<FixedPicker>,
}

impl Fixture {
    fn new() -> Fixture {
        let config = tempfile::tempdir().unwrap();
        ProfileStore::at(config.path().to_path_buf())
            .save_settings(&Settings {
                lang: Some(Lang::ZhCn),
                last_profile: None,
            })
            .unwrap();
        Fixture {
            config,
            keychain: MemoryStore::new(),
            picker: Arc::new(FixedPicker::default()),
        }
    }

    fn store(&self) -> ProfileStore {
        ProfileStore::at(self.config.path().to_path_buf())
    }

    fn open(&self) -> Harness<'static, WizardApp> {
        self.open_at([1100.0, 2600.0])
    }

    fn open_at(&self, size: [f32; 2]) -> Harness<'static, WizardApp> {
        let services = services(
            self.config.path(),
            &self.keychain,
            self.picker.clone(),
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
    h.get_by_label(label).click();
    h.run_ok();
    settle(h);
}

fn type_into(h: &mut Harness<'static, WizardApp>, role: Role, label: &str, text: &str) {
    h.get_by_role_and_label(role, label).focus();
    h.run_ok();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run_ok();
    h.get_by_role_and_label(role, label).type_text(text);
    h.run_ok();
}

/// A new shop (SHOP), verified, with its merchant number, on the certificate step.
fn to_certificate_step(h: &mut Harness<'static, WizardApp>) {
    h.state_mut().wizard.create_profile(SHOP).unwrap();
    settle(h);
    click(h, t("prereq.choice_verified"));
    click(h, t("prereq.continue"));
    let w = &mut h.state_mut().wizard;
    w.set_text(FieldId::MchId, support::MCHID);
    w.go_to(Step::Certificate);
    h.run_ok();
    settle(h);
}

fn bare_base64(cert_pem: &str) -> String {
    cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

fn pending_csr(f: &Fixture) -> String {
    f.store()
        .load(SHOP)
        .unwrap()
        .pending_cert_request
        .expect("the request is in the profile")
        .csr_pem
}

fn paste_and_accept(h: &mut Harness<'static, WizardApp>, text: &str) {
    type_into(
        h,
        Role::MultilineTextInput,
        t("cert_apply.paste_label"),
        text,
    );
    click(h, t("cert_apply.accept"));
}

#[test]
fn apply_in_the_window_survive_a_restart_refuse_wrong_pastes_then_continue_as_after_a_zip() {
    let f = Fixture::new();
    let started;
    {
        let mut h = f.open();
        to_certificate_step(&mut h);
        assert!(shows(&h, t("cert_apply.title")));
        assert!(
            shows(&h, t("cert_apply.unconfirmed")),
            "says what is unconfirmed"
        );
        // no company known yet: the button waits for one
        type_into(
            &mut h,
            Role::TextInput,
            t("cert_apply.company"),
            support::COMPANY,
        );
        started = Instant::now();
        click(&mut h, t("cert_apply.make"));
        eprintln!("click to request shown: {:?}", started.elapsed());
        assert!(shows(&h, head("cert_apply.waiting")));
        for step in [
            "cert_apply.step_login",
            "cert_apply.step_where",
            "cert_apply.step_paste",
            "cert_apply.step_back",
            "cert_apply.limit",
        ] {
            assert!(shows(&h, t(step)), "{step}");
        }
        let key = f
            .keychain
            .peek(SHOP, SecretField::PendingPrivateKey)
            .expect("the key went to the keychain");
        assert!(!all_text(f.config.path()).contains(key.expose().lines().nth(1).unwrap()));
        // both forms go to the clipboard: PEM and one line of base64
        let pem = pending_csr(&f);
        h.get_by_label(t("cert_apply.copy_pem")).click();
        let mut seen = String::new();
        for _ in 0..3 {
            h.step();
            seen.push_str(&format!("{:?}", h.output().platform_output.commands));
        }
        assert!(seen.contains("BEGIN CERTIFICATE REQUEST"), "{seen}");
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        h.get_by_label(t("cert_apply.copy_base64")).click();
        let mut seen = String::new();
        for _ in 0..3 {
            h.step();
            seen.push_str(&format!("{:?}", h.output().platform_output.commands));
        }
        assert!(seen.contains(&b64), "the bare form on one line: {seen}");
        h.run_ok();
        settle(&mut h);
    }

    // the window is closed for the SMS; it shows the same request on reopen
    let mut h = f.open();
    assert_eq!(h.state().wizard.step(), Step::Certificate);
    assert!(
        shows(&h, head("cert_apply.waiting")),
        "the request is shown again"
    );
    let pem = pending_csr(&f);
    assert_eq!(
        h.state()
            .wizard
            .pending_cert_request()
            .map(|p| p.csr_pem.clone()),
        Some(pem.clone())
    );
    let cert = support::issue(&pem);
    let b64 = bare_base64(&cert);

    // wrong pastes, each in plain words, and nothing changes
    let other_csr = wxpay_setup::domain::cert::request::csr_for_key(
        &wxpay_setup::domain::secret::Secret::new(support::key_a()),
        support::MCHID,
        support::COMPANY,
    )
    .unwrap();
    for (paste, says) in [
        ("这不是证书 garbage", "cert_request.not_a_certificate"),
        (&b64[..b64.len() / 2], "cert_request.cut_short"),
        (
            support::issue(&other_csr).as_str(),
            "cert_request.key_mismatch",
        ),
    ] {
        paste_and_accept(&mut h, paste);
        assert!(shows(&h, t(says)), "{says}");
        assert!(h.state().wizard.certificate().is_none());
        assert!(f.store().load(SHOP).unwrap().pending_cert_request.is_some());
    }

    // the right one: on as after a zip import
    let t0 = Instant::now();
    paste_and_accept(&mut h, &b64);
    let accept = t0.elapsed();
    let apply_to_ready = started.elapsed();
    eprintln!(
        "accept click to ready: {accept:?}; apply to ready (restart and three wrong pastes included): {apply_to_ready:?}"
    );
    let cert_summary = h.state().wizard.certificate().cloned().expect("imported");
    assert_eq!(cert_summary.mchid.as_deref(), Some(support::MCHID));
    assert_eq!(cert_summary.key_matches, Some(true));
    assert!(shows(&h, t("cert.details")));
    assert!(shows(&h, t("cert.usable")));
    assert!(
        shows(&h, t("cert_apply.source")),
        "the source in the owner's words"
    );
    assert!(shows(&h, t("notice.cert_imported")));
    assert!(!shows(&h, head("cert_apply.waiting")));
    assert!(h.state().wizard.has_secret(SecretField::PrivateKey));
    let p = f.store().load(SHOP).unwrap();
    assert!(p.pending_cert_request.is_none());
    assert_eq!(p.certificate.as_ref(), Some(&cert_summary));
    assert!(f.keychain.peek(SHOP, SecretField::PrivateKey).is_some());
    assert!(
        f.keychain
            .peek(SHOP, SecretField::PendingPrivateKey)
            .is_none()
    );
    // the step is complete, as after a zip
    assert!(h.state().wizard.step_complete(Step::Certificate));
    // applying again later starts from the company the certificate names
    assert!(
        h.query_by_label(t("cert_apply.make")).is_none(),
        "folded once a certificate is there"
    );
    click(&mut h, t("cert_apply.title"));
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, t("cert_apply.company"))
            .value()
            .as_deref(),
        Some(support::COMPANY),
        "prefilled"
    );

    // and the files can be saved the way WXCertUtil does, where the user chooses
    let out = tempfile::tempdir().unwrap();
    *f.picker.export_dir.lock().unwrap() = Some(out.path().to_path_buf());
    assert!(shows(&h, t("cert_files.key_warning")));
    click(&mut h, t("cert_apply.save"));
    let folder = std::fs::read_dir(out.path())
        .unwrap()
        .next()
        .expect("a folder")
        .unwrap()
        .path();
    assert!(
        folder
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(&format!("{}_", support::MCHID))
    );
    assert!(folder.join("apiclient_cert.p12").exists());
    assert!(shows(&h, head("cert_apply.saved")));
    // a second save into the same folder overwrites nothing and says so
    click(&mut h, t("cert_apply.save"));
    assert!(
        shows(&h, tail("cert_files.exists")),
        "says the folder exists"
    );
}

#[test]
fn starting_over_asks_first_then_drops_the_request_and_its_key() {
    let f = Fixture::new();
    let mut h = f.open();
    to_certificate_step(&mut h);
    type_into(
        &mut h,
        Role::TextInput,
        t("cert_apply.company"),
        support::COMPANY,
    );
    click(&mut h, t("cert_apply.make"));
    assert!(shows(&h, head("cert_apply.waiting")));
    click(&mut h, t("cert_apply.start_over"));
    assert!(shows(&h, t("cert_apply.start_over_question")));
    click(&mut h, t("cert_apply.start_over_no"));
    assert!(!shows(&h, t("cert_apply.start_over_question")));
    assert!(f.store().load(SHOP).unwrap().pending_cert_request.is_some());
    click(&mut h, t("cert_apply.start_over"));
    click(&mut h, t("cert_apply.start_over_yes"));
    assert!(!shows(&h, head("cert_apply.waiting")));
    assert!(f.store().load(SHOP).unwrap().pending_cert_request.is_none());
    assert!(
        f.keychain
            .peek(SHOP, SecretField::PendingPrivateKey)
            .is_none()
    );
    // the company typed before is offered again
    assert!(shows(&h, t("cert_apply.make")));
    // and an edit later does not bring the dropped request back
    h.state_mut()
        .wizard
        .set_text(FieldId::PaymentName, "微信支付");
    settle(&mut h);
    h.state_mut().wizard.flush();
    settle(&mut h);
    drop(h);
    assert!(f.store().load(SHOP).unwrap().pending_cert_request.is_none());
}

#[test]
fn without_a_merchant_number_the_window_says_what_to_fill_in_first() {
    let f = Fixture::new();
    let mut h = f.open();
    click(&mut h, t("prereq.choice_verified"));
    click(&mut h, t("prereq.continue"));
    h.state_mut().wizard.go_to(Step::Certificate);
    h.run_ok();
    assert!(shows(&h, t("cert_apply.no_mchid")));
    assert!(h.query_by_label(t("cert_apply.make")).is_none());
}

fn all_text(dir: &std::path::Path) -> String {
    support::all_files_text(dir)
}

/// At the window's minimum width nothing on the step is wider than the window
/// (egui clips what does not fit: a cut-off button or sentence is lost).
#[test]
fn at_the_minimum_width_the_apply_section_fits_in_both_languages() {
    for lang in [Lang::En, Lang::ZhCn] {
        let f = Fixture::new();
        f.store()
            .save_settings(&Settings {
                lang: Some(lang),
                last_profile: None,
            })
            .unwrap();
        let tr = Tr(lang);
        let mut h = f.open_at([720.0, 3000.0]);
        h.state_mut().wizard.create_profile(SHOP).unwrap();
        settle(&mut h);
        click(&mut h, tr.t("prereq.choice_verified"));
        click(&mut h, tr.t("prereq.continue"));
        let w = &mut h.state_mut().wizard;
        w.set_text(FieldId::MchId, support::MCHID);
        w.go_to(Step::Certificate);
        h.run_ok();
        settle(&mut h);
        type_into(
            &mut h,
            Role::TextInput,
            tr.t("cert_apply.company"),
            "深圳市示例科技有限公司",
        );
        click(&mut h, tr.t("cert_apply.make"));
        click(&mut h, tr.t("cert_apply.start_over"));
        for _ in 0..3 {
            h.run_ok();
        }
        let too_wide: Vec<String> = h
            .query_all_by_label_contains("")
            .filter(|n| n.rect().max.x > 720.5)
            .map(|n| {
                let text: String = format!("{n:?}").chars().skip(60).take(90).collect();
                format!("{:?} {text}", n.rect())
            })
            .collect();
        assert!(too_wide.is_empty(), "{lang:?}: {too_wide:#?}");
    }
}

/// Issue 11 item 4 through the window: the encrypted bundle exported while a
/// request waits carries the waiting key (which the window never holds), so the
/// shop can take its certificate on the computer it moves to.
#[test]
fn the_windows_encrypted_export_carries_a_waiting_request_and_its_key() {
    let f = Fixture::new();
    let work = tempfile::tempdir().unwrap();
    let mut h = f.open();
    to_certificate_step(&mut h);
    type_into(
        &mut h,
        Role::TextInput,
        t("cert_apply.company"),
        support::COMPANY,
    );
    click(&mut h, t("cert_apply.make"));
    let key = f
        .keychain
        .peek(SHOP, SecretField::PendingPrivateKey)
        .unwrap();
    h.state_mut().wizard.go_to(Step::Summary);
    h.run_ok();
    click(&mut h, t("export.include_secrets"));
    type_into(
        &mut h,
        Role::PasswordInput,
        t("export.passphrase"),
        "门店密码2026",
    );
    type_into(
        &mut h,
        Role::PasswordInput,
        t("export.confirm"),
        "门店密码2026",
    );
    let out = work.path().join("bundle.zip");
    *f.picker.save.lock().unwrap() = Some(out.clone());
    click(&mut h, t("export.button"));
    assert!(out.exists(), "exported");

    // another computer
    let there = wxpay_setup::app::ops::testing::Fakes::default();
    let ctx = wxpay_setup::app::ops::testing::ctx_of(&there);
    let pass = wxpay_setup::domain::secret::Secret::new("门店密码2026");
    let done =
        wxpay_setup::app::ops::import_bundle::import_bundle(&ctx, &out, Some(&pass), None).unwrap();
    assert_eq!(
        there
            .keychain
            .peek(&done.name, SecretField::PendingPrivateKey),
        Some(key)
    );
    let csr = pending_csr(&f);
    let accepted =
        wxpay_setup::app::ops::cert_request::accept(&ctx, &done.name, &support::issue(&csr), false)
            .unwrap();
    assert_eq!(accepted.summary.key_matches, Some(true));
}

/// The first-user trial, items 4 and 5: an error about a pasted text goes as
/// soon as the text changes; a request accepted in another window is not asked
/// for again: this window reads the shop again and says, in its own words, that
/// the certificate is already saved.
#[test]
fn a_stale_paste_error_goes_and_a_request_accepted_elsewhere_is_not_asked_again() {
    let f = Fixture::new();
    let mut a = f.open();
    to_certificate_step(&mut a);
    type_into(
        &mut a,
        Role::TextInput,
        t("cert_apply.company"),
        support::COMPANY,
    );
    click(&mut a, t("cert_apply.make"));
    let b64 = bare_base64(&support::issue(&pending_csr(&f)));

    paste_and_accept(&mut a, "这不是证书 garbage");
    let wrong = t("cert_request.not_a_certificate");
    assert!(shows(&a, wrong));
    type_into(
        &mut a,
        Role::MultilineTextInput,
        t("cert_apply.paste_label"),
        &b64,
    );
    assert!(
        !shows(&a, wrong),
        "the error about the old text stays under the new one"
    );

    // a second window on the same shop takes the certificate first
    let mut b = f.open();
    assert!(shows(&b, head("cert_apply.waiting")));
    paste_and_accept(&mut b, &b64);
    assert!(b.state().wizard.certificate().is_some());

    click(&mut a, t("cert_apply.accept"));
    let said = t("cert_apply.accepted_elsewhere").replace("{name}", SHOP);
    assert!(
        shows(&a, &said),
        "the window does not say the certificate is saved"
    );
    assert!(
        a.state().wizard.certificate().is_some(),
        "the shop was not read again"
    );
    assert!(
        !shows(&a, "wxpay-setup cert"),
        "a command line in the window"
    );
    assert!(!shows(&a, t("cert_apply.no_pending")));
}

/// The first-user trial, item 8: a "copied" mark does not push the next button;
/// after the certificate is accepted the page is back at its top (the section
/// above folds away); a new request says the current certificate stays in use.
#[test]
fn copied_marks_keep_buttons_put_and_an_accepted_certificate_shows_from_the_top() {
    let f = Fixture::new();
    let mut h = f.open_at([1024.0, 720.0]);
    to_certificate_step(&mut h);
    type_into(
        &mut h,
        Role::TextInput,
        t("cert_apply.company"),
        support::COMPANY,
    );
    click(&mut h, t("cert_apply.make"));
    assert!(
        !shows(&h, t("cert_apply.current_stays")),
        "no certificate yet"
    );

    let next = |h: &Harness<'static, WizardApp>| h.get_by_label(t("cert_apply.copy_base64")).rect();
    let before = next(&h);
    h.get_by_label(t("cert_apply.copy_pem")).click();
    h.run_ok();
    assert!(shows(&h, t("common.copied")));
    assert_eq!(next(&h), before, "the copied mark pushed the next button");

    let b64 = bare_base64(&support::issue(&pending_csr(&f)));
    let paste = t("cert_apply.paste_label");
    h.get_by_role_and_label(Role::MultilineTextInput, paste)
        .scroll_to_me();
    h.run_ok();
    type_into(&mut h, Role::MultilineTextInput, paste, &b64);
    h.get_by_label(t("cert_apply.accept")).scroll_to_me();
    h.run_ok();
    click(&mut h, t("cert_apply.accept"));
    assert!(h.state().wizard.certificate().is_some());
    h.run_ok();
    let title = h.get_by_label(t("step.certificate.title")).rect();
    assert!(
        title.min.y >= 0.0 && title.max.y < 200.0,
        "the page stayed scrolled: the title is at {title:?}"
    );

    // a new request while this certificate is valid
    h.get_by_label(t("cert_apply.title")).click();
    h.run_ok();
    click(&mut h, t("cert_apply.make"));
    assert!(shows(&h, head("cert_apply.waiting")));
    assert!(shows(&h, t("cert_apply.current_stays")));
}

/// Issue 18 item 4: the window asks before an accepted certificate replaces a
/// private key the shop holds (from an earlier request here: its only copy).
#[test]
fn accepting_over_a_held_key_asks_first_and_keeps_it_until_told() {
    let f = Fixture::new();
    let mut h = f.open();
    to_certificate_step(&mut h);
    let old = wxpay_setup::domain::secret::Secret::new(support::key_a());
    f.keychain.set(SHOP, SecretField::PrivateKey, &old).unwrap();
    type_into(
        &mut h,
        Role::TextInput,
        t("cert_apply.company"),
        support::COMPANY,
    );
    click(&mut h, t("cert_apply.make"));
    let cert = support::issue(&pending_csr(&f));
    paste_and_accept(&mut h, &bare_base64(&cert));
    assert!(shows(&h, t("cert_apply.discard_key_question")));
    assert_eq!(
        f.keychain.peek(SHOP, SecretField::PrivateKey),
        Some(old.clone())
    );
    assert!(f.store().load(SHOP).unwrap().pending_cert_request.is_some());
    // kept: nothing changes, the question goes
    click(&mut h, t("cert_apply.discard_key_no"));
    assert!(!shows(&h, t("cert_apply.discard_key_question")));
    assert_eq!(
        f.keychain.peek(SHOP, SecretField::PrivateKey),
        Some(old.clone())
    );
    // asked again, and told to replace
    click(&mut h, t("cert_apply.accept"));
    click(&mut h, t("cert_apply.discard_key_yes"));
    assert!(!shows(&h, t("cert_apply.discard_key_question")));
    assert_ne!(f.keychain.peek(SHOP, SecretField::PrivateKey), Some(old));
    let p = f.store().load(SHOP).unwrap();
    assert!(p.pending_cert_request.is_none());
    assert!(p.certificate.is_some());
}
