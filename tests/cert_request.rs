//! Applying for the certificate without WXCertUtil (issue 11), through the CLI
//! in-process against fakes: `cert request` stores the key in the (memory)
//! keychain and remembers the request, a test CA plays the merchant platform and
//! signs it, `cert accept` takes the certificate string back, also after a
//! restart (a new context over the same stores).

mod support;

use std::time::Instant;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DistinguishedName,
    DnType, IsCa, Issuer, KeyPair, PKCS_RSA_SHA256,
};
use serde_json::Value;
use wxpay_setup::app::ops::testing::{Fakes, MCHID, ctx_of, shop};
use wxpay_setup::cli::run_with;
use wxpay_setup::domain::cert::IssuerKind;
use wxpay_setup::domain::profile::SecretField;
use wxpay_setup::i18n::Lang;
use wxpay_setup::services::profile_store::ProfileRepo;

const COMPANY: &str = support::COMPANY;

fn run(f: &Fakes, args: &[&str], input: &str) -> (u8, String, String) {
    run_with(ctx_of(f), Lang::En, args, input)
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The platform: a "Tenpay.com Root CA" signs the request as it comes.
fn issue(csr_pem: &str) -> String {
    let csr = CertificateSigningRequestParams::from_pem(csr_pem).expect("the request parses");
    let mut ca = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CN");
    dn.push(DnType::OrganizationName, "Tenpay.com");
    dn.push(DnType::CommonName, "Tenpay.com Root CA");
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::from_pem_and_sign_algo(support::key_b(), &PKCS_RSA_SHA256).unwrap();
    csr.signed_by(&Issuer::new(ca, key)).unwrap().pem()
}

fn bare_base64(cert_pem: &str) -> String {
    cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn request_then_accept_across_a_restart() {
    let f = Fakes::default();
    shop(&f, "店A");
    let start = Instant::now();
    let (code, out, err) = run(
        &f,
        &[
            "cert",
            "request",
            "--profile",
            "店A",
            "--company",
            COMPANY,
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let req = json(&out);
    assert_eq!(req["mchid"], MCHID);
    assert_eq!(req["company"], COMPANY);
    assert_eq!(req["new"], true);
    let pem = req["request_pem"].as_str().unwrap().to_owned();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    assert!(!req["request_base64"].as_str().unwrap().contains('\n'));
    let requested = start.elapsed();
    // only the public request is printed; the key is in the keychain only
    let key = f
        .keychain
        .peek("店A", SecretField::PendingPrivateKey)
        .expect("the key went to the keychain");
    let key_line = key.expose().lines().nth(1).unwrap().to_owned();
    assert!(!out.contains(&key_line) && !err.contains(&key_line));
    assert!(f.keychain.peek("店A", SecretField::PrivateKey).is_none());

    // the app is closed and opened again: asking again shows the same request
    let (code, out, _) = run(&f, &["cert", "request", "--profile", "店A", "--json"], "");
    assert_eq!(code, 0);
    let again = json(&out);
    assert_eq!(again["new"], false);
    assert_eq!(again["request_pem"], pem.as_str());

    let cert = issue(&pem);
    let t = Instant::now();
    let (code, out, err) = run(
        &f,
        &["cert", "accept", "--profile", "店A", "-"],
        &bare_base64(&cert),
    );
    let accepted = t.elapsed();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("店A"), "{out}");
    eprintln!(
        "request {requested:?} (key generation included), accept {accepted:?}, total {:?}",
        start.elapsed()
    );
    let p = f.profiles.load("店A").unwrap();
    assert!(p.pending_cert_request.is_none());
    let c = p.certificate.expect("stored like a zip import");
    assert_eq!(c.mchid.as_deref(), Some(MCHID));
    assert_eq!(c.company.as_deref(), Some(COMPANY));
    assert_eq!(c.issuer, IssuerKind::Tenpay);
    assert_eq!(c.key_matches, Some(true));
    assert_eq!(c.key_bits, Some(2048));
    assert_eq!(
        f.keychain.peek("店A", SecretField::PrivateKey),
        Some(key),
        "the waiting key became the profile's key"
    );
    assert!(
        f.keychain
            .peek("店A", SecretField::PendingPrivateKey)
            .is_none()
    );

    // nothing left waiting
    let (code, _, err) = run(&f, &["cert", "accept", "--profile", "店A", "-"], &cert);
    assert_eq!(code, 1);
    assert!(err.contains("no request waiting"), "{err}");
}

#[test]
fn refused_pastes_change_nothing() {
    let f = Fakes::default();
    shop(&f, "店B");
    let (code, out, err) = run(
        &f,
        &[
            "cert",
            "request",
            "--profile",
            "店B",
            "--company",
            COMPANY,
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let pem = json(&out)["request_pem"].as_str().unwrap().to_owned();
    let cert = bare_base64(&issue(&pem));
    let compact: String = cert.chars().filter(|c| !c.is_whitespace()).collect();

    // a certificate for another key: signed over a request made for another profile
    shop(&f, "店C");
    let (_, out_c, _) = run(
        &f,
        &[
            "cert",
            "request",
            "--profile",
            "店C",
            "--company",
            COMPANY,
            "--json",
        ],
        "",
    );
    let other = issue(json(&out_c)["request_pem"].as_str().unwrap());

    for (paste, code, says) in [
        (&compact[..compact.len() - 30], 1, "cut_short"),
        (other.as_str(), 1, "key_mismatch"),
        ("garbage !!", 1, "not_a_certificate"),
        ("", 1, "empty"),
    ] {
        let (c, out, err) = run(
            &f,
            &["cert", "accept", "--profile", "店B", "-", "--json"],
            paste,
        );
        assert_eq!(c, code, "{says}: {err}");
        assert_eq!(json(&out)["code"], says, "{out}");
        assert!(
            f.profiles
                .load("店B")
                .unwrap()
                .pending_cert_request
                .is_some()
        );
        assert!(f.keychain.peek("店B", SecretField::PrivateKey).is_none());
    }
    // human words for a cut-short paste
    let (_, _, err) = run(
        &f,
        &["cert", "accept", "--profile", "店B", "-"],
        &cert[..cert.len() / 2],
    );
    assert!(err.contains("incomplete"), "{err}");
    // and then the right one is still accepted
    let (code, _, err) = run(&f, &["cert", "accept", "--profile", "店B", "-"], &cert);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn request_needs_a_merchant_number_and_a_company() {
    let f = Fakes::default();
    shop(&f, "店D");
    let (code, _, err) = run(&f, &["cert", "request", "--profile", "店D"], "");
    assert_eq!(code, 2, "no company known: {err}");
    assert!(err.contains("legal name"), "{err}");
    let mut p = f.profiles.load("店D").unwrap();
    p.mchid.clear();
    f.profiles.save(&p).unwrap();
    let (code, _, err) = run(
        &f,
        &["cert", "request", "--profile", "店D", "--company", COMPANY],
        "",
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(
        &f,
        &["cert", "request", "--profile", "nobody", "--company", "x"],
        "",
    );
    assert_eq!(code, 1);
    assert!(
        f.keychain
            .peek("店D", SecretField::PendingPrivateKey)
            .is_none()
    );
}

#[test]
fn starting_over_replaces_the_key() {
    let f = Fakes::default();
    shop(&f, "店E");
    let args = [
        "cert",
        "request",
        "--profile",
        "店E",
        "--company",
        COMPANY,
        "--json",
    ];
    let (_, out, _) = run(&f, &args, "");
    let first = json(&out)["request_pem"].as_str().unwrap().to_owned();
    let key1 = f
        .keychain
        .peek("店E", SecretField::PendingPrivateKey)
        .unwrap();
    let (code, out, _) = run(&f, &[&args[..], &["--new"]].concat(), "");
    assert_eq!(code, 0);
    let second = json(&out);
    assert_eq!(second["new"], true);
    assert_ne!(second["request_pem"], first.as_str());
    assert_ne!(
        f.keychain
            .peek("店E", SecretField::PendingPrivateKey)
            .unwrap(),
        key1
    );
    // the certificate for the dropped request no longer fits
    let (code, out, _) = run(
        &f,
        &["cert", "accept", "--profile", "店E", "-", "--json"],
        &issue(&first),
    );
    assert_eq!(code, 1);
    assert_eq!(json(&out)["code"], "key_mismatch");
}

#[test]
fn a_waiting_key_moves_on_rename_and_goes_on_delete() {
    let f = Fakes::default();
    shop(&f, "店F");
    let args = ["cert", "request", "--profile", "店F", "--company", COMPANY];
    assert_eq!(run(&f, &args, "").0, 0);
    let key = f
        .keychain
        .peek("店F", SecretField::PendingPrivateKey)
        .unwrap();
    let ctx = ctx_of(&f);
    wxpay_setup::app::ops::profiles::rename(&ctx, "店F", "店G").unwrap();
    assert!(
        f.keychain
            .peek("店F", SecretField::PendingPrivateKey)
            .is_none()
    );
    assert_eq!(
        f.keychain.peek("店G", SecretField::PendingPrivateKey),
        Some(key)
    );
    assert_eq!(run(&f, &["profile", "delete", "店G"], "").0, 0);
    assert!(
        f.keychain
            .peek("店G", SecretField::PendingPrivateKey)
            .is_none()
    );
}

#[test]
fn help_is_localized() {
    let f = Fakes::default();
    let (code, out, _) = run_with(ctx_of(&f), Lang::ZhCn, &["cert", "request", "--help"], "");
    assert_eq!(code, 0);
    assert!(out.contains("商户全称"), "{out}");
}
