//! No crash dump of this process's memory, where a child's name may be.
//!
//! - Linux: no core dump (`RLIMIT_CORE` 0, inherited by every child process) and not
//!   dumpable (`PR_SET_DUMPABLE` 0, which also covers a core pattern that pipes to a crash
//!   collector and stops other processes of the same user from attaching to it or reading
//!   its memory).
//! - Windows: Windows Error Reporting leaves this program out (`WerAddExcludedApplication`
//!   for the current user), and should a report still be made (a policy that forces it), it
//!   holds no heap memory (`WerSetFlags(WER_FAULT_REPORTING_FLAG_NOHEAP)`). A crash shows no
//!   dialog that would keep the process and its memory alive (`SetErrorMode`).
//! - macOS: nothing; its crash reporter writes reports without memory contents.

/// Switches crash dumps off for this process. Call it first thing in `main`.
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
    #[cfg(windows)]
    windows::leave_out_of_error_reporting()?;
    Ok(())
}

#[cfg(windows)]
mod windows {
    use std::os::windows::ffi::OsStrExt;
    use windows_sys::Win32::System::Diagnostics::Debug::{SetErrorMode, SEM_FAILCRITICALERRORS, SEM_NOGPFAULTERRORBOX};
    use windows_sys::Win32::System::ErrorReporting::{
        WerAddExcludedApplication, WerSetFlags, WER_FAULT_REPORTING_FLAG_NOHEAP,
    };

    fn hresult(code: i32) -> std::io::Result<()> {
        if code < 0 {
            Err(std::io::Error::other(format!("Windows Foutrapportage weigerde (HRESULT {:#010x})", code as u32)))
        } else {
            Ok(())
        }
    }

    pub(super) fn leave_out_of_error_reporting() -> std::io::Result<()> {
        // SAFETY: sets this process's error mode; no memory involved.
        unsafe { SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX) };
        // SAFETY: sets a flag of this process's error reporting; no memory involved.
        hresult(unsafe { WerSetFlags(WER_FAULT_REPORTING_FLAG_NOHEAP) })?;
        let exe = std::env::current_exe()?;
        let wide: Vec<u16> = exe.as_os_str().encode_wide().chain(Some(0)).collect();
        // SAFETY: `wide` is a NUL-terminated UTF-16 string that outlives the call.
        hresult(unsafe { WerAddExcludedApplication(wide.as_ptr(), 0) })
    }
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

#[cfg(all(test, windows))]
mod tests {
    use windows_sys::Win32::System::ErrorReporting::{WerGetFlags, WER_FAULT_REPORTING_FLAG_NOHEAP};
    use windows_sys::Win32::System::Threading::GetCurrentProcess;

    #[test]
    fn error_reports_of_the_process_hold_no_heap() {
        super::forbid_core_dumps().unwrap();
        let mut flags = 0;
        // SAFETY: reads this process's flags into a local.
        let result = unsafe { WerGetFlags(GetCurrentProcess(), &mut flags) };
        assert!(result >= 0, "WerGetFlags failed: {result:#x}");
        assert_ne!(flags & WER_FAULT_REPORTING_FLAG_NOHEAP, 0, "flags {flags:#x}");
    }
}
