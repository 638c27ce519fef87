//! Every error and outcome the user can be told has a text in both languages,
//! derived from the types: each error enum hands out one value of every variant
//! (`samples()`, complete by an exhaustive match the compiler keeps), each id
//! enum is iterated with `strum::EnumIter`. A new variant without a text fails
//! here, in zh-CN and in en separately (the runtime falls back to the other
//! language, which would hide a text missing in one).

use std::collections::{BTreeSet, HashMap};

use strum::IntoEnumIterator;
use wxpay_setup::app::journey::{API_KEY_STEPS, APPLY_NEW, BIND_EXISTING, CERT_STEPS};
use wxpay_setup::domain::bundle::BundleReadError;
use wxpay_setup::domain::cert::ImportError;
use wxpay_setup::domain::check::CheckId;
use wxpay_setup::domain::fields::FieldId;
use wxpay_setup::domain::profile::Step;
use wxpay_setup::domain::wxapi::Outcome;
use wxpay_setup::i18n::{EN_SOURCE, Lang, Message, Tr, ZH_CN_SOURCE, parse_catalog};
use wxpay_setup::services::profile_store::StorageError;
use wxpay_setup::services::secret_store::StoreError;
use wxpay_setup::services::wechat_http::NetError;

fn catalogs() -> [(Lang, HashMap<String, String>); 2] {
    [
        (Lang::ZhCn, parse_catalog(ZH_CN_SOURCE).unwrap()),
        (Lang::En, parse_catalog(EN_SOURCE).unwrap()),
    ]
}

fn placeholders(s: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.insert(&rest[start + 1..start + len]);
        rest = &rest[start + len..];
    }
    out
}

/// What is wrong with the text of `m` in each language: no text, or a
/// placeholder the message gives no value for.
fn text_problems(m: &dyn Message, what: &str) -> Vec<String> {
    let mut out = Vec::new();
    let key = m.key();
    let given: BTreeSet<&str> = m.args().iter().map(|(n, _)| *n).collect();
    for (lang, catalog) in catalogs() {
        let Some(template) = catalog.get(&key) else {
            out.push(format!("{what}: no {} text for {key}", lang.code()));
            continue;
        };
        for p in placeholders(template) {
            if !given.contains(p) {
                out.push(format!("{what}: {key} ({}) needs {{{p}}}", lang.code()));
            }
        }
        let text = Tr(lang).msg(m);
        if text.contains("(?)") {
            out.push(format!("{what}: {key} ({}) shows (?): {text}", lang.code()));
        }
    }
    out
}

#[test]
fn every_error_variant_and_check_has_a_text_in_both_languages() {
    let mut messages: Vec<(String, Box<dyn Message>)> = Vec::new();
    let mut add = |what: String, m: Box<dyn Message>| messages.push((what, m));
    for e in ImportError::samples() {
        add(format!("{e:?}"), Box::new(e));
    }
    for e in BundleReadError::samples() {
        add(format!("{e:?}"), Box::new(e));
    }
    for e in wxpay_setup::domain::cert::request::RequestError::samples() {
        add(format!("{e:?}"), Box::new(e));
    }
    {
        use wxpay_setup::app::ops::cert_request::CertOpError;
        for e in [
            CertOpError::NoMchid,
            CertOpError::NoCompany,
            CertOpError::NoPending,
            CertOpError::PendingKeyMissing,
            CertOpError::FolderExists("/x/1900006031_20261127_cert".into()),
            CertOpError::Write {
                path: "/x".into(),
                reason: "disk full".into(),
            },
        ] {
            add(format!("{e:?}"), Box::new(e));
        }
        use wxpay_setup::domain::cert::wxcertutil::CertFilesError;
        for e in [
            CertFilesError::NoCertificate,
            CertFilesError::NoKey,
            CertFilesError::P12("x".into()),
        ] {
            add(format!("{e:?}"), Box::new(e));
        }
    }
    // everything an import file or a bundle import can say (trial minor 3: an
    // unknown backend_preset showed "× backend_preset: (?)")
    {
        use wxpay_setup::app::ops::import::{ImportFileError, Issue};
        use wxpay_setup::app::ops::import_bundle::ImportBundleError;
        for e in Issue::samples() {
            add(format!("{e:?}"), Box::new(e));
        }
        for e in ImportFileError::samples() {
            add(format!("{e:?}"), Box::new(e));
        }
        for e in ImportBundleError::samples() {
            add(format!("{e:?}"), Box::new(e));
        }
    }
    for e in StoreError::samples() {
        add(format!("{e:?}"), Box::new(e));
    }
    for e in StorageError::samples() {
        add(format!("{e:?}"), Box::new(e));
    }
    // a network failure reaches the user as a check's outcome (app::verify)
    for e in NetError::samples() {
        let o = Outcome::error(e.code()).with("detail", e.detail());
        add(format!("{e:?}"), Box::new(o));
    }
    // the push: its errors, the backends' answers, how values and fields are shown,
    // what a backend cannot hold, and the report's one-line outcome
    {
        use wxpay_setup::app::ops::push::{
            Failure, FailureMessage, Preview, PushError, Report, Status,
        };
        use wxpay_setup::domain::backend::{
            BackendKind, CANNOT_WHY, Cannot, FieldLabel, Ours, Plan, Shown, Stop,
        };
        use wxpay_setup::services::backend_http::SendError;
        for e in PushError::samples() {
            add(format!("{e:?}"), Box::new(e));
        }
        for k in BackendKind::ALL {
            for s in Stop::samples() {
                let m = FailureMessage {
                    backend: k,
                    failure: Failure::Stop(s),
                };
                add(format!("{m:?}"), Box::new(m));
            }
            for e in SendError::samples() {
                let m = FailureMessage {
                    backend: k,
                    failure: Failure::Net(e),
                };
                add(format!("{m:?}"), Box::new(m));
            }
        }
        for sh in [
            Shown::Empty,
            Shown::Unknown,
            Shown::Plain { text: "x".into() },
            Shown::Masked {
                chars: 32,
                ours: false,
            },
            Shown::Masked {
                chars: 32,
                ours: true,
            },
            Shown::Masked {
                chars: 0,
                ours: false,
            },
            Shown::Certificate {
                serial: Some("444F".into()),
            },
            Shown::Certificate { serial: None },
            Shown::PrivateKey { ours: true },
            Shown::PrivateKey { ours: false },
            Shown::Path {
                path: "/uploads/a.pem".into(),
            },
            Shown::Hidden { chars: 43 },
            Shown::Masked {
                chars: 1,
                ours: false,
            },
            Shown::Hidden { chars: 1 },
        ] {
            add(format!("{sh:?}"), Box::new(sh));
        }
        for why in CANNOT_WHY {
            let c = Cannot {
                ours: Ours::ApiKeyV2,
                why,
            };
            add(format!("{c:?}"), Box::new(c));
        }
        // a backend's coded choice, said in words (second window trial)
        for code in wxpay_setup::domain::backend::CODED_VALUES {
            let v = Shown::Plain {
                text: (*code).into(),
            };
            add(format!("{v:?}"), Box::new(v));
        }
        // what a push leaves as it is, and the warning when the backend pairs it
        // with ours (second CLI trial, blocker)
        for why in wxpay_setup::domain::backend::LEFT_WHY {
            let l = wxpay_setup::domain::backend::Left {
                field: "official_account_setting.app_id".into(),
                ours: Some(Ours::OaAppId),
                now: Shown::Plain { text: "wx1".into() },
                why,
            };
            add(format!("{l:?}"), Box::new(l));
        }
        for why in wxpay_setup::domain::backend::WARNINGS {
            // only likeadmin may not say its scenes (CRMEB's and ShopXO's are known)
            let unknown = (*why == "likeadmin_oa_appid").then_some(None);
            let known = Some(wxpay_setup::domain::backend::SCENES.to_vec());
            for scenes in std::iter::once(known).chain(unknown) {
                let w = wxpay_setup::domain::backend::Warning {
                    why,
                    backend: BackendKind::Likeadmin,
                    field: "official_account_setting.app_id".into(),
                    holds: Shown::Plain { text: "wx1".into() },
                    scenes,
                };
                add(format!("{w:?}"), Box::new(w));
            }
        }
        for o in Ours::ALL {
            add(
                format!("label {o:?}"),
                Box::new(FieldLabel {
                    backend: BackendKind::Generic,
                    ours: Some(o),
                    field: "f",
                }),
            );
        }
        add(
            "label kept".into(),
            Box::new(FieldLabel {
                backend: BackendKind::Shopxo,
                ours: None,
                field: "plugins_of_another_version",
            }),
        );
        // every field by the label its backend's own page shows (window m5)
        for (backend, table) in [
            (
                BackendKind::Likeadmin,
                wxpay_setup::domain::backend::likeadmin::LABELS,
            ),
            (
                BackendKind::Crmeb,
                wxpay_setup::domain::backend::crmeb::LABELS,
            ),
            (
                BackendKind::Shopxo,
                wxpay_setup::domain::backend::shopxo::LABELS,
            ),
        ] {
            for (field, _) in table {
                add(
                    format!("label {} {field}", backend.name()),
                    Box::new(FieldLabel {
                        backend,
                        ours: None,
                        field,
                    }),
                );
            }
        }
        for (status, warned) in [
            (Status::Done, false),
            (Status::Done, true),
            (Status::StoredUnchecked, false),
            (Status::Mismatch, false),
            (Status::Partial, false),
            (Status::Refused, false),
        ] {
            let warnings = warned
                .then(|| wxpay_setup::domain::backend::Warning {
                    why: "likeadmin_oa_appid",
                    backend: BackendKind::Likeadmin,
                    field: "official_account_setting.app_id".into(),
                    holds: Shown::Plain { text: "wx1".into() },
                    scenes: Some(vec!["oa"]),
                })
                .into_iter()
                .collect();
            let preview = Preview {
                backend: BackendKind::Likeadmin,
                url: "https://x".into(),
                plan: Plan {
                    calls: vec!["likeadmin_pay"],
                    warnings,
                    ..Plan::default()
                },
                fingerprint: String::new(),
            };
            let r = Report {
                backend: BackendKind::Likeadmin,
                url: "https://x".into(),
                status,
                fields: Vec::new(),
                calls: Vec::new(),
                not_sent: vec!["likeadmin_pay"],
                failure: None,
                read_back_failure: None,
                relogins: 0,
                preview,
            };
            add(format!("{status:?} {warned}"), Box::new(r));
        }
    }
    for c in CheckId::iter() {
        add(format!("{c:?}"), Box::new(c));
    }
    assert!(
        messages.len() >= 40,
        "every sample is here: {}",
        messages.len()
    );
    let problems: Vec<String> = messages
        .iter()
        .flat_map(|(what, m)| text_problems(m.as_ref(), what))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_check_step_field_and_checklist_item_has_its_texts() {
    // the hand-kept ALL lists the code iterates agree with the types
    assert_eq!(CheckId::iter().collect::<Vec<_>>(), CheckId::ALL);
    assert_eq!(Step::iter().collect::<Vec<_>>(), Step::ALL);
    let mut keys = Vec::new();
    for s in Step::iter() {
        keys.push(format!("step.{}.title", s.key()));
        keys.push(format!("step.{}.nav", s.key()));
    }
    for f in FieldId::iter() {
        keys.push(format!("field.{}.label", f.key()));
        keys.push(format!("field.{}.where", f.key()));
    }
    {
        use wxpay_setup::domain::backend::{BackendKind, CALLS, NOT_FOUND, Ours};
        for k in BackendKind::ALL {
            for section in [
                "backend.kind",
                "backend.kind_choice",
                "push_ui.address_help",
            ] {
                keys.push(format!("{section}.{}", k.name()));
            }
        }
        for c in CALLS {
            keys.push(format!("backend.call.{c}"));
        }
        for k in BackendKind::ALL.iter().map(|k| k.name()).chain(["unset"]) {
            keys.push(format!("backend.needs.{k}"));
        }
        for n in NOT_FOUND {
            keys.push(format!("backend.not_found.{n}"));
        }
        for o in Ours::ALL {
            keys.push(format!("backend_field.{}", o.key()));
        }
        for what in ["password", "token", "account"] {
            keys.push(format!("push.what_{what}"));
        }
    }
    for list in [APPLY_NEW, BIND_EXISTING, API_KEY_STEPS, CERT_STEPS] {
        for item in list {
            keys.push(format!("checklist.{}.text", item.id));
            keys.push(format!("checklist.{}.hint", item.id));
        }
    }
    let mut missing = Vec::new();
    for (lang, catalog) in catalogs() {
        for k in &keys {
            if !catalog.contains_key(k) {
                missing.push(format!("{}: {k}", lang.code()));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

/// An outcome hands only the placeholders it knows to the text; every
/// placeholder a check's text uses must be one of them.
#[test]
fn outcome_texts_use_only_the_placeholders_outcomes_carry() {
    for (lang, catalog) in catalogs() {
        for (k, v) in &catalog {
            if k.starts_with("check.") && !k.starts_with("check.id.") {
                for p in placeholders(v) {
                    assert!(
                        wxpay_setup::domain::wxapi::OUTCOME_ARGS.contains(&p),
                        "{} {k} uses {{{p}}}",
                        lang.code()
                    );
                }
            }
        }
    }
}
