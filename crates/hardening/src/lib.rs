//! Process hardening for the binaries that hold a child's name.
//!
//! - [`forbid_core_dumps`] keeps a crash from writing this process's memory to disk: no core
//!   dump (`RLIMIT_CORE` 0, inherited by every child process) and not dumpable
//!   (`PR_SET_DUMPABLE` 0, which also covers a core pattern that pipes to a crash collector and
//!   stops other processes of the same user from attaching to it or reading its memory).
//! - [`wipe_freed_memory`] makes memory that is freed get overwritten at once, in this process
//!   and in every process it starts (WebKit's included), so a name that was on screen does
//!   not linger in freed heap memory.
//!
//! On Windows and macOS nothing is done here: Windows Error Reporting and macOS's crash
//! reporter write reports without full memory unless an administrator asks for it, and
//! macOS's allocator already zeroes freed blocks.

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

/// glibc's settings, read only when a program starts: fill every freed block with 0xa5
/// (`perturb`), and no per-thread cache of freed blocks (`tcache_count=0`), which would skip
/// that fill for small blocks.
pub const GLIBC_TUNABLES: &str = "glibc.malloc.perturb=165:glibc.malloc.tcache_count=0";
/// Set, WebKit allocates with the system allocator (glibc's) instead of its own, so the fill
/// covers WebKit's strings too.
pub const WEBKIT_SYSTEM_MALLOC: (&str, &str) = ("Malloc", "1");
/// Marks a process started with the settings above.
pub const MARK: &str = "HWC_FREED_MEMORY_WIPED";

/// Makes freed memory get overwritten, in this process and every process it starts. glibc
/// reads its settings only at program start, so the first call starts this program again in
/// place (same process id, same arguments, standard streams and environment, plus the
/// settings) and does not return; in the restarted program it returns at once. Call it first
/// thing in `main`, before anything holds personal data. Returns the error when the restart
/// failed; the program can then go on unprotected or stop.
pub fn wipe_freed_memory() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        if std::env::var_os(MARK).is_some() {
            return Ok(());
        }
        let exe = std::env::current_exe()?;
        let error = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("GLIBC_TUNABLES", GLIBC_TUNABLES)
            .env(WEBKIT_SYSTEM_MALLOC.0, WEBKIT_SYSTEM_MALLOC.1)
            .env(MARK, "1")
            .exec();
        return Err(error);
    }
    #[allow(unreachable_code)]
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
