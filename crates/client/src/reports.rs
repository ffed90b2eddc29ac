//! What the client's actions report back to the app: ids, times and counts, never content.

use chrono::{DateTime, Utc};
use hwc_protocol::api::DeviceStatus;
use hwc_protocol::{Brin, DeviceId, EnvelopeError, ReceiptKind, Role, SignalId};
use std::fmt;

/// A sealed signal waiting on this device (what the app lists before opening one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignal {
    pub signal_id: SignalId,
    pub received_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// This device as it knows itself (no network).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSummary {
    pub device_id: DeviceId,
    pub school: Brin,
    pub role: Role,
    pub status: DeviceStatus,
}

/// A signal this device held that a colleague acknowledged; its envelope is gone from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandledByColleague {
    pub signal_id: SignalId,
    pub by: DeviceId,
    pub at: DateTime<Utc>,
}

impl fmt::Display for HandledByColleague {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.at.with_timezone(&chrono::Local);
        write!(f, "afgehandeld door een collega op {}", local.format("%d-%m-%Y om %H:%M"))
    }
}

/// Why an envelope from the relay was refused (and not stored). Never about its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Signature, format or times were wrong.
    Invalid(EnvelopeError),
    /// Had expired on arrival.
    Expired,
    /// Was for another school.
    WrongSchool,
    /// Had no copy for this device.
    NotForThisDevice,
    /// Was a signal this device already saw handled (acknowledged here or by a colleague):
    /// a handled signal never comes back.
    AlreadyHandled,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Invalid(e) => write!(f, "ongeldig envelop geweigerd: {e}"),
            Refusal::Expired => f.write_str("verlopen envelop geweigerd"),
            Refusal::WrongSchool => f.write_str("envelop voor een andere school geweigerd"),
            Refusal::NotForThisDevice => f.write_str("envelop zonder kopie voor dit apparaat geweigerd"),
            Refusal::AlreadyHandled => f.write_str("envelop van een al afgehandeld signaal geweigerd"),
        }
    }
}

/// What a flush of the outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlushReport {
    /// Receipts the relay accepted (first or repeated) and that left the outbox.
    pub delivered: usize,
    /// Receipts the relay refused for good (the signal is gone there): removed from the outbox.
    pub undeliverable: Vec<SignalId>,
    /// Receipts still waiting in the outbox.
    pub waiting: usize,
    /// Why the last waiting receipt could not be delivered, in Dutch.
    pub last_problem: Option<String>,
}

/// What one fetch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchReport {
    /// Signals stored sealed, new on this device.
    pub new_signals: Vec<SignalId>,
    /// Signals this device held that a colleague acknowledged.
    pub handled_by_colleague: Vec<HandledByColleague>,
    /// Signals deleted from this device because they expired.
    pub expired: Vec<SignalId>,
    /// Envelopes refused, one entry each.
    pub refused: Vec<Refusal>,
    /// "Handled" notices from the relay without valid proof (the acknowledging device's signed
    /// receipt for a copy it held): ignored, the signal stays.
    pub unproven_handled: usize,
    /// "Handled" notices naming this very device for a signal it still holds: a receipt in its
    /// name that it never made (acknowledging here removes the envelope in the same step), so
    /// its signing key was used elsewhere. Ignored, the signal stays; the person is warned.
    pub receipts_not_made_here: usize,
    /// An envelope was made more than five minutes after this computer's "now": its clock runs
    /// behind leerplicht's. Such an envelope stays at the relay and is fetched again (the
    /// cursor does not move past it), so it arrives once the clock allows it; meanwhile the
    /// person should hear that the clock needs setting.
    pub clock_behind: bool,
    /// The outbox flush that went first.
    pub receipts: FlushReport,
}

impl FetchReport {
    pub fn refused_count(&self) -> usize {
        self.refused.len()
    }
}

/// Where a receipt stands after an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The relay accepted it; `first` is false when the signal was already acknowledged.
    Delivered { first: bool },
    /// It waits in the outbox; a later fetch or flush sends it.
    Waiting { reason: String },
    /// The relay refused it for good (for example: the signal had expired there).
    Undeliverable { reason: String },
}

/// What an acknowledgement did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckReport {
    pub signal_id: SignalId,
    pub kind: ReceiptKind,
    pub delivery: Delivery,
}

impl AckReport {
    pub fn delivered_now(&self) -> bool {
        matches!(self.delivery, Delivery::Delivered { .. })
    }
}

/// Where the PIN stands, for the lock screen (no network, no PIN needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinStatus {
    /// The open key is in memory: signals can be opened.
    pub unlocked: bool,
    /// Wrong PINs in a row so far (kept across restarts).
    pub wrong_in_a_row: u32,
    /// Wrong PINs still allowed before the device is wiped.
    pub tries_left: u32,
    /// Seconds before another PIN is accepted (0: now).
    pub wait_seconds: u64,
}

impl PinStatus {
    /// Whether the lock screen should warn that the device will be wiped after a few more
    /// wrong PINs ("nog 3 pogingen, daarna wordt dit apparaat gewist").
    pub fn warn_of_wipe(&self) -> bool {
        self.wrong_in_a_row >= crate::pin::WARN_FROM_WRONG_PIN
    }
}
