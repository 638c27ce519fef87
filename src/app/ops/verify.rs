//! Run every online check of a profile and remember the results in it
//! (fingerprinted, so a later edit marks exactly the dependent checks stale).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Ctx, Each, OpError, Which, load_profile, load_secrets};
use crate::app::verify::{self as checks, CheckId};
use crate::domain::wxapi::{Outcome, Status, Tally, clock};

/// The checks of one profile, in the order they are listed.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub profile: String,
    /// "This computer's clock is N minutes off" (from the replies' signed
    /// timestamp or `Date`): said first. Beyond 5 minutes WeChat refuses signed
    /// requests and it blocks; up to that it is a warning.
    pub clock: Option<Outcome>,
    pub checks: Vec<(CheckId, Outcome)>,
    /// The binding items the merchant confirmed (for the values as they are).
    pub confirmed: Vec<CheckId>,
}

impl Verified {
    /// Nothing is wrong and nothing could not be checked. Values that no
    /// side-effect-free reply can prove (`unproven`) do not count against it,
    /// nor does a clock off by less than WeChat's 5 minutes.
    pub fn ok(&self) -> bool {
        self.clock.as_ref().is_none_or(|c| !c.status.is_problem()) && self.tally().all_good()
    }

    /// The results counted by what they prove (skipped ones are not counted),
    /// bindings the merchant confirmed counted as the merchant's confirmation.
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for (id, o) in &self.checks {
            t.add(o.status, self.confirmed.contains(id));
        }
        t
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
/// How a batch runs: at most `jobs` shops at a time; once `stop` is set
/// (Ctrl-C) no further shop starts.
pub struct Batch<'a> {
    pub jobs: usize,
    pub stop: &'a AtomicBool,
}

/// When WeChat says "too many requests" (45011, frequency limits), every
/// worker waits before its next shop, not only the one that was told: a pause
/// for the batch that doubles while limits keep coming (1 s up to 30 s) and
/// shrinks after successes. The shop that was told is not asked again: 45011
/// is a per-minute quota, which a retry within seconds only spends (its
/// result says to check again in a minute).
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
        gate.wait(batch.stop);
        let r = verify_one(ctx, name);
        if r.as_ref().is_ok_and(Verified::rate_limited) {
            gate.back_off();
        } else {
            gate.went_well();
        }
        r
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
                let fingerprint = checks::fingerprint(*id, &p, &secrets);
                crate::domain::check::record(
                    &mut now_p,
                    *id,
                    outcome.clone(),
                    now.clone(),
                    fingerprint,
                );
            }
        }
        ctx.profiles.save(&now_p)?;
    }
    let confirmed = results
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| id.merchant_confirms() && crate::domain::check::confirmed(*id, &p))
        .collect();
    Ok(Verified {
        profile: name.to_owned(),
        clock: clock::clock_outcome(results.iter().map(|(_, o)| o.clock_skew_secs)),
        checks: results,
        confirmed,
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

    /// A WeChat whose first `limited` answers are "too many requests"; after
    /// that it refuses a wrong secret (40125) and gives 40029 for the real one.
    struct Limited {
        limited: std::sync::atomic::AtomicUsize,
        asked: std::sync::atomic::AtomicUsize,
    }

    impl crate::services::wechat_http::WeChatHttp for Limited {
        fn get(
            &self,
            url: &str,
            _: Option<&str>,
        ) -> Result<crate::services::wechat_http::Reply, crate::services::wechat_http::NetError>
        {
            self.asked.fetch_add(1, Ordering::SeqCst);
            let left = self.limited.load(Ordering::SeqCst);
            let body = if left > 0 {
                self.limited.store(left - 1, Ordering::SeqCst);
                r#"{"errcode":45011,"errmsg":"api minute-quota reach limit"}"#
            } else if url.contains(&format!(
                "secret={}&",
                crate::app::ops::testing::MP_APPSECRET
            )) {
                r#"{"errcode":40029,"errmsg":"invalid code"}"#
            } else {
                r#"{"errcode":40125,"errmsg":"invalid appsecret"}"#
            };
            Ok(crate::services::wechat_http::Reply {
                status: 200,
                body: body.into(),
                headers: Default::default(),
            })
        }
        fn post_xml(
            &self,
            url: &str,
            _: &str,
        ) -> Result<crate::services::wechat_http::Reply, crate::services::wechat_http::NetError>
        {
            panic!("only the AppSecret check asks WeChat, not {url}")
        }
    }

    /// Issue 17 item 6: a rate-limited shop is not asked again within
    /// seconds (a per-minute quota); the shops after it wait for the pause.
    #[test]
    fn a_rate_limit_pauses_the_batch_and_is_not_retried_at_once() {
        let (mut ctx, f) = fake_ctx();
        for name in ["a", "b", "c"] {
            // only the AppSecret check asks WeChat
            let mut p = shop(&f, name);
            p.mchid.clear();
            ctx.profiles.save(&p).unwrap();
        }
        // the first request hears "too many requests"; then WeChat answers
        let wechat = std::sync::Arc::new(Limited {
            limited: 1.into(),
            asked: 0.into(),
        });
        ctx.http = crate::app::ops::Lazy::ready(
            wechat.clone() as std::sync::Arc<dyn crate::services::wechat_http::WeChatHttp>
        );
        let stop = AtomicBool::new(false);
        let started = Instant::now();
        let batch = Batch {
            jobs: 1,
            stop: &stop,
        };
        let all = verify_many(&ctx, &Which::All, batch, |_, _, _, _| {}).unwrap();
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "the batch paused after the limit"
        );
        let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"], "results in the shops' order");
        let status = |i: usize| {
            let v: &Verified = all[i].1.as_ref().unwrap();
            v.checks
                .iter()
                .find(|(id, _)| *id == CheckId::MpAppSecret)
                .map(|(_, o)| (o.status, o.code.clone()))
                .unwrap()
        };
        assert_eq!(status(0), (Status::Error, "rate_limited".into()));
        assert!(all[0].1.as_ref().unwrap().rate_limited());
        assert_eq!(status(1), (Status::Ok, "appsecret_ok".into()));
        assert_eq!(status(2), (Status::Ok, "appsecret_ok".into()));
        // one limited request, then each other shop's real secret and its altered one
        assert_eq!(wechat.asked.load(Ordering::SeqCst), 1 + 2 * 2);
    }
}
