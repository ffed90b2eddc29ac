//! What `fetch_receipts` tells the office, one line per item, in Dutch with local Dutch time:
//! who acknowledged which signal and how, which signals expired unhandled, which items the
//! sender refused because they could not be verified, which receipts do not prove that the
//! signal was opened, which items concern a signal that is not
//! open here, and which signals the relay never reported on. Reports carry ids, school, role,
//! kind and time only: the sender no longer knows any name or birthdate.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;
use hwc_protocol::{Brin, DeviceId, ReceiptKind, Role, Sector, SignalId};
use std::fmt;

/// Why an item from the relay was not accepted as a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedReason {
    /// The signature fits no device of that school verified here by safety code.
    UnknownDevice,
    /// The receipt is signed correctly but names a signal of another school (or the school's
    /// days name another school).
    WrongSchool,
}

impl RefusedReason {
    fn dutch(self) -> &'static str {
        match self {
            RefusedReason::UnknownDevice => {
                "de handtekening past bij geen door u geverifieerd apparaat van deze school"
            }
            RefusedReason::WrongSchool => "het bericht hoort bij een andere school",
        }
    }
}

/// What the relay reported about a signal that is not outstanding here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownNotice {
    /// A receipt, verified with a device verified here.
    Receipt { device_id: DeviceId, role: Role, kind: ReceiptKind, at: DateTime<Utc> },
    /// An expiry notice.
    Expired { expired_at: DateTime<Utc> },
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
        /// The school's sector as recorded here, for the words ("doorgegeven aan de mentor").
        sector: Option<Sector>,
    },
    /// Nobody acknowledged the signal before it expired.
    Expired { signal_id: SignalId, school: Brin, expired_at: DateTime<Utc> },
    /// An item that did not verify; the signal stays outstanding.
    Refused { school: Brin, reason: RefusedReason },
    /// A receipt signed by a device verified here whose proof does not hold under the signal's
    /// receipt key: whatever signed it had not opened the signal (the device's signing key used
    /// without the PIN). Not a handover: the school must be called. Settled as unproven, since
    /// the relay passes no later receipt for the signal.
    Unproven { signal_id: SignalId, school: Brin, role: Role, kind: ReceiptKind, at: DateTime<Utc> },
    /// A receipt or expiry notice for a signal that is neither outstanding here nor settled in
    /// the last 30 days (sent by another sender, or a relay that mixes things up).
    UnknownSignal { signal_id: SignalId, school: Brin, notice: UnknownNotice },
    /// The signal expired a day ago and the relay never reported on it: the envelope may
    /// never have reached the relay (the connection broke while sending).
    Unconfirmed { signal_id: SignalId, school: Brin, expires_at: DateTime<Utc> },
    /// A school's device reported the school's own closed days (study days) from its app, and
    /// days given back to the calendar's rule; they are in this office's planning from now on.
    SchoolDays { school: Brin, role: Role, at: DateTime<Utc>, closed: Vec<NaiveDate>, cleared: Vec<NaiveDate> },
}

impl ReceiptReport {
    /// Whether the officer must look into this item (it is not a normal outcome).
    pub fn needs_attention(&self) -> bool {
        matches!(
            self,
            ReceiptReport::Refused { .. }
                | ReceiptReport::Unproven { .. }
                | ReceiptReport::UnknownSignal { .. }
                | ReceiptReport::Acknowledged { kind: ReceiptKind::NotOurPupil, .. }
        )
    }
}

/// What the officer does with a signal that reached the wrong school (docs/privacy/datalekprocedure.md).
pub const BREACH_STEPS: &str = "Dit is een datalek: leg het vandaag vast in het datalekregister van uw organisatie met dit signaalnummer; meld het aan de functionaris gegevensbescherming, die binnen 72 uur na ontdekking beslist of het aan de Autoriteit Persoonsgegevens wordt gemeld; bel de school om te horen of het signaal weg is en niet is doorgegeven; zoek uit op welke school het kind zit en verstuur het signaal daarheen";

/// Who acknowledged, as the office reads it between brackets: the sector's word for the
/// director's device ("zorgcoördinator"), and for the backup's "intern begeleider" in primary and
/// special schools, else "achterwacht".
pub fn office_role_word(sector: Option<Sector>, role: Role) -> &'static str {
    match (sector, role) {
        (None, role) => role.dutch(),
        (Some(Sector::Po | Sector::So), Role::Backup) => "intern begeleider",
        (Some(_), Role::Backup) => "achterwacht",
        (Some(sector), Role::Director) => sector.role_name(Role::Director),
    }
}

/// `08:12 op 24-11-2026`, in Dutch local time.
pub fn dutch_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Amsterdam).format("%H:%M op %d-%m-%Y").to_string()
}

impl fmt::Display for ReceiptReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiptReport::Acknowledged { signal_id, school, role, kind, at, sector, .. } => {
                let what = match sector {
                    Some(sector) if *kind == ReceiptKind::HandedOver => format!("doorgegeven aan {}", sector.tell_whom()),
                    _ => kind.dutch().to_string(),
                };
                let role = office_role_word(*sector, *role);
                write!(f, "signaal {signal_id}, school {school} ({role}): {what}, {}", dutch_time(*at))?;
                if *kind == ReceiptKind::NotOurPupil {
                    write!(f, ". {BREACH_STEPS}")?;
                }
                Ok(())
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
            ReceiptReport::Unproven { signal_id, school, role, kind, at } => write!(
                f,
                "signaal {signal_id}, school {school} ({}): gemeld als \"{}\" om {}, maar zonder bewijs dat het signaal is geopend. Dit telt niet als afgehandeld: bel de school, en laat de beheerder het apparaat controleren",
                role.dutch(),
                kind.dutch(),
                dutch_time(*at)
            ),
            ReceiptReport::UnknownSignal { signal_id, school, notice: UnknownNotice::Receipt { role, kind, at, .. } } => {
                write!(
                    f,
                    "ontvangstbevestiging voor een onbekend signaal {signal_id}, school {school} ({}): {}, {}. Dit signaal staat bij deze verzender niet open; meld dit aan de beheerder",
                    role.dutch(),
                    kind.dutch(),
                    dutch_time(*at)
                )
            }
            ReceiptReport::UnknownSignal { signal_id, school, notice: UnknownNotice::Expired { expired_at } } => write!(
                f,
                "verloopbericht voor een onbekend signaal {signal_id}, school {school} (verlopen om {}). Dit signaal staat bij deze verzender niet open; meld dit aan de beheerder",
                dutch_time(*expired_at)
            ),
            ReceiptReport::SchoolDays { school, role, at, closed, cleared } => {
                let list = |days: &[NaiveDate]| {
                    days.iter().map(|d| hwc_calendar::spoken_date(*d)).collect::<Vec<_>>().join(", ")
                };
                write!(f, "school {school} ({}) gaf om {} eigen vrije dagen door:", role.dutch(), dutch_time(*at))?;
                if !closed.is_empty() {
                    write!(f, " dicht op {}", list(closed))?;
                }
                if !cleared.is_empty() {
                    let and = if closed.is_empty() { "" } else { ";" };
                    write!(f, "{and} weer volgens de schoolkalender op {}", list(cleared))?;
                }
                write!(f, ". De planning van dit bureau rekent er vanaf nu mee; signalen die al onderweg zijn houden hun verloopdatum")
            }
            ReceiptReport::Unconfirmed { signal_id, school, expires_at } => write!(
                f,
                "signaal {signal_id}, school {school}: de relay heeft nooit bevestigd dat dit signaal is aangekomen en het is verlopen om {}; mogelijk heeft de school het niet ontvangen. Bel de school",
                dutch_time(*expires_at)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A receipt of school 12AB at 08:12 Dutch time on 24-11-2026.
    fn acknowledged(role: Role, kind: ReceiptKind, sector: Option<Sector>) -> ReceiptReport {
        ReceiptReport::Acknowledged {
            signal_id: SignalId::from_bytes([1; 16]),
            school: "12AB".parse().unwrap(),
            device_id: DeviceId::from_bytes([2; 16]),
            role,
            kind,
            at: Utc.with_ymd_and_hms(2026, 11, 24, 7, 12, 0).unwrap(),
            sector,
        }
    }

    #[test]
    fn reports_read_in_dutch_local_time() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 7, 12, 0).unwrap();
        let report = acknowledged(Role::Director, ReceiptKind::HandedOver, None);
        let text = report.to_string();
        assert!(text.contains("doorgegeven aan de leerkracht, 08:12 op 24-11-2026"), "{text}");
        assert!(text.contains("12AB (directeur)"), "{text}");
        // A school whose sector is recorded reads in its own words.
        let vo = acknowledged(Role::Director, ReceiptKind::HandedOver, Some(Sector::Vo)).to_string();
        assert!(vo.contains("12AB (zorgcoördinator): doorgegeven aan de mentor, 08:12"), "{vo}");
        let po_backup = acknowledged(Role::Backup, ReceiptKind::HandedOver, Some(Sector::Po)).to_string();
        assert!(po_backup.contains("12AB (intern begeleider): doorgegeven aan de leerkracht"), "{po_backup}");
        assert!(!report.needs_attention() && !text.contains("datalek"));
        // A signal at the wrong school is a data breach: the officer is told so, with the steps.
        let wrong_school = acknowledged(Role::Backup, ReceiptKind::NotOurPupil, None);
        let text = wrong_school.to_string();
        assert!(wrong_school.needs_attention());
        assert!(
            text.contains("datalekregister") && text.contains("72 uur") && text.contains("bel de school"),
            "{text}"
        );
        let expired = ReceiptReport::Expired {
            signal_id: SignalId::from_bytes([1; 16]),
            school: "12AB".parse().unwrap(),
            expired_at: at,
        };
        assert!(expired.to_string().contains("niet afgehandeld voor het verlopen"), "{expired}");
        let unknown = ReceiptReport::UnknownSignal {
            signal_id: SignalId::from_bytes([1; 16]),
            school: "12AB".parse().unwrap(),
            notice: UnknownNotice::Receipt {
                device_id: DeviceId::from_bytes([2; 16]),
                role: Role::Backup,
                kind: ReceiptKind::NotOurPupil,
                at,
            },
        };
        assert!(unknown.needs_attention() && !expired.needs_attention());
        assert!(unknown.to_string().starts_with("ontvangstbevestiging voor een onbekend signaal 0101"), "{unknown}");
        let unknown = ReceiptReport::UnknownSignal {
            signal_id: SignalId::from_bytes([1; 16]),
            school: "12AB".parse().unwrap(),
            notice: UnknownNotice::Expired { expired_at: at },
        };
        assert!(unknown.to_string().starts_with("verloopbericht voor een onbekend signaal"), "{unknown}");
    }
}
