//! Times in the window are the user's local time: the rule lives in
//! [`crate::app::local_time`], shared with the readiness report, so the window
//! and the report show the same time the same way.

pub use crate::app::local_time::*;
