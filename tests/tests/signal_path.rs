//! The whole signal path through a real relay process: the office sends, both school devices
//! receive, the director opens and acknowledges, the backup's copy disappears everywhere, and
//! the office gets exactly one receipt.

use chrono::Utc;
use hwc_client::{Delivery, SchoolClient};
use hwc_protocol::{ReceiptKind, Role, Signal};
use hwc_send::ReceiptReport;
use hwc_system_tests::world::PIN;
use hwc_system_tests::World;

const NAME: &str = "Zoë van 't Hooft-Çelik";
const BIRTHDATE: &str = "07-03-2016";

fn signal() -> Signal {
    Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive()).unwrap()
}

#[test]
fn director_hands_over_backup_sees_colleague_office_gets_one_receipt() {
    let mut w = World::new().unwrap();
    let id = w.office.send_signal(World::school(), &signal()).unwrap();

    let seen_by_director = w.director.fetch(5).unwrap();
    assert_eq!(seen_by_director.new_signals, vec![id]);
    let seen_by_backup = w.backup.fetch(5).unwrap();
    assert_eq!(seen_by_backup.new_signals, vec![id]);

    w.director.unlock(PIN).unwrap();
    let opened = w.director.open_signal(&id).unwrap();
    assert_eq!(opened.name().expose(), NAME);
    assert_eq!(opened.birthdate().to_iso(), "2016-03-07");
    assert_eq!(opened.codeword(), "Handle with Care");
    drop(opened);

    let ack = w.director.acknowledge(&id, ReceiptKind::HandedOver).unwrap();
    assert!(matches!(ack.delivery, Delivery::Delivered { first: true }), "{:?}", ack.delivery);
    assert!(w.director.pending().unwrap().is_empty());

    let reports = w.office.fetch_receipts().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    match &reports[0] {
        ReceiptReport::Acknowledged { signal_id, role, kind, .. } => {
            assert_eq!((*signal_id, *role, *kind), (id, Role::Director, ReceiptKind::HandedOver));
        }
        other => panic!("expected a receipt, got {other:?}"),
    }
    assert!(reports[0].to_string().contains("doorgegeven aan de leerkracht"), "{}", reports[0]);

    let backup_later = w.backup.fetch(0).unwrap();
    assert_eq!(backup_later.handled_by_colleague.len(), 1);
    assert_eq!(backup_later.handled_by_colleague[0].signal_id, id);
    assert!(w.backup.pending().unwrap().is_empty(), "backup still holds the envelope");
    assert!(w.office.fetch_receipts().unwrap().is_empty(), "a receipt was reported twice");

    let stats = w.office.stats().unwrap();
    assert_eq!(stats.relay.acknowledged.within_1h, 1);
    assert_eq!(stats.outstanding, 0);
}

#[test]
fn backup_that_never_fetched_gets_nothing_after_the_directors_receipt() {
    let mut w = World::new().unwrap();
    let id = w.office.send_signal(World::school(), &signal()).unwrap();
    w.director.fetch(5).unwrap();
    w.director.unlock(PIN).unwrap();
    w.director.acknowledge(&id, ReceiptKind::NotOurPupil).unwrap();

    let late = w.backup.fetch(0).unwrap();
    assert!(late.new_signals.is_empty(), "the relay still delivered the backup's copy");
    assert!(w.backup.pending().unwrap().is_empty());

    let reports = w.office.fetch_receipts().unwrap();
    assert!(matches!(reports.as_slice(), [ReceiptReport::Acknowledged { kind: ReceiptKind::NotOurPupil, .. }]));
    assert_eq!(w.office.stats().unwrap().relay.not_our_pupil, 1);
}

#[test]
fn same_signal_sent_twice_is_shown_once() {
    let mut w = World::new().unwrap();
    let id = w.office.send_signal(World::school(), &signal()).unwrap();
    let first = w.director.fetch(5).unwrap();
    let again = w.director.fetch(0).unwrap();
    assert_eq!(first.new_signals, vec![id]);
    assert!(again.new_signals.is_empty());
    assert_eq!(w.director.pending().unwrap().len(), 1);
    // Reopening the vault from disk finds the same single sealed signal.
    let dir = w.device_dir(Role::Director);
    drop(std::mem::replace(&mut w.director, SchoolClient::open(&dir).unwrap()));
    assert_eq!(w.director.pending().unwrap().len(), 1);
}
