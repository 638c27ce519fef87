//! "Send to shop backend": the push both faces run (`wxpay-setup push` and the
//! window's summary page). It holds the shop's lock from reading the profile until
//! the result is reported, so an import replacing the shop meanwhile waits (or is
//! told the shop is busy) instead of the push reporting values that are no longer
//! the shop's. Then, through one `domain::backend` adapter:
//!
//! 1. log in with the admin account (or the generic receiver's token);
//! 2. read what the backend holds: the preview shows each field's now -> will;
//! 3. after the confirmation, write with that backend's own calls, judging each reply
//!    from its body; an ended session (likeadmin's `code -1`) logs in again, once;
//! 4. read back, and report per field: sent, stored, checked.
//!
//! A refusal carries the backend's own words; when some calls were stored before
//! a later one was refused, the report says which.
mod error;
mod report;
mod session;

use std::path::PathBuf;

pub use error::{
    CredentialProblem, MappingError, PushError, backend_arg, check_credential, check_input,
    check_token, insecure_url_key, mapping_of, ours_list, stop_args,
};
pub use report::{CallResult, Failure, FailureMessage, Preview, Report, Status};

use super::{Ctx, OpError, load_profile, load_secrets};
use crate::domain::backend::{self, Adapter, BackendKind, Values};
use crate::domain::backend_kind::BackendPreset;
use crate::domain::profile::{Profile, SecretField};
use crate::domain::secret::Secret;

/// What the caller gives for this push; each is remembered in the profile (token
/// and password in the keychain) once the backend accepted the login, except in a
/// dry run, which changes nothing.
#[derive(Debug, Default)]
pub struct Overrides {
    pub url: Option<String>,
    /// `--backend` (`--preset` too): likeadmin, crmeb, shopxo, generic (or custom).
    pub backend: Option<String>,
    pub mapping_file: Option<PathBuf>,
    pub token: Option<Secret>,
    pub account: Option<String>,
    pub password: Option<Secret>,
    pub dry_run: bool,
}

/// What `run` did.
#[derive(Debug)]
pub enum Outcome {
    /// `--dry-run`: read and previewed, nothing sent or remembered.
    DryRun(Preview),
    /// Not confirmed: nothing sent.
    Cancelled(Preview),
    Sent(Report),
}

/// The settings of one push, checked, with the profile values they apply to.
pub(super) struct Target {
    kind: BackendKind,
    profile: Profile,
    /// The overrides changed the profile (it is saved only then: a window that has
    /// this shop open would otherwise see it changed elsewhere and reload it).
    changed: bool,
    values: Values,
    token: Option<Secret>,
    password: Option<Secret>,
}

/// The certificate problems that make it not this shop's to send: another merchant's
/// certificate, or a private key that is not its pair.
const NOT_THIS_SHOPS: [&str; 2] = ["cert_mchid_mismatch", "key_mismatch"];

/// Applies the overrides to the loaded profile and checks everything a push needs.
fn target(ctx: &Ctx, name: &str, o: &Overrides) -> Result<Target, PushError> {
    let loaded = load_profile(ctx, name)?;
    let mut p = loaded.clone();
    if let Some(url) = &o.url {
        p.backend_url = url.trim().to_owned();
    }
    if let Some(b) = &o.backend {
        p.backend_preset = match BackendPreset::parse(b) {
            Some(BackendPreset::Unset) | None => return Err(PushError::BadBackend(b.clone())),
            // `--backend generic` keeps a custom mapping the profile has
            Some(BackendPreset::Known(BackendKind::Generic))
                if p.backend_preset == BackendPreset::Custom =>
            {
                BackendPreset::Custom
            }
            Some(other) => other,
        };
    }
    if let Some(mapping) = &o.mapping_file {
        match p.backend_preset.kind() {
            None | Some(BackendKind::Generic) => {}
            Some(k) => return Err(PushError::MappingNotGeneric(k)),
        }
        p.backend_mapping_file = mapping.display().to_string();
        p.backend_preset = BackendPreset::Custom;
    }
    if let Some(a) = &o.account {
        p.backend_account = a.trim().to_owned();
    }
    let kind = p.backend_preset.kind().ok_or(PushError::NoBackend)?;
    // a backend with an admin login takes no token: refused, as a mapping is, rather
    // than kept in the keychain for nothing
    if o.token.is_some() && kind.has_login() {
        return Err(PushError::TokenNotGeneric(kind));
    }
    if p.backend_url.is_empty() {
        return Err(PushError::NoUrl);
    }
    if crate::services::wechat_http::check_base_url(&p.backend_url).is_err() {
        return Err(PushError::InsecureUrl(
            crate::services::wechat_http::redact_url(&p.backend_url),
        ));
    }
    let check = |what: &'static str, s: &Secret| {
        check_input(what, s.expose()).map_err(|problem| PushError::BadCredential { what, problem })
    };
    // what was typed or read from a file is checked before anything is kept: an
    // empty file never clears a stored one, a pasted CR/LF never reaches a header
    if let Some(t) = &o.token {
        check("token", t)?;
    }
    if let Some(pw) = &o.password {
        check("password", pw)?;
    }
    // a certificate of another merchant, or a key that is not its pair, is never
    // sent: the shop's own certificate checks say so (`profile show`, step 5)
    let problems: Vec<_> = crate::app::rules::cert_problems(&p, time::OffsetDateTime::now_utc())
        .into_iter()
        .filter(|c| NOT_THIS_SHOPS.contains(&c.code))
        .collect();
    if !problems.is_empty() {
        return Err(PushError::Certificate(kind, problems));
    }
    let secrets = load_secrets(ctx, name)?;
    let values = Values::of(&p, &secrets);
    let (mut token, mut password) = (None, None);
    if kind.has_login() {
        if p.backend_account.is_empty() {
            return Err(PushError::NoAccount);
        }
        check_credential(&p.backend_account).map_err(|problem| PushError::BadCredential {
            what: "account",
            problem,
        })?;
        let pw = match &o.password {
            Some(pw) => pw.clone(),
            None => {
                let kept = ctx
                    .with_keychain(|k| k.get(name, SecretField::BackendPassword))?
                    .ok_or(PushError::NoPassword)?;
                // only to the address it was accepted at (trial 3 Major 1)
                kept_here("password", &p.backend_password_origin, &p.backend_url)?;
                kept
            }
        };
        check("password", &pw)?;
        password = Some(pw);
    } else {
        let t = match &o.token {
            Some(t) => t.clone(),
            None => {
                let kept = secrets
                    .get(&SecretField::BackendToken)
                    .cloned()
                    .ok_or(PushError::NoToken)?;
                kept_here("token", &p.backend_token_origin, &p.backend_url)?;
                kept
            }
        };
        check("token", &t)?;
        token = Some(t);
    }
    Ok(Target {
        kind,
        changed: p != loaded,
        profile: p,
        values,
        token,
        password,
    })
}

/// A kept credential goes only to the origin it was accepted at: else nothing is
/// sent, and the caller is asked for the one of this address.
fn kept_here(what: &'static str, kept_for: &str, url: &str) -> Result<(), PushError> {
    crate::domain::kept::may_send(kept_for, url).map_err(|kept_for| PushError::KeptElsewhere {
        what,
        kept_for,
        url: crate::domain::kept::origin(url)
            .unwrap_or_else(|| crate::services::wechat_http::redact_url(url)),
    })
}

/// The adapter of the profile's backend.
fn adapter(t: &Target) -> Result<Box<dyn Adapter>, PushError> {
    let url = &t.profile.backend_url;
    let v = t.values.clone();
    let bad = |e| PushError::BadAddress(t.kind, e);
    Ok(match t.kind {
        BackendKind::Likeadmin => {
            Box::new(backend::likeadmin::Likeadmin::new(url, v).map_err(bad)?)
        }
        BackendKind::Crmeb => Box::new(backend::crmeb::Crmeb::new(url, v).map_err(bad)?),
        BackendKind::Shopxo => Box::new(backend::shopxo::Shopxo::new(url, v).map_err(bad)?),
        BackendKind::Generic => {
            let mapping = mapping_of(&t.profile)?;
            let token = t.token.as_ref().map(|s| s.expose()).unwrap_or_default();
            let key = crate::domain::wxapi::random_token(32);
            Box::new(backend::generic::Generic::new(
                url, token, &mapping, v, &key,
            ))
        }
    })
}

/// Remembers what this push was given (never in a dry run): the settings, and a
/// token or password the backend accepted, kept in the keychain for the origin it
/// was accepted at (recorded in the profile: it is sent nowhere else).
fn remember(ctx: &Ctx, name: &str, t: &mut Target, o: &Overrides) -> Result<(), PushError> {
    if o.dry_run {
        return Ok(());
    }
    let here = crate::domain::kept::origin(&t.profile.backend_url).unwrap_or_default();
    let given = [
        (o.token.as_ref(), SecretField::BackendToken),
        (
            o.password.as_ref().and(t.password.as_ref()),
            SecretField::BackendPassword,
        ),
    ];
    for (secret, field) in given {
        let Some(secret) = secret else { continue };
        fn recorded(p: &mut Profile, field: SecretField) -> &mut String {
            match field {
                SecretField::BackendToken => &mut p.backend_token_origin,
                _ => &mut p.backend_password_origin,
            }
        }
        // the old origin is forgotten before the keychain changes: a failure in
        // between leaves a credential bound to no address (asked for again), never
        // one bound to an address that did not accept it
        let before = recorded(&mut t.profile, field).clone();
        if before != here && !before.is_empty() {
            let mut p = ctx.profiles.load(name)?;
            recorded(&mut p, field).clear();
            ctx.profiles.save(&p)?;
        }
        ctx.with_keychain(|k| k.set(name, field, secret))?;
        *recorded(&mut t.profile, field) = here.clone();
        t.changed = true;
    }
    // a token given with the shop and never sent: kept for this address from now on
    if o.token.is_none() && t.profile.backend_token_origin == crate::domain::kept::UNSENT {
        t.profile.backend_token_origin = here;
        t.changed = true;
    }
    if t.changed {
        ctx.profiles.save(&t.profile)?;
    }
    Ok(())
}

/// One push: locks the shop, reads the profile and the backend, shows the preview
/// to `confirm` (skipped in a dry run), sends and reads back. The lock is held
/// throughout.
pub fn run(
    ctx: &Ctx,
    name: &str,
    o: Overrides,
    confirm: &mut dyn FnMut(&Preview) -> bool,
) -> Result<Outcome, PushError> {
    let http = ctx.backend.get().map_err(OpError::from)?;
    let http = http.as_ref();
    let _lock = ctx.lock(name).map_err(OpError::from)?;
    let mut t = target(ctx, name, &o)?;
    let (conn, preview) = session::open(http, &t)?;
    // the backend accepted the login (and the reads): only now is what this push was
    // given remembered, so a failed push changes nothing the shop remembers; the
    // caller's password or token, accepted, is kept for the next push (keychain only)
    remember(ctx, name, &mut t, &o)?;
    if o.dry_run {
        return Ok(Outcome::DryRun(preview));
    }
    if !preview.plan.needs.is_empty() {
        return Err(PushError::Needs(t.kind, preview.plan.needs.clone()));
    }
    if !confirm(&preview) {
        return Ok(Outcome::Cancelled(preview));
    }
    let report = session::write(conn, preview);
    record_last_push(ctx, &t, &report);
    Ok(Outcome::Sent(report))
}

/// The shop remembers where it was last sent, when, and whether the backend held every
/// value: the window says so again after a reopen, for a push from either face. Written
/// under the push's lock; a profile that cannot be saved now loses only this note, not
/// the report the caller is about to show.
fn record_last_push(ctx: &Ctx, t: &Target, report: &Report) {
    let mut p = t.profile.clone();
    p.last_push = Some(crate::domain::profile::LastPush {
        backend: report.backend.name().to_owned(),
        at: crate::app::now_rfc3339(),
        ok: report.ok(),
        // what was sent and where: the line holds only while both are unchanged
        sent: crate::domain::sent::fingerprint_of(&t.profile, &t.values),
        target: crate::domain::sent::target(&t.profile),
        warnings: report.warnings().iter().map(|w| w.kept()).collect(),
    });
    let _ = ctx.profiles.save(&p);
}

/// The window's first step: reads and previews, changes nothing.
pub fn preview(ctx: &Ctx, name: &str, o: Overrides) -> Result<Preview, PushError> {
    match run(ctx, name, Overrides { dry_run: true, ..o }, &mut |_| false)? {
        Outcome::DryRun(p) | Outcome::Cancelled(p) => Ok(p),
        Outcome::Sent(r) => Ok(r.preview),
    }
}

/// The window's second step: sends what the preview `expected` showed, or says it
/// changed (the shop was edited, or the backend changed, in between).
pub fn send(ctx: &Ctx, name: &str, o: Overrides, expected: &str) -> Result<Report, PushError> {
    match run(ctx, name, o, &mut |p| p.fingerprint == expected)? {
        Outcome::Sent(r) => Ok(r),
        Outcome::Cancelled(_) | Outcome::DryRun(_) => Err(PushError::Changed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ops::testing::{Fakes, fake_ctx, shop};
    use crate::domain::backend::{Ours, Reply, Stop};
    use crate::services::backend_http::{BackendHttp, FakeBackend};
    use crate::services::profile_store::ProfileRepo;
    use crate::services::secret_store::SecretStore;
    use serde_json::json;

    /// The context with `http` as its shop backend.
    fn over(ctx: Ctx, http: &FakeBackend) -> Ctx {
        Ctx {
            backend: crate::app::ops::Lazy::ready(
                std::sync::Arc::new(http.clone()) as std::sync::Arc<dyn BackendHttp>
            ),
            ..ctx
        }
    }

    fn la_ok(data: serde_json::Value) -> Reply {
        Reply::new(
            200,
            &json!({"code":1,"show":0,"msg":"","data":data}).to_string(),
        )
    }

    /// likeadmin as a fresh install answers, with `write` deciding each setConfig.
    fn likeadmin(write: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> FakeBackend {
        let writes = std::sync::atomic::AtomicUsize::new(0);
        FakeBackend::new(move |r| {
            let u = r.url.as_str();
            Ok(if u.ends_with("login/account") {
                if r.field("/password").as_deref() == Some("right") {
                    la_ok(json!({"token":"T"}))
                } else {
                    Reply::new(200, r#"{"code":0,"show":1,"msg":"密码错误","data":[]}"#)
                }
            } else if u.ends_with("pay_config/lists") {
                la_ok(json!({"lists":[{"id":2,"pay_way":2}]}))
            } else if u.contains("pay_config/getConfig") {
                la_ok(
                    json!({"id":2,"name":"微信支付","icon":"i","sort":1,"remark":"",
                    "config":{"interface_version":"v3","merchant_type":"ordinary_merchant","mch_id":"",
                    "pay_sign_key":"","apiclient_cert":"","apiclient_key":""}}),
                )
            } else if u.ends_with("getConfig") {
                la_ok(json!({"name":"","original_id":"","qr_code":"","app_id":"","app_secret":""}))
            } else if u.ends_with("pay_way/getPayWay") {
                la_ok(json!({"1":[{"pay_config_id":2,"scene":1,"status":1}]}))
            } else {
                write(u, writes.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
            })
        })
    }

    fn likeadmin_shop(f: &Fakes) {
        let mut p = shop(f, "店");
        p.backend_url = "http://127.0.0.1:1/admin".into();
        p.backend_preset = BackendPreset::Known(BackendKind::Likeadmin);
        p.backend_account = "admin".into();
        f.profiles.save(&p).unwrap();
        for (field, v) in [
            (SecretField::ApiKeyV3, "V3keyV3keyV3keyV3keyV3keyV3key12"),
            (
                SecretField::PrivateKey,
                "-----BEGIN PRIVATE KEY-----\nB\n-----END PRIVATE KEY-----",
            ),
        ] {
            f.keychain.set("店", field, &Secret::new(v)).unwrap();
        }
        let mut p = f.profiles.load("店").unwrap();
        p.certificate = Some(crate::domain::cert::CertSummary {
            mchid: None,
            company: None,
            issuer: crate::domain::cert::IssuerKind::Unknown,
            issuer_name: String::new(),
            serial: "444F".into(),
            not_before: String::new(),
            not_after: String::new(),
            signature_algorithm: String::new(),
            key_bits: None,
            key_present: true,
            key_matches: Some(true),
            p12_present: false,
            source: String::new(),
            certificate_pem: "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----".into(),
        });
        f.profiles.save(&p).unwrap();
    }

    fn password(pw: &str) -> Overrides {
        Overrides {
            password: Some(Secret::new(pw)),
            ..Default::default()
        }
    }

    #[test]
    fn a_wrong_password_is_refused_in_the_backends_words_and_not_kept() {
        let (ctx, f) = fake_ctx();
        likeadmin_shop(&f);
        let http = likeadmin(|_, _| la_ok(json!([])));
        let ctx = over(ctx, &http);
        let e = run(&ctx, "店", password("wrong"), &mut |_| true).unwrap_err();
        assert!(
            matches!(e, PushError::Login(BackendKind::Likeadmin, Stop::Refused { ref message }) if message == "密码错误"),
            "{e:?}"
        );
        assert_eq!(f.keychain.peek("店", SecretField::BackendPassword), None);
        let en = crate::i18n::Tr(crate::i18n::Lang::ZhCn).msg(&e);
        assert!(en.contains("密码错误"), "{en}");
        assert_eq!(http.seen().len(), 1, "nothing after the refused login");
    }

    #[test]
    fn a_push_writes_reads_back_and_keeps_the_accepted_password() {
        let (ctx, f) = fake_ctx();
        likeadmin_shop(&f);
        let http = likeadmin(|_, _| la_ok(json!([])));
        let ctx = over(ctx, &http);
        let mut shown = None;
        let out = run(&ctx, "店", password("right"), &mut |p| {
            shown = Some(p.clone());
            true
        })
        .unwrap();
        let Outcome::Sent(r) = out else { panic!() };
        let preview = shown.unwrap();
        assert_eq!(preview.plan.calls, ["likeadmin_mnp", "likeadmin_pay"]);
        assert!(r.calls.iter().all(|c| c.stored), "{:?}", r.calls);
        // the fake's getConfig still answers empty values: stored, not checked
        assert_eq!(r.status, Status::Mismatch);
        assert!(!r.ok());
        // remembered for the window, whichever face sent it
        let last = f.profiles.load("店").unwrap().last_push.unwrap();
        assert_eq!((last.backend.as_str(), last.ok), ("likeadmin", false));
        // and what was sent, by its fingerprint (trial 2 Major 1)
        let (p, s) = (
            f.profiles.load("店").unwrap(),
            load_secrets(&ctx, "店").unwrap(),
        );
        assert_eq!(last.sent, crate::domain::sent::fingerprint(&p, &s));
        assert_eq!(
            f.keychain
                .peek("店", SecretField::BackendPassword)
                .map(|s| s.expose().to_owned()),
            Some("right".into())
        );
        // kept for the address that accepted it (trial 3 Major 1)
        assert_eq!(p.backend_password_origin, "http://127.0.0.1:1");
        let http2 = likeadmin(|_, _| la_ok(json!([])));
        let ctx = over(ctx, &http2);
        let elsewhere = Overrides {
            url: Some("http://127.0.0.1:2/admin".into()),
            ..Default::default()
        };
        let e = run(&ctx, "店", elsewhere, &mut |_| true).unwrap_err();
        assert!(
            matches!(&e, PushError::KeptElsewhere { what: "password", kept_for, url }
                if kept_for == "http://127.0.0.1:1" && url == "http://127.0.0.1:2"),
            "{e:?}"
        );
        assert!(http2.seen().is_empty(), "nothing went to the other address");
        assert_eq!(
            f.keychain
                .peek("店", SecretField::BackendPassword)
                .map(|s| s.expose().to_owned()),
            Some("right".into()),
            "the kept one untouched"
        );
        let json = serde_json::to_string(&r).unwrap();
        assert!(
            !json.contains("V3keyV3") && !json.contains("right"),
            "{json}"
        );
    }

    #[test]
    fn a_session_that_ends_mid_push_logs_in_again_once() {
        let (ctx, f) = fake_ctx();
        likeadmin_shop(&f);
        // every write is first answered "logged out": the second time is one too many
        let http = likeadmin(|_, n| {
            if n == 0 || n == 2 {
                Reply::new(
                    200,
                    r#"{"code":-1,"show":1,"msg":"登录超时，请重新登录","data":[]}"#,
                )
            } else {
                la_ok(json!([]))
            }
        });
        let ctx = over(ctx, &http);
        let Outcome::Sent(r) = run(&ctx, "店", password("right"), &mut |_| true).unwrap() else {
            panic!()
        };
        assert_eq!(r.relogins, 1);
        assert_eq!(r.status, Status::Partial);
        assert_eq!(
            r.calls
                .iter()
                .map(|c| (c.call, c.stored))
                .collect::<Vec<_>>(),
            [("likeadmin_mnp", true), ("likeadmin_pay", false)]
        );
        assert!(matches!(
            r.failure,
            Some(Failure::Stop(Stop::LoggedOut { .. }))
        ));
        let logins = http
            .seen()
            .iter()
            .filter(|q| q.url.ends_with("login/account"))
            .count();
        assert_eq!(logins, 2);
    }

    #[test]
    fn nothing_is_sent_while_the_backend_needs_values_the_shop_lacks() {
        let (ctx, f) = fake_ctx();
        likeadmin_shop(&f);
        f.keychain.delete("店", SecretField::ApiKeyV3).unwrap();
        let http = likeadmin(|_, _| la_ok(json!([])));
        let ctx = over(ctx, &http);
        let e = run(&ctx, "店", password("right"), &mut |_| true).unwrap_err();
        assert!(
            matches!(&e, PushError::Needs(_, n) if n.contains(&Ours::ApiKeyV3)),
            "{e:?}"
        );
        assert!(http.seen().iter().all(|r| !r.url.ends_with("setConfig")));
    }

    /// Trial M5: another merchant's certificate (its CN is another merchant number), or
    /// a key that is not the certificate's pair, is refused before anything is sent:
    /// the shop's own certificate checks already say so.
    #[test]
    fn a_certificate_of_another_merchant_or_a_mismatched_key_is_never_sent() {
        for (cert_mchid, key_matches, code) in [
            ("1900006032", Some(true), "cert_mchid_mismatch"),
            (crate::app::ops::testing::MCHID, Some(false), "key_mismatch"),
        ] {
            let (ctx, f) = fake_ctx();
            likeadmin_shop(&f);
            let mut p = f.profiles.load("店").unwrap();
            let c = p.certificate.as_mut().unwrap();
            c.mchid = Some(cert_mchid.into());
            c.key_matches = key_matches;
            f.profiles.save(&p).unwrap();
            let http = likeadmin(|_, _| la_ok(json!([])));
            let ctx = over(ctx, &http);
            let e = run(&ctx, "店", password("right"), &mut |_| true).unwrap_err();
            assert_eq!(e.code(), "certificate", "{e:?}");
            assert!(
                http.seen().is_empty(),
                "nothing was sent, not even the login"
            );
            let tr = crate::i18n::Tr(crate::i18n::Lang::ZhCn);
            let zh = tr.msg(&e);
            let problem = tr.t(&format!("problem.{code}"));
            let start: String = problem.chars().take_while(|c| *c != '{').take(6).collect();
            assert!(zh.contains(&start), "the shop's own check words it: {zh}");
            assert!(zh.contains("什么也没有发送"), "{zh}");
            assert!(!zh.contains("(?)"), "{zh}");
        }
    }

    #[test]
    fn credentials_are_checked_on_input_and_a_dry_run_remembers_nothing() {
        let (ctx, f) = fake_ctx();
        likeadmin_shop(&f);
        let http = likeadmin(|_, _| la_ok(json!([])));
        let ctx = over(ctx, &http);
        for (pw, want) in [
            ("", CredentialProblem::Empty),
            ("pa\r\nss", CredentialProblem::Control { position: 3 }),
        ] {
            let e = run(&ctx, "店", password(pw), &mut |_| true).unwrap_err();
            assert!(
                matches!(e, PushError::BadCredential { problem, .. } if problem == want),
                "{e:?}"
            );
        }
        let none = run(&ctx, "店", Overrides::default(), &mut |_| true).unwrap_err();
        assert!(matches!(none, PushError::NoPassword), "{none:?}");
        let dry = run(
            &ctx,
            "店",
            Overrides {
                url: Some("http://127.0.0.1:2/admin".into()),
                dry_run: true,
                ..password("right")
            },
            &mut |_| panic!("a dry run asks nothing"),
        )
        .unwrap();
        assert!(matches!(dry, Outcome::DryRun(_)));
        assert_eq!(
            ctx.profiles.load("店").unwrap().backend_url,
            "http://127.0.0.1:1/admin"
        );
        assert_eq!(f.keychain.peek("店", SecretField::BackendPassword), None);
        assert!(http.seen().iter().all(|r| !r.url.ends_with("setConfig")));
    }

    #[test]
    fn the_window_sends_only_what_its_preview_showed() {
        let (ctx, f) = fake_ctx();
        likeadmin_shop(&f);
        let http = likeadmin(|_, _| la_ok(json!([])));
        let ctx = over(ctx, &http);
        let p = preview(&ctx, "店", password("right")).unwrap();
        let mut shop = ctx.profiles.load("店").unwrap();
        shop.mchid = "1900000002".into();
        ctx.profiles.save(&shop).unwrap();
        let e = send(&ctx, "店", password("right"), &p.fingerprint).unwrap_err();
        assert!(matches!(e, PushError::Changed));
        let again = preview(&ctx, "店", password("right")).unwrap();
        assert!(send(&ctx, "店", password("right"), &again.fingerprint).is_ok());
    }

    /// Trial minor 1: a push that fails (a wrong account, an address that does not
    /// answer) remembers none of its arguments; one whose login was accepted does.
    #[test]
    fn only_a_push_whose_login_was_accepted_is_remembered() {
        let (ctx, f) = fake_ctx();
        likeadmin_shop(&f);
        let http = likeadmin(|_, _| la_ok(json!([])));
        let ctx = over(ctx, &http);
        let changed = || Overrides {
            url: Some("http://127.0.0.1:2/admin".into()),
            account: Some("nosuchuser".into()),
            ..password("wrong")
        };
        assert!(run(&ctx, "店", changed(), &mut |_| true).is_err());
        let p = ctx.profiles.load("店").unwrap();
        assert_eq!(
            (p.backend_url.as_str(), p.backend_account.as_str()),
            ("http://127.0.0.1:1/admin", "admin"),
            "a refused login changes nothing remembered"
        );
        let ok = Overrides {
            password: Some(Secret::new("right")),
            ..changed()
        };
        assert!(run(&ctx, "店", ok, &mut |_| true).is_ok());
        let p = ctx.profiles.load("店").unwrap();
        assert_eq!(p.backend_account, "nosuchuser");
        assert_eq!(p.backend_url, "http://127.0.0.1:2/admin");
    }

    #[test]
    fn overrides_are_checked() {
        let (ctx, f) = fake_ctx();
        shop(&f, "店");
        let http = FakeBackend::new(|_| Ok(Reply::new(500, "")));
        let ctx = over(ctx, &http);
        let bad = |o: Overrides| run(&ctx, "店", o, &mut |_| true).err().map(|e| e.code());
        assert_eq!(bad(Overrides::default()), Some("no_backend"));
        let la = || Some("likeadmin".to_owned());
        assert_eq!(
            bad(Overrides {
                backend: Some("magento".into()),
                ..Default::default()
            }),
            Some("bad_backend")
        );
        assert_eq!(
            bad(Overrides {
                backend: la(),
                ..Default::default()
            }),
            Some("no_url")
        );
        assert_eq!(
            bad(Overrides {
                backend: la(),
                url: Some("http://10.0.0.1/admin".into()),
                ..Default::default()
            }),
            Some("insecure_url")
        );
        assert_eq!(
            bad(Overrides {
                backend: la(),
                url: Some("https://shop.example.com".into()),
                ..Default::default()
            }),
            Some("no_account")
        );
        assert_eq!(
            bad(Overrides {
                backend: Some("shopxo".into()),
                url: Some("https://shop.example.com/".into()),
                account: Some("admin".into()),
                password: Some(Secret::new("pw")),
                ..Default::default()
            }),
            Some("bad_address")
        );
        assert_eq!(
            bad(Overrides {
                backend: la(),
                mapping_file: Some("m.toml".into()),
                ..Default::default()
            }),
            Some("mapping_not_generic")
        );
        // trial minor 2: a token is the generic receiver's only, as a mapping is
        assert_eq!(
            bad(Overrides {
                backend: la(),
                url: Some("https://shop.example.com".into()),
                account: Some("admin".into()),
                password: Some(Secret::new("pw")),
                token: Some(Secret::new("t0ken")),
                ..Default::default()
            }),
            Some("token_not_generic")
        );
        assert_eq!(
            bad(Overrides {
                backend: Some("generic".into()),
                url: Some("https://shop.example.com/api".into()),
                ..Default::default()
            }),
            Some("no_token")
        );
        assert!(http.seen().is_empty(), "nothing was sent");
    }
}
