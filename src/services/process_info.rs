//! Facts about this process, for the benchmark probe.

/// Resident memory in KiB (Linux: VmRSS of /proc/self/status), if known.
pub fn resident_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn reads_a_plausible_rss() {
        let kb = super::resident_memory_kb().unwrap();
        assert!(kb > 100 && kb < 64 * 1024 * 1024, "{kb}");
    }
}
