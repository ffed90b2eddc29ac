//! The chaos run's bookkeeping, without I/O: what the office sent, what each device process
//! said it did (in which incarnation), and what the office was told. [`Ledger::finish`] judges
//! the run against the promises: every signal shown on each device of its school at most once
//! (again only after a crash between showing and acknowledging), never after it was handled,
//! each signal acknowledged or reported expired exactly once, and none gone before its expiry.

use hwc_protocol::SignalId;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A device by its place in the run's list of devices.
pub type Device = usize;

/// What must become of a signal, from its expiry and when its school's devices came up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A device of the school runs well before the expiry: it must be acknowledged.
    Deliver,
    /// It expired before any device of the school ran: reported expired, never shown.
    Expire,
    /// It expired close to the moment the school's devices started: either outcome, once.
    Either,
}

/// What `send_signal` answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The relay confirmed it stored the envelope.
    Accepted,
    /// The connection broke: it may or may not have reached the relay.
    Uncertain,
}

/// What a device process printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceEvent {
    /// A fetch stored it, new on this device.
    New(SignalId),
    /// The device decrypted it to show it.
    Opened(SignalId),
    /// The device acknowledged it (receipt signed, envelope gone).
    Acked(SignalId),
    /// A fetch said a colleague acknowledged it; the device deleted its copy.
    Colleague(SignalId),
    /// It expired on the device.
    Expired(SignalId),
}

/// What the office was told about a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Acknowledged,
    /// Expired at the relay; `expired_at` as reported, in Unix seconds.
    Expired {
        expired_at: i64,
    },
}

struct Signal {
    school: usize,
    expect: Expect,
    sent: Sent,
    expires_at: i64,
}

/// One device's history with one signal.
#[derive(Default)]
struct Seen {
    new: u32,
    opened: u32,
    /// The incarnation of the device process that showed it last.
    opened_in: Option<u32>,
    acked: u32,
    handled: bool,
}

/// The figures of a run; every count of a broken promise must be zero.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub signals_sent: usize,
    pub accepted: usize,
    pub uncertain: usize,
    pub uncertain_arrived: usize,
    pub uncertain_never_arrived: usize,
    /// Planned by expiry against the start of the school's devices: must be acknowledged, must
    /// expire unseen, or either.
    pub planned_to_arrive: usize,
    pub planned_to_expire: usize,
    pub planned_either: usize,
    pub acknowledged: usize,
    pub reported_expired: usize,
    pub shown: usize,
    /// Shown again after the device process was killed between showing and acknowledging:
    /// correct (the signal was not handed over yet), counted apart.
    pub shown_again_after_crash: usize,
    pub arrived_twice: usize,
    pub shown_twice: usize,
    pub shown_after_handled: usize,
    pub shown_on_wrong_device: usize,
    pub receipts_duplicated: usize,
    pub lost: usize,
    pub gone_before_expiry: usize,
    pub expired_yet_shown: usize,
}

impl Figures {
    /// The promises broken in this run.
    pub fn broken(&self) -> usize {
        self.arrived_twice
            + self.shown_twice
            + self.shown_after_handled
            + self.shown_on_wrong_device
            + self.receipts_duplicated
            + self.lost
            + self.gone_before_expiry
            + self.expired_yet_shown
    }
}

/// The ledger of one run.
pub struct Ledger {
    device_school: Vec<usize>,
    signals: BTreeMap<SignalId, Signal>,
    seen: BTreeMap<(Device, SignalId), Seen>,
    outcomes: BTreeMap<SignalId, Vec<Outcome>>,
    figures: Figures,
    problems: Vec<String>,
}

/// At most this many problems are kept word for word; the figures count them all.
const PROBLEMS_KEPT: usize = 50;

impl Ledger {
    /// `device_school[d]` is the school of device `d`.
    pub fn new(device_school: Vec<usize>) -> Self {
        Self {
            device_school,
            signals: BTreeMap::new(),
            seen: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            figures: Figures::default(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, text: String) {
        if self.problems.len() < PROBLEMS_KEPT {
            self.problems.push(text);
        }
    }

    /// Something went wrong that the figures do not cover (a device process died, say).
    pub fn fault(&mut self, text: String) {
        self.problem(text);
    }

    /// The office sent `id` to `school`.
    pub fn sent(&mut self, id: SignalId, school: usize, expect: Expect, sent: Sent, expires_at: i64) {
        self.figures.signals_sent += 1;
        match sent {
            Sent::Accepted => self.figures.accepted += 1,
            Sent::Uncertain => self.figures.uncertain += 1,
        }
        self.signals.insert(id, Signal { school, expect, sent, expires_at });
    }

    /// A send the office gave up on without any doubt (the relay refused it).
    pub fn refused(&mut self, why: String) {
        self.figures.signals_sent += 1;
        self.figures.lost += 1;
        self.problem(format!("de relay weigerde een geldig signaal: {why}"));
    }

    /// Device `device`, in its `incarnation`-th process, did `event`.
    pub fn device(&mut self, device: Device, incarnation: u32, event: DeviceEvent) {
        match event {
            DeviceEvent::New(id) => {
                let seen = self.seen.entry((device, id)).or_default();
                seen.new += 1;
                let (twice, after) = (seen.new > 1, seen.handled);
                if twice {
                    self.figures.arrived_twice += 1;
                    self.problem(format!("apparaat {device}: signaal {id} kwam twee keer binnen"));
                }
                if after {
                    self.figures.shown_after_handled += 1;
                    self.problem(format!("apparaat {device}: signaal {id} kwam terug na afhandeling"));
                }
            }
            DeviceEvent::Opened(id) => {
                self.figures.shown += 1;
                let seen = self.seen.entry((device, id)).or_default();
                seen.opened += 1;
                let previous = seen.opened_in.replace(incarnation);
                let handled = seen.handled;
                if handled {
                    self.figures.shown_after_handled += 1;
                    self.problem(format!("apparaat {device}: signaal {id} getoond na afhandeling"));
                } else if previous == Some(incarnation) {
                    self.figures.shown_twice += 1;
                    self.problem(format!("apparaat {device}: signaal {id} twee keer getoond"));
                } else if previous.is_some() {
                    self.figures.shown_again_after_crash += 1;
                }
            }
            DeviceEvent::Acked(id) => {
                let seen = self.seen.entry((device, id)).or_default();
                seen.acked += 1;
                seen.handled = true;
                if seen.acked > 1 {
                    self.figures.shown_after_handled += 1;
                    self.problem(format!("apparaat {device}: signaal {id} twee keer bevestigd"));
                }
            }
            DeviceEvent::Colleague(id) | DeviceEvent::Expired(id) => {
                self.seen.entry((device, id)).or_default().handled = true;
            }
        }
    }

    /// The office was told `outcome` about `id`.
    pub fn outcome(&mut self, id: SignalId, outcome: Outcome) {
        let all = self.outcomes.entry(id).or_default();
        all.push(outcome);
        let count = all.len();
        if count > 1 {
            self.figures.receipts_duplicated += 1;
            self.problem(format!("leerplicht kreeg {count} berichten over signaal {id}"));
        }
    }

    /// Something the office should never see (a receipt that did not verify, an unknown signal).
    pub fn unexpected_report(&mut self, what: String) {
        self.figures.receipts_duplicated += 1;
        self.problem(format!("onverwacht bericht bij leerplicht: {what}"));
    }

    /// Signals sent with an uncertain outcome that have had no outcome so far: the ones to
    /// look for at the relay before calling them never arrived.
    pub fn uncertain_without_outcome(&self) -> Vec<SignalId> {
        self.signals
            .iter()
            .filter(|(id, s)| s.sent == Sent::Uncertain && !self.outcomes.contains_key(id))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Signals whose outcome the office is still waiting for (uncertain sends excluded).
    pub fn awaiting(&self) -> usize {
        self.signals.iter().filter(|(id, s)| s.sent == Sent::Accepted && !self.outcomes.contains_key(id)).count()
    }

    /// What the devices said about `id`, for a problem report.
    fn trail(&self, id: SignalId) -> String {
        let seen: Vec<String> = self
            .seen
            .iter()
            .filter(|((_, s), _)| *s == id)
            .map(|((d, _), seen)| {
                format!(
                    "apparaat {d}: binnen {}, getoond {}, bevestigd {}, afgehandeld {}",
                    seen.new, seen.opened, seen.acked, seen.handled
                )
            })
            .collect();
        if seen.is_empty() {
            "geen apparaat zag het".into()
        } else {
            seen.join("; ")
        }
    }

    /// Signals still waiting for their outcome (uncertain sends included).
    pub fn without_outcome(&self) -> Vec<SignalId> {
        self.signals.keys().filter(|id| !self.outcomes.contains_key(id)).copied().collect()
    }

    /// Judges the run. `at_relay`: signals without an outcome that the relay still holds.
    pub fn finish(mut self, at_relay: &BTreeSet<SignalId>) -> (Figures, Vec<String>) {
        let mut shown_by: BTreeMap<SignalId, usize> = BTreeMap::new();
        let keys: Vec<(Device, SignalId)> = self.seen.keys().copied().collect();
        for (device, id) in keys {
            let school = self.device_school.get(device).copied();
            match self.signals.get(&id) {
                Some(signal) if Some(signal.school) == school => {
                    if self.seen[&(device, id)].new + self.seen[&(device, id)].opened > 0 {
                        *shown_by.entry(id).or_default() += 1;
                    }
                }
                _ => {
                    self.figures.shown_on_wrong_device += 1;
                    self.problem(format!("apparaat {device} kreeg signaal {id}, dat niet voor zijn school was"));
                }
            }
        }
        let ids: Vec<SignalId> = self.signals.keys().copied().collect();
        for id in ids {
            let signal = &self.signals[&id];
            let (expect, sent, expires_at) = (signal.expect, signal.sent, signal.expires_at);
            let outcome = self.outcomes.get(&id).and_then(|o| o.first()).copied();
            match expect {
                Expect::Deliver => self.figures.planned_to_arrive += 1,
                Expect::Expire => self.figures.planned_to_expire += 1,
                Expect::Either => self.figures.planned_either += 1,
            }
            let reached_a_device = shown_by.contains_key(&id);
            match outcome {
                Some(Outcome::Acknowledged) => self.figures.acknowledged += 1,
                Some(Outcome::Expired { expired_at }) => {
                    self.figures.reported_expired += 1;
                    if expired_at < expires_at {
                        self.figures.gone_before_expiry += 1;
                        self.problem(format!("signaal {id} verliep {} s te vroeg", expires_at - expired_at));
                    }
                }
                None => {}
            }
            if sent == Sent::Uncertain {
                if outcome.is_some() {
                    self.figures.uncertain_arrived += 1;
                } else if at_relay.contains(&id) || reached_a_device {
                    self.figures.lost += 1;
                    self.problem(format!("signaal {id} kwam aan maar werd nooit afgehandeld"));
                } else {
                    self.figures.uncertain_never_arrived += 1;
                }
                continue;
            }
            match (expect, outcome) {
                (_, None) => {
                    self.figures.lost += 1;
                    let trail = self.trail(id);
                    let where_ = if at_relay.contains(&id) { "nog bij de relay" } else { "niet meer bij de relay" };
                    self.problem(format!(
                        "signaal {id} (school {}, {expect:?}): geen bevestiging en niet verlopen gemeld; {where_}; {trail}",
                        self.signals[&id].school
                    ));
                }
                (Expect::Deliver, Some(Outcome::Expired { .. })) => {
                    self.figures.gone_before_expiry += 1;
                    self.problem(format!("signaal {id} verliep terwijl een apparaat van de school draaide"));
                }
                (Expect::Expire, Some(_)) if reached_a_device => {
                    self.figures.expired_yet_shown += 1;
                    self.problem(format!("signaal {id} verliep voordat de school opstartte en werd toch getoond"));
                }
                (Expect::Expire, Some(Outcome::Acknowledged)) => {
                    self.figures.expired_yet_shown += 1;
                    self.problem(format!("signaal {id} verliep voordat de school opstartte en werd toch bevestigd"));
                }
                _ => {}
            }
        }
        (self.figures, self.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> SignalId {
        SignalId::from_bytes([n; 16])
    }

    /// Two schools, devices 0 and 1 at school 0, device 2 at school 1.
    fn ledger() -> Ledger {
        Ledger::new(vec![0, 0, 1])
    }

    fn handled_normally(l: &mut Ledger, n: u8) {
        l.sent(id(n), 0, Expect::Deliver, Sent::Accepted, 100);
        l.device(0, 1, DeviceEvent::New(id(n)));
        l.device(1, 1, DeviceEvent::New(id(n)));
        l.device(0, 1, DeviceEvent::Opened(id(n)));
        l.device(0, 1, DeviceEvent::Acked(id(n)));
        l.device(1, 1, DeviceEvent::Colleague(id(n)));
        l.outcome(id(n), Outcome::Acknowledged);
    }

    #[test]
    fn a_clean_run_breaks_no_promise() {
        let mut l = ledger();
        handled_normally(&mut l, 1);
        l.sent(id(2), 1, Expect::Expire, Sent::Accepted, 50);
        l.outcome(id(2), Outcome::Expired { expired_at: 50 });
        l.sent(id(3), 0, Expect::Deliver, Sent::Uncertain, 100);
        let (figures, problems) = l.finish(&BTreeSet::new());
        assert_eq!(figures.broken(), 0, "{problems:?}");
        assert_eq!((figures.acknowledged, figures.reported_expired, figures.uncertain_never_arrived), (1, 1, 1));
        assert_eq!(figures.shown, 1);
    }

    #[test]
    fn showing_again_is_allowed_only_after_a_crash_before_the_acknowledgement() {
        let mut l = ledger();
        l.sent(id(1), 0, Expect::Deliver, Sent::Accepted, 100);
        l.device(0, 1, DeviceEvent::New(id(1)));
        l.device(0, 1, DeviceEvent::Opened(id(1)));
        // killed here; the next process shows it again and acknowledges it
        l.device(0, 2, DeviceEvent::Opened(id(1)));
        l.device(0, 2, DeviceEvent::Acked(id(1)));
        l.outcome(id(1), Outcome::Acknowledged);
        let (figures, _) = l.finish(&BTreeSet::new());
        assert_eq!((figures.broken(), figures.shown_again_after_crash), (0, 1));

        let mut l = ledger();
        handled_normally(&mut l, 1);
        l.device(0, 1, DeviceEvent::Opened(id(1)));
        l.device(0, 2, DeviceEvent::Opened(id(1)));
        l.device(1, 3, DeviceEvent::Opened(id(1)));
        let (figures, problems) = l.finish(&BTreeSet::new());
        assert_eq!(figures.shown_after_handled, 3, "{problems:?}");

        let mut l = ledger();
        l.sent(id(1), 0, Expect::Deliver, Sent::Accepted, 100);
        l.device(0, 1, DeviceEvent::Opened(id(1)));
        l.device(0, 1, DeviceEvent::Opened(id(1)));
        l.outcome(id(1), Outcome::Acknowledged);
        assert_eq!(l.finish(&BTreeSet::new()).0.shown_twice, 1);
    }

    #[test]
    fn arriving_twice_coming_back_and_the_wrong_school_are_caught() {
        let mut l = ledger();
        handled_normally(&mut l, 1);
        l.device(0, 2, DeviceEvent::New(id(1)));
        l.device(2, 1, DeviceEvent::New(id(1)));
        l.device(2, 1, DeviceEvent::New(id(9)));
        let (figures, problems) = l.finish(&BTreeSet::new());
        assert_eq!(figures.arrived_twice, 1, "{problems:?}");
        assert_eq!(figures.shown_after_handled, 1);
        assert_eq!(figures.shown_on_wrong_device, 2);
    }

    #[test]
    fn a_missing_or_repeated_outcome_is_a_loss_or_a_duplicate() {
        let mut l = ledger();
        l.sent(id(1), 0, Expect::Deliver, Sent::Accepted, 100);
        l.sent(id(2), 0, Expect::Deliver, Sent::Accepted, 100);
        l.outcome(id(2), Outcome::Acknowledged);
        l.outcome(id(2), Outcome::Acknowledged);
        assert_eq!(l.awaiting(), 1);
        let (figures, _) = l.finish(&BTreeSet::new());
        assert_eq!((figures.lost, figures.receipts_duplicated), (1, 1));
    }

    #[test]
    fn expiring_early_or_after_being_shown_breaks_a_promise() {
        let mut l = ledger();
        l.sent(id(1), 0, Expect::Deliver, Sent::Accepted, 100);
        l.outcome(id(1), Outcome::Expired { expired_at: 100 });
        l.sent(id(2), 1, Expect::Either, Sent::Accepted, 100);
        l.outcome(id(2), Outcome::Expired { expired_at: 99 });
        l.sent(id(3), 1, Expect::Expire, Sent::Accepted, 100);
        l.device(2, 1, DeviceEvent::New(id(3)));
        l.outcome(id(3), Outcome::Expired { expired_at: 100 });
        let (figures, problems) = l.finish(&BTreeSet::new());
        assert_eq!((figures.gone_before_expiry, figures.expired_yet_shown), (2, 1), "{problems:?}");
    }

    #[test]
    fn an_uncertain_send_that_reached_the_relay_must_be_settled() {
        let mut l = ledger();
        l.sent(id(1), 0, Expect::Deliver, Sent::Uncertain, 100);
        l.sent(id(2), 0, Expect::Deliver, Sent::Uncertain, 100);
        l.sent(id(3), 0, Expect::Deliver, Sent::Uncertain, 100);
        l.outcome(id(3), Outcome::Acknowledged);
        assert_eq!(l.uncertain_without_outcome(), vec![id(1), id(2)]);
        let (figures, _) = l.finish(&BTreeSet::from([id(2)]));
        assert_eq!((figures.uncertain_never_arrived, figures.lost, figures.uncertain_arrived), (1, 1, 1));
    }
}
