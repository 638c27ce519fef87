//! Times the user reads (in the window and in the readiness report) are their
//! local time, to the minute; files keep UTC (RFC 3339).
//! The local offset is read once, at start, while the process is still single-
//! threaded (on Unix the `time` crate refuses later, as reading the time zone
//! then is not thread-safe). When it cannot be known, the window says "UTC".

use std::sync::OnceLock;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

static LOCAL_OFFSET: OnceLock<UtcOffset> = OnceLock::new();

/// Reads the local offset now (call early, before threads start).
pub fn init() {
    if let Ok(o) = UtcOffset::current_local_offset() {
        set_local_offset(o);
    }
}

/// The offset the window shows times in (set once; later calls are ignored).
pub fn set_local_offset(o: UtcOffset) {
    let _ = LOCAL_OFFSET.set(o);
}

/// An RFC 3339 time as "YYYY-MM-DD HH:MM" in local time, or in UTC marked "UTC"
/// when the local offset is unknown; text that is not a time is shown as it is.
pub fn show(rfc3339: &str) -> String {
    show_in(rfc3339, LOCAL_OFFSET.get().copied())
}

fn show_in(rfc3339: &str, offset: Option<UtcOffset>) -> String {
    let Ok(t) = OffsetDateTime::parse(rfc3339, &Rfc3339) else {
        return rfc3339.to_owned();
    };
    let (t, suffix) = match offset {
        Some(o) => (t.to_offset(o), ""),
        None => (t.to_offset(UtcOffset::UTC), " UTC"),
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}{suffix}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_are_shown_in_local_time() {
        let beijing = UtcOffset::from_hms(8, 0, 0).unwrap();
        assert_eq!(
            show_in("2026-11-27T20:05:09Z", Some(beijing)),
            "2026-11-28 04:05"
        );
        assert_eq!(
            show_in("2026-11-27T20:05:09Z", None),
            "2026-11-27 20:05 UTC"
        );
        assert_eq!(show_in("not a time", Some(beijing)), "not a time");
    }
}
