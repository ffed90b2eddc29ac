//! Folders and files that only their user can read: the school app's vault and web view data,
//! `hwc-send`'s state and key file.
//!
//! On Unix that is the mode: 0700 for a folder, 0600 for a file. On Windows it is the access
//! control list: a protected list (nothing inherited from the parent) with one entry, full
//! control for the current user, which a folder passes on to what is created inside it.
//! When checking, Windows' SYSTEM account and the Administrators group count as private too:
//! like root on Unix they can take any file anyway.

use std::path::Path;

/// Creates `dir` and any missing parents, and makes `dir` private to this user (an existing
/// folder too).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    make_private(dir)
}

/// Creates the file `path`, which must not exist yet, private to this user from the start
/// (on Windows: it inherits its private folder's list, and gets its own list before anything
/// is written to it).
pub fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(windows)]
    windows::grant_user_alone(path, false)?;
    Ok(file)
}

/// Makes an existing folder or file private to this user.
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if std::fs::metadata(path)?.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(windows)]
    {
        windows::grant_user_alone(path, std::fs::metadata(path)?.is_dir())
    }
}

/// Whether nobody but this user may read `path` (on Windows: nobody but this user, SYSTEM and
/// the Administrators).
pub fn is_private(path: &Path) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o077 == 0)
    }
    #[cfg(windows)]
    {
        windows::readable_by_user_alone(path)
    }
}

/// How a person makes `path` private by hand, as a command for this system's shell.
pub fn how_to_make_private(path: &Path) -> String {
    if cfg!(windows) {
        format!("icacls \"{}\" /inheritance:r /grant:r \"%USERNAME%:F\"", path.display())
    } else {
        format!("chmod 600 {}", path.display())
    }
}

#[cfg(windows)]
mod windows {
    use crate::windows_acl::{self, ADMINISTRATORS, SYSTEM};
    use std::path::Path;
    use windows_sys::Win32::Foundation::{GENERIC_ALL, GENERIC_READ};
    use windows_sys::Win32::Storage::FileSystem::FILE_READ_DATA;

    /// One entry: full control for the current user; a folder passes it on to what is made inside.
    pub(super) fn grant_user_alone(path: &Path, is_dir: bool) -> std::io::Result<()> {
        let inherit = if is_dir { "OICI" } else { "" };
        windows_acl::set(path, &format!("D:P(A;{inherit};FA;;;{})", windows_acl::current_user()?), false)
    }

    /// For tests: read access for Everyone besides the user, as a file copied from elsewhere
    /// might have.
    #[cfg(test)]
    pub(super) fn grant_everyone_read(path: &Path) -> std::io::Result<()> {
        windows_acl::set(path, &format!("D:P(A;;FA;;;{})(A;;FR;;;WD)", windows_acl::current_user()?), false)
    }

    /// Whether every entry that lets anyone read `path` is for this user, SYSTEM or the
    /// Administrators. No list at all means everyone may: not private.
    pub(super) fn readable_by_user_alone(path: &Path) -> std::io::Result<bool> {
        let user = windows_acl::current_user()?;
        let Some(entries) = windows_acl::read(path)?.1 else { return Ok(false) };
        const READS: u32 = FILE_READ_DATA | GENERIC_READ | GENERIC_ALL;
        Ok(entries
            .iter()
            .filter(|entry| entry.mask & READS != 0)
            .all(|entry| entry.sid == user || entry.sid == SYSTEM || entry.sid == ADMINISTRATORS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_folder_and_a_file_made_private_are_private() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("Zoë de Vries").join("x y");
        create_private_dir(&dir).unwrap();
        assert!(is_private(&dir).unwrap());
        let file = dir.join("sleutel");
        std::fs::write(&file, b"k").unwrap();
        make_private(&file).unwrap();
        assert!(is_private(&file).unwrap());
        let new = dir.join("nieuw");
        drop(create_private_file(&new).unwrap());
        assert!(is_private(&new).unwrap());
        assert!(create_private_file(&new).is_err(), "never over an existing file");
        create_private_dir(&dir).unwrap();
        assert!(is_private(&dir).unwrap(), "an existing folder stays private");
    }

    #[cfg(unix)]
    #[test]
    fn modes_for_group_or_others_are_not_private_and_are_closed_again() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        create_private_dir(&dir).unwrap();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        let file = dir.join("key");
        std::fs::write(&file, b"k").unwrap();
        for mode in [0o640, 0o604, 0o644] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            assert!(!is_private(&file).unwrap(), "{mode:o}");
        }
        make_private(&file).unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&dir).unwrap();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    }

    #[cfg(windows)]
    #[test]
    fn a_file_everyone_may_read_is_not_private_and_is_closed_again() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("sleutel");
        std::fs::write(&file, b"k").unwrap();
        windows::grant_everyone_read(&file).unwrap();
        assert!(!is_private(&file).unwrap());
        make_private(&file).unwrap();
        assert!(is_private(&file).unwrap());
    }
}
