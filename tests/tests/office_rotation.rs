//! Office key rotation end to end, with the real parts: `hwc-send`'s office, a real relay
//! process, and school devices (`hwc-client`) with their vaults in the test keyring.
//!
//! Before the relay knows the new key the hand-over is refused and nothing changes. Once the
//! hosting party has added it (relay restarted with both keys), the office rotates: the
//! signal that was waiting still reaches the device that trusts the old key, and its receipt
//! reaches the office under the new key. A new signal needs a device enrolled under the new
//! key: the school enrolls again, leerplicht verifies it and removes the old device, and the
//! next signal is opened on the new device.

use hwc_client::{Delivery, SchoolClient};
use hwc_protocol::{ReceiptKind, Role, Signal};
use hwc_send::{ReceiptReport, SendError};
use hwc_system_tests::world::{self, World, PIN};

fn signal(name: &str) -> Signal {
    Signal::from_input(name, "2017-02-11", chrono::Utc::now().date_naive()).unwrap()
}

#[test]
fn the_office_rotates_its_key_and_the_school_enrolls_again_without_losing_a_signal() {
    let root = tempfile::tempdir().unwrap();
    let (mut office, mut relay) = world::office_and_relay(root.path(), &[]).unwrap();
    let school = World::school();
    let mut old_device =
        world::enroll_and_verify(&mut office, &relay.url(), school, Role::Director, &root.path().join("old")).unwrap();
    let waiting = office.send_signal(school, &signal("Lotte Verbeek")).unwrap();
    let old_key = office.public_key();

    // Step 1: the new key, and a hand-over the relay refuses because it does not know the key.
    let new_key = office.successor_key().unwrap();
    assert_eq!(office.successor_key().unwrap(), new_key, "the same new key until the hand-over");
    let refused = office.rotate_key().unwrap_err();
    assert!(matches!(refused, SendError::HandOverRefused(_)), "{refused}");
    assert!(refused.to_string().contains(&new_key.to_string()), "says which key to add: {refused}");
    assert_eq!(office.public_key(), old_key, "nothing changed");

    // Step 2: the hosting party adds the new key; the office hands over.
    relay.restart_with_office_keys(&[old_key, new_key]).unwrap();
    let to_enroll = office.rotate_key().unwrap();
    assert_eq!(office.public_key(), new_key);
    assert_eq!(to_enroll.iter().map(|d| d.device_id).collect::<Vec<_>>(), vec![old_device.device_id()]);

    // The waiting signal is still delivered to the old device and acknowledged; the receipt is
    // the new key's now, checked with the device key verified under the old one.
    assert_eq!(old_device.fetch(5).unwrap().new_signals, vec![waiting]);
    old_device.unlock(PIN).unwrap();
    assert_eq!(old_device.open_signal(&waiting).unwrap().name().expose(), "Lotte Verbeek");
    let ack = old_device.acknowledge(&waiting, ReceiptKind::HandedOver).unwrap();
    assert!(matches!(ack.delivery, Delivery::Delivered { first: true }), "{:?}", ack.delivery);
    let reports = office.fetch_receipts().unwrap();
    assert!(
        matches!(reports.as_slice(), [ReceiptReport::Acknowledged { signal_id, .. }] if *signal_id == waiting),
        "{reports:?}"
    );

    // A new signal cannot go to a device that trusts only the old key.
    let blocked = office.send_signal(school, &signal("Daan Kok")).unwrap_err();
    assert!(matches!(blocked, SendError::OnlyPreviousKeyDevices { .. }), "{blocked}");
    assert!(blocked.to_string().contains("opnieuw aanmelden"), "{blocked}");

    // The school enrolls again; leerplicht verifies the new device and removes the old one.
    let mut new_device =
        world::enroll_and_verify(&mut office, &relay.url(), school, Role::Director, &root.path().join("new")).unwrap();
    assert_eq!(new_device.office_key(), new_key);
    office.remove_device(school, old_device.device_id()).unwrap();
    let next = office.send_signal(school, &signal("Daan Kok")).unwrap();
    assert_eq!(new_device.fetch(5).unwrap().new_signals, vec![next]);
    new_device.unlock(PIN).unwrap();
    assert_eq!(new_device.open_signal(&next).unwrap().name().expose(), "Daan Kok");
    let removed = old_device.fetch(0).unwrap_err().to_string();
    assert!(removed.contains("uit gebruik genomen"), "the old device gets nothing more: {removed}");
    SchoolClient::wipe(old_device).unwrap();
}
