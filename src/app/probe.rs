//! What the benchmark probe (`WXPAY_SETUP_FIRST_FRAME_EXIT`) reports about this process,
//! asked of the services on the window's behalf: a view never reads `/proc`.

/// Resident memory in KiB, if the platform tells.
pub fn resident_memory_kb() -> Option<u64> {
    crate::services::process_info::resident_memory_kb()
}
