//! Windows access control lists, for [`crate::private_fs`] and [`crate::admin_only`]: set a
//! folder's or file's list (and owner) from an SDDL string, and read who may do what.

use std::os::windows::ffi::OsStrExt;
use std::path::Path;
use windows_sys::Win32::Foundation::{CloseHandle, LocalFree, HANDLE};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, GetNamedSecurityInfoW,
    SetNamedSecurityInfoW, SDDL_REVISION_1, SE_FILE_OBJECT,
};
use windows_sys::Win32::Security::{
    GetAce, GetSecurityDescriptorDacl, GetSecurityDescriptorOwner, GetTokenInformation, TokenUser, ACCESS_ALLOWED_ACE,
    ACL, DACL_SECURITY_INFORMATION, OWNER_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION,
    PSECURITY_DESCRIPTOR, PSID, TOKEN_QUERY, TOKEN_USER,
};
use windows_sys::Win32::System::SystemServices::ACCESS_ALLOWED_ACE_TYPE;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

/// The SIDs this crate grants to or accepts, in SDDL form.
pub const SYSTEM: &str = "S-1-5-18";
pub const ADMINISTRATORS: &str = "S-1-5-32-544";
pub const TRUSTED_INSTALLER: &str = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464";

fn wide(text: &std::ffi::OsStr) -> Vec<u16> {
    text.encode_wide().chain(Some(0)).collect()
}

fn check(done: i32) -> std::io::Result<()> {
    if done == 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn win32(code: u32) -> std::io::Result<()> {
    if code == 0 {
        Ok(())
    } else {
        Err(std::io::Error::from_raw_os_error(code as i32))
    }
}

/// Memory the security API allocated with `LocalAlloc`, freed on drop.
struct Local<T>(*mut T);

impl<T> Drop for Local<T> {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from the API as LocalAlloc'd memory and is freed once.
            unsafe { LocalFree(self.0.cast()) };
        }
    }
}

/// A SID in SDDL form (`S-1-5-...`).
fn sid_string(sid: PSID) -> std::io::Result<String> {
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: the SID is valid; the API allocates the string, freed by `Local`.
    check(unsafe { ConvertSidToStringSidW(sid, &mut text) })?;
    let text = Local(text);
    // SAFETY: a NUL-terminated UTF-16 string from the API.
    let len = (0..).take_while(|&i| unsafe { *text.0.add(i) } != 0).count();
    // SAFETY: `len` UTF-16 units are readable at the pointer.
    Ok(String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text.0, len) }))
}

/// The SID of the user this process runs as, in SDDL form.
pub fn current_user() -> std::io::Result<String> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: opens this process's own token for reading into a local handle.
    check(unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) })?;
    // A u64 buffer keeps TOKEN_USER aligned; 1 KiB holds any SID.
    let mut buffer = vec![0u64; 128];
    let mut needed = 0u32;
    // SAFETY: the buffer is writable for its whole length, which is passed in bytes.
    let read = unsafe {
        GetTokenInformation(token, TokenUser, buffer.as_mut_ptr().cast(), (buffer.len() * 8) as u32, &mut needed)
    };
    // SAFETY: the handle was opened above and is closed once.
    unsafe { CloseHandle(token) };
    check(read)?;
    // SAFETY: the buffer holds the TOKEN_USER that GetTokenInformation wrote.
    sid_string(unsafe { (*buffer.as_ptr().cast::<TOKEN_USER>()).User.Sid })
}

/// Replaces the list of `path` with the one in `sddl` (`O:..D:P(..)`: with `owner`, the owner too),
/// nothing inherited from the parent.
pub fn set(path: &Path, sddl: &str, owner: bool) -> std::io::Result<()> {
    let sddl = wide(std::ffi::OsStr::new(sddl));
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: a NUL-terminated SDDL string; the API allocates the descriptor, freed by `Local`.
    check(unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl.as_ptr(),
            SDDL_REVISION_1,
            &mut descriptor,
            std::ptr::null_mut(),
        )
    })?;
    let descriptor = Local(descriptor);
    let (mut present, mut defaulted) = (0, 0);
    let mut dacl: *mut ACL = std::ptr::null_mut();
    // SAFETY: reads the DACL pointer out of the descriptor made above.
    check(unsafe { GetSecurityDescriptorDacl(descriptor.0, &mut present, &mut dacl, &mut defaulted) })?;
    let mut owner_sid: PSID = std::ptr::null_mut();
    let mut info = DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION;
    if owner {
        // SAFETY: reads the owner pointer out of the descriptor made above.
        check(unsafe { GetSecurityDescriptorOwner(descriptor.0, &mut owner_sid, &mut defaulted) })?;
        info |= OWNER_SECURITY_INFORMATION;
    }
    let name = wide(path.as_os_str());
    // SAFETY: a NUL-terminated path, and a DACL and owner inside `descriptor` until after the call.
    win32(unsafe {
        SetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            info,
            owner_sid,
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        )
    })
}

/// One allow entry of a list: to whom (a SID in SDDL form), and which rights.
pub struct Allowed {
    pub sid: String,
    pub mask: u32,
}

/// The owner of `path` and its allow entries; `None` for the entries when there is no list at
/// all (everyone may do everything).
pub fn read(path: &Path) -> std::io::Result<(String, Option<Vec<Allowed>>)> {
    let name = wide(path.as_os_str());
    let mut owner: PSID = std::ptr::null_mut();
    let mut dacl: *mut ACL = std::ptr::null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: a NUL-terminated path; the API allocates the descriptor (freed by `Local`), and
    // `owner` and `dacl` point into it.
    win32(unsafe {
        GetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            &mut dacl,
            std::ptr::null_mut(),
            &mut descriptor,
        )
    })?;
    let _descriptor = Local(descriptor);
    let owner = sid_string(owner)?;
    if dacl.is_null() {
        return Ok((owner, None));
    }
    let mut entries = Vec::new();
    // SAFETY: `dacl` is a valid ACL inside the descriptor.
    let count = unsafe { (*dacl).AceCount };
    for index in 0..u32::from(count) {
        let mut ace: *mut core::ffi::c_void = std::ptr::null_mut();
        // SAFETY: `index` is below the ACL's entry count.
        check(unsafe { GetAce(dacl, index, &mut ace) })?;
        let ace = ace.cast::<ACCESS_ALLOWED_ACE>();
        // SAFETY: every entry starts with an ACE_HEADER; only allow entries are read further.
        if u32::from(unsafe { (*ace).Header.AceType }) != ACCESS_ALLOWED_ACE_TYPE {
            continue;
        }
        // SAFETY: an ACCESS_ALLOWED_ACE: its mask, then its SID from `SidStart` on.
        let (mask, sid) = unsafe { ((*ace).Mask, std::ptr::addr_of_mut!((*ace).SidStart).cast::<core::ffi::c_void>()) };
        entries.push(Allowed { sid: sid_string(sid)?, mask });
    }
    Ok((owner, Some(entries)))
}
