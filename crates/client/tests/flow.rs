//! End-to-end flows against a real relay, with the office played by the test: enrollment,
//! verification, fetching, opening, acknowledging, the colleague's view, the outbox while the
//! relay is unreachable, refused envelopes next to a valid one, a handled signal that a relay
//! brings back, and an office key a relay swapped during enrollment.

mod common;

use common::{dead_url, enrolled, Office, BIRTHDATE, NAME, PIN, SCHOOL};
use hwc_client::{ClientError, Delivery, DeviceStatus, ReceiptKind, Refusal, RelayError, SchoolClient};
use hwc_protocol::{EnrollmentCode, OfficeSigningKey, Role};

#[test]
fn director_handles_and_backup_hears_it_from_the_relay() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    let mut director = SchoolClient::enroll(dir_a.path(), &office.url, &office.code(Role::Director), PIN).unwrap();
    let mut backup = SchoolClient::enroll(dir_b.path(), &office.url, &office.code(Role::Backup), PIN).unwrap();
    assert!(SchoolClient::is_enrolled(dir_a.path()));
    let info = director.device_info().unwrap();
    assert_eq!((info.school.as_str(), info.role, info.status), (SCHOOL, Role::Director, DeviceStatus::Pending));
    assert_eq!(backup.device_info().unwrap().role, Role::Backup);
    assert_ne!(director.safety_code(), backup.safety_code());

    // Before leerplicht verified it, the device receives nothing.
    let err = director.fetch(0).unwrap_err();
    assert!(matches!(&err, ClientError::Relay(e) if e.code() == Some("device_not_verified")), "{err}");

    for client in [&mut director, &mut backup] {
        office.verify(client);
        assert_eq!(client.refresh_status().unwrap(), DeviceStatus::Verified);
        assert_eq!(client.device_info().unwrap().status, DeviceStatus::Verified);
    }

    let id = office.send();
    let report = director.fetch(5).unwrap();
    assert_eq!(report.new_signals, vec![id]);
    assert!(report.refused.is_empty() && report.expired.is_empty());
    assert_eq!(backup.fetch(5).unwrap().new_signals, vec![id]);
    // A repeat fetch brings nothing new (cursor), and the signal is held once.
    assert!(director.fetch(0).unwrap().new_signals.is_empty());
    let pending = director.pending().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].signal_id, id);

    director.unlock(PIN).unwrap();
    let signal = director.open_signal(&id).unwrap();
    assert_eq!(signal.name().expose(), NAME);
    assert_eq!(signal.birthdate().to_iso(), BIRTHDATE);
    assert_eq!(signal.codeword(), "Handle with Care");
    assert_eq!(format!("{signal:?}"), "Signal { .. }");
    drop(signal);

    let ack = director.acknowledge(&id, ReceiptKind::HandedOver).unwrap();
    assert_eq!(ack.delivery, Delivery::Delivered { first: true });
    let status = director.status().unwrap();
    assert_eq!((status.sealed_signals, status.receipts_waiting, status.handled_signals), (0, 0, 1));
    assert!(status.has_signing_key && status.has_open_key && status.open_key_pin_protected);
    assert_eq!(status.wrong_pin_attempts, 0);
    assert_eq!(
        status.settings,
        ["relay_url", "office_key", "device_id", "school", "role", "status", "inbox_cursor", "pin_guard_uncleared", "profile_checked_at"]
    );
    assert!(matches!(director.open_signal(&id), Err(ClientError::UnknownSignal)));

    let report = backup.fetch(5).unwrap();
    assert_eq!(report.handled_by_colleague.len(), 1, "{report:?}");
    assert_eq!(report.handled_by_colleague[0].signal_id, id);
    assert_eq!(report.handled_by_colleague[0].by, director.device_id());
    assert!(report.handled_by_colleague[0].to_string().starts_with("afgehandeld door een collega op "));
    assert!(backup.pending().unwrap().is_empty());
    let status = backup.status().unwrap();
    assert_eq!((status.sealed_signals, status.handled_signals), (0, 1));
    backup.unlock(PIN).unwrap();
    assert!(matches!(backup.acknowledge(&id, ReceiptKind::HandedOver), Err(ClientError::UnknownSignal)));

    let (_, receipts) = office.receipts(0);
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].receipt.signal_id, id);
    assert_eq!(receipts[0].receipt.device_id, director.device_id());
    assert_eq!(receipts[0].receipt.kind, ReceiptKind::HandedOver);
}

#[test]
fn receipt_waits_in_the_outbox_while_the_relay_is_unreachable_and_arrives_once() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let mut client = enrolled(&office, dir.path(), Role::Director);
    let id = office.send();
    assert_eq!(client.fetch(5).unwrap().new_signals, vec![id]);

    // Unlocking needs the relay (its PIN guard); the connection drops after that.
    client.unlock(PIN).unwrap();
    let live = client.relay_url().to_string();
    client.set_relay_url(&dead_url()).unwrap();
    let ack = client.acknowledge(&id, ReceiptKind::NotOurPupil).unwrap();
    assert!(matches!(ack.delivery, Delivery::Waiting { .. }), "{ack:?}");
    assert!(!ack.delivered_now());
    let status = client.status().unwrap();
    assert_eq!((status.sealed_signals, status.receipts_waiting), (0, 1), "the envelope is gone at once");
    let err = client.fetch(0).unwrap_err();
    assert!(err.is_offline(), "{err}");
    assert!(matches!(client.flush_outbox(), Err(ClientError::Relay(RelayError::Unreachable))));

    // The outbox survives closing the app.
    drop(client);
    let mut client = SchoolClient::open(dir.path()).unwrap();
    assert_eq!(client.status().unwrap().receipts_waiting, 1);
    assert_eq!(office.receipts(0).1.len(), 0, "nothing reached the office yet");

    client.set_relay_url(&live).unwrap();
    let report = client.fetch(0).unwrap();
    assert_eq!(report.receipts.delivered, 1, "{report:?}");
    assert_eq!(client.status().unwrap().receipts_waiting, 0);
    assert_eq!(client.flush_outbox().unwrap().delivered, 0);

    let (_, receipts) = office.receipts(0);
    assert_eq!(receipts.len(), 1, "delivered exactly once");
    assert_eq!(receipts[0].receipt.kind, ReceiptKind::NotOurPupil);
}

#[test]
fn refused_envelopes_do_not_cost_the_valid_one() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let mut client = enrolled(&office, dir.path(), Role::Backup);

    let flipped = office.send();
    let foreign = office.send();
    let valid = office.send();
    // The relay checked them on arrival; now they change in its store, as a broken or hostile
    // relay could do: one byte flipped, and one re-signed by another office's key.
    let db = rusqlite::Connection::open(relay.db_path()).unwrap();
    let frame: Vec<u8> =
        db.query_row("SELECT envelope FROM signals WHERE signal_id = ?1", [flipped.to_string()], |r| r.get(0)).unwrap();
    let mut bad = frame.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x01;
    db.execute("UPDATE signals SET envelope = ?1 WHERE signal_id = ?2", rusqlite::params![bad, flipped.to_string()])
        .unwrap();
    let now = chrono::Utc::now();
    let other = Office::seal_with(
        &OfficeSigningKey::generate().unwrap(),
        &office.recipients(),
        now,
        now + chrono::Duration::hours(30),
    );
    db.execute(
        "UPDATE signals SET envelope = ?1 WHERE signal_id = ?2",
        rusqlite::params![other.bytes, foreign.to_string()],
    )
    .unwrap();
    drop(db);

    let report = client.fetch(5).unwrap();
    assert_eq!(report.new_signals, vec![valid], "{report:?}");
    assert_eq!(report.refused_count(), 2);
    for refusal in &report.refused {
        let text = refusal.to_string();
        assert!(text.contains("handtekening"), "{text}");
        assert!(!text.contains("Zoë") && !text.contains("2016"), "{text}");
    }
    assert_eq!(client.pending().unwrap().len(), 1);
    client.unlock(PIN).unwrap();
    assert_eq!(client.open_signal(&valid).unwrap().name().expose(), NAME);
    assert!(matches!(client.open_signal(&flipped), Err(ClientError::UnknownSignal)));
}

#[test]
fn enrollment_refusals_leave_nothing_behind() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();

    let err = SchoolClient::enroll(dir.path(), &office.url, "ABC", PIN).unwrap_err();
    assert!(matches!(err, ClientError::Code(_)), "{err}");
    let err = SchoolClient::enroll(dir.path(), &office.url, "AAAA-BBBB-CCCC-DDDD", PIN).unwrap_err();
    assert!(matches!(&err, ClientError::Relay(e) if e.code() == Some("not_found")), "{err}");
    assert!(err.to_string().contains("aanmeldcode"), "the relay's Dutch sentence is shown: {err}");
    assert!(!SchoolClient::is_enrolled(dir.path()));
    let err = SchoolClient::enroll(dir.path(), &dead_url(), &office.code(Role::Director), PIN).unwrap_err();
    assert!(err.is_offline(), "{err}");
    assert!(!SchoolClient::is_enrolled(dir.path()));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // A PIN of the wrong form is refused before anything happens: the code is not spent, and
    // the message never repeats the PIN.
    let code = office.code(Role::Director);
    for (bad, says) in
        [("12345", "minstens 6 cijfers"), ("1234567890123", "hoogstens 12"), ("12345a", "alleen uit cijfers")]
    {
        let err = SchoolClient::enroll(dir.path(), &office.url, &code, bad).unwrap_err();
        assert!(matches!(err, ClientError::PinFormat(_)), "{err}");
        let text = err.to_string();
        assert!(text.contains(says) && !text.contains("12345"), "{text}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
    let client = SchoolClient::enroll(dir.path(), &office.url, &code.to_lowercase().replace('-', " "), PIN).unwrap();
    assert!(!client.is_unlocked(), "an enrolled device starts locked");
    assert!(matches!(SchoolClient::enroll(dir.path(), &office.url, &code, PIN), Err(ClientError::AlreadyEnrolled)));
    let other = tempfile::tempdir().unwrap();
    let err = SchoolClient::enroll(other.path(), &office.url, &code, PIN).unwrap_err();
    assert!(matches!(&err, ClientError::Relay(e) if e.code() == Some("code_used")), "{err}");
    drop(client);
    assert!(SchoolClient::open(dir.path()).is_ok());
    assert!(matches!(SchoolClient::open(other.path()), Err(ClientError::Vault(hwc_client::VaultError::NotFound))));
}

/// Acting as a hostile relay: puts a handled signal's rows back as they were before the
/// acknowledgement (left alone when still there) with a new inbox event, so the relay serves
/// the envelope again.
struct Resurrect {
    db: rusqlite::Connection,
}

impl Resurrect {
    fn keep(relay: &hwc_relay::testing::TestRelay, id: &hwc_client::SignalId) -> Self {
        let db = common::relay_db(relay);
        let id = id.to_string();
        db.execute("CREATE TEMP TABLE kept_signals AS SELECT * FROM signals WHERE signal_id = ?1", [&id]).unwrap();
        db.execute("CREATE TEMP TABLE kept_copies AS SELECT * FROM signal_copies WHERE signal_id = ?1", [&id]).unwrap();
        assert_eq!(db.query_row("SELECT count(*) FROM kept_signals", [], |r| r.get::<_, i64>(0)).unwrap(), 1);
        Self { db }
    }

    fn bring_back(&self) {
        self.db
            .execute_batch(
                "INSERT OR IGNORE INTO main.signals SELECT * FROM kept_signals;
                 INSERT OR IGNORE INTO main.signal_copies SELECT * FROM kept_copies;
                 INSERT INTO main.events (school, kind, signal_id, by_device, at)
                     SELECT school, 'envelope', signal_id, NULL, NULL FROM kept_signals;",
            )
            .unwrap();
    }
}

#[test]
fn a_handled_signal_never_comes_back() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut director = enrolled(&office, dir_a.path(), Role::Director);
    let mut backup = enrolled(&office, dir_b.path(), Role::Backup);
    let id = office.send();
    assert_eq!(director.fetch(5).unwrap().new_signals, vec![id]);
    assert_eq!(backup.fetch(5).unwrap().new_signals, vec![id]);
    let kept = Resurrect::keep(&relay, &id);

    director.unlock(PIN).unwrap();
    assert!(director.acknowledge(&id, ReceiptKind::HandedOver).unwrap().delivered_now());
    director.lock();
    assert_eq!(backup.fetch(5).unwrap().handled_by_colleague.len(), 1);
    for client in [&director, &backup] {
        let status = client.status().unwrap();
        assert_eq!((status.sealed_signals, status.receipts_waiting, status.handled_signals), (0, 0, 1));
    }

    kept.bring_back();
    for client in [&mut director, &mut backup] {
        let report = client.fetch(5).unwrap();
        assert_eq!(report.refused, vec![Refusal::AlreadyHandled], "{report:?}");
        assert!(report.new_signals.is_empty());
        assert_eq!(report.refused[0].to_string(), "envelop van een al afgehandeld signaal geweigerd");
        assert!(client.pending().unwrap().is_empty());
        assert!(matches!(client.open_signal(&id), Err(ClientError::Locked)));
        client.unlock(PIN).unwrap();
        assert!(matches!(client.open_signal(&id), Err(ClientError::UnknownSignal)));
        let status = client.status().unwrap();
        assert_eq!((status.sealed_signals, status.handled_signals), (0, 1));
    }
    // Reopening the vault changes nothing: the ids are kept, not held in memory.
    drop(backup);
    let mut backup = SchoolClient::open(dir_b.path()).unwrap();
    kept.bring_back();
    assert_eq!(backup.fetch(5).unwrap().refused, vec![Refusal::AlreadyHandled]);
    assert!(backup.pending().unwrap().is_empty());
}

#[test]
fn an_office_key_swapped_by_the_relay_is_refused_and_nothing_is_stored() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let db = common::relay_db(&relay);
    let relays_own = OfficeSigningKey::generate().unwrap().public();

    // The relay hands out its own office key with the office's tag, or a tag it made up.
    let made_up = EnrollmentCode::generate().unwrap().office_key_tag(&relays_own);
    for (office_column, tag) in [(Some(relays_own.to_string()), None), (None, Some(made_up))] {
        let code = office.code(Role::Director);
        let hash = EnrollmentCode::parse(&code).unwrap().hash_hex();
        if let Some(key) = &office_column {
            db.execute("UPDATE enrollments SET office = ?1 WHERE code_hash = ?2", [key, &hash]).unwrap();
        }
        if let Some(tag) = &tag {
            db.execute("UPDATE enrollments SET office_key_tag = ?1 WHERE code_hash = ?2", [tag, &hash]).unwrap();
        }
        let err = SchoolClient::enroll(dir.path(), &office.url, &code, PIN).unwrap_err();
        assert!(matches!(err, ClientError::OfficeKeyNotBound), "{err}");
        let text = err.to_string();
        assert!(text.contains("niet bij de aanmeldcode hoort") && text.contains("neem contact op met leerplicht"));
        assert!(!SchoolClient::is_enrolled(dir.path()));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing stored");
    }

    // An untouched code from the same office enrolls.
    let client = SchoolClient::enroll(dir.path(), &office.url, &office.code(Role::Director), PIN).unwrap();
    let listed = office.devices().into_iter().find(|d| d.device_id == client.device_id()).unwrap();
    assert_eq!(listed.office_key, office.public());
    assert_eq!(client.safety_code(), hwc_protocol::SafetyCode::compute(&office.public(), &listed.keys));
}

/// "Wis dit apparaat" asks for the PIN (a wrong one counts, and nothing else happens), then
/// tells the relay, so leerplicht sees the device out of use and seals nothing more to it.
#[test]
fn wiping_needs_the_pin_and_tells_the_relay() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let (dir, backup_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut director = enrolled(&office, dir.path(), Role::Director);
    let backup = enrolled(&office, backup_dir.path(), Role::Backup);
    let status_at_office = |id| office.devices().into_iter().find(|d| d.device_id == id).unwrap().status;

    assert!(matches!(director.retire(None), Err(ClientError::PinNeededToWipe)));
    assert!(matches!(director.retire(Some("000000")), Err(ClientError::WrongPin { .. })));
    assert_eq!(director.pin_status().unwrap().wrong_in_a_row, 1, "the wrong PIN counted");
    assert!(SchoolClient::is_enrolled(dir.path()));
    assert_eq!(status_at_office(director.device_id()), DeviceStatus::Verified);

    let id = director.device_id();
    let retired = director.retire(Some(PIN)).unwrap();
    assert!(retired.relay_told);
    assert!(matches!(director.status(), Err(ClientError::Wiped)));
    assert!(!SchoolClient::is_enrolled(dir.path()));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing left here");
    assert_eq!(status_at_office(id), DeviceStatus::Removed, "leerplicht sees it out of use");
    let recipients: Vec<_> = office.recipients().iter().map(|keys| keys.device_id()).collect();
    assert_eq!(recipients, vec![backup.device_id()], "signals are sealed to the backup only");
}

/// With the relay out of reach the PIN cannot be checked (the relay's PIN guard takes part in
/// every check), so the device is not wiped and says why; nothing is counted. A device
/// leerplicht already removed is wiped without a PIN.
#[test]
fn wiping_without_the_relay_says_so_and_a_removed_device_needs_no_pin() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let (dir, other) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut removed = enrolled(&office, other.path(), Role::Backup);
    let answer = office.request("POST", &format!("/v1/devices/{}/remove", removed.device_id()), b"", "");
    assert_eq!(answer.status, 200);
    assert_eq!(removed.refresh_status().unwrap(), DeviceStatus::Removed);
    assert!(removed.retire(None).unwrap().relay_told);
    assert!(!SchoolClient::is_enrolled(other.path()));

    let mut director = enrolled(&office, dir.path(), Role::Director);
    drop(relay);
    let err = director.retire(Some(PIN)).unwrap_err();
    assert!(matches!(err, ClientError::PinGuardOffline) && err.is_offline(), "{err}");
    assert!(err.to_string().contains("geen verbinding met de relay: zonder de relay kan de pincode niet"), "{err}");
    assert!(SchoolClient::is_enrolled(dir.path()));
    assert_eq!(director.pin_status().unwrap().wrong_in_a_row, 0, "not counted");
}

/// Acting as a hostile relay: tells the director that the backup handled `id`, with `receipt`
/// as the proof it serves. Returns a closure that takes the made-up rows away again.
fn fake_handled(
    relay: &hwc_relay::testing::TestRelay,
    id: &hwc_client::SignalId,
    by: hwc_protocol::DeviceId,
    receipt: &[u8],
) -> impl Fn() {
    let db = common::relay_db(relay);
    let (id, by) = (id.to_string(), by.to_string());
    db.execute(
        "INSERT INTO handled (signal_id, school, office, by_device, at, keep_until, envelope_hash, receipt)
         SELECT signal_id, school, office, ?2, created_at, expires_at, envelope_hash, ?3 FROM signals WHERE signal_id = ?1",
        rusqlite::params![id, by, receipt],
    )
    .unwrap();
    db.execute("INSERT INTO handled_copies SELECT signal_id, device_id FROM signal_copies WHERE signal_id = ?1", [&id])
        .unwrap();
    db.execute(
        "INSERT INTO events (school, kind, signal_id, by_device, at) SELECT school, 'handled', signal_id, ?2, created_at FROM signals WHERE signal_id = ?1",
        [&id, &by],
    )
    .unwrap();
    move || {
        db.execute("DELETE FROM handled WHERE signal_id = ?1", [&id]).unwrap();
        db.execute("DELETE FROM handled_copies WHERE signal_id = ?1", [&id]).unwrap();
    }
}

/// "Afgehandeld door uw collega" only with the colleague's own signed receipt for this very
/// signal: a relay that makes one up, or reuses a receipt for another signal, makes nothing
/// vanish from the director's device.
#[test]
fn a_relay_cannot_fake_that_a_colleague_handled_a_signal() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut director = enrolled(&office, dir_a.path(), Role::Director);
    let mut backup = enrolled(&office, dir_b.path(), Role::Backup);
    let first = office.send();
    assert_eq!(director.fetch(5).unwrap().new_signals, vec![first]);

    // A receipt "by the backup" signed with a key that is not the backup's.
    let stranger = hwc_protocol::DeviceSigningKey::generate().unwrap();
    let forged = hwc_protocol::Receipt::sign(
        &stranger,
        backup.device_id(),
        first,
        ReceiptKind::HandedOver,
        chrono::Utc::now(),
        &hwc_protocol::ReceiptKey::from_bytes([0; 16]),
    );
    let take_away = fake_handled(&relay, &first, backup.device_id(), &forged.bytes);
    let report = director.fetch(0).unwrap();
    assert!(report.handled_by_colleague.is_empty() && report.unproven_handled == 1, "{report:?}");
    assert_eq!(director.pending().unwrap().len(), 1, "the signal stays");
    take_away();

    // The backup's real receipt, but for another signal.
    let second = office.send();
    backup.fetch(5).unwrap();
    backup.unlock(PIN).unwrap();
    backup.acknowledge(&second, ReceiptKind::HandedOver).unwrap();
    let real = office.receipts(0).1.into_iter().find(|r| r.receipt.signal_id == second).unwrap();
    let take_away = fake_handled(&relay, &first, backup.device_id(), &real.bytes);
    let report = director.fetch(0).unwrap();
    assert!(report.handled_by_colleague.is_empty() && report.unproven_handled == 1, "{report:?}");
    assert_eq!(director.pending().unwrap().iter().map(|p| p.signal_id).collect::<Vec<_>>(), vec![first]);
    take_away();

    // The backup really hands it over: now the director hears it, and the signal goes.
    backup.acknowledge(&first, ReceiptKind::HandedOver).unwrap();
    let report = director.fetch(0).unwrap();
    assert_eq!(report.handled_by_colleague.iter().map(|h| h.signal_id).collect::<Vec<_>>(), vec![first]);
    assert!(director.pending().unwrap().is_empty());
}

/// Review of finding 6: a process that read the device's signing key (the keyring secret and
/// the vault) can sign a receipt in the device's own name. The relay then deletes the copies;
/// the device itself knows it never made that receipt (acknowledging here removes the envelope
/// in the same step), keeps the signal and says so.
#[test]
fn a_receipt_in_this_devices_name_that_it_never_made_keeps_the_signal_and_warns() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let mut director = enrolled(&office, dir.path(), Role::Director);
    let id = office.send();
    assert_eq!(director.fetch(5).unwrap().new_signals, vec![id]);

    // The signing key, read the way malware running as the user could.
    let vault_key = common::StoredSecret::vault_key(dir.path()).get().unwrap();
    let db = rusqlite::Connection::open(dir.path().join("vault.db")).unwrap();
    db.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(&vault_key))).unwrap();
    let secret: Vec<u8> =
        db.query_row("SELECT secret FROM device_keys WHERE kind = 'signing'", [], |r| r.get(0)).unwrap();
    drop(db);
    let stolen = hwc_protocol::DeviceSigningKey::from_secret_bytes(&secret.try_into().unwrap());
    let guessed = hwc_protocol::ReceiptKey::random().unwrap();
    let forged = hwc_protocol::Receipt::sign(
        &stolen,
        director.device_id(),
        id,
        ReceiptKind::HandedOver,
        chrono::Utc::now(),
        &guessed,
    );
    let _take_away = fake_handled(&relay, &id, director.device_id(), &forged.bytes);

    let report = director.fetch(0).unwrap();
    assert_eq!(report.receipts_not_made_here, 1, "{report:?}");
    assert!(report.handled_by_colleague.is_empty());
    assert_eq!(director.pending().unwrap().iter().map(|p| p.signal_id).collect::<Vec<_>>(), vec![id]);
}
