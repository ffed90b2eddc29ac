//! The files people and school IT hand the apps, parsed and checked without I/O: the office's
//! CSV batch of signals (`hwc-send signal --csv`) and the school computer's machine
//! configuration (`config.toml`, written by school IT). Both take bytes from outside, so both
//! are fuzzed (`fuzz/`); keeping them apart from the office and school crates keeps that
//! fuzz build small. `hwc-send` and `hwc-client` re-export what they use.

pub mod csv_batch;
pub mod machine_config;

pub use csv_batch::{parse_batch, Batch, BatchLine, LineError, LineProblem};
pub use machine_config::{MachineConfig, MachineConfigError, DEFAULT_REMINDER_AT};
