//! "Vandaag": every signal this office has open, and those the relay reported on since the
//! window opened, each with its state in the officer's words: verzonden, vastgehouden, nog
//! niet doorgegeven (after the morning's escalation time, with the school's phone number),
//! doorgegeven, niet onze leerling (a data breach to handle), verlopen. Signal numbers,
//! schools, roles and times only. Plain functions, driven directly by the tests below.

use chrono::{DateTime, Utc};
use hwc_protocol::{Brin, ReceiptKind, SignalId};
use hwc_send::report::{dutch_time, office_role_word};
use hwc_send::store::Outstanding;
use hwc_send::ReceiptReport;
use std::collections::HashMap;

/// How the relay settled a signal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handed over, by whom ("directeur", "zorgcoördinator").
    HandedOver {
        by: &'static str,
    },
    /// "Not our pupil": a data breach to handle.
    NotOurPupil {
        by: &'static str,
    },
    Expired,
    /// A receipt without proof that the signal was opened.
    Unproven,
    /// The relay never confirmed the signal arrived.
    Unconfirmed,
}

/// A signal the relay reported on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub signal_id: SignalId,
    pub school: Brin,
    pub outcome: Outcome,
    pub at: DateTime<Utc>,
}

impl Settled {
    /// The signal a report settles; `None` for reports about no signal of this office (refused
    /// items, unknown signals, a school's own days).
    pub fn from_report(report: &ReceiptReport) -> Option<Self> {
        let (signal_id, school, outcome, at) = match report {
            ReceiptReport::Acknowledged { signal_id, school, role, kind, at, sector, .. } => {
                let by = office_role_word(*sector, *role);
                let outcome = match kind {
                    ReceiptKind::HandedOver => Outcome::HandedOver { by },
                    ReceiptKind::NotOurPupil => Outcome::NotOurPupil { by },
                };
                (*signal_id, *school, outcome, *at)
            }
            ReceiptReport::Expired { signal_id, school, expired_at } => {
                (*signal_id, *school, Outcome::Expired, *expired_at)
            }
            ReceiptReport::Unproven { signal_id, school, at, .. } => (*signal_id, *school, Outcome::Unproven, *at),
            ReceiptReport::Unconfirmed { signal_id, school, expires_at } => {
                (*signal_id, *school, Outcome::Unconfirmed, *expires_at)
            }
            _ => return None,
        };
        Some(Self { signal_id, school, outcome, at })
    }
}

/// One line of "Vandaag".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub signal_id: SignalId,
    pub school: Brin,
    /// When it was sent, when known (a signal settled before this window saw it open is not).
    pub sent_at: Option<DateTime<Utc>>,
    pub state: &'static str,
    pub detail: String,
    /// The officer must act: call the school, handle a data breach.
    pub attention: bool,
}

/// The rows at `now`: open signals (`escalated` names those not handed over at the morning's
/// escalation time, with the school's phone number) and settled ones, newest first.
/// `sent` remembers when signals seen open were sent.
pub fn rows(
    open: &[Outstanding],
    escalated: &HashMap<SignalId, Option<String>>,
    settled: &[Settled],
    sent: &HashMap<SignalId, i64>,
    now: DateTime<Utc>,
) -> Vec<Row> {
    let time = |at: i64| DateTime::from_timestamp(at, 0).unwrap_or_default();
    let mut rows: Vec<Row> = open
        .iter()
        .map(|signal| {
            let (state, detail, attention) = match (signal.held_until, escalated.get(&signal.signal_id)) {
                (Some(held), _) if held > now.timestamp() => (
                    "vastgehouden",
                    format!("de relay bezorgt het om {} (de school is tot dan dicht)", dutch_time(time(held))),
                    false,
                ),
                (_, Some(phone)) => (
                    "nog niet doorgegeven",
                    match phone {
                        Some(phone) => format!("bel de school: {phone}"),
                        None => "bel de school (geen telefoonnummer vastgelegd)".to_string(),
                    },
                    true,
                ),
                _ if signal.expires_at <= now.timestamp() => (
                    "verlopen?",
                    format!(
                        "verlopen om {}; de relay meldde het nog niet: bel de school",
                        dutch_time(time(signal.expires_at))
                    ),
                    true,
                ),
                _ => ("verzonden", format!("verloopt om {}", dutch_time(time(signal.expires_at))), false),
            };
            Row {
                signal_id: signal.signal_id,
                school: signal.school,
                sent_at: Some(time(signal.sent_at)),
                state,
                detail,
                attention,
            }
        })
        .collect();
    for done in settled {
        let (state, detail, attention) = match &done.outcome {
            Outcome::HandedOver { by } => ("doorgegeven", format!("door de {by}, {}", dutch_time(done.at)), false),
            Outcome::NotOurPupil { by } => (
                "niet onze leerling",
                format!("gemeld door de {by}, {}: datalek, zie de stappen hieronder", dutch_time(done.at)),
                true,
            ),
            Outcome::Expired => ("verlopen", format!("niet afgehandeld, {}: bel de school", dutch_time(done.at)), true),
            Outcome::Unproven => {
                ("zonder bewijs", "bevestigd zonder bewijs van openen: bel de school".to_string(), true)
            }
            Outcome::Unconfirmed => {
                ("niet bevestigd", "de relay bevestigde de aankomst nooit: bel de school".to_string(), true)
            }
        };
        rows.retain(|r| r.signal_id != done.signal_id);
        let sent_at = sent.get(&done.signal_id).map(|at| time(*at));
        rows.push(Row { signal_id: done.signal_id, school: done.school, sent_at, state, detail, attention });
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.sent_at));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use hwc_protocol::{DeviceId, Role};

    fn open(id: u8, sent_at: i64, held_until: Option<i64>) -> Outstanding {
        Outstanding {
            signal_id: SignalId::from_bytes([id; 16]),
            school: "12AB".parse().unwrap(),
            sent_at,
            expires_at: sent_at + 86_400,
            receipt_key: None,
            held_until,
            incident_at: None,
        }
    }

    #[test]
    fn each_signal_reads_as_what_happened_to_it_newest_first() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
        let t = now.timestamp();
        let signals = [open(1, t - 3600, None), open(2, t - 1800, Some(t + 86_400)), open(3, t - 600, None)];
        let late = [open(4, t - 90_000, None)];
        let unreported = rows(&late, &HashMap::new(), &[], &HashMap::new(), now);
        assert_eq!((unreported[0].state, unreported[0].attention), ("verlopen?", true));
        let escalated = HashMap::from([(SignalId::from_bytes([1; 16]), Some("030 123 45 67".to_string()))]);
        let receipt = |kind| ReceiptReport::Acknowledged {
            signal_id: SignalId::from_bytes([3; 16]),
            school: "12AB".parse().unwrap(),
            device_id: DeviceId::from_bytes([9; 16]),
            role: Role::Director,
            kind,
            at: now,
            sector: None,
        };
        let settled = vec![Settled::from_report(&receipt(ReceiptKind::HandedOver)).unwrap()];
        let sent = HashMap::from([(SignalId::from_bytes([3; 16]), t - 600)]);
        let shown = rows(&signals, &escalated, &settled, &sent, now);
        let states: Vec<&str> = shown.iter().map(|r| r.state).collect();
        assert_eq!(states, ["doorgegeven", "vastgehouden", "nog niet doorgegeven"]);
        assert_eq!(shown[0].detail, "door de directeur, 10:00 op 07-12-2026");
        assert!(shown[2].attention && shown[2].detail.contains("030 123 45 67"));
        assert!(!shown[1].attention && shown[1].detail.contains("de relay bezorgt het om"));

        let wrong_school = Settled::from_report(&receipt(ReceiptKind::NotOurPupil)).unwrap();
        let breach = rows(&[], &HashMap::new(), &[wrong_school], &HashMap::new(), now);
        assert_eq!((breach[0].state, breach[0].attention, breach[0].sent_at), ("niet onze leerling", true, None));
        assert!(Settled::from_report(&ReceiptReport::Refused {
            school: "12AB".parse().unwrap(),
            reason: hwc_send::RefusedReason::UnknownDevice
        })
        .is_none());
    }
}
