//! Judge an imported certificate: is it usable for this merchant, today?

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{CertSummary, IssuerKind};
use crate::domain::problem::Problem;

/// Warn this many days before the certificate expires.
pub const EXPIRY_WARNING_DAYS: i64 = 60;

/// Problems with the certificate, worst first. `expected_mchid` is the MCHID the
/// user entered (ignored when empty).
pub fn evaluate(cert: &CertSummary, expected_mchid: &str, now: OffsetDateTime) -> Vec<Problem> {
    let mut problems = Vec::new();
    match OffsetDateTime::parse(&cert.not_after, &Rfc3339) {
        Ok(not_after) if not_after <= now => {
            problems.push(Problem::error("cert_expired").with("date", date(not_after)));
        }
        Ok(not_after) => {
            let days = (not_after - now).whole_days();
            if days <= EXPIRY_WARNING_DAYS {
                problems.push(
                    Problem::warning("cert_expiring_soon")
                        .with("days", days)
                        .with("date", date(not_after)),
                );
            }
        }
        Err(_) => problems.push(Problem::error("cert_dates_unreadable")),
    }
    if let Ok(not_before) = OffsetDateTime::parse(&cert.not_before, &Rfc3339)
        && not_before > now
    {
        problems.push(Problem::error("cert_not_yet_valid").with("date", date(not_before)));
    }
    match cert.key_matches {
        None => problems.push(Problem::error("key_missing")),
        Some(false) => problems.push(Problem::error("key_mismatch")),
        Some(true) => {}
    }
    let expected = expected_mchid.trim();
    match &cert.mchid {
        Some(m) if !expected.is_empty() && m != expected => problems.push(
            Problem::error("cert_mchid_mismatch")
                .with("cert", crate::domain::text::printable(m))
                .with("entered", expected),
        ),
        None => problems.push(Problem::warning("cert_mchid_unreadable")),
        _ => {}
    }
    match cert.issuer {
        IssuerKind::Tenpay => {}
        IssuerKind::Legacy => problems.push(Problem::warning("cert_issuer_legacy")),
        IssuerKind::Unknown => problems.push(
            Problem::warning("cert_issuer_unknown")
                .with("issuer", crate::domain::text::printable(&cert.issuer_name)),
        ),
    }
    if cert.key_bits.is_some_and(|b| b < 2048) {
        problems.push(Problem::error("key_too_short").with("bits", cert.key_bits.unwrap_or(0)));
    }
    problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
    problems
}

fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// A certificate is usable when nothing is an error.
pub fn is_usable(problems: &[Problem]) -> bool {
    !problems.iter().any(Problem::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn cert(not_after: &str) -> CertSummary {
        CertSummary {
            mchid: Some("1900006031".into()),
            company: Some("某某科技有限公司".into()),
            issuer: IssuerKind::Tenpay,
            issuer_name: "CN=Tenpay.com Root CA".into(),
            serial: "0A".repeat(20),
            not_before: "2024-01-01T00:00:00Z".into(),
            not_after: not_after.into(),
            signature_algorithm: "sha256WithRSAEncryption".into(),
            key_bits: Some(2048),
            key_present: true,
            key_matches: Some(true),
            p12_present: true,
            source: String::new(),
            certificate_pem: String::new(),
        }
    }

    fn codes(p: &[Problem]) -> Vec<&'static str> {
        p.iter().map(|p| p.code).collect()
    }

    #[test]
    fn good_certificate_has_no_problem() {
        let p = evaluate(
            &cert("2029-01-01T00:00:00Z"),
            "1900006031",
            datetime!(2026-11-26 0:00 UTC),
        );
        assert!(p.is_empty(), "{p:?}");
        assert!(is_usable(&p));
    }

    #[test]
    fn expiry_warning_window_is_sixty_days() {
        let now = datetime!(2026-11-26 0:00 UTC);
        let p = evaluate(&cert("2027-01-24T00:00:00Z"), "", now);
        assert_eq!(codes(&p), ["cert_expiring_soon"]);
        assert!(is_usable(&p));
        assert_eq!(p[0].args[0], ("days", "59".to_owned()));
        let p = evaluate(&cert("2027-01-26T00:00:00Z"), "", now);
        assert!(p.is_empty());
        let p = evaluate(&cert("2026-11-25T00:00:00Z"), "", now);
        assert_eq!(codes(&p), ["cert_expired"]);
        assert!(!is_usable(&p));
    }

    #[test]
    fn mchid_key_and_issuer_problems() {
        let now = datetime!(2026-11-26 0:00 UTC);
        let mut c = cert("2029-01-01T00:00:00Z");
        assert_eq!(
            codes(&evaluate(&c, "1900000109", now)),
            ["cert_mchid_mismatch"]
        );
        c.key_matches = Some(false);
        c.issuer = IssuerKind::Legacy;
        assert_eq!(
            codes(&evaluate(&c, "", now)),
            ["key_mismatch", "cert_issuer_legacy"]
        );
        c.key_matches = None;
        c.issuer = IssuerKind::Unknown;
        assert_eq!(
            codes(&evaluate(&c, "", now)),
            ["key_missing", "cert_issuer_unknown"]
        );
    }
}
