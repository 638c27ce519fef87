//! Run every online check of a profile and remember the results in it
//! (fingerprinted, so a later edit marks exactly the dependent checks stale).

use serde::Serialize;

use super::{Ctx, Each, OpError, Which, load_profile, load_secrets};
use crate::app::verify::{self as checks, CheckId, CheckRecord};
use crate::domain::wxapi::{Outcome, Status, Tally, clock};

/// The checks of one profile, in the order they are listed.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub profile: String,
    /// "This computer's clock is N minutes off" (from the replies' `Date`): said
    /// first, since WeChat refuses signed requests from a wrong clock.
    pub clock: Option<Outcome>,
    pub checks: Vec<(CheckId, Outcome)>,
}

impl Verified {
    /// Nothing is wrong and nothing could not be checked. Values that no
    /// side-effect-free reply can prove (`unproven`) do not count against it.
    pub fn ok(&self) -> bool {
        self.clock.is_none() && self.tally().all_good()
    }

    /// The results counted by what they prove (skipped ones are not counted).
    pub fn tally(&self) -> Tally {
        Tally::of(self.checks.iter().map(|(_, o)| o.status))
    }

    /// The checks whose value is only format-checked.
    pub fn unproven(&self) -> impl Iterator<Item = CheckId> + '_ {
        self.checks
            .iter()
            .filter(|(_, o)| o.status == Status::Unproven)
            .map(|(id, _)| *id)
    }
}

/// How the checks reach WeChat (straight, or through which HTTPS proxy), to be
/// said before the results; an unusable proxy setting is an error.
pub fn connection() -> Result<crate::services::wechat_http::ProxyUse, OpError> {
    Ok(crate::services::wechat_http::proxy_in_use()?)
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
        clock: clock::clock_outcome(results.iter().map(|(_, o)| o.clock_skew_secs)),
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
        assert_eq!(v.tally().total(), ran.len());
    }
}
