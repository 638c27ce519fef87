//! Check a certificate zip or folder without a profile: what it is, whose it
//! is, and whether it can be used (for this merchant number, when given).

use std::path::Path;

use serde::Serialize;

use crate::domain::cert::{self, CertSummary, ImportError, report};
use crate::domain::problem::Problem;

/// What a certificate check found.
#[derive(Debug, Clone, Serialize)]
pub struct CertReport {
    pub summary: CertSummary,
    pub problems: Vec<Problem>,
    pub usable: bool,
}

/// Reads the certificate at `path` and evaluates it (against `mchid` when not empty).
pub fn check_certs(path: &Path, mchid: &str) -> Result<CertReport, ImportError> {
    let imported = crate::services::files::import_cert(path)?;
    let problems = cert::evaluate(&imported.summary, mchid, time::OffsetDateTime::now_utc());
    Ok(CertReport {
        usable: report::is_usable(&problems),
        summary: imported.summary,
        problems,
    })
}
