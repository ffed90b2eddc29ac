//! Hardening for the programs that hold a child's name (the school app, `hwc-send`):
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
pub use freed_memory::{wipe_freed_memory, GLIBC_TUNABLES, MARK, WEBKIT_SYSTEM_MALLOC};
pub use loading::restrict_loading;
