//! The office library against a real relay, with the database key in the real Secret Service
//! keyring. Run with: /work/main/xtask/with-test-keyring.sh cargo test -p hwc-send

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::{assert_absent_in_text, assert_absent_under, CuttingProxy, TestDevice};
use hwc_protocol::expiry::amsterdam_date;
use hwc_protocol::{Envelope, OfficeSigningKey};
use hwc_relay::testing::TestRelay;
use hwc_send::db_key::DbKey;
use hwc_send::{
    Brin, KeySource, Office, ReceiptKind, ReceiptReport, Region, Role, SafetyCode, SendError, Signal, SummerRule,
};
use std::path::{Path, PathBuf};

const NAME: &str = "Fenna Jolien de Wit-Oktay";
const BIRTH_NL: &str = "19-05-2014";
const BIRTH_ISO: &str = "2014-05-19";
const SECRETS: [&str; 4] = [NAME, "Jolien", BIRTH_NL, BIRTH_ISO];

/// Refuses to run outside a throwaway credential store, so no test touches a real user's: on
/// Linux the private test keyring, elsewhere the wine prefix of `cargo xtask windows` (under
/// `target/`) or a CI runner (`CI=true`), which is thrown away after the run.
fn require_test_keyring() {
    #[cfg(target_os = "linux")]
    {
        let private = std::env::var("XDG_DATA_HOME").map(|v| v.contains("hwc-keyring")).unwrap_or(false);
        assert!(
            private && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
            "keyring tests need the private test keyring: /work/main/xtask/with-test-keyring.sh cargo test -p hwc-send"
        );
    }
    #[cfg(not(target_os = "linux"))]
    {
        let wine = std::env::var("WINEPREFIX").is_ok_and(|prefix| prefix.contains("target"));
        let runner = std::env::var("CI").is_ok_and(|ci| ci == "true");
        assert!(
            wine || runner,
            "credential store tests run in the wine prefix of `cargo xtask windows` or on a CI runner, never in a person's own"
        );
    }
}

/// Removes the test's keyring entry when the test ends, however it ends.
struct ForgetKey(PathBuf);

impl Drop for ForgetKey {
    fn drop(&mut self) {
        let _ = DbKey::forget(&KeySource::Keyring, &self.0);
    }
}

fn new_office(dir: &Path) -> (Office, TestRelay, ForgetKey) {
    new_office_at(dir, &[])
}

/// An office and its relay behind the proxies at `fronts`: it answers only requests signed for
/// them (the office still points at the relay itself; switch it to a proxy).
fn new_office_behind(dir: &Path, fronts: &[&str]) -> (Office, TestRelay, ForgetKey) {
    new_office_at(dir, fronts)
}

fn new_office_at(dir: &Path, fronts: &[&str]) -> (Office, TestRelay, ForgetKey) {
    let mut office = Office::init(dir, KeySource::Keyring, "http://127.0.0.1:9").unwrap();
    let guard = ForgetKey(office.state_dir().to_path_buf());
    let relay = match fronts {
        [] => TestRelay::start(vec![office.public_key()]),
        fronts => TestRelay::start_behind(vec![office.public_key()], fronts),
    };
    office.use_relay(&relay.url()).unwrap();
    (office, relay, guard)
}

fn verified_device(office: &mut Office, relay_url: &str, brin: Brin, role: Role) -> TestDevice {
    let code = office.add_school_slot(brin, role).unwrap();
    // No regional holidays, so the flows below do not depend on today's date.
    office.set_region(brin, Some(Region::Eigen)).unwrap();
    let device = TestDevice::new();
    device.enroll(relay_url, &code.display());
    let pending = office.pending_devices(brin).unwrap();
    let info = pending.iter().find(|d| d.device_id == device.id).unwrap();
    let code = office.safety_code_for(info);
    office.verify_device(brin, device.id, &code.to_string()).unwrap();
    device
}

#[test]
fn signal_round_trip_leaves_no_personal_data_on_disk() {
    require_test_keyring();
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let (mut office, relay, _guard) = new_office(&state);
    let url = relay.url();
    let brin: Brin = "12AB".parse().unwrap();

    let again = Office::init(&state, KeySource::Keyring, &url).unwrap_err();
    assert!(matches!(again, SendError::AlreadyInitialised { .. }), "{again}");

    let today = amsterdam_date(Utc::now());
    let signal = Signal::from_input(NAME, BIRTH_NL, today).unwrap();
    let err = office.send_signal(brin, &signal).unwrap_err();
    assert!(err.to_string().contains("deze school heeft nog geen geverifieerd apparaat"), "{err}");

    // The school enrolls a device with the code leerplicht gave it.
    let code = office.add_school_slot(brin, Role::Director).unwrap();
    office.set_region(brin, Some(Region::Eigen)).unwrap();
    let device = TestDevice::new();
    let enrolled = device.enroll(&url, &code.display());
    assert_eq!(enrolled.office_key, office.public_key());
    let pending = office.pending_devices(brin).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].device_id, device.id);
    let right = office.safety_code_for(&pending[0]);
    assert_eq!(right, SafetyCode::compute(&office.public_key(), &device.keys));

    // A code that belongs to other keys (a swapped key) is refused and nothing is stored.
    let swapped = SafetyCode::compute(&OfficeSigningKey::generate().unwrap().public(), &device.keys);
    let err = office.verify_device(brin, device.id, &swapped.to_string()).unwrap_err();
    assert!(matches!(err, SendError::SafetyCodeMismatch));
    let text = err.to_string();
    assert!(text.contains("Verifieer dit apparaat niet") && text.contains("Bel de school terug"), "{text}");
    assert_eq!(office.pending_devices(brin).unwrap().len(), 1);
    assert!(matches!(office.send_signal(brin, &signal), Err(SendError::NoVerifiedDevice { .. })));
    let malformed = office.verify_device(brin, device.id, "12 34").unwrap_err();
    assert!(malformed.is_bad_input(), "{malformed}");

    // The right code, typed with dashes, verifies the device.
    office.verify_device(brin, device.id, &right.to_string().replace(' ', "-")).unwrap();
    assert!(office.pending_devices(brin).unwrap().is_empty());
    let schools = office.schools().unwrap();
    assert_eq!(schools.len(), 1);
    assert_eq!(schools[0].devices.len(), 1);
    assert_eq!(schools[0].devices[0].role, Role::Director);

    // Send, and the device can open it.
    let signal_id = office.send_signal(brin, &signal).unwrap();
    drop(signal);
    assert_eq!(office.schools().unwrap()[0].outstanding, 1);
    let inbox = device.inbox(&url);
    assert_eq!(inbox.envelopes.len(), 1);
    let envelope = Envelope::verify(&inbox.envelopes[0].0, &office.public_key(), Utc::now()).unwrap();
    assert_eq!(envelope.envelope.signal_id, signal_id);
    let opened = envelope.open(&device.id, &device.open).unwrap();
    assert_eq!(opened.name().expose(), NAME);
    assert_eq!(opened.birthdate().to_iso(), BIRTH_ISO);
    let receipt_key = opened.receipt_key().clone();
    drop(opened);

    assert!(device.post_receipt(&url, signal_id, ReceiptKind::HandedOver, &receipt_key).first);
    assert!(!device.post_receipt(&url, signal_id, ReceiptKind::HandedOver, &receipt_key).first);

    // A fresh process: the key comes from the keyring again.
    drop(office);
    let mut office = Office::open(&state, KeySource::Keyring).unwrap();
    office.use_relay(&url).unwrap();
    let reports = office.fetch_receipts().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    match &reports[0] {
        ReceiptReport::Acknowledged { signal_id: id, school, device_id, role, kind, .. } => {
            assert_eq!(
                (*id, *school, *device_id, *role, *kind),
                (signal_id, brin, device.id, Role::Director, ReceiptKind::HandedOver)
            );
        }
        other => panic!("unexpected report {other:?}"),
    }
    let line = reports[0].to_string();
    assert!(line.contains("doorgegeven aan de leerkracht") && line.contains("12AB (directeur)"), "{line}");
    assert_absent_in_text(&line, &SECRETS);
    assert!(office.fetch_receipts().unwrap().is_empty(), "each receipt is reported once");

    let stats = office.stats().unwrap();
    assert_eq!((stats.local.sent, stats.local.handed_over, stats.outstanding), (1, 1, 0));
    assert_eq!(stats.relay.sent_per_day.iter().map(|d| d.count).sum::<u64>(), 1);
    drop(office);

    let files = assert_absent_under(&state, &SECRETS);
    assert_eq!(files, 1, "only state.db should exist");
}

#[test]
fn expired_signal_is_reported_once() {
    require_test_keyring();
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let (mut office, relay, _guard) = new_office(&state);
    let brin: Brin = "34CD".parse().unwrap();
    verified_device(&mut office, &relay.url(), brin, Role::Backup);
    let signal = Signal::from_input(NAME, BIRTH_ISO, amsterdam_date(Utc::now())).unwrap();
    let signal_id = office.send_signal_expiring(brin, &signal, Utc::now() + Duration::seconds(2)).unwrap();
    drop(signal);

    let mut reports = Vec::new();
    for _ in 0..40 {
        reports.extend(office.fetch_receipts().unwrap());
        if !reports.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        matches!(reports[0], ReceiptReport::Expired { signal_id: id, school, .. } if id == signal_id && school == brin)
    );
    assert!(reports[0].to_string().contains("niet afgehandeld voor het verlopen; bel de school"), "{}", reports[0]);
    assert!(office.fetch_receipts().unwrap().is_empty());
    let stats = office.stats().unwrap();
    assert_eq!((stats.local.sent, stats.local.expired, stats.outstanding), (1, 1, 0));
    drop(office);
    assert_absent_under(&state, &SECRETS);
}

/// A closed office in `tmp/state` whose key is in the keyring (forgotten when the guard drops).
fn closed_office(tmp: &Path) -> (PathBuf, ForgetKey) {
    require_test_keyring();
    let state = tmp.join("state");
    let office = Office::init(&state, KeySource::Keyring, "https://relay.example.nl").unwrap();
    let guard = ForgetKey(office.state_dir().to_path_buf());
    (state, guard)
}

#[test]
fn a_key_file_with_the_wrong_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (state, _guard) = closed_office(tmp.path());

    let key_file = tmp.path().join("other.key");
    DbKey::create(&KeySource::File(key_file.clone()), tmp.path()).unwrap();
    let err = Office::open(&state, KeySource::File(key_file)).unwrap_err();
    assert_eq!(err.to_string(), "de sleutel van de sender-database klopt niet; gebruik dezelfde sleutelbos of hetzelfde --key-file als bij init");
}

#[test]
fn a_missing_key_or_state_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (state, guard) = closed_office(tmp.path());

    DbKey::forget(&KeySource::Keyring, &guard.0).unwrap();
    let err = Office::open(&state, KeySource::Keyring).unwrap_err();
    assert!(matches!(err, SendError::KeyringEntryMissing), "{err}");

    let err = Office::open(&tmp.path().join("nowhere"), KeySource::Keyring).unwrap_err();
    assert!(err.to_string().contains("hwc-send init --relay"), "{err}");
}

#[test]
fn a_removed_device_gets_no_further_signal() {
    require_test_keyring();
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let (mut office, relay, _guard) = new_office(&state);
    let url = relay.url();
    let brin: Brin = "56EF".parse().unwrap();
    let director = verified_device(&mut office, &relay.url(), brin, Role::Director);
    let backup = verified_device(&mut office, &relay.url(), brin, Role::Backup);
    assert_eq!(office.schools().unwrap()[0].devices.len(), 2);

    office.remove_device(brin, backup.id).unwrap();
    let devices = &office.schools().unwrap()[0].devices;
    assert_eq!(devices.iter().map(|d| d.device_id).collect::<Vec<_>>(), [director.id]);
    assert!(office.pending_devices(brin).unwrap().is_empty(), "a removed device is not offered again");
    assert_ne!(backup.inbox_status(&url), 200, "the relay no longer serves the removed device");

    // The next signal is sealed to the remaining device only, and the relay accepts it.
    let signal = Signal::from_input(NAME, BIRTH_NL, amsterdam_date(Utc::now())).unwrap();
    let signal_id = office.send_signal(brin, &signal).unwrap();
    let inbox = director.inbox(&url);
    assert_eq!(inbox.envelopes.len(), 1);
    let envelope = Envelope::verify(&inbox.envelopes[0].0, &office.public_key(), Utc::now()).unwrap();
    assert_eq!(envelope.envelope.signal_id, signal_id);
    assert_eq!(envelope.envelope.copies.iter().map(|c| c.device_id).collect::<Vec<_>>(), [director.id]);

    // An id the school does not have is refused as the officer's mistake; removing twice is too.
    let err = office.remove_device(brin, TestDevice::new().id).unwrap_err();
    assert!(matches!(err, SendError::DeviceNotFound { .. }) && err.is_bad_input(), "{err}");
    let again = office.remove_device(brin, backup.id);
    assert!(again.is_ok(), "the relay still lists it as removed; removing again is harmless: {again:?}");

    // Without any device left, nothing is sealed.
    office.remove_device(brin, director.id).unwrap();
    assert!(matches!(office.send_signal(brin, &signal), Err(SendError::NoVerifiedDevice { .. })));
    drop(signal);
    drop(office);
    assert_absent_under(&state, &SECRETS);
}

#[test]
fn a_refused_signal_is_forgotten_and_an_uncertain_one_kept() {
    require_test_keyring();
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let (mut office, relay, _guard) = new_office(&state);
    let brin: Brin = "78GH".parse().unwrap();
    verified_device(&mut office, &relay.url(), brin, Role::Director);
    let signal = Signal::from_input(NAME, BIRTH_NL, amsterdam_date(Utc::now())).unwrap();

    // A relay that does not know this office refuses (4xx): nothing stays outstanding or counted.
    let stranger = TestRelay::start(vec![OfficeSigningKey::generate().unwrap().public()]);
    office.use_relay(&stranger.url()).unwrap();
    let err = office.send_signal(brin, &signal).unwrap_err();
    assert!(matches!(err, SendError::SignalRefused(_)), "{err}");
    assert!(err.to_string().starts_with("de relay heeft het signaal geweigerd"), "{err}");
    assert_absent_in_text(&err.to_string(), &SECRETS);
    let stats_outstanding = office.schools().unwrap()[0].outstanding;
    assert_eq!(stats_outstanding, 0);

    // No answer at all: the signal may have arrived, so it stays open under its id.
    office.use_relay("http://127.0.0.1:9").unwrap();
    let err = office.send_signal(brin, &signal).unwrap_err();
    let SendError::SentUncertain { signal: signal_id, school, .. } = &err else { panic!("{err}") };
    assert_eq!(*school, brin);
    let text = err.to_string();
    assert!(text.contains(&signal_id.to_string()) && text.contains("Verstuur het NIET opnieuw"), "{text}");
    assert_absent_in_text(&text, &SECRETS);
    assert_eq!(office.schools().unwrap()[0].outstanding, 1);

    // Back on the real relay: a normal send works and is counted once, the uncertain one stays open.
    office.use_relay(&relay.url()).unwrap();
    office.send_signal(brin, &signal).unwrap();
    drop(signal);
    assert!(office.fetch_receipts().unwrap().is_empty());
    let stats = office.stats().unwrap();
    assert_eq!((stats.local.sent, stats.outstanding), (2, 2));
    drop(office);
    assert_absent_under(&state, &SECRETS);
}

/// Review finding 6: whatever holds a device's signing key (the keyring secret) but never
/// opened the signal cannot make the office believe it was handed over.
#[test]
fn a_receipt_signed_without_opening_the_signal_is_no_handover() {
    require_test_keyring();
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let (mut office, relay, _guard) = new_office(&state);
    let url = relay.url();
    let brin: Brin = "34CD".parse().unwrap();
    let device = verified_device(&mut office, &url, brin, Role::Director);
    let signal = Signal::from_input(NAME, BIRTH_ISO, amsterdam_date(Utc::now())).unwrap();
    let (blind, opened) = (office.send_signal(brin, &signal).unwrap(), office.send_signal(brin, &signal).unwrap());
    drop(signal);

    // Signed with the device's own key, so the relay takes it; but the proof is made with the
    // key of the other envelope, sealed from the same typed signal: every send has its own.
    let other_send = device.receipt_key(&url, opened);
    assert!(device.post_receipt(&url, blind, ReceiptKind::HandedOver, &other_send).first);
    assert!(device.post_receipt(&url, opened, ReceiptKind::HandedOver, &other_send).first);

    let reports = office.fetch_receipts().unwrap();
    assert_eq!(reports.len(), 2, "{reports:?}");
    let unproven =
        reports.iter().find(|r| matches!(r, ReceiptReport::Unproven { signal_id, .. } if *signal_id == blind));
    let unproven = unproven.unwrap_or_else(|| panic!("no unproven report for the blind receipt: {reports:?}"));
    assert!(unproven.needs_attention());
    assert!(unproven.to_string().contains("bel de school"), "{unproven}");
    assert!(reports.iter().any(|r| matches!(r, ReceiptReport::Acknowledged { signal_id, .. } if *signal_id == opened)));
    let stats = office.stats().unwrap();
    assert_eq!(
        (stats.local.handed_over, stats.local.unproven, stats.outstanding),
        (1, 1, 0),
        "only the opened signal counts as handed over; the other is settled as unproven"
    );
    assert!(office.fetch_receipts().unwrap().is_empty(), "reported once, and never again as unconfirmed");
}

#[test]
fn receipts_read_before_the_relay_went_away_are_reported_and_only_once() {
    require_test_keyring();
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    // Everything goes through a proxy (a relay behind one accepts only requests signed for the
    // proxy's address): one that forwards all, and one that cuts the connection later on.
    let (through, cutting) = (CuttingProxy::listen(), CuttingProxy::listen());
    let (mut office, relay, _guard) = new_office_behind(&state, &[&through.url(), &cutting.url()]);
    let through = through.start(relay.addr(), b"GET /v1/receipts", usize::MAX);
    office.use_relay(&through.url()).unwrap();
    let brin: Brin = "90KL".parse().unwrap();
    let device = verified_device(&mut office, &through.url(), brin, Role::Director);
    let signal = Signal::from_input(NAME, BIRTH_ISO, amsterdam_date(Utc::now())).unwrap();
    let ids = [office.send_signal(brin, &signal).unwrap(), office.send_signal(brin, &signal).unwrap()];
    drop(signal);
    for id in ids {
        device.acknowledge(&through.url(), id, ReceiptKind::HandedOver);
    }

    // The first page of receipts arrives; the relay is gone before the next read. What the
    // first page settled must reach the officer now: it is never reported again.
    let proxy = cutting.start(relay.addr(), b"GET /v1/receipts", 1);
    office.use_relay(&proxy.url()).unwrap();
    let reports = office.fetch_receipts().expect("the receipts read before the cut");
    let mut reported: Vec<_> = reports
        .iter()
        .filter_map(|r| match r {
            ReceiptReport::Acknowledged { signal_id, .. } => Some(*signal_id),
            _ => None,
        })
        .collect();
    reported.sort();
    let mut sent = ids.to_vec();
    sent.sort();
    assert_eq!(reported, sent, "{reports:?}");
    assert!(office.fetch_receipts().is_err(), "the proxy cuts every later read");

    office.use_relay(&through.url()).unwrap();
    assert!(office.fetch_receipts().unwrap().is_empty(), "nothing is reported twice");
    assert_eq!(office.stats().unwrap().local.handed_over, 2);
}

#[test]
fn the_office_plans_each_signal_by_the_schools_region_and_keeps_its_summer_rule() {
    require_test_keyring();
    let tmp = tempfile::tempdir().unwrap();
    let (mut office, relay, _guard) = new_office(&tmp.path().join("state"));
    let brin: Brin = "12AB".parse().unwrap();
    assert!(matches!(office.set_region(brin, Some(Region::Noord)), Err(SendError::SchoolNotKnown { .. })));
    office.add_school_slot(brin, Role::Director).unwrap();
    // Friday 18 December 2026, 10:00 in the Netherlands: the last school day before kerst.
    let friday = chrono::DateTime::parse_from_rfc3339("2026-12-18T10:00:00+01:00").unwrap().to_utc();
    let unknown = office.plan_at(brin, friday).unwrap();
    assert_eq!((unknown.read_by.to_string(), unknown.held), ("2027-01-04".into(), true));
    office.set_region(brin, Some(Region::Eigen)).unwrap();
    let own = office.plan_at(brin, friday).unwrap();
    assert_eq!((own.read_by.to_string(), own.held), ("2026-12-21".into(), false));
    // The summer: midden's zomervakantie 2027 starts on 17 July.
    office.set_region(brin, Some(Region::Midden)).unwrap();
    let july = chrono::DateTime::parse_from_rfc3339("2027-07-16T10:00:00+02:00").unwrap().to_utc();
    let summer = office.plan_at(brin, july).unwrap();
    assert!(summer.summer && summer.held);
    assert_eq!(summer.read_by.to_string(), "2027-08-30");
    assert_eq!(office.summer_rule().unwrap(), SummerRule::Warn);
    office.set_summer_rule(SummerRule::Refuse).unwrap();
    let summary = office.schools().unwrap();
    assert_eq!(summary[0].region, Some(Region::Midden));
    // Kept across a reopen.
    let dir = office.state_dir().to_path_buf();
    drop(office);
    let office = Office::open(&dir, KeySource::Keyring).unwrap();
    assert_eq!(office.summer_rule().unwrap(), SummerRule::Refuse);
    drop(relay);
}

#[test]
fn a_signal_for_a_school_closed_for_days_is_held_by_the_real_relay_and_the_calendar_rules_hold() {
    require_test_keyring();
    let tmp = tempfile::tempdir().unwrap();
    let (mut office, relay, _guard) = new_office(&tmp.path().join("state"));
    let brin: Brin = "12AB".parse().unwrap();
    let _device = verified_device(&mut office, &relay.url(), brin, Role::Director);
    let now = Utc::now();
    let today = amsterdam_date(now);

    // The school says it is closed for the next ten days (study days entered by the office):
    // the signal is created for a week before the first school day and the relay holds it.
    let closed: Vec<_> = today.iter_days().skip(1).take(10).collect();
    office.set_school_days(brin, &closed, Some(false)).unwrap();
    let signal = Signal::from_input("Sem de Vries", "07-03-2016", today).unwrap();
    let sent = office.send_signal_at(brin, &signal, now).unwrap();
    assert!(sent.delivery.held, "{:?}", sent.delivery);
    assert!(sent.delivery.read_by > today + chrono::Days::new(10));
    assert_eq!(relay.count_rows("held_events").unwrap(), 1);
    let held = office.held_signals(brin, now).unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].held_until, Some(sent.delivery.deliver_from.timestamp()));
    // Back to the ordinary calendar: sent now, it is not held.
    office.set_school_days(brin, &closed, None).unwrap();
    assert!(!office.plan_at(brin, now).unwrap().held);

    // The summer rule, at a moment in the zomervakantie of midden 2027 (refused before the relay).
    office.set_region(brin, Some(Region::Midden)).unwrap();
    office.set_summer_rule(SummerRule::Refuse).unwrap();
    let july = chrono::DateTime::parse_from_rfc3339("2027-07-16T10:00:00+02:00").unwrap().to_utc();
    let summer_signal = Signal::from_input("Sem de Vries", "07-03-2016", amsterdam_date(july)).unwrap();
    let refused = office.send_signal_at(brin, &summer_signal, july).unwrap_err();
    assert!(matches!(refused, SendError::SummerRefused { .. }), "{refused}");
    assert!(refused.to_string().contains("maandag 30 augustus 2027"), "{refused}");
    // A child who is 20 on the sending day but 21 when the relay releases it (23 August 2027)
    // could not be opened by the school: refused before anything is sealed.
    office.set_summer_rule(SummerRule::Warn).unwrap();
    let turning = Signal::from_input("Sem de Vries", "01-08-2006", amsterdam_date(july)).unwrap();
    let too_old = office.send_signal_at(brin, &turning, july).unwrap_err();
    assert!(matches!(too_old, SendError::AgeOnDelivery { .. }), "{too_old}");
    assert!(!too_old.to_string().contains("21"), "the age comes from the birthdate: {too_old}");
    assert_eq!(office.schools().unwrap()[0].outstanding, 1, "only the held signal is outstanding");
}

#[test]
fn the_morning_list_names_each_school_with_signals_not_handed_over_and_its_phone() {
    require_test_keyring();
    let tmp = tempfile::tempdir().unwrap();
    let (mut office, relay, _guard) = new_office(&tmp.path().join("state"));
    let (busy, quiet): (Brin, Brin) = ("12AB".parse().unwrap(), "34CD".parse().unwrap());
    let device = verified_device(&mut office, &relay.url(), busy, Role::Director);
    let other = verified_device(&mut office, &relay.url(), quiet, Role::Director);
    assert!(matches!(office.set_phone("99ZZ".parse().unwrap(), None), Err(SendError::SchoolNotKnown { .. })));
    office.set_phone(busy, Some(&"030 123 45 67".parse().unwrap())).unwrap();
    let today = amsterdam_date(Utc::now());
    let signal = Signal::from_input("Sem de Vries", "07-03-2016", today).unwrap();
    let waiting = office.send_signal(busy, &signal).unwrap();
    let handed = office.send_signal(busy, &signal).unwrap();
    let elsewhere = office.send_signal(quiet, &signal).unwrap();
    device.acknowledge(&relay.url(), handed, ReceiptKind::HandedOver);
    other.acknowledge(&relay.url(), elsewhere, ReceiptKind::NotOurPupil);
    // The morning list reads the receipts without reading them away: they stay for the officer.
    let unread = office.unread_receipts().unwrap();
    assert_eq!((unread.count, unread.breach), (2, true));
    assert_eq!(office.unread_receipts().unwrap(), unread, "nothing was read away");

    // The morning of the school day the signals were planned for, after 08:30.
    let read_by = office.plan_at(busy, Utc::now()).unwrap().read_by;
    let morning = |h, m| {
        chrono_tz::Europe::Amsterdam
            .from_local_datetime(&read_by.and_hms_opt(h, m, 0).unwrap())
            .earliest()
            .unwrap()
            .to_utc()
    };
    assert_eq!(office.escalation_at().unwrap().format("%H:%M").to_string(), "08:30");
    let list = office.escalations(morning(9, 0), &unread).unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].school, busy);
    assert_eq!(list[0].phone.as_ref().map(ToString::to_string).as_deref(), Some("030 123 45 67"));
    assert_eq!(list[0].maybe_closed, None);
    assert_eq!(list[0].signals.iter().map(|s| s.signal_id).collect::<Vec<_>>(), vec![waiting]);
    // After it expired it is no longer on the list (the expiry report takes over).
    assert!(office.escalations(morning(23, 59) + chrono::Duration::minutes(1), &unread).unwrap().is_empty());
    // A school closed that day (a study day) is not on the list.
    office.set_school_days(busy, &[read_by], Some(false)).unwrap();
    assert!(office.escalations(morning(9, 0), &unread).unwrap().is_empty());
    // The officer still gets both receipts, the data breach among them.
    let reports = office.fetch_receipts().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports.iter().filter(|r| r.needs_attention()).count(), 1);
}

#[test]
fn the_office_sees_when_each_device_last_had_contact_and_how_many_school_days_ago() {
    require_test_keyring();
    let tmp = tempfile::tempdir().unwrap();
    let (mut office, relay, _guard) = new_office(&tmp.path().join("state"));
    let brin: Brin = "12AB".parse().unwrap();
    let device = verified_device(&mut office, &relay.url(), brin, Role::Director);
    let now = Utc::now();
    let before = office.last_contacts(brin, now).unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!((before[0].0.day, before[0].1), (None, None), "no contact yet");
    device.inbox(&relay.url());
    // The relay writes it in the background: asked again until it is there.
    let started = std::time::Instant::now();
    let after = loop {
        let after = office.last_contacts(brin, now).unwrap();
        if after[0].0.day.is_some() || started.elapsed().as_secs() > 10 {
            break after;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(after[0].0.device_id, device.id);
    assert_eq!((after[0].0.day, after[0].1), (Some(amsterdam_date(now)), Some(0)));
    // Two weeks on without contact: at least eight school days (weekdays of a school with its
    // own holidays, whatever national days fall in them).
    let later = office.last_contacts(brin, now + Duration::days(14)).unwrap();
    assert!(later[0].1.is_some_and(|silent| silent >= 8), "{later:?}");
}
