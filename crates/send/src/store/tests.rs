//! Tests of the sender database: its columns, round trips, encryption and the wrong key.

use super::tally::TallyKind;
use super::*;
use hwc_protocol::{Brin, DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, Role, SignalId};

fn fresh() -> (tempfile::TempDir, std::path::PathBuf, DbKey, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("state.db");
    let key = DbKey::generate().unwrap();
    let store = Store::create(&path, &key).unwrap();
    (tmp, path, key, store)
}

#[test]
fn no_column_can_hold_a_name_or_birthdate() {
    let (_tmp, _path, _key, store) = fresh();
    let mut tables = store.conn().prepare("SELECT name FROM sqlite_master WHERE type = 'table'").unwrap();
    let tables: Vec<String> = tables.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(tables.len(), 13, "{tables:?}");
    for table in tables {
        let mut cols = store.conn().prepare(&format!("SELECT name FROM pragma_table_info('{table}')")).unwrap();
        let cols: Vec<String> = cols.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        for col in cols {
            let col = col.to_lowercase();
            for banned in ["name", "naam", "birth", "geboort", "child", "kind", "plaintext", "signal_body"] {
                assert!(!col.contains(banned), "{table}.{col}");
            }
        }
    }
}

#[test]
fn records_round_trip_and_settle_once() {
    let (_tmp, path, key, mut store) = fresh();
    store.init_office(&[7u8; 32], "https://relay.example", 10).unwrap();
    let brin: Brin = "12AB".parse().unwrap();
    let keys = DevicePublicKeys::of(&DeviceSigningKey::generate().unwrap(), &DeviceOpenKey::generate().unwrap());
    let device = LocalDevice {
        device_id: keys.device_id(),
        school: brin,
        role: Role::Backup,
        keys,
        verified_at: 20,
        previous_key: false,
    };
    store.add_device(&device).unwrap();
    store.add_device(&device).unwrap();
    let id = SignalId::random().unwrap();
    let receipt_key = Some(hwc_protocol::ReceiptKey::from_bytes([9; 16]));
    let sent = Outstanding {
        signal_id: id,
        school: brin,
        sent_at: 30,
        expires_at: 40,
        receipt_key,
        held_until: None,
        incident_at: None,
    };
    store.record_outstanding(&sent).unwrap();
    drop(store);

    let mut store = Store::open(&path, &key).unwrap();
    let (secret, url) = store.office().unwrap();
    assert_eq!(*secret, [7u8; 32]);
    assert_eq!(url, "https://relay.example");
    assert_eq!(store.schools().unwrap(), vec![brin]);
    assert_eq!(store.devices(brin).unwrap(), vec![device.clone()]);
    assert_eq!(store.outstanding(id).unwrap(), Some(sent));
    assert_eq!(store.receipts_cursor().unwrap(), 0);
    assert!(!store.is_settled(id).unwrap());
    store.settle(&[(id, Settle::HandedOver, 900)], 5, 1000).unwrap();
    store.settle(&[(id, Settle::HandedOver, 900)], 6, 1001).unwrap();
    assert_eq!(store.outstanding(id).unwrap(), None);
    assert!(store.is_settled(id).unwrap());
    assert_eq!(store.receipts_cursor().unwrap(), 6);
    assert_eq!(store.counts().unwrap(), Counts { sent: 1, handed_over: 1, not_our_pupil: 0, expired: 0, unproven: 0 });

    // Settled ids are kept for 30 days, then forgotten.
    store.settle(&[], 7, 1000 + SETTLED_KEEP_SECS).unwrap();
    assert!(store.is_settled(id).unwrap());
    store.settle(&[], 8, 1001 + SETTLED_KEEP_SECS).unwrap();
    assert!(!store.is_settled(id).unwrap());

    assert!(store.remove_device(brin, device.device_id).unwrap());
    assert!(!store.remove_device(brin, device.device_id).unwrap());
    assert!(store.devices(brin).unwrap().is_empty());
}

#[test]
fn a_refused_signal_is_forgotten_and_not_counted() {
    let (_tmp, _path, _key, mut store) = fresh();
    let brin: Brin = "12AB".parse().unwrap();
    store.add_school(brin, 1).unwrap();
    let record = |sent_at, expires_at| Outstanding {
        signal_id: SignalId::random().unwrap(),
        school: brin,
        sent_at,
        expires_at,
        receipt_key: Some(hwc_protocol::ReceiptKey::random().unwrap()),
        held_until: None,
        incident_at: None,
    };
    let (kept, refused) = (record(10, 20), record(11, 30));
    store.record_outstanding(&kept).unwrap();
    store.record_outstanding(&refused).unwrap();
    store.forget_refused(refused.signal_id).unwrap();
    store.forget_refused(refused.signal_id).unwrap();
    assert_eq!(store.all_outstanding().unwrap(), vec![kept.clone()]);
    assert_eq!(store.counts().unwrap().sent, 1);
    assert_eq!(store.outstanding_expired_before(20).unwrap(), vec![]);
    assert_eq!(store.outstanding_expired_before(21).unwrap(), vec![kept]);
}

#[test]
fn a_version_1_database_is_migrated() {
    let (_tmp, path, key, store) = fresh();
    // The tables as version 1 had them: no `settled`, no `successor`, devices without
    // `previous_key`, outstanding signals without `receipt_key`; one signal waiting.
    let brin: Brin = "12AB".parse().unwrap();
    let waiting = SignalId::random().unwrap();
    store.add_school(brin, 1).unwrap();
    store
        .conn()
        .execute_batch(&format!(
            "DROP TABLE tally; DROP TABLE settled; DROP TABLE successor; DROP TABLE devices; DROP TABLE outstanding; DROP TABLE counts;
             DROP TABLE settings; DROP TABLE school_days; ALTER TABLE schools DROP COLUMN region;
             ALTER TABLE schools DROP COLUMN phone;
             CREATE TABLE counts (id INTEGER PRIMARY KEY CHECK (id = 1), sent INTEGER NOT NULL,
                 handed_over INTEGER NOT NULL, not_our_pupil INTEGER NOT NULL, expired INTEGER NOT NULL);
             INSERT INTO counts VALUES (1, 4, 3, 0, 0);
             CREATE TABLE devices (device_id TEXT PRIMARY KEY, brin TEXT NOT NULL REFERENCES schools(brin),
                 role TEXT NOT NULL, sign_key BLOB NOT NULL, seal_key BLOB NOT NULL, verified_at INTEGER NOT NULL);
             CREATE TABLE outstanding (signal_id TEXT PRIMARY KEY, brin TEXT NOT NULL REFERENCES schools(brin),
                 sent_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
             INSERT INTO outstanding VALUES ('{waiting}', '12AB', 5, 50);
             PRAGMA user_version = 1;"
        ))
        .unwrap();
    drop(store);
    let store = Store::open(&path, &key).unwrap();
    let before = Outstanding {
        signal_id: waiting,
        school: brin,
        sent_at: 5,
        expires_at: 50,
        receipt_key: None,
        held_until: None,
        incident_at: None,
    };
    assert_eq!(store.outstanding(waiting).unwrap(), Some(before));
    assert_eq!(store.counts().unwrap(), Counts { sent: 4, handed_over: 3, not_our_pupil: 0, expired: 0, unproven: 0 });
    // Version 6: the waiting signal's sending is counted when the tally is made, once (not
    // again at the next opening), in its month, the incident's hour unknown.
    drop(store);
    let mut store = Store::open(&path, &key).unwrap();
    let sent_row = super::tally::TallyRow {
        school: brin,
        month: "1970-01".into(),
        kind: super::tally::TallyKind::Sent,
        within: Some(crate::incident::Within::Unknown),
        count: 1,
    };
    assert_eq!(store.tally(10).unwrap(), vec![sent_row]);
    let version: i64 = store.conn().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, schema::SCHEMA_VERSION);
    let id = SignalId::random().unwrap();
    store.settle(&[(id, Settle::Expired, 10)], 1, 10).unwrap();
    assert!(store.is_settled(id).unwrap());
    store.set_successor(&[3u8; 32], 5).unwrap();
    // Version 5: the school has no region yet, and the summer rule is to warn.
    assert_eq!(store.region(brin).unwrap(), None);
    assert_eq!(store.summer_rule().unwrap(), SummerRule::Warn);
    assert!(store.set_region(brin, Some(hwc_calendar::Region::Zuid)).unwrap());
    assert_eq!(store.region(brin).unwrap(), Some(hwc_calendar::Region::Zuid));
    assert!(!store.set_region("99ZZ".parse().unwrap(), None).unwrap());
}

#[test]
fn a_version_5_file_from_before_its_last_parts_is_completed() {
    let (_tmp, path, key, store) = fresh();
    // Version 5 as the first commit that wrote it left it: region and summer rule only.
    store
        .conn()
        .execute_batch(
            "DROP TABLE school_days; ALTER TABLE schools DROP COLUMN phone;
             ALTER TABLE settings DROP COLUMN escalation_at; ALTER TABLE outstanding DROP COLUMN deliver_from;
             DROP TABLE tally; ALTER TABLE outstanding DROP COLUMN incident_at;
             ALTER TABLE settings DROP COLUMN counts_keep_months;
             DROP TABLE device_locations; DROP TABLE locations; PRAGMA user_version = 5;",
        )
        .unwrap();
    drop(store);
    let store = Store::open(&path, &key).unwrap();
    let brin: Brin = "12AB".parse().unwrap();
    store.add_school(brin, 1).unwrap();
    assert!(store.set_phone(brin, Some(&"030 123 45 67".parse().unwrap())).unwrap());
    assert_eq!(store.escalation_at().unwrap().format("%H:%M").to_string(), "08:30");
    assert_eq!(store.school_days(brin).unwrap(), (vec![], vec![]));
    assert!(store.all_outstanding().unwrap().is_empty());
    // And upgraded to version 6: the evaluation's tally, kept two years unless set otherwise;
    // and to version 7: the school's locations.
    assert_eq!(store.counts_keep_months().unwrap(), 24);
    assert!(store.locations(brin).unwrap().is_empty());
    store.set_location(brin, "01".parse().unwrap(), Some("De Linde")).unwrap();
    let version: i64 = store.conn().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 7);
}

#[test]
fn the_tally_counts_per_school_month_and_kind_how_soon_after_the_incident_and_forgets_old_months() {
    use crate::incident::Within;
    use chrono::TimeZone;
    let (_tmp, _path, _key, mut store) = fresh();
    let brin: Brin = "12AB".parse().unwrap();
    store.add_school(brin, 1).unwrap();
    let at = |m: u32, d: u32, h: u32| chrono::Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap().timestamp();
    let record = |sent_at: i64, incident_at: Option<i64>| Outstanding {
        signal_id: SignalId::random().unwrap(),
        school: brin,
        sent_at,
        expires_at: sent_at + 86_400,
        receipt_key: None,
        held_until: None,
        incident_at,
    };
    // Incident Saturday 21 November 22:00 (21:00 UTC); sent Sunday, handed over Monday 09:00.
    let incident = at(11, 21, 21);
    let handed = record(at(11, 22, 10), Some(incident));
    let expired = record(at(11, 23, 10), None);
    let refused = record(at(11, 23, 11), Some(incident));
    for signal in [&handed, &expired, &refused] {
        store.record_outstanding(signal).unwrap();
    }
    store.forget_refused(refused.signal_id).unwrap();
    let now = at(12, 7, 8);
    store
        .settle(
            &[
                (handed.signal_id, Settle::HandedOver, at(11, 23, 8)),
                (expired.signal_id, Settle::Expired, at(11, 24, 23)),
            ],
            1,
            now,
        )
        .unwrap();
    store.note_not_forwarded("34CD".parse().unwrap(), now).unwrap();

    let cells: Vec<_> = store
        .tally(now)
        .unwrap()
        .into_iter()
        .map(|c| (c.school.to_string(), c.month, c.kind, c.within, c.count))
        .collect();
    let cell =
        |school: &str, month: &str, kind, within, count| (school.to_string(), month.to_string(), kind, within, count);
    assert_eq!(
        cells,
        vec![
            cell("12AB", "2026-11", TallyKind::Expired, None, 1),
            // 35 hours after the incident's hour began: within 48 hours.
            cell("12AB", "2026-11", TallyKind::HandedOver, Some(Within::TwoDays), 1),
            cell("12AB", "2026-11", TallyKind::Sent, Some(Within::Day), 1),
            cell("12AB", "2026-11", TallyKind::Sent, Some(Within::Unknown), 1),
            cell("34CD", "2026-12", TallyKind::NotForwarded, None, 1),
        ]
    );
    // Nothing in the tally names a signal, a day or an hour.
    let days: i64 =
        store.conn().query_row("SELECT count(*) FROM tally WHERE length(month) <> 7", [], |r| r.get(0)).unwrap();
    assert_eq!(days, 0);

    // Kept one month: November goes at once; a year later December goes too.
    assert!(store.set_counts_keep_months(0, now).is_err());
    assert!(store.set_counts_keep_months(121, now).is_err());
    store.set_counts_keep_months(1, now).unwrap();
    assert_eq!(store.tally(now).unwrap().len(), 1);
    assert!(store.tally(now + 365 * 86_400).unwrap().is_empty());
}

#[test]
fn a_rotation_makes_the_successor_the_office_key_and_marks_every_device_as_previous() {
    let (_tmp, _path, _key, mut store) = fresh();
    store.init_office(&[1u8; 32], "https://relay.example", 1).unwrap();
    assert!(store.complete_rotation().is_err(), "nothing to rotate to");
    let brin: Brin = "12AB".parse().unwrap();
    let keys = DevicePublicKeys::of(&DeviceSigningKey::generate().unwrap(), &DeviceOpenKey::generate().unwrap());
    let device = LocalDevice {
        device_id: keys.device_id(),
        school: brin,
        role: Role::Director,
        keys,
        verified_at: 2,
        previous_key: false,
    };
    store.add_device(&device).unwrap();
    store.set_successor(&[2u8; 32], 3).unwrap();
    assert!(store.set_successor(&[4u8; 32], 3).is_err(), "one successor at a time");
    assert_eq!(store.successor().unwrap().as_deref(), Some(&[2u8; 32]));
    assert_eq!(*store.office().unwrap().0, [1u8; 32], "the old key stays until the relay agreed");

    store.complete_rotation().unwrap();
    assert_eq!(*store.office().unwrap().0, [2u8; 32]);
    assert!(store.successor().unwrap().is_none());
    assert_eq!(store.devices(brin).unwrap(), vec![LocalDevice { previous_key: true, ..device }]);
}

#[test]
fn wrong_key_is_refused_in_dutch() {
    let (_tmp, path, _key, store) = fresh();
    store.init_office(&[1u8; 32], "https://relay.example", 1).unwrap();
    drop(store);
    let err = Store::open(&path, &DbKey::generate().unwrap()).unwrap_err();
    assert!(matches!(err, SendError::WrongKey));
    assert!(err.to_string().contains("de sleutel van de sender-database klopt niet"), "{err}");
}

#[test]
fn file_is_private() {
    let (_tmp, path, _key, store) = fresh();
    drop(store);
    assert!(hwc_hardening::private_fs::is_private(&path).unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[test]
fn file_is_encrypted_and_leaves_no_journal() {
    let (tmp, path, _key, store) = fresh();
    store.init_office(&[1u8; 32], "https://relay.example", 1).unwrap();
    drop(store);
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(!bytes.windows(13).any(|w| w == b"relay.example"));
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("state.db")]);
}
