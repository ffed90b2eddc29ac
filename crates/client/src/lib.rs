//! `hwc-client`: the school side of Handle with Care, without a window. A desktop app wraps
//! [`SchoolClient`] thinly; everything it does lives here and is tested headless.
//!
//! Rules kept throughout: a child's name and birthdate exist only inside a decrypted
//! [`Signal`] in memory; they never reach the disk, a log line, an error or a panic message.
//! The key that opens signals is sealed with the user's PIN and a second keyring secret
//! ([`pin`]); it is in memory only while the device is unlocked. The vault (SQLCipher, key in
//! the OS keyring) holds only device keys, a few settings, sealed
//! envelopes not yet handled, signed receipts not yet delivered, and the ids of handled signals
//! until their expiry (so a handled signal never comes back). After an acknowledgement
//! nothing of the signal remains on the device. Everything from outside is validated.

mod acknowledge;
mod client;
pub mod clock;
mod enroll;
mod error;
mod fetch;
mod guard;
mod lock;
/// The machine configuration school IT deploys (parsed in `hwc-formats`, fuzzed there).
pub use hwc_formats::machine_config;
pub mod pin;
pub mod profile;
pub mod relay_client;
mod relay_refusal;
pub mod reminder;
mod reports;
mod retire;
pub mod rhythm;
mod school_days;
mod signals;
pub mod vault;

pub use client::SchoolClient;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ClientError, Result};
pub use machine_config::{MachineConfig, MachineConfigError};
pub use pin::PinProblem;
pub use profile::{ProfileFetch, ScreenWords};
pub use relay_client::RelayError;
pub use reports::{
    AckReport, Delivery, DeviceSummary, FetchReport, FlushReport, HandledByColleague, PendingSignal, PinStatus, Refusal,
};
pub use retire::Retired;
pub use vault::{ExpiredSignal, VaultError, VaultStatus};

pub use hwc_protocol::api::DeviceStatus;
pub use hwc_protocol::{ReceiptKind, SafetyCode, Signal, SignalId};
