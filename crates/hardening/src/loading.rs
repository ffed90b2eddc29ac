//! What may load into the process, on Windows: the mitigation policies that fit a program
//! that holds a child's name and loads nothing of its own at run time.
//!
//! - *Extension points off*: no legacy extension DLLs (AppInit_DLLs, Winsock layered service
//!   providers, global window hooks, old input method editors) are loaded into it.
//! - *Image load*: no DLL from a network share or from a low-integrity place, and Windows'
//!   own System32 copy of a DLL before one lying next to the program.
//!
//! Left out on purpose: *dynamic code off* (WebView2's loader and the runtime's own code
//! generation would break), *Microsoft-signed only* (the app's own WebView2 loader and the
//! MinGW runtime are not), *strict handles* (turns a third-party bug into a crash).
//! Elsewhere nothing is done.

/// Applies the policies above to this process. Call it first thing in `main`.
pub fn restrict_loading() -> std::io::Result<()> {
    #[cfg(windows)]
    windows::apply()?;
    Ok(())
}

#[cfg(windows)]
mod windows {
    use windows_sys::Win32::System::SystemServices::{
        PROCESS_MITIGATION_EXTENSION_POINT_DISABLE_POLICY, PROCESS_MITIGATION_IMAGE_LOAD_POLICY,
    };
    use windows_sys::Win32::System::Threading::{
        ProcessExtensionPointDisablePolicy, ProcessImageLoadPolicy, SetProcessMitigationPolicy,
        PROCESS_MITIGATION_POLICY,
    };

    /// `DisableExtensionPoints`, the first bit of its policy's flags.
    const DISABLE_EXTENSION_POINTS: u32 = 1;
    /// `NoRemoteImages`, `NoLowMandatoryLabelImages`, `PreferSystem32Images`: the first three bits.
    const IMAGE_LOAD_FLAGS: u32 = 0b111;

    fn set<T>(policy: PROCESS_MITIGATION_POLICY, value: &T, name: &str) -> std::io::Result<()> {
        // SAFETY: `value` is the policy's own structure, valid for the call.
        let done = unsafe { SetProcessMitigationPolicy(policy, (value as *const T).cast(), size_of::<T>()) };
        if done == 0 {
            let error = std::io::Error::last_os_error();
            return Err(std::io::Error::new(error.kind(), format!("{name}: {error}")));
        }
        Ok(())
    }

    pub(super) fn apply() -> std::io::Result<()> {
        let mut extension_points = PROCESS_MITIGATION_EXTENSION_POINT_DISABLE_POLICY::default();
        extension_points.Anonymous.Flags = DISABLE_EXTENSION_POINTS;
        set(ProcessExtensionPointDisablePolicy, &extension_points, "extension points")?;
        let mut image_load = PROCESS_MITIGATION_IMAGE_LOAD_POLICY::default();
        image_load.Anonymous.Flags = IMAGE_LOAD_FLAGS;
        set(ProcessImageLoadPolicy, &image_load, "image load")
    }
}
