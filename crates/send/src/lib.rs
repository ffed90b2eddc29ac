//! `hwc-send`: leerplicht's tool for Handle with Care. It registers schools, verifies their
//! devices by safety code, seals and sends signals to those devices through the relay, and
//! reads back receipts and counts.
//!
//! The absolute rule: a child's name and birthdate never touch disk, a log line, an error
//! message, argv or a panic message. They exist only in memory, inside a [`Signal`], between
//! the prompt (or stdin) and [`Office::send_signal`]. The local state (an SQLCipher database
//! whose key lives in the OS keyring) has no column that could hold them.

/// The CSV batch of signals (parsed in `hwc-formats`, fuzzed there).
pub use hwc_formats::csv_batch;
pub mod db_key;
pub mod delivery_words;
pub mod error;
pub mod evaluation;
pub mod incident;
pub mod office;
pub mod phone;
pub mod relay_client;
pub mod report;
pub mod state_dir;
pub mod store;
pub mod summary;

pub use csv_batch::{parse_batch, Batch, BatchLine, LineError, LineProblem};
pub use db_key::KeySource;
pub use error::{Result, SendError};
pub use evaluation::MonthCounts;
pub use hwc_calendar::{Delivery, Region, RegionError};
pub use hwc_protocol::api::DeviceInfo;
pub use hwc_protocol::{Brin, Destination, DeviceId, EnrollmentCode, ReceiptKind, Role, SafetyCode, Signal, SignalId};
pub use incident::{IncidentError, IncidentHour, Within};
pub use office::{Escalation, Office, Sent, UnreadReceipts};
pub use phone::{Phone, PhoneError};
pub use relay_client::RelayError;
pub use report::{ReceiptReport, RefusedReason, UnknownNotice};
pub use state_dir::default_state_dir;
pub use store::{Counts, LocalDevice, Location, SummerRule, TallyKind, TallyRow};
pub use summary::{SchoolSummary, Stats};

/// A short Dutch reason for a file-system error (the path is given by the caller).
pub(crate) fn io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::NotFound => "bestaat niet".into(),
        ErrorKind::PermissionDenied => "geen toegang".into(),
        ErrorKind::AlreadyExists => "bestaat al".into(),
        _ => format!("bestandsfout ({err})"),
    }
}
