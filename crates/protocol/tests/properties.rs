//! Property tests of the two promises the envelope makes: any name that validation accepts
//! comes out of seal and open exactly as it went in, and any single changed byte of a sealed
//! envelope is refused.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use hwc_protocol::{
    Birthdate, Brin, ChildName, DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, Envelope, OfficeSigningKey, Signal,
    SignalId,
};
use proptest::prelude::*;
use std::sync::OnceLock;

struct Keys {
    office: OfficeSigningKey,
    devices: Vec<(DevicePublicKeys, DeviceOpenKey)>,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let devices = (0..2)
            .map(|_| {
                let open = DeviceOpenKey::generate().unwrap();
                (DevicePublicKeys::of(&DeviceSigningKey::generate().unwrap(), &open), open)
            })
            .collect();
        Keys { office: OfficeSigningKey::generate().unwrap(), devices }
    })
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// Seals `signal` for both devices, as the office does.
fn seal(signal: &Signal) -> Vec<u8> {
    let k = keys();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let public: Vec<DevicePublicKeys> = k.devices.iter().map(|(p, _)| *p).collect();
    let school: Brin = "12AB".parse().unwrap();
    Envelope::seal(&k.office, SignalId::random().unwrap(), school, now, now + Duration::hours(20), &public, signal)
        .unwrap()
        .bytes
}

fn open(bytes: &[u8], device: usize) -> Result<Signal, String> {
    let k = keys();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 1, 0).unwrap();
    let verified = Envelope::verify(bytes, &k.office.public(), now).map_err(|e| e.to_string())?;
    let (public, open) = &k.devices[device];
    verified.open(&public.device_id(), open).map_err(|e| e.to_string())
}

/// Names built from the alphabet the rule accepts: letters of several scripts (with and
/// without diacritics, precomposed and combining), spaces, hyphens, apostrophes and dots.
fn plausible_name() -> impl Strategy<Value = String> {
    let letter = prop_oneof![
        proptest::char::range('a', 'z'),
        proptest::char::range('A', 'Z'),
        proptest::char::range('À', 'ÿ'),
        proptest::char::range('Ā', 'ž'),
        proptest::char::range('Α', 'ω'),
        proptest::char::range('А', 'я'),
        proptest::char::range('ا', 'ي'),
        Just('ß'),
        Just('ĳ'),
    ];
    let word = proptest::collection::vec(letter, 1..12).prop_map(|c| c.into_iter().collect::<String>());
    let separator =
        prop_oneof![Just(" "), Just("-"), Just("'"), Just("’"), Just(". "), Just(" van "), Just("\u{301} ")];
    (word.clone(), proptest::collection::vec((separator, word), 0..5)).prop_map(|(first, rest)| {
        rest.into_iter().fold(first, |mut name, (sep, word)| {
            name.push_str(sep);
            name.push_str(&word);
            name
        })
    })
}

fn round_trips(raw: &str) -> Result<(), TestCaseError> {
    let Ok(name) = ChildName::parse(raw) else { return Ok(()) };
    let expected = name.expose().to_string();
    let birthdate = Birthdate::parse("2016-03-07", today()).unwrap();
    let bytes = seal(&Signal::new(name, birthdate).unwrap());
    for device in 0..2 {
        let opened = open(&bytes, device).map_err(TestCaseError::fail)?;
        prop_assert_eq!(opened.name().expose(), expected.as_str());
        prop_assert_eq!(opened.birthdate().to_iso(), "2016-03-07");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_accepted_name_survives_seal_and_open_unchanged(raw in plausible_name()) {
        round_trips(&raw)?;
    }

    #[test]
    fn any_accepted_arbitrary_text_survives_seal_and_open_unchanged(raw in "\\PC{1,60}") {
        round_trips(&raw)?;
    }

    #[test]
    fn any_single_changed_byte_is_refused(position in any::<proptest::sample::Index>(), flip in 1u8..=255) {
        let name = ChildName::parse("Zoë van 't Hooft-Çelik").unwrap();
        let bytes = seal(&Signal::new(name, Birthdate::parse("2016-03-07", today()).unwrap()).unwrap());
        prop_assert!(open(&bytes, 0).is_ok());
        let mut changed = bytes.clone();
        let at = position.index(changed.len());
        changed[at] ^= flip;
        prop_assert!(open(&changed, 0).is_err(), "byte {} of {} changed and still accepted", at, bytes.len());
    }
}

#[test]
fn the_name_strategy_mostly_makes_names_the_rule_accepts() {
    // Guards the first property against a strategy that makes only refused names.
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let accepted = (0..200)
        .filter(|_| ChildName::parse(&plausible_name().new_tree(&mut runner).unwrap().current()).is_ok())
        .count();
    assert!(accepted > 150, "only {accepted} of 200 generated names were accepted");
}
