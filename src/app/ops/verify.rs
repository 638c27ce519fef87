//! Run every online check of a profile and remember the results in it
//! (fingerprinted, so a later edit marks exactly the dependent checks stale).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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

    /// WeChat said "too many requests" to one of the checks.
    pub fn rate_limited(&self) -> bool {
        self.checks.iter().any(|(_, o)| o.code == "rate_limited")
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

/// How many shops are checked at once by default, and at most: enough to hide
/// WeChat's round trips, few enough to stay far below its rate limits.
pub const DEFAULT_JOBS: usize = 8;
pub const MAX_JOBS: usize = 16;
/// How often a shop whose checks were rate-limited is tried again, after the
/// whole batch has paused.
const BATCH_RETRIES: usize = 2;

/// How a batch runs: at most `jobs` shops at a time; once `stop` is set
/// (Ctrl-C) no further shop starts.
pub struct Batch<'a> {
    pub jobs: usize,
    pub stop: &'a AtomicBool,
}

/// When WeChat says "too many requests" (45011, frequency limits), every
/// worker waits, not only the one that was told: a pause for the batch that
/// doubles while limits keep coming (1 s up to 30 s) and shrinks after successes.
#[derive(Default)]
struct RateGate {
    state: Mutex<(Option<Instant>, u32)>,
}

impl RateGate {
    fn wait(&self, stop: &AtomicBool) {
        loop {
            let until = self.state.lock().unwrap_or_else(|p| p.into_inner()).0;
            match until {
                Some(t) if Instant::now() < t && !stop.load(Ordering::SeqCst) => {
                    std::thread::sleep((t - Instant::now()).min(Duration::from_millis(100)))
                }
                _ => return,
            }
        }
    }

    fn back_off(&self) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // several workers told during one pause: that is one limit, not many
        if s.0.is_some_and(|t| Instant::now() < t) {
            return;
        }
        let pause = Duration::from_secs(1 << s.1.min(5)).min(Duration::from_secs(30));
        s.0 = Some(Instant::now() + pause);
        s.1 += 1;
    }

    fn went_well(&self) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.1 = s.1.saturating_sub(1);
    }
}

/// Verifies each profile of `which`, `batch.jobs` at a time; results in the
/// order of the profiles; `progress` hears of each as it is done.
pub fn verify_many(
    ctx: &Ctx,
    which: &Which,
    batch: Batch<'_>,
    progress: impl FnMut(usize, usize, &str, &Result<Verified, OpError>),
) -> Result<Each<Verified, OpError>, OpError> {
    let names = which.names(ctx)?;
    let gate = RateGate::default();
    let one = |name: &str| {
        let mut tries = 0;
        loop {
            gate.wait(batch.stop);
            let r = verify_one(ctx, name);
            let limited = r.as_ref().is_ok_and(Verified::rate_limited);
            if !limited {
                gate.went_well();
                return r;
            }
            gate.back_off();
            if tries == BATCH_RETRIES || batch.stop.load(Ordering::SeqCst) {
                return r;
            }
            tries += 1;
        }
    };
    Ok(super::each_concurrent(
        &names,
        batch.jobs.clamp(1, MAX_JOBS),
        batch.stop,
        one,
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
    // recorded under the shop's lock, into the profile as it is now (the lock is
    // not held while WeChat answers): a shop deleted meanwhile is not brought
    // back, and a result whose inputs changed meanwhile shows as stale
    {
        let _lock = ctx.lock(name)?;
        let mut now_p = load_profile(ctx, name)?;
        // the values checked, fingerprinted with the salt the profile keeps
        p.fingerprint_salt.clone_from(&now_p.fingerprint_salt);
        for (id, outcome) in &results {
            if outcome.status != Status::Skipped {
                now_p.checks.insert(
                    *id,
                    CheckRecord {
                        outcome: outcome.clone(),
                        at: now.clone(),
                        fingerprint: checks::fingerprint(*id, &p, &secrets),
                    },
                );
            }
        }
        ctx.profiles.save(&now_p)?;
    }
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

    #[test]
    fn a_rate_limit_pauses_the_whole_batch_and_the_shop_is_tried_again() {
        let (ctx, f) = fake_ctx();
        for name in ["a", "b", "c"] {
            // only the AppSecret check asks WeChat
            let mut p = shop(&f, name);
            p.mchid.clear();
            ctx.profiles.save(&p).unwrap();
        }
        // every first try (and its own quick retries) hears "too many requests";
        // after that WeChat accepts the pair
        let limited = r#"{"errcode":45011,"errmsg":"api minute-quota reach limit"}"#;
        for _ in 0..9 {
            f.http.reply(200, limited);
        }
        f.http
            .reply(200, r#"{"errcode":40029,"errmsg":"invalid code"}"#);
        let stop = AtomicBool::new(false);
        let started = Instant::now();
        let batch = Batch {
            jobs: 3,
            stop: &stop,
        };
        let all = verify_many(&ctx, &Which::All, batch, |_, _, _, _| {}).unwrap();
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "the batch paused after the limit"
        );
        let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"], "results in the shops' order");
        for (name, r) in &all {
            let v = r.as_ref().unwrap();
            assert!(!v.rate_limited(), "{name} was tried again after the pause");
            let mp = &v
                .checks
                .iter()
                .find(|(id, _)| *id == CheckId::MpAppSecret)
                .unwrap()
                .1;
            assert_eq!(mp.status, Status::Ok, "{name}: {mp:?}");
        }
    }
}
