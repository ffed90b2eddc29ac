//! Keeps a crash from writing this process's memory, and with it a child's name, to disk:
//! no core dump (`RLIMIT_CORE` 0, inherited by every child process) and not dumpable
//! (`PR_SET_DUMPABLE` 0, which also covers a core pattern that pipes to a crash collector and
//! stops other processes of the same user from attaching to it or reading its memory).
//! On Windows and macOS nothing is done here: Windows Error Reporting and macOS's crash
//! reporter write reports without full memory unless an administrator asks for it.

/// Switches core dumps off for this process. Call it first thing in `main`.
pub fn forbid_core_dumps() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: plain system calls with valid arguments; they touch no Rust memory.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: as above.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn the_process_is_left_without_core_dumps_and_not_dumpable() {
        super::forbid_core_dumps().unwrap();
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap();
        assert_eq!(core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(), ["0", "0"], "{core}");
        // SAFETY: a plain system call without arguments to read.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
    }
}
