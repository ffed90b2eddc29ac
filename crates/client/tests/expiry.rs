//! Expiry without sleeping: the client runs on a [`ManualClock`] that the test moves forward
//! (staying within the relay's five-minute window for signed requests).

mod common;

use chrono::{Duration, Utc};
use common::{enrolled, Office, PIN};
use hwc_client::{ClientError, ManualClock, ReceiptKind, Refusal, SchoolClient};
use hwc_protocol::{EnvelopeError, Role};
use std::sync::Arc;

/// An enrolled director whose client runs on a clock the test moves.
fn director_on_manual_clock(office: &Office) -> (tempfile::TempDir, Arc<ManualClock>, SchoolClient) {
    let dir = tempfile::tempdir().unwrap();
    drop(enrolled(office, dir.path(), Role::Director));
    let clock = Arc::new(ManualClock::starting_now());
    let client = SchoolClient::open_with_clock(dir.path(), clock.clone()).unwrap();
    (dir, clock, client)
}

#[test]
fn expired_signals_are_dropped_and_reported() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let (_dir, clock, mut client) = director_on_manual_clock(&office);

    let now = Utc::now();
    let short_a = office.post(&office.seal(now, now + Duration::seconds(120)));
    let short_b = office.post(&office.seal(now, now + Duration::seconds(120)));
    let long = office.send();
    let report = client.fetch(5).unwrap();
    assert_eq!(report.new_signals.len(), 3, "{report:?}");
    assert_eq!(client.pending().unwrap().len(), 3);

    clock.advance(Duration::seconds(200));
    client.unlock(PIN).unwrap();
    assert_eq!(client.pending().unwrap().iter().map(|p| p.signal_id).collect::<Vec<_>>(), vec![long]);
    assert!(matches!(client.open_signal(&short_a), Err(ClientError::Expired)));
    assert!(matches!(client.acknowledge(&short_b, ReceiptKind::HandedOver), Err(ClientError::Expired)));
    // Both are noted as expired unhandled (ids and times only) until the person has seen that,
    // which needs the PIN.
    let mut noted: Vec<_> = client.expired_unhandled().unwrap().iter().map(|e| e.signal_id).collect();
    noted.sort();
    let mut wanted = vec![short_a, short_b];
    wanted.sort();
    assert_eq!(noted, wanted);
    client.lock();
    assert!(matches!(client.confirm_expired_seen(&noted), Err(ClientError::Locked)));
    client.unlock(PIN).unwrap();
    assert_eq!(client.confirm_expired_seen(&noted).unwrap(), 2);
    assert_eq!(client.status().unwrap().sealed_signals, 1, "expired envelopes are deleted");

    let short_c = office.post(&office.seal(now, now + Duration::seconds(150)));
    let report = client.fetch(5).unwrap();
    assert_eq!(report.refused.len(), 1, "expired on arrival: {report:?}");
    assert!(report.new_signals.is_empty());
    assert!(!report.new_signals.contains(&short_c));
    assert!(client.open_signal(&long).is_ok());

    // The sweep removes what expires while it waits on the device.
    clock.advance(Duration::hours(31));
    assert_eq!(client.sweep_expired().unwrap(), vec![long]);
    assert_eq!(client.status().unwrap().sealed_signals, 0);

    // Each signal that expired here unhandled is noted (ids and times only); the one refused on
    // arrival never was here. Seen before the long one expired: only it is left.
    assert_eq!(client.expired_unhandled().unwrap().iter().map(|e| e.signal_id).collect::<Vec<_>>(), vec![long]);
}

#[test]
fn handled_ids_are_kept_until_the_signal_expires() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let (_dir, clock, mut client) = director_on_manual_clock(&office);

    let now = Utc::now();
    let short = office.post(&office.seal(now, now + Duration::seconds(120)));
    let long = office.send();
    assert_eq!(client.fetch(5).unwrap().new_signals.len(), 2);
    client.unlock(PIN).unwrap();
    client.acknowledge(&short, ReceiptKind::HandedOver).unwrap();
    client.acknowledge(&long, ReceiptKind::NotOurPupil).unwrap();
    assert_eq!(client.status().unwrap().handled_signals, 2);

    // Once the short signal has expired its id is forgotten; the sweep reports only envelopes.
    // (The test's clock started a moment before `now`: a few seconds past the expiry.)
    clock.advance(Duration::seconds(125));
    assert!(client.sweep_expired().unwrap().is_empty());
    assert_eq!(client.status().unwrap().handled_signals, 1);
    let report = client.fetch(0).unwrap();
    assert!(report.expired.is_empty() && report.new_signals.is_empty(), "{report:?}");
    assert_eq!(client.status().unwrap().handled_signals, 1);

    clock.advance(Duration::hours(30));
    client.sweep_expired().unwrap();
    let status = client.status().unwrap();
    assert_eq!((status.sealed_signals, status.receipts_waiting, status.handled_signals), (0, 0, 0));
}

/// An office whose clock runs three minutes fast and a school whose clock runs three minutes
/// slow: the relay accepts the envelope (within its five minutes), the device cannot yet (more
/// than five minutes in its future). The signal must wait at the relay, not be skipped.
#[test]
fn a_signal_from_a_clock_ahead_waits_until_this_clock_allows_it() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let (_dir, clock, mut client) = director_on_manual_clock(&office);
    clock.advance(Duration::seconds(-180));

    let now = Utc::now();
    let id = office.post(&office.seal(now + Duration::seconds(180), now + Duration::hours(30)));
    for _ in 0..2 {
        let report = client.fetch(0).unwrap();
        assert!(report.new_signals.is_empty() && report.clock_behind, "{report:?}");
        assert_eq!(report.refused, vec![Refusal::Invalid(EnvelopeError::FromTheFuture)]);
    }
    assert_eq!(client.status().unwrap().sealed_signals, 0);

    // The clock is set right: the same signal arrives, once.
    clock.advance(Duration::seconds(180));
    let report = client.fetch(0).unwrap();
    assert_eq!(report.new_signals, vec![id], "{report:?}");
    assert!(!report.clock_behind && report.refused.is_empty());
    assert!(client.fetch(0).unwrap().new_signals.is_empty());
}
