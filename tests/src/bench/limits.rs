//! Raising the open-file limit, so one process can hold tens of thousands of connections (the
//! relay started afterwards inherits it).

use anyhow::{bail, Result};

/// Raises this process's soft (and, as root, hard) limit on open files to at least `wanted`.
pub fn raise_open_files(wanted: u64) -> Result<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        bail!("kan de limiet op open bestanden niet lezen: {}", std::io::Error::last_os_error());
    }
    if limit.rlim_cur >= wanted {
        return Ok(limit.rlim_cur);
    }
    let raised = libc::rlimit { rlim_cur: wanted, rlim_max: limit.rlim_max.max(wanted) };
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
        return Ok(wanted);
    }
    // Not root: go as far as the hard limit allows.
    let capped = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &capped) } != 0 {
        bail!("kan de limiet op open bestanden niet verhogen: {}", std::io::Error::last_os_error());
    }
    Ok(limit.rlim_max)
}
