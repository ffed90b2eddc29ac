//! The relay is killed with SIGKILL and restarted in the middle of the flow: nothing that it
//! acknowledged is lost, a receipt made while it was down waits on the device and reaches the
//! office exactly once, and a long-poll that was waiting comes back with a clear offline error.

use chrono::Utc;
use hwc_client::Delivery;
use hwc_protocol::{ReceiptKind, Signal};
use hwc_send::ReceiptReport;
use hwc_system_tests::World;

fn signal(name: &str) -> Signal {
    Signal::from_input(name, "2015-09-30", Utc::now().date_naive()).unwrap()
}

#[test]
fn nothing_is_lost_when_the_relay_is_killed_and_restarted() {
    let mut w = World::new().unwrap();
    let first = w.office.send_signal(World::school(), &signal("Noah Bakker")).unwrap();

    // Killed right after accepting: the envelope was durable before the office got its answer.
    w.relay.kill();
    let err = w.office.send_signal(World::school(), &signal("Fatima-Zahra El Idrissi")).expect_err("relay is down");
    assert!(err.to_string().contains("niet bereikbaar"), "{err}");
    assert!(!err.to_string().contains("Fatima"), "{err}");
    let offline = w.director.fetch(0).expect_err("relay is down");
    assert!(offline.is_offline(), "{offline}");
    w.relay.restart().unwrap();

    let second = w.office.send_signal(World::school(), &signal("Fatima-Zahra El Idrissi")).unwrap();
    let mut got = w.director.fetch(5).unwrap().new_signals;
    got.sort();
    let mut expected = vec![first, second];
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(w.backup.fetch(5).unwrap().new_signals.len(), 2);

    // The director acknowledges while the relay is down: the receipt waits in the outbox.
    // Unlocked first (a receipt proves the signal was opened, which needs the PIN, and every PIN
    // check goes through the relay's PIN guard); then the relay goes down.
    w.director.unlock(hwc_system_tests::world::PIN).unwrap();
    w.relay.kill();
    let ack = w.director.acknowledge(&first, ReceiptKind::HandedOver).unwrap();
    assert!(matches!(ack.delivery, Delivery::Waiting { .. }), "{:?}", ack.delivery);
    assert!(w.director.pending().unwrap().iter().all(|p| p.signal_id != first), "envelope kept after acknowledging");
    assert_eq!(w.director.status().unwrap().receipts_waiting, 1);
    w.relay.restart().unwrap();

    // The next fetch delivers it; the office sees it exactly once, the backup sees the colleague.
    let report = w.director.fetch(0).unwrap();
    assert_eq!(report.receipts.delivered, 1, "{report:?}");
    assert_eq!(w.director.status().unwrap().receipts_waiting, 0);
    w.relay.kill();
    w.relay.restart().unwrap();
    let receipts = w.office.fetch_receipts().unwrap();
    let acknowledged: Vec<_> = receipts
        .iter()
        .filter(|r| matches!(r, ReceiptReport::Acknowledged { signal_id, .. } if *signal_id == first))
        .collect();
    assert_eq!(acknowledged.len(), 1, "{receipts:?}");
    assert!(w.office.fetch_receipts().unwrap().is_empty());
    let backup = w.backup.fetch(5).unwrap();
    assert!(backup.handled_by_colleague.iter().any(|h| h.signal_id == first), "{backup:?}");
    let waiting: Vec<_> = w.backup.pending().unwrap().into_iter().map(|p| p.signal_id).collect();
    assert_eq!(waiting, vec![second], "the backup keeps only the unhandled one");
}
