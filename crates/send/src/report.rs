//! What `fetch_receipts` tells the office, one line per item, in Dutch with local Dutch time:
//! who acknowledged which signal and how, which signals expired unhandled, and which items the
//! sender refused because they could not be verified. Reports carry ids, school, role, kind and
//! time only: the sender no longer knows any name or birthdate.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Amsterdam;
use hwc_protocol::{Brin, DeviceId, ReceiptKind, Role, SignalId};
use std::fmt;

/// Why an item from the relay was not accepted as a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedReason {
    /// The signature fits no device of that school verified here by safety code.
    UnknownDevice,
    /// The receipt is signed correctly but names a signal of another school.
    WrongSchool,
}

impl RefusedReason {
    fn dutch(self) -> &'static str {
        match self {
            RefusedReason::UnknownDevice => {
                "de handtekening past bij geen door u geverifieerd apparaat van deze school"
            }
            RefusedReason::WrongSchool => "de bevestiging hoort bij een signaal voor een andere school",
        }
    }
}

/// One item for the office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptReport {
    /// A school device acknowledged the signal.
    Acknowledged {
        signal_id: SignalId,
        school: Brin,
        device_id: DeviceId,
        role: Role,
        kind: ReceiptKind,
        at: DateTime<Utc>,
    },
    /// Nobody acknowledged the signal before it expired.
    Expired { signal_id: SignalId, school: Brin, expired_at: DateTime<Utc> },
    /// An item that did not verify; the signal stays outstanding.
    Refused { school: Brin, reason: RefusedReason },
}

/// `08:12 op 24-11-2026`, in Dutch local time.
pub fn dutch_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Amsterdam).format("%H:%M op %d-%m-%Y").to_string()
}

impl fmt::Display for ReceiptReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiptReport::Acknowledged { signal_id, school, role, kind, at, .. } => {
                write!(f, "signaal {signal_id}, school {school} ({}): {}, {}", role.dutch(), kind.dutch(), dutch_time(*at))
            }
            ReceiptReport::Expired { signal_id, school, expired_at } => write!(
                f,
                "signaal {signal_id}, school {school}: niet afgehandeld voor het verlopen; bel de school (verlopen om {})",
                dutch_time(*expired_at)
            ),
            ReceiptReport::Refused { school, reason } => write!(
                f,
                "een ontvangstbevestiging voor school {school} is geweigerd: {}; het signaal blijft openstaan. Meld dit aan de beheerder",
                reason.dutch()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reports_read_in_dutch_local_time() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 7, 12, 0).unwrap();
        let report = ReceiptReport::Acknowledged {
            signal_id: SignalId::from_bytes([1; 16]),
            school: "12AB".parse().unwrap(),
            device_id: DeviceId::from_bytes([2; 16]),
            role: Role::Director,
            kind: ReceiptKind::HandedOver,
            at,
        };
        let text = report.to_string();
        assert!(text.contains("doorgegeven aan de leerkracht, 08:12 op 24-11-2026"), "{text}");
        assert!(text.contains("12AB (directeur)"), "{text}");
        let expired = ReceiptReport::Expired {
            signal_id: SignalId::from_bytes([1; 16]),
            school: "12AB".parse().unwrap(),
            expired_at: at,
        };
        assert!(expired.to_string().contains("niet afgehandeld voor het verlopen"), "{expired}");
    }
}
