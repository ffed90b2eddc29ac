//! The memory dump: reads every touched page of every writable or anonymous region of a
//! running process (regions from `/proc/<pid>/smaps`, touched pages from `/proc/<pid>/pagemap`,
//! bytes from `/proc/<pid>/mem`: what a debugger or malware running as root, or as the user when
//! the process is dumpable, could read) and counts the child's data in it, in every form
//! [`Needles`] knows. Read-only mappings of files are left out: they hold what is on disk,
//! which the file scans cover.

use crate::forensic::Needles;
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

/// What one process's memory held.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct MemoryScan {
    pub pid: u32,
    pub name: String,
    pub regions: usize,
    pub bytes_read: u64,
    /// Bytes of regions the kernel would not hand out (guard pages, device mappings).
    pub bytes_unreadable: u64,
    /// Each form found, and how many times.
    pub found: BTreeMap<String, usize>,
}

impl MemoryScan {
    pub fn total_found(&self) -> usize {
        self.found.values().sum()
    }
}

/// One line of `/proc/<pid>/maps` worth reading.
struct Region {
    start: u64,
    end: u64,
}

/// Writable regions (heap, stacks, anonymous and shared memory, the data of libraries) and
/// anonymous ones that have pages in memory or in swap; not the kernel's own (`[vvar]`,
/// `[vsyscall]`, `[vdso]`). Read from `/proc/<pid>/smaps`, whose `Rss` and `Swap` lines say
/// whether a region was ever touched: WebKit reserves tens of gigabytes it never uses.
fn regions(pid: u32) -> std::io::Result<Vec<Region>> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps"))?;
    let mut out = Vec::new();
    let mut current: Option<Region> = None;
    let mut used = false;
    let finish = |region: Option<Region>, used: bool, out: &mut Vec<Region>| {
        if let Some(region) = region.filter(|_| used) {
            out.push(region);
        }
    };
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else { continue };
        if let Some((start, end)) = first.split_once('-').filter(|_| !first.ends_with(':')) {
            finish(current.take(), used, &mut out);
            used = false;
            let perms = fields.next().unwrap_or("");
            let path = fields.nth(3).unwrap_or("");
            let kernel = matches!(path, "[vvar]" | "[vsyscall]" | "[vdso]" | "[vvar_vclock]");
            let writable = perms.as_bytes().get(1) == Some(&b'w');
            let anonymous = path.is_empty() || path.starts_with('[') || path.starts_with("/memfd:");
            if perms.starts_with('r') && !kernel && (writable || anonymous) {
                if let (Ok(start), Ok(end)) = (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16)) {
                    current = Some(Region { start, end });
                }
            }
        } else if matches!(first, "Rss:" | "Swap:") {
            used |= fields.next().and_then(|kb| kb.parse::<u64>().ok()).is_some_and(|kb| kb > 0);
        }
    }
    finish(current, used, &mut out);
    Ok(out)
}

/// The runs of pages of `region` that are in memory or in swap, from `/proc/<pid>/pagemap`
/// (one 64-bit entry per page: bit 63 present, bit 62 swapped). Pages never touched read as
/// zeros and cannot hold anything, so they are skipped.
fn touched_runs(pagemap: &mut std::fs::File, region: &Region) -> std::io::Result<Vec<Region>> {
    const PAGE: u64 = 4096;
    const BATCH: u64 = 4096; // entries per read: 16 MiB of address space
    let mut runs: Vec<Region> = Vec::new();
    let mut entries = vec![0u8; (BATCH * 8) as usize];
    let mut page = region.start / PAGE;
    let last = region.end / PAGE;
    while page < last {
        let count = BATCH.min(last - page);
        let bytes = &mut entries[..(count * 8) as usize];
        pagemap.seek(SeekFrom::Start(page * 8))?;
        pagemap.read_exact(bytes)?;
        for (i, entry) in bytes.chunks_exact(8).enumerate() {
            let flags = u64::from_le_bytes(entry.try_into().unwrap_or([0; 8]));
            if flags & (0b11 << 62) == 0 {
                continue;
            }
            let start = (page + i as u64) * PAGE;
            match runs.last_mut() {
                Some(run) if run.end == start => run.end += PAGE,
                _ => runs.push(Region { start, end: start + PAGE }),
            }
        }
        page += count;
    }
    Ok(runs)
}

/// Reads the memory of `pid` and counts every needle in it. Needs the right to trace the
/// process (root, or the same user with the process dumpable and ptrace allowed).
pub fn scan_process(pid: u32, needles: &Needles) -> std::io::Result<MemoryScan> {
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_string();
    let regions = regions(pid)?;
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem"))?;
    let mut pagemap = std::fs::File::open(format!("/proc/{pid}/pagemap"))?;
    let finders = needles.finders();
    let mut scan = MemoryScan { pid, name, regions: regions.len(), ..MemoryScan::default() };
    // Chunks overlap by the longest needle, so nothing is missed at a boundary; a hit inside
    // the overlap is counted once, in the chunk where it starts.
    let overlap = finders.iter().map(|(_, f)| f.needle().len()).max().unwrap_or(0);
    const CHUNK: u64 = 4 << 20;
    let mut buf = vec![0u8; CHUNK as usize + overlap];
    for region in &regions {
        for run in touched_runs(&mut pagemap, region)? {
            let mut at = run.start;
            while at < run.end {
                let len = (CHUNK + overlap as u64).min(run.end - at) as usize;
                let read = mem.seek(SeekFrom::Start(at)).and_then(|_| mem.read_exact(&mut buf[..len]));
                let step = CHUNK.min(run.end - at);
                match read {
                    Ok(()) => {
                        scan.bytes_read += step;
                        for (form, finder) in &finders {
                            let hits = finder.find_iter(&buf[..len]).filter(|&i| (i as u64) < step).count();
                            if hits > 0 {
                                *scan.found.entry(form.clone()).or_default() += hits;
                            }
                        }
                    }
                    Err(_) => scan.bytes_unreadable += step,
                }
                at += step;
            }
        }
    }
    Ok(scan)
}
