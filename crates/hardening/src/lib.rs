//! Hardening for the programs that hold a child's name (the school app, the office app,
//! `hwc-send`), all at once for the desktop apps with [`harden_desktop_app`]:
//!
//! - [`forbid_core_dumps`]: a crash writes no memory to disk ([`crash_dumps`]);
//! - [`wipe_freed_memory`]: freed memory is overwritten at once ([`freed_memory`]);
//! - [`restrict_loading`]: on Windows, no code from outside Windows' own places is slipped
//!   into the process ([`loading`]);
//! - [`private_fs`]: folders and files that only their user can read, by mode bits on Unix
//!   and by an access control list on Windows;
//! - [`admin_only`]: on Windows, the machine-wide configuration's folder, which only
//!   administrators may change.

pub mod admin_only;
pub mod crash_dumps;
pub mod freed_memory;
pub mod loading;
pub mod private_fs;
#[cfg(windows)]
mod windows_acl;

pub use crash_dumps::forbid_core_dumps;

/// Everything a desktop app does before anything can hold a child's name, in this order: no
/// crash writes memory to disk, nothing from outside Windows' own places loads into the
/// process, and freed memory is overwritten at once (here and in WebKit's processes; on Linux
/// this restarts the process in place). The error is a Dutch reason for the person at the
/// computer ("geheugendumps konden niet worden uitgezet (…)").
pub fn harden_desktop_app() -> Result<(), String> {
    forbid_core_dumps().map_err(|e| format!("geheugendumps konden niet worden uitgezet ({e})."))?;
    restrict_loading().map_err(|e| format!("het laden van onbekende code kon niet worden beperkt ({e})."))?;
    wipe_freed_memory().map_err(|e| format!("vrijgegeven geheugen kan niet worden gewist ({e})."))
}
pub use freed_memory::{wipe_freed_memory, GLIBC_TUNABLES, MARK, WEBKIT_SYSTEM_MALLOC};
pub use loading::restrict_loading;
