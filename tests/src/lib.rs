//! Shared pieces of the system tests and the demo: a real `hwc-relay` process on a free
//! loopback port, and the forensic byte scan that looks for a child's data in files.

pub mod balancer;
pub mod bench;
pub mod chaos;
pub mod demo_window;
pub mod desktop;
pub mod forensic;
pub mod memory;
pub mod raw;
pub mod relay_process;
pub mod release_app;
pub mod webdriver;
pub mod world;

pub use forensic::{decrypted_dump, scan_tree, Needles};
pub use relay_process::RelayProcess;
pub use world::World;
