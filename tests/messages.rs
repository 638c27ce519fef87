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
use wxpay_setup::domain::push::PushOutcome;
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
    for o in [
        PushOutcome::Accepted,
        PushOutcome::Retry("502 Bad Gateway".into()),
    ] {
        add(format!("{o:?}"), Box::new(o));
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
