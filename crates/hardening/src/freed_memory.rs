//! Freed memory overwritten at once, in this process and in every process it starts (WebKit's
//! included), so a name that was on screen does not linger in freed heap memory. Linux only
//! (glibc's tunables); macOS's allocator already zeroes freed blocks, and Windows has no
//! switch for its heap (see BENCHMARKS.md and SECURITY.md for what is measured where).

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
