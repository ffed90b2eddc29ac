//! Folders that everyone may read and only administrators may change: the machine-wide
//! configuration school IT deploys (`%ProgramData%\HwC School` on Windows), which pins the
//! relay and the office key. A folder a normal user can write to would let that user point
//! the app at a relay of their own, so the app trusts the configuration only from such a
//! folder.
//!
//! On Windows: owned by the Administrators, and a protected list (nothing inherited from
//! `%ProgramData%`, where users may create files) of SYSTEM and Administrators with full
//! control and Users with read. Elsewhere the package manager installs the folder as root's
//! (`/etc/hwc-school`), so nothing is done or checked here.

use std::path::Path;

/// Makes `dir` (which must exist) writable by administrators and SYSTEM only, readable by all
/// users, and passes that on to what is created inside. Needs an administrator or SYSTEM.
pub fn make_admin_only(dir: &Path) -> std::io::Result<()> {
    #[cfg(windows)]
    {
        use crate::windows_acl::{set, ADMINISTRATORS, SYSTEM};
        let users = "S-1-5-32-545";
        set(
            dir,
            &format!(
                "O:{ADMINISTRATORS}D:P(A;OICI;FA;;;{SYSTEM})(A;OICI;FA;;;{ADMINISTRATORS})(A;OICI;0x1200a9;;;{users})"
            ),
            true,
        )
    }
    #[cfg(not(windows))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Whether only administrators (and SYSTEM, and Windows' TrustedInstaller) may change `path`:
/// they own it, and no one else is allowed to write, delete, or change its list or owner.
pub fn is_admin_only(path: &Path) -> std::io::Result<bool> {
    #[cfg(windows)]
    {
        use crate::windows_acl::{read, ADMINISTRATORS, SYSTEM, TRUSTED_INSTALLER};
        use windows_sys::Win32::Foundation::{GENERIC_ALL, GENERIC_WRITE};
        use windows_sys::Win32::Storage::FileSystem::{
            DELETE, FILE_APPEND_DATA, FILE_DELETE_CHILD, FILE_WRITE_DATA, WRITE_DAC, WRITE_OWNER,
        };
        const CHANGES: u32 = FILE_WRITE_DATA
            | FILE_APPEND_DATA
            | FILE_DELETE_CHILD
            | DELETE
            | WRITE_DAC
            | WRITE_OWNER
            | GENERIC_WRITE
            | GENERIC_ALL;
        let admin = |sid: &str| sid == SYSTEM || sid == ADMINISTRATORS || sid == TRUSTED_INSTALLER;
        let (owner, entries) = read(path)?;
        let Some(entries) = entries else { return Ok(false) };
        Ok(admin(&owner) && entries.iter().filter(|entry| entry.mask & CHANGES != 0).all(|entry| admin(&entry.sid)))
    }
    #[cfg(not(windows))]
    {
        let _ = path;
        Ok(true)
    }
}

#[cfg(all(test, windows))]
mod tests {
    use super::*;

    /// Needs an administrator (the Windows workflow's runner is one).
    #[test]
    fn a_folder_made_admin_only_is_admin_only_and_a_users_own_folder_is_not() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(!is_admin_only(tmp.path()).unwrap(), "a user's temporary folder is the user's");
        let dir = tmp.path().join("HwC School");
        std::fs::create_dir(&dir).unwrap();
        make_admin_only(&dir).unwrap();
        assert!(is_admin_only(&dir).unwrap());
    }
}
