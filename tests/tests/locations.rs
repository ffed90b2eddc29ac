//! A school with two locations (*vestigingen*) through a real relay process: a signal for one
//! location reaches only the devices that serve it, a device may serve both, and a signal for
//! the whole school is refused until the officer names the child's location.

use chrono::Utc;
use hwc_protocol::{Destination, SchoolLocation, Signal};
use hwc_send::SendError;
use hwc_system_tests::World;

fn signal() -> Signal {
    Signal::from_input("Sem de Vries", "07-03-2016", Utc::now().date_naive()).unwrap()
}

#[test]
fn a_signal_for_one_location_reaches_only_the_devices_that_serve_it() {
    let mut w = World::new().unwrap();
    let (linde, eik): (SchoolLocation, SchoolLocation) = ("12AB01".parse().unwrap(), "12AB02".parse().unwrap());
    w.office.set_location(linde, Some("De Linde")).unwrap();
    w.office.set_location(eik, Some("De Eik")).unwrap();
    let (director, backup) = (w.director.device_id(), w.backup.device_id());
    w.office.set_device_locations(World::school(), director, &[linde.number]).unwrap();
    w.office.set_device_locations(World::school(), backup, &[eik.number]).unwrap();

    // The whole school is refused: nothing sent, nothing at the relay for either device.
    let whole = w.office.send_signal_to(Destination::School(World::school()), &signal(), None, Utc::now());
    assert!(matches!(whole, Err(SendError::LocationNeeded { .. })), "{whole:?}");

    // For De Linde: the director's device only; the relay has no copy for the backup's.
    let for_linde = w.office.send_signal_to(Destination::Location(linde), &signal(), None, Utc::now()).unwrap();
    assert_eq!(w.director.fetch(5).unwrap().new_signals, vec![for_linde.signal_id]);
    assert!(w.backup.fetch(0).unwrap().new_signals.is_empty(), "the other location's device got the signal");

    // A director who holds one device for both locations gets De Eik's signals too.
    w.office.set_device_locations(World::school(), director, &[linde.number, eik.number]).unwrap();
    let for_eik = w.office.send_signal_to(Destination::Location(eik), &signal(), None, Utc::now()).unwrap();
    assert_eq!(w.director.fetch(5).unwrap().new_signals, vec![for_eik.signal_id]);
    assert_eq!(w.backup.fetch(5).unwrap().new_signals, vec![for_eik.signal_id]);

    // Each device holds only what was sealed to it.
    let director_has: Vec<_> = w.director.pending().unwrap().into_iter().map(|p| p.signal_id).collect();
    let backup_has: Vec<_> = w.backup.pending().unwrap().into_iter().map(|p| p.signal_id).collect();
    assert_eq!(director_has.len(), 2, "{director_has:?}");
    assert_eq!(backup_has, vec![for_eik.signal_id]);
}
