//! Run every online check of a profile and remember the results in it
//! (fingerprinted, so a later edit marks exactly the dependent checks stale).

use serde::Serialize;

use super::{Ctx, Each, OpError, Which, load_profile, load_secrets};
use crate::app::verify::{self as checks, CheckId, CheckRecord};
use crate::domain::wxapi::{Outcome, Status};

/// The checks of one profile, in the order they are listed.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub profile: String,
    pub checks: Vec<(CheckId, Outcome)>,
}

impl Verified {
    /// Every check that applies passed.
    pub fn ok(&self) -> bool {
        self.checks
            .iter()
            .all(|(_, o)| matches!(o.status, Status::Ok | Status::Skipped))
    }

    pub fn passed(&self) -> usize {
        self.checks
            .iter()
            .filter(|(_, o)| o.status == Status::Ok)
            .count()
    }

    /// The checks that ran (not skipped).
    pub fn applicable(&self) -> usize {
        self.checks
            .iter()
            .filter(|(_, o)| o.status != Status::Skipped)
            .count()
    }
}

/// Verifies each profile of `which`; `progress` hears of each as it is done.
pub fn verify_many(
    ctx: &Ctx,
    which: &Which,
    progress: impl FnMut(usize, usize, &str, &Result<Verified, OpError>),
) -> Result<Each<Verified, OpError>, OpError> {
    Ok(super::each(
        &which.names(ctx)?,
        |name| verify_one(ctx, name),
        progress,
    ))
}

/// Runs all checks of `name` and saves their results in the profile.
pub fn verify_one(ctx: &Ctx, name: &str) -> Result<Verified, OpError> {
    let mut p = load_profile(ctx, name)?;
    let secrets = load_secrets(ctx, name)?;
    let http = ctx.http.get()?;
    let results = checks::run_all(&CheckId::ALL, &p, &secrets, http, &ctx.urls);
    let now = crate::app::now_rfc3339();
    for (id, outcome) in &results {
        if outcome.status != Status::Skipped {
            p.checks.insert(
                *id,
                CheckRecord {
                    outcome: outcome.clone(),
                    at: now.clone(),
                    fingerprint: checks::fingerprint(*id, &p, &secrets),
                },
            );
        }
    }
    ctx.profiles.save(&p)?;
    Ok(Verified {
        profile: name.to_owned(),
        checks: results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ops::testing::{fake_ctx, shop};

    #[test]
    fn results_are_recorded_in_the_profile() {
        let (ctx, f) = fake_ctx();
        shop(&f, "店");
        // an empty reply is not a verdict: the check says it could not check
        f.http.reply(503, "");
        let v = verify_one(&ctx, "店").unwrap();
        assert!(!v.ok());
        let saved = ctx.profiles.load("店").unwrap();
        let ran: Vec<CheckId> = v
            .checks
            .iter()
            .filter(|(_, o)| o.status != Status::Skipped)
            .map(|(id, _)| *id)
            .collect();
        assert!(!ran.is_empty(), "the AppSecret check runs");
        assert!(!f.http.seen().is_empty(), "it asked the (fake) WeChat");
        assert_eq!(saved.checks.keys().copied().collect::<Vec<_>>(), ran);
        assert_eq!(v.applicable(), ran.len());
    }
}
