//! Signal validation: the decrypted plaintext a device receives, and the name and birthdate a
//! person types at the office. Whatever is accepted survives a round trip unchanged, and a
//! name that was accepted is accepted again as it was normalised.
#![no_main]

use hwc_fuzz::vectors;
use hwc_protocol::{Birthdate, ChildName, Signal};
use libfuzzer_sys::fuzz_target;

fn round_trip(signal: &Signal, today: chrono::NaiveDate) {
    let again = Signal::from_plaintext(&signal.to_plaintext(), today).expect("a valid signal's plaintext is valid");
    assert_eq!(again.name().expose(), signal.name().expose());
    assert_eq!(again.birthdate().to_iso(), signal.birthdate().to_iso());
}

fuzz_target!(|data: &[u8]| {
    let today = vectors().today();
    if let Ok(signal) = Signal::from_plaintext(data, today) {
        round_trip(&signal, today);
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(name) = ChildName::parse(text) {
        let again = ChildName::parse(name.expose()).expect("an accepted name is accepted again");
        assert_eq!(again.expose(), name.expose());
    }
    if let Ok(date) = Birthdate::parse(text, today) {
        assert_eq!(Birthdate::parse(&date.to_iso(), today).map(|d| d.date()), Ok(date.date()));
    }
    if let Some((name, birthdate)) = text.split_once('\n') {
        if let Ok(signal) = Signal::from_input(name, birthdate, today) {
            round_trip(&signal, today);
        }
    }
});
