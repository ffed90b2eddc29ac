//! The PIN against a real relay and the real keyring, with the real Argon2 cost: the open key
//! needs the PIN, the keyring's pepper and the relay's PIN guard, everything else works while
//! locked, wrong PINs are counted across restarts and slowed down (on a [`ManualClock`], without
//! sleeping) and by the relay, so a restored vault file gains no tries, the tenth wipes the
//! device, and a changed PIN replaces the old one. (The relay is a real one over HTTP; the guard
//! tests read or change its database where they play a relay that lost or changed something.)

mod common;

use chrono::Duration;
use common::{enrolled, Office, StoredSecret, PIN};
use hwc_client::pin::delay_after;
use hwc_client::{ClientError, Delivery, ManualClock, ReceiptKind, SchoolClient, VaultError};
use hwc_protocol::Role;
use std::path::Path;
use std::sync::Arc;

const WRONG: &str = "000000";

/// An enrolled, verified device reopened on a manual clock (locked).
fn device_on_manual_clock(office: &Office, dir: &Path) -> (SchoolClient, Arc<ManualClock>) {
    drop(enrolled(office, dir, Role::Director));
    let clock = Arc::new(ManualClock::starting_now());
    (SchoolClient::open_with_clock(dir, clock.clone()).unwrap(), clock)
}

fn entries(dir: &Path) -> [StoredSecret; 2] {
    [StoredSecret::vault_key(dir), StoredSecret::pepper(dir)]
}

/// One wrong PIN that is accepted for checking; returns the error.
fn wrong_try(client: &mut SchoolClient) -> ClientError {
    let err = client.unlock(WRONG).unwrap_err();
    assert!(!client.is_unlocked());
    err
}

#[test]
fn wrong_pins_are_counted_and_delayed_and_a_correct_pin_resets_them() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let (mut client, clock) = device_on_manual_clock(&office, dir.path());
    assert!(!client.is_unlocked());

    for n in 1..=3u32 {
        let err = wrong_try(&mut client);
        assert!(matches!(err, ClientError::WrongPin { tries_left, wait_seconds: 0 } if tries_left == 10 - n), "{err}");
        assert_eq!(err.to_string(), "de pincode is onjuist");
        assert!(!err.to_string().contains(WRONG));
        assert_eq!(client.status().unwrap().wrong_pin_attempts, n);
    }
    // The fourth wrong try costs a wait of 2 seconds before the next.
    let err = wrong_try(&mut client);
    assert!(matches!(err, ClientError::WrongPin { tries_left: 6, wait_seconds: 2 }), "{err}");
    assert!(err.to_string().contains("over 2 seconden"), "{err}");
    let status = client.pin_status().unwrap();
    assert_eq!((status.unlocked, status.wrong_in_a_row, status.tries_left, status.wait_seconds), (false, 4, 6, 2));

    // While the wait runs, not even the right PIN is checked, and nothing is counted.
    let err = client.unlock(PIN).unwrap_err();
    assert!(matches!(err, ClientError::PinDelay { seconds: 2 }), "{err}");
    assert!(err.to_string().contains("wacht nog 2 seconden"), "{err}");
    clock.advance(Duration::seconds(1));
    assert!(matches!(client.unlock(PIN), Err(ClientError::PinDelay { seconds: 1 })));
    assert!(!client.is_unlocked());
    assert_eq!(client.status().unwrap().wrong_pin_attempts, 4);

    // Once it has passed: a PIN of the wrong form is refused and not counted ...
    clock.advance(Duration::seconds(1));
    let err = client.unlock("12ab56").unwrap_err();
    assert!(matches!(err, ClientError::PinFormat(_)), "{err}");
    assert!(!err.to_string().contains("12ab56"));
    assert_eq!(client.status().unwrap().wrong_pin_attempts, 4);

    // ... and the right PIN unlocks and clears the count.
    client.unlock(PIN).unwrap();
    assert!(client.is_unlocked());
    assert_eq!(client.status().unwrap().wrong_pin_attempts, 0);
    let status = client.pin_status().unwrap();
    assert_eq!((status.unlocked, status.wrong_in_a_row, status.tries_left, status.wait_seconds), (true, 0, 10, 0));
    // The count starts again from nothing: three free tries.
    client.lock();
    for _ in 0..3 {
        assert!(matches!(wrong_try(&mut client), ClientError::WrongPin { wait_seconds: 0, .. }));
    }
    client.unlock(PIN).unwrap();
}

#[test]
fn the_count_and_the_wait_survive_a_restart() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let (mut client, clock) = device_on_manual_clock(&office, dir.path());
    for n in 1..=5u32 {
        wrong_try(&mut client);
        clock.advance(Duration::seconds(delay_after(n) as i64));
    }
    // The fifth wrong try asked for 4 seconds; the app restarts one second later.
    clock.advance(Duration::seconds(-3));
    drop(client);
    let mut client = SchoolClient::open_with_clock(dir.path(), clock.clone()).unwrap();
    assert!(!client.is_unlocked());
    assert_eq!(client.status().unwrap().wrong_pin_attempts, 5);
    assert!(matches!(client.unlock(PIN), Err(ClientError::PinDelay { seconds: 3 })));

    // A clock set back does not shorten the wait: it starts again from the new "now". (Set
    // back by less than the relay's allowed skew, which every PIN check goes through.)
    clock.advance(Duration::seconds(-200));
    assert!(matches!(client.unlock(PIN), Err(ClientError::PinDelay { seconds: 4 })));
    clock.advance(Duration::seconds(4));
    let err = wrong_try(&mut client);
    assert!(matches!(err, ClientError::WrongPin { tries_left: 4, wait_seconds: 8 }), "{err}");
    clock.advance(Duration::seconds(8));
    client.unlock(PIN).unwrap();
    drop(client);
    let client = SchoolClient::open_with_clock(dir.path(), clock).unwrap();
    assert_eq!(client.status().unwrap().wrong_pin_attempts, 0);
}

#[test]
fn the_tenth_wrong_pin_in_a_row_wipes_the_device() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let (mut client, clock) = device_on_manual_clock(&office, dir.path());
    let id = office.send();
    assert_eq!(client.fetch(5).unwrap().new_signals, vec![id]);
    let [vault_key, pepper] = entries(dir.path());
    assert!(vault_key.get().is_some() && pepper.get().is_some());

    for n in 1..=9u32 {
        let err = wrong_try(&mut client);
        let text = err.to_string();
        assert!(matches!(err, ClientError::WrongPin { tries_left, .. } if tries_left == 10 - n), "{err}");
        match n {
            7 => assert!(text.contains("nog 3 pogingen, daarna wordt dit apparaat gewist"), "{text}"),
            8 => assert!(text.contains("nog 2 pogingen, daarna wordt dit apparaat gewist"), "{text}"),
            9 => assert!(text.contains("nog 1 poging, daarna wordt dit apparaat gewist"), "{text}"),
            _ => assert!(!text.contains("gewist"), "no warning yet after {n}: {text}"),
        }
        assert_eq!(client.pin_status().unwrap().warn_of_wipe(), n >= 7);
        clock.advance(Duration::seconds(delay_after(n) as i64));
    }

    let err = wrong_try(&mut client);
    assert!(matches!(err, ClientError::WipedAfterWrongPins), "{err}");
    assert!(err.is_wiped());
    let text = err.to_string();
    assert!(text.contains("gewist") && text.contains("opnieuw aan"), "{text}");

    // Nothing is left on this computer: no file, no keyring entry.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(vault_key.get().is_none());
    assert!(pepper.get().is_none());
    assert!(!SchoolClient::is_enrolled(dir.path()));
    assert!(matches!(SchoolClient::open(dir.path()), Err(ClientError::Vault(VaultError::NotFound))));

    // The client that was wiped refuses everything, even the right PIN.
    assert!(matches!(client.unlock(PIN), Err(ClientError::Wiped)));
    assert!(matches!(client.fetch(0), Err(ClientError::Wiped)));
    assert!(matches!(client.open_signal(&id), Err(ClientError::Wiped)));
    assert!(matches!(client.acknowledge(&id, ReceiptKind::HandedOver), Err(ClientError::Wiped)));
    assert!(matches!(client.status(), Err(ClientError::Wiped)));
    client.wipe().unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // The directory can be enrolled again with a new code.
    let again = enrolled(&office, dir.path(), Role::Director);
    assert_eq!(again.status().unwrap().wrong_pin_attempts, 0);
}

#[test]
fn signals_open_only_while_unlocked_and_the_rest_works_while_locked() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let mut client = enrolled(&office, dir.path(), Role::Director);
    assert!(!client.is_unlocked());
    let first = office.send();
    let second = office.send();
    let third = office.send();

    // Locked: fetch, list and the privacy view work; opening and acknowledging need the PIN.
    assert_eq!(client.fetch(5).unwrap().new_signals.len(), 3);
    assert_eq!(client.pending().unwrap().len(), 3);
    let status = client.status().unwrap();
    assert!(status.has_signing_key && status.has_open_key && status.open_key_pin_protected, "{status:?}");
    let err = client.open_signal(&first).unwrap_err();
    assert!(matches!(err, ClientError::Locked), "{err}");
    assert!(err.to_string().contains("pincode"), "{err}");
    assert!(matches!(client.acknowledge(&first, ReceiptKind::HandedOver), Err(ClientError::Locked)));
    client.unlock(PIN).unwrap();
    let ack = client.acknowledge(&first, ReceiptKind::HandedOver).unwrap();
    assert_eq!(ack.delivery, Delivery::Delivered { first: true });

    // A receipt made while the relay is away is sent later, locked by then.
    let live = client.relay_url().to_string();
    client.set_relay_url(&common::dead_url()).unwrap();
    let ack = client.acknowledge(&second, ReceiptKind::NotOurPupil).unwrap();
    assert!(matches!(ack.delivery, Delivery::Waiting { .. }), "{ack:?}");
    client.lock();
    client.set_relay_url(&live).unwrap();
    assert_eq!(client.flush_outbox().unwrap().delivered, 1);
    let (_, receipts) = office.receipts(0);
    let mut got: Vec<_> = receipts.iter().map(|r| (r.receipt.signal_id, r.receipt.kind)).collect();
    got.sort_by_key(|(id, _)| id.to_string());
    let mut want = vec![(first, ReceiptKind::HandedOver), (second, ReceiptKind::NotOurPupil)];
    want.sort_by_key(|(id, _)| id.to_string());
    assert_eq!(got, want);
    assert!(!client.is_unlocked());

    // Unlocked: the signal opens; locked again: it does not.
    client.unlock(PIN).unwrap();
    assert_eq!(client.open_signal(&third).unwrap().name().expose(), common::NAME);
    client.lock();
    assert!(!client.is_unlocked());
    assert!(matches!(client.open_signal(&third), Err(ClientError::Locked)));
    // Reopening the app starts locked too.
    client.unlock(PIN).unwrap();
    drop(client);
    let mut client = SchoolClient::open(dir.path()).unwrap();
    assert!(matches!(client.open_signal(&third), Err(ClientError::Locked)));
}

/// Review finding 6: the signing key is at hand while locked (to fetch), but a receipt must
/// prove the signal was opened, so acknowledging needs the PIN; the proof holds under the
/// receipt key the office sealed into the signal.
#[test]
fn acknowledging_needs_the_pin_because_the_receipt_proves_opening() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let mut client = enrolled(&office, dir.path(), Role::Director);
    let now = chrono::Utc::now();
    let signal = hwc_protocol::Signal::from_input(common::NAME, common::BIRTHDATE, now.date_naive()).unwrap();
    let envelope = hwc_protocol::Envelope::seal(
        &office.key,
        hwc_protocol::SignalId::random().unwrap(),
        common::SCHOOL.parse().unwrap(),
        now,
        now + Duration::hours(30),
        &office.recipients(),
        &signal,
    )
    .unwrap();
    let id = office.post(&envelope);
    client.fetch(5).unwrap();

    let err = client.acknowledge(&id, ReceiptKind::HandedOver).unwrap_err();
    assert!(matches!(err, ClientError::Locked), "{err}");
    assert_eq!(client.pending().unwrap().len(), 1, "a refused acknowledgement keeps the signal");
    assert!(office.receipts(0).1.is_empty(), "nothing reached the office");

    client.unlock(PIN).unwrap();
    client.acknowledge(&id, ReceiptKind::HandedOver).unwrap();
    let (_, receipts) = office.receipts(0);
    assert_eq!(receipts.len(), 1);
    assert!(receipts[0].receipt.proves_opening(signal.receipt_key()), "the receipt proves the signal was opened");
    assert!(!receipts[0].receipt.proves_opening(&hwc_protocol::ReceiptKey::random().unwrap()));
}

#[test]
fn the_vault_and_its_key_without_the_pepper_cannot_open_a_signal() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let mut client = enrolled(&office, dir.path(), Role::Director);
    let id = office.send();
    client.fetch(5).unwrap();

    // What someone with a copy of vault.db and the vault key reads: the signing key, and the
    // open key only as salt, nonce and ciphertext.
    let [vault_key, pepper] = entries(dir.path());
    let key = vault_key.get().unwrap();
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(dir.path().join("vault.db"), copy.path().join("vault.db")).unwrap();
    let db = rusqlite::Connection::open(copy.path().join("vault.db")).unwrap();
    db.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(&key))).unwrap();
    let kinds: Vec<String> = db
        .prepare("SELECT kind FROM device_keys")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kinds, ["signing"], "no open key in the clear");
    let lengths: (i64, i64, i64, i64) = db
        .query_row("SELECT length(public_key), length(salt), length(nonce), length(sealed) FROM open_key", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!(lengths, (32, 16, 12, 48));
    let columns: Vec<String> = db
        .prepare("SELECT name FROM pragma_table_info('open_key')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(columns, ["id", "public_key", "salt", "nonce", "sealed", "guarded"]);
    let guarded: i64 = db.query_row("SELECT guarded FROM open_key", [], |r| r.get(0)).unwrap();
    assert_eq!(guarded, 1, "sealed with the relay's PIN guard: no PIN can be tested on this copy alone");
    drop(db);

    // Without the pepper in the keyring even the right PIN opens nothing, and says why.
    let saved = pepper.get().unwrap();
    pepper.delete();
    let err = client.unlock(PIN).unwrap_err();
    assert!(matches!(err, ClientError::Vault(VaultError::PepperMissing)), "{err}");
    let text = err.to_string();
    assert!(text.contains("ontbreekt in de sleutelbos") && text.contains("ook niet met de juiste pincode"), "{text}");
    assert!(!client.is_unlocked());
    assert!(matches!(client.open_signal(&id), Err(ClientError::Locked)));
    assert_eq!(client.status().unwrap().wrong_pin_attempts, 0, "a missing pepper is no wrong PIN");

    // Another pepper does not help either: the PIN alone is not enough.
    pepper.set(&[7u8; 32]);
    assert!(matches!(client.unlock(PIN), Err(ClientError::WrongPin { tries_left: 9, .. })));

    // With the device's own pepper back, the right PIN opens it.
    pepper.set(&saved);
    client.unlock(PIN).unwrap();
    assert!(client.open_signal(&id).is_ok());
}

#[test]
fn change_pin_needs_the_old_pin_and_replaces_it() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let mut client = enrolled(&office, dir.path(), Role::Director);
    let new_pin = "7391046285";

    let err = client.change_pin(PIN, "1234").unwrap_err();
    assert!(matches!(err, ClientError::NewPinFormat(_)), "{err}");
    assert!(err.to_string().starts_with("de nieuwe pincode is niet geschikt"), "{err}");
    let err = client.change_pin(WRONG, new_pin).unwrap_err();
    assert!(matches!(err, ClientError::WrongPin { tries_left: 9, .. }), "{err}");
    assert_eq!(client.status().unwrap().wrong_pin_attempts, 1);

    client.change_pin(PIN, new_pin).unwrap();
    assert!(!client.is_unlocked(), "changing the PIN does not unlock");
    assert_eq!(client.status().unwrap().wrong_pin_attempts, 0);
    assert!(matches!(client.unlock(PIN), Err(ClientError::WrongPin { .. })));
    drop(client);
    let mut client = SchoolClient::open(dir.path()).unwrap();
    client.unlock(new_pin).unwrap();
    assert!(client.is_unlocked());
}

/// Two windows (or two processes) on one vault cannot guess in parallel on one count: a try is
/// counted in the same transaction that checks it is allowed, so once the free tries are used,
/// of two tries started at the same moment one is checked and the other waits.
#[test]
fn two_processes_on_one_vault_cannot_guess_on_the_same_count() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let (mut first, clock) = device_on_manual_clock(&office, dir.path());
    for _ in 0..3 {
        wrong_try(&mut first);
    }
    let second = SchoolClient::open_with_clock(dir.path(), clock.clone()).unwrap();
    let start = Arc::new(std::sync::Barrier::new(2));
    let tries: Vec<_> = [first, second]
        .into_iter()
        .map(|mut client| {
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                client.unlock(WRONG).unwrap_err()
            })
        })
        .collect();
    let outcomes: Vec<ClientError> = tries.into_iter().map(|t| t.join().unwrap()).collect();
    let checked = outcomes.iter().filter(|e| matches!(e, ClientError::WrongPin { .. })).count();
    let waited = outcomes.iter().filter(|e| matches!(e, ClientError::PinDelay { .. })).count();
    assert_eq!((checked, waited), (1, 1), "{outcomes:?}");
    let client = SchoolClient::open_with_clock(dir.path(), clock).unwrap();
    assert_eq!(client.status().unwrap().wrong_pin_attempts, 4);
}

/// The row the relay keeps for `device` in its PIN guard: tries since the last right PIN, and
/// whether a reset key is registered.
fn relay_guard(relay: &hwc_relay::testing::TestRelay, device: hwc_protocol::DeviceId) -> Option<(i64, bool)> {
    use rusqlite::OptionalExtension;
    let db = common::relay_db(relay);
    db.query_row("SELECT tries, reset_key IS NOT NULL FROM pin_guard WHERE device_id = ?1", [device.to_string()], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
    .unwrap()
}

/// Review finding 2: copying the vault file, making nine wrong tries and putting the copy back
/// (with both keyring entries) used to start the count again. The relay counts every PIN it
/// helps check, so the restored device gets one try, and after that none, not even the right PIN.
#[test]
fn a_restored_vault_gains_no_tries_because_the_relay_counts_them() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let (mut client, clock) = device_on_manual_clock(&office, dir.path());
    let device = client.device_id();
    assert_eq!(relay_guard(&relay, device), Some((0, true)), "registered at enrollment");

    let [vault_key, pepper] = entries(dir.path());
    let file = dir.path().join("vault.db");
    let saved = (std::fs::read(&file).unwrap(), vault_key.get().unwrap(), pepper.get().unwrap());
    let restore = || {
        std::fs::write(&file, &saved.0).unwrap();
        vault_key.set(&saved.1);
        pepper.set(&saved.2);
    };

    for n in 1..=9u32 {
        let err = wrong_try(&mut client);
        assert!(matches!(err, ClientError::WrongPin { tries_left, .. } if tries_left == 10 - n), "{err}");
        clock.advance(Duration::seconds(delay_after(n) as i64));
    }
    assert_eq!(relay_guard(&relay, device), Some((9, true)));
    drop(client);

    restore();
    let mut client = SchoolClient::open_with_clock(dir.path(), clock.clone()).unwrap();
    assert_eq!(client.pin_status().unwrap().wrong_in_a_row, 0, "the restored file's own count is back to 0");
    let err = wrong_try(&mut client);
    assert!(matches!(err, ClientError::WipedAfterGuardRefused) && err.is_wiped(), "the relay's tenth: {err}");
    assert!(err.to_string().contains("niet van deze computer kwamen"), "{err}");
    assert!(!SchoolClient::is_enrolled(dir.path()));

    restore();
    let mut client = SchoolClient::open_with_clock(dir.path(), clock.clone()).unwrap();
    let err = client.unlock(PIN).unwrap_err();
    assert!(matches!(err, ClientError::WipedAfterGuardRefused), "even the right PIN: {err}");
    assert!(!client.is_unlocked());
    assert!(!SchoolClient::is_enrolled(dir.path()));
}

/// A right PIN clears the relay's count; without the relay no PIN is checked (and none counted).
#[test]
fn a_right_pin_clears_the_relays_count_and_offline_nothing_is_checked() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let (mut client, _clock) = device_on_manual_clock(&office, dir.path());
    let device = client.device_id();
    for _ in 0..2 {
        wrong_try(&mut client);
    }
    assert_eq!(relay_guard(&relay, device), Some((2, true)));
    client.unlock(PIN).unwrap();
    assert_eq!(relay_guard(&relay, device), Some((0, true)));
    client.lock();

    let live = client.relay_url().to_string();
    client.set_relay_url(&common::dead_url()).unwrap();
    for pin in [PIN, WRONG] {
        let err = client.unlock(pin).unwrap_err();
        assert!(matches!(err, ClientError::PinGuardOffline), "{err}");
    }
    assert_eq!(client.pin_status().unwrap().wrong_in_a_row, 0);
    client.set_relay_url(&live).unwrap();
    client.unlock(PIN).unwrap();
    assert_eq!(relay_guard(&relay, device), Some((0, true)));
}

/// A vault sealed without the PIN guard (here: the relay's guard failed while the device
/// enrolled; so are vaults from before the guard) is sealed with the guard at its next right PIN.
#[test]
fn a_vault_sealed_before_the_guard_is_sealed_with_it_at_the_next_right_pin() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let db = common::relay_db(&relay);
    db.execute_batch("CREATE TRIGGER no_tries BEFORE UPDATE ON pin_guard BEGIN SELECT RAISE(ABORT, 'test'); END;")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut client = enrolled(&office, dir.path(), Role::Director);
    let guarded = |dir: &Path| -> i64 {
        let key = StoredSecret::vault_key(dir).get().unwrap();
        let vault = rusqlite::Connection::open(dir.join("vault.db")).unwrap();
        vault.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(&key))).unwrap();
        vault.query_row("SELECT guarded FROM open_key", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(guarded(dir.path()), 0, "enrolled while the relay's guard failed");
    assert!(!client.pin_guarded().unwrap());

    db.execute_batch("DROP TRIGGER no_tries").unwrap();
    client.unlock(PIN).unwrap();
    assert!(client.pin_guarded().unwrap());
    assert_eq!(guarded(dir.path()), 1, "sealed again with the guard");
    assert_eq!(relay_guard(&relay, client.device_id()), Some((0, true)));
    client.lock();
    assert!(matches!(client.unlock(WRONG), Err(ClientError::WrongPin { tries_left: 9, .. })));
    assert_eq!(relay_guard(&relay, client.device_id()), Some((1, true)), "counted by the relay now");
    client.unlock(PIN).unwrap();
}

/// Someone with a copy of the vault and both keyring entries tries PINs through the relay; the
/// device cannot stop that (the copy holds its signing key), but the relay counts those tries
/// too, and at the next right PIN the device sees that the relay counted more than it made.
#[test]
fn tries_made_with_a_copy_elsewhere_are_reported_at_the_next_right_pin() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let (dir, copy) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut client = enrolled(&office, dir.path(), Role::Director);
    assert!(client.pin_guarded().unwrap());
    std::fs::copy(dir.path().join("vault.db"), copy.path().join("vault.db")).unwrap();
    for (from, to) in entries(dir.path()).iter().zip(entries(copy.path()).iter()) {
        to.set(&from.get().unwrap());
    }
    let mut thief = SchoolClient::open(copy.path()).unwrap();
    assert_eq!(thief.device_id(), client.device_id());
    for _ in 0..3 {
        wrong_try(&mut thief);
    }
    drop(thief);

    wrong_try(&mut client);
    client.unlock(PIN).unwrap();
    assert_eq!(client.pin_tried_elsewhere(), 3, "three tries the relay counted were not made here");
    client.lock();
    client.unlock(PIN).unwrap();
    assert_eq!(client.pin_tried_elsewhere(), 0, "none since");
    SchoolClient::wipe_data_dir(copy.path()).unwrap();
}

/// A relay that lost its guard key for a device (or answers with another one) gives results
/// that open nothing: the right PIN counts as wrong, as deploy-relay.md says, and nothing opens.
#[test]
fn a_relay_with_another_guard_key_makes_the_right_pin_count_as_wrong() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    let mut client = enrolled(&office, dir.path(), Role::Director);
    let db = common::relay_db(&relay);
    let other = hwc_protocol::pin_guard::PinGuardKey::generate().unwrap();
    let changed = db
        .execute(
            "UPDATE pin_guard SET oprf_key = ?1 WHERE device_id = ?2",
            rusqlite::params![&other.as_bytes()[..], client.device_id().to_string()],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let err = client.unlock(PIN).unwrap_err();
    assert!(matches!(err, ClientError::WrongPin { tries_left: 9, .. }), "{err}");
    assert!(!client.is_unlocked());
}

/// Resets that do not reach the relay leave its count higher; the device remembers those tries
/// as its own, so they are never reported as someone else's, and the next reset clears them.
#[test]
fn resets_that_fail_are_not_taken_for_tries_made_elsewhere() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let db = common::relay_db(&relay);
    let refuse_resets =
        "CREATE TRIGGER no_resets BEFORE UPDATE OF reset_key ON pin_guard BEGIN SELECT RAISE(ABORT, 'test'); END;";
    db.execute_batch(refuse_resets).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut client = enrolled(&office, dir.path(), Role::Director);
    assert!(client.pin_guarded().unwrap(), "sealed with the guard even though its reset failed");
    assert_eq!(relay_guard(&relay, client.device_id()), Some((1, true)), "the enrollment's try is still counted");
    client.lock();
    client.unlock(PIN).unwrap();
    assert_eq!(relay_guard(&relay, client.device_id()), Some((2, true)));
    assert_eq!(client.pin_tried_elsewhere(), 0);

    db.execute_batch("DROP TRIGGER no_resets").unwrap();
    client.lock();
    client.unlock(PIN).unwrap();
    assert_eq!(client.pin_tried_elsewhere(), 0);
    assert_eq!(relay_guard(&relay, client.device_id()), Some((0, true)), "cleared by the first reset that arrives");
}
