//! The computer's clock against WeChat's. Every WeChat reply carries an HTTP
//! `Date` header, and an APIv3 reply its signed `Wechatpay-Timestamp`, which a
//! proxy cannot rewrite unnoticed (so it is preferred where there is one). A
//! shop PC whose clock is more than 5 minutes off makes every APIv3 request
//! fail with `401 SIGN_ERROR`, which reads like a wrong key. So the checks
//! measure the difference on each reply, and a run whose replies all say the
//! clock is off reports that first, as its own item: above a minute as a
//! warning (WeChat still accepts the requests), above 5 minutes as the reason
//! the APIv3 check cannot pass, which blocks `verify`.

use super::Outcome;

/// More than this (seconds) between the local clock and WeChat's is worth saying.
pub const TOLERANCE_SECS: i64 = 60;
/// APIv3 refuses a request whose timestamp is further than this from its clock.
pub const V3_WINDOW_SECS: i64 = 300;

/// Seconds since the Unix epoch of an HTTP date (RFC 9110 IMF-fixdate,
/// `Sun, 06 Nov 1994 08:49:37 GMT`, the only form a server may send).
pub fn parse_http_date(s: &str) -> Option<i64> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(s.trim(), format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// The local clock minus the reply's (negative: this computer is behind).
pub fn skew_secs(date_header: Option<&str>, local_unix: i64) -> Option<i64> {
    date_header
        .and_then(parse_http_date)
        .map(|server| local_unix.saturating_sub(server))
}

/// The local clock minus the reply's, from its signed `Wechatpay-Timestamp`
/// (Unix seconds) where it has one, else from its `Date`.
pub fn reply_skew_secs(headers: &super::ReplyHeaders, local_unix: i64) -> Option<i64> {
    headers
        .wechatpay_timestamp
        .as_deref()
        .and_then(|t| t.trim().parse::<i64>().ok())
        .map(|server| local_unix.saturating_sub(server))
        .or_else(|| skew_secs(headers.date.as_deref(), local_unix))
}

/// Whole minutes of a skew, at least 1: "off by 1 minute" for 61 s.
pub fn minutes(skew_secs: i64) -> u64 {
    (skew_secs.unsigned_abs().saturating_add(30) / 60).max(1)
}

/// Whether a skew is more than `limit` seconds either way.
pub fn beyond(skew_secs: i64, limit: i64) -> bool {
    skew_secs.unsigned_abs() > limit.unsigned_abs()
}

/// The `clock` item of a run: `Some` when every reply that told the time says
/// the clock is off by more than [`TOLERANCE_SECS`] (the smallest difference is
/// reported, so one odd proxy cannot raise a false alarm). Up to
/// [`V3_WINDOW_SECS`] a warning that blocks nothing (status ok, code
/// `clock_drift`: WeChat still accepts the requests); beyond it status error,
/// code `clock_off`. Argument `minutes`.
pub fn clock_outcome(skews: impl IntoIterator<Item = Option<i64>>) -> Option<Outcome> {
    let skew = skews
        .into_iter()
        .flatten()
        .min_by_key(|s| s.unsigned_abs())?;
    if beyond(skew, V3_WINDOW_SECS) {
        Some(clock_off(skew))
    } else if beyond(skew, TOLERANCE_SECS) {
        let mut o = Outcome::ok("clock_drift").with("minutes", minutes(skew));
        o.clock_skew_secs = Some(skew);
        Some(o)
    } else {
        None
    }
}

/// "This computer's clock is N minutes off": the outcome for a skew.
pub fn clock_off(skew_secs: i64) -> Outcome {
    let mut o = Outcome::error("clock_off").with("minutes", minutes(skew_secs));
    o.clock_skew_secs = Some(skew_secs);
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::wxapi::Status;

    #[test]
    fn reads_imf_fixdate_and_nothing_else() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784111777)
        );
        assert_eq!(
            parse_http_date(" Fri, 27 Nov 2026 06:42:59 GMT "),
            Some(1795761779)
        );
        for bad in [
            "",
            "yesterday",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 +0800",
            "Sun, 31 Feb 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn skew_is_local_minus_wechat() {
        let date = Some("Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(skew_secs(date, 784111777 - 600), Some(-600));
        assert_eq!(skew_secs(date, 784111777 + 5), Some(5));
        assert_eq!(skew_secs(None, 784111777), None);
        assert_eq!(skew_secs(Some("garbage"), 784111777), None);
    }

    /// Issue 17 item 5: WeChat refuses only beyond 5 minutes: a smaller skew
    /// is a warning that blocks nothing.
    #[test]
    fn up_to_five_minutes_is_a_warning_and_beyond_is_the_clock() {
        let o = clock_outcome([Some(-120)]).unwrap();
        assert_eq!((o.status, o.code.as_str()), (Status::Ok, "clock_drift"));
        assert!(!o.status.is_problem());
        assert_eq!(o.args, [("minutes".to_owned(), "2".to_owned())]);
        assert_eq!(clock_outcome([Some(300)]).unwrap().code, "clock_drift");
        let o = clock_outcome([Some(301)]).unwrap();
        assert_eq!((o.status, o.code.as_str()), (Status::Error, "clock_off"));
    }

    #[test]
    fn the_signed_timestamp_is_preferred_to_the_date_header() {
        let headers = crate::domain::wxapi::ReplyHeaders {
            date: Some("Sun, 06 Nov 1994 08:49:37 GMT".into()),
            wechatpay_timestamp: Some("784112377".into()),
            ..Default::default()
        };
        assert_eq!(reply_skew_secs(&headers, 784112377), Some(0));
        let date_only = crate::domain::wxapi::ReplyHeaders {
            wechatpay_timestamp: Some("not a number".into()),
            ..headers
        };
        assert_eq!(reply_skew_secs(&date_only, 784112377), Some(600));
        assert_eq!(reply_skew_secs(&Default::default(), 1), None);
    }

    #[test]
    fn a_minute_is_tolerated_and_the_smallest_skew_is_reported() {
        assert_eq!(clock_outcome([Some(60), Some(-59), None]), None);
        assert_eq!(clock_outcome([None, None]), None);
        assert_eq!(clock_outcome([]), None);
        let o = clock_outcome([Some(-600), None, Some(-603)]).unwrap();
        assert_eq!(o.status, Status::Error);
        assert_eq!(o.code, "clock_off");
        assert_eq!(o.args, [("minutes".to_owned(), "10".to_owned())]);
        assert_eq!(o.clock_skew_secs, Some(-600));
        // one reply with a right clock (say, through a proxy that rewrites Date) is enough doubt
        assert_eq!(clock_outcome([Some(-600), Some(3)]), None);
        assert_eq!(clock_outcome([Some(61)]).unwrap().args[0].1, "1");
        assert_eq!(clock_outcome([Some(61)]).unwrap().status, Status::Ok);
        assert_eq!(minutes(89), 1);
        assert_eq!(minutes(-90), 2);
        assert_eq!(minutes(i64::MIN), i64::MIN.unsigned_abs() / 60);
        assert!(beyond(i64::MIN, 60) && !beyond(-60, 60));
    }
}
