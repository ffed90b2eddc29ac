//! What a process costs, read from `/proc`: proportional and resident memory, CPU time and
//! context switches (wake-ups), summed over a set of processes.

use serde::Serialize;

/// Memory and CPU of a set of processes at one moment.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Usage {
    /// Proportional set size (shared pages divided among their users), in KiB.
    pub pss_kib: u64,
    pub rss_kib: u64,
    /// User plus system CPU time, in clock ticks.
    pub cpu_ticks: u64,
    /// Voluntary and involuntary context switches of every thread.
    pub switches: u64,
}

impl Usage {
    pub fn pss_mib(&self) -> f64 {
        self.pss_kib as f64 / 1024.0
    }

    pub fn rss_mib(&self) -> f64 {
        self.rss_kib as f64 / 1024.0
    }

    /// CPU seconds.
    pub fn cpu_secs(&self) -> f64 {
        // SAFETY: sysconf only reads a system constant.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        self.cpu_ticks as f64 / ticks
    }
}

fn kib_field(text: &str, name: &str) -> u64 {
    text.lines().find_map(|line| line.strip_prefix(name)?.trim().strip_suffix("kB")?.trim().parse().ok()).unwrap_or(0)
}

/// One process's usage; zero for a process that is gone.
pub fn usage_of(pid: u32) -> Usage {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rfind(')').map(|i| stat[i + 2..].split(' ').collect()).unwrap_or_default();
    let tick = |i: usize| fields.get(i - 3).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    let mut switches = 0;
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let text = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
            for name in ["voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:"] {
                switches += text.lines().find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok()).unwrap_or(0);
            }
        }
    }
    Usage {
        pss_kib: kib_field(&rollup, "Pss:"),
        rss_kib: kib_field(&status, "VmRSS:"),
        cpu_ticks: tick(14) + tick(15),
        switches,
    }
}

/// The sum over `pids`.
pub fn usage_of_all(pids: &[u32]) -> Usage {
    pids.iter().map(|&pid| usage_of(pid)).fold(Usage::default(), |a, b| Usage {
        pss_kib: a.pss_kib + b.pss_kib,
        rss_kib: a.rss_kib + b.rss_kib,
        cpu_ticks: a.cpu_ticks + b.cpu_ticks,
        switches: a.switches + b.switches,
    })
}

/// Where a process's resident memory is: KiB per mapping (`[heap]`, `[anon]`, a library's
/// path, ...), largest first, and its thread count.
pub fn resident_by_mapping(pid: u32) -> (Vec<(String, u64)>, usize) {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut by_name: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut current = String::new();
    for line in smaps.lines() {
        let mut parts = line.split_whitespace();
        let first = parts.next().unwrap_or_default();
        if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            current = parts.nth(4).unwrap_or("[anon]").to_string();
        } else if first == "Rss:" {
            *by_name.entry(current.clone()).or_default() += parts.next().and_then(|v| v.parse().ok()).unwrap_or(0);
        }
    }
    let mut list: Vec<(String, u64)> = by_name.into_iter().filter(|(_, kib)| *kib > 0).collect();
    list.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    let threads = std::fs::read_dir(format!("/proc/{pid}/task")).map(|d| d.count()).unwrap_or(0);
    (list, threads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_memory_and_cpu_time() {
        // Burn a little CPU so the tick counter moves.
        let mut x = 0u64;
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_millis(30) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        let me = usage_of(std::process::id());
        assert!(me.pss_kib > 0 && me.rss_kib >= me.pss_kib / 2, "{me:?}");
        assert!(me.cpu_ticks > 0 && me.switches > 0, "{me:?} {x}");
        assert_eq!(usage_of(u32::MAX).rss_kib, 0);
    }
}
